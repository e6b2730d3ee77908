"""A planted secret appears nowhere but the keyring.

Distinctive tokens are planted for three accounts (Telegram: the token sits in
every URL path; VK: in every form body; Mastodon: in the Authorization header),
plus a refresh token and a client secret. Then the desk is driven through the
real command line against the loopback simulator, with faults that make
errors and log lines — and upstream error pages that *echo the token back*,
as a misconfigured proxy does: an auth failure, a 502 and a 500 naming the
token, a malformed body, a refused reply whose error text names the token. The
file log runs at DEBUG, so every request URL is logged. Then every report and
export, an unexpected CLI error carrying the token, and the GUI's crash hook
with an exception carrying the token.

Afterwards the token (and its URL-encoded forms) is searched for in every file
the desk wrote — log files, the SQLite database and its WAL (kept alive by an
open reader, so it is not checkpointed away), the CSV/JSON outputs, the XLSX
export (unzipped) — in everything printed on stdout and stderr, and in the
crash dialog's text. It must be found only in the keyring backend. Positive
controls make sure the search can fail: the logs hold masked lines ("***")
where the secrets were, and the keyring holds every planted value.
"""

from __future__ import annotations

import json
import sqlite3
import urllib.parse
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from smm_desk.app import logs
from smm_desk.app.crash import CrashHandler
from smm_desk.cli import main as cli_main
from smm_desk.secrets import set_secret
from smm_desk.sim import catalog
from smm_desk.sim.transport import SimServer
from smm_desk.sim.world import Fault, SimWorld
from smm_desk.ui.crash_dialog import CONTINUE, DRAFT_KEPT, CrashDialog, CrashInfo
from tests.support.memory_keyring import MemoryKeyring

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
    pytest.mark.qt_no_exception_capture,
]

NETWORKS = ("telegram", "vk", "mastodon")
TOKENS = {
    "telegram": "7000777:AAE-PLANTED_tg-c0ffee4d1e5e7a11",
    "vk": "vk1.a.PLANTED-vk-c0ffee4d1e5e7a22",
    "mastodon": "PLANTED-md-c0ffee4d1e5e7a33",
}
REFRESH_TOKEN = "PLANTED-refresh-c0ffee4d1e5e7a44"
CLIENT_SECRET = "PLANTED-client/secret=c0ffee4d1e5e7a55"
PLANTED = (*TOKENS.values(), REFRESH_TOKEN, CLIENT_SECRET)


def forms(secret: str) -> set[bytes]:
    """The secret as text and URL-encoded, in the encodings a file may hold."""
    texts = {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)}
    return {t.encode(enc) for t in texts for enc in ("utf-8", "utf-16-le")}


def leaks(blob: bytes) -> list[str]:
    return [secret for secret in PLANTED if any(f in blob for f in forms(secret))]


