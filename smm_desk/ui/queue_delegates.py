"""How the queue's cells are painted: padding, the row's own background and
selection, and the SLA cell as a tinted chip.

A 100k-case queue repaints every visible cell on each scroll frame, and each
Python call a cell makes is most of its cost, so the table prepares what every
cell of a frame shares once per paint (:class:`PaintFrame`: the model, style,
fonts, metrics, colours, and the elided texts already measured) and the
delegates paint from it with a handful of calls: one plain Python call for the
cell's text, colour and font (``QueueModel.paint_cell``), no ``save``/``restore``
for plain cells (each sets the pen and font it draws with), no copy of the
option unless it carries the focus, and no elision of a text already elided at
that width. Outside the table's paint (or over another model) they take the
general path, which asks the model one or two roles per cell (``PAINT_ROLE``,
or the SLA text and state) and draws the same pixels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from smm_desk.ui.queue_cells import ALIGNMENT_FLAGS, sla_colors
from smm_desk.ui.queue_model import PAINT_ROLE, SLA_STATE_ROLE

if TYPE_CHECKING:
    from smm_desk.ui.queue_model import QueueModel

_Index = QModelIndex | QPersistentModelIndex
_PAINT = int(PAINT_ROLE)

_HAS_FOCUS = QStyle.StateFlag.State_HasFocus
_DISPLAY_ROLE = Qt.ItemDataRole.DisplayRole
_CE_ITEM = QStyle.ControlElement.CE_ItemViewItem
_ELIDE_RIGHT = Qt.TextElideMode.ElideRight
_LEFT_CENTER = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


#: Left and right padding of a cell's text (the header uses the same, so columns line up).
CELL_PADDING = 8
_SELECTED = QStyle.StateFlag.State_Selected
_ACTIVE = QStyle.StateFlag.State_Active
_ENABLED = QStyle.StateFlag.State_Enabled
_HAS_FOCUS_BIT = _HAS_FOCUS.value
_SELECTED_BIT = _SELECTED.value
_ACTIVE_BIT = _ACTIVE.value
_ENABLED_BIT = _ENABLED.value
#: Elided texts kept per frame font (cleared when full: one screenful needs ~200).
_ELIDED_LIMIT = 8192
_SLA_STATES = ("ok", "warning", "breached", "paused")


class PaintFrame:
    """What every queue cell of a paint shares, made by the table once per font
    and palette: the style, the view's font and the SLA chip's bold one with
    their metrics, the text colours, the SLA colours, and the texts already
    elided in each font (keyed by text and width)."""

    def __init__(self, table: QTableView) -> None:
        self.table = table
        self.model: QueueModel | None = None  # set for each paint
        self.style = table.style()
        self.font = QFont(table.font())
        self.metrics = QFontMetrics(self.font, table.viewport())
        self.bold = QFont(self.font)
        self.bold.setWeight(QFont.Weight.DemiBold)
        self.bold_metrics = QFontMetrics(self.bold, table.viewport())
        palette = table.palette()
        # An enabled view paints its cells in the Normal (= Active) colour group.
        active = QPalette.ColorGroup.Active
        self.text = palette.color(active, QPalette.ColorRole.Text)
        self.placeholder = palette.color(active, QPalette.ColorRole.PlaceholderText)
        self.highlighted = {
            group: palette.color(group, QPalette.ColorRole.HighlightedText)
            for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive,
                          QPalette.ColorGroup.Disabled)
        }
        normal = QPalette(palette)
        normal.setCurrentColorGroup(active)
        self.sla: dict[str, tuple[QColor, QColor]] = {}
        for state in _SLA_STATES:
            colors = sla_colors(state, normal)
            assert colors is not None
            self.sla[state] = colors
        self.elided: dict[tuple[str, int], str] = {}
        self.bold_elided: dict[tuple[str, int], str] = {}

    def selected_text(self, state: int) -> QColor:
        """The text colour of a selected cell with option state bits ``state``."""
        group = (QPalette.ColorGroup.Disabled if not state & _ENABLED_BIT
                 else QPalette.ColorGroup.Active if state & _ACTIVE_BIT
                 else QPalette.ColorGroup.Inactive)
        return self.highlighted[group]


def _elide(cache: dict[tuple[str, int], str], metrics: QFontMetrics, text: str,
           width: int) -> str:
    key = (text, width)
    elided = cache.get(key)
    if elided is None:
        if len(cache) >= _ELIDED_LIMIT:
            cache.clear()
        elided = cache[key] = metrics.elidedText(text, _ELIDE_RIGHT, width)
    return elided


class QueueDelegate(QStyledItemDelegate):
    """The queue's cells: no focus frame around one cell, since whole rows are
    selected, and the text padded by ``CELL_PADDING`` (painted here rather than
    by a style sheet, which would slow every cell's paint)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._view = parent  # a QueueTable offers its PaintFrame while it paints

    def initStyleOption(self, option: QStyleOptionViewItem, index: _Index) -> None:
        super().initStyleOption(option, index)
        option.state &= ~_HAS_FOCUS

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        frame: PaintFrame | None = getattr(self._view, "paint_frame", None)
        if frame is None or frame.model is None:
            self._paint_general(painter, option, index)
            return
        column = index.column()
        text, foreground, font = frame.model.paint_cell(index.row(), column)
        state = option.state.value
        if state & _HAS_FOCUS_BIT:
            opt = QStyleOptionViewItem(option)
            opt.state &= ~_HAS_FOCUS
        else:
            opt = option
        # The row's own background and selection, without any text.
        frame.style.drawControl(_CE_ITEM, opt, painter, frame.table)
        if not text:
            return
        rect = option.rect.adjusted(CELL_PADDING, 0, -CELL_PADDING, 0)
        if state & _SELECTED_BIT:
            painter.setPen(frame.selected_text(state))
        elif foreground is not None:
            painter.setPen(foreground)
        else:
            painter.setPen(frame.text)
        if font is None:
            painter.setFont(frame.font)
            elided = _elide(frame.elided, frame.metrics, text, rect.width())
        else:
            painter.setFont(font)
            elided = painter.fontMetrics().elidedText(text, _ELIDE_RIGHT, rect.width())
        painter.drawText(rect, ALIGNMENT_FLAGS[column], elided)

    def _paint_general(self, painter: QPainter, option: QStyleOptionViewItem,
                       index: _Index) -> None:
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
        style.drawControl(_CE_ITEM, opt, painter, widget)
        if not text:
            return
        state = opt.state
        painter.save()
        try:
            painter.setFont(font if font is not None else opt.font)
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
            elided = painter.fontMetrics().elidedText(text, _ELIDE_RIGHT, rect.width())
            painter.drawText(rect, ALIGNMENT_FLAGS[index.column()], elided)
        finally:
            painter.restore()


class SlaDelegate(QueueDelegate):
    """Paints the SLA cell as a soft tinted chip with the clock in the state's colour."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        frame: PaintFrame | None = getattr(self._view, "paint_frame", None)
        if frame is None or frame.model is None:
            self._paint_sla_general(painter, option, index)
            return
        sla_state, text = frame.model.paint_sla(index.row())
        state = option.state.value
        if state & _HAS_FOCUS_BIT:
            opt = QStyleOptionViewItem(option)
            opt.state &= ~_HAS_FOCUS
        else:
            opt = option
        frame.style.drawControl(_CE_ITEM, opt, painter, frame.table)
        rect = option.rect
        if sla_state is None:
            painter.setPen(frame.placeholder)
            painter.setFont(frame.font)
            painter.drawText(rect.adjusted(10, 0, -6, 0), _LEFT_CENTER, text)
            return
        background, foreground = frame.sla.get(sla_state) or frame.sla["paused"]
        painter.save()
        chip = QRectF(rect.adjusted(4, 4, -4, -4))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(background)
        painter.drawRoundedRect(chip, 4, 4)
        inner = chip.adjusted(6, 0, -6, 0)
        if sla_state == "breached":
            painter.setFont(frame.bold)
            elided = _elide(frame.bold_elided, frame.bold_metrics, text, int(inner.width()))
        else:
            painter.setFont(frame.font)
            elided = _elide(frame.elided, frame.metrics, text, int(inner.width()))
        painter.setPen(foreground)
        painter.drawText(inner, _LEFT_CENTER, elided)
        painter.restore()

    def _paint_sla_general(self, painter: QPainter, option: QStyleOptionViewItem,
                           index: _Index) -> None:
        # Two roles (the text and the state), not the dozen initStyleOption would.
        opt = QStyleOptionViewItem(option)
        opt.state &= ~_HAS_FOCUS
        text = index.data(_DISPLAY_ROLE) or ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        # The row's own background and selection, without any text.
        style.drawControl(_CE_ITEM, opt, painter, widget)

        rect = opt.rect
        state = index.data(SLA_STATE_ROLE)
        colors = sla_colors(state, opt.palette)
        painter.save()
        try:
            if colors is None:
                painter.setPen(opt.palette.color(QPalette.ColorRole.PlaceholderText))
                painter.drawText(rect.adjusted(10, 0, -6, 0), _LEFT_CENTER, text)
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
            elided = painter.fontMetrics().elidedText(text, _ELIDE_RIGHT, int(inner.width()))
            painter.drawText(inner, _LEFT_CENTER, elided)
        finally:
            painter.restore()
