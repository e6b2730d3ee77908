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

A pass after a burst of overdue messages records tens of thousands of alerts,
so the response and resolution alerts skip the ORM and the clock's dataclasses:
the driver reads just the snapshot columns and the recorded keys, the clock's
own ``response_crossings``/``crossings`` and ``alert_key`` decide what is owed
from those values, and the events go in as tuples in one ``executemany``. That
costs about a third of building a ``Case``, a snapshot and an ``SlaAlert`` per
alert; the events, their order and the returned pairs are those of
``due_alerts``/``due_resolution_alerts`` on each case's ``snapshot_of``
(tests/store/test_alerts.py compares the two on arbitrary snapshots). Every
case's recorded keys are still read: a new snapshot may repeat a run whose
alerts an earlier snapshot recorded, so neither a cleared nor a set
``sla_alerts_through`` proves a key is new.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from smm_desk.domain.business_hours import as_utc
from smm_desk.domain.enums import CaseStatus
from smm_desk.domain.records import EventKind, ReplyState
from smm_desk.domain.sla import (
    SlaState,
    SlaTarget,
    alert_key,
    crossings,
    due_department_alerts,
    response_crossings,
)
from smm_desk.store.bulk import db_time, insert_rows, readers, rows_in, run, update_rows
from smm_desk.store.models import Base, Case, Handoff, Reply
from smm_desk.store.sla_state import chunks, next_alert_at

ALERT_KINDS = {SlaState.WARNING: EventKind.SLA_WARNING, SlaState.BREACHED: EventKind.SLA_BREACHED}
RESOLUTION_KINDS = {SlaState.WARNING: EventKind.RESOLUTION_WARNING,
                    SlaState.BREACHED: EventKind.RESOLUTION_BREACHED}
DEPARTMENT_KINDS = {SlaState.WARNING: EventKind.DEPARTMENT_WARNING,
                    SlaState.BREACHED: EventKind.DEPARTMENT_BREACHED}

EVENTS = Base.metadata.tables["events"]
CASES = Base.metadata.tables["cases"]
#: The columns of an event row, in the order the rows below are built.
EVENT_COLUMNS = ("case_id", "at", "kind", "actor", "data")
_RESPONSE_KIND = {level: kind.value for level, kind in ALERT_KINDS.items()}
_RESOLUTION_KIND = {level: kind.value for level, kind in RESOLUTION_KINDS.items()}
_CASE_ALERT_KINDS = [kind.value for kind in (*ALERT_KINDS.values(), *RESOLUTION_KINDS.values())]
_RESOLUTION = SlaTarget.RESOLUTION.value
_NONE_REPORTED: frozenset[str] = frozenset()


#: Cases that may owe an alert now: ``next_alert_at`` (store/sla_state.py; set by
#: every new snapshot and by each pass) has come, read through its index — the
#: same cases as "a threshold crossed since the alerts were last recorded
#: (``sla_alerts_through``), or paused alerting with nothing recorded", without
#: scanning every case. Just the snapshot columns the alerts need, read by the
#: driver (``bulk.readers`` reads the times). Parameters: false, now.
CANDIDATES = (
    "SELECT id, sla_target, sla_started_at, response_due_at, warn_at, sla_paused_state,"
    " resolution_started_at, resolution_warn_at, resolution_due_at FROM cases"
    " WHERE sla_stopped = ? AND next_alert_at <= ?"
)
_TARGETS = frozenset(target.value for target in SlaTarget)
_STATES = {state.value: state for state in SlaState}


def _paused_state(value: str | None) -> SlaState | None:
    """``sla_paused_state`` as ``snapshot_of`` reads it (an unknown value is refused)."""
    return (_STATES.get(value) or SlaState(value)) if value else None


def _reported(session: Session, case_ids: Sequence[int],
              kinds: Sequence[str]) -> dict[int, set[str]]:
    """Alert keys already recorded on these cases, by case (cases without any
    are left out); read by the driver, ``data`` decoded as the ORM would.

    Found through each case's events (``events (case_id, id)``): ``kind || ''``
    keeps SQLite's planner off the ``(kind, at)`` index, which it otherwise
    prefers for a few kinds and a long id list, and which walks every alert ever
    recorded of those kinds on every pass (16 ms instead of 2 ms for 500 cases
    with 30,000 alerts recorded, growing with the table). The same rows either
    way; PostgreSQL plans from its statistics and reads the same text."""
    reported: dict[int, set[str]] = {}
    decode = readers(session).json
    sql = ("SELECT case_id, data FROM events WHERE (kind || '') IN "
           f"({', '.join('?' for _ in kinds)}) AND case_id IN")
    for part in chunks(sorted(set(case_ids))):
        for case_id, data in rows_in(session, sql, kinds, part):
            key = (decode(data) or {}).get("key")
            if isinstance(key, str):
                reported.setdefault(case_id, set()).add(key)
    return reported


