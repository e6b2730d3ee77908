"""The ``?`` overlay: every keyboard binding with the name of its action.

A child widget that covers its parent with a dimmed veil and a card in the
middle, so it needs no window of its own and follows the parent's size. It
closes on Esc, on ``?``, or on a click outside the card. Every text is plain
(department names are user data).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from smm_desk.ui.i18n import QT_TRANSLATE_NOOP, translate

TITLE = QT_TRANSLATE_NOOP("HelpOverlay", "Keyboard shortcuts")
FOOTER = QT_TRANSLATE_NOOP("HelpOverlay",
                           "Press ? or Esc to close · Change keys in Settings → Shortcuts")


def _plain(text: str, parent: QWidget, object_name: str = "") -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if object_name:
        label.setObjectName(object_name)
    return label


class HelpOverlay(QWidget):
    """Rows of (key, action) over a dimmed parent. ``closed`` fires on close."""

    closed = Signal()

    def __init__(self, rows: Sequence[tuple[str, str]], parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("helpOverlay")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, False)
        self.hide()

        self._card = QFrame(self)
        self._card.setObjectName("helpCard")
        self._card.setAutoFillBackground(True)
        self._card.setStyleSheet(
            "#helpCard { background: palette(base); border: 1px solid palette(mid);"
            " border-radius: 10px; }"
            "#helpKey { background: palette(alternate-base); border: 1px solid palette(mid);"
            " border-radius: 4px; padding: 2px 8px; font-family: monospace; font-weight: 600; }"
            "#helpTitle { font-size: 15px; font-weight: 600; }"
            "#helpFooter { color: palette(placeholder-text); }"
        )
        outer = QVBoxLayout(self._card)
        outer.setContentsMargins(24, 18, 24, 18)
        outer.setSpacing(12)
        outer.addWidget(_plain(translate("HelpOverlay", TITLE), self._card, "helpTitle"))
        self._grid_host = QWidget(self._card)
        self._grid = QGridLayout(self._grid_host)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(14)
        self._grid.setVerticalSpacing(6)
        outer.addWidget(self._grid_host)
        outer.addWidget(_plain(translate("HelpOverlay", FOOTER), self._card, "helpFooter"))

        self._rows: list[tuple[str, str]] = []
        self.set_rows(rows)
        parent.installEventFilter(self)

    # -- content -----------------------------------------------------------------------
    def set_rows(self, rows: Sequence[tuple[str, str]]) -> None:
        while self._grid.count():
            item = self._grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self._rows = list(rows)
        # Two columns of (key, action) pairs keep the card short.
        half = (len(self._rows) + 1) // 2
        for i, (key, action) in enumerate(self._rows):
            column = 0 if i < half else 3
            row = i if i < half else i - half
            key_label = _plain(key, self._grid_host, "helpKey")
            key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self._grid.addWidget(key_label, row, column)
            self._grid.addWidget(_plain(action, self._grid_host), row, column + 1)
        if len(self._rows) > half:
            self._grid.setColumnMinimumWidth(2, 24)
        self._place()

    def rows(self) -> list[tuple[str, str]]:
        return list(self._rows)

    def texts(self) -> list[str]:
        """Every text the overlay shows, for tests."""
        return [label.text() for label in self.findChildren(QLabel)]

    # -- showing -----------------------------------------------------------------------
    def open(self) -> None:
        self._place()
        self.raise_()
        self.show()
        self.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def close(self) -> bool:
        was_visible = self.isVisible()
        self.hide()
        if was_visible:
            self.closed.emit()
        return True

    def _place(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self._card.adjustSize()
        hint = self._card.sizeHint()
        self._card.setGeometry(
            max(0, (self.width() - hint.width()) // 2),
            max(0, (self.height() - hint.height()) // 2),
            hint.width(), hint.height(),
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self._place()
        return False

    # -- painting and input ------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(0, 0, 0, 110))
        painter.end()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Escape, Qt.Key.Key_Question):
            self.close()
            return
        super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if not self._card.geometry().contains(event.position().toPoint()):
            self.close()
            return
        super().mousePressEvent(event)
