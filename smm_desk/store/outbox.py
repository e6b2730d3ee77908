"""The outbox: replies (and department handoffs) waiting to leave.

States (DESIGN.md): queued -> sending -> sent | failed, or back to queued after
a transient error; ``uncertain`` when a crash left a send whose outcome only a
person can settle. The reply id is a UUID made here and used as the network's
idempotency key where it offers one, so it exists before the first attempt.

A reply is stored as ``sending`` *before* its request leaves (``claim``); on
delivery (``mark_sent``) it becomes an outbound message of the case, which stops
the response clock at the delivery time, and the clock it answered is captured
for the reply log.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from smm_desk.domain.enums import CaseStatus, Direction
from smm_desk.domain.records import EventKind, MessageKind, ReplyState, require_utc
from smm_desk.domain.views import ReplyTargetView
from smm_desk.store.cases import add_event, get_case, set_status
from smm_desk.store.errors import Conflict, NotFound
from smm_desk.store.models import Handoff, Message, Reply
from smm_desk.store.sla_state import refresh_sla


def queue_reply(
    session: Session, case_id: int, text: str, agent: str, now: datetime,
    *, kind: str = "reply", in_reply_to: str | None = None,
) -> Reply:
    text = text.strip()
    if not text:
        raise ValueError("a reply needs some text")
    case = get_case(session, case_id)
    if in_reply_to is None:
        last_inbound = session.scalars(
            select(Message.external_id)
            .where(Message.case_id == case_id, Message.direction == Direction.INBOUND.value)
            .order_by(Message.created_at.desc(), Message.id.desc())
            .limit(1)
        ).first()
        in_reply_to = last_inbound
    reply = Reply(
        id=str(uuid.uuid4()),
        case_id=case.id,
        account_id=case.account_id,
        kind=kind,
        text=text,
        agent=agent,
        in_reply_to=in_reply_to,
        state=ReplyState.QUEUED.value,
        attempts=0,
        next_attempt_at=now,
        composed_at=now,
        error="",
    )
    session.add(reply)
    add_event(session, case.id, EventKind.REPLY_QUEUED, now, agent, reply_id=reply.id, kind=kind)
    if case.status == CaseStatus.NEW.value:
        set_status(session, case.id, CaseStatus.OPEN, now, agent)
    session.flush()
    return reply


def get_reply(session: Session, reply_id: str) -> Reply:
    reply = session.get(Reply, reply_id)
    if reply is None:
        raise NotFound(f"no reply {reply_id}")
    return reply


def due_replies(session: Session, now: datetime, limit: int = 50) -> list[Reply]:
    """Queued replies whose next attempt time has come, oldest first."""
    stmt = (
        select(Reply)
        .where(
            Reply.state == ReplyState.QUEUED.value,
            or_(Reply.next_attempt_at.is_(None), Reply.next_attempt_at <= now),
        )
        .order_by(Reply.composed_at)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def claim(session: Session, reply_id: str, now: datetime, sender: str | None = None) -> Reply:
    """queued -> sending, committed by the caller before the request leaves.

    The row is read FOR UPDATE: desks of a team share one PostgreSQL database,
    each with its own outbox loop, and under READ COMMITTED two of them could
    both read ``queued`` and both send. The second now waits for the first's
    commit, reads ``sending`` and gets :class:`Conflict`. (SQLite needs no row
    lock: a writing transaction there takes the database's write lock at BEGIN.)"""
    reply = session.get(Reply, reply_id, with_for_update=True)
    if reply is None:
        raise NotFound(f"no reply {reply_id}")
    if reply.state != ReplyState.QUEUED.value:
        raise Conflict(f"reply {reply_id} is {reply.state}, not queued")
    reply.state = ReplyState.SENDING.value
    reply.attempts += 1
    reply.next_attempt_at = None
    reply.sending_at = now
    reply.sending_by = sender
    return reply


def requeue(session: Session, reply_id: str, now: datetime, note: str = "") -> Reply:
    """A ``sending`` reply goes back to the queue (resend with the same key)."""
    reply = get_reply(session, reply_id)
    reply.state = ReplyState.QUEUED.value
    reply.next_attempt_at = now
    if note:
        reply.error = note
    return reply


def replies_in_state(session: Session, state: ReplyState,
                     account_id: int | None = None) -> list[Reply]:
    stmt = select(Reply).where(Reply.state == state.value).order_by(Reply.composed_at)
    if account_id is not None:
        stmt = stmt.where(Reply.account_id == account_id)
    return list(session.scalars(stmt))


def reply_target(session: Session, reply_id: str) -> ReplyTargetView:
    reply = get_reply(session, reply_id)
    case = get_case(session, reply.case_id)
    target = None
    if reply.in_reply_to is not None:
        target = session.scalars(
            select(Message).where(Message.account_id == reply.account_id,
                                  Message.external_id == reply.in_reply_to)
        ).first()
    return ReplyTargetView(
        reply_id=reply.id, case_id=case.id, account_id=reply.account_id, network=case.network,
        kind=reply.kind, text=reply.text, state=reply.state, composed_at=reply.composed_at,
        sending_at=reply.sending_at, thread_key=case.thread_key, case_kind=case.kind,
        customer_id=case.customer_id, customer_name=case.customer_name,
        post_external_id=case.post_external_id, last_inbound_at=case.last_inbound_at,
        in_reply_to=reply.in_reply_to,
        target_author_id=target.author_id if target else case.customer_id,
        target_author_name=target.author_name if target else case.customer_name,
        target_extra={str(k): str(v) for k, v in (target.extra if target else {}).items()},
    )


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def find_own_copy(session: Session, reply_id: str) -> Message | None:
    """The reply among the account's own fetched messages, if it got through:
    an outbound message in the same case, not already another reply's, written
    no earlier than the reply was composed, whose text is the reply's (networks
    may prefix a mention, so the reply's text may be a suffix)."""
    reply = get_reply(session, reply_id)
    since = reply.composed_at - timedelta(minutes=1)
    candidates = session.scalars(
        select(Message).where(
            Message.case_id == reply.case_id,
            Message.direction == Direction.OUTBOUND.value,
            Message.created_at >= since,
        ).order_by(Message.created_at)
    )
    claimed = set(session.scalars(
        select(Reply.external_id).where(Reply.case_id == reply.case_id,
                                        Reply.external_id.is_not(None))
    ))
    for message in candidates:
        if message.external_id in claimed or (message.extra or {}).get("reply_id"):
            continue
        if _same_text(message.text, reply.text) or " ".join(message.text.split()).casefold(
        ).endswith(" ".join(reply.text.split()).casefold()):
            return message
    return None


def mark_sent(
    session: Session, reply_id: str, external_id: str, delivered_at: datetime, now: datetime
) -> Reply:
    delivered_at = require_utc(delivered_at, "delivered_at")
    reply = get_reply(session, reply_id)
    if reply.state == ReplyState.SENT.value:
        return reply
    case = get_case(session, reply.case_id)
    reply.state = ReplyState.SENT.value
    reply.external_id = external_id
    reply.delivered_at = delivered_at
    reply.error = ""
    if reply.kind == "reply":
        reply.clock_started_at = case.sla_started_at if case.sla_target else None
        reply.clock_due_at = case.response_due_at if case.sla_target else None
        exists = session.scalars(
            select(Message.id).where(
                Message.account_id == reply.account_id, Message.external_id == external_id
            )
        ).first()
        if exists is None:
            session.add(
                Message(
                    account_id=reply.account_id, case_id=case.id, external_id=external_id,
                    direction=Direction.OUTBOUND.value, kind=MessageKind.REPLY.value,
                    author_id="", author_name=reply.agent, text=reply.text,
                    created_at=delivered_at, received_at=now,
                    parent_external_id=reply.in_reply_to, post_external_id=case.post_external_id,
                    permalink=None, extra={"reply_id": reply.id},
                )
            )
        if case.first_response_at is None:
            case.first_response_at = delivered_at
        if case.last_message_at is None or delivered_at > case.last_message_at:
            case.last_message_at = delivered_at
    case.updated_at = now
    add_event(
        session, case.id, EventKind.REPLY_SENT, now, reply.agent, reply_id=reply.id,
        external_id=external_id, composed_at=reply.composed_at.isoformat(),
        delivered_at=delivered_at.isoformat(),
    )
    session.flush()
    refresh_sla(session, [case.id], now)
    return reply


def mark_retry(
    session: Session, reply_id: str, error: str, retry_in: timedelta, now: datetime
) -> Reply:
    """A transient failure: back to queued, next attempt after ``retry_in``."""
    reply = get_reply(session, reply_id)
    reply.state = ReplyState.QUEUED.value
    reply.error = error
    reply.next_attempt_at = now + retry_in
    return reply


def mark_failed(session: Session, reply_id: str, error: str, now: datetime) -> Reply:
    """A permanent failure, with the network's own message for the person."""
    reply = get_reply(session, reply_id)
    reply.state = ReplyState.FAILED.value
    reply.error = error
    if reply.kind == "handoff":  # a department handoff: named as such in the case's log
        handoff = session.get(Handoff, reply.id)
        add_event(session, reply.case_id, EventKind.HANDOFF_FAILED, now, "sync",
                  reply_id=reply.id, error=error,
                  department=handoff.department_name if handoff is not None else None)
        return reply
    add_event(session, reply.case_id, EventKind.REPLY_FAILED, now, "sync",
              reply_id=reply.id, error=error)
    return reply


def mark_uncertain(session: Session, reply_id: str, reason: str, now: datetime) -> Reply:
    reply = get_reply(session, reply_id)
    reply.state = ReplyState.UNCERTAIN.value
    reply.error = reason
    add_event(session, reply.case_id, EventKind.REPLY_UNCERTAIN, now, "sync",
              reply_id=reply.id, reason=reason)
    return reply


def retry(session: Session, reply_id: str, now: datetime) -> Reply:
    """A person asks to send a failed or uncertain reply again."""
    reply = get_reply(session, reply_id)
    if reply.state not in (ReplyState.FAILED.value, ReplyState.UNCERTAIN.value):
        raise Conflict(f"reply {reply_id} is {reply.state}; only failed or uncertain replies retry")
    reply.state = ReplyState.QUEUED.value
    reply.next_attempt_at = now
    return reply


def outbox_count(session: Session) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(Reply).where(
                Reply.state.in_([ReplyState.QUEUED.value, ReplyState.SENDING.value])
            )
        )
        or 0
    )