def _case_alert_rows(session: Session, now: datetime) -> list[tuple[Any, ...]]:
    """Response and resolution alerts owed by cases with a threshold crossed since
    their alerts were last recorded, so a pass reads the few cases that changed,
    not every breached one.

    The same alerts as ``due_alerts``/``due_resolution_alerts`` of each case's
    ``snapshot_of`` (tests/store/test_alerts.py checks it), built from the
    snapshot columns with the clock's own ``response_crossings``/``crossings``
    and ``alert_key``, without a snapshot or an alert object per case."""
    candidates = run(session, CANDIDATES, (False, db_time(session, now)))
    if not candidates:
        return []
    ids = [row[0] for row in candidates]
    read = readers(session)
    time = read.time
    # Each stored time is read once: the next look, the crossings and the event
    # rows share it.
    marks: list[tuple[Any, ...]] = []
    rows: list[tuple[Any, ...]] = []
    append = rows.append
    reported = _reported(session, ids, _CASE_ALERT_KINDS)
    for (case_id, target, started_at, due_at, warn_at, paused, resolution_started_at,
         resolution_warn_at, resolution_due_at) in candidates:
        due = None if due_at is None else time(due_at)
        warn = None if warn_at is None else time(warn_at)
        resolution_warn = None if resolution_warn_at is None else time(resolution_warn_at)
        resolution_due = None if resolution_due_at is None else time(resolution_due_at)
        # Whatever is owed up to now is recorded below, in this same transaction;
        # the next look is at the first threshold still ahead.
        marks.append((now, next_alert_at((warn, due, resolution_warn, resolution_due), now,
                                         False), case_id))
        done = reported.get(case_id, _NONE_REPORTED)
        started = None
        if target:
            # Unknown values are refused, as ``snapshot_of`` refuses them.
            if target not in _TARGETS:
                raise ValueError(f"{target!r} is not a valid SlaTarget")
            crossed = response_crossings(due, warn, _paused_state(paused), now)
            if crossed:
                assert started_at is not None
                started = time(started_at).isoformat()
                for level, at in crossed:
                    key = alert_key(target, level, started)
                    if key not in done:
                        append((case_id, at, _RESPONSE_KIND[level], "sla",
                                {"key": key, "target": target, "started_at": started}))
        if resolution_due is not None and resolution_started_at is not None:
            crossed = crossings(resolution_warn, resolution_due, now)
            if crossed:
                # Both clocks usually start at the same message: one isoformat.
                if started is None or resolution_started_at != started_at:
                    started = time(resolution_started_at).isoformat()
                for level, at in crossed:
                    key = alert_key(_RESOLUTION, level, started)
                    if key not in done:
                        append((case_id, at, _RESOLUTION_KIND[level], "sla",
                                {"key": key, "target": _RESOLUTION, "started_at": started}))
    update_rows(session, CASES, ("sla_alerts_through", "next_alert_at"), marks)
    return rows


def _department_alert_rows(session: Session, now: datetime) -> list[tuple[Any, ...]]:
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
                         [kind.value for kind in DEPARTMENT_KINDS.values()])
    rows: list[tuple[Any, ...]] = []
    for handoff_id, case_id, department, warn_at, due_at in candidates:
        for alert in due_department_alerts(handoff_id, warn_at, due_at, now,
                                           reported.get(case_id, _NONE_REPORTED)):
            rows.append((case_id, alert.at, DEPARTMENT_KINDS[alert.level].value, "sla",
                         {"key": alert.key, "handoff_id": handoff_id, "department": department,
                          "due_at": due_at.isoformat() if due_at else None}))
    return rows


def record_due_alerts(session: Session, now: datetime) -> list[tuple[int, str]]:
    """Append the events for every crossed threshold not yet recorded.
    Returns (case id, event kind) for each new alert, for notifications."""
    now = as_utc(now, "now")
    session.flush()
    rows = [*_case_alert_rows(session, now), *_department_alert_rows(session, now)]
    insert_rows(session, EVENTS, EVENT_COLUMNS, rows)
    return [(row[0], row[2]) for row in rows]
