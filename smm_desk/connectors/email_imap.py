"""The IMAP side of the email connector: settings and one blocking session.

:class:`ImapSession` wraps one ``imaplib`` connection (RFC 3501) and is only
ever used from one worker thread at a time (the connector holds a lock). It
connects and logs in lazily, keeps the connection between polls, and forgets
it (:meth:`ImapSession.drop`) after any failure so the next call starts
clean. Errors it raises itself: ``AuthError`` for a refused login,
``TransientError`` for ``[UNAVAILABLE]``/``BYE``, :class:`NoMailbox` for a
folder that does not exist; ``imaplib``'s own errors and socket errors go up
to the connector, which maps them once.

Wire details handled here:

* mailbox names are sent as quoted strings in modified UTF-7 (RFC 3501
  §5.1.3), so "Отправленные" works; ``imaplib`` quotes nothing itself;
* a login whose name or password is not ASCII goes as ``AUTHENTICATE PLAIN``
  (UTF-8, RFC 4616) — ``LOGIN`` is ASCII-only in ``imaplib``;
* FETCH answers are read from ``imaplib``'s list of ``(head, literal)`` tuples
  and trailing bytes, wherever the server puts ``UID`` and ``INTERNALDATE``;
* INTERNALDATE (``"17-Jul-1996 02:44:25 -0700"``) and SEARCH dates
  (``1-Feb-2026``) use English month names whatever the process locale.
"""

from __future__ import annotations

import base64
import imaplib
import re
import ssl
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import urlsplit

from smm_desk.connectors.base import AccountConfig
from smm_desk.connectors.email_parse import valid_address
from smm_desk.connectors.errors import AuthError, PermanentError, TransientError

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_INTERNALDATE = re.compile(
    rb'INTERNALDATE "\s?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)"')
_UID = re.compile(rb"\bUID (\d+)")
_SECURITY = ("ssl", "starttls", "none")
#: Response codes (RFC 5530) that say "not now" rather than "never".
_BUSY = ("UNAVAILABLE", "INUSE", "LIMIT", "SERVERBUG")
IMAP_PORTS = {"ssl": 993, "starttls": 143, "none": 143}
SMTP_PORTS = {"ssl": 465, "starttls": 587, "none": 25}


class NoMailbox(Exception):
    """SELECT/EXAMINE said the folder does not exist."""


@dataclass(frozen=True)
class MailSettings:
    imap_host: str
    imap_port: int
    imap_security: str
    smtp_host: str
    smtp_port: int
    smtp_security: str
    username: str
    address: str
    sent_folder: str = "Sent"
    folder: str = "INBOX"
    from_name: str = ""
    append_sent: bool = True


def _security(value: str | None, default: str, what: str) -> str:
    value = (value or default).strip().lower()
    aliases = {"tls": "ssl", "imaps": "ssl", "smtps": "ssl", "plain": "none", "off": "none"}
    value = aliases.get(value, value)
    if value not in _SECURITY:
        raise PermanentError(f"email option {what}={value!r}: expected ssl, starttls or none")
    return value


def _port(value: str | None, default: int, what: str) -> int:
    if not value:
        return default
    try:
        port = int(value)
    except ValueError:
        port = 0
    if not 0 < port < 65536:
        raise PermanentError(f"email option {what}={value!r} is not a port number")
    return port


def settings_from(account: AccountConfig) -> MailSettings:
    """The account's options checked; ``PermanentError`` names what is wrong."""
    opts = {k.strip().lower(): v.strip() for k, v in account.options.items()}
    imap_host = opts.get("imap_host", "")
    imap_security = opts.get("imap_security")
    imap_port = opts.get("imap_port")
    base = urlsplit(account.base_url or "")
    if not imap_host and base.scheme in ("imap", "imaps") and base.hostname:
        imap_host = base.hostname
        imap_security = imap_security or ("ssl" if base.scheme == "imaps" else "starttls")
        imap_port = imap_port or (str(base.port) if base.port else None)
    if not imap_host:
        raise PermanentError("email account has no imap_host option "
                             "(accounts add email --option imap_host=imap.example.com)")
    imap_sec = _security(imap_security, "ssl", "imap_security")
    smtp_sec = _security(opts.get("smtp_security"), "starttls", "smtp_security")
    name = account.name.strip()
    username = opts.get("username") or opts.get("address") or name
    address = valid_address(opts.get("address") or (username if "@" in username else name))
    if address is None:
        raise PermanentError("email account has no valid address "
                             "(--option address=support@example.com)")
    return MailSettings(
        imap_host=imap_host,
        imap_port=_port(imap_port, IMAP_PORTS[imap_sec], "imap_port"),
        imap_security=imap_sec,
        smtp_host=opts.get("smtp_host", ""),
        smtp_port=_port(opts.get("smtp_port"), SMTP_PORTS[smtp_sec], "smtp_port"),
        smtp_security=smtp_sec,
        username=username,
        address=address,
        sent_folder=opts.get("sent_folder") or "Sent",
        folder=opts.get("folder") or "INBOX",
        from_name=opts.get("from_name", ""),
        append_sent=opts.get("append_sent", "yes").lower() not in ("no", "false", "0", "off"),
    )


