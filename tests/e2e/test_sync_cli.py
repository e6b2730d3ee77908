"""Done-when of the sync issue, through the command line against the loopback
simulator: `accounts add … --base-url`, `sync --once` fills the queue with
correctly threaded cases timed from the networks' own timestamps, `reply` then
`outbox flush` delivers once with the documented request shape."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from smm_desk.cli.main import main
from smm_desk.sim.catalog import available
from tests.support.simulated import simulated_workspace

NETWORKS = ("telegram", "vk", "mastodon")
#: Every HTTP network with a simulator (email has its own real-server tests).
ALL_HTTP = tuple(n for n in available() if n != "email")


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("network", ALL_HTTP)
def test_sync_once_then_reply_delivers_once(
    network: str, tmp_path: object, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SMM_DESK_DB", f"sqlite:///{tmp_path}/desk.db")
    monkeypatch.setenv("SMM_DESK_AGENT", "kim")
    with simulated_workspace((network,)) as ws:
        for key, value in ws.env().items():
            monkeypatch.setenv(key, value)
        code, out, err = cli(capsys, *ws.cli_args(network))
        assert code == 0, err
        acc = ws.accounts[network]
        assert cli(capsys, "sync", "--once")[0] == 0  # connects; takes the starting position

        written = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=3)
        h = acc.handler
        dm = h.inject_dm(acc.token, "501", "Anna", "Do you deliver on Sunday?", written)
        c1 = h.inject_comment(acc.token, None, "502", "Ivan", "Когда поставка?", written)
        h.inject_comment(acc.token, None, "503", "Lan", "Còn hàng không shop?", written)
        h.inject_dm(acc.token, "501", "Anna", "Hello?", written + timedelta(minutes=1))
        del dm, c1

        code, out, err = cli(capsys, "sync", "--once")
        assert code == 0, err
        code, out, _ = cli(capsys, "queue", "--json")
        cases = json.loads(out)
        assert sorted(c["customer"] for c in cases) == ["Anna", "Ivan", "Lan"]
        for case in cases:
            assert case["network"] == network and case["sla_state"] == "ok"
            assert datetime.fromisoformat(case["waiting_since"]) == written
            assert datetime.fromisoformat(case["response_due_at"]) == written + timedelta(
                minutes=10)
        anna = next(c for c in cases if c["customer"] == "Anna")
        assert anna["last_inbound_text"].endswith("Hello?")  # Mastodon keeps "@acme "

        for case in cases:
            code, out, _ = cli(capsys, "reply", str(case["id"]), "--text",
                               f"Thanks {case['customer']}, we are on it")
            assert code == 0
        code, out, _ = cli(capsys, "outbox", "--json")
        assert [r["state"] for r in json.loads(out)] == ["queued"] * 3

        code, out, err = cli(capsys, "outbox", "flush")
        assert code == 0 and out.startswith("delivered 3"), (out, err)
        assert cli(capsys, "outbox", "flush")[1].startswith("delivered 0")
        posted = h.posted(acc.token)
        assert len(posted) == 3
        assert sorted(p["text"].split("Thanks ", 1)[1] for p in posted) == sorted(
            f"{n}, we are on it" for n in ("Anna", "Ivan", "Lan"))

        # Our replies come back through the network: no duplicates, clocks stopped.
        assert cli(capsys, "sync", "--once")[0] == 0
        code, out, _ = cli(capsys, "queue", "--json")
        assert all(c["sla_state"] is None for c in json.loads(out))
        code, out, _ = cli(capsys, "show", str(anna["id"]), "--json")
        detail = json.loads(out)
        directions = [m["direction"] for m in detail["messages"]]
        assert directions == ["inbound", "inbound", "outbound"]
        code, out, _ = cli(capsys, "log", "--json")
        log = json.loads(out)
        assert len(log) == 3 and all(r["sla_met"] for r in log)
        code, out, _ = cli(capsys, "accounts", "list", "--json")
        assert json.loads(out)[0]["status"] == "ok"
        assert acc.token not in out


def test_expired_token_marks_needs_auth_and_others_go_on(
    tmp_path: object, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    from smm_desk.sim.world import Fault

    monkeypatch.setenv("SMM_DESK_DB", f"sqlite:///{tmp_path}/desk.db")
    with simulated_workspace(NETWORKS) as ws:
        for key, value in ws.env().items():
            monkeypatch.setenv(key, value)
        for network in NETWORKS:
            assert cli(capsys, *ws.cli_args(network))[0] == 0
        cli(capsys, "sync", "--once")
        m = ws.accounts["mastodon"]
        m.handler.inject_dm(m.token, "9", "Bob", "hi", None)
        ws.world.inject(Fault("vk", "auth", times=100))
        code, out, err = cli(capsys, "sync", "--once")
        assert code == 0
        code, out, _ = cli(capsys, "accounts", "list", "--json")
        statuses = {a["network"]: a["status"] for a in json.loads(out)}
        assert statuses == {"telegram": "ok", "vk": "needs_auth", "mastodon": "ok"}
        assert len(json.loads(cli(capsys, "queue", "--json")[1])) == 1
        assert ws.accounts["vk"].token not in out + err
