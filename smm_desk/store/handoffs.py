"""Handing a case to a department: targets, the frozen payload, the department's clock.

A department's *target* says where its handoffs go: an email address reached
through an SMTP server, or a JSON webhook. It is kept in ``departments.handoff``
(JSON) without any secret: the SMTP password or the webhook's signing secret
lives only in the OS keyring (``smm_desk.sync.handoff``), and the target only
says whether one is expected (``smtp_user`` set, ``signed``), so a missing
secret is an error rather than a silent unsigned or unauthenticated send.

A *handoff* is an outbox entry (``replies`` row, kind ``handoff``; its id is the
idempotency key) plus a :class:`~smm_desk.store.models.Handoff` row with:

* the payload, built and frozen when the agent queues it — the summary (the
  agent's note), the customer, network, account, permalink and the thread as
  plain text — so the preview is what leaves, and a resend after a crash
  carries exactly the same content under the same key;
* the department's own clock: due after the department's first-response target
  (its SLA policy, else the workspace default; business hours respected),
  counted from the moment the case is handed off, stopped when the
  department's answer is recorded.

Queueing sets the case to ``waiting_department``; recording the department's
answer (an internal note, event ``note`` with ``from_department``) stops the
handoff's clock and sets the case back to ``open``. Delivery records the
``handoff_sent`` event, a permanent failure ``handoff_failed`` (with the
department and the reason; ``store.outbox.mark_failed``). While the case waits
on the department, ``store.alerts`` records ``department_warning`` /
``department_breached`` once each when the department's clock crosses them. The department's answer is an event, not a ``Message``
row: a message would be taken for the customer's latest message by the reply
path (``in_reply_to``) and for our own copy when settling replies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smm_desk.domain.enums import CaseStatus, Direction
from smm_desk.domain.records import EventKind, ReplyState, require_utc
from smm_desk.domain.sla import SlaState, evaluate_new_inbound
from smm_desk.store.cases import add_event, find_department, get_case, route, set_status
from smm_desk.store.errors import Conflict, NotFound
from smm_desk.store.models import Account, Department, Handoff, Message, Reply
from smm_desk.store.outbox import get_reply, queue_reply
from smm_desk.store.sla_state import PolicyBook

#: At most this many messages (the latest) go into a handoff's thread.
THREAD_LIMIT = 50

SmtpSecurity = Literal["starttls", "tls", "plain"]
SECURITIES: tuple[str, ...] = ("starttls", "tls", "plain")
DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "tls": 465, "plain": 25}

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
#: Bidi embeddings, overrides and isolates: a customer's RLO in a name must not
#: reverse the rest of a subject line or a thread line in the department's mail client.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


# -- targets --------------------------------------------------------------------------------

@dataclass(frozen=True)
class EmailTarget:
    """Handoffs by email: ``to`` through ``smtp_host:smtp_port``.

    ``security``: ``starttls`` (upgrade on the submission port), ``tls``
    (implicit TLS, port 465) or ``plain`` (no encryption: a local relay).
    With ``smtp_user`` the password is read from the keyring at send time.
    """

    to: tuple[str, ...]
    smtp_host: str
    smtp_port: int
    sender: str
    security: SmtpSecurity = "starttls"
    smtp_user: str | None = None

    kind: Literal["email"] = "email"

    def __post_init__(self) -> None:
        if not self.to or not all(_looks_like_address(a) for a in self.to):
            raise ValueError(f"bad handoff address in {', '.join(self.to) or 'nothing'}")
        if not _looks_like_address(self.sender):
            raise ValueError(f"bad sender address {self.sender!r}")
        if not self.smtp_host.strip() or any(c.isspace() for c in self.smtp_host):
            raise ValueError(f"bad SMTP host {self.smtp_host!r}")
        if not 0 < self.smtp_port < 65536:
            raise ValueError(f"bad SMTP port {self.smtp_port}")
        if self.security not in SECURITIES:
            raise ValueError(f"SMTP security must be one of {', '.join(SECURITIES)}")

    def describe(self) -> str:
        return (f"email to {', '.join(self.to)} via {self.smtp_host}:{self.smtp_port} "
                f"({self.security})")

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "email", "to": list(self.to), "smtp_host": self.smtp_host,
                "smtp_port": self.smtp_port, "from": self.sender, "security": self.security,
                "smtp_user": self.smtp_user}


@dataclass(frozen=True)
class WebhookTarget:
    """Handoffs as a JSON POST to ``url``; ``signed``: an HMAC-SHA256 signature
    header with the secret from the keyring."""

    url: str
    signed: bool = False

    kind: Literal["webhook"] = "webhook"

    def __post_init__(self) -> None:
        if not re.match(r"^https?://[^/\s?#]+", self.url):
            raise ValueError(f"bad webhook URL {self.url!r}: expected http(s)://host/…")

    def describe(self) -> str:
        return f"webhook {self.url}" + (" (signed)" if self.signed else "")

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "webhook", "url": self.url, "signed": self.signed}


HandoffTarget = EmailTarget | WebhookTarget


def _looks_like_address(text: str) -> bool:
    return bool(re.fullmatch(r"[^@\s<>,;]+@[^@\s<>,;]+", text))


def target_from_dict(data: dict[str, Any] | None) -> HandoffTarget | None:
    """The target stored in ``departments.handoff``; ``None`` when unset or unreadable."""
    if not data:
        return None
    try:
        if data.get("kind") == "email":
            security = str(data.get("security", "starttls"))
            return EmailTarget(
                to=tuple(str(a) for a in data.get("to", ())),
                smtp_host=str(data["smtp_host"]), smtp_port=int(data["smtp_port"]),
                sender=str(data["from"]),
                security=security if security in SECURITIES else "starttls",  # type: ignore[arg-type]
                smtp_user=str(data["smtp_user"]) if data.get("smtp_user") else None,
            )
        if data.get("kind") == "webhook":
            return WebhookTarget(url=str(data["url"]), signed=bool(data.get("signed")))
    except (KeyError, TypeError, ValueError):
        return None
    return None


@dataclass(frozen=True)
class HandoffDepartmentView:
    """A department as the handoff dialog and ``departments handoff`` see it."""

    id: int
    name: str
    target: HandoffTarget | None
    first_response_s: int


def set_target(session: Session, department: str | int,
               target: HandoffTarget | None) -> Department:
    dept = find_department(session, department)
    dept.handoff = target.to_dict() if target is not None else None
    return dept


def department_views(session: Session) -> list[HandoffDepartmentView]:
    book = PolicyBook(session)
    return [
        HandoffDepartmentView(
            id=d.id, name=d.name, target=target_from_dict(d.handoff),
            first_response_s=int(book.for_case(None, d.id).first_response.total_seconds()),
        )
        for d in session.scalars(select(Department).order_by(Department.position, Department.id))
    ]


# -- the payload ----------------------------------------------------------------------------

@dataclass(frozen=True)
class ThreadLine:
    at: datetime
    direction: str
    author: str
    text: str


@dataclass(frozen=True)
class HandoffPayload:
    """What the department receives. ``handoff_id`` is empty in a preview."""

    case_id: int
    department: str
    summary: str
    agent: str
    customer_name: str
    customer_id: str
    network: str
    account: str
    case_kind: str
    permalink: str | None
    queued_at: datetime
    thread: tuple[ThreadLine, ...] = field(default_factory=tuple)
    #: Messages left out of ``thread`` (only the latest THREAD_LIMIT go).
    omitted: int = 0
    handoff_id: str = ""

    @property
    def customer(self) -> str:
        return self.customer_name or self.customer_id or "unknown customer"

    def with_summary(self, summary: str) -> HandoffPayload:
        return replace(self, summary=summary.strip())

    def to_dict(self) -> dict[str, Any]:
        """The JSON document: also the webhook's body."""
        return {
            "type": "smm_desk.handoff", "version": 1, "handoff_id": self.handoff_id,
            "case_id": self.case_id, "department": self.department, "summary": self.summary,
            "agent": self.agent,
            "customer": {"name": self.customer_name, "id": self.customer_id},
            "network": self.network, "account": self.account, "case_kind": self.case_kind,
            "permalink": self.permalink, "queued_at": self.queued_at.isoformat(),
            "thread": [{"at": t.at.isoformat(), "direction": t.direction, "author": t.author,
                        "text": t.text} for t in self.thread],
            "omitted_messages": self.omitted,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HandoffPayload:
        customer = data.get("customer") or {}
        return cls(
            case_id=int(data["case_id"]), department=str(data["department"]),
            summary=str(data.get("summary", "")), agent=str(data.get("agent", "")),
            customer_name=str(customer.get("name", "")), customer_id=str(customer.get("id", "")),
            network=str(data["network"]), account=str(data.get("account", "")),
            case_kind=str(data.get("case_kind", "")), permalink=data.get("permalink"),
            queued_at=require_utc(datetime.fromisoformat(data["queued_at"]), "queued_at"),
            thread=tuple(ThreadLine(require_utc(datetime.fromisoformat(t["at"]), "at"),
                                    str(t["direction"]), str(t["author"]), str(t["text"]))
                         for t in data.get("thread", ())),
            omitted=int(data.get("omitted_messages", 0)),
            handoff_id=str(data.get("handoff_id", "")),
        )


def one_line(text: str, limit: int = 80) -> str:
    """``text`` fit for a header or a title: no control characters, bounded."""
    flat = " ".join(_CONTROL.sub(" ", _BIDI.sub("", text)).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def handoff_subject(payload: HandoffPayload) -> str:
    return (f"[SMM Desk] Case #{payload.case_id} — {one_line(payload.customer, 60)} — "
            f"{payload.network}")


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC")


def handoff_text(payload: HandoffPayload) -> str:
    """The plain-text form: the email body and the dialog's preview. Customer
    text is quoted line by line and never interpreted; bidi controls are
    dropped so no line can be visually reversed (the webhook's JSON keeps the
    text exactly as written)."""
    lines = [
        f"Case #{payload.case_id} handed to {payload.department} by "
        f"{payload.agent or 'an agent'} at {_stamp(payload.queued_at)}.",
        "",
        "Summary",
        "-------",
        payload.summary or "(no summary)",
        "",
        f"Customer: {one_line(payload.customer_name, 200) or '-'}"
        + (f" ({one_line(payload.customer_id, 200)})" if payload.customer_id else ""),
        f"Network:  {payload.network} ({payload.case_kind})",
        f"Account:  {one_line(payload.account, 200)}",
        f"Link:     {one_line(payload.permalink, 1000) if payload.permalink else '-'}",
        "",
        "Thread",
        "------",
    ]
    if payload.omitted:
        lines.append(f"({payload.omitted} earlier messages not included)")
    for line in payload.thread:
        who = one_line(line.author, 80) or ("customer" if line.direction == "inbound" else "us")
        arrow = "<" if line.direction == Direction.INBOUND.value else ">"
        body = _BIDI.sub("", line.text).splitlines() or [""]
        lines.append(f"{arrow} {_stamp(line.at)}  {who}:")
        lines.extend(f"    {part}" for part in body)
    if not payload.thread:
        lines.append("(no messages)")
    lines += [
        "",
        "-- ",
        "Sent by SMM Desk. The community manager records your answer on the case "
        f"(smm-desk note {payload.case_id} --from-department --text …).",
    ]
    return "\n".join(lines) + "\n"


def build_payload(session: Session, case_id: int, department: str, summary: str, agent: str,
                  now: datetime) -> HandoffPayload:
    case = get_case(session, case_id)
    account = session.get(Account, case.account_id)
    messages = list(session.scalars(
        select(Message).where(Message.case_id == case_id)
        .order_by(Message.created_at.desc(), Message.id.desc()).limit(THREAD_LIMIT + 1)
    ))
    total = len(messages)
    if total > THREAD_LIMIT:
        total = int(session.scalar(
            select(func.count()).select_from(Message).where(Message.case_id == case_id)) or 0)
        messages = messages[:THREAD_LIMIT]
    messages.reverse()
    permalink = next((m.permalink for m in reversed(messages)
                      if m.permalink and m.direction == Direction.INBOUND.value), None)
    permalink = permalink or next((m.permalink for m in messages if m.permalink), None)
    return HandoffPayload(
        case_id=case.id, department=department, summary=summary.strip(), agent=agent,
        customer_name=case.customer_name, customer_id=case.customer_id, network=case.network,
        account=account.name if account else "", case_kind=case.kind, permalink=permalink,
        queued_at=now,
        thread=tuple(ThreadLine(m.created_at, m.direction, m.author_name or m.author_id, m.text)
                     for m in messages),
        omitted=total - len(messages),
    )


def _department_for(session: Session, case_id: int, department: str | int | None) -> Department:
    if department is not None:
        return find_department(session, department)
    case = get_case(session, case_id)
    if case.department_id is None:
        raise Conflict(f"case {case_id} has no department: name one to hand it to")
    dept = session.get(Department, case.department_id)
    if dept is None:
        raise NotFound(f"no department {case.department_id}")
    return dept


def preview(session: Session, case_id: int, department: str | int | None, summary: str,
            agent: str, now: datetime) -> tuple[HandoffDepartmentView, HandoffPayload]:
    dept = _department_for(session, case_id, department)
    view = next(d for d in department_views(session) if d.id == dept.id)
    return view, build_payload(session, case_id, dept.name, summary, agent, now)


# -- queueing, delivery, the department's answer ---------------------------------------------

@dataclass(frozen=True)
class HandoffView:
    id: str
    case_id: int
    department_id: int | None
    department: str
    summary: str
    state: str
    attempts: int
    error: str
    queued_at: datetime
    delivered_at: datetime | None
    external_id: str | None
    due_at: datetime | None
    warn_at: datetime | None
    answered_at: datetime | None

    def clock_state(self, now: datetime) -> str | None:
        """The department's clock: ok / warning / breached; ``None`` once answered."""
        if self.answered_at is not None or self.due_at is None:
            return None
        if now >= self.due_at:
            return SlaState.BREACHED.value
        if self.warn_at is not None and now >= self.warn_at:
            return SlaState.WARNING.value
        return SlaState.OK.value


def _view(handoff: Handoff, reply: Reply) -> HandoffView:
    return HandoffView(
        id=handoff.id, case_id=handoff.case_id, department_id=handoff.department_id,
        department=handoff.department_name, summary=str(handoff.payload.get("summary", "")),
        state=reply.state, attempts=reply.attempts, error=reply.error,
        queued_at=handoff.queued_at, delivered_at=reply.delivered_at,
        external_id=reply.external_id, due_at=handoff.due_at, warn_at=handoff.warn_at,
        answered_at=handoff.answered_at,
    )


def get_handoff(session: Session, handoff_id: str) -> Handoff:
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise NotFound(f"no handoff {handoff_id}")
    return handoff


def handoff_view(session: Session, handoff_id: str) -> HandoffView:
    handoff = get_handoff(session, handoff_id)
    return _view(handoff, get_reply(session, handoff_id))


def list_handoffs(session: Session, case_id: int | None = None,
                  open_only: bool = False) -> list[HandoffView]:
    """Handoffs oldest first; ``open_only``: the department has not answered yet."""
    stmt = select(Handoff, Reply).join(Reply, Reply.id == Handoff.id)
    if case_id is not None:
        stmt = stmt.where(Handoff.case_id == case_id)
    if open_only:
        stmt = stmt.where(Handoff.answered_at.is_(None))
    stmt = stmt.order_by(Handoff.queued_at, Handoff.id)
    return [_view(h, r) for h, r in session.execute(stmt)]


def queue_handoff(session: Session, case_id: int, summary: str, agent: str, now: datetime,
                  department: str | int | None = None) -> Handoff:
    """Persist a handoff in the outbox (``queued``), route the case to the
    department if it is another one, start the department's clock and set the
    case to ``waiting_department`` — one transaction."""
    case = get_case(session, case_id)
    dept = _department_for(session, case_id, department)
    if target_from_dict(dept.handoff) is None:
        raise Conflict(f"department {dept.name!r} has no handoff target: set one with "
                       f"`smm-desk departments handoff {dept.name!r} --email … | --webhook …`")
    if case.department_id != dept.id:
        route(session, case_id, dept.id, now, agent)
    payload = build_payload(session, case_id, dept.name, summary, agent, now)
    text = payload.summary or f"Handoff of case #{case_id} to {dept.name}"
    reply = queue_reply(session, case_id, text, agent, now, kind="handoff")
    payload = replace(payload, handoff_id=reply.id)
    policy = PolicyBook(session).for_case(None, dept.id)
    clock = evaluate_new_inbound(policy, now)
    handoff = Handoff(
        id=reply.id, case_id=case_id, department_id=dept.id, department_name=dept.name,
        payload=payload.to_dict(), queued_at=now, due_at=clock.due_at, warn_at=clock.warn_at,
        answered_at=None,
    )
    session.add(handoff)
    set_status(session, case_id, CaseStatus.WAITING_DEPARTMENT, now, agent,
               reason=f"handed off to {dept.name}")
    session.flush()
    return handoff


@dataclass(frozen=True)
class HandoffJob:
    """Everything a sender needs for one attempt (read when the attempt starts,
    so a corrected target applies to the next retry)."""

    id: str
    department_id: int | None
    department: str
    target: HandoffTarget | None
    payload: HandoffPayload
    attempts: int
    state: str


def handoff_job(session: Session, handoff_id: str) -> HandoffJob:
    handoff = get_handoff(session, handoff_id)
    reply = get_reply(session, handoff_id)
    dept = session.get(Department, handoff.department_id) if handoff.department_id else None
    return HandoffJob(
        id=handoff.id, department_id=handoff.department_id, department=handoff.department_name,
        target=target_from_dict(dept.handoff) if dept is not None else None,
        payload=HandoffPayload.from_dict(handoff.payload), attempts=reply.attempts,
        state=reply.state,
    )


def mark_handoff_sent(session: Session, handoff_id: str, external_id: str, via: str,
                      delivered_at: datetime, now: datetime) -> Handoff:
    """Delivered: the outbox entry becomes ``sent`` and ``handoff_sent`` is logged
    (once). Unlike a reply, a handoff is not a message of the case: it neither
    stops the customer's clock nor enters the reply log."""
    delivered_at = require_utc(delivered_at, "delivered_at")
    handoff = get_handoff(session, handoff_id)
    reply = get_reply(session, handoff_id)
    if reply.state == ReplyState.SENT.value:
        return handoff
    reply.state = ReplyState.SENT.value
    reply.external_id = external_id
    reply.delivered_at = delivered_at
    reply.error = ""
    add_event(session, handoff.case_id, EventKind.HANDOFF_SENT, now, "sync",
              reply_id=reply.id, department=handoff.department_name, via=via,
              external_id=external_id, delivered_at=delivered_at.isoformat())
    return handoff


def record_department_answer(session: Session, case_id: int, text: str, agent: str,
                             now: datetime) -> Handoff | None:
    """The department's answer, as an internal note: stops the clock of the
    case's open handoffs and sets a ``waiting_department`` case back to ``open``.
    Returns the (latest) handoff it answered, if any."""
    text = text.strip()
    if not text:
        raise ValueError("a note needs some text")
    case = get_case(session, case_id)
    pending = list(session.scalars(
        select(Handoff).where(Handoff.case_id == case_id, Handoff.answered_at.is_(None))
        .order_by(Handoff.queued_at, Handoff.id)
    ))
    if pending:
        department = pending[-1].department_name
    elif case.department_id is not None:
        dept = session.get(Department, case.department_id)
        department = dept.name if dept else "department"
    else:
        raise Conflict(f"case {case_id} was not handed to any department")
    for handoff in pending:
        handoff.answered_at = now
    add_event(session, case_id, EventKind.NOTE, now, department, text=text,
              from_department=department, recorded_by=agent,
              handoff_ids=[h.id for h in pending])
    case.updated_at = now
    if case.status == CaseStatus.WAITING_DEPARTMENT.value:
        set_status(session, case_id, CaseStatus.OPEN, now, agent,
                   reason=f"{department} answered")
    session.flush()
    return pending[-1] if pending else None
