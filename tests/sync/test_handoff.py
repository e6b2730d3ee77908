"""Handoffs end to end against a real SMTP server (aiosmtpd on loopback) and a
loopback webhook receiver: delivery, retries, a crash between persisting and
sending (settled by resending under the same dedupe key), waiting_department
with the department's own clock, and the department's answer as a note."""

from __future__ import annotations

import asyncio
import email
import email.policy
import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from smm_desk.domain.records import AccountStatus
from smm_desk.store.api import Store
from smm_desk.store.database import Database
from smm_desk.store.handoffs import EmailTarget, WebhookTarget
from smm_desk.sync.engine import SyncEngine
from smm_desk.sync.handoff import (
    SIGNATURE_HEADER,
    HandoffDelivery,
    message_id,
    set_department_secret,
)
from tests.conftest import FakeClock
from tests.support.factories import inbound

# -- a real SMTP server -----------------------------------------------------------------------


class Mailbox:
    """An aiosmtpd handler that keeps what it accepts; ``answers`` scripts the
    reply to the next DATA commands (e.g. a 451 before accepting)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.answers: list[str] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            if self.answers:
                return self.answers.pop(0)
            parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
            assert isinstance(parsed, EmailMessage)
            self.messages.append(parsed)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


def free_port() -> int:
    """A loopback port nobody listens on (aiosmtpd's Controller needs a number)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


# -- a webhook receiver that dedupes like a real one ---------------------------------------------


class Receiver:
    def __init__(self) -> None:
        self.statuses: list[int] = []   # scripted answers before accepting
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.accepted: dict[str, dict[str, Any]] = {}  # by Idempotency-Key
        self.lock = threading.Lock()


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with receiver.lock:
                receiver.requests.append(({k: v for k, v in self.headers.items()}, body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                key = self.headers.get("Idempotency-Key", "")
                if status == 200 and key not in receiver.accepted:
                    receiver.accepted[key] = json.loads(body)
            answer = json.dumps({"ok": status == 200}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *_args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def webhook() -> Iterator[tuple[Receiver, str]]:
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver, f"http://127.0.0.1:{server.server_address[1]}/hooks/smm"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# -- the desk -------------------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Any, clock: FakeClock) -> Iterator[Store]:
    s = Store(Database.open(f"sqlite:///{tmp_path}/desk.db"), clock)
    yield s
    s.close()


def seed_case(store: Store, clock: FakeClock) -> int:
    account = store.add_account("telegram", "@shop_bot")
    # Paused: the handoff lane does not depend on the account's state.
    store.set_account_status(account.id, AccountStatus.PAUSED)
    store.ingest(account.id, "updates", [
        inbound("m1", clock.now - timedelta(minutes=3), "I was charged twice for order 77",
                author="Anna"),
        inbound("m2", clock.now - timedelta(minutes=2), "Please refund one of them\nthanks",
                author="Anna"),
    ], "c1")
    return store.queue()[0].id


def email_target(port: int) -> EmailTarget:
    return EmailTarget(to=("billing@example.test",), smtp_host="127.0.0.1", smtp_port=port,
                       sender="desk@example.test", security="plain")


def make_engine(store: Store) -> SyncEngine:
    engine = SyncEngine(store, tokens=lambda _i: "tok")
    engine.delivery.handoffs.smtp.timeout = 5
    engine.delivery.handoffs.webhook.timeout = 5
    return engine


def sync(store: Store) -> int:
    async def main() -> int:
        engine = make_engine(store)
        try:
            return (await engine.sync_once()).delivered
        finally:
            await engine.aclose()

    return asyncio.run(main())


# -- email ------------------------------------------------------------------------------------------


def test_email_handoff_is_a_real_message_with_summary_and_thread(
    store: Store, clock: FakeClock, smtp: tuple[Mailbox, int],
) -> None:
    box, port = smtp
    store.add_department("Escalations", first_response=timedelta(minutes=30))
    store.set_handoff_target("Escalations", email_target(port))
    case_id = seed_case(store, clock)
    handoff = store.queue_handoff(case_id, "Double charge, please refund one", "lee",
                                  department="Escalations")

    case = store.case(case_id).case
    assert case.status == "waiting_department" and case.department == "Escalations"
    # The department's own clock: its 30-minute first-response target, from now.
    assert handoff.due_at == clock.now + timedelta(minutes=30)
    assert handoff.clock_state(clock.now) == "ok"
    assert handoff.clock_state(clock.now + timedelta(minutes=25)) == "warning"
    assert handoff.state == "queued"

    clock.advance(seconds=5)
    assert sync(store) == 1
    [message] = box.messages
    assert message["Message-ID"] == message_id(handoff.id)
    assert message["Subject"] == f"[SMM Desk] Case #{case_id} — Anna — telegram"
    assert message["To"] == "billing@example.test"
    body = message.get_content()
    assert "Double charge, please refund one" in body
    assert "I was charged twice for order 77" in body and "    thanks" in body
    assert "@shop_bot" in body
    assert box.envelopes == [("desk@example.test", ["billing@example.test"])]

    sent = store.handoff(handoff.id)
    assert sent.state == "sent" and sent.external_id == message_id(handoff.id)
    assert sent.delivered_at == clock.now
    events = [e for e in store.case(case_id).events if e.kind == "handoff_sent"]
    assert len(events) == 1 and events[0].data["department"] == "Escalations"
    assert events[0].data["via"] == "email"
    # A handoff is not a reply: the customer's clock still runs, the reply log is empty.
    assert store.case(case_id).case.sla_target == "first_response"
    assert store.reply_log() == []
    assert sync(store) == 0 and len(box.messages) == 1


def test_smtp_451_is_retried_then_delivered_once(
    store: Store, clock: FakeClock, smtp: tuple[Mailbox, int],
) -> None:
    box, port = smtp
    store.set_handoff_target("Billing", email_target(port))
    case_id = seed_case(store, clock)
    handoff = store.queue_handoff(case_id, "refund", "lee", department="Billing")
    box.answers = ["451 4.3.0 Try again later", "452 4.3.1 Insufficient storage"]

    assert sync(store) == 0
    first = store.handoff(handoff.id)
    assert first.state == "queued" and "451" in first.error and first.attempts == 1
    assert sync(store) == 0
    assert sync(store) == 1
    assert len(box.messages) == 1 and store.handoff(handoff.id).state == "sent"
    assert store.handoff(handoff.id).attempts == 3


def test_smtp_5xx_fails_permanently_with_the_servers_words(
    store: Store, clock: FakeClock, smtp: tuple[Mailbox, int],
) -> None:
    box, port = smtp
    store.set_handoff_target("Billing", email_target(port))
    case_id = seed_case(store, clock)
    handoff = store.queue_handoff(case_id, "refund", "lee", department="Billing")
    box.answers = ["554 5.7.1 Message rejected as spam"]
    assert sync(store) == 0
    failed = store.handoff(handoff.id)
    assert failed.state == "failed" and "rejected as spam" in failed.error
    store.retry_reply(handoff.id)  # a person fixed it
    assert sync(store) == 1 and len(box.messages) == 1


def test_unreachable_smtp_server_is_transient(store: Store, clock: FakeClock) -> None:
    store.set_handoff_target("Billing", email_target(free_port()))
    case_id = seed_case(store, clock)
    handoff = store.queue_handoff(case_id, "refund", "lee", department="Billing")
    assert sync(store) == 0
    view = store.handoff(handoff.id)
    assert view.state == "queued" and "SMTP 127.0.0.1" in view.error


def test_smtp_login_password_comes_from_the_keyring(store: Store, clock: FakeClock) -> None:
    from aiosmtpd.smtp import AuthResult, LoginPassword

    logins: list[tuple[str, str]] = []

    def authenticator(_server: Any, _session: Any, _envelope: Any, _mechanism: str,
                      data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        logins.append((data.login.decode(), data.password.decode()))
        return AuthResult(success=data.password == b"hunter2-secret")

    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    try:
        target = EmailTarget(to=("billing@example.test",), smtp_host="127.0.0.1",
                             smtp_port=port, sender="desk@example.test", security="plain",
                             smtp_user="desk")
        dept = store.set_handoff_target("Billing", target)
        case_id = seed_case(store, clock)
        store.route(case_id, "Billing", "lee")
        handoff = store.queue_handoff(case_id, "refund", "lee")  # to the case's department
        # No password in the keyring: refused before any connection, for a person to fix.
        assert sync(store) == 0
        view = store.handoff(handoff.id)
        assert view.state == "failed" and "no SMTP password" in view.error and logins == []

        set_department_secret(dept.id, "smtp", "wrong-password")
        store.retry_reply(handoff.id)
        assert sync(store) == 0
        view = store.handoff(handoff.id)
        # aiosmtpd answers 535 and then hangs up on smtplib's next mechanism:
        # refused (failed) or cut off (queued again) — never sent, never the secret.
        assert view.state in ("failed", "queued") and box.messages == []
        assert "wrong-password" not in view.error

        set_department_secret(dept.id, "smtp", "hunter2-secret")
        if view.state == "failed":
            store.retry_reply(handoff.id)
        assert sync(store) == 1
        assert logins[-1] == ("desk", "hunter2-secret") and len(box.messages) == 1
    finally:
        controller.stop()


def test_crash_between_persist_and_send_resends_with_same_message_id(
    store: Store, clock: FakeClock, smtp: tuple[Mailbox, int],
) -> None:
    box, port = smtp
    store.set_handoff_target("Billing", email_target(port))
    case_id = seed_case(store, clock)
    handoff = store.queue_handoff(case_id, "refund", "lee", department="Billing")

    # The first process claimed it (committed as sending), the message left, and
    # the process died before recording the delivery.
    store.claim_reply(handoff.id)

    async def first_attempt_then_crash() -> None:
        engine = make_engine(store)
        try:
            job = store.handoff_job(handoff.id)
            await engine.delivery.handoffs._send(job)
        finally:
            await engine.aclose()

    asyncio.run(first_attempt_then_crash())
    assert store.handoff(handoff.id).state == "sending"

    assert sync(store) == 1  # settle -> resend with the same Message-ID -> sent
    assert store.handoff(handoff.id).state == "sent"
    assert 1 <= len(box.messages) <= 2
    assert {m["Message-ID"] for m in box.messages} == {message_id(handoff.id)}
    assert box.messages[0].as_bytes() == box.messages[-1].as_bytes()
    assert len([e for e in store.case(case_id).events if e.kind == "handoff_sent"]) == 1


def test_crash_before_anything_left_sends_once(
    store: Store, clock: FakeClock, smtp: tuple[Mailbox, int],
) -> None:
    box, port = smtp
    store.set_handoff_target("Billing", email_target(port))
    case_id = seed_case(store, clock)
    handoff = store.queue_handoff(case_id, "refund", "lee", department="Billing")
    store.claim_reply(handoff.id)  # crashed right after persisting as sending
    assert sync(store) == 1
    assert len(box.messages) == 1


# -- webhook ----------------------------------------------------------------------------------------


def test_webhook_503_then_200_is_delivered_once_signed(
    store: Store, clock: FakeClock, webhook: tuple[Receiver, str],
) -> None:
    receiver, url = webhook
    dept = store.set_handoff_target("Billing", WebhookTarget(url, signed=True))
    set_department_secret(dept.id, "webhook", "s3cret-key")
    case_id = seed_case(store, clock)
    handoff = store.queue_handoff(case_id, "Double charge", "lee", department="Billing")
    receiver.statuses = [503]

    assert sync(store) == 0
    assert store.handoff(handoff.id).state == "queued"
    assert sync(store) == 1
    assert store.handoff(handoff.id).state == "sent"
    assert len(receiver.requests) == 2 and list(receiver.accepted) == [handoff.id]

    headers, body = receiver.requests[-1]
    assert headers["Idempotency-Key"] == handoff.id
    expected = hmac.new(b"s3cret-key", body, hashlib.sha256).hexdigest()
    assert headers[SIGNATURE_HEADER] == f"sha256={expected}"
    doc = receiver.accepted[handoff.id]
    assert doc["summary"] == "Double charge" and doc["case_id"] == case_id
    assert doc["customer"]["name"] == "Anna" and doc["network"] == "telegram"
    assert doc["account"] == "@shop_bot"
    assert [t["text"] for t in doc["thread"]] == [
        "I was charged twice for order 77", "Please refund one of them\nthanks"]
    # Both attempts carried the same bytes: the signature stays valid on a resend.
    assert receiver.requests[0][1] == body


def test_webhook_4xx_is_permanent_but_408_and_429_retry(
    store: Store, clock: FakeClock, webhook: tuple[Receiver, str],
) -> None:
    receiver, url = webhook
    store.set_handoff_target("Billing", WebhookTarget(url))
    case_id = seed_case(store, clock)
    handoff = store.queue_handoff(case_id, "x", "lee", department="Billing")
    receiver.statuses = [408, 429, 422]
    assert sync(store) == 0 and store.handoff(handoff.id).state == "queued"
    assert sync(store) == 0 and store.handoff(handoff.id).state == "queued"
    assert sync(store) == 0 and store.handoff(handoff.id).state == "failed"
    assert SIGNATURE_HEADER not in receiver.requests[0][0]
    assert receiver.accepted == {}


def test_signed_webhook_without_secret_is_never_sent_unsigned(
    store: Store, clock: FakeClock, webhook: tuple[Receiver, str],
) -> None:
    receiver, url = webhook
    store.set_handoff_target("Billing", WebhookTarget(url, signed=True))
    case_id = seed_case(store, clock)
    handoff = store.queue_handoff(case_id, "x", "lee", department="Billing")
    assert sync(store) == 0
    assert store.handoff(handoff.id).state == "failed"
    assert receiver.requests == []


def test_webhook_crash_after_send_is_deduped_by_the_receiver(
    store: Store, clock: FakeClock, webhook: tuple[Receiver, str],
) -> None:
    receiver, url = webhook
    store.set_handoff_target("Billing", WebhookTarget(url))
    case_id = seed_case(store, clock)
    handoff = store.queue_handoff(case_id, "refund", "lee", department="Billing")
    store.claim_reply(handoff.id)

    async def first_attempt_then_crash() -> None:
        engine = make_engine(store)
        try:
            await engine.delivery.handoffs._send(store.handoff_job(handoff.id))
        finally:
            await engine.aclose()

    asyncio.run(first_attempt_then_crash())
    assert store.handoff(handoff.id).state == "sending"
    assert sync(store) == 1
    assert store.handoff(handoff.id).state == "sent"
    assert [h["Idempotency-Key"] for h, _ in receiver.requests] == [handoff.id, handoff.id]
    assert list(receiver.accepted) == [handoff.id]  # seen once


def test_handoff_delivery_does_not_need_the_network_account(
    store: Store, clock: FakeClock, webhook: tuple[Receiver, str],
) -> None:
    receiver, url = webhook
    store.set_handoff_target("Billing", WebhookTarget(url))
    case_id = seed_case(store, clock)
    store.set_account_status(store.accounts()[0].id, AccountStatus.NEEDS_AUTH)
    store.queue_handoff(case_id, "refund", "lee", department="Billing")
    assert sync(store) == 1 and len(receiver.accepted) == 1


# -- status and the department's answer -------------------------------------------------------------


def test_department_answer_is_a_note_and_reopens_the_case(
    store: Store, clock: FakeClock, webhook: tuple[Receiver, str],
) -> None:
    _receiver, url = webhook
    store.set_handoff_target("Billing", WebhookTarget(url))
    case_id = seed_case(store, clock)
    handoff = store.queue_handoff(case_id, "refund", "lee", department="Billing")
    assert store.handoffs(open_only=True)[0].id == handoff.id
    sync(store)
    clock.advance(minutes=12)
    assert store.handoff(handoff.id).clock_state(clock.now) == "breached"

    answered = store.record_department_answer(case_id, "Refunded 49.90 EUR today", "lee")
    assert answered is not None and answered.answered_at == clock.now
    assert answered.clock_state(clock.now) is None
    detail = store.case(case_id)
    assert detail.case.status == "open"
    note = [e for e in detail.events if e.kind == "note"][-1]
    assert note.actor == "Billing" and note.data["text"] == "Refunded 49.90 EUR today"
    assert note.data["from_department"] == "Billing" and note.data["recorded_by"] == "lee"
    assert store.handoffs(open_only=True) == []
    # The note is no message: the customer's clock and the reply target are untouched.
    assert [m.external_id for m in detail.messages] == ["m1", "m2"]


def test_handoff_needs_a_target(store: Store, clock: FakeClock) -> None:
    from smm_desk.store.errors import Conflict

    case_id = seed_case(store, clock)
    before = store.case(case_id).case.status
    with pytest.raises(Conflict, match="no handoff target"):
        store.queue_handoff(case_id, "x", "lee", department="Tech")
    assert store.case(case_id).case.status == before
    assert store.outbox_count() == 0


def test_handoff_delivery_is_built_per_engine(store: Store) -> None:
    engine = SyncEngine(store, tokens=lambda _i: None)
    assert isinstance(engine.delivery.handoffs, HandoffDelivery)
    asyncio.run(engine.aclose())
