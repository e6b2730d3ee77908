"""The composer under an open case: templates, the reply editor, the outbox
state of the replies written here, and the reply-window banner.

* **Before typing**: if the network's reply window is closing (under two
  hours left) a warning banner says so; if it has closed, an error banner does,
  and Ctrl+Enter asks for confirmation before queueing.
* **Ctrl+Enter** (⌘+Enter on macOS) puts the reply in the outbox through
  ``CaseService.queue_reply``; the editor empties and the reply appears as a
  row whose state follows the store: queued → sent (with the delivery time),
  or failed (with the network's message and Retry), or uncertain ("check
  before resending" and Retry).
* **Drafts** are saved ~500 ms after typing pauses, when the case changes, and
  when the composer is hidden (the window closing); ``flush_draft()`` is there
  for a crash handler. They are restored when the case is opened again, and
  deleted in the same transaction that queues the reply.

All text here is plain: the editor is a ``QPlainTextEdit`` and every label is
``Qt.TextFormat.PlainText``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QHideEvent, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from smm_desk.domain.reply_window import ReplyWindow, closing_soon
from smm_desk.domain.views import CaseView, ReplyView
from smm_desk.services.case import CaseActionError, CaseService
from smm_desk.ui.i18n import QT_TRANSLATE_NOOP, reply_window_note, translate
from smm_desk.ui.plain_text import local_time, one_line

#: Typing pauses this long before the draft is written.
DRAFT_DEBOUNCE_MS = 500

_SUBMIT_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def _dark() -> bool:
    return QGuiApplication.palette().color(QPalette.ColorRole.Base).lightness() < 128


#: tone -> (light background, light text, dark background, dark text)
_TONES: dict[str, tuple[str, str, str, str]] = {
    "warning": ("#fff3dc", "#7a4a00", "#3d3018", "#f3c77a"),
    "error": ("#fde7e5", "#9c1f17", "#45201e", "#f4a39c"),
    "ok": ("#e4f4e8", "#1d6b35", "#1c3524", "#8fd6a3"),
    "muted": ("#eef0f3", "#4a5260", "#2b3038", "#aeb7c2"),
}


def tone_style(tone: str) -> str:
    light_bg, light_fg, dark_bg, dark_fg = _TONES[tone]
    bg, fg = (dark_bg, dark_fg) if _dark() else (light_bg, light_fg)
    return f"background: {bg}; color: {fg}; border-radius: 4px;"


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


class ReplyEditor(QPlainTextEdit):
    """A plain-text editor that asks to submit on Ctrl+Enter."""

    submit_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)

    def sizeHint(self) -> QSize:
        # About five lines: the thread above gets the rest of the height.
        hint = super().sizeHint()
        return QSize(hint.width(), self.fontMetrics().lineSpacing() * 5 + 12)

    @staticmethod
    def _is_submit(event: QKeyEvent) -> bool:
        return (event.key() in _SUBMIT_KEYS
                and bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier))

    def event(self, event: QEvent) -> bool:
        # Claim Ctrl+Enter before any window-wide shortcut bound to it.
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) \
                and self._is_submit(event):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._is_submit(event):
            event.accept()
            self.submit_requested.emit()
            return
        super().keyPressEvent(event)


class WindowBanner(QLabel):
    """The reply-window banner: hidden while the window is wide open."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setContentsMargins(10, 6, 10, 6)  # inside the tinted background
        self.level = ""  # "", "warning" or "error"
        self.hide()

    def show_window(self, window: ReplyWindow | None, now_utc: datetime) -> None:
        if window is None or (window.open and not closing_soon(window, now_utc)):
            self.level = ""
            self.hide()
            return
        if window.open:
            assert window.closes_at is not None
            left = window.closes_at - now_utc
            minutes = max(1, int(left.total_seconds() // 60))
            span = (translate("QueueModel", "{hours} h {minutes} min").format(
                        hours=minutes // 60, minutes=f"{minutes % 60:02d}") if minutes >= 60
                    else translate("QueueModel", "{minutes} min").format(minutes=minutes))
            text = translate("Composer", "Reply window closes in {span} (at {time}). {note}")
            text = text.format(
                span=span, time=local_time(window.closes_at, now_utc),
                note=reply_window_note(window.note))
            self.level = "warning"
        else:
            note = reply_window_note(window.note)
            text = (translate("Composer", "Reply window closed at {time}. {note}").format(
                        time=local_time(window.closes_at, now_utc), note=note)
                    if window.closes_at is not None else
                    translate("Composer", "Reply window closed. {note}").format(note=note))
            self.level = "error"
        self.setText(text.strip())
        self.setStyleSheet(f"QLabel {{ {tone_style(self.level)} }}")
        self.show()


#: reply state -> (tone, title)
_STATES: dict[str, tuple[str, str]] = {
    "queued": ("muted", QT_TRANSLATE_NOOP("Composer", "Queued")),
    "sending": ("muted", QT_TRANSLATE_NOOP("Composer", "Sending…")),
    "sent": ("ok", QT_TRANSLATE_NOOP("Composer", "Sent")),
    "failed": ("error", QT_TRANSLATE_NOOP("Composer", "Failed")),
    "uncertain": ("warning", QT_TRANSLATE_NOOP("Composer", "Uncertain")),
}


class ReplyStateRow(QFrame):
    """One reply's outbox state; failed and uncertain replies offer Retry."""

    retry_requested = Signal(str)

    def __init__(self, reply: ReplyView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reply_id = reply.id
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self.state_label = plain_label(parent=self)
        self.state_label.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.detail_label = plain_label(parent=self)
        self.detail_label.setWordWrap(True)
        self.detail_label.setSizePolicy(QSizePolicy.Policy.Expanding,
                                        QSizePolicy.Policy.Preferred)
        self.retry_button = QPushButton(translate("Composer", "Retry"), self)
        self.retry_button.clicked.connect(lambda: self.retry_requested.emit(self.reply_id))
        layout.addWidget(self.state_label, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.detail_label, 1)
        layout.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignTop)
        self.state = ""
        self.update_reply(reply)

    def update_reply(self, reply: ReplyView) -> None:
        self.state = reply.state
        tone, title = _STATES.get(reply.state, ("muted", reply.state.capitalize()))
        self.state_label.setText(translate("Composer", title))
        self.state_label.setStyleSheet(f"QLabel {{ {tone_style(tone)} padding: 2px 8px; }}")
        preview = one_line(reply.text, 60)
        if reply.state == "sent" and reply.delivered_at is not None:
            detail = translate("Composer", "delivered {time}").format(
                time=local_time(reply.delivered_at)) + f" · {preview}"
        elif reply.state == "failed":
            error = reply.error or translate("Composer", "the network refused it")
            detail = f"{one_line(error, 300)} · {preview}"
        elif reply.state == "uncertain":
            reason = f" ({one_line(reply.error, 200)})" if reply.error else ""
            detail = (translate("Composer", "check on the network before resending")
                      + f"{reason} · {preview}")
        elif reply.state == "queued" and reply.error:
            detail = translate("Composer", "will retry: {error}").format(
                error=one_line(reply.error, 200)) + f" · {preview}"
        elif reply.state == "queued":
            detail = translate("Composer", "waiting in the outbox") + f" · {preview}"
        else:
            detail = preview
        self.detail_label.setText(detail)
        self.retry_button.setVisible(reply.state in ("failed", "uncertain"))

    def status_text(self) -> str:
        return f"{self.state_label.text()} · {self.detail_label.text()}"


class Composer(QWidget):
    """Writes replies for one case at a time (see the module doc)."""

    reply_queued = Signal(str)
    #: A draft reached the store (case id).
    draft_saved = Signal(int)

    def __init__(self, service: CaseService, agent: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._agent = agent
        self._case: CaseView | None = None
        self._window: ReplyWindow | None = None
        self._dirty = False
        self._loading = False
        self._queued_here: set[str] = set()
        self._rows: dict[str, ReplyStateRow] = {}
        #: Asked before queueing into a closed reply window: (title, text) -> go ahead?
        self.confirm: Callable[[str, str], bool] = self._ask

        self.banner = WindowBanner(self)
        self._rows_box = QVBoxLayout()
        self._rows_box.setSpacing(4)

        self.editor = ReplyEditor(self)
        self.editor.setPlaceholderText(translate("Composer", "Write a reply…"))
        self.editor.setMinimumHeight(72)
        self.editor.setMaximumHeight(160)
        self.editor.textChanged.connect(self._on_text_changed)
        self.editor.submit_requested.connect(self.submit)

        self.templates = QComboBox(self)
        self.templates.setPlaceholderText(translate("Composer", "Insert template…"))
        self.templates.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.templates.activated.connect(self._insert_template)

        self.send_button = QPushButton(translate("Composer", "Queue reply"), self)
        self.send_button.setToolTip(translate("Composer",
                                              "Put the reply in the outbox (Ctrl+Enter)"))
        self.send_button.clicked.connect(self.submit)
        self.status = plain_label(parent=self)
        self.status.setStyleSheet("color: palette(placeholder-text);")
        hint = plain_label("Ctrl+Enter", self)
        hint.setStyleSheet("color: palette(placeholder-text);")

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.templates)
        buttons.addWidget(self.status, 1)
        buttons.addWidget(hint)
        buttons.addWidget(self.send_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.banner)
        layout.addLayout(self._rows_box)
        layout.addWidget(self.editor)
        layout.addLayout(buttons)

        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_DEBOUNCE_MS)
        self._draft_timer.timeout.connect(self.flush_draft)

        self._load_templates()
        self.set_case(None)

    # -- the case ----------------------------------------------------------------------
    def case_id(self) -> int | None:
        return self._case.id if self._case is not None else None

    def set_case(self, case: CaseView | None) -> None:
        """Show ``case`` (``None``: nothing), saving the previous case's draft first."""
        previous = self.case_id()
        if case is not None and case.id == previous:
            self._case = case
            return
        self.flush_draft()
        self._case = case
        self._queued_here.clear()
        self._clear_rows()
        self._loading = True
        try:
            text = ""
            if case is not None:
                try:
                    text = self._service.draft(case.id)
                except CaseActionError as exc:
                    self._show_status(translate("Composer", "Draft not loaded: {error}")
                                      .format(error=exc), error=True)
            self.editor.setPlainText(text)
            self.editor.moveCursor(self.editor.textCursor().MoveOperation.End)
        finally:
            self._loading = False
        self._dirty = False
        self.status.clear()
        enabled = case is not None
        for widget in (self.editor, self.templates, self.send_button):
            widget.setEnabled(enabled)

    def show_window(self, window: ReplyWindow | None) -> None:
        self._window = window
        self.banner.show_window(window, self._service.now())

    def update_replies(self, replies: Sequence[ReplyView]) -> None:
        """Rows for the replies still in the outbox (or needing a person), and
        for those queued here since the case was opened."""
        wanted = [r for r in replies if r.state != "sent" or r.id in self._queued_here]
        keep = {r.id for r in wanted}
        for reply_id in [i for i in self._rows if i not in keep]:
            row = self._rows.pop(reply_id)
            self._rows_box.removeWidget(row)
            row.deleteLater()
        for reply in wanted:
            self._show_reply(reply)

    def _show_reply(self, reply: ReplyView) -> None:
        row = self._rows.get(reply.id)
        if row is None:
            row = ReplyStateRow(reply, self)
            row.retry_requested.connect(self.retry)
            self._rows[reply.id] = row
            self._rows_box.addWidget(row)
        else:
            row.update_reply(reply)

    def row(self, reply_id: str) -> ReplyStateRow | None:
        return self._rows.get(reply_id)

    def _clear_rows(self) -> None:
        for row in self._rows.values():
            self._rows_box.removeWidget(row)
            row.deleteLater()
        self._rows.clear()

    # -- drafts --------------------------------------------------------------------------
    def _on_text_changed(self) -> None:
        if self._loading or self._case is None:
            return
        self._dirty = True
        self._draft_timer.start()

    def flush_draft(self) -> None:
        """Write the draft now if it changed (typing pause, case switch, closing, crash)."""
        self._draft_timer.stop()
        if not self._dirty or self._case is None:
            return
        case_id = self._case.id
        try:
            self._service.save_draft(case_id, self.editor.toPlainText())
        except CaseActionError as exc:
            self._show_status(translate("Composer", "Draft not saved: {error}").format(error=exc),
                              error=True)
            return
        self._dirty = False
        self._show_status(translate("Composer", "Draft saved"))
        self.draft_saved.emit(case_id)

    def hideEvent(self, event: QHideEvent) -> None:
        self.flush_draft()
        super().hideEvent(event)

    # -- templates -----------------------------------------------------------------------
    def _load_templates(self) -> None:
        self.templates.clear()
        try:
            templates = self._service.templates()
        except CaseActionError as exc:
            self._show_status(translate("Composer", "Templates not loaded: {error}")
                              .format(error=exc), error=True)
            return
        for template in templates:
            self.templates.addItem(template.name, template.id)
        self.templates.setCurrentIndex(-1)

    def _insert_template(self, index: int) -> None:
        template_id = self.templates.itemData(index)
        self.templates.setCurrentIndex(-1)
        if self._case is None or template_id is None:
            return
        try:
            text = self._service.render_template(int(template_id), self._case.id, self._agent)
        except CaseActionError as exc:
            self._show_status(str(exc), error=True)
            return
        if self.editor.toPlainText().strip():
            self.editor.insertPlainText(text)
        else:
            self.editor.setPlainText(text)
            self.editor.moveCursor(self.editor.textCursor().MoveOperation.End)
        self.editor.setFocus()

    def insert_template(self, template_id: int) -> None:
        """Insert a template by id (what picking it in the list does)."""
        index = self.templates.findData(template_id)
        if index >= 0:
            self._insert_template(index)

    # -- sending -------------------------------------------------------------------------
    def submit(self) -> None:
        """Queue the editor's text as a reply (Ctrl+Enter)."""
        text = self.editor.toPlainText()
        if self._case is None or not text.strip():
            return
        now = self._service.now()
        window = self._service.window_of(self._case, now)
        if not window.open and not self.confirm(
            translate("Composer", "Reply window closed"),
            translate("Composer", "The network's reply window for this conversation has "
                      "closed. {note}\n\nQueue the reply anyway?").format(
                          note=reply_window_note(window.note)),
        ):
            return
        try:
            reply = self._service.queue_reply(self._case.id, text, self._agent)
        except CaseActionError as exc:
            self._show_status(translate("Composer", "Not queued: {error}").format(error=exc),
                              error=True)
            return
        self._draft_timer.stop()
        self._loading = True
        try:
            self.editor.clear()
        finally:
            self._loading = False
        self._dirty = False
        self._queued_here.add(reply.id)
        self._show_reply(reply)
        self._show_status(translate("Composer", "Reply queued"))
        self.reply_queued.emit(reply.id)

    def retry(self, reply_id: str) -> None:
        try:
            reply = self._service.retry_reply(reply_id, self._agent)
        except CaseActionError as exc:
            self._show_status(translate("Composer", "Not retried: {error}").format(error=exc),
                              error=True)
            return
        self._queued_here.add(reply.id)
        self._show_reply(reply)

    # -- helpers -------------------------------------------------------------------------
    def _show_status(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(
            f"QLabel {{ {tone_style('error')} padding: 1px 6px; }}" if error
            else "color: palette(placeholder-text);"
        )

    def _ask(self, title: str, text: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setTextFormat(Qt.TextFormat.PlainText)  # the note can name the network's rules
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes
