"""Email connector: MIME parsing, threads, replies, and the IMAP/SMTP wire
against the simulator's loopback servers (smm_desk/sim/email.py).

Facts pinned here come from /work/shared/networks/email.md: (UIDVALIDITY, UID)
cursors with ``UID SEARCH UID n:*`` filtered client-side; threads from
Message-ID / In-Reply-To / References; replies with our own Message-ID,
In-Reply-To, References and "Re:"; an uncertain send settled by ``SEARCH
HEADER Message-ID`` in the Sent folder; SMTP 4xx transient, 5xx permanent,
535 auth. The same flows against a real Dovecot: tests/e2e/test_email_servers.py.
"""

from __future__ import annotations

import base64
import email
import email.policy
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smm_desk.cli.main import main
from smm_desk.connectors.base import AccountConfig, OutgoingReply, ReplyTarget, connector_class
from smm_desk.connectors.email import BATCH, EmailConnector, smtp_error
from smm_desk.connectors.email_imap import settings_from, utf7
from smm_desk.connectors.email_parse import (
    MalformedMail,
    build_reply,
    parse_mail,
    reply_message_id,
    to_message,
    trim_references,
)
from smm_desk.connectors.errors import (
    AuthError,
    PermanentError,
    RateLimited,
    TransientError,
)
from smm_desk.domain.enums import Direction
from smm_desk.sim.email import EmailSim
from smm_desk.sim.world import Fault, SimWorld
from tests.support.connector_kit import run

TOKEN = "mail-password-Zq8xW3"
ADDRESS = "support@acme.example"
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def sim() -> Iterator[EmailSim]:
    world = SimWorld()
    handler = EmailSim(world)
    world.add(handler)
    handler.add_account(TOKEN, ADDRESS)
    with handler:
        yield handler


def connector(sim: EmailSim, password: str = TOKEN, **options: str) -> EmailConnector:
    opts = {**sim.account_options(TOKEN), **options}
    return EmailConnector(AccountConfig(1, "email", ADDRESS, None, opts), password, timeout=3.0)


def reply_to(message: Any, text: str, reply_id: str = "6f1c2c1e-8d7b-4c55") -> OutgoingReply:
    target = ReplyTarget(thread_key=message.thread_key, case_kind="dm",
                         external_id=message.external_id, author_id=message.author_id,
                         author_name=message.author_name, post_external_id=None,
                         extra=message.extra)
    return OutgoingReply(reply_id=reply_id, text=text, target=target)


