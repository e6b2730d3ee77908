"""What the window says about the network: a status-bar strip with each
account's state and the outbox count, and an offline banner across the top.

Account states come as plain strings (``ok``, ``offline``, ``rate_limited``,
``needs_auth``, ``paused``, ``error``: see ``smm_desk.services.sync``). A
rate-limited account counts down to the time the network named (``tick``);
an account that needs a new token gets a button that calls ``fix_account``.
Every name and detail is plain text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from smm_desk.domain.records import NETWORK_LABELS
from smm_desk.domain.views import AccountView
from smm_desk.ui.i18n import QT_TRANSLATE_NOOP, network_name, plural, translate
from smm_desk.ui.queue_model import plain_tooltip

#: state -> (dot colour, words)
STATE_LOOK: dict[str, tuple[str, str]] = {
    "ok": ("#2e8b57", QT_TRANSLATE_NOOP("SyncStatus", "connected")),
    "offline": ("#8a8f98", QT_TRANSLATE_NOOP("SyncStatus", "offline")),
    "rate_limited": ("#c27c0e", QT_TRANSLATE_NOOP("SyncStatus", "rate-limited")),
    "needs_auth": ("#c0392b", QT_TRANSLATE_NOOP("SyncStatus", "needs sign-in")),
    "paused": ("#8a8f98", QT_TRANSLATE_NOOP("SyncStatus", "paused")),
    "error": ("#c0392b", QT_TRANSLATE_NOOP("SyncStatus", "error")),
}


def _plain(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def _left(until: datetime | None, now: datetime) -> str:
    if until is None:
        return ""
    seconds = max(0, int((until - now).total_seconds()))
    minutes, secs = divmod(seconds, 60)
    return f" {minutes}:{secs:02d}"


class _ElidedLabel(QLabel):
    """A one-line plain label that ends in "…" when the status bar is short of
    room (many accounts, longer words in some languages) instead of being cut."""

    def __init__(self) -> None:
        super().__init__()
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), self.fontMetrics().horizontalAdvance("M") * 5),
                     hint.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight,
                                             rect.width())
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         text)
        painter.end()


class AccountChip(QWidget):
    """One account: a coloured dot, its name and its state (and a fix button)."""

    def __init__(self, fix_account: Callable[[int], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fix = fix_account
        self.dot = QLabel("●", self)
        self.text: QLabel = _ElidedLabel()
        self.text.setParent(self)
        self.button = QPushButton(translate("SyncStatus", "Reconnect…"), self)
        self.button.setFlat(True)
        self.button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.button.clicked.connect(self._clicked)
        self.button.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        layout.setSpacing(4)
        layout.addWidget(self.dot)
        layout.addWidget(self.text)
        layout.addWidget(self.button)
        self.account: AccountView | None = None
        self.state = "ok"

    def set_account(self, account: AccountView, state: str, now: datetime) -> None:
        self.account, self.state = account, state
        color, _ = STATE_LOOK.get(state, STATE_LOOK["error"])
        self.dot.setStyleSheet(f"color: {color};")
        self.button.setVisible(state == "needs_auth")
        detail = account.status_detail or ""
        self.text.setToolTip(plain_tooltip(detail) if detail else "")
        self.tick(now)

    def tick(self, now: datetime) -> None:
        if self.account is None:
            return
        _, words = STATE_LOOK.get(self.state, STATE_LOOK["error"])
        words = translate("SyncStatus", words)
        if self.state == "rate_limited":
            words += _left(self.account.retry_at, now)
        network = network_name(self.account.network, NETWORK_LABELS)
        self.text.setText(f"{network} {self.account.name}: {words}")

    def _clicked(self) -> None:
        if self.account is not None:
            self._fix(self.account.id)


class SyncStatus(QWidget):
    """The permanent right side of the status bar: accounts, then the outbox."""

    def __init__(self, fix_account: Callable[[int], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fix = fix_account
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        self.chips: list[AccountChip] = []
        self.outbox = _plain(translate("SyncStatus", "Outbox empty"))
        self.outbox.setParent(self)
        self.outbox.setContentsMargins(10, 0, 8, 0)
        # The accounts give way first (they elide); the outbox count always shows.
        self.outbox.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self._layout.addWidget(self.outbox)

    def set_accounts(self, accounts: Sequence[AccountView], states: Sequence[str],
                     now: datetime) -> None:
        while len(self.chips) > len(accounts):
            chip = self.chips.pop()
            chip.setParent(None)
            chip.deleteLater()
        while len(self.chips) < len(accounts):
            chip = AccountChip(self._fix, self)
            self._layout.insertWidget(len(self.chips), chip)
            chip.show()
            self.chips.append(chip)
        for chip, account, state in zip(self.chips, accounts, states, strict=True):
            chip.set_account(account, state, now)

    def set_outbox(self, count: int) -> None:
        if count == 0:
            self.outbox.setText(translate("SyncStatus", "Outbox empty"))
        else:
            self.outbox.setText(plural(translate("SyncStatus", "Outbox: %n repl(y|ies) waiting",
                                                 None, count), count))

    def tick(self, now: datetime) -> None:
        for chip in self.chips:
            if chip.state == "rate_limited":
                chip.tick(now)

    def text(self) -> str:
        """Everything the strip says, for tests and accessibility."""
        return " | ".join([*(c.text.text() for c in self.chips), self.outbox.text()])


class OfflineBanner(QLabel):
    """A calm amber strip across the top while the desk cannot reach any network."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setContentsMargins(12, 6, 12, 6)
        self.setStyleSheet("background: #fdf0d5; color: #6b4100;"
                           " border-bottom: 1px solid #f0d9a8;")
        self._outbox = 0
        self._update()
        self.hide()

    def set_outbox(self, count: int) -> None:
        self._outbox = count
        self._update()

    def _update(self) -> None:
        text = translate("SyncStatus", "Offline — no network can be reached. Reading, triage "
                         "and replies keep working.")
        if self._outbox:
            text += " " + plural(translate(
                "SyncStatus", "%n repl(y|ies) (waits|wait) in the outbox and will leave when "
                "the connection is back.", None, self._outbox), self._outbox)
        self.setText(text)
