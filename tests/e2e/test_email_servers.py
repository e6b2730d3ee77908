"""The email connector against real servers: Dovecot (IMAP, LMTP delivery) started
by scripts/mail_throwaway.sh, and aiosmtpd as the submission server, relaying
what it accepts into Dovecot over LMTP — so a reply sent over SMTP really lands
in the customer's mailbox. Each test takes fresh mailboxes from the user pool
in Dovecot's passwd-file, so tests never see each other's mail."""

from __future__ import annotations

import asyncio
import fcntl
import imaplib
import json
import os
import smtplib
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from smm_desk.cli.main import main
from smm_desk.connectors.base import AccountConfig, OutgoingReply, ReplyTarget
from smm_desk.connectors.email import EmailConnector
from smm_desk.connectors.errors import AuthError
from smm_desk.domain.enums import Direction
from smm_desk.store.api import Store
from smm_desk.store.database import Database
from smm_desk.sync.delivery import outgoing


def free_port() -> int:
    """A loopback port nobody listens on (aiosmtpd's Controller needs a number)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _hostport(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    return host, int(port)


@dataclass
class Dovecot:
    env: dict[str, str]

    @property
    def domain(self) -> str:
        return self.env["SMM_DESK_TEST_MAIL_DOMAIN"]

    @property
    def password(self) -> str:
        return self.env["SMM_DESK_TEST_MAIL_PASSWORD"]

    def new_user(self, prefix: str) -> str:
        """An unused mailbox from the pool in the passwd-file; returns its address.

        A counter file next to it (under a lock) hands each one out once, also
        across pytest runs against the same server."""
        del prefix  # the pool's names are fixed: Dovecot only re-reads the file slowly
        pool = sorted(user for user in self.users() if user.startswith("box"))
        counter = os.path.join(os.path.dirname(self.env["SMM_DESK_TEST_MAIL_PASSWD"]),
                               "pool-next")
        with open(counter, "a+", encoding="ascii") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.seek(0)
            taken = int(handle.read().strip() or 0)
            handle.seek(0)
            handle.truncate()
            handle.write(str(taken + 1))
        if taken >= len(pool):
            pytest.fail("the Dovecot user pool is used up (SMM_DESK_TEST_MAIL_POOL)")
        return f"{pool[taken]}@{self.domain}"

    def users(self) -> dict[str, str]:
        with open(self.env["SMM_DESK_TEST_MAIL_PASSWD"], encoding="utf-8") as passwd:
            pairs = (line.split(":", 2)[:2] for line in passwd if ":" in line)
            return {user: secret.removeprefix("{PLAIN}") for user, secret in pairs}

    def deliver(self, to: str, raw: bytes, sender: str = "mta@elsewhere.test") -> None:
        """What an MTA does on arrival: LMTP into the mailbox."""
        with smtplib.LMTP(*_hostport(self.env["SMM_DESK_TEST_LMTP"])) as lmtp:
            lmtp.sendmail(sender, [to], raw)

    def imap(self, address: str) -> imaplib.IMAP4:
        conn = imaplib.IMAP4(*_hostport(self.env["SMM_DESK_TEST_IMAP"]), timeout=10)
        conn.login(address, self.password)
        return conn

    def options(self, address: str, smtp_port: int, **extra: str) -> dict[str, str]:
        host, port = _hostport(self.env["SMM_DESK_TEST_IMAP"])
        return {"imap_host": host, "imap_port": str(port), "imap_security": "none",
                "smtp_host": "127.0.0.1", "smtp_port": str(smtp_port), "smtp_security": "none",
                "username": address, "address": address, **extra}

    def connector(self, address: str, smtp_port: int = 9, password: str | None = None,
                  **extra: str) -> EmailConnector:
        return EmailConnector(AccountConfig(1, "email", address, None,
                                            self.options(address, smtp_port, **extra)),
                              password or self.password, timeout=10)


class Relay:
    """aiosmtpd handler: AUTH against Dovecot's passwd-file, then LMTP into Dovecot."""

    def __init__(self, dovecot: Dovecot) -> None:
        self.dovecot = dovecot
        self.accepted: list[bytes] = []
        self.lock = threading.Lock()

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                     auth_data: Any) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False)
        user = auth_data.login.decode().partition("@")[0]
        ok = self.dovecot.users().get(user) == auth_data.password.decode()
        return AuthResult(success=ok)

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str,  # noqa: N802
                          mail_options: list[str]) -> str:
        if not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        content = envelope.original_content or envelope.content
        try:
            await asyncio.to_thread(self._relay, envelope.mail_from, list(envelope.rcpt_tos),
                                    content)
        except smtplib.SMTPRecipientsRefused:
            return "550 5.1.1 No such user here"
        with self.lock:
            self.accepted.append(content)
        return "250 2.0.0 Ok: delivered"

    def _relay(self, sender: str, recipients: list[str], content: bytes) -> None:
        with smtplib.LMTP(*_hostport(self.dovecot.env["SMM_DESK_TEST_LMTP"])) as lmtp:
            lmtp.sendmail(sender, recipients, content)


