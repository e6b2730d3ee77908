"""Recording SLA warnings and breaches as events, each exactly once.

Three clocks raise alerts; the clock logic is pure (``smm_desk.domain.sla``)
and this module finds the cases whose warning or due time has passed, asks
the clock which alerts are owed given the keys already recorded, and appends
one event per alert carrying the alert key:

* the response clock (first or next response): ``sla_warning`` /
  ``sla_breached``, with the ``target``;
* the case's resolution clock: ``resolution_warning`` /
  ``resolution_breached``;
* a department's clock while the case waits on it (a handoff whose answer is
  not recorded, case ``waiting_department``, delivery not failed — a failed
  handoff has its own event and the department never received it):
  ``department_warning`` / ``department_breached``, naming the department.

Response and resolution alerts reach the tray through
``views_queue.sla_alerts_after``; department alerts are shown in the case's
thread. Running it twice, or from two desks sharing one database, records
nothing twice within a transaction; the sync loop and the GUI tick call it
about once a minute.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from smm_desk.domain.enums import CaseStatus
from smm_desk.domain.records import EventKind, ReplyState
from smm_desk.domain.sla import (
    SlaState,
    due_alerts,
    due_department_alerts,
    due_resolution_alerts,
)
from smm_desk.store.bulk import insert_many
from smm_desk.store.models import Base, Case, Event, Handoff, Reply
from smm_desk.store.sla_state import chunks, snapshot_of

ALERT_KINDS = {SlaState.WARNING: EventKind.SLA_WARNING, SlaState.BREACHED: EventKind.SLA_BREACHED}
RESOLUTION_KINDS = {SlaState.WARNING: EventKind.RESOLUTION_WARNING,
                    SlaState.BREACHED: EventKind.RESOLUTION_BREACHED}
DEPARTMENT_KINDS = {SlaState.WARNING: EventKind.DEPARTMENT_WARNING,
                    SlaState.BREACHED: EventKind.DEPARTMENT_BREACHED}


def _reported(session: Session, case_ids: Sequence[int],
              kinds: Sequence[EventKind]) -> dict[int, set[str]]:
    """Alert keys already recorded on these cases, by case."""
    reported: dict[int, set[str]] = defaultdict(set)
    for part in chunks(sorted(set(case_ids))):
        for case_id, data in session.execute(
            select(Event.case_id, Event.data).where(
                Event.case_id.in_(part), Event.kind.in_([k.value for k in kinds]),
            )
        ):
            key = (data or {}).get("key")
            if isinstance(key, str):
                reported[case_id].add(key)
    return reported


def _crossed(threshold: Any, now: datetime) -> Any:
    """``threshold`` has passed, and after the case's alerts were last recorded."""
    through = Case.sla_alerts_through
    return and_(threshold <= now, or_(through.is_(None), threshold > through))


def _case_alert_rows(session: Session, now: datetime) -> list[dict[str, Any]]:
    """Response and resolution alerts owed by cases with a threshold crossed since
    their alerts were last recorded (``sla_alerts_through``; a new snapshot clears
    it), so a pass reads the few cases that changed, not every breached one."""
    candidates = list(session.scalars(
        select(Case).where(
            Case.sla_stopped.is_(False),
            or_(_crossed(Case.warn_at, now), _crossed(Case.response_due_at, now),
                and_(Case.sla_paused_state.in_([SlaState.WARNING.value,
                                                 SlaState.BREACHED.value]),
                     Case.sla_alerts_through.is_(None)),
                _crossed(Case.resolution_warn_at, now),
                _crossed(Case.resolution_due_at, now)),
        )
    ))
    if not candidates:
        return []
    # Whatever is owed up to now is recorded below, in this same transaction.
    for part in chunks([c.id for c in candidates]):
        session.execute(update(Case).where(Case.id.in_(part)).values(sla_alerts_through=now)
                        .execution_options(synchronize_session=False))
    reported = _reported(session, [c.id for c in candidates],
                         [*ALERT_KINDS.values(), *RESOLUTION_KINDS.values()])
    rows: list[dict[str, Any]] = []
    for case in candidates:
        snapshot = snapshot_of(case)
        for kinds, alerts in (
            (ALERT_KINDS, due_alerts(snapshot, now, reported[case.id])),
            (RESOLUTION_KINDS, due_resolution_alerts(snapshot, now, reported[case.id])),
        ):
            for alert in alerts:
                rows.append({
                    "case_id": case.id, "at": alert.at, "kind": kinds[alert.level].value,
                    "actor": "sla", "data": {"key": alert.key, "target": alert.target.value,
                                             "started_at": alert.started_at.isoformat()},
                })
    return rows


def _department_alert_rows(session: Session, now: datetime) -> list[dict[str, Any]]:
    """Alerts owed by department clocks still running (see the module doc)."""
    candidates = session.execute(
        select(Handoff.id, Handoff.case_id, Handoff.department_name, Handoff.warn_at,
               Handoff.due_at)
        .join(Case, Case.id == Handoff.case_id)
        .join(Reply, Reply.id == Handoff.id)
        .where(Handoff.answered_at.is_(None),
               Case.status == CaseStatus.WAITING_DEPARTMENT.value,
               Reply.state != ReplyState.FAILED.value,
               or_(Handoff.warn_at <= now, Handoff.due_at <= now))
        .order_by(Handoff.queued_at, Handoff.id)
    ).all()
    if not candidates:
        return []
    reported = _reported(session, [row.case_id for row in candidates],
                         list(DEPARTMENT_KINDS.values()))
    rows: list[dict[str, Any]] = []
    for handoff_id, case_id, department, warn_at, due_at in candidates:
        for alert in due_department_alerts(handoff_id, warn_at, due_at, now, reported[case_id]):
            rows.append({
                "case_id": case_id, "at": alert.at, "kind": DEPARTMENT_KINDS[alert.level].value,
                "actor": "sla", "data": {"key": alert.key, "handoff_id": handoff_id,
                                         "department": department,
                                         "due_at": due_at.isoformat() if due_at else None},
            })
    return rows


def record_due_alerts(session: Session, now: datetime) -> list[tuple[int, str]]:
    """Append the events for every crossed threshold not yet recorded.
    Returns (case id, event kind) for each new alert, for notifications."""
    session.flush()
    rows = [*_case_alert_rows(session, now), *_department_alert_rows(session, now)]
    insert_many(session, Base.metadata.tables["events"], rows)
    return [(row["case_id"], row["kind"]) for row in rows]
