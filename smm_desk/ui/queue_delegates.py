"""How the queue's cells are painted: padding, the row's own background and
selection, and the SLA cell as a tinted chip.

Both delegates ask the model one or two roles per cell (``PAINT_ROLE``, or the
SLA text and state) instead of the dozen ``initStyleOption`` would: a 100k-case
queue repaints every visible cell on each scroll frame and the SLA column once
a second, and each role is a Python call.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QFont, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from smm_desk.ui.queue_model import ALIGNMENT_FLAGS, PAINT_ROLE, SLA_STATE_ROLE, sla_colors

_Index = QModelIndex | QPersistentModelIndex
_PAINT = int(PAINT_ROLE)

_HAS_FOCUS = QStyle.StateFlag.State_HasFocus
_DISPLAY_ROLE = Qt.ItemDataRole.DisplayRole


#: Left and right padding of a cell's text (the header uses the same, so columns line up).
CELL_PADDING = 8
_SELECTED = QStyle.StateFlag.State_Selected
_ACTIVE = QStyle.StateFlag.State_Active
_ENABLED = QStyle.StateFlag.State_Enabled


class QueueDelegate(QStyledItemDelegate):
    """The queue's cells: no focus frame around one cell, since whole rows are
    selected, and the text padded by ``CELL_PADDING`` (painted here rather than
    by a style sheet, which would slow every cell's paint)."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: _Index) -> None:
        super().initStyleOption(option, index)
        option.state &= ~_HAS_FOCUS

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        # One model call for what to draw (PAINT_ROLE); the view's option already
        # carries the state, palette, rect and alternate-row feature.
        cell = index.data(_PAINT)
        if cell is None:
            super().paint(painter, option, index)
            return
        text, foreground, font = cell
        opt = QStyleOptionViewItem(option)
        opt.state &= ~_HAS_FOCUS
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        if not text:
            return
        state = opt.state
        painter.save()
        try:
            if font is not None:
                painter.setFont(font)
            else:
                painter.setFont(opt.font)
            if state & _SELECTED:
                group = (QPalette.ColorGroup.Disabled if not state & _ENABLED
                         else QPalette.ColorGroup.Active if state & _ACTIVE
                         else QPalette.ColorGroup.Inactive)
                painter.setPen(opt.palette.color(group, QPalette.ColorRole.HighlightedText))
            elif foreground is not None:
                painter.setPen(foreground)
            else:
                painter.setPen(opt.palette.color(QPalette.ColorRole.Text))
            rect = opt.rect.adjusted(CELL_PADDING, 0, -CELL_PADDING, 0)
            elided = painter.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight,
                                                       rect.width())
            painter.drawText(rect, ALIGNMENT_FLAGS[index.column()], elided)
        finally:
            painter.restore()


class SlaDelegate(QueueDelegate):
    """Paints the SLA cell as a soft tinted chip with the clock in the state's colour."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        # The 1 Hz tick repaints this cell: ask the model for the two roles it
        # needs, not the dozen initStyleOption would (each a Python call).
        opt = QStyleOptionViewItem(option)
        opt.state &= ~_HAS_FOCUS
        text = index.data(_DISPLAY_ROLE) or ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        # The row's own background and selection, without any text.
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)

        rect = opt.rect
        state = index.data(SLA_STATE_ROLE)
        colors = sla_colors(state, opt.palette)
        painter.save()
        try:
            if colors is None:
                painter.setPen(opt.palette.color(QPalette.ColorRole.PlaceholderText))
                painter.drawText(rect.adjusted(10, 0, -6, 0),
                                 int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                                 text)
                return
            background, foreground = colors
            chip = QRectF(rect.adjusted(4, 4, -4, -4))
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(background)
            painter.drawRoundedRect(chip, 4, 4)
            font = QFont(opt.font)
            if state == "breached":
                font.setWeight(QFont.Weight.DemiBold)
            painter.setFont(font)
            painter.setPen(foreground)
            inner = chip.adjusted(6, 0, -6, 0)
            elided = painter.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight,
                                                       int(inner.width()))
            painter.drawText(inner, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                             elided)
        finally:
            painter.restore()