def raw_mail(headers: dict[str, str], body: bytes = b"hello", *,
             ctype: str = "text/plain; charset=utf-8") -> bytes:
    lines = [f"{k}: {v}" for k, v in headers.items()]
    lines += [f"Content-Type: {ctype}", "MIME-Version: 1.0"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


# -- parsing -----------------------------------------------------------------------------------


def test_registered_with_its_options() -> None:
    assert connector_class("email") is EmailConnector
    assert EmailConnector.streams == ("inbox", "sent")
    for key in ("imap_host", "imap_port", "imap_security", "smtp_host", "smtp_port",
                "smtp_security", "username", "address", "sent_folder"):
        assert key in EmailConnector.options_help


def test_koi8r_and_cp1251_encoded_words_and_bodies() -> None:
    subject = "=?koi8-r?B?" + base64.b64encode(
        "Где мой заказ?".encode("koi8-r")).decode() + "?="
    raw = raw_mail({"From": "=?windows-1251?Q?=C8=E2=E0=ED?= <Ivan@Example.RU>",
                    "To": ADDRESS, "Subject": subject, "Message-ID": "<a1@example.ru>",
                    "Date": "Mon, 02 Nov 2026 12:00:00 +0300"},
                   "Заказ 123 не пришёл".encode("koi8-r"), ctype="text/plain; charset=koi8-r")
    mail = parse_mail(raw)
    assert mail.subject == "Где мой заказ?"
    assert (mail.sender, mail.sender_name) == ("ivan@example.ru", "Иван")
    assert mail.text == "Заказ 123 не пришёл"
    assert mail.date == datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    cp = parse_mail(raw_mail({"From": "a@b.example", "Subject": "=?cp1251?B?z/Do4uXy?="},
                             "Привет".encode("cp1251"), ctype="text/plain; charset=cp1251"))
    assert (cp.subject, cp.text) == ("Привет", "Привет")


def test_raw_8bit_headers_unknown_charsets_and_broken_words_degrade() -> None:
    raw = ("From: Jörg <j@b.example>\r\nSubject: =?x-unknown?B?aGk=?= =?utf-8?B?###?=\r\n"
           "Content-Type: text/plain; charset=no-such-charset\r\n\r\n").encode() + b"caf\xc3\xa9"
    mail = parse_mail(raw)
    assert mail.sender_name == "Jörg"
    assert mail.text == "café"
    assert "\ufffd" not in mail.sender_name


def test_plain_text_preferred_else_html_and_attachments_listed() -> None:
    msg = EmailMessage()
    msg["From"] = "Anna <anna@b.example>"
    msg["Message-ID"] = "<m1@b.example>"
    msg.set_content("plain words")
    msg.add_alternative("<p>html <b>words</b></p>", subtype="html")
    msg.add_attachment(b"%PDF", maintype="application", subtype="pdf", filename="invoice.pdf")
    assert parse_mail(msg.as_bytes()).text == "plain words\n[attachment: invoice.pdf]"
    html_only = EmailMessage()
    html_only["From"] = "anna@b.example"
    html_only.set_content("<p>Hello<br>there</p><script>x()</script>", subtype="html")
    assert parse_mail(html_only.as_bytes()).text == "Hello\nthere"


def test_malformed_mail_says_why() -> None:
    with pytest.raises(MalformedMail, match="sender"):
        parse_mail(raw_mail({"Subject": "no from", "Message-ID": "<x@y>"}))
    with pytest.raises(MalformedMail, match="sender"):
        parse_mail(raw_mail({"From": "not an address"}))
    with pytest.raises(MalformedMail, match="empty"):
        parse_mail(b"  \r\n")


def test_mail_without_message_id_gets_a_stable_synthetic_id() -> None:
    raw = raw_mail({"From": "a@b.example", "Subject": "hi"})
    first, second = parse_mail(raw), parse_mail(raw)
    assert first.message_id is None
    assert first.external_id == second.external_id
    assert first.external_id.endswith("@no-message-id.invalid")


# -- threads -----------------------------------------------------------------------------------


def _mail(mid: str, *, refs: str = "", parent: str = "", sender: str = "c@b.example",
          to: str = ADDRESS) -> Any:
    headers = {"From": sender, "To": to, "Message-ID": f"<{mid}>", "Subject": "order"}
    if refs:
        headers["References"] = refs
    if parent:
        headers["In-Reply-To"] = parent
    return parse_mail(raw_mail(headers))


def test_threads_from_references_in_reply_to_and_unknown_roots() -> None:
    roots: dict[str, str] = {}

    def key(mail: Any) -> str:
        message = to_message(mail, own=[ADDRESS], received_at=START, roots=roots)
        assert message is not None
        roots[mail.external_id] = message.thread_key[3:]
        return message.thread_key

    assert key(_mail("root@b")) == "dm:root@b"
    assert key(_mail("r1@b", refs="<root@b>", parent="<root@b>")) == "dm:root@b"
    # In-Reply-To only (no References): the parent's known root.
    assert key(_mail("r2@b", parent="<r1@b>")) == "dm:root@b"
    # Two replies to a root we never saw still group.
    assert key(_mail("x1@b", refs="<gone@b> <mid@b>")) == key(_mail("x2@b", refs="<gone@b>"))


def test_our_own_mail_is_outbound_to_the_customer_and_new_mail_is_skipped() -> None:
    answer = _mail("ours@acme", refs="<root@b>", parent="<root@b>", sender=ADDRESS,
                   to="Carol <c@b.example>")
    message = to_message(answer, own=[ADDRESS], received_at=START, roots={})
    assert message is not None
    assert message.direction is Direction.OUTBOUND and message.thread_key == "dm:root@b"
    assert message.extra["customer"] == "c@b.example"
    newsletter = _mail("news@acme", sender=ADDRESS, to="c@b.example")
    assert to_message(newsletter, own=[ADDRESS], received_at=START, roots={}) is None


# -- building replies -------------------------------------------------------------------------


def test_reply_headers_and_a_message_id_that_is_the_same_on_every_try() -> None:
    original = to_message(_mail("r1@b", refs="<root@b>", parent="<root@b>"), own=[ADDRESS],
                          received_at=START, roots={})
    reply = reply_to(original, "Thanks!\nWe are on it.")
    mid = reply_message_id(reply.reply_id, ADDRESS)
    assert mid == reply_message_id(reply.reply_id, ADDRESS) == "smm-desk.6f1c2c1e-8d7b-4c55@acme.example"
    msg = build_reply(reply, address=ADDRESS, from_name="Acme Support", message_id=mid, now=START)
    back = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert back["Message-ID"] == f"<{mid}>"
    assert back["In-Reply-To"] == "<r1@b>"
    assert back["References"] == "<root@b> <r1@b>"
    assert back["Subject"] == "Re: order"
    assert back["To"].addresses[0].addr_spec == "c@b.example"
    assert back["From"].addresses[0].display_name == "Acme Support"
    assert isinstance(back, EmailMessage)
    body = back.get_body(("plain",))
    assert body is not None and body.get_content().replace("\r\n", "\n").strip() == (
        "Thanks!\nWe are on it.")
    odd = reply_message_id("id with spaces/and<brackets>", ADDRESS)
    assert " " not in odd and "<" not in odd and odd.endswith("@acme.example")


def test_reply_subject_is_not_doubled_and_cannot_inject_headers() -> None:
    target = ReplyTarget("dm:x@y", "dm", "x@y", "c@b.example", "C", None,
                         {"subject": "RE: order\r\nBcc: evil@x.example", "message_id": "x@y"})
    msg = build_reply(OutgoingReply("r", "ok", target), address=ADDRESS, from_name="",
                      message_id="m@acme.example", now=START)
    raw = msg.as_bytes()
    assert b"\nBcc:" not in raw and msg["Subject"].startswith("RE: order")
    with pytest.raises(ValueError, match="address"):
        build_reply(OutgoingReply("r", "ok", ReplyTarget("dm:x", "dm", "x", "nobody", "", None,
                                                         {})),
                    address=ADDRESS, from_name="", message_id="m@a", now=START)


def test_long_reference_chains_keep_the_root_and_the_newest() -> None:
    ids = [f"id{i:04d}.{'x' * 40}@b.example" for i in range(200)]
    kept = trim_references(ids)
    assert kept[0] == ids[0] and kept[-1] == ids[-1]
    assert len(" ".join(f"<{i}>" for i in kept)) <= 900


# -- fuzz ----------------------------------------------------------------------------------------

_hostile = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["\u202egnp.exe", "\u200b\u200d", "<b>x</b>", "\ud800", "=?utf-8?B?###?=",
                     "=?x?Q?=ZZ?=", "=?utf-16?B?2AA=?=", "<<>>", "\x00\r\n"]),
)