@pytest.fixture
def dovecot(mail_server: dict[str, str]) -> Dovecot:
    return Dovecot(mail_server)


@pytest.fixture
def submission(dovecot: Dovecot) -> Iterator[tuple[Relay, int]]:
    relay = Relay(dovecot)
    port = free_port()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # AUTH without TLS: loopback only, on purpose
        controller = Controller(relay, hostname="127.0.0.1", port=port,
                                authenticator=relay.authenticate, auth_require_tls=False)
        controller.start()
    try:
        yield relay, port
    finally:
        controller.stop()


def customer_mail(sender: str, to: str, subject: str, text: str, *, message_id: str,
                  charset: str = "utf-8", parent: str | None = None,
                  references: str | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{message_id}>"
    msg["Date"] = "Mon, 02 Nov 2026 12:00:00 +0300"
    if parent:
        msg["In-Reply-To"] = f"<{parent}>"
    if references:
        msg["References"] = references
    msg.set_content(text, charset=charset)
    return msg.as_bytes()


def reply_to(message: Any, text: str, reply_id: str) -> OutgoingReply:
    return OutgoingReply(reply_id, text, ReplyTarget(
        message.thread_key, "dm", message.external_id, message.author_id, message.author_name,
        None, message.extra))


def wait_until(check: Any, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def test_fetch_resume_threads_and_charsets_from_dovecot(dovecot: Dovecot) -> None:
    support = dovecot.new_user("support")
    dovecot.deliver(support, customer_mail(
        "Иван <ivan@customer.test>", support, "Где заказ?", "Заказ 42 не пришёл",
        message_id="q1@customer.test", charset="koi8-r"))
    dovecot.deliver(support, customer_mail(
        "Иван <ivan@customer.test>", support, "Re: Где заказ?", "Алло?",
        message_id="q2@customer.test", parent="q1@customer.test",
        references="<q1@customer.test>", charset="cp1251"))

    async def go() -> None:
        conn = dovecot.connector(support)
        try:
            first = await conn.fetch("inbox", None, wait=0)
            assert [m.text for m in first.messages] == ["Заказ 42 не пришёл", "Алло?"]
            assert {m.thread_key for m in first.messages} == {"dm:q1@customer.test"}
            assert first.messages[0].author_name == "Иван"
            assert first.messages[0].extra["subject"] == "Где заказ?"
            arrived = first.messages[0].created_at
            assert abs(arrived - datetime.now(UTC)) < timedelta(minutes=5)  # INTERNALDATE
            again = await conn.fetch("inbox", first.cursor, wait=0)
            assert again.messages == [] and again.cursor is None
            dovecot.deliver(support, customer_mail(
                "lan@customer.test", support, "Hàng?", "Còn hàng không?",
                message_id="q3@customer.test"))
            later = await conn.fetch("inbox", first.cursor, wait=0)
            assert [m.external_id for m in later.messages] == ["q3@customer.test"]
            assert later.messages[0].thread_key == "dm:q3@customer.test"
        finally:
            await conn.aclose()
    asyncio.run(go())


def test_uidvalidity_change_rescans_without_duplicates(dovecot: Dovecot) -> None:
    support = dovecot.new_user("support")
    folder = "Support"
    imap = dovecot.imap(support)
    when = imaplib.Time2Internaldate(time.time())

    def fill(ids: list[str]) -> None:
        for mid in ids:
            raw = customer_mail("c@customer.test", support, "hi", f"text {mid}",
                                message_id=mid)
            assert imap.append(folder, None, when, raw)[0] == "OK"

    async def go() -> None:
        imap.create(folder)
        fill(["a@c.test", "b@c.test"])
        conn = dovecot.connector(support, folder=folder)
        try:
            first = await conn.fetch("inbox", None, wait=0)
            assert [m.external_id for m in first.messages] == ["a@c.test", "b@c.test"]
            # The folder is rebuilt: same mail, new UIDs under a new UIDVALIDITY.
            imap.delete(folder)
            imap.create(folder)
            fill(["a@c.test", "b@c.test", "c@c.test"])
            after = await conn.fetch("inbox", first.cursor, wait=0)
            assert [m.external_id for m in after.messages] == ["c@c.test"]
            old, new = json.loads(first.cursor or ""), json.loads(after.cursor or "")
            assert old["uidvalidity"] != new["uidvalidity"] and new["uid"] == 3
            assert (await conn.fetch("inbox", after.cursor, wait=0)).messages == []
        finally:
            await conn.aclose()
            imap.logout()
    asyncio.run(go())


def test_reply_over_smtp_lands_in_the_customers_mailbox_and_in_sent(
        dovecot: Dovecot, submission: tuple[Relay, int]) -> None:
    relay, port = submission
    support, customer = dovecot.new_user("support"), dovecot.new_user("customer")
    dovecot.deliver(support, customer_mail(
        f"Anna <{customer}>", support, "Parcel", "Where is my parcel?",
        message_id="p1@customer.test"))

    async def go() -> None:
        conn = dovecot.connector(support, port, from_name="Acme Support")
        try:
            [asked] = (await conn.fetch("inbox", None, wait=0)).messages
            sent_start = await conn.fetch("sent", None, wait=0)
            reply = reply_to(asked, "It left today.", "5d0c1f4e-reply")
            delivery = await conn.send(reply)
            # The customer really got it, with the threading headers.
            box = dovecot.imap(customer)
            try:
                box.select("INBOX")
                found = wait_until(lambda: box.uid("SEARCH", "ALL")[1][0].split())
                assert len(found) == 1
                raw = box.uid("FETCH", found[0], "(BODY.PEEK[])")[1][0][1]
            finally:
                box.logout()
            headers = raw.decode()
            assert f"Message-ID: <{delivery.external_id}>" in headers
            assert "In-Reply-To: <p1@customer.test>" in headers
            assert "References: <p1@customer.test>" in headers
            assert "Subject: Re: Parcel" in headers
            assert len(relay.accepted) == 1
            # A copy in Sent, read back as our OUTBOUND answer in the same thread.
            sent = await conn.fetch("sent", sent_start.cursor, wait=0)
            [own] = sent.messages
            assert own.external_id == delivery.external_id
            assert own.direction is Direction.OUTBOUND
            assert own.thread_key == asked.thread_key == "dm:p1@customer.test"
            # After a crash, a fresh connector finds it by Message-ID (SEARCH HEADER).
            fresh = dovecot.connector(support, port)
            found = await fresh.find_delivered(reply)
            assert found is not None and found.external_id == delivery.external_id
            assert await fresh.find_delivered(reply_to(asked, "x", "never-sent")) is None
            await fresh.aclose()
        finally:
            await conn.aclose()
    asyncio.run(go())


def test_uncertain_send_is_settled_from_the_sent_folder_not_resent(
    dovecot: Dovecot, submission: tuple[Relay, int], tmp_path: object,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    relay, port = submission
    support, customer = dovecot.new_user("support"), dovecot.new_user("customer")
    db = f"sqlite:///{tmp_path}/desk.db"
    monkeypatch.setenv("SMM_DESK_DB", db)
    monkeypatch.setenv("SMM_DESK_AGENT", "kim")
    monkeypatch.setenv("MAIL_PASSWORD", dovecot.password)
    options = [f"--option={k}={v}" for k, v in dovecot.options(support, port).items()]
    assert main(["accounts", "add", "email", "--name", support, "--token-env", "MAIL_PASSWORD",
                 *options]) == 0
    dovecot.deliver(support, customer_mail(customer, support, "Refund", "Refund please",
                                           message_id="r1@customer.test"))
    assert main(["sync", "--once"]) == 0
    capsys.readouterr()
    assert main(["queue", "--json"]) == 0
    [case] = json.loads(capsys.readouterr().out)
    assert main(["reply", str(case["id"]), "--text", "Refunded."]) == 0
    reply_id = capsys.readouterr().out.strip()

    # The process sent it, then died before it could record the outcome.
    database = Database.open(db)
    store = Store(database)
    store.claim_reply(reply_id)
    view = store.reply_target(reply_id)
    database.close()

    async def send_then_crash() -> None:
        conn = dovecot.connector(support, port)
        await conn.send(outgoing(view))
        await conn.aclose()
    asyncio.run(send_then_crash())
    assert len(relay.accepted) == 1

    assert main(["sync", "--once"]) == 0  # settles: its copy is in Sent; no resend
    capsys.readouterr()
    assert main(["outbox", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["log", "--json"]) == 0
    [logged] = json.loads(capsys.readouterr().out)
    assert (logged["reply_id"], logged["state"]) == (reply_id, "sent")
    assert len(relay.accepted) == 1
    assert main(["outbox", "flush"]) == 0
    assert len(relay.accepted) == 1


def test_refused_password_is_an_auth_error_and_needs_auth(
    dovecot: Dovecot, submission: tuple[Relay, int], tmp_path: object,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, port = submission
    support = dovecot.new_user("support")

    async def go() -> None:
        conn = dovecot.connector(support, port, password="wrong-password-123")
        with pytest.raises(AuthError) as caught:
            await conn.fetch("inbox", None, wait=0)
        assert "wrong-password-123" not in str(caught.value)
        await conn.aclose()
    asyncio.run(go())

    monkeypatch.setenv("SMM_DESK_DB", f"sqlite:///{tmp_path}/desk.db")
    monkeypatch.setenv("MAIL_PASSWORD", "wrong-password-123")
    options = [f"--option={k}={v}" for k, v in dovecot.options(support, port).items()]
    assert main(["accounts", "add", "email", "--name", support, "--token-env", "MAIL_PASSWORD",
                 *options]) == 0
    main(["sync", "--once"])
    capsys.readouterr()
    assert main(["accounts", "list", "--json"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out)[0]["status"] == "needs_auth"
    assert "wrong-password-123" not in out


def test_hostile_mail_from_the_server_is_read_or_quarantined(dovecot: Dovecot) -> None:
    support = dovecot.new_user("support")
    big = customer_mail("big@customer.test", support, "big", "word " * 220_000,
                        message_id="big@customer.test")
    dovecot.deliver(support, big)
    dovecot.deliver(support, b"Subject: =?utf-8?B?####?=\r\nMessage-ID: <nofrom@x>\r\n\r\nhi\r\n")
    dovecot.deliver(support, b"From: =?x-bogus?Q?=FF?= <odd@customer.test>\r\n"
                             b"Subject: caf\xe9 \xff\xfe\r\nContent-Type: text/plain; "
                             b"charset=utf-8\r\n\r\n\xed\xa0\x80 lone surrogate bytes\r\n")

    async def go() -> None:
        conn = dovecot.connector(support)
        try:
            result = await conn.fetch("inbox", None, wait=0)
            texts = {m.author_id: m.text for m in result.messages}
            assert texts["big@customer.test"].endswith("shortened by SMM Desk]")
            assert "lone surrogate bytes" in texts["odd@customer.test"]
            texts["odd@customer.test"].encode("utf-8")
            [bad] = result.quarantined
            assert "sender" in bad.reason
        finally:
            await conn.aclose()
    asyncio.run(go())
