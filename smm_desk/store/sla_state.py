"""Keeping each case's SLA snapshot in step with its history.

The clock itself is pure (``smm_desk.domain.sla``); this module feeds it a
case's message times and status changes straight from the database and writes
the resulting :class:`SlaSnapshot` into the case's columns, in bulk, so a batch
of 100,000 ingested messages costs a few set-based queries, not one query per
case.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from smm_desk.domain.business_hours import BusinessCalendar
from smm_desk.domain.enums import CaseStatus, Direction
from smm_desk.domain.records import EventKind, MessageKind
from smm_desk.domain.sla import (
    DEFAULT_POLICY,
    MessagePoint,
    SlaPolicy,
    SlaSnapshot,
    SlaState,
    SlaTarget,
    StatusChange,
    evaluate,
    evaluate_new_inbound,
)
from smm_desk.store.bulk import readers, rows_in, run
from smm_desk.store.models import Base, Case, SlaPolicyRow

CHUNK = 500
DEFAULT_POLICY_NAME = "Default"

# Core tables: these reads need no ORM objects, and skip the ORM's per-statement cost.
CASES = Base.metadata.tables["cases"]
MESSAGES = Base.metadata.tables["messages"]
EVENTS = Base.metadata.tables["events"]
POLICIES = Base.metadata.tables["sla_policies"]
DEPARTMENTS = Base.metadata.tables["departments"]

# The ingest path's reads, as plain SQL through the driver (store/bulk.py: the
# ORM's and even Core's per-statement cost is more than SQLite needs to answer,
# and a page of Telegram updates pays it on every commit). Their order is the
# one the Core statements had: none asked for, the clock sorts what it needs.
POINTS_OF_CASES = ("SELECT case_id, direction, created_at FROM messages "
                   "WHERE kind <> ? AND case_id IN")
STATUS_CHANGES_OF_CASES = "SELECT case_id, at, data FROM events WHERE kind = ? AND case_id IN"
ALL_POLICIES = ("SELECT id, name, first_response_s, next_response_s, resolution_s, "
                "warning_share, calendar FROM sla_policies")


class _PolicyRow(NamedTuple):
    id: int
    name: str
    first_response_s: int
    next_response_s: int
    resolution_s: int
    warning_share: float
    calendar: dict[str, Any] | None


T = TypeVar("T")


def chunks(values: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """Slices small enough for an IN (...) list on every engine."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def policy_from_row(row: SlaPolicyRow | _PolicyRow) -> SlaPolicy:
    return SlaPolicy(
        first_response=timedelta(seconds=row.first_response_s),
        next_response=timedelta(seconds=row.next_response_s),
        resolution=timedelta(seconds=row.resolution_s),
        warning_share=row.warning_share,
        calendar=BusinessCalendar.from_dict(row.calendar) if row.calendar else None,
    )


#: Before any real time: "owed at once, look at this case on the next pass".
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
_ALERTING_PAUSES = (SlaState.WARNING, SlaState.BREACHED)


def next_alert_at(thresholds: Iterable[datetime | None], after: datetime | None,
                  paused_alerting: bool) -> datetime | None:
    """The earliest instant at which a case may owe an alert not yet recorded:
    its first threshold (warning, due, resolution warning, resolution due) after
    ``after`` — the instant its alerts were recorded through, None for all of
    them — or ``EARLIEST`` when its clock is paused in warning or breach and
    nothing is recorded yet (owed at once); None when it owes none until its
    snapshot changes. ``next_alert_at(…) <= now`` is exactly the alert pass's
    old test "a threshold crossed since ``after``, or paused alerting with
    nothing recorded" (tests/store/test_alerts.py holds the two equal)."""
    if paused_alerting and after is None:
        return EARLIEST
    later = [t for t in thresholds if t is not None and (after is None or t > after)]
    return min(later) if later else None


