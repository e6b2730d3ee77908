"""Mailboxes in memory behind real IMAP and SMTP sockets, for the demo and tests.

One :class:`EmailSim` is one mail provider. Each account added with
:meth:`EmailSim.add_account` is a mailbox (the account name is its address,
the token its password) with an ``INBOX`` and a ``Sent`` folder. The
servers (:mod:`smm_desk.sim.email_servers`) listen on 127.0.0.1 once
:meth:`EmailSim.start` runs — :meth:`EmailSim.account_options` starts them
too, since the options carry their ports — and stop with
:meth:`EmailSim.close` (or use the simulator as a context manager). Unlike
the HTTP networks, nothing goes through ``SimWorld.handle`` or
``SimTransport``: :meth:`matches` is always False.

Customers write with :meth:`inject_dm` and :meth:`inject_comment` (an email
"about post N"): each customer keeps one thread per topic — the second
message answers the first with In-Reply-To and References, as a mail client
would — so a conversation is one case. Names and subjects go out as RFC 2047
encoded words and bodies as UTF-8, so the connector's decoding is exercised.
:meth:`deliver` drops any raw bytes into a folder (hostile mail in tests),
:meth:`inject_brand_answer` files an answer written in the brand's own mail
client in ``Sent``, and :meth:`reset_uidvalidity` renumbers a folder as a
rebuilt server would.

Mail accepted over SMTP is recorded with ``world.record(Delivered(...))``
(``target`` = the In-Reply-To id, ``key`` and ``external_id`` = the
Message-ID) and kept for :meth:`posted`; it is not filed in ``Sent`` — that is
the client's job (IMAP APPEND), as on most real servers. Faults: see
:mod:`smm_desk.sim.email_servers`.
"""

from __future__ import annotations

import email.parser
import email.policy
import email.utils
import hashlib
import itertools
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any

import httpx

from smm_desk.sim.email_servers import Servers
from smm_desk.sim.world import Delivered, Fault, SimWorld, json_response

NETWORK = "email"
CUSTOMER_DOMAIN = "customers.example"
FIRST_UIDVALIDITY = 1_700_000_000
_HEADERS = email.parser.BytesHeaderParser(policy=email.policy.compat32)
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass
class SimMessage:
    uid: int
    raw: bytes
    internal: datetime
    flags: set[str] = field(default_factory=set)


@dataclass
class SimFolder:
    name: str
    uidvalidity: int
    uidnext: int = 1
    messages: list[SimMessage] = field(default_factory=list)


@dataclass
class SimMailbox:
    address: str
    password: str
    folders: dict[str, SimFolder] = field(default_factory=dict)
    #: (customer address, topic) -> (root id, last id, subject)
    threads: dict[tuple[str, str], tuple[str, str, str]] = field(default_factory=dict)
    posted: list[dict[str, Any]] = field(default_factory=list)


def _clean(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text)


def customer_address(author_id: str, author_name: str) -> str:
    """A customer's address: ``author_id`` if it is one, else made from the name."""
    if re.fullmatch(r"[^@\s<>]+@[^@\s<>]+", author_id):
        return author_id.lower()
    slug = re.sub(r"[^a-z0-9]+", ".", author_name.lower()).strip(".")[:30] or "customer"
    ident = re.sub(r"[^a-z0-9]+", "", author_id.lower())[:20] or hashlib.sha256(
        author_id.encode("utf-8", "replace")).hexdigest()[:8]
    return f"{slug}.{ident}@{CUSTOMER_DOMAIN}"