def _header_bytes(name: str, value: str) -> bytes:
    # surrogatepass: a lone surrogate goes out as the invalid UTF-8 a broken client sends
    return f"{name}: ".encode() + value.encode("utf-8", "surrogatepass") + b"\r\n"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_any_bytes_parse_or_quarantine(raw: bytes) -> None:
    try:
        mail = parse_mail(raw)
    except MalformedMail as exc:
        assert str(exc)
        return
    try:
        to_message(mail, own=[ADDRESS], received_at=START, roots={})
    except (MalformedMail, ValueError):
        pass


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(headers=st.lists(st.tuples(
           st.sampled_from(["From", "To", "Cc", "Subject", "Message-ID", "In-Reply-To",
                            "References", "Reply-To", "Date", "Content-Type",
                            "Content-Transfer-Encoding", "Content-Disposition"]),
           _hostile), max_size=12),
       body=st.one_of(st.binary(max_size=2000), st.text(max_size=500).map(
           lambda t: t.encode("utf-8", "replace"))),
       charset=st.sampled_from(["utf-8", "koi8-r", "cp1251", "bogus", "utf-16", ""]))
def test_hostile_headers_and_bodies_never_escape(headers: list[tuple[str, str]], body: bytes,
                                                 charset: str) -> None:
    raw = b"From: a@b.example\r\n" + b"".join(_header_bytes(n, v) for n, v in headers)
    raw += f"Content-Type: text/plain; charset={charset}\r\n\r\n".encode() + body
    try:
        mail = parse_mail(raw)
        message = to_message(mail, own=[ADDRESS], received_at=START, roots={})
    except (MalformedMail, ValueError):
        return
    if message is not None:
        assert "\x00" not in message.text
        message.text.encode("utf-8")  # no lone surrogates survive
        message.author_name.encode("utf-8")
        for value in message.extra.values():
            value.encode("utf-8")