#: The columns of a snapshot, in the order ``snapshot_values`` gives them.
SNAPSHOT_COLUMNS = (
    "sla_target", "sla_started_at", "response_due_at", "warn_at", "sla_paused_remaining_s",
    "sla_paused_state", "resolution_due_at", "sla_stopped", "resolution_started_at",
    "resolution_warn_at", "sla_alerts_through", "next_alert_at",
)


def snapshot_values(snapshot: SlaSnapshot) -> tuple[Any, ...]:
    """The snapshot's column values, in ``SNAPSHOT_COLUMNS`` order."""
    remaining = snapshot.paused_remaining
    return (
        snapshot.target.value if snapshot.target else None,
        snapshot.started_at,
        snapshot.due_at,
        snapshot.warn_at,
        remaining.total_seconds() if remaining is not None else None,
        snapshot.paused_state.value if snapshot.paused_state else None,
        snapshot.resolution_due_at,
        snapshot.stopped,
        snapshot.resolution_started_at,
        snapshot.resolution_warn_at,
        # A new snapshot may owe alerts at any time, past ones included: look again.
        None,
        None if snapshot.stopped else next_alert_at(
            (snapshot.warn_at, snapshot.due_at, snapshot.resolution_warn_at,
             snapshot.resolution_due_at), None, snapshot.paused_state in _ALERTING_PAUSES),
    )


def snapshot_columns(snapshot: SlaSnapshot) -> dict[str, Any]:
    return dict(zip(SNAPSHOT_COLUMNS, snapshot_values(snapshot), strict=True))


_FIRST_RESPONSE = SlaTarget.FIRST_RESPONSE.value


class NewInboundValues:
    """``snapshot_values(evaluate_new_inbound(policy, first_inbound))`` for one
    policy, as ingest asks it for every case a batch opens.

    Without a business calendar the clock's four thresholds are the first
    message's time plus fixed offsets, worked out here once instead of building
    a snapshot and its column dict per case (1.1 µs a case instead of 9); with a calendar,
    or a time that is not an aware UTC ``datetime``, the clock itself answers.
    tests/store/test_ingest_paths.py holds the two equal."""

    __slots__ = ("_offsets", "policy")

    def __init__(self, policy: SlaPolicy) -> None:
        self.policy = policy
        self._offsets = None if policy.calendar is not None else (
            policy.first_response, policy.warning(SlaTarget.FIRST_RESPONSE),
            policy.resolution, policy.warning(SlaTarget.RESOLUTION))

    def __call__(self, first_inbound: datetime) -> tuple[Any, ...]:
        offsets = self._offsets
        if offsets is None or type(first_inbound) is not datetime or \
                first_inbound.tzinfo is not UTC:
            return snapshot_values(evaluate_new_inbound(self.policy, first_inbound))
        due = first_inbound + offsets[0]
        warn = first_inbound + offsets[1]
        resolution_due = first_inbound + offsets[2]
        resolution_warn = first_inbound + offsets[3]
        return (_FIRST_RESPONSE, first_inbound, due, warn, None, None, resolution_due, False,
                first_inbound, resolution_warn, None,
                next_alert_at((warn, due, resolution_warn, resolution_due), None, False))


def snapshot_of(case: Case) -> SlaSnapshot:
    """Rebuild the snapshot from a case row (the queue judges state from it)."""
    remaining = case.sla_paused_remaining_s
    return SlaSnapshot(
        target=SlaTarget(case.sla_target) if case.sla_target else None,
        started_at=case.sla_started_at,
        due_at=case.response_due_at,
        warn_at=case.warn_at,
        paused_remaining=timedelta(seconds=remaining) if remaining is not None else None,
        paused_state=SlaState(case.sla_paused_state) if case.sla_paused_state else None,
        resolution_due_at=case.resolution_due_at,
        stopped=case.sla_stopped,
        resolution_started_at=case.resolution_started_at,
        resolution_warn_at=case.resolution_warn_at,
    )