class EmailSim:
    network = NETWORK

    def __init__(self, world: SimWorld) -> None:
        self.world = world
        self.boxes: dict[str, SimMailbox] = {}  # by password (the account's token)
        self._validity = itertools.count(FIRST_UIDVALIDITY)
        self._ids = itertools.count(1)
        self._servers: Servers | None = None

    # -- life --------------------------------------------------------------------

    def start(self) -> EmailSim:
        """Open the IMAP and SMTP servers (idempotent)."""
        with self.world.lock:
            if self._servers is None:
                self._servers = Servers(self)
        return self

    def close(self) -> None:
        servers, self._servers = self._servers, None
        if servers is not None:
            servers.close()

    def __enter__(self) -> EmailSim:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def imap_port(self) -> int:
        return self.start()._servers.imap_port  # type: ignore[union-attr]

    @property
    def smtp_port(self) -> int:
        return self.start()._servers.smtp_port  # type: ignore[union-attr]

    # -- the catalog contract -----------------------------------------------------

    def add_account(self, token: str, name: str) -> None:
        address = name.strip().lower() if "@" in name else f"{name.strip().lower()}@acme.example"
        box = SimMailbox(address, token)
        for folder in ("INBOX", "Sent"):
            box.folders[folder] = SimFolder(folder, next(self._validity))
        with self.world.lock:
            self.boxes[token] = box

    def account_options(self, token: str) -> dict[str, str]:
        box = self.boxes[token]
        return {"imap_host": "127.0.0.1", "imap_port": str(self.imap_port),
                "imap_security": "none", "smtp_host": "127.0.0.1",
                "smtp_port": str(self.smtp_port), "smtp_security": "none",
                "username": box.address, "address": box.address}

    def inject_dm(self, token: str, author_id: str, author_name: str, text: str,
                  at: datetime | None) -> str:
        return self._customer_writes(token, author_id, author_name, text, at, "dm",
                                     subject=None)

    def inject_comment(self, token: str, post_id: str | None, author_id: str,
                       author_name: str, text: str, at: datetime | None) -> str:
        post = post_id or "1"
        return self._customer_writes(token, author_id, author_name, text, at, f"post:{post}",
                                     subject=f"About your post {post}")

    # -- more injection -----------------------------------------------------------

    def deliver(self, token: str, raw: bytes, at: datetime | None = None,
                folder: str = "INBOX") -> int:
        """Any bytes into a folder, as a server would file them; returns the UID."""
        box = self.boxes[token]
        return self.store(box.folders[folder], raw, at)

    def inject_brand_answer(self, token: str, reply_to_id: str, text: str,
                            at: datetime | None = None) -> str:
        """An answer written in the brand's own mail client, filed in Sent."""
        box = self.boxes[token]
        with self.world.lock:
            thread = next(((key, value) for key, value in box.threads.items()
                           if value[1] == reply_to_id), None)
        if thread is None:
            raise KeyError(f"no message {reply_to_id!r} in the simulated inbox")
        (customer, topic), (root, _last, subject) = thread
        message_id = self._new_id("brand", box.address.rpartition("@")[2])
        msg = self._compose(Address(addr_spec=box.address), Address(addr_spec=customer),
                            f"Re: {subject}", text, at, message_id, reply_to_id, root)
        self.store(box.folders["Sent"], msg.as_bytes(), at)
        with self.world.lock:
            box.threads[(customer, topic)] = (root, message_id, subject)
        return message_id

    def reset_uidvalidity(self, token: str, folder: str = "INBOX") -> int:
        """Renumber ``folder`` from UID 1 under a new UIDVALIDITY (a rebuilt index)."""
        box = self.boxes[token]
        with self.world.lock:
            target = box.folders[folder]
            target.uidvalidity = next(self._validity)
            for uid, message in enumerate(target.messages, start=1):
                message.uid = uid
            target.uidnext = len(target.messages) + 1
            return target.uidvalidity

    def posted(self, token: str) -> list[dict[str, Any]]:
        """What the account sent over SMTP, oldest first."""
        with self.world.lock:
            return list(self.boxes[token].posted)

    # -- used by the servers --------------------------------------------------------

    def login(self, user: str, password: str) -> SimMailbox | None:
        box = self.boxes.get(password)
        return box if box is not None and box.address == user.strip().lower() else None

    def folder(self, box: SimMailbox, name: str) -> SimFolder | None:
        with self.world.lock:
            if name.upper() == "INBOX":
                return box.folders["INBOX"]
            return box.folders.get(name)

    def create_folder(self, box: SimMailbox, name: str) -> bool:
        with self.world.lock:
            if self.folder(box, name) is not None:
                return False
            box.folders[name] = SimFolder(name, next(self._validity))
            return True

    def store(self, folder: SimFolder, raw: bytes, at: datetime | None) -> int:
        when = (at or self.world.clock()).astimezone(UTC).replace(microsecond=0)
        with self.world.lock:
            uid = folder.uidnext
            folder.uidnext += 1
            folder.messages.append(SimMessage(uid, raw, when))
        self.world.notify()
        return uid

    @staticmethod
    def header_values(message: SimMessage, name: str) -> list[str]:
        headers = _HEADERS.parsebytes(message.raw)
        return [str(v) for v in headers.get_all(name) or []]

    def accept_smtp(self, box: SimMailbox, sender: str, recipients: list[str],
                    raw: bytes) -> str:
        msg = email.parser.BytesParser(policy=email.policy.default).parsebytes(raw)
        message_id = str(msg.get("Message-ID", "")).strip().strip("<>")
        in_reply_to = str(msg.get("In-Reply-To", "")).strip().strip("<>")
        body = msg.get_body(("plain",)) if isinstance(msg, EmailMessage) else None
        text = body.get_content().replace("\r\n", "\n") if body is not None else ""
        now = self.world.clock()
        posted = {"from": sender, "to": recipients, "subject": str(msg.get("Subject", "")),
                  "message_id": message_id, "in_reply_to": in_reply_to,
                  "references": str(msg.get("References", "")), "text": text.strip(),
                  "raw": raw, "at": now}
        with self.world.lock:
            box.posted.append(posted)
            for key, (root, _last, subject) in list(box.threads.items()):
                if in_reply_to and in_reply_to in (root, _last):
                    box.threads[key] = (root, message_id, subject)
        self.world.record(Delivered(
            network=NETWORK, account=box.address, method="SMTP DATA",
            target=in_reply_to or ",".join(recipients), text=text.strip(),
            external_id=message_id, key=message_id or None, at=now))
        self.world.notify()
        return hashlib.sha256(raw).hexdigest()[:12].upper()

    # -- HTTP side: nothing (SimWorld asks every handler) -------------------------

    def matches(self, request: httpx.Request) -> bool:
        del request
        return False

    def handle(self, request: httpx.Request, world: SimWorld) -> httpx.Response:
        del world
        return json_response(404, {"error": f"email is not HTTP: {request.url.path}"})

    def fault_response(self, fault: Fault, request: httpx.Request) -> httpx.Response | None:
        del fault, request
        return None

    # -- internals ----------------------------------------------------------------

    def _new_id(self, who: str, domain: str = CUSTOMER_DOMAIN) -> str:
        return f"sim.{next(self._ids)}.{who}@{domain}"

    def _compose(self, sender: Address, to: Address, subject: str, text: str,
                 at: datetime | None, message_id: str, parent: str | None,
                 root: str | None) -> EmailMessage:
        msg = EmailMessage(policy=email.policy.SMTP)
        msg["From"] = sender
        msg["To"] = to
        msg["Subject"] = _clean(subject)
        msg["Date"] = email.utils.format_datetime((at or self.world.clock()).astimezone(UTC))
        msg["Message-ID"] = f"<{message_id}>"
        if parent:
            msg["In-Reply-To"] = f"<{parent}>"
            refs = [root, parent] if root and root != parent else [parent]
            msg["References"] = " ".join(f"<{r}>" for r in refs)
        msg.set_content(_clean(text), charset="utf-8")
        return msg

    def _customer_writes(self, token: str, author_id: str, author_name: str, text: str,
                         at: datetime | None, topic: str, subject: str | None) -> str:
        box = self.boxes[token]
        address = customer_address(author_id, author_name)
        with self.world.lock:
            thread = box.threads.get((address, topic))
        message_id = self._new_id(hashlib.sha256(address.encode()).hexdigest()[:6])
        if thread is None:
            first_line = " ".join(_clean(text).split())[:60]
            subject = subject or first_line or "Question"
            root, parent, title = message_id, None, subject
        else:
            root, parent, title = thread
            subject = f"Re: {title}"
        name = " ".join(_clean(author_name).split())[:100]
        msg = self._compose(Address(display_name=name, addr_spec=address),
                            Address(addr_spec=box.address), subject, text, at, message_id,
                            parent, root if parent else None)
        self.store(box.folders["INBOX"], msg.as_bytes(), at)
        with self.world.lock:
            box.threads[(address, topic)] = (root, message_id, title)
        return message_id
