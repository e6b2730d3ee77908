"""The queue's table view: whole-row selection, fixed row height, the queue
delegate, starting column widths, and optional columns that step aside when
the table is too narrow for the message preview.

Each paint first prepares what its cells share (``paint_frame``, see
ui/queue_delegates.py), kept while the font and palette stay the same, and
afterwards tells the model which rows it showed (``QueueModel.shown``: the
rows next to them are read off the UI thread before a scroll reaches them).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from smm_desk.ui.queue_delegates import CELL_PADDING, PaintFrame, QueueDelegate
from smm_desk.ui.queue_model import Column, QueueModel, sla_text_width

#: Starting widths in pixels; Message takes what is left.
COLUMN_WIDTHS: dict[Column, int] = {
    Column.SLA: 150,
    Column.NETWORK: 90,
    Column.CUSTOMER: 150,
    Column.DEPARTMENT: 104,
    Column.PRIORITY: 76,
    Column.ASSIGNEE: 90,
    Column.AGE: 70,
}
#: The message preview keeps at least this much room: when the table is narrower,
#: these columns step aside, first to last (and come back when there is room).
MESSAGE_MIN_WIDTH = 200
OPTIONAL_COLUMNS = (Column.AGE, Column.PRIORITY, Column.ASSIGNEE)


class QueueTable(QTableView):
    """The queue's table view: whole rows, fixed row height, no sorting of its own
    (the service's order is the urgency order)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        #: What the cells of the paint under way share (None outside a paint).
        self.paint_frame: PaintFrame | None = None
        #: Whether paints prepare a frame (the delegates' fast path); tests compare both.
        self.fast_paint = True
        self._frame: PaintFrame | None = None
        self._frame_key: tuple[str, int, int] | None = None
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
        # Breathing room: cells (padded by the delegate, CELL_PADDING) and headers share
        # one left padding, so columns line up. The style sheet is the header's only: one
        # on the table would route every cell's paint through Qt's style-sheet style,
        # which doubles the cost of a scroll frame.
        self.horizontalHeader().setStyleSheet(
            f"QHeaderView::section {{ padding-left: {CELL_PADDING}px;"
            f" padding-right: {CELL_PADDING}px;"
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
            if column == Column.SLA:  # room for the clock in any language (chip: 20 px)
                width = max(width, sla_text_width(self.font()) + 28)
            columns.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            columns.resizeSection(column, width)
        columns.setSectionResizeMode(Column.MESSAGE, QHeaderView.ResizeMode.Stretch)

    def dataChanged(self, top_left: QModelIndex | QPersistentModelIndex,  # noqa: N802 - Qt API
                    bottom_right: QModelIndex | QPersistentModelIndex,
                    roles: Sequence[int] = ()) -> None:
        """One column changed (the 1 Hz SLA tick): repaint exactly its visible cells.
        Qt's own update takes the rectangle one pixel wider and repaints the
        neighbouring column too, doubling the tick's paint cost. The queue has no
        editors, so there is nothing else for the base class to do here."""
        column = top_left.column()
        if not top_left.isValid() or column != bottom_right.column():
            super().dataChanged(top_left, bottom_right, list(roles))
            return
        first = max(top_left.row(), self.rowAt(0))
        last_visible = self.rowAt(self.viewport().height() - 1)
        last = bottom_right.row() if last_visible < 0 else min(bottom_right.row(), last_visible)
        if first < 0 or first > last:
            return
        top = self.rowViewportPosition(first)
        bottom = self.rowViewportPosition(last) + self.rowHeight(last)
        self.viewport().update(QRect(self.columnViewportPosition(column), top,
                                     self.columnWidth(column), bottom - top))

    def paintEvent(self, event: QPaintEvent) -> None:
        model = self.model()
        if not isinstance(model, QueueModel):
            super().paintEvent(event)
            return
        if self.fast_paint and self.isEnabled():
            key = (self.font().key(), self.palette().cacheKey(), id(self.style()))
            if self._frame is None or key != self._frame_key:
                self._frame, self._frame_key = PaintFrame(self), key
            self._frame.model = model
            self.paint_frame = self._frame
        try:
            super().paintEvent(event)
        finally:
            self.paint_frame = None
        model.shown(*self.visible_rows())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_columns()

    def fit_columns(self) -> None:
        """Hide the optional columns the width cannot afford (see OPTIONAL_COLUMNS)."""
        if self.model() is None:
            return
        columns = self.horizontalHeader()
        room = self.viewport().width()
        fixed = sum(columns.sectionSize(c) for c in Column
                    if c != Column.MESSAGE and c not in OPTIONAL_COLUMNS)
        for column in reversed(OPTIONAL_COLUMNS):  # the most wanted first
            width = columns.sectionSize(column) or COLUMN_WIDTHS[column]
            show = room - fixed - width >= MESSAGE_MIN_WIDTH
            if show:
                fixed += width
            if columns.isSectionHidden(column) == show:
                self.setColumnHidden(column, not show)
                if show and columns.sectionSize(column) == 0:
                    columns.resizeSection(column, COLUMN_WIDTHS[column])

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