@settings(max_examples=150, deadline=None)
@given(text=st.text(min_size=1, max_size=400), subject=_hostile, name=_hostile,
       mid=st.text(max_size=80))
def test_replies_build_from_hostile_targets(text: str, subject: str, name: str, mid: str) -> None:
    target = ReplyTarget("dm:x", "dm", mid, "c@b.example", name, None,
                         {"subject": subject, "message_id": mid, "customer_name": name,
                          "references": f"<{mid}> <a@b>"})
    try:
        msg = build_reply(OutgoingReply("r1", text, target), address=ADDRESS, from_name=name,
                          message_id="smm-desk.r1@acme.example", now=START)
    except ValueError:
        return
    back = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert back["Message-ID"] == "<smm-desk.r1@acme.example>"
    assert back["To"].addresses[0].addr_spec == "c@b.example"


def test_one_megabyte_message_is_cut_not_choked_on() -> None:
    raw = raw_mail({"From": "a@b.example", "Message-ID": "<big@b>"}, b"word " * 210_000)
    mail = parse_mail(raw)
    assert len(mail.text) <= 20_000 and mail.text.endswith("shortened by SMM Desk]")


# -- against the simulator's IMAP/SMTP servers -----------------------------------------------


def test_fetch_resumes_without_duplicates_and_filters_the_star_quirk(sim: EmailSim) -> None:
    async def go() -> None:
        conn = connector(sim)
        try:
            empty = await conn.fetch("inbox", None, wait=0)
            assert empty.messages == [] and empty.cursor is not None
            first = sim.inject_dm(TOKEN, "501", "Anna", "Do you deliver on Sunday?", START)
            second = sim.inject_dm(TOKEN, "501", "Anna", "Hello?", START + timedelta(minutes=1))
            result = await conn.fetch("inbox", empty.cursor, wait=0)
            assert [m.external_id for m in result.messages] == [first, second]
            assert {m.thread_key for m in result.messages} == {f"dm:{first}"}
            assert result.messages[0].created_at == START
            assert json.loads(result.cursor or "")["uid"] == 2
            # UID SEARCH UID 3:* answers UID 2 (the highest); it must not come back.
            again = await conn.fetch("inbox", result.cursor, wait=0)
            assert again.messages == [] and again.cursor is None
            third = sim.inject_comment(TOKEN, "100", "502", "Ivan", "Когда поставка?", None)
            resumed = await conn.fetch("inbox", result.cursor, wait=0)
            assert [m.external_id for m in resumed.messages] == [third]
            assert resumed.messages[0].extra["subject"] == "About your post 100"
        finally:
            await conn.aclose()
    run(go())


