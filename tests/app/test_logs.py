"""Log files (smm_desk.app.logs) and the secret registry (smm_desk.redaction):
where the files go, rotation at 1 MB × 5, owner-only files, subsystem names,
and masking of every secret the process knows — in messages, arguments,
tracebacks and stacks — including secrets fed by the keyring and by a
connector's HTTP client."""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from smm_desk import redaction
from smm_desk.app import logs
from smm_desk.cli.main import main
from smm_desk.connectors.http import HttpClient
from smm_desk.secrets import get_secret, set_secret
from smm_desk.store.database import default_data_dir


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    with logs.logging_to(tmp_path / "logs", "desk") as path:
        assert path is not None
        yield path


def read(path: Path) -> str:
    logs.flush()
    return path.read_text(encoding="utf-8")


def test_the_log_directory_follows_the_data(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SMM_DESK_LOG_DIR", raising=False)
    assert logs.log_dir(None, tmp_path / "data") == tmp_path / "data" / "logs"
    assert logs.log_dir(f"sqlite:///{tmp_path}/x/desk.db") == tmp_path / "x" / "logs"
    # A server database, or SQLite in memory: the user data directory.
    assert logs.log_dir("postgresql://desk@db.example/smm") == default_data_dir() / "logs"
    assert logs.log_dir("sqlite://") == default_data_dir() / "logs"
    monkeypatch.setenv("SMM_DESK_LOG_DIR", str(tmp_path / "elsewhere"))
    assert logs.log_dir(None, tmp_path / "data") == tmp_path / "elsewhere"


def test_subsystem_loggers_write_one_private_file(log_file: Path) -> None:
    for name in logs.SUBSYSTEMS:
        logging.getLogger(f"{name}.probe").info("hello from %s", name)
    logging.getLogger("smm_desk.connectors.telegram").warning("a warning")
    logging.getLogger("some.library").info("chatter")  # not ours: WARNING and up only
    text = read(log_file)
    for name in logs.SUBSYSTEMS:
        assert f"INFO    {name}.probe [MainThread] hello from {name}" in text
    assert "WARNING smm_desk.connectors.telegram" in text
    assert "chatter" not in text
    if os.name == "posix":
        assert stat.S_IMODE(log_file.stat().st_mode) == 0o600
    assert logs.current_file() == log_file


def test_the_file_rotates_at_a_megabyte_keeping_five(log_file: Path) -> None:
    log = logging.getLogger("smm_desk.sync")
    line = "x" * 1000
    for n in range(6000):  # ~6 MB
        log.info("%d %s", n, line)
    logs.flush()
    names = sorted(p.name for p in log_file.parent.iterdir())
    assert names == ["desk.log", "desk.log.1", "desk.log.2", "desk.log.3", "desk.log.4"]
    for path in log_file.parent.iterdir():
        assert path.stat().st_size <= logs.MAX_BYTES + 2000
    assert " 5999 " in log_file.read_text()  # the newest line is in the current file


def test_every_known_secret_is_masked_in_messages_arguments_and_tracebacks(
        log_file: Path) -> None:
    keyring_secret = "kr-secret-aa11bb22cc33"
    http_secret = "http/secret+dd44=ee55"
    set_secret(7, "refresh_token", keyring_secret)  # the keyring feeds the registry
    client = HttpClient("http://127.0.0.1:9")
    client.add_secret(http_secret)  # a token obtained mid-session
    log = logging.getLogger("smm_desk.connectors.x")
    log.warning("refresh with %s failed", keyring_secret)
    log.warning("url %s", f"/oauth?code={urllib.parse.quote_plus(http_secret)}")
    try:
        raise RuntimeError(f"token {http_secret} rejected")
    except RuntimeError:
        log.exception("request failed")
    log.info("where %s", keyring_secret, stack_info=True)
    text = read(log_file)
    assert keyring_secret not in text and http_secret not in text
    assert urllib.parse.quote_plus(http_secret) not in text
    assert "refresh with *** failed" in text and "url /oauth?code=***" in text
    assert "RuntimeError: token *** rejected" in text
    assert "Stack (most recent call last)" in text
    assert get_secret(7, "refresh_token") == keyring_secret  # the keyring still has it
    asyncio.run(client.aclose())


def test_expiry_times_and_short_values_are_not_treated_as_secrets(log_file: Path) -> None:
    set_secret(8, "token_expires_at", "2026-11-02T09:00:00+00:00")
    redaction.remember("abc")
    logging.getLogger("smm_desk.sync").warning("expires 2026-11-02T09:00:00+00:00; abc")
    assert "expires 2026-11-02T09:00:00+00:00; abc" in read(log_file)


def test_a_bad_format_string_still_leaves_a_line(log_file: Path) -> None:
    logging.getLogger("smm_desk.ui").warning("%d items", "not a number")
    assert "items" in read(log_file)


def test_configure_is_idempotent_and_shutdown_restores(tmp_path: Path) -> None:
    root, ours = logging.getLogger(), logging.getLogger("smm_desk")
    before = (root.level, ours.level, list(root.handlers))
    first = logs.configure(tmp_path / "a")
    assert logs.configure(tmp_path / "a") == first
    assert not (tmp_path / "a").exists()  # made at the first line, not before
    assert len(root.handlers) == len(before[2]) + 1
    moved = logs.configure(tmp_path / "b")  # another directory: the handler moves
    assert moved == tmp_path / "b" / "cli.log"
    assert len(root.handlers) == len(before[2]) + 1
    logs.shutdown()
    assert (root.level, ours.level, list(root.handlers)) == before
    assert logs.current_file() is None


def test_an_unusable_directory_means_no_log_file_not_a_failure(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data directory should be")
    assert logs.configure(blocker / "logs") is None
    assert logs.current_file() is None


def test_the_command_line_logs_and_names_the_file_on_an_unexpected_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from smm_desk.cli import main as cli_main

    def broken(_store: object, _args: object) -> int:
        raise ZeroDivisionError("the report divided by nothing")

    monkeypatch.setitem(cli_main.COMMANDS, "report", broken)
    monkeypatch.delenv("SMM_DESK_LOG_DIR")  # the data directory's own log folder
    code = main(["--data-dir", str(tmp_path), "report"])
    err = capsys.readouterr().err
    log_path = tmp_path / "logs" / "cli.log"
    assert code == 1
    assert err.strip() == (f"smm-desk: error: unexpected ZeroDivisionError; "
                           f"details in {log_path}")
    text = log_path.read_text()
    assert "ERROR   smm_desk.cli [MainThread] unexpected error in report" in text
    assert "ZeroDivisionError: the report divided by nothing" in text
    assert logs.current_file() is None  # closed at the end of main
