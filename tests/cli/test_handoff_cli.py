"""``departments handoff``, ``handoff``, ``handoffs`` and ``note`` on the command
line: targets without secrets in the database, the secret in the keyring,
waiting_department and the department's answer, a webhook delivered by
``outbox flush`` to a loopback receiver."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from smm_desk.cli.main import main
from smm_desk.store.api import Store
from tests.support.factories import inbound
from tests.support.memory_keyring import MemoryKeyring

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("SMM_DESK_DB", db_url)
    monkeypatch.setenv("SMM_DESK_AGENT", "kim")

    def call(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return call


def seed_case(db_url: str) -> int:
    store = Store.open(db_url)
    try:
        account = store.add_account("telegram", "@shop_bot")
        written = datetime.now(UTC) - timedelta(minutes=3)
        store.ingest(account.id, "u", [inbound("m1", written, "refund please", author="Anna")],
                     "1")
        return store.queue()[0].id
    finally:
        store.close()


def test_email_target_keeps_the_password_in_the_keyring_only(
    cli: Cli, db_url: str, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SMTP_PW", "pw-planted-secret-77")
    code, out, err = cli("departments", "handoff", "Billing", "--email", "billing@example.test",
                         "--smtp-host", "smtp.example.test", "--smtp-user", "desk@example.test",
                         "--password-env", "SMTP_PW", "--tls")
    assert code == 0, err
    assert "email to billing@example.test via smtp.example.test:465 (tls)" in out
    assert memory_keyring.get_password("smm-desk", "department:2:smtp") == "pw-planted-secret-77"
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT handoff FROM departments WHERE name = 'Billing'"))
        raw = str(stored.scalar())
    engine.dispose()
    assert "pw-planted" not in raw and "smtp.example.test" in raw

    code, out, _ = cli("departments", "handoff", "Billing", "--json")
    target = json.loads(out)["target"]
    assert target["from"] == "desk@example.test" and target["smtp_port"] == 465

    code, out, _ = cli("departments", "handoff", "Billing", "--clear")
    assert code == 0 and memory_keyring.get_password("smm-desk", "department:2:smtp") is None
    # The plain ``departments`` verbs are untouched.
    assert cli("departments", "list")[0] == 0


def test_target_errors_are_one_line(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = cli("departments", "handoff", "Nope", "--webhook", "https://x.test/h")
    assert code == 1 and "no department 'Nope'" in err
    code, _, err = cli("departments", "handoff", "Billing", "--email", "a@b.test")
    assert code == 1 and "--smtp-host" in err
    monkeypatch.setenv("PW", "x")
    code, _, err = cli("departments", "handoff", "Billing", "--email", "a@b.test",
                       "--smtp-host", "mail.example.test", "--smtp-user", "u",
                       "--password-env", "PW", "--plain")
    assert code == 1 and "unencrypted" in err
    code, _, err = cli("departments", "handoff", "Billing", "--webhook", "ftp://x")
    assert code == 1 and "bad webhook URL" in err
    code, _, err = cli("departments", "handoff", "Billing", "--webhook", "https://x.test/h",
                       "--secret-env", "UNSET_VAR_FOR_TEST")
    assert code == 1 and "UNSET_VAR_FOR_TEST" in err


class _Receiver(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.received.append({"key": self.headers.get("Idempotency-Key"),
                              "signature": self.headers.get("X-SMM-Desk-Signature"),
                              "doc": json.loads(body)})
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[list[dict[str, Any]], str]]:
    handler = type("R", (_Receiver,), {"received": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield handler.received, f"http://127.0.0.1:{server.server_address[1]}/in"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_handoff_note_flow_through_a_webhook(
    cli: Cli, db_url: str, monkeypatch: pytest.MonkeyPatch,
    receiver: tuple[list[dict[str, Any]], str],
) -> None:
    received, url = receiver
    monkeypatch.setenv("HOOK_SECRET", "hook-secret")
    case_id = seed_case(db_url)
    assert cli("departments", "handoff", "Billing", "--webhook", url,
               "--secret-env", "HOOK_SECRET")[0] == 0

    code, out, err = cli("handoff", str(case_id), "--department", "Billing",
                         "--note", "Charged twice")
    assert code == 0, err
    handoff_id = out.strip()
    code, out, _ = cli("queue", "--json")
    [case] = json.loads(out)
    assert case["status"] == "waiting_department" and case["department"] == "Billing"

    code, out, _ = cli("outbox", "flush")
    assert code == 0 and out.startswith("delivered 1")
    [hit] = received
    assert hit["key"] == handoff_id and hit["signature"].startswith("sha256=")
    assert hit["doc"]["summary"] == "Charged twice"

    code, out, _ = cli("handoffs", "--json")
    [row] = json.loads(out)
    assert row["state"] == "sent" and row["clock"] == "ok" and row["answered_at"] is None

    code, out, err = cli("note", str(case_id), "--text", "Refunded today", "--from-department")
    assert code == 0, err
    assert "note from Billing" in out and "status open" in out
    code, out, _ = cli("show", str(case_id), "--json")
    detail = json.loads(out)
    assert detail["case"]["status"] == "open"
    notes = [e for e in detail["events"] if e["kind"] == "note"]
    assert notes[-1]["data"]["text"] == "Refunded today" and notes[-1]["actor"] == "Billing"
    assert [e["kind"] for e in detail["events"]].count("handoff_sent") == 1
    assert cli("handoffs", "--open")[1].strip() == "No handoffs."

    code, out, _ = cli("note", str(case_id), "--text", "Customer is a VIP")
    assert code == 0 and "note recorded" in out


def test_handoff_without_target_fails_cleanly(cli: Cli, db_url: str) -> None:
    case_id = seed_case(db_url)
    code, _, err = cli("handoff", str(case_id), "--department", "Tech")
    assert code == 1 and "no handoff target" in err
    code, _, err = cli("handoff", "99999", "--department", "Tech")
    assert code == 1 and "no case 99999" in err
