"""The reply log: every reply with when it was composed, when it was delivered,
how long the customer waited and whether the SLA was met (judged on delivery)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from smm_desk.domain.views import ReplyLogRow
from smm_desk.store.models import Account, Case, Department, Reply


def reply_log(
    session: Session, since: datetime | None = None, until: datetime | None = None
) -> list[ReplyLogRow]:
    dept = aliased(Department)
    stmt = (
        select(Reply, Case, Account.name, dept.name)
        .join(Case, Case.id == Reply.case_id)
        .join(Account, Account.id == Reply.account_id)
        .outerjoin(dept, dept.id == Case.department_id)
        .where(Reply.kind == "reply")
        .order_by(Reply.composed_at, Reply.id)
    )
    if since is not None:
        stmt = stmt.where(Reply.composed_at >= since)
    if until is not None:
        stmt = stmt.where(Reply.composed_at < until)
    rows = []
    for reply, case, account_name, department in session.execute(stmt):
        seconds: float | None = None
        met: bool | None = None
        if reply.delivered_at is not None and reply.clock_started_at is not None:
            seconds = (reply.delivered_at - reply.clock_started_at).total_seconds()
        if reply.delivered_at is not None and reply.clock_due_at is not None:
            met = reply.delivered_at <= reply.clock_due_at
        rows.append(
            ReplyLogRow(
                reply_id=reply.id, case_id=case.id, network=case.network, account=account_name,
                customer=case.customer_name or case.customer_id, agent=reply.agent,
                department=department, composed_at=reply.composed_at,
                delivered_at=reply.delivered_at, response_seconds=seconds, sla_met=met,
                state=reply.state,
            )
        )
    return rows
