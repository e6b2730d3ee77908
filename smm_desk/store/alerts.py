"""Recording SLA warnings and breaches as events, each exactly once.

The clock is pure (``smm_desk.domain.sla.due_alerts``); this module finds the
cases whose warning or due time has passed, asks the clock which alerts are
owed given the keys already recorded, and appends ``sla_warning`` /
``sla_breached`` events carrying the alert key. Running it twice, or from two
desks sharing one database, records nothing twice within a transaction;
the sync loop and the GUI tick call it about once a minute.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from smm_desk.domain.records import EventKind
from smm_desk.domain.sla import SlaState, due_alerts
from smm_desk.store.bulk import insert_many
from smm_desk.store.models import Base, Case, Event
from smm_desk.store.sla_state import chunks, snapshot_of

ALERT_KINDS = {SlaState.WARNING: EventKind.SLA_WARNING, SlaState.BREACHED: EventKind.SLA_BREACHED}


def record_due_alerts(session: Session, now: datetime) -> list[tuple[int, str]]:
    """Append the events for every crossed threshold not yet recorded.
    Returns (case id, event kind) for each new alert, for notifications."""
    candidates = list(session.scalars(
        select(Case).where(
            Case.sla_target.is_not(None),
            or_(Case.warn_at <= now, Case.response_due_at <= now,
                Case.sla_paused_state.in_([SlaState.WARNING.value, SlaState.BREACHED.value])),
        )
    ))
    if not candidates:
        return []
    reported: dict[int, set[str]] = defaultdict(set)
    for part in chunks([c.id for c in candidates]):
        for case_id, data in session.execute(
            select(Event.case_id, Event.data).where(
                Event.case_id.in_(part),
                Event.kind.in_([EventKind.SLA_WARNING.value, EventKind.SLA_BREACHED.value]),
            )
        ):
            key = (data or {}).get("key")
            if isinstance(key, str):
                reported[case_id].add(key)
    rows: list[dict[str, Any]] = []
    for case in candidates:
        for alert in due_alerts(snapshot_of(case), now, reported[case.id]):
            rows.append({
                "case_id": case.id, "at": alert.at, "kind": ALERT_KINDS[alert.level].value,
                "actor": "sla", "data": {"key": alert.key, "target": alert.target.value,
                                         "started_at": alert.started_at.isoformat()},
            })
    insert_many(session, Base.metadata.tables["events"], rows)
    return [(row["case_id"], row["kind"]) for row in rows]
