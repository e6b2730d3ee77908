"""The SLA clock: when a case's response is due, and when to warn.

Customers judge a company by how fast it answers, and community managers are
measured on it, so the clock must be hard to fool: it starts at the network's
own ``created_at`` of the oldest unanswered inbound message (never at fetch
time, so a sync gap cannot hide lateness) and stops when our reply is
*delivered* (or an outbound message written elsewhere, e.g. in the network's
native app, is ingested).

The clock is a pure function, :func:`evaluate`, from a case's history (message
times and status changes) to an :class:`SlaSnapshot` whose fields are plain
scalars. The store recomputes the snapshot whenever the history changes and
keeps it in columns; the queue then judges ok/warning/breached from the
snapshot alone with :func:`state_at` (nothing keeps a timer per case), and a
periodic job turns crossed thresholds into events, once each, with
:func:`due_alerts`.

Semantics, including the decisions the design notes left open:

* **Datetimes** are timezone-aware; naive ones raise ``ValueError``. Aware
  datetimes in other zones are accepted and converted; every output is UTC.
* **Answering.** An outbound point answers every inbound message with
  ``at <=`` its own ``at`` (a tie counts as answered). The response clock runs
  from the oldest inbound message later than the latest outbound one. Before
  any outbound message the target is ``first_response``; after one it is
  ``next_response`` (also when the company wrote first, e.g. a DM it started).
* **Statuses** are sorted by ``at`` (a stable sort: of two changes at the same
  instant the later one in the input wins); before the first change the case
  counts as ``new``. Changes later than ``now`` are ignored: they have not
  happened yet. Messages later than ``now`` are *not* ignored: network clocks
  run ahead of ours, and dropping such a message would leave the case without
  a clock until its next event.
* **Pausing.** Time only counts while the status is one that lets the clock
  run (``new``, ``open``, ``waiting_department``); ``waiting_customer`` pauses,
  and a pause never shortens a deadline, in business time too: the deadline is
  the earliest instant by which the target's worth of *running open* time has
  elapsed. A status set before ``started_at`` still decides whether the clock
  is paused when it starts.
* **Stopping.** If the latest status is ``resolved`` or ``spam`` the snapshot
  is ``stopped`` with no target. A stop also *settles* every inbound message
  up to it: after a reopen only inbound messages later than the last stop start
  a clock (a manager who resolved a case said nothing more was owed; a new
  message after that is owed an answer, timed from its own ``created_at``).
  While such a message arrives before the reopen is recorded, the case is still
  resolved and that time does not count, like a pause.
* **While paused** the snapshot keeps ``target`` and ``started_at`` but no
  ``due_at``/``warn_at`` (they depend on when the pause ends); it keeps the
  running-open time left to the deadline (negative when already late) in
  ``paused_remaining`` and the state it froze in, in ``paused_state``.
* **Warning** is due after ``warning_share`` of the target, computed the same
  way (business time, pauses excluded). States are judged ``now >= due_at`` ->
  breached, ``now >= warn_at`` -> warning, else ok.
* **Resolution** runs from the earliest inbound message after the last stop,
  target ``policy.resolution``, same pause rule, whether or not replies were
  sent; ``None`` while paused, stopped, or without such a message. The snapshot
  keeps its start (``resolution_started_at``), warning and due times;
  :func:`due_alerts` raises the response alerts and
  :func:`due_resolution_alerts` the resolution ones, each keyed by its own run.
  While paused the resolution clock has no times, so an alert still owed when a
  pause begins is raised when the clock resumes, with the instant it was crossed.
* **A department's clock** (a handoff) is not part of a case's history: it is
  due by the department's first-response target from the handoff, its times are
  fixed when the case is handed off, and :func:`due_department_alerts` raises
  its alerts keyed by the handoff.
* **Alerts** are identified by target, level and ``started_at`` (the clock
  run), so a recomputed snapshot, a pause and resume, or an app restart never
  reports the same crossing twice. A message older than the current run that
  is ingested late moves ``started_at`` earlier and therefore starts a new run.
  A paused snapshot knows its frozen state but not the instants the thresholds
  were crossed; alerts it still owes carry ``at=now``.
* **Times shown** by :func:`time_left` and :func:`overdue_by` are wall-clock
  (absolute) durations to/from ``due_at``, what a person reading "breached by 7
  min" expects; while paused they are the frozen running-open time instead.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from smm_desk.domain.business_hours import BusinessCalendar, as_utc
from smm_desk.domain.enums import CaseStatus, Direction

__all__ = [
    "DEFAULT_POLICY",
    "CaseStatus",
    "DepartmentAlert",
    "Direction",
    "MessagePoint",
    "SlaAlert",
    "SlaPolicy",
    "SlaSnapshot",
    "SlaState",
    "SlaTarget",
    "StatusChange",
    "alert_key",
    "crossings",
    "due_alerts",
    "due_department_alerts",
    "due_resolution_alerts",
    "evaluate",
    "evaluate_new_inbound",
    "overdue_by",
    "response_crossings",
    "state_at",
    "time_left",
]

_ZERO = timedelta(0)


class SlaTarget(StrEnum):
    FIRST_RESPONSE = "first_response"
    NEXT_RESPONSE = "next_response"
    RESOLUTION = "resolution"


class SlaState(StrEnum):
    OK = "ok"
    WARNING = "warning"
    BREACHED = "breached"


#: Statuses during which no time counts.
PAUSING: frozenset[CaseStatus] = frozenset({CaseStatus.WAITING_CUSTOMER})
#: Statuses that stop every clock and settle the messages before them.
STOPPING: frozenset[CaseStatus] = frozenset({CaseStatus.RESOLVED, CaseStatus.SPAM})


@dataclass(frozen=True)
class SlaPolicy:
    """Targets of one SLA policy; ``calendar=None`` counts around the clock."""

    first_response: timedelta = timedelta(minutes=10)
    next_response: timedelta = timedelta(minutes=10)
    resolution: timedelta = timedelta(hours=24)
    warning_share: float = 0.8
    calendar: BusinessCalendar | None = None

    def __post_init__(self) -> None:
        for name in ("first_response", "next_response", "resolution"):
            value = getattr(self, name)
            if not isinstance(value, timedelta) or value <= _ZERO:
                raise ValueError(f"{name} must be a positive timedelta, got {value!r}")
        share = self.warning_share
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share < 1:
            raise ValueError(f"warning_share must be strictly between 0 and 1, got {share!r}")
        object.__setattr__(self, "warning_share", float(share))
        if self.calendar is not None and not isinstance(self.calendar, BusinessCalendar):
            raise ValueError("calendar must be a BusinessCalendar or None")

    def target(self, target: SlaTarget) -> timedelta:
        """The allowed time for ``target``."""
        if target is SlaTarget.FIRST_RESPONSE:
            return self.first_response
        if target is SlaTarget.NEXT_RESPONSE:
            return self.next_response
        return self.resolution

    def warning(self, target: SlaTarget) -> timedelta:
        """The share of ``target`` after which a warning is due."""
        return self.target(target) * self.warning_share


DEFAULT_POLICY = SlaPolicy()


@dataclass(frozen=True)
class MessagePoint:
    """One message as the clock sees it.

    ``at`` is the network ``created_at`` for inbound messages; for outbound ones
    the ``delivered_at`` of our reply (judged on delivery, not composition), or
    the network ``created_at`` of an outbound message made elsewhere.
    """

    direction: Direction
    at: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "direction", Direction(self.direction))
        object.__setattr__(self, "at", as_utc(self.at, "MessagePoint.at"))


@dataclass(frozen=True)
class StatusChange:
    """The case entered ``status`` at ``at``."""

    at: datetime
    status: CaseStatus

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", as_utc(self.at, "StatusChange.at"))
        object.__setattr__(self, "status", CaseStatus(self.status))


_SNAPSHOT_TIMES = ("started_at", "due_at", "warn_at", "resolution_due_at",
                   "resolution_started_at", "resolution_warn_at")


@dataclass(frozen=True)
class SlaSnapshot:
    """Everything the queue needs to judge a case's SLA, as plain scalars.

    ``target``/``started_at`` are set while a response is owed; ``due_at`` and
    ``warn_at`` while that clock runs; ``paused_remaining``/``paused_state``
    while it is paused. ``resolution_due_at`` is the resolution deadline while it
    runs, with ``resolution_started_at`` (the run's identity) and
    ``resolution_warn_at``. ``stopped`` means resolved or spam (then everything
    else is ``None``).
    """

    target: SlaTarget | None = None
    started_at: datetime | None = None
    due_at: datetime | None = None
    warn_at: datetime | None = None
    paused_remaining: timedelta | None = None
    paused_state: SlaState | None = None
    resolution_due_at: datetime | None = None
    stopped: bool = False
    resolution_started_at: datetime | None = None
    resolution_warn_at: datetime | None = None

    def __post_init__(self) -> None:
        # Built for every case a batch creates: values already aware UTC (what
        # the clock itself produces) are kept as they are; anything else goes
        # through the full check and conversion.
        for name in _SNAPSHOT_TIMES:
            value = getattr(self, name)
            if value is not None and (type(value) is not datetime or value.tzinfo is not UTC):
                object.__setattr__(self, name, as_utc(value, name))
        if self.target is not None and type(self.target) is not SlaTarget:
            object.__setattr__(self, "target", SlaTarget(self.target))
        if self.paused_state is not None and type(self.paused_state) is not SlaState:
            object.__setattr__(self, "paused_state", SlaState(self.paused_state))

    @property
    def paused(self) -> bool:
        return self.target is not None and self.paused_state is not None


@dataclass(frozen=True)
class SlaAlert:
    """A warning or breach threshold that was crossed, to be recorded once."""

    target: SlaTarget
    level: SlaState
    started_at: datetime
    at: datetime

    def __post_init__(self) -> None:
        if self.level not in (SlaState.WARNING, SlaState.BREACHED):
            raise ValueError(f"an alert is a warning or a breach, not {self.level!r}")
        object.__setattr__(self, "started_at", as_utc(self.started_at, "started_at"))
        object.__setattr__(self, "at", as_utc(self.at, "at"))

    @property
    def key(self) -> str:
        """Stable identity, e.g. ``first_response:warning:2026-01-01T10:00:00+00:00``."""
        return alert_key(self.target.value, self.level.value, self.started_at.isoformat())


def alert_key(target: str, level: str, started_at: str) -> str:
    """An :class:`SlaAlert`'s key from its target and level values and the run's
    start as ``isoformat()`` text (a store reading columns builds it without the
    dataclass; the format has this one definition)."""
    return f"{target}:{level}:{started_at}"


@dataclass(frozen=True)
class DepartmentAlert:
    """A department's clock (one handoff) crossed its warning or due time."""

    handoff_id: str
    level: SlaState
    at: datetime

    def __post_init__(self) -> None:
        if self.level not in (SlaState.WARNING, SlaState.BREACHED):
            raise ValueError(f"an alert is a warning or a breach, not {self.level!r}")
        if not self.handoff_id:
            raise ValueError("a department alert needs its handoff id")
        object.__setattr__(self, "at", as_utc(self.at, "at"))

    @property
    def key(self) -> str:
        """Stable identity, e.g. ``department:warning:<handoff id>``."""
        return f"department:{self.level.value}:{self.handoff_id}"


# -- the clock ---------------------------------------------------------------------------


class _Clock(Protocol):
    def add(self, start: datetime, duration: timedelta) -> datetime: ...

    def open_between(self, start: datetime, end: datetime) -> timedelta: ...


class _AroundTheClock:
    """The clock of a policy without a calendar: every instant is open."""

    def add(self, start: datetime, duration: timedelta) -> datetime:
        return start + duration

    def open_between(self, start: datetime, end: datetime) -> timedelta:
        return max(end - start, _ZERO)


_ALWAYS = _AroundTheClock()

#: A span during which the clock runs; ``None`` as its end means "still running".
_Span = tuple[datetime, datetime | None]


def _running_spans(statuses: Sequence[StatusChange], start: datetime) -> Iterator[_Span]:
    """Spans from ``start`` on during which the status lets the clock run (sorted input)."""
    current = CaseStatus.NEW
    index = 0
    while index < len(statuses) and statuses[index].at <= start:
        current = statuses[index].status
        index += 1
    running = current not in PAUSING | STOPPING
    span_start = start
    for change in statuses[index:]:
        now_running = change.status not in PAUSING | STOPPING
        if now_running == running:
            continue
        if running:
            yield span_start, change.at
        else:
            span_start = change.at
        running = now_running
    if running:
        yield span_start, None


def _deadline(clock: _Clock, spans: Sequence[_Span], amount: timedelta) -> datetime | None:
    """Earliest instant by which ``amount`` of running open time has elapsed, if ever."""
    remaining = amount
    for start, end in spans:
        if end is None:
            return clock.add(start, remaining)
        got = clock.open_between(start, end)
        if got >= remaining:
            return clock.add(start, remaining)
        remaining -= got
    return None


def _consumed(clock: _Clock, spans: Sequence[_Span]) -> timedelta:
    """Running open time in bounded spans (all of them, when paused)."""
    total = _ZERO
    for start, end in spans:
        if end is not None:
            total += clock.open_between(start, end)
    return total


def evaluate(
    policy: SlaPolicy,
    messages: Sequence[MessagePoint],
    statuses: Sequence[StatusChange],
    now: datetime,
) -> SlaSnapshot:
    """The SLA snapshot of a case with this history, as of ``now``.

    Inputs may come in any order. See the module docstring for the rules.
    """
    now = as_utc(now, "now")
    history = sorted((change for change in statuses if change.at <= now), key=lambda c: c.at)
    latest = history[-1].status if history else CaseStatus.NEW
    if latest in STOPPING:
        return SlaSnapshot(stopped=True)

    settled_until = max((c.at for c in history if c.status in STOPPING), default=None)
    inbound = sorted(
        m.at
        for m in messages
        if m.direction is Direction.INBOUND and (settled_until is None or m.at > settled_until)
    )
    last_outbound = max((m.at for m in messages if m.direction is Direction.OUTBOUND), default=None)
    clock: _Clock = policy.calendar if policy.calendar is not None else _ALWAYS
    paused = latest in PAUSING

    resolution_started_at = resolution_due_at = resolution_warn_at = None
    if inbound and not paused:
        spans = list(_running_spans(history, inbound[0]))
        resolution_started_at = inbound[0]
        resolution_due_at = _deadline(clock, spans, policy.resolution)
        resolution_warn_at = _deadline(clock, spans, policy.warning(SlaTarget.RESOLUTION))

    unanswered = [at for at in inbound if last_outbound is None or at > last_outbound]
    if not unanswered:
        return SlaSnapshot(resolution_due_at=resolution_due_at,
                           resolution_started_at=resolution_started_at,
                           resolution_warn_at=resolution_warn_at)

    started_at = unanswered[0]
    target = SlaTarget.FIRST_RESPONSE if last_outbound is None else SlaTarget.NEXT_RESPONSE
    amount = policy.target(target)
    warn_amount = policy.warning(target)
    spans = list(_running_spans(history, started_at))
    if paused:
        consumed = _consumed(clock, spans)
        if consumed >= amount:
            frozen = SlaState.BREACHED
        elif consumed >= warn_amount:
            frozen = SlaState.WARNING
        else:
            frozen = SlaState.OK
        return SlaSnapshot(
            target=target,
            started_at=started_at,
            paused_remaining=amount - consumed,
            paused_state=frozen,
        )
    return SlaSnapshot(
        target=target,
        started_at=started_at,
        due_at=_deadline(clock, spans, amount),
        warn_at=_deadline(clock, spans, warn_amount),
        resolution_due_at=resolution_due_at,
        resolution_started_at=resolution_started_at,
        resolution_warn_at=resolution_warn_at,
    )


def evaluate_new_inbound(policy: SlaPolicy, first_inbound: datetime) -> SlaSnapshot:
    """``evaluate`` for a case whose history is inbound messages only, the earliest
    at ``first_inbound``, and no status change but being opened (``new``).

    The common case of a freshly ingested conversation, without building a
    point per message: nothing paused, stopped or answered it, so both clocks
    run from the first message. Equal to ``evaluate`` at any ``now`` and any
    opening time (a property test checks it).
    """
    start = as_utc(first_inbound, "first_inbound")
    clock: _Clock = policy.calendar if policy.calendar is not None else _ALWAYS
    return SlaSnapshot(
        target=SlaTarget.FIRST_RESPONSE,
        started_at=start,
        due_at=clock.add(start, policy.first_response),
        warn_at=clock.add(start, policy.warning(SlaTarget.FIRST_RESPONSE)),
        resolution_due_at=clock.add(start, policy.resolution),
        resolution_started_at=start,
        resolution_warn_at=clock.add(start, policy.warning(SlaTarget.RESOLUTION)),
    )


# -- reading a snapshot ------------------------------------------------------------------


def state_at(snapshot: SlaSnapshot, now: datetime) -> SlaState | None:
    """ok / warning / breached at ``now``; the frozen state while paused; ``None`` with no clock."""
    now = as_utc(now, "now")
    if snapshot.stopped or snapshot.target is None:
        return None
    if snapshot.paused_state is not None:
        return snapshot.paused_state
    if snapshot.due_at is None:
        return None
    if now >= snapshot.due_at:
        return SlaState.BREACHED
    if snapshot.warn_at is not None and now >= snapshot.warn_at:
        return SlaState.WARNING
    return SlaState.OK


def overdue_by(snapshot: SlaSnapshot, now: datetime) -> timedelta | None:
    """How late the response is (``>= 0``) when breached, else ``None``."""
    state = state_at(snapshot, now)
    if state is not SlaState.BREACHED:
        return None
    if snapshot.paused_remaining is not None and snapshot.paused_state is not None:
        return -snapshot.paused_remaining
    assert snapshot.due_at is not None
    return as_utc(now, "now") - snapshot.due_at


def time_left(snapshot: SlaSnapshot, now: datetime) -> timedelta | None:
    """Time until the response is due (``>= 0``, zero once due); ``None`` with no clock."""
    if state_at(snapshot, now) is None:
        return None
    if snapshot.paused_remaining is not None and snapshot.paused_state is not None:
        return max(snapshot.paused_remaining, _ZERO)
    assert snapshot.due_at is not None
    return max(snapshot.due_at - as_utc(now, "now"), _ZERO)


def due_alerts(snapshot: SlaSnapshot, now: datetime, reported: Collection[str]) -> list[SlaAlert]:
    """Crossed thresholds not yet in ``reported`` (keys), warning before breach.

    A breach noticed late still yields its warning first, so each run reports
    both, once each, in order.
    """
    now = as_utc(now, "now")
    if snapshot.stopped or snapshot.target is None:
        return []
    crossed = response_crossings(snapshot.due_at, snapshot.warn_at, snapshot.paused_state, now)
    if not crossed:
        return []
    assert snapshot.started_at is not None
    alerts = [SlaAlert(snapshot.target, level, snapshot.started_at, at) for level, at in crossed]
    return [alert for alert in alerts if alert.key not in reported]


def crossings(warn_at: datetime | None, due_at: datetime,
              now: datetime) -> list[tuple[SlaState, datetime]]:
    """The thresholds passed by ``now``, warning first (a warning time after the
    due time counts as the due time, so a breach never comes without its warning).
    Aware UTC datetimes in, as the snapshot holds them."""
    warn = min(warn_at, due_at) if warn_at is not None else due_at
    if now < warn:
        return []
    if now < due_at:
        return [(SlaState.WARNING, warn)]
    return [(SlaState.WARNING, warn), (SlaState.BREACHED, due_at)]


def response_crossings(due_at: datetime | None, warn_at: datetime | None,
                       paused_state: SlaState | None,
                       now: datetime) -> list[tuple[SlaState, datetime]]:
    """The response thresholds a running (not stopped) clock with a target owes
    by ``now``, warning first: :func:`crossings` of its times, or while paused
    what its frozen state owes, at ``now`` (the instants are not known).

    The same judgement as :func:`state_at`: breached from ``due_at`` on, warned
    from ``warn_at``; nothing without a due time. Aware UTC datetimes in."""
    if paused_state is not None:
        if paused_state == SlaState.BREACHED:
            return [(SlaState.WARNING, now), (SlaState.BREACHED, now)]
        return [(SlaState.WARNING, now)] if paused_state == SlaState.WARNING else []
    if due_at is None:
        return []
    return crossings(warn_at, due_at, now)


def due_resolution_alerts(snapshot: SlaSnapshot, now: datetime,
                          reported: Collection[str]) -> list[SlaAlert]:
    """The resolution target's crossed thresholds not yet in ``reported``
    (keys), warning before breach, each carrying the instant it was crossed.
    Nothing while the resolution clock is paused, stopped or not running."""
    now = as_utc(now, "now")
    if (snapshot.stopped or snapshot.resolution_due_at is None
            or snapshot.resolution_started_at is None):
        return []
    alerts = [SlaAlert(SlaTarget.RESOLUTION, level, snapshot.resolution_started_at, at)
              for level, at in crossings(snapshot.resolution_warn_at,
                                         snapshot.resolution_due_at, now)]
    return [alert for alert in alerts if alert.key not in reported]


def due_department_alerts(handoff_id: str, warn_at: datetime | None, due_at: datetime | None,
                          now: datetime, reported: Collection[str]) -> list[DepartmentAlert]:
    """A department clock's crossed thresholds not yet in ``reported`` (keys),
    warning before breach. The caller decides whether the clock still runs
    (the case waits on the department and its answer is not recorded)."""
    now = as_utc(now, "now")
    if due_at is None:
        return []
    due_at = as_utc(due_at, "due_at")
    warn = as_utc(warn_at, "warn_at") if warn_at is not None else None
    alerts = [DepartmentAlert(handoff_id, level, at) for level, at in crossings(warn, due_at, now)]
    return [alert for alert in alerts if alert.key not in reported]