class Desk:
    """The command line in this process, with everything it printed kept."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys
        self.printed: list[str] = []

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        code = cli_main.main(list(argv))
        out, err = self.capsys.readouterr()
        self.printed += [out, err]
        return code, out, err


@pytest.fixture
def world() -> Iterator[tuple[SimWorld, dict[str, object], str]]:
    sim = SimWorld(max_poll_wait=1.0)
    handlers = {n: catalog.build(sim, n, token=TOKENS[n]) for n in NETWORKS}
    with SimServer(sim) as server:
        yield sim, handlers, server.url


def test_a_planted_secret_appears_nowhere_but_the_keyring(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    qtbot: QtBot, memory_keyring: MemoryKeyring,
    world: tuple[SimWorld, dict[str, object], str],
) -> None:
    sim, handlers, url = world
    db = tmp_path / "desk.db"
    monkeypatch.setenv("SMM_DESK_DB", f"sqlite:///{db}")
    monkeypatch.setenv("SMM_DESK_AGENT", "kim")
    monkeypatch.setenv("SMM_DESK_LOG_LEVEL", "DEBUG")  # every request URL goes to the log
    monkeypatch.delenv("SMM_DESK_LOG_DIR", raising=False)
    desk = Desk(capsys)

    # -- plant ----------------------------------------------------------------------------
    ids: dict[str, int] = {}
    for network in NETWORKS:
        monkeypatch.setenv(f"PLANTED_{network.upper()}", TOKENS[network])
        args = ["accounts", "add", network, "--name", catalog.SPECS[network].name,
                "--base-url", url, "--token-env", f"PLANTED_{network.upper()}"]
        for key, value in catalog.account_options(handlers[network], TOKENS[network]).items():
            args += ["--option", f"{key}={value}"]
        code, out, err = desk(*args)
        assert code == 0, err
        ids[network] = int(out)
    set_secret(ids["mastodon"], "refresh_token", REFRESH_TOKEN)
    set_secret(ids["mastodon"], "client_secret", CLIENT_SECRET)
    # An open reader keeps the WAL file alive, with every write in it, to be searched.
    keeper = sqlite3.connect(db)
    keeper.execute("SELECT count(*) FROM accounts").fetchone()

    # -- sync with faults that produce errors and log lines ------------------------------------
    assert desk("sync", "--once")[0] == 0  # the starting positions
    written = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=2)
    for n, (network, handler) in enumerate(handlers.items()):
        token = TOKENS[network]
        handler.inject_dm(token, f"50{n}", f"Customer {n}", f"Where is order {n}?",  # type: ignore[attr-defined]
                          written)
    tg, vk, md = (TOKENS[n] for n in NETWORKS)
    sim.inject(Fault("telegram", "status", status=502, body={
        "ok": False, "error_code": 502,
        "description": f"Bad Gateway: upstream https://api.telegram.org/bot{tg}/getUpdates"}))
    sim.inject(Fault("vk", "auth", times=100))
    sim.inject(Fault("mastodon", "status", status=500,
                     body={"error": f"internal error while checking Bearer {md}"}))
    code, out, err = desk("sync", "--once", "-v")
    assert code == 0, err
    sim.inject(Fault("mastodon", "malformed"))
    assert desk("sync", "--once", "-v")[0] == 0
    assert desk("sync", "--once", "-v")[0] == 0

    code, out, _ = desk("accounts", "list", "--json")
    statuses = {a["network"]: a["status"] for a in json.loads(out)}
    assert statuses["vk"] == "needs_auth"
    code, out, _ = desk("queue", "--json")
    cases = json.loads(out)
    assert {c["network"] for c in cases} >= {"telegram", "mastodon"}

    # A reply refused with an error text that names the token, one that goes.
    for case in cases:
        assert desk("reply", str(case["id"]), "--text", f"Hi {case['customer']}")[0] == 0
    sim.inject(Fault("telegram", "status", match="sendMessage", status=400, body={
        "ok": False, "error_code": 400,
        "description": f"Bad Request: chat not found for bot{tg} ({urllib.parse.quote(tg)})"}))
    desk("outbox", "flush")
    desk("sync", "--once", "-v")

    # -- every report and export -----------------------------------------------------------
    xlsx = tmp_path / "log.xlsx"
    for argv in (("report",), ("report", "--json"), ("log",), ("log", "--csv"),
                 ("log", "--json"), ("log", "--xlsx", str(xlsx)), ("outbox",),
                 ("outbox", "--json"), ("accounts", "list"), ("accounts", "list", "--json"),
                 ("queue",), ("queue", "--json"), *(("show", str(c["id"]), "--json")
                                                    for c in cases)):
        code, _out, err = desk(*argv)
        assert code == 0, (argv, err)
    code, out, _ = desk("outbox", "--json")
    errors = [r["error"] for r in json.loads(out) if r["error"]]
    assert any("***" in e for e in errors)  # the refusal is kept, masked

    # -- an unexpected CLI error carrying the token ------------------------------------------
    def broken(_store: object, _args: object) -> int:
        raise RuntimeError(f"bug: header Authorization: Bearer {md}")

    monkeypatch.setitem(cli_main.COMMANDS, "queue", broken)
    code, _out, err = desk("queue")
    assert code == 1 and "unexpected RuntimeError; details in" in err
    monkeypatch.setenv("SMM_DESK_DEBUG", "1")
    code, _out, err = desk("queue")
    assert code == 1 and "Bearer ***" in err  # the traceback is printed, masked

    # -- the GUI's crash hook ----------------------------------------------------------------
    dialog_text: list[str] = []

    def dialog(crash: CrashInfo, parent: QWidget | None) -> str:
        shown = CrashDialog(crash, parent)
        qtbot.addWidget(shown)
        shown.details_button.click()  # everything, the traceback included
        dialog_text.append(shown.text())
        return CONTINUE

    with logs.logging_to(tmp_path / "logs", "desk"):
        handler = CrashHandler(window=None, flush_drafts=lambda: (DRAFT_KEPT, ""),
                               quit_app=lambda: None, dialog=dialog)
        handler.install()
        try:
            def leaky_slot() -> None:
                refresh, secret = REFRESH_TOKEN, CLIENT_SECRET
                raise ValueError(f"refresh failed: {refresh} / {secret} / {tg}")

            with qtbot.waitSignal(handler.handled, timeout=3000):
                QTimer.singleShot(0, leaky_slot)
        finally:
            handler.uninstall()
    assert dialog_text and "refresh failed: *** / *** / ***" in dialog_text[0]

    # -- search ----------------------------------------------------------------------------
    wal = Path(f"{db}-wal")
    assert wal.is_file() and wal.stat().st_size > 0
    files = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    log_files = [p for p in files if ".log" in p.name]
    assert {p.name for p in log_files} >= {"cli.log", "desk.log"}
    found: dict[str, list[str]] = {}
    for path in files:
        blobs = [path.read_bytes()]
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                blobs += [book.read(name) for name in book.namelist()]
        for blob in blobs:
            if hit := leaks(blob):
                found[str(path.relative_to(tmp_path))] = hit
    for n, text in enumerate([*desk.printed, *dialog_text]):
        if hit := leaks(text.encode()):
            found[f"printed #{n}"] = hit
    keeper.close()
    assert found == {}

    # -- positive controls: the search can fail -------------------------------------------------
    everything_logged = "".join(p.read_text(encoding="utf-8") for p in log_files)
    assert everything_logged.count("***") >= 5  # secrets reached the log path and were masked
    assert "/bot***/getUpdates" in everything_logged  # a DEBUG request line, masked
    assert "refresh failed: *** / *** / ***" in everything_logged  # the crash, logged
    assert "Bearer ***" in everything_logged  # the unexpected CLI error's traceback
    in_keyring = set(memory_keyring.entries.values())
    assert set(PLANTED) <= in_keyring
    assert sorted(leaks("\n".join(in_keyring).encode())) == sorted(PLANTED)
