"""``ClusterService``: duplicate/flood clusters and crisis alerts for the UI.

:meth:`scan` brings clusters up to date and checks for a crisis (the store
examines only cases it has not seen, so it is cheap when nothing is new);
:meth:`start` runs it on a timer owned by the service (every few seconds).
What it finds is announced: ``clusters_changed`` when a cluster formed or
grew, ``crisis`` with a :class:`CrisisAlertView` when a new spike of negative
cases was recorded.

Actions on a whole cluster (answer all, route all, mark all spam) act on its
cases still owed work, in one store transaction, and are announced once on
``changed`` with a :class:`~smm_desk.services.queue.QueueChange` naming every
touched case, so the queue refreshes once. Store errors become
:class:`ClusterActionError`, one line a person can read.

The settings (:class:`ClusterSettings`) are plain values the composition root
passes in: similarity threshold and window, crisis count and window, and the
team's extra negative terms.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal

from smm_desk.domain.clusters import (
    DEFAULT_CRISIS_THRESHOLD,
    DEFAULT_CRISIS_WINDOW,
    DEFAULT_THRESHOLD,
    DEFAULT_WINDOW,
    ClusterView,
    CrisisAlertView,
)
from smm_desk.services.queue import QueueChange
from smm_desk.store.errors import StoreError

if TYPE_CHECKING:
    from smm_desk.domain.views import CaseView, DepartmentView
    from smm_desk.store.api import Store

__all__ = [
    "ClusterActionError",
    "ClusterService",
    "ClusterSettings",
    "ClusterView",
    "CrisisAlertView",
]

T = TypeVar("T")

#: How often :meth:`ClusterService.start` scans, by default.
SCAN_INTERVAL_MS = 5000


class ClusterActionError(Exception):
    """A cluster action the store refused; ``str()`` is one line for the person."""


@dataclass(frozen=True)
class ClusterSettings:
    threshold: float = DEFAULT_THRESHOLD
    window: timedelta = DEFAULT_WINDOW
    crisis_threshold: int = DEFAULT_CRISIS_THRESHOLD
    crisis_window: timedelta = DEFAULT_CRISIS_WINDOW
    negative_terms: tuple[str, ...] = field(default=())


class ClusterService(QObject):
    """Clusters and crisis alerts over one store, acting as ``agent``."""

    changed = Signal(object)  # QueueChange
    clusters_changed = Signal()
    crisis = Signal(object)  # CrisisAlertView

    def __init__(self, store: Store, agent: str = "", settings: ClusterSettings | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.agent = agent
        self.settings = settings or ClusterSettings()
        self._timer: QTimer | None = None

    # reading -----------------------------------------------------------------
    def clusters(self) -> list[ClusterView]:
        """Current clusters with cases still open, the most open cases first."""
        return self._store.clusters()

    def cluster_cases(self, cluster_id: int) -> list[CaseView]:
        return self._call(lambda: self._store.cluster_cases(cluster_id))

    def departments(self) -> list[DepartmentView]:
        return self._store.departments()

    def latest_alert(self) -> CrisisAlertView | None:
        return self._store.latest_crisis_alert()

    def now(self) -> datetime:
        return self._store.clock()

    # scanning ----------------------------------------------------------------
    def scan(self) -> CrisisAlertView | None:
        """Cluster new cases and check for a crisis; announces what it found."""
        s = self.settings
        grown = self._store.refresh_clusters(s.window, s.threshold, s.negative_terms)
        alert = self._store.check_crisis(s.crisis_threshold, s.crisis_window,
                                         s.negative_terms, s.window)
        if grown:
            self.clusters_changed.emit()
        if alert is not None:
            self.crisis.emit(alert)
        return alert

    def start(self, interval_ms: int = SCAN_INTERVAL_MS) -> None:
        """Scan now and then every ``interval_ms`` until :meth:`stop`."""
        if self._timer is None:
            self._timer = QTimer(self)
            self._timer.timeout.connect(self._tick)
        self._timer.start(interval_ms)
        self._tick()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()

    def _tick(self) -> None:
        try:
            self.scan()
        except StoreError:
            pass  # a locked or unreachable database: the next tick tries again

    # actions -----------------------------------------------------------------
    def answer_all(self, cluster_id: int, text: str) -> int:
        """Queue ``text`` as a reply to every open case; returns how many."""
        replies = self._call(lambda: self._store.cluster_answer_all(cluster_id, text,
                                                                    self.agent))
        self._announce("reply_queued", [r.case_id for r in replies])
        return len(replies)

    def route_all(self, cluster_id: int, department: str | int) -> tuple[str, int]:
        """Route every open case; returns (department name, how many)."""
        name, ids = self._call(lambda: self._store.cluster_route_all(cluster_id, department,
                                                                     self.agent))
        self._announce("routed", ids)
        return name, len(ids)

    def mark_all_spam(self, cluster_id: int) -> int:
        """Mark every open case as spam; returns how many."""
        ids = self._call(lambda: self._store.cluster_mark_spam(cluster_id, self.agent))
        self._announce("spam", ids)
        return len(ids)

    def _announce(self, kind: str, ids: Sequence[int]) -> None:
        if ids:
            self.changed.emit(QueueChange(kind, tuple(ids), self.agent))
            self.clusters_changed.emit()

    @staticmethod
    def _call(action: Callable[[], T]) -> T:
        try:
            return action()
        except (StoreError, ValueError) as exc:
            text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ClusterActionError(text) from None
