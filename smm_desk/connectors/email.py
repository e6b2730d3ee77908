"""Email: an IMAP mailbox in, replies over SMTP out.

Wire facts: IMAP4rev1 (RFC 3501) with the stdlib ``imaplib``, SMTP (RFC 5321)
with ``smtplib`` (https://docs.python.org/3/library/imaplib.html,
https://docs.python.org/3/library/smtplib.html). Both are blocking, so every
session runs in a worker thread (``asyncio.to_thread``), one at a time per
account; the IMAP connection is kept between polls and re-opened after any
failure. MIME parsing, threading and reply building: :mod:`.email_parse`.

Account
=======

``accounts add email --name support@acme.example --token-stdin --option …``;
the secret (keyring ``token``) is the mailbox password or an app password
(Gmail wants an app password; Microsoft 365 has turned basic auth off and
needs OAuth XOAUTH2, which this connector does not do yet). Options (see :data:`OPTIONS`): ``imap_host``, ``imap_port``,
``imap_security`` (``ssl`` — the default, port 993 —, ``starttls`` (143) or
``none``), ``smtp_host``, ``smtp_port``, ``smtp_security`` (``ssl`` 465,
``starttls`` 587 — the default —, ``none`` 25), ``username`` (default: the
address), ``address`` (default: the username or the account name),
``sent_folder`` (default ``Sent``), ``folder`` (default ``INBOX``),
``from_name``, ``append_sent`` (``no`` where the server files sent mail
itself, as Gmail does). ``--base-url`` is not HTTP here: an
``imap://host:port`` or ``imaps://host:port`` base URL stands for
``imap_host``/``imap_port``/``imap_security`` when those options are absent;
an ``http(s)://`` one (the simulator's) is ignored.

Streams
=======

``inbox``
    The ``folder`` (INBOX), opened read-only (EXAMINE; bodies are fetched
    with ``BODY.PEEK[]`` so nothing is marked read). The cursor is JSON
    ``{"uidvalidity", "uid", "since"}``. Every UID is below the folder's
    UIDNEXT (RFC 3501 §2.3.1.1), so when at most :data:`BATCH` UIDs lie between
    the cursor and UIDNEXT the poll is ``UID FETCH <uid+1>:<uidnext-1>`` (one
    round trip after EXAMINE; none when UIDNEXT has not moved). Otherwise, or
    when the server gives no UIDNEXT, new mail is ``UID SEARCH UID <uid+1>:*``,
    filtered client-side because a server answers ``n:*`` with the highest UID
    even when it is below ``n``, and its first :data:`BATCH` UIDs are fetched
    as ranges. When UIDVALIDITY changed (the
    folder was rebuilt, UIDs reset), the folder is re-scanned from a day before
    ``since`` (the newest INTERNALDATE seen) and messages are deduplicated by
    Message-ID (the external id, so the store drops repeats too). The first run
    takes the newest :data:`FIRST_RUN` messages. At most :data:`BATCH`
    messages per fetch (``more`` says when there are more); bodies beyond
    :data:`MAX_FETCH` bytes are cut (partial fetch).
``sent``
    The ``sent_folder``: the brand's answers written in a mail client come in
    OUTBOUND and stop the SLA clock; our own replies dedup against the outbox
    by their Message-ID. Its first run only takes the position (history there
    answers no open case). A missing Sent folder is an empty stream.

A message's time is its INTERNALDATE (when the server received it; the Date
header is the sender's claim), else its Date header.

Replies and idempotency
=======================

SMTP has no idempotency key (``Idempotency.LOOKUP``). Each reply gets its own
Message-ID derived from the outbox reply id (:func:`~.email_parse.reply_message_id`),
so every try carries the same one; after SMTP accepted it a copy is APPENDed
to ``sent_folder`` (created on ``TRYCREATE``). A send whose outcome is unknown
(connection lost after the DATA phase began) is settled by
:meth:`EmailConnector.find_delivered`: ``UID SEARCH HEADER Message-ID`` in the
Sent folder. A failed APPEND after an accepted send is logged, never raised:
the reply was delivered.

Errors
======

=====================================  =======================================
IMAP LOGIN/AUTHENTICATE refused,       ``AuthError`` (the account needs a
SMTP 535 (``SMTPAuthenticationError``) person: wrong or revoked password)
connection refused, reset, timeout,    ``TransientError``; ``maybe_delivered``
IMAP ``BYE``/abort, SMTP 4xx           when the SMTP DATA phase had begun and
                                       no answer came
SMTP 4.7.x / "rate" / "too many",      ``RateLimited`` (5 min; 1 h for a daily
SMTP 5.4.5 / "quota"                   sending quota)
IMAP ``NO [UNAVAILABLE|INUSE|LIMIT]``  ``TransientError``
SMTP 5xx, any other IMAP ``NO``,       ``PermanentError`` with the server's
missing options, bad addresses         words
=====================================  =======================================
"""

