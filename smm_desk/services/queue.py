"""``QueueService``: the queue as the UI sees it.

The queue model holds only case ids (``case_ids``) and asks for the rows it is
about to show (``cases``), so 100,000 open cases cost what the visible rows
cost. Triage actions go through here rather than the store so that every
mutation is announced once, after its transaction committed, with a
:class:`QueueChange` naming what changed and who did it.

Views are plain string keys (``open``, ``mine``, ``department:3``,
``network:vk`` …, see :mod:`smm_desk.store.views_queue`), so the UI names a view
without importing the store. A search narrows a view: :func:`scoped` joins a
view key and the search words into the one key the queue model holds, and
``case_ids`` keeps the view's urgency order over the full-text matches.

Two reader threads keep reads off the UI thread: one for whole snapshots
(ids and sidebar counts, up to a second over 100k cases) and one for the few
rows the queue is about to show (``read_cases``, a few milliseconds). Rows
never wait behind a snapshot, so a row read that the 1 Hz clock or a scroll
asks for lands before it is needed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, Signal

from smm_desk.domain.enums import CaseStatus
from smm_desk.domain.records import NETWORK_LABELS
from smm_desk.store.queue_filter import QueueFilter, filter_for

if TYPE_CHECKING:
    from smm_desk.domain.views import CaseView, DepartmentView
    from smm_desk.store.api import Store

#: How many full-text matches a search brings into the queue at most.
SEARCH_LIMIT = 2000
_SEARCH_SEPARATOR = "\n"  # a one-line search box cannot produce it
#: The sidebar shows these labels as they are, so they are translated here.
translate = QCoreApplication.translate

_T = TypeVar("_T")


@dataclass(frozen=True)
class QueueChange:
    """What a mutation changed: ``kind`` is the action ("routed", "assigned",
    "resolved", "spam", "status"), ``case_ids`` the cases it touched, ``actor``
    who did it."""

    kind: str
    case_ids: tuple[int, ...]
    actor: str


@dataclass(frozen=True)
class ViewEntry:
    """One entry of the views sidebar: ``section`` is "" (the fixed views at
    the top), "Departments", "Networks" or "Closed"."""

    key: str
    label: str
    section: str = ""


def scoped(view: str, search: str) -> str:
    """One model key for ``view`` narrowed by ``search`` (``view`` itself if no search)."""
    words = " ".join(search.split())
    return f"{view}{_SEARCH_SEPARATOR}{words}" if words else view


def split_scoped(key: str) -> tuple[str, str]:
    """``(view, search)`` of a key made by :func:`scoped`."""
    view, _, search = key.partition(_SEARCH_SEPARATOR)
    return view, search


@dataclass(frozen=True)
class QueueSnapshot:
    """What a window shows of the queue, read in one go (off the UI thread):
    ``view``'s ids (None when only the counts were asked for), the sidebar's
    views and their counts."""

    view: str
    ids: list[int] | None
    views: list[ViewEntry]
    counts: dict[str, int]
    #: What ``rows`` (given to :meth:`QueueService.snapshot_async`) made of the ids
    #: on the reader thread: the rows a window is about to show.
    rows: object = None


class QueueService(QObject):
    """The queue over one store. ``changed`` carries a :class:`QueueChange`.

    ``agent`` is the person at this desk: the "Mine" view is their cases.
    """

    changed = Signal(object)

    def __init__(self, store: Store, agent: str = "", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._reader: ThreadPoolExecutor | None = None
        self._rows_reader: ThreadPoolExecutor | None = None
        self.agent = agent

    # reading -----------------------------------------------------------------
    def case_ids(self, view: str = "open") -> list[int]:
        """Ids of the cases in ``view`` (a view key, or one made by :func:`scoped`),
        most urgent first (the store's order)."""
        key, search = split_scoped(view)
        base = filter_for(key, self.agent)
        if search:
            found = self._store.search(search, limit=SEARCH_LIMIT)
            base = QueueFilter(**{**base.__dict__, "case_ids": tuple(found)})
        return self._store.queue_ids(base)

    def cases(self, ids: Sequence[int]) -> list[CaseView]:
        """Views of the cases with these ids (unknown ids are left out), judged now."""
        if not ids:
            return []
        return self._store.cases_by_id(list(ids))

    def now(self) -> datetime:
        """The store's clock (aware UTC): the instant SLA states are judged at."""
        return self._store.clock()

    def departments(self) -> list[DepartmentView]:
        """Departments in sidebar and 1–9 routing order."""
        return self._store.departments()

    def views(self) -> list[ViewEntry]:
        """The sidebar's views: the fixed ones, each department, each network, closed."""
        entries = [
            ViewEntry("open", translate("QueueService", "All open")),
            ViewEntry("mine", translate("QueueService", "Mine")),
            ViewEntry("unassigned", translate("QueueService", "Unassigned")),
            ViewEntry("breaching", translate("QueueService", "Breaching soon")),
            ViewEntry("waiting_department", translate("QueueService", "Waiting on department")),
        ]
        departments, closed = (translate("QueueService", "Departments"),
                               translate("QueueService", "Closed"))
        entries += [ViewEntry(f"department:{d.id}", d.name, departments)
                    for d in self.departments()]
        networks = {a.network for a in self._store.accounts()} | set(self._store.case_networks())
        labels = {n: translate("Network", NETWORK_LABELS[n]) if n in NETWORK_LABELS else n
                  for n in networks}
        entries += [ViewEntry(f"network:{n}", labels[n], translate("QueueService", "Networks"))
                    for n in sorted(networks, key=lambda n: labels[n].lower())]
        entries += [ViewEntry("resolved", translate("QueueService", "Resolved"), closed),
                    ViewEntry("spam", translate("QueueService", "Spam"), closed)]
        return entries

    def view_counts(self) -> dict[str, int]:
        """How many cases each view holds (missing keys: none)."""
        return self._store.view_counts(self.agent)

    def snapshot(self, view: str, with_ids: bool = True) -> QueueSnapshot:
        """Ids of ``view`` (a key as for :meth:`case_ids`), views and counts."""
        ids = self.case_ids(view) if with_ids else None
        return QueueSnapshot(view, ids, self.views(), self.view_counts())

    async def snapshot_async(self, view: str, with_ids: bool = True,
                             rows: Callable[[list[int]], object] | None = None,
                             ) -> QueueSnapshot:
        """:meth:`snapshot` on the service's reader thread, so the UI thread never
        waits for a 100k-case read (SQLite WAL and PostgreSQL read beside the
        sync engine's writes). One thread: reads are serialised, never piled up.
        ``rows``: run there too, on the ids read (its answer: ``QueueSnapshot.rows``)."""
        if self._reader is None:
            self._reader = ThreadPoolExecutor(max_workers=1,
                                              thread_name_prefix="smm-desk-read")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._reader, self._snapshot_and_rows, view,
                                          with_ids, rows)

    def _snapshot_and_rows(self, view: str, with_ids: bool,
                           rows: Callable[[list[int]], object] | None) -> QueueSnapshot:
        snapshot = self.snapshot(view, with_ids)
        if rows is None or snapshot.ids is None:
            return snapshot
        return replace(snapshot, rows=rows(snapshot.ids))

    def read_cases(self, ids: Sequence[int],
                   then: Callable[[list[CaseView], datetime], _T]) -> Future[_T]:
        """:meth:`cases` on the service's row reader thread, and ``then(cases,
        read_at)`` there too (``read_at``: the store's clock just before the read),
        so a model can format its cells off the UI thread. The future can be
        waited on (a view that needs the rows now) or cancelled while queued."""
        if self._rows_reader is None:
            self._rows_reader = ThreadPoolExecutor(max_workers=1,
                                                   thread_name_prefix="smm-desk-rows")
        wanted = list(ids)

        def read() -> _T:
            read_at = self.now()
            return then(self.cases(wanted), read_at)

        return self._rows_reader.submit(read)

    def close(self) -> None:
        """Stop the reader threads (after the window has gone)."""
        for reader in (self._reader, self._rows_reader):
            if reader is not None:
                reader.shutdown(wait=True)
        self._reader = self._rows_reader = None

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

    def mark_spam(self, case_id: int, actor: str) -> None:
        self._store.set_status(case_id, CaseStatus.SPAM, actor)
        self.changed.emit(QueueChange("spam", (case_id,), actor))

    def set_status(self, case_id: int, status: CaseStatus, actor: str) -> None:
        self._store.set_status(case_id, status, actor)
        self.changed.emit(QueueChange("status", (case_id,), actor))
