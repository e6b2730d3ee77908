"""``QueueService``: the queue as the UI sees it.

The queue model holds only case ids (``case_ids``) and asks for the rows it is
about to show (``cases``), so 100,000 open cases cost what the visible rows
cost. Triage actions go through here rather than the store so that every
mutation is announced once, after its transaction committed, with a
:class:`QueueChange` naming what changed and who did it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QObject, Signal

from smm_desk.domain.views import CaseView
from smm_desk.store.api import Store

#: Named queue views -> the statuses they show (``None``: the store's open statuses).
VIEWS: dict[str, tuple[str, ...] | None] = {
    "open": None,
}


@dataclass(frozen=True)
class QueueChange:
    """What a mutation changed: ``kind`` is the action ("routed", "assigned",
    "resolved"), ``case_ids`` the cases it touched, ``actor`` who did it."""

    kind: str
    case_ids: tuple[int, ...]
    actor: str


class QueueService(QObject):
    """The queue over one store. ``changed`` carries a :class:`QueueChange`."""

    changed = Signal(object)

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store

    # reading -----------------------------------------------------------------
    def case_ids(self, view: str = "open") -> list[int]:
        """Ids of the cases in ``view``, most urgent first (the store's order)."""
        try:
            statuses = VIEWS[view]
        except KeyError:
            raise ValueError(f"unknown queue view {view!r} (known: {', '.join(VIEWS)})") from None
        # The store has no ids-only query yet, so this builds full views once per
        # refresh; the rows the table shows are still fetched lazily by id.
        return [case.id for case in self._store.queue(statuses=statuses)]

    def cases(self, ids: Sequence[int]) -> list[CaseView]:
        """Views of the cases with these ids (unknown ids are left out), judged now."""
        if not ids:
            return []
        return self._store.cases_by_id(list(ids))

    def now(self) -> datetime:
        """The store's clock (aware UTC): the instant SLA states are judged at."""
        return self._store.clock()

    # triage ------------------------------------------------------------------
    def route(self, case_id: int, department: str | int, actor: str) -> str:
        """Send a case to a department; returns the department's name."""
        name = self._store.route(case_id, department, actor)
        self.changed.emit(QueueChange("routed", (case_id,), actor))
        return name

    def assign(self, case_id: int, agent: str | None, actor: str) -> None:
        """Give a case to ``agent`` (``None`` unassigns)."""
        self._store.assign(case_id, agent, actor)
        self.changed.emit(QueueChange("assigned", (case_id,), actor))

    def resolve(self, case_id: int, actor: str) -> None:
        self._store.resolve(case_id, actor)
        self.changed.emit(QueueChange("resolved", (case_id,), actor))