def test_first_run_takes_the_newest_then_pages_in_batches(sim: EmailSim) -> None:
    for i in range(60):
        sim.inject_dm(TOKEN, str(i), f"C{i}", f"old {i}", START)

    async def go() -> None:
        conn = connector(sim)
        try:
            first = await conn.fetch("inbox", None, wait=0)
            assert [m.text for m in first.messages] == [f"old {i}" for i in range(10, 60)]
            new = [sim.inject_dm(TOKEN, f"n{i}", "N", f"new {i}", START) for i in range(BATCH + 5)]
            page = await conn.fetch("inbox", first.cursor, wait=0)
            assert page.more and len(page.messages) == BATCH
            rest = await conn.fetch("inbox", page.cursor, wait=0)
            assert not rest.more
            assert [m.external_id for m in page.messages + rest.messages] == new
        finally:
            await conn.aclose()
    run(go())


def test_uidvalidity_change_rescans_without_duplicates(sim: EmailSim) -> None:
    async def go() -> None:
        conn = connector(sim)
        try:
            seen = [sim.inject_dm(TOKEN, str(i), "C", f"m{i}", None) for i in range(3)]
            first = await conn.fetch("inbox", None, wait=0)
            assert [m.external_id for m in first.messages] == seen
            sim.reset_uidvalidity(TOKEN)
            later = sim.inject_dm(TOKEN, "9", "D", "after the rebuild", None)
            after = await conn.fetch("inbox", first.cursor, wait=0)
            assert [m.external_id for m in after.messages] == [later]
            cursor = json.loads(after.cursor or "")
            assert cursor["uid"] == 4 and cursor["uidvalidity"] != json.loads(
                first.cursor or "")["uidvalidity"]
            # A fresh connector (restart) re-reads them with the same ids: the store dedups.
            fresh = connector(sim)
            again = await fresh.fetch("inbox", first.cursor, wait=0)
            assert {m.external_id for m in again.messages} == {*seen, later}
            await fresh.aclose()
        finally:
            await conn.aclose()
    run(go())


def test_malformed_message_is_quarantined_and_the_cursor_moves_on(sim: EmailSim) -> None:
    sim.deliver(TOKEN, raw_mail({"Subject": "no sender"}))
    good = sim.inject_dm(TOKEN, "1", "A", "fine", None)

    async def go() -> None:
        conn = connector(sim)
        try:
            result = await conn.fetch("inbox", None, wait=0)
            assert [m.external_id for m in result.messages] == [good]
            assert len(result.quarantined) == 1
            assert "UID 1" in result.quarantined[0].reason
            assert "sender" in result.quarantined[0].reason
            sim.world.inject(Fault("email", "malformed", match="FETCH"))
            sim.inject_dm(TOKEN, "2", "B", "garbled on the way", None)
            broken = await conn.fetch("inbox", result.cursor, wait=0)
            assert broken.messages == [] and len(broken.quarantined) == 1
            assert json.loads(broken.cursor or "")["uid"] == 3
        finally:
            await conn.aclose()
    run(go())


