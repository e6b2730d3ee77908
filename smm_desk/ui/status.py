"""What the window says about the network: a status-bar strip with each
account's state and the outbox count, and an offline banner across the top.

Account states come as plain strings (``ok``, ``offline``, ``rate_limited``,
``needs_auth``, ``paused``, ``error``: see ``smm_desk.services.sync``). A
rate-limited account counts down to the time the network named (``tick``);
an account that needs a new token gets a button that calls ``fix_account``.
Every name and detail is plain text.

Calm with many accounts: up to :data:`COLLAPSE_AFTER` accounts each have a
chip ("● Telegram @shop_bot: connected"). With more, the accounts of a state
that has nothing to act on per account (:data:`GROUPED`: ok, paused, offline)
share one chip once two or more are in it ("● 8 accounts ok", its tooltip
lists them), while every account that needs attention (rate-limited with its
countdown, needs sign-in with its button, error) keeps a chip of its own,
first in the strip. The dots and the banner take their colours from the
light or dark palette in use (``smm_desk.ui.theme``) when they are painted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from smm_desk.domain.records import NETWORK_LABELS
from smm_desk.domain.views import AccountView
from smm_desk.ui.i18n import QT_TRANSLATE_NOOP, network_name, plural, translate
from smm_desk.ui.queue_model import plain_tooltip
from smm_desk.ui.theme import is_dark

#: state -> (light dot, dark dot, words). The dots are at least 3:1 against
#: the window colour of their palette (WCAG's floor for graphics).
STATE_LOOK: dict[str, tuple[str, str, str]] = {
    "ok": ("#2e8b57", "#4cc38a", QT_TRANSLATE_NOOP("SyncStatus", "connected")),
    "offline": ("#7c828c", "#9aa2ad", QT_TRANSLATE_NOOP("SyncStatus", "offline")),
    "rate_limited": ("#b06d00", "#e0a33a", QT_TRANSLATE_NOOP("SyncStatus", "rate-limited")),
    "needs_auth": ("#c0392b", "#f07167", QT_TRANSLATE_NOOP("SyncStatus", "needs sign-in")),
    "paused": ("#7c828c", "#9aa2ad", QT_TRANSLATE_NOOP("SyncStatus", "paused")),
    "error": ("#c0392b", "#f07167", QT_TRANSLATE_NOOP("SyncStatus", "error")),
}

#: Up to this many accounts, every account has a chip of its own.
COLLAPSE_AFTER = 3
#: States whose accounts share one chip in a long list, in the strip's order.
GROUPED: dict[str, str] = {
    "offline": QT_TRANSLATE_NOOP("SyncStatus", "%n account(s) offline"),
    "paused": QT_TRANSLATE_NOOP("SyncStatus", "%n account(s) paused"),
    "ok": QT_TRANSLATE_NOOP("SyncStatus", "%n account(s) ok"),
}

#: scheme -> (background, text, bottom border) of the offline banner: a calm amber
#: tint, its text at least 4.5:1 against it (tests/ui/test_status.py checks).
BANNER_LOOK: dict[str, tuple[str, str, str]] = {
    "light": ("#fdf0d5", "#6b4100", "#f0d9a8"),
    "dark": ("#3d3018", "#f3c77a", "#5a4722"),
}


def dot_color(state: str, dark: bool | None = None) -> QColor:
    """The dot colour of ``state`` in the palette in use (or the one asked for)."""
    light, night, _ = STATE_LOOK.get(state, STATE_LOOK["error"])
    return QColor(night if (is_dark() if dark is None else dark) else light)


def state_words(state: str) -> str:
    return translate("SyncStatus", STATE_LOOK.get(state, STATE_LOOK["error"])[2])


def _left(until: datetime | None, now: datetime) -> str:
    if until is None:
        return ""
    seconds = max(0, int((until - now).total_seconds()))
    minutes, secs = divmod(seconds, 60)
    return f" {minutes}:{secs:02d}"


def account_title(account: AccountView) -> str:
    """"Telegram @shop_bot": the network's name, then the account's."""
    return f"{network_name(account.network, NETWORK_LABELS)} {account.name}"


class _Dot(QWidget):
    """A state's coloured dot, painted in the colours of the palette in use."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = "ok"
        side = max(8, self.fontMetrics().height() // 2)
        self.setFixedSize(side + 2, side + 2)

    def set_state(self, state: str) -> None:
        self.state = state
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(dot_color(self.state, is_dark(self.palette())))
        painter.drawEllipse(self.rect().adjusted(1, 1, -1, -1))
        painter.end()


class _ElidedLabel(QLabel):
    """A one-line plain label that gives way when the status bar is short of room
    (many accounts in trouble, longer words in some languages): the middle part
    (an account's name) ends in "…" first, so the network and the state stay
    readable; only when even they do not fit is the whole line elided."""

    def __init__(self) -> None:
        super().__init__()
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self._head = self._tail = ""

    def set_parts(self, head: str, middle: str, tail: str) -> None:
        """Show ``head + middle + tail``; ``middle`` is what may be shortened."""
        self._head, self._tail = head, tail
        self.setText(head + middle + tail)
        self.updateGeometry()

    def _keep(self) -> int:
        """Width of what should stay whole: the head, "…" and the tail."""
        return self.fontMetrics().horizontalAdvance(f"{self._head}…{self._tail}") + 2

    def minimumSizeHint(self) -> QSize:
        # Enough for the network and the state where it can, but capped: many chips
        # must never make the window's minimum width grow past a small screen.
        hint = super().minimumSizeHint()
        cap = self.fontMetrics().horizontalAdvance("M") * 11
        return QSize(min(hint.width(), self._keep(), cap), hint.height())

    def shown(self, width: int | None = None) -> str:
        """The text as painted at ``width`` (default: the label's)."""
        width = self.contentsRect().width() if width is None else width
        metrics, text = self.fontMetrics(), self.text()
        if metrics.horizontalAdvance(text) <= width:
            return text
        middle = text[len(self._head):len(text) - len(self._tail)]
        room = width - metrics.horizontalAdvance(self._head + self._tail)
        if middle and room >= metrics.horizontalAdvance("M…"):
            short = metrics.elidedText(middle, Qt.TextElideMode.ElideRight, room)
            return self._head + short + self._tail
        return metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(self.contentsRect(),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         self.shown())
        painter.end()


class _Chip(QWidget):
    """A dot and a line of text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dot = _Dot(self)
        self.text = _ElidedLabel()
        self.text.setParent(self)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(6, 0, 6, 0)
        self._layout.setSpacing(5)
        self._layout.addWidget(self.dot)
        self._layout.addWidget(self.text)
        self.state = "ok"

    def _say(self, text: str, tooltip: str, head: str = "", tail: str = "") -> None:
        self.text.set_parts(head, text[len(head):len(text) - len(tail)], tail)
        self.setToolTip(plain_tooltip(tooltip) if tooltip else "")
        self.setAccessibleName(text)


class AccountChip(_Chip):
    """One account: a coloured dot, the network, its name and its state (and a
    fix button when it needs sign-in)."""

    def __init__(self, fix_account: Callable[[int], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fix = fix_account
        self.button = QPushButton(translate("SyncStatus", "Reconnect…"), self)
        self.button.setFlat(True)
        self.button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.button.clicked.connect(self._clicked)
        self.button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.button.hide()
        self._layout.addWidget(self.button)
        self.account: AccountView | None = None

    def set_account(self, account: AccountView, state: str, now: datetime) -> None:
        self.account, self.state = account, state
        self.dot.set_state(state)
        self.button.setVisible(state == "needs_auth")
        self.tick(now)

    def tick(self, now: datetime) -> None:
        if self.account is None:
            return
        words = state_words(self.state)
        if self.state == "rate_limited":
            words += _left(self.account.retry_at, now)
        network = network_name(self.account.network, NETWORK_LABELS)
        head, tail = f"{network} ", f": {words}"
        text = f"{head}{self.account.name}{tail}"
        detail = self.account.status_detail or ""
        self._say(text, f"{text}\n{detail}" if detail else text, head, tail)

    def _clicked(self) -> None:
        if self.account is not None:
            self._fix(self.account.id)


class GroupChip(_Chip):
    """The accounts of one calm state together: "● 8 accounts ok"; the tooltip
    lists them."""

    def set_accounts(self, state: str, accounts: Sequence[AccountView]) -> None:
        self.state = state
        self.dot.set_state(state)
        count = len(accounts)
        text = plural(translate("SyncStatus", GROUPED[state], None, count), count)
        lines = [account_title(a) for a in accounts]
        self._say(text, "\n".join([f"{text}:", *lines]), text)  # short: never elided


class SyncStatus(QWidget):
    """The permanent right side of the status bar: accounts, then the outbox."""

    def __init__(self, fix_account: Callable[[int], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fix = fix_account
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        #: One chip per account, in the order given (a grouped account's is hidden).
        self.chips: list[AccountChip] = []
        self.groups: dict[str, GroupChip] = {}
        for state in GROUPED:
            group = GroupChip(self)
            group.hide()
            self.groups[state] = group
        self.outbox = QLabel(translate("SyncStatus", "Outbox empty"), self)
        self.outbox.setTextFormat(Qt.TextFormat.PlainText)
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
            self.chips.append(AccountChip(self._fix, self))
        by_state: dict[str, list[AccountView]] = {}
        for chip, account, state in zip(self.chips, accounts, states, strict=True):
            chip.set_account(account, state, now)
            by_state.setdefault(state, []).append(account)
        grouped = {state for state in GROUPED if len(accounts) > COLLAPSE_AFTER
                   and len(by_state.get(state, ())) >= 2}
        # The strip's order: accounts needing attention, the groups, the outbox.
        shown: list[_Chip] = [c for c in self.chips if c.state not in grouped]
        for state, group in self.groups.items():
            if state in grouped:
                group.set_accounts(state, by_state[state])
                shown.append(group)
        for widget in [*self.chips, *self.groups.values()]:
            self._layout.removeWidget(widget)
            widget.setVisible(False)
        for index, widget in enumerate(shown):
            self._layout.insertWidget(index, widget)
            widget.setVisible(True)

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

    def shown_chips(self) -> list[_Chip]:
        """The chips in the strip, left to right."""
        items = (self._layout.itemAt(i) for i in range(self._layout.count()))
        found = (item.widget() for item in items if item is not None)
        return [w for w in found if isinstance(w, _Chip) and not w.isHidden()]

    def text(self) -> str:
        """Everything the strip says, for tests and accessibility."""
        return " | ".join([*(c.text.text() for c in self.shown_chips()), self.outbox.text()])


class OfflineBanner(QLabel):
    """A calm amber strip across the top while the desk cannot reach any network,
    in the light or dark colours of the palette in use."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setContentsMargins(12, 6, 12, 6)
        self._outbox = 0
        self._update()
        self.hide()

    def colors(self) -> tuple[str, str, str]:
        """(background, text, border) in the palette in use."""
        return BANNER_LOOK["dark" if is_dark() else "light"]

    def paintEvent(self, event: QPaintEvent) -> None:
        # Painted here, not by a style sheet: a switch between light and dark shows
        # at the next paint (a child with a style sheet is not told of the new palette).
        background, text, border = (QColor(c) for c in self.colors())
        painter = QPainter(self)
        rect = self.rect()
        painter.fillRect(rect, background)
        painter.fillRect(rect.left(), rect.bottom(), rect.width(), 1, border)
        painter.setPen(text)
        painter.drawText(self.contentsRect(), int(Qt.AlignmentFlag.AlignLeft
                                                  | Qt.AlignmentFlag.AlignVCenter
                                                  | Qt.TextFlag.TextWordWrap), self.text())
        painter.end()

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
