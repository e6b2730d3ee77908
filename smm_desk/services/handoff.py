"""``HandoffService``: sending a case to its department, as the UI sees it.

The handoff dialog reads the departments (with their targets and
first-response targets) and a *draft* — the payload with everything but the
summary, read once per department — and renders the preview locally on every
keystroke with :meth:`render` (no database work while typing). ``send`` queues
the handoff in the outbox (the case becomes ``waiting_department``) and
announces it once on ``changed`` with a
:class:`~smm_desk.services.queue.QueueChange` of kind ``"handoff"``;
``record_answer`` records the department's answer (kind ``"department_answer"``).

Delivery is the sync engine's job (``smm_desk.sync.handoff``), like replies.
Store errors become :class:`HandoffError`, one line for the person.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from PySide6.QtCore import QObject, Signal

from smm_desk.services.queue import QueueChange
from smm_desk.store.errors import StoreError

if TYPE_CHECKING:
    from smm_desk.store.api import Store
    from smm_desk.store.handoffs import HandoffDepartmentView, HandoffPayload, HandoffView


def __getattr__(name: str) -> object:
    """The store's handoff views, re-exported for the UI, imported on first use:
    this module is built with the window, before SQLAlchemy is loaded (cold start)."""
    if name in ("HandoffDepartmentView", "HandoffPayload", "HandoffView"):
        from smm_desk.store import handoffs

        return getattr(handoffs, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "HandoffDepartmentView",
    "HandoffError",
    "HandoffPayload",
    "HandoffPreview",
    "HandoffService",
    "HandoffView",
]

P = ParamSpec("P")
T = TypeVar("T")


class HandoffError(Exception):
    """A handoff the store refused (no target, unknown case…); one line."""


def _call(call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    try:
        return call(*args, **kwargs)
    except (StoreError, ValueError) as exc:
        raise HandoffError(str(exc)) from exc


@dataclass(frozen=True)
class HandoffPreview:
    """What the department would receive: where, the subject line, the text."""

    department: HandoffDepartmentView
    destination: str
    subject: str
    text: str


class HandoffService(QObject):
    """Handoffs over one store. ``changed`` carries a ``QueueChange``."""

    changed = Signal(object)

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store

    def now(self) -> datetime:
        return self._store.clock()

    def departments(self) -> list[HandoffDepartmentView]:
        return _call(self._store.handoff_departments)

    def case_department(self, case_id: int) -> str | None:
        views = _call(self._store.cases_by_id, [case_id])
        if not views:
            raise HandoffError(f"no case {case_id}")
        return views[0].department

    def draft(self, case_id: int, department_id: int,
              agent: str) -> tuple[HandoffDepartmentView, HandoffPayload]:
        """The department and the payload without a summary (read once)."""
        return _call(self._store.handoff_preview, case_id, department_id, "", agent)

    @staticmethod
    def render(department: HandoffDepartmentView, draft: HandoffPayload,
               summary: str) -> HandoffPreview:
        """The preview for ``summary``: pure, cheap enough for every keystroke."""
        payload = draft.with_summary(summary)
        target = department.target
        destination = target.describe() if target is not None else (
            "no handoff target — set one with `smm-desk departments handoff`")
        from smm_desk.store.handoffs import handoff_subject, handoff_text

        return HandoffPreview(department, destination, handoff_subject(payload),
                              handoff_text(payload))

    def send(self, case_id: int, department_id: int, summary: str, agent: str) -> HandoffView:
        """Queue the handoff (delivered by the sync engine); the case waits on the department."""
        view = _call(self._store.queue_handoff, case_id, summary, agent, department_id)
        self.changed.emit(QueueChange("handoff", (case_id,), agent))
        return view

    def handoffs(self, case_id: int) -> list[HandoffView]:
        return _call(self._store.handoffs, case_id)

    def record_answer(self, case_id: int, text: str, agent: str) -> HandoffView | None:
        """The department's answer as an internal note; the case is open again."""
        view = _call(self._store.record_department_answer, case_id, text, agent)
        self.changed.emit(QueueChange("department_answer", (case_id,), agent))
        return view
