"""The queue's views as values, with nothing of the database behind them.

What the window, its services and the store agree on to name a queue view:
:class:`QueueFilter` (which cases a view shows), :func:`filter_for` (the filter
behind a sidebar key), the open statuses and "breaching soon". They live apart
from ``views_queue`` (the same views as SQLAlchemy statements) so that code
holding a view — the window's services, the first window's plain reads in
``window_store`` — needs no SQLAlchemy import: the desk paints its first window
before SQLAlchemy is loaded (issue #4's cold start; see ``window_store``).

View keys: ``open``, ``mine``, ``unassigned``, ``breaching``,
``waiting_department``, ``resolved``, ``spam``, ``department:<id>`` and
``network:<name>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from smm_desk.domain.enums import CaseStatus

#: What "the queue" means when no status is asked for: everything still owed work.
OPEN_STATUSES = (
    CaseStatus.NEW.value,
    CaseStatus.OPEN.value,
    CaseStatus.WAITING_DEPARTMENT.value,
    CaseStatus.WAITING_CUSTOMER.value,
)

#: "Breaching soon": a running clock due within this long, or already breached.
BREACHING_WITHIN = timedelta(minutes=5)

FIXED_VIEWS = ("open", "mine", "unassigned", "breaching", "waiting_department",
               "resolved", "spam")


@dataclass(frozen=True)
class QueueFilter:
    """Which cases a queue view shows. Fields combine with AND.

    ``statuses`` ``None`` means the open statuses (everything still owed work).
    ``breaching_within`` keeps cases whose running clock is due within that
    long of now (breached ones included). ``case_ids`` restricts the view to
    those cases (a full-text search result) while keeping the urgency order.
    """

    statuses: tuple[str, ...] | None = None
    assignee: str | None = None
    unassigned: bool = False
    department_id: int | None = None
    network: str | None = None
    breaching_within: timedelta | None = None
    case_ids: tuple[int, ...] | None = None


@dataclass(frozen=True)
class SlaAlertView:
    """One recorded SLA warning or breach (an ``sla_warning``/``sla_breached`` or
    ``resolution_warning``/``resolution_breached`` event)."""

    event_id: int
    case_id: int
    kind: str
    at: datetime


def filter_for(key: str, agent: str) -> QueueFilter:
    """The filter behind a view key (see the module doc); ``ValueError`` if unknown."""
    if key == "open":
        return QueueFilter()
    if key == "mine":
        return QueueFilter(assignee=agent)
    if key == "unassigned":
        return QueueFilter(unassigned=True)
    if key == "breaching":
        return QueueFilter(breaching_within=BREACHING_WITHIN)
    if key == "waiting_department":
        return QueueFilter(statuses=(CaseStatus.WAITING_DEPARTMENT.value,))
    if key == "resolved":
        return QueueFilter(statuses=(CaseStatus.RESOLVED.value,))
    if key == "spam":
        return QueueFilter(statuses=(CaseStatus.SPAM.value,))
    kind, _, value = key.partition(":")
    if kind == "department" and value.isdigit():
        return QueueFilter(department_id=int(value))
    if kind == "network" and value:
        return QueueFilter(network=value)
    raise ValueError(f"unknown queue view {key!r}")