from __future__ import annotations

import asyncio
import base64
import imaplib
import json
import logging
import re
import smtplib
import ssl
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from smm_desk.connectors.base import (
    Connector,
    Delivery,
    FetchResult,
    Idempotency,
    OutgoingReply,
    Quarantined,
    register,
)
from smm_desk.connectors.email_imap import (
    Fetched,
    ImapSession,
    Mailbox,
    MailSettings,
    NoMailbox,
    imap_date,
    settings_from,
)
from smm_desk.connectors.email_parse import (
    MalformedMail,
    build_reply,
    parse_mail,
    reply_message_id,
    thread_root,
    to_message,
)
from smm_desk.connectors.errors import (
    AuthError,
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
)
from smm_desk.connectors.http import HttpClient
from smm_desk.domain.records import IncomingMessage

log = logging.getLogger("smm_desk.email")
T = TypeVar("T")

#: Messages per fetch, and taken on the very first run.
BATCH = 50
FIRST_RUN = 50
#: Bytes of a message fetched at most (``BODY.PEEK[]<0.N>``): text comes first.
MAX_FETCH = 4_000_000
#: Raw bytes kept with a quarantined message.
QUARANTINE_BYTES = 64_000
TIMEOUT = 30.0
#: Message-ids whose thread root is remembered (In-Reply-To-only replies).
ROOT_CACHE_SIZE = 50_000

OPTIONS: Mapping[str, str] = {
    "imap_host": "IMAP server, e.g. imap.example.com (required)",
    "imap_port": "IMAP port (default 993 for ssl, 143 otherwise)",
    "imap_security": "ssl (default), starttls or none",
    "smtp_host": "SMTP server, e.g. smtp.example.com (required to reply)",
    "smtp_port": "SMTP port (default 465 for ssl, 587 for starttls, 25 for none)",
    "smtp_security": "ssl, starttls (default) or none",
    "username": "login name (default: the address); the password is the token",
    "address": "the mailbox's email address (default: username or --name)",
    "sent_folder": "folder replies are filed in and looked up in (default Sent)",
    "folder": "folder read as the inbox (default INBOX)",
    "from_name": "display name on replies (default: none)",
    "append_sent": "no: the server files sent mail itself (Gmail); default yes",
}


@dataclass(frozen=True)
class Cursor:
    uidvalidity: int
    uid: int
    since: str = ""  # ISO date of the newest INTERNALDATE seen

    @classmethod
    def load(cls, raw: str | None) -> Cursor | None:
        if not raw:
            return None
        try:
            data = json.loads(raw)
            cursor = cls(int(data["uidvalidity"]), int(data["uid"]), str(data.get("since", "")))
        except (ValueError, TypeError, KeyError):
            return None  # unreadable: start over like a first run
        return cursor if cursor.uidvalidity > 0 and cursor.uid >= 0 else None

    def dump(self) -> str:
        return json.dumps({"uidvalidity": self.uidvalidity, "uid": self.uid,
                           "since": self.since}, sort_keys=True)


class _SmtpAnswer(Exception):
    def __init__(self, code: int, text: str, phase: str) -> None:
        super().__init__(f"{code} {text}")
        self.code, self.text, self.phase = code, text, phase


