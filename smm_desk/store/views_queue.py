"""The queue's named views as SQL: ids in urgency order, and a count per view.

The window's sidebar (All open, Mine, Unassigned, Breaching soon, Waiting on
department, each department, each network, Resolved, Spam) is a set of
:class:`QueueFilter` values. Filtering and ordering happen in the database and
only ids come back, so a view of 100,000 cases costs one indexed scan of
integers; the rows the table shows are read later, by id, a window at a time.

``view_counts`` answers every sidebar count in four statements whatever the
number of views (three of them served by indexes alone).

View keys are plain strings the UI can hold without importing the store (see
``queue_filter``, where the filter values live without SQLAlchemy).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from smm_desk.domain.enums import CaseStatus
from smm_desk.domain.records import EventKind
from smm_desk.store.models import Case, Event, Message
from smm_desk.store.queue_filter import (  # re-exported
    BREACHING_WITHIN as BREACHING_WITHIN,
)
from smm_desk.store.queue_filter import (
    FIXED_VIEWS as FIXED_VIEWS,
)
from smm_desk.store.queue_filter import (
    OPEN_STATUSES as OPEN_STATUSES,
)
from smm_desk.store.queue_filter import (
    QueueFilter as QueueFilter,
)
from smm_desk.store.queue_filter import (
    SlaAlertView as SlaAlertView,
)
from smm_desk.store.queue_filter import (
    filter_for as filter_for,
)


def _running_clock_due_by(limit: datetime) -> ColumnElement[bool]:
    return and_(
        Case.sla_target.is_not(None),
        Case.response_due_at.is_not(None),
        Case.sla_stopped.is_(False),
        Case.response_due_at <= limit,
    )


def _conditions(view: QueueFilter, now: datetime) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [
        Case.status.in_(list(view.statuses or OPEN_STATUSES))
    ]
    if view.assignee is not None:
        where.append(Case.assignee == view.assignee)
    if view.unassigned:
        where.append(Case.assignee.is_(None))
    if view.department_id is not None:
        where.append(Case.department_id == view.department_id)
    if view.network is not None:
        where.append(Case.network == view.network)
    if view.breaching_within is not None:
        where.append(_running_clock_due_by(now + view.breaching_within))
    if view.case_ids is not None:
        where.append(Case.id.in_(list(view.case_ids)))
    return where


def queue_ids(session: Session, view: QueueFilter, now: datetime) -> list[int]:
    """Ids of the cases in ``view``, in the order of ``cases.list_cases``: by
    response due time (no running clock last), then by how long the customer
    has waited."""
    if view.case_ids is not None and not view.case_ids:
        return []
    stmt = (
        select(Case.id)
        .where(*_conditions(view, now))
        .order_by(
            sql_case((Case.response_due_at.is_(None), 1), else_=0),
            Case.response_due_at,
            Case.last_inbound_at,
            Case.id,
        )
    )
    # Core execution: no ORM result processing for what may be 100k integers.
    return [row[0] for row in session.connection().execute(stmt)]


def view_counts(session: Session, agent: str, now: datetime) -> dict[str, int]:
    """How many cases each view holds, keyed like the views (see the module doc).
    Departments and networks with no open case are absent (read as 0).

    Four statements, each the cheapest the indexes allow at 100k cases: counts
    per status and per (department, status) come from covering indexes, the
    breaching count from a range of the (status, due) index; only "Mine",
    "Unassigned" and the networks need one pass over the open rows."""
    open_statuses = list(OPEN_STATUSES)
    per_status = {str(status): int(n) for status, n in session.execute(
        select(Case.status, func.count()).group_by(Case.status))}
    counts = {
        "open": sum(per_status.get(s, 0) for s in open_statuses),
        "mine": 0,
        "unassigned": 0,
        "breaching": int(session.scalar(
            select(func.count()).select_from(Case).where(
                Case.status.in_(open_statuses),
                _running_clock_due_by(now + BREACHING_WITHIN))) or 0),
        "waiting_department": per_status.get(CaseStatus.WAITING_DEPARTMENT.value, 0),
        "resolved": per_status.get(CaseStatus.RESOLVED.value, 0),
        "spam": per_status.get(CaseStatus.SPAM.value, 0),
    }
    for department_id, status, n in session.execute(
        select(Case.department_id, Case.status, func.count())
        .group_by(Case.department_id, Case.status)
    ):
        if department_id is not None and status in OPEN_STATUSES:
            key = f"department:{department_id}"
            counts[key] = counts.get(key, 0) + int(n)
    for network, mine, unassigned, n in session.execute(
        select(Case.network,
               func.coalesce(func.sum(sql_case((Case.assignee == agent, 1), else_=0)), 0),
               func.coalesce(func.sum(sql_case((Case.assignee.is_(None), 1), else_=0)), 0),
               func.count())
        .where(Case.status.in_(open_statuses)).group_by(Case.network)
    ):
        counts["mine"] += int(mine)
        counts["unassigned"] += int(unassigned)
        counts[f"network:{network}"] = int(n)
    return counts


def case_networks(session: Session) -> list[str]:
    """Networks that have any case, alphabetically (the sidebar's network views)."""
    return list(session.scalars(select(Case.network).distinct().order_by(Case.network)))


def sla_alerts_after(session: Session, event_id: int, limit: int = 500) -> list[SlaAlertView]:
    """Recorded SLA warnings and breaches (response and resolution targets) with
    an event id above ``event_id``, oldest first."""
    rows = session.execute(
        select(Event.id, Event.case_id, Event.kind, Event.at)
        .where(Event.id > event_id,
               Event.kind.in_([EventKind.SLA_WARNING.value, EventKind.SLA_BREACHED.value,
                               EventKind.RESOLUTION_WARNING.value,
                               EventKind.RESOLUTION_BREACHED.value]))
        .order_by(Event.id).limit(limit)
    )
    return [SlaAlertView(int(i), int(c), str(k), at) for i, c, k, at in rows]


def activity_marker(session: Session) -> tuple[int, int]:
    """(newest message id, newest event id): changes whenever anything arrives or
    happens to a case, so a poller can tell "something changed" from two index reads."""
    messages = session.scalar(select(func.max(Message.id))) or 0
    events = session.scalar(select(func.max(Event.id))) or 0
    return int(messages), int(events)
