"""KPI figures of the desk: pure arithmetic over plain rows the store hands up.

What a community manager is measured on (DESIGN.md): how many requests came in,
how many were handled, how fast the first answer came and how often the SLA was
met. Every figure is defined here once, so the CLI (``smm-desk report``), the
reports screen and the tests agree to the second.

Definitions (the report covers the half-open UTC range ``[since, until)``):

* **Days** are UTC calendar days. The command line reads ``--since``/``--until``
  as UTC dates, ``--until`` inclusive; a desk in another zone sees its evening
  traffic on the next UTC day, which keeps figures identical on every machine of
  a team that shares one database.
* **Incoming**: inbound messages whose network ``created_at`` is in the range
  (``incoming_messages``), and new cases whose ``opened_at`` is in the range
  (``new_cases``). Both on the network's own time, never on fetch time.
* **Handled**: resolutions in the range (``resolved_cases``: each change of a
  case's status to ``resolved``; a case resolved, reopened by the customer and
  resolved again counts twice, as it was handled twice; ``spam`` is not a
  handled request), and replies to customers delivered in the range
  (``replies_delivered``; handoffs to departments are not replies).
* **First-response time** of a case: from the ``created_at`` of its first
  inbound message to its first answer (``cases.first_response_at``: the first
  reply delivered from the desk, or an answer made in the network's own app and
  ingested). Counted for cases whose first answer falls in the range, so a day's
  figure no longer moves once the day is over. Wall-clock seconds, not business
  seconds: the SLA percentage is where business hours count.
* **Median** is the usual one (mean of the two middle values for an even count);
  **p90** uses the *nearest-rank* method: the smallest value with at least 90 %
  of the values at or below it, i.e. ``sorted(v)[ceil(0.9 * n) - 1]``. It is
  always a value that occurred, so "p90 = 15 min" names a real case.
* **SLA met %**: replies delivered in the range that answered a running
  response clock (``clock_due_at`` set), judged on delivery:
  ``delivered_at <= clock_due_at``. Replies that owed nothing are not judged.
* **Backlog** is *now*, whatever the range: cases not resolved and not spam, by
  department, network and assignee.
* **Department** is a case's department at report time; ``None`` (shown as
  "Unrouted") for a case not yet routed. The department filter applies to every
  figure, the backlog included.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from smm_desk.domain.records import require_utc

__all__ = [
    "UNASSIGNED",
    "UNROUTED",
    "ActivityRow",
    "BacklogRow",
    "CountRow",
    "DayFigures",
    "DeliveredRow",
    "FirstResponseRow",
    "KpiReport",
    "KpiRows",
    "build_report",
    "days_between",
    "median",
    "percentile_nearest_rank",
    "sla_met_percent",
    "utc_day_range",
]

#: Labels for the "no department" and "no assignee" buckets.
UNROUTED = "Unrouted"
UNASSIGNED = "Unassigned"


# -- the arithmetic ----------------------------------------------------------------------


def median(values: Iterable[float]) -> float | None:
    """The median; None for no values. Even count: mean of the two middle values."""
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        return None
    mid = n // 2
    if n % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


def percentile_nearest_rank(values: Iterable[float], p: float) -> float | None:
    """The ``p``-th percentile (0 < p <= 100) by nearest rank; None for no values."""
    if not 0 < p <= 100:
        raise ValueError(f"percentile must be in (0, 100], got {p}")
    ordered = sorted(values)
    if not ordered:
        return None
    # round() guards against 0.9 * 10 = 9.000000000000002 giving rank 10.
    rank = math.ceil(round(p / 100 * len(ordered), 9))
    return ordered[max(rank, 1) - 1]


def sla_met_percent(met: int, judged: int) -> float | None:
    """Share of judged replies that met the SLA, in percent; None if none judged."""
    if judged < 0 or not 0 <= met <= judged:
        raise ValueError(f"bad SLA counts: {met} met of {judged}")
    return None if judged == 0 else 100.0 * met / judged


def utc_day_range(first: date, last: date) -> tuple[datetime, datetime]:
    """Aware UTC bounds ``[first 00:00Z, last + 1 day 00:00Z)`` of inclusive UTC days."""
    if first > last:
        raise ValueError(f"the first day {first} is after the last day {last}")
    return (datetime.combine(first, time(), UTC),
            datetime.combine(last + timedelta(days=1), time(), UTC))


def days_between(since: datetime, until: datetime) -> list[date]:
    """The UTC days the half-open range ``[since, until)`` touches, in order."""
    since, until = require_utc(since, "since"), require_utc(until, "until")
    if until <= since:
        return []
    last = (until - timedelta(microseconds=1)).date()
    day = since.date()
    out = []
    while day <= last:
        out.append(day)
        day += timedelta(days=1)
    return out


# -- the rows the store hands up ---------------------------------------------------------


@dataclass(frozen=True)
class ActivityRow:
    """Something that happened to a case at ``at``: an inbound message, a case
    opened, a case resolved."""

    at: datetime
    department: str | None


@dataclass(frozen=True)
class DeliveredRow:
    """A reply to a customer delivered at ``delivered_at``; ``clock_due_at`` is
    the due time of the response clock it answered (None: none was running)."""

    delivered_at: datetime
    department: str | None
    clock_due_at: datetime | None


@dataclass(frozen=True)
class FirstResponseRow:
    case_id: int
    department: str | None
    first_inbound_at: datetime
    first_response_at: datetime


@dataclass(frozen=True)
class BacklogRow:
    """One open case (not resolved, not spam)."""

    department: str | None
    network: str
    assignee: str | None


@dataclass(frozen=True)
class KpiRows:
    """Everything a report needs, already limited to the range by the store."""

    inbound: Sequence[ActivityRow]
    opened: Sequence[ActivityRow]
    resolved: Sequence[ActivityRow]
    delivered: Sequence[DeliveredRow]
    first_responses: Sequence[FirstResponseRow]
    backlog: Sequence[BacklogRow]


# -- the report --------------------------------------------------------------------------


@dataclass(frozen=True)
class DayFigures:
    """Incoming and handled counts over one day, one department or the whole range."""

    label: str
    incoming_messages: int = 0
    new_cases: int = 0
    resolved_cases: int = 0
    replies_delivered: int = 0


@dataclass(frozen=True)
class CountRow:
    label: str
    count: int


@dataclass(frozen=True)
class KpiReport:
    since: datetime
    until: datetime
    department: str | None
    #: One entry per UTC day of the range (label ``YYYY-MM-DD``), zero days included.
    days: tuple[DayFigures, ...]
    #: One entry per department with any activity in the range, by name.
    departments: tuple[DayFigures, ...]
    totals: DayFigures
    first_responses: int
    first_response_median_s: float | None
    first_response_p90_s: float | None
    sla_judged: int
    sla_met: int
    sla_met_percent: float | None
    #: Open cases now; the three breakdowns are largest first.
    backlog_total: int
    backlog_by_department: tuple[CountRow, ...]
    backlog_by_network: tuple[CountRow, ...]
    backlog_by_agent: tuple[CountRow, ...]


def _in_range(at: datetime, since: datetime, until: datetime) -> bool:
    return since <= at < until


def _counts(labels: Iterable[str]) -> tuple[CountRow, ...]:
    counter = Counter(labels)
    return tuple(CountRow(k, v) for k, v in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def _dept(name: str | None) -> str:
    return name if name is not None else UNROUTED


def build_report(
    rows: KpiRows, since: datetime, until: datetime, department: str | None = None
) -> KpiReport:
    """The figures of ``rows`` over ``[since, until)``, for one department
    (by name, case-insensitive; ``UNROUTED`` for unrouted cases) or all."""
    since, until = require_utc(since, "since"), require_utc(until, "until")
    if until <= since:
        raise ValueError("the report range is empty: until must be after since")

    def keep(dept: str | None) -> bool:
        return department is None or _dept(dept).casefold() == department.casefold()

    def when(at: datetime) -> bool:
        return _in_range(at, since, until)

    inbound = [(r.at, _dept(r.department)) for r in rows.inbound if keep(r.department) and when(r.at)]
    opened = [(r.at, _dept(r.department)) for r in rows.opened if keep(r.department) and when(r.at)]
    resolved = [(r.at, _dept(r.department)) for r in rows.resolved
                if keep(r.department) and when(r.at)]
    delivered = [r for r in rows.delivered if keep(r.department) and when(r.delivered_at)]
    replies = [(r.delivered_at, _dept(r.department)) for r in delivered]

    def tally(key: Callable[[datetime, str], str]) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for index, events in enumerate((inbound, opened, resolved, replies)):
            for at, dept in events:
                out.setdefault(key(at, dept), [0, 0, 0, 0])[index] += 1
        return out

    by_day = tally(lambda at, _dept_name: at.date().isoformat())
    days = tuple(DayFigures(d.isoformat(), *by_day.get(d.isoformat(), [0, 0, 0, 0]))
                 for d in days_between(since, until))
    by_dept = tally(lambda _at, dept_name: dept_name)
    departments = tuple(DayFigures(name, *counts) for name, counts in sorted(by_dept.items()))
    totals = DayFigures("total", len(inbound), len(opened), len(resolved), len(replies))

    waits = [
        (r.first_response_at - r.first_inbound_at).total_seconds()
        for r in rows.first_responses
        if keep(r.department) and when(r.first_response_at)
        and r.first_response_at >= r.first_inbound_at
    ]
    judged = [r for r in delivered if r.clock_due_at is not None]
    met = sum(1 for r in judged if r.clock_due_at is not None and r.delivered_at <= r.clock_due_at)

    backlog = [r for r in rows.backlog if keep(r.department)]
    return KpiReport(
        since=since, until=until, department=department,
        days=days, departments=departments, totals=totals,
        first_responses=len(waits),
        first_response_median_s=median(waits),
        first_response_p90_s=percentile_nearest_rank(waits, 90),
        sla_judged=len(judged), sla_met=met, sla_met_percent=sla_met_percent(met, len(judged)),
        backlog_total=len(backlog),
        backlog_by_department=_counts(_dept(r.department) for r in backlog),
        backlog_by_network=_counts(r.network for r in backlog),
        backlog_by_agent=_counts(r.assignee or UNASSIGNED for r in backlog),
    )
