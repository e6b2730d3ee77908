"""The rows behind the KPI report (``smm_desk.domain.kpi`` defines every figure).

Each query selects a few plain columns limited to the report's range with the
indexed time columns, and the department by name; the counting, the day buckets
and the percentiles happen in :func:`smm_desk.domain.kpi.build_report`, where
they are tested without a database. Day buckets are therefore computed in
Python rather than with SQLite's ``date()`` or PostgreSQL's ``date_trunc``,
which keeps one definition of a UTC day for both engines.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from smm_desk.domain.enums import CaseStatus, Direction
from smm_desk.domain.kpi import (
    ActivityRow,
    BacklogRow,
    DeliveredRow,
    FirstResponseRow,
    KpiRows,
)
from smm_desk.domain.records import EventKind, ReplyState, require_utc
from smm_desk.store.models import Case, Department, Event, Message, Reply

CLOSED = (CaseStatus.RESOLVED.value, CaseStatus.SPAM.value)


def kpi_rows(session: Session, since: datetime, until: datetime) -> KpiRows:
    """Everything :func:`~smm_desk.domain.kpi.build_report` needs for ``[since, until)``."""
    since, until = require_utc(since, "since"), require_utc(until, "until")
    if until <= since:
        raise ValueError("the report range is empty: until must be after since")
    dept = Department.name

    inbound = [
        ActivityRow(at, name) for at, name in session.execute(
            select(Message.created_at, dept)
            .join(Case, Case.id == Message.case_id)
            .outerjoin(Department, Department.id == Case.department_id)
            .where(Message.direction == Direction.INBOUND.value,
                   Message.created_at >= since, Message.created_at < until)
        )
    ]
    opened = [
        ActivityRow(at, name) for at, name in session.execute(
            select(Case.opened_at, dept)
            .outerjoin(Department, Department.id == Case.department_id)
            .where(Case.opened_at >= since, Case.opened_at < until)
        )
    ]
    resolved = [
        ActivityRow(at, name) for at, name in session.execute(
            select(Event.at, dept)
            .join(Case, Case.id == Event.case_id)
            .outerjoin(Department, Department.id == Case.department_id)
            .where(Event.kind == EventKind.STATUS_CHANGED.value,
                   Event.at >= since, Event.at < until,
                   Event.data["to"].as_string() == CaseStatus.RESOLVED.value)
        )
    ]
    delivered = [
        DeliveredRow(at, name, due) for at, name, due in session.execute(
            select(Reply.delivered_at, dept, Reply.clock_due_at)
            .join(Case, Case.id == Reply.case_id)
            .outerjoin(Department, Department.id == Case.department_id)
            .where(Reply.kind == "reply", Reply.state == ReplyState.SENT.value,
                   Reply.delivered_at >= since, Reply.delivered_at < until)
        )
        if at is not None  # the range already excludes NULL; this tells the type checker
    ]
    first_inbound = (
        select(Message.case_id, func.min(Message.created_at).label("first_at"))
        .where(Message.direction == Direction.INBOUND.value)
        .group_by(Message.case_id)
        .subquery()
    )
    first_responses = [
        FirstResponseRow(case_id, name, first_at, answered)
        for case_id, name, first_at, answered in session.execute(
            select(Case.id, dept, first_inbound.c.first_at, Case.first_response_at)
            .join(first_inbound, first_inbound.c.case_id == Case.id)
            .outerjoin(Department, Department.id == Case.department_id)
            .where(Case.first_response_at >= since, Case.first_response_at < until)
        )
    ]
    backlog = [
        BacklogRow(name, network, assignee) for name, network, assignee in session.execute(
            select(dept, Case.network, Case.assignee)
            .outerjoin(Department, Department.id == Case.department_id)
            .where(Case.status.not_in(CLOSED))
        )
    ]
    return KpiRows(inbound=inbound, opened=opened, resolved=resolved, delivered=delivered,
                   first_responses=first_responses, backlog=backlog)

