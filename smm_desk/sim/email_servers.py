"""The email simulator's wire: a small IMAP4rev1 server, served with the SMTP
receiver of :mod:`smm_desk.sim.email_smtp` (sockets: :mod:`smm_desk.sim.email_socket`).

Both listen on 127.0.0.1 (free ports) in daemon threads and serve the
mailboxes of a :class:`~smm_desk.sim.email.EmailSim`. They speak only what
real clients (``imaplib``, ``smtplib``) need from SMM Desk's connector, in
the real protocols' shapes:

IMAP (RFC 3501): ``CAPABILITY``, ``NOOP``, ``LOGOUT``, ``LOGIN``,
``AUTHENTICATE PLAIN``, ``SELECT``/``EXAMINE`` (``UIDVALIDITY``, ``UIDNEXT``,
``EXISTS``), ``CREATE``, ``APPEND`` (synchronizing literals, ``[TRYCREATE]``
for a missing folder), ``CLOSE``, ``SEARCH``/``UID SEARCH`` (``ALL``,
sequence sets, ``UID`` sets, ``SINCE``, ``BEFORE``, ``HEADER``; ``n:*``
includes the highest UID even when it is below ``n``, as RFC 3501 says) and
``FETCH``/``UID FETCH`` (``UID``, ``FLAGS``, ``INTERNALDATE``, ``RFC822.SIZE``,
``RFC822``, ``BODY[]``/``BODY.PEEK[]`` with a ``<start.count>`` part).
Mailbox names arrive as the client sends them (modified UTF-7).

Faults (``Fault(network="email", …)``; ``match`` is a substring of the point
``imap/LOGIN``, ``imap/SELECT``, ``imap/SEARCH``, ``imap/FETCH``,
``imap/APPEND``, ``smtp/CONNECT``, ``smtp/AUTH``, ``smtp/MAIL``,
``smtp/DATA``): ``latency`` sleeps then answers; ``hang`` sleeps then drops
the connection; ``auth`` refuses the login (IMAP ``NO
[AUTHENTICATIONFAILED]``, SMTP ``535 5.7.8``) or ends an IMAP session with
``BYE``; ``status`` answers ``fault.status`` (SMTP) or ``NO
[UNAVAILABLE]`` (IMAP); ``rate_limit`` answers SMTP ``451 4.7.0`` / IMAP ``NO
[LIMIT]``; ``malformed`` makes FETCH return bytes that are no email;
``after`` accepts DATA, records the message, then drops the connection
before answering — the client cannot know it was sent.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import re
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from smm_desk.sim.email_smtp import SmtpHandler
from smm_desk.sim.email_socket import _Base, _Closed, _Server

if TYPE_CHECKING:
    from smm_desk.sim.email import EmailSim, SimFolder, SimMailbox

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_TOKEN = re.compile(rb'\(|\)|"(?:[^"\\]|\\.)*"|[^\s()"]+')
_LITERAL = re.compile(rb"\{(\d{1,9})\+?\}\r?\n?$")
_PART = re.compile(r"^(BODY(?:\.PEEK)?\[\]|RFC822)(?:<(\d+)\.(\d+)>)?$")
def imap_internal(at: datetime) -> str:
    at = at.astimezone(UTC)
    return f"{at.day:02d}-{MONTHS[at.month - 1]}-{at.year} {at:%H:%M:%S} +0000"


def _date(text: str) -> datetime | None:
    match = re.fullmatch(r"(\d{1,2})-([A-Za-z]{3})-(\d{4})", text)
    if not match or match.group(2).title() not in MONTHS:
        return None
    return datetime(int(match.group(3)), MONTHS.index(match.group(2).title()) + 1,
                    int(match.group(1)), tzinfo=UTC)


def _pick(spec: str, keys: Sequence[int]) -> list[int]:
    """Indices of the ascending ``keys`` (UIDs, as RFC 3501 §2.3.1.1 keeps
    them, or sequence numbers) in the sequence set ``spec``, ascending: each
    piece is bisected rather than every message tested against every piece.
    ``*`` is the highest key; ``a:b`` is ``b:a``; a bad number: ValueError."""
    top = keys[-1] if keys else 0
    found: set[int] = set()
    for piece in spec.split(","):
        a, colon, b = piece.partition(":")
        lo = top if a == "*" else int(a)
        hi = lo if not colon else (top if b == "*" else int(b))
        found.update(range(bisect.bisect_left(keys, min(lo, hi)),
                           bisect.bisect_right(keys, max(lo, hi))))
    return sorted(found)


def _is_set(token: str) -> bool:
    return bool(re.fullmatch(r"[\d*]+(?::[\d*]+)?(?:,[\d*]+(?::[\d*]+)?)*", token))


def _unquote(token: bytes) -> str:
    text = token.decode("utf-8", "replace")
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    return text


def _date_test(day: datetime, since: bool) -> Callable[[Any], bool]:
    if since:
        return lambda m: bool(m.internal.date() >= day.date())
    return lambda m: bool(m.internal.date() < day.date())


def _narrow(chosen: list[int] | None, picked: list[int]) -> list[int]:
    if chosen is None:
        return picked
    keep = set(picked)
    return [i for i in chosen if i in keep]


class ImapHandler(_Base):
    def handle(self) -> None:
        self.box: SimMailbox | None = None
        self.folder: SimFolder | None = None
        self.send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] SMM Desk simulated IMAP ready\r\n")
        try:
            while True:
                line = self.readline(1_000_000)
                if not line:
                    return
                tokens = self._tokens(line)
                if len(tokens) < 2:
                    self.send(b"* BAD empty command\r\n")
                    continue
                tag, command = _unquote(tokens[0]), _unquote(tokens[1]).upper()
                if not self._command(tag, command, tokens[2:]):
                    return
        except (_Closed, OSError):
            return

    def _tokens(self, line: bytes) -> list[bytes]:
        tokens: list[bytes] = []
        while True:
            literal = _LITERAL.search(line)
            head = line[:literal.start()] if literal else line
            tokens.extend(_TOKEN.findall(head))
            if literal is None:
                return tokens
            self.send(b"+ go ahead\r\n")
            tokens.append(b"\x00LIT" + self.read(int(literal.group(1))))
            line = self.readline(1_000_000)

    def _command(self, tag: str, command: str, args: list[bytes]) -> bool:
        if command == "UID" and args:
            return self._command_uid(tag, _unquote(args[0]).upper(), args[1:])
        if command == "CAPABILITY":
            self.send("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n")
        elif command == "NOOP":
            pass
        elif command == "LOGOUT":
            self.send(f"* BYE logging out\r\n{tag} OK LOGOUT completed\r\n")
            return False
        elif command == "LOGIN" and len(args) == 2:
            return self._login(tag, _unquote(args[0]), _unquote(args[1]))
        elif command == "AUTHENTICATE" and args and _unquote(args[0]).upper() == "PLAIN":
            self.send(b"+ \r\n")
            answer = self.readline(10_000).strip()
            try:
                _, user, password = base64.b64decode(answer).decode("utf-8").split("\0", 2)
            except (binascii.Error, ValueError):
                self.send(f"{tag} BAD invalid SASL response\r\n")
                return True
            return self._login(tag, user, password)
        elif self.box is None:
            self.send(f"{tag} BAD not authenticated\r\n")
        elif command in ("SELECT", "EXAMINE") and len(args) == 1:
            return self._select(tag, command, _unquote(args[0]))
        elif command == "CREATE" and len(args) == 1:
            created = self.sim.create_folder(self.box, _unquote(args[0]))
            self.send(f"{tag} {'OK CREATE completed' if created else 'NO mailbox exists'}\r\n")
        elif command == "APPEND" and len(args) >= 2:
            return self._append(tag, args)
        elif command == "CLOSE":
            self.folder = None
        elif command in ("SEARCH", "FETCH"):
            return self._command_uid(tag, command, args, by_uid=False)
        else:
            self.send(f"{tag} BAD unknown command {command[:40]}\r\n")
            return True
        if command in ("CAPABILITY", "NOOP", "CLOSE"):
            self.send(f"{tag} OK {command} completed\r\n")
        return True

    def _login(self, tag: str, user: str, password: str) -> bool:
        fault = self.fault("imap/LOGIN")
        if fault is not None:
            word = {"auth": "AUTHENTICATIONFAILED", "rate_limit": "LIMIT"}.get(
                fault.kind, "UNAVAILABLE")
            self.send(f"{tag} NO [{word}] simulated failure\r\n")
            return True
        box = self.sim.login(user, password)
        if box is None:
            self.send(f"{tag} NO [AUTHENTICATIONFAILED] Authentication failed.\r\n")
            return True
        self.box = box
        self.send(f"{tag} OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Logged in\r\n")
        return True

    def _select(self, tag: str, command: str, name: str) -> bool:
        assert self.box is not None
        if self.fault("imap/SELECT") is not None:
            self.send(f"{tag} NO [UNAVAILABLE] simulated failure\r\n")
            return True
        folder = self.sim.folder(self.box, name)
        self.folder = folder
        if folder is None:
            self.send(f"{tag} NO [NONEXISTENT] Mailbox doesn't exist: {name[:100]}\r\n")
            return True
        with self.sim.world.lock:
            exists, validity, uidnext = len(folder.messages), folder.uidvalidity, folder.uidnext
        mode = "READ-ONLY" if command == "EXAMINE" else "READ-WRITE"
        self.send("* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
                  f"* {exists} EXISTS\r\n* 0 RECENT\r\n"
                  f"* OK [UIDVALIDITY {validity}] UIDs valid\r\n"
                  f"* OK [UIDNEXT {uidnext}] Predicted next UID\r\n"
                  f"{tag} OK [{mode}] {command} completed\r\n")
        return True

    def _append(self, tag: str, args: list[bytes]) -> bool:
        assert self.box is not None
        if self.fault("imap/APPEND") is not None:
            self.send(f"{tag} NO [UNAVAILABLE] simulated failure\r\n")
            return True
        literal = args[-1]
        if not literal.startswith(b"\x00LIT"):
            self.send(f"{tag} BAD APPEND wants a literal\r\n")
            return True
        folder = self.sim.folder(self.box, _unquote(args[0]))
        if folder is None:
            self.send(f"{tag} NO [TRYCREATE] Mailbox doesn't exist\r\n")
            return True
        when = None
        for token in args[1:-1]:
            text = _unquote(token)
            match = re.fullmatch(r"\s?(\d{1,2}-\w{3}-\d{4}) (\d\d):(\d\d):(\d\d) ([+-]\d{4})",
                                 text)
            if match:
                day = _date(match.group(1))
                if day is not None:
                    when = datetime.strptime(
                        f"{day:%Y-%m-%d} {match.group(2)}:{match.group(3)}:{match.group(4)} "
                        f"{match.group(5)}", "%Y-%m-%d %H:%M:%S %z").astimezone(UTC)
        uid = self.sim.store(folder, literal[4:], when)
        self.send(f"{tag} OK [APPENDUID {folder.uidvalidity} {uid}] APPEND completed\r\n")
        return True

    def _command_uid(self, tag: str, command: str, args: list[bytes],
                     by_uid: bool = True) -> bool:
        if self.box is None or self.folder is None:
            self.send(f"{tag} BAD no mailbox selected\r\n")
            return True
        words = [_unquote(a) for a in args]
        try:
            if command == "SEARCH":
                if self.fault("imap/SEARCH") is not None:
                    self.send(f"{tag} NO [UNAVAILABLE] simulated failure\r\n")
                    return True
                found = self._search(words, by_uid)
                self.send(f"* SEARCH{''.join(f' {n}' for n in found)}\r\n")
            elif command == "FETCH" and len(words) >= 2:
                fault = self.fault("imap/FETCH")
                if fault is not None and fault.kind != "malformed":
                    if fault.kind == "auth":
                        self.send("* BYE session expired\r\n")
                        return False
                    self.send(f"{tag} NO [UNAVAILABLE] simulated failure\r\n")
                    return True
                self._fetch(words[0], words[1:], by_uid, broken=fault is not None)
            else:
                self.send(f"{tag} BAD unknown {'UID ' if by_uid else ''}command\r\n")
                return True
        except (ValueError, IndexError):
            self.send(f"{tag} BAD could not parse the arguments\r\n")
            return True
        self.send(f"{tag} OK {'UID ' if by_uid else ''}{command} completed\r\n")
        return True

    def _messages(self) -> list[Any]:
        """The folder's messages in sequence order (number = index + 1)."""
        assert self.folder is not None
        with self.sim.world.lock:
            return list(self.folder.messages)

    def _search(self, words: list[str], by_uid: bool) -> list[int]:
        messages = self._messages()
        uids = [m.uid for m in messages]
        chosen: list[int] | None = None  # indices, narrowed by UID and sequence sets
        tests: list[Callable[[Any], bool]] = []
        i = 0
        while i < len(words):
            word = words[i].upper()
            if word == "ALL":
                pass
            elif word == "UID":
                chosen = _narrow(chosen, _pick(words[i + 1], uids))
                i += 1
            elif word in ("SINCE", "BEFORE"):
                day = _date(words[i + 1])
                if day is None:
                    raise ValueError(words[i + 1])
                tests.append(_date_test(day, since=word == "SINCE"))
                i += 1
            elif word == "HEADER":
                tests.append(self._header_test(words[i + 1], words[i + 2]))
                i += 2
            elif _is_set(word):
                chosen = _narrow(chosen, _pick(word, range(1, len(messages) + 1)))
            else:
                raise ValueError(word)
            i += 1
        indices = range(len(messages)) if chosen is None else chosen
        return [uids[n] if by_uid else n + 1 for n in indices
                if all(test(messages[n]) for test in tests)]

    def _header_test(self, name: str, value: str) -> Callable[[Any], bool]:
        wanted = value.lower()
        return lambda m: any(wanted in h.lower() for h in self.sim.header_values(m, name))

    def _fetch(self, spec: str, items: list[str], by_uid: bool, broken: bool) -> None:
        names = [w.strip("()").upper() for w in " ".join(items).split()]
        names = [n for n in names if n]
        if by_uid and "UID" not in names:
            names.insert(0, "UID")
        messages = self._messages()
        keys: Sequence[int] = [m.uid for m in messages] if by_uid else range(
            1, len(messages) + 1)
        lines: list[bytes] = []
        for index in _pick(spec, keys):
            n, message = index + 1, messages[index]
            parts: list[bytes] = []
            for name in names:
                part = _PART.match(name)
                if name == "UID":
                    parts.append(f"UID {message.uid}".encode())
                elif name == "FLAGS":
                    parts.append(f"FLAGS ({' '.join(sorted(message.flags))})".encode())
                elif name == "INTERNALDATE":
                    parts.append(f'INTERNALDATE "{imap_internal(message.internal)}"'.encode())
                elif name == "RFC822.SIZE":
                    parts.append(f"RFC822.SIZE {len(message.raw)}".encode())
                elif part is not None:
                    body = b"\xff\xfe not an email \x00" if broken else message.raw
                    label = "RFC822" if part.group(1) == "RFC822" else "BODY[]"
                    if part.group(2) is not None:
                        start, count = int(part.group(2)), int(part.group(3))
                        body = body[start:start + count]
                        label += f"<{start}>"
                    parts.append(f"{label} {{{len(body)}}}\r\n".encode() + body)
                else:
                    raise ValueError(name)
            lines.append(f"* {n} FETCH (".encode() + b" ".join(parts) + b")\r\n")
        self.send(b"".join(lines))


# -- SMTP ----------------------------------------------------------------------

class Servers:
    """The IMAP and SMTP servers of one simulator, started together."""

    def __init__(self, sim: EmailSim) -> None:
        self.imap = _Server(sim, ImapHandler)
        self.smtp = _Server(sim, SmtpHandler)
        self._threads = [threading.Thread(target=server.serve_forever, daemon=True,
                                          name=f"smm-desk-sim-{name}")
                         for name, server in (("imap", self.imap), ("smtp", self.smtp))]
        for thread in self._threads:
            thread.start()

    @property
    def imap_port(self) -> int:
        return int(self.imap.server_address[1])

    @property
    def smtp_port(self) -> int:
        return int(self.smtp.server_address[1])

    def close(self) -> None:
        for server in (self.imap, self.smtp):
            server.shutdown()
            server.close_all()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