def test_reply_goes_out_over_smtp_is_filed_in_sent_and_found_by_message_id(
        sim: EmailSim) -> None:
    async def go() -> None:
        conn = connector(sim, from_name="Acme Support")
        try:
            sim.inject_dm(TOKEN, "anna@b.example", "Anna", "Where is my parcel?", START)
            second = sim.inject_dm(TOKEN, "anna@b.example", "Anna", "Hello?", START)
            inbox = await conn.fetch("inbox", None, wait=0)
            sent_start = await conn.fetch("sent", None, wait=0)
            reply = reply_to(inbox.messages[-1], "It left today.")
            delivery = await conn.send(reply)
            assert delivery.external_id == conn.message_id_for(reply)
            [posted] = sim.posted(TOKEN)
            assert posted["to"] == ["anna@b.example"] and posted["from"] == ADDRESS
            assert posted["in_reply_to"] == second
            assert posted["subject"] == "Re: Where is my parcel?"
            assert posted["message_id"] == delivery.external_id
            assert posted["references"].split()[-1] == f"<{second}>"
            [recorded] = sim.world.deliveries
            assert (recorded.network, recorded.target, recorded.text) == (
                "email", second, "It left today.")
            # A crash before the outbox recorded it: the look-up settles it as sent.
            fresh = connector(sim)
            found = await fresh.find_delivered(reply)
            assert found is not None and found.external_id == delivery.external_id
            assert await fresh.find_delivered(reply_to(inbox.messages[0], "x", "other")) is None
            # Read back from Sent: OUTBOUND in the customer's thread, same id (store dedups).
            sent = await fresh.fetch("sent", sent_start.cursor, wait=0)
            [own] = sent.messages
            assert own.external_id == delivery.external_id
            assert own.direction is Direction.OUTBOUND
            assert own.thread_key == inbox.messages[-1].thread_key
            await fresh.aclose()
        finally:
            await conn.aclose()
    run(go())


def test_answer_written_in_a_mail_client_stops_the_clock(sim: EmailSim) -> None:
    async def go() -> None:
        conn = connector(sim)
        try:
            asked = sim.inject_dm(TOKEN, "7", "Lan", "Còn hàng không shop?", START)
            start = await conn.fetch("sent", None, wait=0)
            answer = sim.inject_brand_answer(TOKEN, asked, "Còn ạ!", START + timedelta(minutes=4))
            result = await conn.fetch("sent", start.cursor, wait=0)
            [message] = result.messages
            assert message.external_id == answer and message.direction is Direction.OUTBOUND
            assert message.thread_key == f"dm:{asked}"
            assert message.created_at == START + timedelta(minutes=4)
        finally:
            await conn.aclose()
    run(go())


def test_missing_sent_folder_is_created_on_first_reply(sim: EmailSim) -> None:
    async def go() -> None:
        conn = connector(sim, sent_folder="Отправленные")
        try:
            assert (await conn.fetch("sent", None, wait=0)).cursor is None
            sim.inject_dm(TOKEN, "1", "A", "hi", None)
            message = (await conn.fetch("inbox", None, wait=0)).messages[0]
            reply = reply_to(message, "hello")
            await conn.send(reply)
            assert utf7("Отправленные") in sim.boxes[TOKEN].folders
            assert await conn.find_delivered(reply) is not None
        finally:
            await conn.aclose()
    run(go())


# -- errors --------------------------------------------------------------------------------------


def test_wrong_password_and_refused_logins_are_auth_errors(sim: EmailSim) -> None:
    async def go() -> None:
        bad = connector(sim, password="not-the-password")
        with pytest.raises(AuthError) as caught:
            await bad.fetch("inbox", None, wait=0)
        assert "not-the-password" not in str(caught.value)
        assert "AUTHENTICATIONFAILED" in caught.value.network_message
        await bad.aclose()
        sim.world.inject(Fault("email", "auth", match="imap"))
        conn = connector(sim)
        with pytest.raises(AuthError):
            await conn.fetch("inbox", None, wait=0)
        sim.inject_dm(TOKEN, "1", "A", "hi", None)
        message = (await conn.fetch("inbox", None, wait=0)).messages[0]
        sim.world.inject(Fault("email", "auth", match="smtp"))
        with pytest.raises(AuthError):
            await conn.send(reply_to(message, "hello"))
        assert sim.posted(TOKEN) == []
        await conn.aclose()
    run(go())


