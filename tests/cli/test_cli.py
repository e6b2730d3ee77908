"""The command line against SQLite and PostgreSQL: every verb, JSON shapes,
one-line errors, and the token that must never leave the keyring."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from smm_desk import __version__
from smm_desk.cli.main import main
from smm_desk.store.api import Store
from tests.support.factories import inbound
from tests.support.memory_keyring import MemoryKeyring

TOKEN = "123456:AAE-planted-secret-token-zz9"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SMM_DESK_DB", db_url)
    monkeypatch.setenv("SMM_DESK_AGENT", "kim")

    def call(*argv: str) -> tuple[int, str, str]:
        return run(capsys, *argv)

    return call


def seed_case(db_url: str, minutes_ago: float = 3, text: str = "=HYPERLINK(\"x\") refund") -> int:
    store = Store.open(db_url)
    store.save_rules([])  # the triage flow below routes by hand
    try:
        account = store.accounts()[0]
        written = datetime.now(UTC) - timedelta(minutes=minutes_ago)
        store.ingest(account.id, "u", [inbound("m1", written, text, author="Anna")], "1")
        return store.queue()[0].id
    finally:
        store.close()


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"smm-desk {__version__}"


def test_python_dash_m_and_console_script(tmp_path: Path) -> None:
    env = {**os.environ, "SMM_DESK_DATA_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "smm_desk", "--version"],
                         capture_output=True, text=True, env=env, check=True)
    assert out.stdout.startswith("smm-desk ")
    script = Path(sys.executable).with_name("smm-desk")
    if script.exists():
        out = subprocess.run([str(script), "queue", "--json"], capture_output=True, text=True,
                             env=env, check=True)
        assert json.loads(out.stdout) == []


def test_accounts_round_trip_keeps_token_only_in_keyring(
    cli, db_url: str, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("TG_TOKEN", TOKEN)
    code, out, err = cli("accounts", "add", "telegram", "--name", "@shop_bot",
                         "--base-url", "http://127.0.0.1:8081/", "--option", "stream=all",
                         "--token-env", "TG_TOKEN")
    assert (code, err) == (0, "")
    account_id = int(out)
    assert memory_keyring.get_password("smm-desk", f"account:{account_id}") == TOKEN
    code, out, _ = cli("accounts", "list", "--json")
    (row,) = json.loads(out)
    assert row["network"] == "telegram" and row["base_url"] == "http://127.0.0.1:8081"
    assert row["options"] == {"stream": "all"} and row["status"] == "ok"
    assert TOKEN not in out
    code, out, _ = cli("accounts", "list")
    assert "@shop_bot" in out and TOKEN not in out
    if db_url.startswith("sqlite"):
        data = Path(db_url.removeprefix("sqlite:///")).read_bytes()
        wal = Path(db_url.removeprefix("sqlite:///") + "-wal")
        data += wal.read_bytes() if wal.exists() else b""
        assert TOKEN.encode() not in data
    code, out, _ = cli("accounts", "remove", str(account_id))
    assert code == 0
    assert memory_keyring.get_password("smm-desk", f"account:{account_id}") is None
    code, out, _ = cli("accounts", "list", "--json")
    assert json.loads(out) == []


def test_token_from_stdin(cli, monkeypatch: pytest.MonkeyPatch,
                          memory_keyring: MemoryKeyring) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(TOKEN + "\n"))
    code, out, _ = cli("accounts", "add", "mastodon", "--name", "@brand@example.social",
                       "--base-url", "https://example.social", "--token-stdin")
    assert code == 0
    assert memory_keyring.get_password("smm-desk", f"account:{int(out)}") == TOKEN


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("accounts", "add", "vk", "--name", "club1", "--token-env", "NOPE_UNSET"),
         "missing token: environment variable NOPE_UNSET is not set"),
        (("accounts", "add", "vk", "--name", "club1", "--base-url", "ftp://x",
          "--token-env", "TG_TOKEN"), "bad --base-url"),
        (("accounts", "add", "vk", "--name", "club1", "--option", "novalue",
          "--token-env", "TG_TOKEN"), "--option wants KEY=VALUE"),
        (("route", "999", "Billing"), "no case 999"),
        (("show", "999"), "no case 999"),
        (("resolve", "42"), "no case 42"),
        (("reply", "7", "--text", "hi"), "no case 7"),
        (("accounts", "remove", "5"), "no account 5"),
        (("queue", "--department", "Nope"), "no department 'Nope'"),
    ],
)
def test_errors_are_one_line_without_traceback(
    cli, argv: tuple[str, ...], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TG_TOKEN", TOKEN)
    code, out, err = cli(*argv)
    assert code == 1
    assert err.startswith("smm-desk: error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err and TOKEN not in err


def test_bad_db_url_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--db", "mysql://u:pw@h/x", "queue")
    assert code == 1 and "unsupported database" in err and "pw" not in err
    assert err.count("\n") == 1


def test_unreachable_postgres_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--db", "postgresql://u:hunter2@127.0.0.1:1/x", "queue")
    assert code == 1 and "cannot use database" in err and "hunter2" not in err
    assert err.count("\n") == 1


def test_empty_queue_and_full_triage_flow(cli, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = cli("queue", "--json")
    assert (code, json.loads(out)) == (0, [])
    monkeypatch.setenv("TG_TOKEN", TOKEN)
    cli("accounts", "add", "telegram", "--name", "@shop_bot", "--token-env", "TG_TOKEN")
    case_id = seed_case(db_url, minutes_ago=3)

    code, out, _ = cli("queue", "--json")
    (row,) = json.loads(out)
    assert set(row) == {"id", "network", "account", "status", "department", "priority",
                        "assignee", "customer", "last_inbound_text", "waiting_since",
                        "response_due_at", "sla_state"}
    assert row["id"] == case_id and row["network"] == "telegram" and row["sla_state"] == "ok"
    assert row["account"] == "@shop_bot" and row["customer"] == "Anna"
    waiting = datetime.fromisoformat(row["waiting_since"])
    due = datetime.fromisoformat(row["response_due_at"])
    assert waiting.utcoffset() == timedelta(0) and due - waiting == timedelta(minutes=10)

    assert cli("route", str(case_id), "billing")[1].strip() == f"case {case_id} routed to Billing"
    assert cli("assign", str(case_id), "lee")[0] == 0
    code, out, _ = cli("reply", str(case_id), "--text", "Refund is on its way", "--agent", "lee")
    reply_id = out.strip()
    assert code == 0 and len(reply_id) == 36

    code, out, _ = cli("queue", "--json", "--department", "Billing")
    (row,) = json.loads(out)
    assert (row["department"], row["assignee"], row["status"]) == ("Billing", "lee", "open")
    code, out, _ = cli("queue", "--json", "--status", "resolved")
    assert json.loads(out) == []

    code, out, _ = cli("log", "--csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 1
    assert rows[0]["reply_id"] == reply_id and rows[0]["state"] == "queued"
    assert rows[0]["agent"] == "lee" and rows[0]["department"] == "Billing"
    assert rows[0]["delivered_at"] == "" and rows[0]["network"] == "telegram"
    code, out, _ = cli("log", "--json")
    assert json.loads(out)[0]["composed_at"].endswith("+00:00")

    code, out, _ = cli("show", str(case_id), "--json")
    detail = json.loads(out)
    assert [e["kind"] for e in detail["events"]] == [
        "ingested", "routed", "status_changed", "assigned", "reply_queued"]
    assert detail["replies"][0]["id"] == reply_id
    code, out, _ = cli("show", str(case_id))
    assert "Anna" in out and "routed" in out

    assert cli("resolve", str(case_id))[0] == 0
    code, out, _ = cli("queue", "--json")
    assert json.loads(out) == []
    code, out, _ = cli("queue")
    assert out.strip() == "The queue is empty."


def test_csv_log_defuses_spreadsheet_formulas(cli, db_url: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TG_TOKEN", TOKEN)
    cli("accounts", "add", "telegram", "--name", "@shop_bot", "--token-env", "TG_TOKEN")
    store = Store.open(db_url)
    account = store.accounts()[0]
    store.ingest(account.id, "u", [inbound("m1", datetime.now(UTC), "hi",
                                           author="=cmd|' /C calc'!A0")], None)
    case_id = store.queue()[0].id
    store.close()
    cli("reply", str(case_id), "--text", "hello")
    _, out, _ = cli("log", "--csv")
    row = next(csv.DictReader(io.StringIO(out)))
    assert row["customer"].startswith("'=")


def test_departments(cli) -> None:
    code, out, _ = cli("departments", "add", "Legal", "--first-response", "30")
    assert code == 0
    code, out, _ = cli("departments", "list", "--json")
    rows = {d["name"]: d for d in json.loads(out)}
    assert rows["Legal"]["first_response_s"] == 1800
    assert {"Support", "Billing", "Tech", "Sales", "PR/Crisis"} <= set(rows)
    code, _, err = cli("departments", "add", "Legal")
    assert code == 1 and "already exists" in err
    code, _, err = cli("departments", "add", "X", "--first-response", "-5")
    assert code == 1 and "positive" in err


def test_the_cli_imports_no_network_code_until_a_command_needs_it() -> None:
    """``smm-desk`` with no command (the app) builds the whole parser: building it
    must not import the connectors, httpx, the sync engine or smtplib."""
    import subprocess
    import sys

    code = ("import sys; from smm_desk.cli.main import build_parser; build_parser(); "
            "print(','.join(m for m in ('httpx', 'smtplib', 'keyring', 'webbrowser', "
            "'smm_desk.connectors.base', 'smm_desk.sync.engine', 'smm_desk.sync.handoff') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.strip() == ""


def test_the_sign_in_wait_default_is_oauth_flows() -> None:
    from smm_desk.cli.account_commands import SIGN_IN_TIMEOUT_S
    from smm_desk.connectors.oauth_flow import DEFAULT_TIMEOUT_S

    assert SIGN_IN_TIMEOUT_S == DEFAULT_TIMEOUT_S
