"""Crash safety: a `smm-desk sync` process killed with SIGKILL at random points.

* Ingest: over ≥ 20 kills, no message is lost or duplicated and the cursors
  stay consistent (a final pass finds everything, a further pass finds nothing).
* Delivery: killed while replies are leaving (the simulator slows every send so
  kills land mid-request), the simulator's delivery record shows no reply
  posted twice; every reply ends sent, or "uncertain — check" for a person.

The simulator runs in this test process on loopback, so it outlives the kills,
exactly like a real network.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import keyring
import pytest

from smm_desk.cli.main import main
from smm_desk.sim.world import Fault
from smm_desk.store.api import Store
from tests.support.file_keyring import FileKeyring
from tests.support.simulated import SimulatedWorkspace, simulated_workspace

ROOT = Path(__file__).resolve().parents[2]
NETWORKS = ("telegram", "vk", "mastodon")
TRIALS = 20


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("SMM_DESK_TEST_KEYRING_FILE", str(tmp_path / "keyring.json"))
    monkeypatch.setenv("SMM_DESK_DB", f"sqlite:///{tmp_path}/desk.db")
    keyring.set_keyring(FileKeyring())
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PYTHON_KEYRING_BACKEND": "tests.support.file_keyring.FileKeyring",
    }


def quiet(*argv: str) -> int:
    return main(list(argv))


def connect_all(ws: SimulatedWorkspace, env: dict[str, str],
                monkeypatch: pytest.MonkeyPatch) -> None:
    """Every simulated account added through the CLI, and a first pass that
    takes each network's starting position."""
    for key, value in ws.env().items():
        monkeypatch.setenv(key, value)
        env[key] = value
    for network in NETWORKS:
        assert quiet(*ws.cli_args(network)) == 0
    assert quiet("sync", "--once") == 0


def kill_sync_repeatedly(env: dict[str, str], rng: random.Random, trials: int,
                         between: object = None) -> None:
    for trial in range(trials):
        proc = subprocess.Popen([sys.executable, "-m", "smm_desk", "sync"], env=env, cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.4, 2.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        if callable(between):
            between(trial)


def test_sigkill_during_ingest_loses_and_duplicates_nothing(
    env: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(20261122)
    with simulated_workspace(NETWORKS) as ws:
        connect_all(ws, env, monkeypatch)
        # Every request takes a little while, so kills land inside fetches too.
        for network in NETWORKS:
            ws.world.inject(Fault(network, "latency", seconds=0.03, times=100_000))
        expected: dict[str, set[str]] = {n: set() for n in NETWORKS}
        counter = iter(range(1_000_000))

        def inject(count: int) -> None:
            for network in NETWORKS:
                acc = ws.accounts[network]
                for _ in range(count):
                    n = next(counter)
                    text = f"order question #{n}"
                    if n % 3:
                        acc.handler.inject_dm(acc.token, str(700 + n % 17), f"C{n % 17}", text)
                    else:
                        acc.handler.inject_comment(acc.token, "900", str(800 + n % 11),
                                                   f"K{n % 11}", text)
                    expected[network].add(text)

        inject(60)
        kill_sync_repeatedly(env, rng, TRIALS, between=lambda _t: inject(rng.randint(0, 12)))
        ws.world.faults.clear()
        capsys.readouterr()
        for _ in range(5):
            assert quiet("sync", "--once") == 0
        store = Store.open(env["SMM_DESK_DB"])
        try:
            for network in NETWORKS:
                account = next(a for a in store.accounts() if a.network == network)
                with store.db.reading() as s:
                    from sqlalchemy import text

                    rows = s.execute(text(
                        "SELECT external_id, text FROM messages WHERE account_id = :a "
                        "AND direction = 'inbound'"), {"a": account.id}).all()
                texts = Counter(t.split("order question ", 1)[1] for _, t in rows)
                assert not [t for t, c in texts.items() if c > 1], "duplicated"
                got = {f"order question {t}" for t in texts}
                assert got == expected[network], f"{network}: lost {expected[network] - got}"
                assert len({e for e, _ in rows}) == len(rows)
                cursors = {s: store.cursor(account.id, s) for s in ("updates", "longpoll", "mentions")}
                assert any(cursors.values())
            # Consistent cursors: nothing is left to fetch, nothing is fetched twice.
            capsys.readouterr()
            assert quiet("sync", "--once") == 0
            assert capsys.readouterr().out.startswith("fetched 0, new 0")
        finally:
            store.close()


def test_sigkill_during_delivery_never_posts_twice(
    env: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(7)
    with simulated_workspace(NETWORKS) as ws:
        connect_all(ws, env, monkeypatch)
        for network in NETWORKS:
            acc = ws.accounts[network]
            for n in range(12):
                acc.handler.inject_dm(acc.token, str(600 + n), f"Customer {n}", f"help {n}")
        assert quiet("sync", "--once") == 0
        capsys.readouterr()
        assert quiet("queue", "--json") == 0
        cases = json.loads(capsys.readouterr().out)
        assert len(cases) == 12 * len(NETWORKS)
        for case in cases:
            assert quiet("reply", str(case["id"]), "--text", f"answer for case {case['id']}") == 0
        # Sends are slow: SIGKILL lands between request and commit.
        for network in NETWORKS:
            match = {"mastodon": "/api/v1/statuses", "vk": "/method/messages.send",
                     "telegram": "/sendMessage"}[network]
            ws.world.inject(Fault(network, "latency", match=match, seconds=0.25, times=100_000))
        kill_sync_repeatedly(env, rng, TRIALS)
        ws.world.faults.clear()
        capsys.readouterr()
        assert quiet("outbox", "flush") == 0
        texts = Counter(d.text.split("answer for case ", 1)[-1] for d in ws.world.deliveries)
        assert texts and not [t for t, c in texts.items() if c > 1], texts
        store = Store.open(env["SMM_DESK_DB"])
        try:
            from smm_desk.domain.records import ReplyState

            waiting = [r for s in (ReplyState.QUEUED, ReplyState.SENDING)
                       for r in store.replies(s)]
            assert waiting == []
            sent = store.replies(ReplyState.SENT)
            uncertain = store.replies(ReplyState.UNCERTAIN)
            assert len(sent) + len(uncertain) == 12 * len(NETWORKS)
            # VK and Mastodon honour our key, so a kill never needs a person there;
            # Telegram has no key: a send cut short waits for a person instead.
            networks = {r.id: store.reply_target(r.id).network for r in uncertain}
            assert set(networks.values()) <= {"telegram"}
            delivered = {d.text.split("answer for case ", 1)[-1] for d in ws.world.deliveries}
            assert {str(r.case_id) for r in sent} <= delivered
        finally:
            store.close()