@pytest.mark.parametrize(("fault", "error", "maybe"), [
    (Fault("email", "status", match="smtp/DATA", status=451), TransientError, False),
    (Fault("email", "status", match="smtp/MAIL", status=550), PermanentError, None),
    (Fault("email", "rate_limit", match="smtp/MAIL"), RateLimited, None),
    (Fault("email", "status", match="smtp/CONNECT", status=421), TransientError, False),
    (Fault("email", "after"), TransientError, True),
    (Fault("email", "hang", match="smtp/DATA", seconds=1.5), TransientError, True),
    (Fault("email", "hang", match="smtp/MAIL", seconds=1.5), TransientError, False),
])
def test_smtp_failures_map_onto_the_error_tree(sim: EmailSim, fault: Fault, error: type,
                                               maybe: bool | None) -> None:
    async def go() -> None:
        conn = connector(sim)
        conn.timeout = 0.5
        try:
            sim.inject_dm(TOKEN, "1", "A", "hi", None)
            message = (await conn.fetch("inbox", None, wait=0)).messages[0]
            sim.world.inject(fault)
            reply = reply_to(message, "hello")
            with pytest.raises(error) as caught:
                await conn.send(reply)
            if maybe is not None:
                assert caught.value.maybe_delivered is maybe
            if fault.kind == "after":
                # SMTP took it, the client never heard: not in Sent, so a person checks.
                assert len(sim.posted(TOKEN)) == 1
                assert await conn.find_delivered(reply) is None
        finally:
            await conn.aclose()
    run(go())


def test_smtp_reply_codes() -> None:
    assert isinstance(smtp_error(535, "5.7.8 bad credentials", "x"), AuthError)
    assert isinstance(smtp_error(452, "4.2.2 mailbox full", "x"), TransientError)
    limited = smtp_error(550, "5.4.5 Daily user sending quota exceeded", "x")
    assert isinstance(limited, RateLimited) and limited.retry_after == 3600
    assert isinstance(smtp_error(421, "4.7.0 Try again later", "x"), RateLimited)
    refused = smtp_error(550, "5.1.1 user unknown", "x")
    assert isinstance(refused, PermanentError) and refused.network_message == "5.1.1 user unknown"


def test_imap_hang_and_refused_connection_are_transient(sim: EmailSim) -> None:
    async def go() -> None:
        conn = connector(sim)
        conn.timeout = 0.5
        sim.world.inject(Fault("email", "hang", match="imap/LOGIN", seconds=1.5))
        with pytest.raises(TransientError):
            await conn.fetch("inbox", None, wait=0)
        assert (await conn.fetch("inbox", None, wait=0)).cursor is not None  # reconnects
        await conn.aclose()
        closed = connector(sim, imap_port="1")
        with pytest.raises(TransientError):
            await closed.fetch("inbox", None, wait=0)
        await closed.aclose()
    run(go())


def test_busy_server_and_a_dropped_session_are_transient_then_recover(sim: EmailSim) -> None:
    async def go() -> None:
        conn = connector(sim)
        try:
            start = await conn.fetch("inbox", None, wait=0)
            sim.world.inject(Fault("email", "status", match="imap/SELECT"))
            with pytest.raises(TransientError, match="UNAVAILABLE"):
                await conn.fetch("inbox", start.cursor, wait=0)
            sim.world.inject(Fault("email", "rate_limit", match="imap/LOGIN"))
            fresh = connector(sim)
            with pytest.raises(TransientError, match="LIMIT"):
                await fresh.fetch("inbox", None, wait=0)
            await fresh.aclose()
            new = sim.inject_dm(TOKEN, "1", "A", "hi", None)
            sim.world.inject(Fault("email", "auth", match="imap/FETCH"))  # BYE mid-session
            with pytest.raises(TransientError):
                await conn.fetch("inbox", start.cursor, wait=0)
            again = await conn.fetch("inbox", start.cursor, wait=0)
            assert [m.external_id for m in again.messages] == [new]
        finally:
            await conn.aclose()
    run(go())