# -- wire helpers --------------------------------------------------------------

def quote(value: str) -> str:
    """An IMAP quoted string (ASCII; callers encode mailbox names first)."""
    if any(c in value for c in "\r\n\0") or not value.isascii():
        raise ValueError("cannot quote this value for IMAP")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def utf7(name: str) -> str:
    """A mailbox name in IMAP's modified UTF-7 (RFC 3501 §5.1.3)."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            data = "".join(pending).encode("utf-16-be", "surrogatepass")
            out.append("&" + base64.b64encode(data).decode("ascii").rstrip("=")
                       .replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if " " <= char <= "~":
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)


def uid_set(uids: Iterable[int]) -> str:
    """Ascending UIDs as a sequence set, runs as ranges: ``1:3,7,9:10``."""
    runs: list[list[int]] = []
    for uid in uids:
        if runs and uid == runs[-1][1] + 1:
            runs[-1][1] = uid
        else:
            runs.append([uid, uid])
    return ",".join(str(a) if a == b else f"{a}:{b}" for a, b in runs)


def imap_date(day: datetime) -> str:
    """A SEARCH date: ``1-Feb-2026``."""
    return f"{day.day}-{MONTHS[day.month - 1]}-{day.year}"


def internal_date(when: datetime) -> str:
    """An APPEND date-time, quoted: ``"01-Feb-2026 10:00:00 +0000"``."""
    when = when.astimezone(UTC)
    return f'"{when.day:02d}-{MONTHS[when.month - 1]}-{when.year} {when:%H:%M:%S} +0000"'


def parse_internal_date(meta: bytes) -> datetime | None:
    match = _INTERNALDATE.search(meta)
    if match is None:
        return None
    day, mon, year, hh, mm, ss, sign, oh, om = match.groups()
    try:
        month = MONTHS.index(mon.decode("ascii").title()) + 1
        offset = timedelta(hours=int(oh), minutes=int(om))
        zone = timezone(-offset if sign == b"-" else offset)
        return datetime(int(year), month, int(day), int(hh), int(mm), int(ss),
                        tzinfo=zone).astimezone(UTC)
    except ValueError:
        return None


@dataclass(frozen=True)
class Fetched:
    uid: int
    received_at: datetime | None
    raw: bytes


def parse_fetch(data: Iterable[object]) -> list[Fetched]:
    """``imaplib`` FETCH data → messages (items without a literal are skipped)."""
    items = list(data)
    found: list[Fetched] = []
    for index, item in enumerate(items):
        if not (isinstance(item, tuple) and len(item) == 2):
            continue
        head, literal = item
        if not isinstance(head, bytes) or not isinstance(literal, bytes):
            continue
        after = items[index + 1] if index + 1 < len(items) else b""
        meta = head + b" " + (after if isinstance(after, bytes) else b"")
        uid = _UID.search(meta)
        if uid is None:
            continue
        found.append(Fetched(int(uid.group(1)), parse_internal_date(meta), literal))
    return found


def _text(data: object) -> str:
    if isinstance(data, list | tuple):
        return " ".join(_text(d) for d in data)
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    return "" if data is None else str(data)


@dataclass(frozen=True)
class Mailbox:
    uidvalidity: int
    uidnext: int | None
    exists: int


class ImapSession:
    """One IMAP connection (blocking; one thread at a time)."""

    def __init__(self, settings: MailSettings, password: str, timeout: float,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self._password = password
        self.timeout = timeout
        self.ssl_context = ssl_context
        self._conn: imaplib.IMAP4 | None = None
        #: Held by whichever worker thread uses the connection (a cancelled
        #: task's thread may still be in it when the connector closes).
        self.lock = threading.Lock()

    def _context(self) -> ssl.SSLContext:
        return self.ssl_context or ssl.create_default_context()

    def conn(self) -> imaplib.IMAP4:
        if self._conn is not None:
            return self._conn
        s = self.settings
        conn: imaplib.IMAP4
        if s.imap_security == "ssl":
            conn = imaplib.IMAP4_SSL(s.imap_host, s.imap_port, ssl_context=self._context(),
                                     timeout=self.timeout)
        else:
            conn = imaplib.IMAP4(s.imap_host, s.imap_port, timeout=self.timeout)
        try:
            if s.imap_security == "starttls":
                conn.starttls(ssl_context=self._context())
            self._login(conn)
        except BaseException:
            _close(conn)
            raise
        self._conn = conn
        return conn

    def _login(self, conn: imaplib.IMAP4) -> None:
        user, password = self.settings.username, self._password
        try:
            if user.isascii() and password.isascii():
                conn.login(quote(user), password)
            else:
                conn.authenticate("PLAIN", lambda _: f"\0{user}\0{password}".encode())
        except imaplib.IMAP4.abort:
            raise
        except imaplib.IMAP4.error as exc:
            said = " ".join(str(exc).split())[:300]
            if any(f"[{code}" in said.upper() for code in _BUSY):
                raise TransientError(f"IMAP login: server busy: {said}",
                                     network_message=said) from None
            raise AuthError(f"IMAP login refused for {user}", network_message=said) from None

    def drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            _close(conn)

    def logout(self) -> None:
        with self.lock:
            conn, self._conn = self._conn, None
            if conn is None:
                return
            try:
                conn.logout()
            except (imaplib.IMAP4.error, OSError, EOFError):
                _close(conn)

    def _check(self, typ: str, data: object, what: str) -> None:
        if typ != "OK":
            said = " ".join(_text(data).split())[:300]
            if any(f"[{code}" in said.upper() for code in _BUSY):
                raise TransientError(f"IMAP {what}: {typ} {said}", network_message=said)
            raise PermanentError(f"IMAP {what}: {typ} {said}", network_message=said)

    def examine(self, folder: str) -> Mailbox:
        """Open ``folder`` read-only; its UIDVALIDITY and UIDNEXT."""
        conn = self.conn()
        typ, data = conn.select(quote(utf7(folder)), readonly=True)
        if typ != "OK":
            said = _text(data)
            if "NONEXISTENT" in said.upper() or "doesn't exist" in said or \
                    "does not exist" in said.lower() or "not found" in said.lower():
                raise NoMailbox(folder)
            self._check(typ, data, f"EXAMINE {folder}")
        validity = _number(conn.response("UIDVALIDITY")[1])
        if validity is None:
            raise PermanentError(f"IMAP EXAMINE {folder}: the server gave no UIDVALIDITY")
        return Mailbox(validity, _number(conn.response("UIDNEXT")[1]), _number(data) or 0)

    def search(self, *criteria: str) -> list[int]:
        typ, data = self.conn().uid("SEARCH", *criteria)
        self._check(typ, data, "UID SEARCH")
        uids: set[int] = set()
        for line in data:
            if isinstance(line, bytes):
                uids.update(int(t) for t in line.split() if t.isdigit())
        return sorted(uids)

    def fetch(self, uids: list[int], max_bytes: int) -> list[Fetched]:
        if not uids:
            return []
        typ, data = self.conn().uid(
            "FETCH", uid_set(uids), f"(UID INTERNALDATE BODY.PEEK[]<0.{max_bytes}>)")
        self._check(typ, data, "UID FETCH")
        wanted = set(uids)
        return [f for f in parse_fetch(data) if f.uid in wanted]

    def append(self, folder: str, raw: bytes, when: datetime) -> None:
        conn = self.conn()
        name = quote(utf7(folder))
        typ, data = conn.append(name, r"(\Seen)", internal_date(when), raw)
        if typ != "OK" and "TRYCREATE" in _text(data).upper():
            conn.create(name)
            typ, data = conn.append(name, r"(\Seen)", internal_date(when), raw)
        self._check(typ, data, f"APPEND {folder}")

    def find_message_id(self, folder: str, message_id: str) -> Fetched | None:
        """The message with ``message_id`` in ``folder`` (without its body), if any."""
        try:
            self.examine(folder)
        except NoMailbox:
            return None
        uids = self.search("HEADER", "Message-ID", quote(f"<{message_id}>"))
        if not uids:
            return None
        typ, data = self.conn().uid("FETCH", str(uids[0]), "(UID INTERNALDATE)")
        self._check(typ, data, "UID FETCH")
        when = None
        for line in data:
            head = line[0] if isinstance(line, tuple) else line
            if isinstance(head, bytes) and when is None:
                when = parse_internal_date(head)
        return Fetched(uids[0], when, b"")


def _number(data: object) -> int | None:
    for item in data if isinstance(data, list) else [data]:
        text = _text(item).strip()
        if text.isdigit():
            return int(text)
    return None


def _close(conn: imaplib.IMAP4) -> None:
    try:
        conn.shutdown()
    except (OSError, EOFError, AttributeError):
        pass