class PolicyBook:
    """Which SLA policy governs a case: its own, else its department's, else the
    workspace default (the policy named "Default"), else the built-in default.

    Read within one transaction: the policies at once, the departments' choices
    only once a case without a policy of its own but with a department asks
    (a batch of new cases never does).
    """

    def __init__(self, session: Session) -> None:
        self._session = session
        session.flush()  # plain connection reads below: pending changes first
        json_back = readers(session).json
        rows = [_PolicyRow(row[0], row[1], row[2], row[3], row[4], row[5], json_back(row[6]))
                for row in run(session, ALL_POLICIES, ())]
        self._by_id = {row.id: policy_from_row(row) for row in rows}
        default_row = next((row for row in rows if row.name == DEFAULT_POLICY_NAME), None)
        self.default = self._by_id[default_row.id] if default_row else DEFAULT_POLICY
        self._department_policy: dict[int, int | None] | None = None
        self._new_inbound: dict[int, NewInboundValues] = {}

    def new_inbound(self, policy: SlaPolicy) -> NewInboundValues:
        """``NewInboundValues`` of ``policy``, kept for the book's lifetime."""
        found = self._new_inbound.get(id(policy))
        if found is None or found.policy is not policy:
            found = self._new_inbound[id(policy)] = NewInboundValues(policy)
        return found

    def for_case(self, policy_id: int | None, department_id: int | None) -> SlaPolicy:
        if policy_id is not None and policy_id in self._by_id:
            return self._by_id[policy_id]
        if department_id is not None:
            if self._department_policy is None:
                self._department_policy = {
                    dept_id: dept_policy for dept_id, dept_policy in run(
                        self._session, "SELECT id, sla_policy_id FROM departments", ())
                }
            dept_policy = self._department_policy.get(department_id)
            if dept_policy is not None and dept_policy in self._by_id:
                return self._by_id[dept_policy]
        return self.default


def message_points(session: Session, case_ids: Sequence[int]) -> dict[int, list[MessagePoint]]:
    """What the clock sees of each case's messages (notes are not messages to it).
    Reads the connection directly: flush pending ORM changes first."""
    points: dict[int, list[MessagePoint]] = defaultdict(list)
    time_back = readers(session).time
    for case_id, direction, created_at in rows_in(session, POINTS_OF_CASES,
                                                  (MessageKind.NOTE.value,), case_ids):
        points[case_id].append(MessagePoint(Direction(direction), time_back(created_at)))
    return points


def status_changes(session: Session, case_ids: Sequence[int]) -> dict[int, list[StatusChange]]:
    """Each case's recorded status changes (its opening is not one of them).
    Reads the connection directly: flush pending ORM changes first."""
    statuses: dict[int, list[StatusChange]] = defaultdict(list)
    time_back, json_back = readers(session)
    for case_id, at, data in rows_in(session, STATUS_CHANGES_OF_CASES,
                                      (EventKind.STATUS_CHANGED.value,), case_ids):
        statuses[case_id].append(StatusChange(time_back(at), CaseStatus(json_back(data)["to"])))
    return statuses


def refresh_sla(session: Session, case_ids: Iterable[int], now: datetime,
                book: PolicyBook | None = None) -> None:
    """Recompute and store the SLA snapshot of every case in ``case_ids``."""
    ids = sorted(set(case_ids))
    if not ids:
        return
    session.flush()  # the reads below go to the connection: pending changes first
    book = book or PolicyBook(session)
    updates: list[dict[str, Any]] = []
    for part in chunks(ids):
        points = message_points(session, part)
        statuses = status_changes(session, part)
        for case_id, opened_at, policy_id, department_id in session.connection().execute(
            select(CASES.c.id, CASES.c.opened_at, CASES.c.sla_policy_id,
                   CASES.c.department_id).where(CASES.c.id.in_(part))
        ):
            history = [StatusChange(opened_at, CaseStatus.NEW), *statuses[case_id]]
            snapshot = evaluate(
                book.for_case(policy_id, department_id), points[case_id], history, now
            )
            updates.append({"id": case_id, **snapshot_columns(snapshot)})
    session.execute(update(Case), updates)