def test_options_are_checked_and_imap_base_urls_accepted() -> None:
    with pytest.raises(PermanentError, match="imap_host"):
        settings_from(AccountConfig(1, "email", ADDRESS, None, {}))
    with pytest.raises(PermanentError, match="imap_security"):
        settings_from(AccountConfig(1, "email", ADDRESS, None,
                                    {"imap_host": "h", "imap_security": "maybe"}))
    s = settings_from(AccountConfig(1, "email", "Support", "imaps://mail.example:994",
                                    {"username": "Support@Acme.Example"}))
    assert (s.imap_host, s.imap_port, s.imap_security) == ("mail.example", 994, "ssl")
    assert (s.address, s.smtp_port, s.smtp_security, s.sent_folder) == (
        "support@acme.example", 587, "starttls", "Sent")
    ignored = settings_from(AccountConfig(1, "email", ADDRESS, "http://127.0.0.1:9",
                                          {"imap_host": "imap.acme.example"}))
    assert (ignored.imap_host, ignored.imap_port) == ("imap.acme.example", 993)


# -- end to end through the CLI and the sync engine -------------------------------------------


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_accounts_add_sync_reply_flush_round_trip(
    sim: EmailSim, tmp_path: object, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SMM_DESK_DB", f"sqlite:///{tmp_path}/desk.db")
    monkeypatch.setenv("SMM_DESK_AGENT", "kim")
    monkeypatch.setenv("SIM_TOKEN_EMAIL", TOKEN)
    options = [f"--option={k}={v}" for k, v in sim.account_options(TOKEN).items()]
    code, _, err = cli(capsys, "accounts", "add", "email", "--name", ADDRESS, "--base-url",
                       "http://127.0.0.1:9", "--token-env", "SIM_TOKEN_EMAIL", *options)
    assert code == 0, err
    assert cli(capsys, "sync", "--once")[0] == 0

    written = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=3)
    sim.inject_dm(TOKEN, "501", "Anna", "Do you deliver on Sunday?", written)
    sim.inject_comment(TOKEN, None, "502", "Ivan", "Когда поставка?", written)
    sim.inject_dm(TOKEN, "501", "Anna", "Hello?", written + timedelta(minutes=1))
    code, _, err = cli(capsys, "sync", "--once")
    assert code == 0, err
    cases = json.loads(cli(capsys, "queue", "--json")[1])
    assert sorted(c["customer"] for c in cases) == ["Anna", "Ivan"]
    for case in cases:
        assert datetime.fromisoformat(case["waiting_since"]) == written
        assert cli(capsys, "reply", str(case["id"]), "--text", f"Thanks {case['customer']}")[0] == 0
    code, out, err = cli(capsys, "outbox", "flush")
    assert code == 0 and out.startswith("delivered 2"), (out, err)
    assert cli(capsys, "outbox", "flush")[1].startswith("delivered 0")
    assert sorted(p["text"] for p in sim.posted(TOKEN)) == ["Thanks Anna", "Thanks Ivan"]

    # Our replies come back through the Sent folder: no duplicates, clocks stopped.
    assert cli(capsys, "sync", "--once")[0] == 0
    assert all(c["sla_state"] is None for c in json.loads(cli(capsys, "queue", "--json")[1]))
    anna = next(c for c in cases if c["customer"] == "Anna")
    detail = json.loads(cli(capsys, "show", str(anna["id"]), "--json")[1])
    assert [m["direction"] for m in detail["messages"]] == ["inbound", "inbound", "outbound"]
    code, out, _ = cli(capsys, "accounts", "list", "--json")
    assert json.loads(out)[0]["status"] == "ok" and TOKEN not in out


def test_refused_password_marks_the_account_needs_auth(
    sim: EmailSim, tmp_path: object, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SMM_DESK_DB", f"sqlite:///{tmp_path}/desk.db")
    monkeypatch.setenv("SIM_TOKEN_EMAIL", "a-wrong-password")
    options = [f"--option={k}={v}" for k, v in sim.account_options(TOKEN).items()]
    assert cli(capsys, "accounts", "add", "email", "--name", ADDRESS, "--token-env",
               "SIM_TOKEN_EMAIL", *options)[0] == 0
    code, out, err = cli(capsys, "sync", "--once")
    code, out, _ = cli(capsys, "accounts", "list", "--json")
    [account] = json.loads(out)
    assert account["status"] == "needs_auth"
    assert "a-wrong-password" not in out + err
