"""The main window's refresh path: new ids and counts without losing the place.

A mixin of :class:`~smm_desk.ui.main_window.MainWindow` (which owns the state
it reads and writes, set up in its ``__init__``): the selection stays on its
cases and the case at the top of the viewport stays there, unless the user is
at the very top, where new urgent cases should show. Sync activity asks for a
refresh read on the queue service's reader thread, coalesced (one more read,
never a pile of them), with the rows the table will show read together with the
ids (:mod:`smm_desk.ui.queue_ahead`), so the UI thread only applies results.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QAbstractItemView

from smm_desk.ui.queue_ahead import RowsAhead

if TYPE_CHECKING:
    from smm_desk.services.queue import QueueService
    from smm_desk.ui.queue_model import QueueModel
    from smm_desk.ui.queue_table import QueueTable
    from smm_desk.ui.sidebar import Sidebar

log = logging.getLogger("smm_desk.ui")


class QueueRefresh:
    """Refreshing the queue in place (see the module doc)."""

    model: QueueModel
    table: QueueTable
    sidebar: Sidebar
    _service: QueueService
    _previous_ids: list[int]
    _refresh_task: asyncio.Task[None] | None
    _refresh_again: bool
    _refresh_wanted: bool
    _ahead: RowsAhead | None
    _closing: bool

    def refresh_views(self) -> None:
        raise NotImplementedError

    def _update_status(self) -> None:
        raise NotImplementedError

    def refresh(self) -> None:
        """Re-read the queue and the counts; the selection stays on its cases and
        the case at the top of the viewport stays there (unless scrolled to the top)."""
        self._apply_ids(self._service.case_ids(self.model.view))
        self.refresh_views()
        self._update_status()

    def _anchor(self) -> int | None:
        """The case at the top of the viewport, when scrolled (it stays at the top)."""
        bar = self.table.verticalScrollBar()
        if bar.value() > bar.minimum():
            top = self.table.rowAt(0)
            if top >= 0:
                return self.model.case_id(top)
        return None

    def _apply_ids(self, ids: list[int]) -> None:
        """Show the queue's new ids (read here or elsewhere) without losing the place."""
        ahead, self._ahead = self._ahead, None
        anchor = self._anchor()
        before = self.model.reset_ids(ids, ahead)
        if before is not None:
            self._previous_ids = before
        if anchor is not None:
            row = (ahead.anchor_row if ahead is not None and ahead.ids is ids
                   and ahead.anchor == anchor else self.model.row_of(anchor))
            if row is not None:
                self.table.updateGeometries()  # the scroll range, for the new row count
                self.table.scrollTo(self.model.index(row, 0),
                                    QAbstractItemView.ScrollHint.PositionAtTop)

    def _on_changed(self, _change: object, /) -> None:
        # Any queue mutation can move, add or drop rows: re-read the ids.
        self.refresh()

    def request_refresh(self, with_ids: bool = True) -> None:
        """Like :meth:`refresh`, but read on the queue service's reader thread
        (when an asyncio loop runs; at once otherwise) and coalesced: sync
        activity arriving while a read is under way asks for one more read, never
        a pile of them. The UI thread only applies the result."""
        self._refresh_wanted = self._refresh_wanted or with_ids
        if self._refresh_task is not None:
            self._refresh_again = True
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            if with_ids:
                self.refresh()
            else:
                self.sidebar.set_counts(self._service.view_counts())
            self._refresh_wanted = False
            return
        self._refresh_task = loop.create_task(self._refresh_off_thread())

    async def _refresh_off_thread(self) -> None:
        try:
            while True:
                self._refresh_again = False
                with_ids, self._refresh_wanted = self._refresh_wanted, False
                key = self.model.view
                # The rows the table will show are read with the ids, not in its paint.
                first, last = self.table.visible_rows()
                rows = self.model.read_ahead(self._anchor(), first, last - first + 1) \
                    if with_ids and first <= last else None
                snapshot = await self._service.snapshot_async(key, with_ids, rows)
                if self._closing:
                    return
                if snapshot.ids is not None and snapshot.view == self.model.view:
                    if isinstance(snapshot.rows, RowsAhead):
                        self._ahead = snapshot.rows
                    self._apply_ids(snapshot.ids)
                self.sidebar.set_views(snapshot.views)
                self.sidebar.set_counts(snapshot.counts)
                self._update_status()
                if not self._refresh_again:
                    return
        except Exception:  # noqa: BLE001 - e.g. the database briefly locked: next activity
            log.exception("reading the queue failed")
        finally:
            self._refresh_task = None