def _said(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return " ".join(text.split())[:300]


def smtp_error(code: int, text: str, where: str) -> ConnectorError:
    """An SMTP reply code (RFC 5321 §4.2, enhanced codes RFC 3463) as our error."""
    lowered = text.lower()
    if code == 535 or code == 534 or (code == 530 and "auth" in lowered):
        return AuthError(f"{where}: login refused ({code})", network_message=text, status=code)
    if "5.4.5" in text or "quota" in lowered:
        return RateLimited(f"{where}: sending quota used up", 3600.0,
                           network_message=text, status=code)
    if 400 <= code < 500:
        if "4.7." in text or "rate" in lowered or "too many" in lowered:
            return RateLimited(f"{where}: {code} {text}", 300.0, network_message=text,
                               status=code)
        return TransientError(f"{where}: {code} {text}", network_message=text, status=code)
    return PermanentError(f"{where}: {code} {text}", network_message=text, status=code)


@register
class EmailConnector(Connector):
    network = "email"
    #: Not used for mail (IMAP/SMTP are not HTTP): the base class's HTTP client
    #: serves only to redact the password from messages.
    default_base_url = "http://email.invalid"
    idempotency = Idempotency.LOOKUP
    streams = ("inbox", "sent")
    options_help = OPTIONS

    def __init__(self, *args: Any, timeout: float = TIMEOUT,
                 ssl_context: ssl.SSLContext | None = None, **kwargs: Any) -> None:
        if kwargs.get("http") is None:
            token = args[1] if len(args) > 1 else kwargs.get("token", "")
            kwargs["http"] = HttpClient(self.default_base_url, secrets=[token],
                                        transport=kwargs.get("transport"))
        super().__init__(*args, **kwargs)
        self._password = self.credentials.get("token") or self._token
        self.http.add_secret(self._password)
        self.timeout = timeout
        self.ssl_context = ssl_context
        self._settings: MailSettings | None = None
        self._session: ImapSession | None = None
        self._lock = asyncio.Lock()
        #: message id -> thread root, for replies that carry only In-Reply-To.
        self._roots: OrderedDict[str, str] = OrderedDict()

    @property
    def settings(self) -> MailSettings:
        if self._settings is None:
            self._settings = settings_from(self.account)
        return self._settings

    # -- IMAP plumbing -----------------------------------------------------------

    async def _in_imap(self, what: str, fn: Callable[[ImapSession], T]) -> T:
        """Run ``fn`` with the account's IMAP session in a worker thread; map errors."""
        async with self._lock:
            if self._session is None:
                self._session = ImapSession(self.settings, self._password, self.timeout,
                                            self.ssl_context)
            session = self._session
            where = f"IMAP {self.settings.imap_host}: {what}"
            try:
                return await asyncio.to_thread(_locked, session, fn)
            except PermanentError:
                raise
            except ConnectorError:
                session.drop()
                raise
            except (imaplib.IMAP4.abort, OSError, EOFError) as exc:
                session.drop()
                raise TransientError(f"{where}: {self.redact(_describe(exc))}") from None
            except imaplib.IMAP4.error as exc:
                session.drop()
                said = self.redact(_describe(exc))
                raise PermanentError(f"{where}: {said}", network_message=said) from None

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            async with self._lock:
                await asyncio.to_thread(session.logout)
        await super().aclose()

    # -- fetch -------------------------------------------------------------------

    async def fetch(self, stream: str, cursor: str | None, *, wait: float) -> FetchResult:
        del wait  # imaplib has no IDLE before Python 3.14: the engine's interval paces polls
        if stream == "inbox":
            folder, first_run = self.settings.folder, FIRST_RUN
        elif stream == "sent":
            folder, first_run = self.settings.sent_folder, 0
        else:
            raise ValueError(f"email has no stream {stream!r}")
        start = Cursor.load(cursor)
        result = await self._in_imap(
            f"reading {folder}", lambda s: self._fetch_sync(s, folder, start, first_run))
        return result if result.cursor != cursor else FetchResult(
            result.messages, None, result.quarantined, result.more)

    def _fetch_sync(self, session: ImapSession, folder: str, cursor: Cursor | None,
                    first_run: int) -> FetchResult:
        try:
            box = session.examine(folder)
        except NoMailbox:
            if folder == self.settings.folder:
                raise PermanentError(f"IMAP: there is no folder {folder!r}") from None
            return FetchResult(messages=[], cursor=None)  # no Sent folder yet
        since = cursor.since if cursor is not None else ""
        rescan = cursor is not None and cursor.uidvalidity != box.uidvalidity
        day = _day(cursor.since) if cursor is not None else None
        if cursor is None or (rescan and day is None):
            # First run: the newest few (by sequence number, so a huge mailbox
            # never sends every UID), then onwards from the top.
            first = max(1, box.exists - first_run + 1) if first_run > 0 else box.exists
            found = session.search(f"{first}:*") if box.exists else []
            candidates = found if first_run > 0 else []
            floor = max([*found[-1:], (box.uidnext or 1) - 1])
        elif rescan:  # UIDs were reset: look again from a day before the newest seen
            assert day is not None
            candidates = session.search("SINCE", imap_date(day))
            floor = max([*candidates[-1:], (box.uidnext or 1) - 1])
        else:
            assert cursor is not None
            floor = cursor.uid
            top = box.uidnext - 1 if box.uidnext else None  # every UID is below UIDNEXT
            if top is not None and top - floor <= BATCH:
                # At most a page of UIDs can be new: fetch them without a SEARCH
                # (none at all when UIDNEXT has not moved), one round trip.
                fetched = session.fetch(list(range(floor + 1, top + 1)), MAX_FETCH)
                return self._result(box, since, fetched, [f.uid for f in fetched], floor,
                                    rescan, more=False)
            candidates = [u for u in session.search("UID", f"{floor + 1}:*") if u > floor]
        batch, more = candidates[:BATCH], len(candidates) > BATCH
        return self._result(box, since, session.fetch(batch, MAX_FETCH), batch, floor, rescan,
                            more)

    def _result(self, box: Mailbox, since: str, fetched: list[Fetched], batch: list[int],
                floor: int, rescan: bool, more: bool) -> FetchResult:
        position = batch[-1] if more else max([floor, *batch])
        messages, bad = self._build(fetched, skip_known=rescan)
        newest = max((f.received_at for f in fetched if f.received_at), default=None)
        if newest is not None:
            since = max(since, newest.date().isoformat())
        return FetchResult(messages, Cursor(box.uidvalidity, position, since).dump(), bad,
                           more=more)

    def _build(self, fetched: list[Fetched],
               skip_known: bool) -> tuple[list[IncomingMessage], list[Quarantined]]:
        own = {self.settings.address, self.settings.username.lower()}
        messages: list[IncomingMessage] = []
        bad: list[Quarantined] = []
        seen: set[str] = set()
        for item in fetched:
            try:
                mail = parse_mail(item.raw)
                if skip_known and mail.external_id in self._roots:
                    continue  # a rescan meets what this session already passed on
                message = to_message(mail, own=own, received_at=item.received_at,
                                     roots=self._roots)
            except (MalformedMail, ValueError) as exc:
                bad.append(Quarantined(raw=_quarantine_raw(item.raw),
                                       reason=f"email UID {item.uid} skipped: {exc}"))
                continue
            self._remember(mail.external_id, thread_root(mail, self._roots))
            if message is not None and message.external_id not in seen:
                seen.add(message.external_id)  # one Message-ID twice in a folder: once
                messages.append(message)
        return messages, bad

    def _remember(self, message_id: str, root: str) -> None:
        self._roots[message_id] = root
        self._roots.move_to_end(message_id)
        while len(self._roots) > ROOT_CACHE_SIZE:
            self._roots.popitem(last=False)

    # -- send --------------------------------------------------------------------

    def message_id_for(self, reply: OutgoingReply) -> str:
        """The Message-ID every try of ``reply`` carries."""
        return reply_message_id(reply.reply_id, self.settings.address)

    async def send(self, reply: OutgoingReply) -> Delivery:
        settings = self.settings
        if not settings.smtp_host:
            raise PermanentError("cannot reply: the email account has no smtp_host option")
        message_id = self.message_id_for(reply)
        now = self.clock()
        try:
            message = build_reply(reply, address=settings.address,
                                  from_name=settings.from_name, message_id=message_id, now=now)
        except ValueError as exc:
            raise PermanentError(f"cannot reply: {exc}") from None
        raw = message.as_bytes()
        recipient = str(message["To"].addresses[0].addr_spec)
        where = f"SMTP {settings.smtp_host}:{settings.smtp_port}"
        phase = ["connect"]
        try:
            await asyncio.to_thread(self._smtp_session, raw, recipient, phase)
        except _SmtpAnswer as exc:
            raise smtp_error(exc.code, self.redact(exc.text), f"{where} ({exc.phase})") from None
        except smtplib.SMTPResponseException as exc:  # greeting, STARTTLS, AUTH refused
            raise smtp_error(exc.smtp_code, self.redact(_said(exc.smtp_error)),
                             f"{where} ({phase[0]})") from None
        except (smtplib.SMTPException, OSError) as exc:  # timeouts, resets, TLS errors
            # Lost once DATA began: the server may have queued it. Settle by look-up.
            raise TransientError(f"{where}: {type(exc).__name__} during {phase[0]}",
                                 maybe_delivered=phase[0] == "data") from None
        if settings.append_sent:
            try:
                await self._in_imap(f"filing the reply in {settings.sent_folder}",
                                    lambda s: s.append(settings.sent_folder, raw, now))
            except ConnectorError as exc:
                log.warning("email reply %s delivered but not filed in %s: %s",
                            reply.reply_id, settings.sent_folder, self.redact(exc))
        key = reply.target.thread_key
        self._remember(message_id, key[3:] if key.startswith("dm:") else message_id)
        return Delivery(external_id=message_id, delivered_at=now,
                        raw={"message_id": message_id, "to": recipient})

    def _smtp_session(self, raw: bytes, recipient: str, phase: list[str]) -> None:
        settings = self.settings
        context = self.ssl_context or ssl.create_default_context()
        smtp: smtplib.SMTP
        if settings.smtp_security == "ssl":
            smtp = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port,
                                    timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=self.timeout)
        try:
            phase[0] = "handshake"
            smtp.ehlo_or_helo_if_needed()
            if settings.smtp_security == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if settings.username:
                phase[0] = "login"
                _smtp_login(smtp, settings.username, self._password)
            phase[0] = "envelope"
            code, said = smtp.mail(settings.address)
            if code != 250:
                raise _SmtpAnswer(code, _said(said), "MAIL FROM")
            code, said = smtp.rcpt(recipient)
            if code not in (250, 251):
                raise _SmtpAnswer(code, _said(said), "RCPT TO")
            phase[0] = "data"
            code, said = smtp.data(raw)
            if code != 250:
                raise _SmtpAnswer(code, _said(said), "DATA")
            phase[0] = "done"
        finally:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()

    async def find_delivered(self, reply: OutgoingReply) -> Delivery | None:
        """Our reply in the Sent folder, found by its Message-ID."""
        message_id = self.message_id_for(reply)
        folder = self.settings.sent_folder
        found = await self._in_imap(f"looking in {folder}",
                                    lambda s: s.find_message_id(folder, message_id))
        if found is None:
            return None
        return Delivery(external_id=message_id,
                        delivered_at=found.received_at or self.clock(),
                        raw={"message_id": message_id, "folder": folder, "uid": found.uid})


def _locked(session: ImapSession, fn: Callable[[ImapSession], T]) -> T:
    with session.lock:
        return fn(session)


def _smtp_login(smtp: smtplib.SMTP, username: str, password: str) -> None:
    """AUTH PLAIN/LOGIN; UTF-8 credentials go as PLAIN (smtplib.login is ASCII-only)."""
    if username.isascii() and password.isascii():
        smtp.login(username, password)
        return
    token = base64.b64encode(f"\0{username}\0{password}".encode()).decode("ascii")
    code, said = smtp.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, said)


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())[:300]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _quarantine_raw(raw: bytes) -> str:
    return raw[:QUARANTINE_BYTES].decode("utf-8", "replace")


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day(value: str) -> datetime | None:
    """The day before ``value`` (a rescan's start; time zones differ)."""
    if not _DAY.fullmatch(value or ""):
        return None
    try:
        day = datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError:
        return None
    return day - timedelta(days=1)
