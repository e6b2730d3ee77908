"""The views sidebar: All open, Mine, Unassigned, Breaching soon, Waiting on
department, each department, each network, Resolved, Spam — each with a live count.

A plain list: section titles are items nobody can select, view items carry
their key (``KEY_ROLE``) and count (``COUNT_ROLE``), and a delegate paints the
count right-aligned in a muted pill. Setting the entries again (a department
or a network appeared) keeps the selected view.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from smm_desk.ui.queue_model import sla_colors

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
COUNT_ROLE = Qt.ItemDataRole.UserRole + 2
SECTION_ROLE = Qt.ItemDataRole.UserRole + 3

#: Views whose count is a call to act, painted in the accent colour when non-zero.
URGENT_VIEWS = frozenset({"breaching"})


def _breached(palette: QPalette) -> tuple[QColor, QColor]:
    """The breached SLA chip's colours for this palette (light or dark)."""
    colors = sla_colors("breached", palette)
    assert colors is not None
    return colors


class ViewLike(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def section(self) -> str: ...


class _CountDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        extra = 14 if index.data(SECTION_ROLE) else 10
        return QSize(size.width(), size.height() + extra)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.state &= ~QStyle.StateFlag.State_HasFocus
        if index.data(SECTION_ROLE):
            painter.save()
            font = QFont(opt.font)
            font.setPointSizeF(max(opt.font.pointSizeF() * 0.85, 7.0))
            font.setWeight(QFont.Weight.DemiBold)
            font.setCapitalization(QFont.Capitalization.AllUppercase)
            painter.setFont(font)
            painter.setPen(opt.palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(opt.rect.adjusted(12, 8, -8, 0),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                             opt.text)
            painter.restore()
            return
        count = index.data(COUNT_ROLE)
        text = "" if count is None else str(count)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        painter.save()
        try:
            selected = bool(opt.state & QStyle.StateFlag.State_Selected)
            role = (QPalette.ColorRole.HighlightedText if selected
                    else QPalette.ColorRole.WindowText)
            metrics = painter.fontMetrics()
            pill_w = max(metrics.horizontalAdvance(text) + 14, 26) if text else 0
            rect = opt.rect.adjusted(12, 0, -8, 0)
            label_rect = rect.adjusted(0, 0, -(pill_w + 6), 0)
            painter.setPen(opt.palette.color(role))
            label = metrics.elidedText(str(index.data(Qt.ItemDataRole.DisplayRole) or ""),
                                       Qt.TextElideMode.ElideRight, label_rect.width())
            painter.drawText(label_rect,
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), label)
            if text:
                pill = QRect(rect.right() - pill_w, rect.center().y() - metrics.height() // 2 - 1,
                             pill_w, metrics.height() + 2)
                urgent = index.data(KEY_ROLE) in URGENT_VIEWS and count
                painter.setRenderHint(QPainter.RenderHint.Antialiasing)
                painter.setPen(Qt.PenStyle.NoPen)
                if urgent:
                    painter.setBrush(_breached(opt.palette)[0])
                else:
                    back = opt.palette.color(QPalette.ColorRole.Mid)
                    back.setAlpha(60)
                    painter.setBrush(back)
                painter.drawRoundedRect(pill, pill.height() / 2, pill.height() / 2)
                painter.setPen(_breached(opt.palette)[1] if urgent else opt.palette.color(role))
                painter.drawText(pill, int(Qt.AlignmentFlag.AlignCenter), text)
        finally:
            painter.restore()


class Sidebar(QWidget):
    """``view_selected(key)`` when the user picks a view."""

    view_selected = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget(self)
        self.list.setObjectName("views")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setItemDelegate(_CountDelegate(self.list))
        self.list.setFrameShape(QListWidget.Shape.NoFrame)
        self.list.setStyleSheet("QListWidget#views { background: palette(window); }")
        self.list.currentItemChanged.connect(self._on_current)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.list)
        self._items: dict[str, QListWidgetItem] = {}
        self._counts: dict[str, int] = {}
        self.setMinimumWidth(150)

    def set_views(self, entries: Sequence[ViewLike]) -> None:
        """Show these views in order, section titles between groups."""
        current = self.current_view()
        signature = [(e.key, e.label, e.section) for e in entries]
        if signature == getattr(self, "_signature", None):
            return
        self._signature = signature
        blocked = self.list.blockSignals(True)
        try:
            self.list.clear()
            self._items = {}
            section = ""
            for entry in entries:
                if entry.section != section:
                    section = entry.section
                    title = QListWidgetItem(section)
                    title.setData(SECTION_ROLE, True)
                    title.setFlags(Qt.ItemFlag.NoItemFlags)
                    self.list.addItem(title)
                item = QListWidgetItem(entry.label)
                item.setData(KEY_ROLE, entry.key)
                item.setData(COUNT_ROLE, self._counts.get(entry.key, 0))
                item.setToolTip(entry.label)
                self.list.addItem(item)
                self._items[entry.key] = item
            if current in self._items:
                self.list.setCurrentItem(self._items[current])
        finally:
            self.list.blockSignals(blocked)

    def set_counts(self, counts: Mapping[str, int]) -> None:
        self._counts = dict(counts)
        for key, item in self._items.items():
            value = self._counts.get(key, 0)
            if item.data(COUNT_ROLE) != value:
                item.setData(COUNT_ROLE, value)

    def count(self, key: str) -> int | None:
        item = self._items.get(key)
        return None if item is None else int(item.data(COUNT_ROLE))

    def keys(self) -> list[str]:
        return list(self._items)

    def label(self, key: str) -> str:
        item = self._items.get(key)
        return item.text() if item is not None else key

    def current_view(self) -> str | None:
        item = self.list.currentItem()
        key = None if item is None else item.data(KEY_ROLE)
        return str(key) if key else None

    def select_view(self, key: str) -> bool:
        """Make ``key`` the current view (emits ``view_selected``); False if unknown."""
        item = self._items.get(key)
        if item is None:
            return False
        self.list.setCurrentItem(item)
        return True

    def _on_current(self, current: QListWidgetItem | None, _previous: object) -> None:
        if current is not None and current.data(KEY_ROLE):
            self.view_selected.emit(current.data(KEY_ROLE))
