"""The main window: the queue of one workspace, most urgent first.

It owns the 1 Hz SLA tick (running only while the window is shown) and tells
the model which rows are visible, so a tick repaints a screenful of cells
whatever the size of the queue. Mutations arrive as the service's ``changed``
signal; the window answers by refreshing the model, which keeps the selection
on the same cases.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QMainWindow,
    QTableView,
    QWidget,
)

from smm_desk.services.queue import QueueService
from smm_desk.ui.queue_model import Column, QueueDelegate, QueueModel, SlaDelegate

TICK_MS = 1000

#: Starting widths in pixels; Message takes what is left.
COLUMN_WIDTHS: dict[Column, int] = {
    Column.SLA: 150,
    Column.NETWORK: 96,
    Column.CUSTOMER: 160,
    Column.DEPARTMENT: 110,
    Column.PRIORITY: 80,
    Column.ASSIGNEE: 96,
    Column.AGE: 84,
}


class QueueTable(QTableView):
    """The queue's table view: whole rows, fixed row height, no sorting of its own
    (the service's order is the urgency order)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSortingEnabled(False)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setCornerButtonEnabled(False)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setItemDelegate(QueueDelegate(self))
        # Breathing room: cells and headers share one left padding, so columns line up.
        self.setStyleSheet(
            "QTableView::item { padding-left: 8px; padding-right: 8px; }"
            "QHeaderView::section { padding-left: 8px; padding-right: 8px;"
            " border: none; border-bottom: 1px solid palette(mid);"
            " background: palette(window); font-weight: 600; }"
        )

        rows = self.verticalHeader()
        rows.hide()
        # Fixed heights: the view never asks the model about rows it does not show.
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 16)

        columns = self.horizontalHeader()
        columns.setHighlightSections(False)
        columns.setStretchLastSection(False)
        columns.setMinimumSectionSize(48)
        columns.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        columns.setFixedHeight(self.fontMetrics().height() + 14)

    def setModel(self, model: QueueModel) -> None:  # type: ignore[override]
        super().setModel(model)
        columns = self.horizontalHeader()
        for column, width in COLUMN_WIDTHS.items():
            columns.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            columns.resizeSection(column, width)
        columns.setSectionResizeMode(Column.MESSAGE, QHeaderView.ResizeMode.Stretch)

    def visible_rows(self) -> tuple[int, int]:
        """First and last row (inclusive) in the viewport; (0, -1) when none."""
        rows = self.model().rowCount() if self.model() is not None else 0
        if rows == 0:
            return 0, -1
        first = self.rowAt(0)
        if first < 0:
            return 0, -1
        last = self.rowAt(self.viewport().height() - 1)
        return first, rows - 1 if last < 0 else last


class MainWindow(QMainWindow):
    def __init__(self, service: QueueService, workspace: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"SMM Desk — {workspace}")
        self._service = service

        self.model = QueueModel(service, parent=self)
        self.table = QueueTable(self)
        self.table.setModel(self.model)
        self._sla_delegate = SlaDelegate(self.table)
        self.table.setItemDelegateForColumn(Column.SLA, self._sla_delegate)
        self.setCentralWidget(self.table)

        self._count_label = QLabel(self)
        self._count_label.setTextFormat(Qt.TextFormat.PlainText)
        self._count_label.setContentsMargins(8, 0, 8, 0)
        self.statusBar().addWidget(self._count_label)
        self.statusBar().setSizeGripEnabled(False)

        self.tick_timer = QTimer(self)
        self.tick_timer.setInterval(TICK_MS)
        self.tick_timer.timeout.connect(self.tick)

        service.changed.connect(self._on_changed)
        self.model.layoutChanged.connect(self._update_status)
        self._update_status()

    # -- the clock ---------------------------------------------------------------------
    def tick(self) -> None:
        self.model.set_visible_rows(*self.table.visible_rows())
        self.model.tick()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.tick_timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self.tick_timer.stop()
        super().hideEvent(event)

    # -- changes -----------------------------------------------------------------------
    def _on_changed(self, _change: object, /) -> None:
        # Any queue mutation can move, add or drop rows: re-read the ids. The
        # status follows through layoutChanged.
        self.model.refresh()

    def _update_status(self) -> None:
        count = self.model.rowCount()
        if count == 0:
            text = "No open cases"
        else:
            text = f"{count} open case{'' if count == 1 else 's'}"
        self._count_label.setText(text)

    def status_text(self) -> str:
        return self._count_label.text()

