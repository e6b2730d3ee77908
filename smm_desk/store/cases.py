"""Reading the queue and triaging cases: route, assign, status changes, notes.

Each mutation appends its :class:`~smm_desk.store.models.Event` in the same
transaction as the change, so the case's history is exactly what happened to it.
Status changes also refresh the SLA snapshot (waiting_customer pauses the clock,
resolved and spam stop it).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case as sql_case
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from smm_desk.domain.enums import CaseStatus
from smm_desk.domain.records import EventKind, Priority
from smm_desk.domain.sla import state_at
from smm_desk.domain.views import CaseDetail, CaseView, EventView, MessageView, ReplyView
from smm_desk.store.bulk import readers, rows_in
from smm_desk.store.case_rows import VIEWS_BY_ID
from smm_desk.store.case_rows import case_view as case_view_from_row
from smm_desk.store.errors import NotFound
from smm_desk.store.models import Account, Case, Department, Event, Message, Reply
from smm_desk.store.queue_filter import OPEN_STATUSES
from smm_desk.store.sla_state import chunks, refresh_sla, snapshot_of


def _case_query() -> Any:  # Select[Case, str, str | None]; spelled differently across SA 2.x
    dept = aliased(Department)
    return (
        select(Case, Account.name.label("account_name"), dept.name.label("department_name"))
        .join(Account, Account.id == Case.account_id)
        .outerjoin(dept, dept.id == Case.department_id)
    )


def _view(case: Case, account_name: str, department_name: str | None, now: datetime) -> CaseView:
    state = state_at(snapshot_of(case), now)
    return CaseView(
        id=case.id,
        network=case.network,
        account_id=case.account_id,
        account=account_name,
        kind=case.kind,
        status=case.status,
        department=department_name,
        priority=case.priority,
        assignee=case.assignee,
        tags=tuple(case.tags or ()),
        customer=case.customer_name or case.customer_id,
        customer_id=case.customer_id,
        last_inbound_text=case.last_inbound_text,
        last_inbound_at=case.last_inbound_at,
        last_message_at=case.last_message_at,
        opened_at=case.opened_at,
        waiting_since=case.sla_started_at if case.sla_target else None,
        response_due_at=case.response_due_at,
        sla_target=case.sla_target,
        sla_state=state.value if state is not None else None,
        resolution_due_at=case.resolution_due_at,
    )


def list_cases(
    session: Session,
    now: datetime,
    *,
    statuses: Sequence[str] | None = None,
    department: str | None = None,
    ids: Sequence[int] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[CaseView]:
    """The queue, most urgent first: by response due time (cases with no running
    clock last), then by how long the customer has waited."""
    stmt = _case_query()
    if ids is not None:
        stmt = stmt.where(Case.id.in_(list(ids)))
    else:
        stmt = stmt.where(Case.status.in_(list(statuses or OPEN_STATUSES)))
    if department is not None:
        dept = find_department(session, department)
        stmt = stmt.where(Case.department_id == dept.id)
    stmt = stmt.order_by(
        sql_case((Case.response_due_at.is_(None), 1), else_=0),
        Case.response_due_at,
        Case.last_inbound_at,
        Case.id,
    ).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [_view(c, a, d, now) for c, a, d in session.execute(stmt)]


def views_by_id(session: Session, ids: Sequence[int], now: datetime) -> list[CaseView]:
    """The views of these cases (unknown ids left out; in no particular order).

    What ``list_cases(ids=…)`` gives, for the queue's row reads: the window
    asks for a screenful of rows at a time, and loading whole ORM ``Case``
    objects (every column, identity map, attribute instrumentation) cost
    ~200 µs a row; this reads the shown columns through the driver
    (store/bulk.py) and judges the SLA state the same way (``state_at`` of the
    same snapshot fields). A test compares the two on both engines."""
    read = readers(session)
    return [case_view_from_row(row, read, now)
            for part in chunks(sorted(set(ids)))
            for row in rows_in(session, VIEWS_BY_ID, (), part)]


def count_cases(session: Session, statuses: Sequence[str] | None = None) -> int:
    stmt = select(func.count()).select_from(Case).where(
        Case.status.in_(list(statuses or OPEN_STATUSES))
    )
    return int(session.scalar(stmt) or 0)


def get_case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"no case {case_id}")
    return case


def case_view(session: Session, case_id: int, now: datetime) -> CaseView:
    row = session.execute(_case_query().where(Case.id == case_id)).first()
    if row is None:
        raise NotFound(f"no case {case_id}")
    case, account_name, department_name = row
    return _view(case, account_name, department_name, now)


def case_detail(session: Session, case_id: int, now: datetime) -> CaseDetail:
    view = case_view(session, case_id, now)
    messages = session.scalars(
        select(Message).where(Message.case_id == case_id).order_by(Message.created_at, Message.id)
    ).all()
    events = session.scalars(
        select(Event).where(Event.case_id == case_id).order_by(Event.at, Event.id)
    ).all()
    replies = session.scalars(
        select(Reply).where(Reply.case_id == case_id).order_by(Reply.composed_at)
    ).all()
    return CaseDetail(
        case=view,
        messages=tuple(
            MessageView(
                id=m.id, external_id=m.external_id, direction=m.direction, kind=m.kind,
                author_id=m.author_id, author_name=m.author_name, text=m.text,
                created_at=m.created_at, received_at=m.received_at,
                parent_external_id=m.parent_external_id, post_external_id=m.post_external_id,
                permalink=m.permalink,
            )
            for m in messages
        ),
        events=tuple(EventView(e.id, e.at, e.kind, e.actor, dict(e.data)) for e in events),
        replies=tuple(reply_view(r) for r in replies),
    )


def reply_view(r: Reply) -> ReplyView:
    return ReplyView(
        id=r.id, case_id=r.case_id, kind=r.kind, text=r.text, agent=r.agent, state=r.state,
        attempts=r.attempts, composed_at=r.composed_at, delivered_at=r.delivered_at,
        external_id=r.external_id, error=r.error, sending_at=r.sending_at,
        sending_by=r.sending_by,
    )


def find_department(session: Session, name_or_id: str | int) -> Department:
    """A department by id, by exact name, or by case-insensitive name."""
    if isinstance(name_or_id, int) or str(name_or_id).isdigit():
        dept = session.get(Department, int(name_or_id))
        if dept is not None:
            return dept
    name = str(name_or_id)
    dept = session.scalars(select(Department).where(Department.name == name)).first()
    if dept is None:
        dept = session.scalars(
            select(Department).where(func.lower(Department.name) == name.lower())
        ).first()
    if dept is None:
        known = ", ".join(session.scalars(select(Department.name).order_by(Department.position)))
        raise NotFound(f"no department {name!r} (known: {known or 'none'})")
    return dept


def add_event(
    session: Session, case_id: int, kind: EventKind, now: datetime, actor: str, /, **data: Any
) -> None:
    session.add(Event(case_id=case_id, at=now, kind=kind.value, actor=actor, data=data))


def _touch_new(session: Session, case: Case, now: datetime, actor: str) -> None:
    """The first triage action on a new case opens it."""
    if case.status == CaseStatus.NEW.value:
        set_status(session, case.id, CaseStatus.OPEN, now, actor)


def route(
    session: Session, case_id: int, department: str | int, now: datetime, actor: str,
    rule: str | None = None,
) -> Department:
    case = get_case(session, case_id)
    dept = find_department(session, department)
    previous = case.department_id
    case.department_id = dept.id
    case.updated_at = now
    data: dict[str, Any] = {"department": dept.name, "previous_department_id": previous}
    if rule is not None:
        data["rule"] = rule
    add_event(session, case.id, EventKind.ROUTED, now, actor, **data)
    _touch_new(session, case, now, actor)
    session.flush()
    # The department's own SLA policy may govern the case from now on.
    refresh_sla(session, [case.id], now)
    return dept


def assign(session: Session, case_id: int, agent: str | None, now: datetime, actor: str) -> None:
    case = get_case(session, case_id)
    previous = case.assignee
    case.assignee = agent or None
    case.updated_at = now
    add_event(session, case.id, EventKind.ASSIGNED, now, actor, assignee=agent, previous=previous)
    _touch_new(session, case, now, actor)


def set_priority(
    session: Session, case_id: int, priority: Priority, now: datetime, actor: str
) -> None:
    case = get_case(session, case_id)
    previous = case.priority
    case.priority = priority.value
    case.updated_at = now
    add_event(
        session, case.id, EventKind.PRIORITY_CHANGED, now, actor,
        priority=priority.value, previous=previous,
    )


def set_status(
    session: Session, case_id: int, status: CaseStatus, now: datetime, actor: str,
    reason: str | None = None,
) -> None:
    case = get_case(session, case_id)
    previous = case.status
    if previous == status.value:
        return
    case.status = status.value
    case.updated_at = now
    if status in (CaseStatus.RESOLVED, CaseStatus.SPAM):
        case.resolved_at = now
    else:
        case.resolved_at = None
    data: dict[str, Any] = {"from": previous, "to": status.value}
    if reason:
        data["reason"] = reason
    add_event(session, case.id, EventKind.STATUS_CHANGED, now, actor, **data)
    session.flush()
    refresh_sla(session, [case.id], now)


def add_note(session: Session, case_id: int, text: str, now: datetime, actor: str) -> None:
    get_case(session, case_id)
    add_event(session, case_id, EventKind.NOTE, now, actor, text=text)
