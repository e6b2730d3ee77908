"""A queue row read through the driver: the statement and the row's ``CaseView``.

One definition serves both readers of queue rows by id: ``cases.views_by_id``
(the store, inside a SQLAlchemy session, on either engine) and the first
window's plain SQLite reads (``window_store``), which run before SQLAlchemy is
imported. Nothing here imports SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from smm_desk.domain.sla import SlaSnapshot, state_at
from smm_desk.domain.views import CaseView

#: The columns a CaseView shows, nothing else; ends in ``IN`` (the ids follow).
VIEWS_BY_ID = (
    "SELECT c.id, c.network, c.account_id, a.name, c.kind, c.status, d.name, c.priority, "
    "c.assignee, c.tags, c.customer_name, c.customer_id, c.last_inbound_text, "
    "c.last_inbound_at, c.last_message_at, c.opened_at, c.sla_started_at, c.response_due_at, "
    "c.sla_target, c.warn_at, c.sla_paused_state, c.sla_stopped, c.resolution_due_at "
    "FROM cases c JOIN accounts a ON a.id = c.account_id "
    "LEFT JOIN departments d ON d.id = c.department_id WHERE c.id IN"
)


class RowReaders(Protocol):
    """Converters from one engine's stored values to the ORM's (see ``bulk.Readers``)."""

    @property
    def time(self) -> Callable[[Any], datetime]: ...

    @property
    def json(self) -> Callable[[Any], Any]: ...

    def optional_time(self, value: Any) -> datetime | None: ...


def case_view(row: Sequence[Any], read: RowReaders, now: datetime) -> CaseView:
    """The view of one ``VIEWS_BY_ID`` row, its SLA state judged at ``now`` the way
    ``cases.list_cases`` judges it (``state_at`` of the same snapshot fields)."""
    (case_id, network, account_id, account, kind, status, department, priority, assignee,
     tags, customer_name, customer_id, text, last_inbound_at, last_message_at, opened_at,
     started_at, due_at, target, warn_at, paused_state, stopped, resolution_due_at) = row
    optional = read.optional_time
    due = optional(due_at)
    state = state_at(SlaSnapshot(target=target, due_at=due, warn_at=optional(warn_at),
                                 paused_state=paused_state, stopped=bool(stopped)), now)
    return CaseView(
        id=case_id, network=network, account_id=account_id, account=account, kind=kind,
        status=status, department=department, priority=priority, assignee=assignee,
        tags=tuple(read.json(tags) or ()), customer=customer_name or customer_id,
        customer_id=customer_id, last_inbound_text=text,
        last_inbound_at=optional(last_inbound_at),
        last_message_at=optional(last_message_at), opened_at=read.time(opened_at),
        waiting_since=optional(started_at) if target else None,
        response_due_at=due, sla_target=target,
        sla_state=state.value if state is not None else None,
        resolution_due_at=optional(resolution_due_at),
    )
