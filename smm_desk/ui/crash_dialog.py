"""The crash dialog: something went wrong, your draft is kept, here is the log.

Shown by the app's crash handler (``smm_desk.app.crash``) when an exception
escapes anywhere — a slot, a thread, a background task. It says, in this
order: that the app hit a problem; whether the reply being written is safe
(the handler saves it to the store before the dialog appears); where the log
file with the details is, with a button that opens its folder; and the
choice — **Continue** working (the default) or **Quit** (a clean shutdown).
After a fatal Qt error only Quit is offered: the process cannot go on.

The technical details (the traceback, already stripped of secrets by the
handler) sit behind "Show details", for a bug report. Everything here is plain
text: an exception message can carry customer text.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QFont
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from smm_desk.ui.crash_info import CONTINUE as CONTINUE  # re-exported
from smm_desk.ui.crash_info import DRAFT_KEPT as DRAFT_KEPT
from smm_desk.ui.crash_info import DRAFT_NOT_SAVED as DRAFT_NOT_SAVED
from smm_desk.ui.crash_info import QUIT as QUIT
from smm_desk.ui.crash_info import CrashInfo as CrashInfo
from smm_desk.ui.i18n import translate


def open_folder(path: Path) -> bool:
    """Show ``path`` (a folder) in the system's file manager."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def _label(text: str, parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setText(text)
    return label


class CrashDialog(QDialog):
    """See the module doc. :meth:`choice` says what the user picked."""

    def __init__(self, info: CrashInfo, parent: QWidget | None = None, *,
                 opener: Callable[[Path], bool] = open_folder) -> None:
        super().__init__(parent)
        self.info = info
        self._opener = opener
        self._choice = QUIT if info.fatal else CONTINUE
        self.setWindowTitle(translate("CrashDialog", "SMM Desk — something went wrong"))
        self.setModal(True)
        self.setMinimumWidth(520)

        icon = QLabel(self)
        style = self.style() or QApplication.style()
        size = style.pixelMetric(QStyle.PixelMetric.PM_MessageBoxIconSize, None, self)
        icon.setPixmap(style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical, None,
                                          self).pixmap(size, size))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)

        self.heading = _label(
            translate("CrashDialog", "SMM Desk must close because of an internal error.")
            if info.fatal else
            translate("CrashDialog", "SMM Desk ran into an internal error."), self)
        font = QFont(self.heading.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.heading.setFont(font)

        if info.draft == DRAFT_KEPT:
            draft = translate("CrashDialog",
                              "Your draft is kept: the reply you were writing is saved and "
                              "will be there when you open the case again.")
        else:
            draft = translate("CrashDialog",
                              "Your draft could not be saved ({problem}). Copy it from the "
                              "reply box before you quit.").format(
                problem=info.draft_problem or translate("CrashDialog", "the database refused it"))
        self.draft_label = _label(draft, self)
        self.draft_label.setObjectName("crashDraft")

        self.next_label = _label(
            translate("CrashDialog", "The app cannot go on. Start it again; nothing that was "
                                     "saved is lost.") if info.fatal else
            translate("CrashDialog", "You can continue working. If the problem comes back, "
                                     "quit and start the app again."), self)

        if info.log_file is not None:
            where = translate("CrashDialog", "The details are in the log file:")
        else:
            where = translate("CrashDialog", "No log file is being written.")
        self.log_intro = _label(where, self)
        self.log_path = _label(str(info.log_file) if info.log_file is not None else "", self)
        self.log_path.setObjectName("crashLogPath")
        self.log_path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                              | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.log_path.setVisible(info.log_file is not None)
        self.open_button = QPushButton(translate("CrashDialog", "Open log folder"), self)
        self.open_button.setVisible(info.log_file is not None)
        self.open_button.clicked.connect(self.open_log_folder)

        self.details = QPlainTextEdit(self)
        self.details.setReadOnly(True)
        self.details.setPlainText(f"{info.summary}\n\n{info.details}".strip())
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details.setMinimumHeight(160)
        self.details.hide()
        self.details_button = QPushButton(translate("CrashDialog", "Show details"), self)
        self.details_button.setCheckable(True)
        self.details_button.toggled.connect(self._toggle_details)

        self.buttons = QDialogButtonBox(self)
        self.quit_button = self.buttons.addButton(translate("CrashDialog", "Quit"),
                                                  QDialogButtonBox.ButtonRole.RejectRole)
        self.continue_button: QPushButton | None = None
        if not info.fatal:
            self.continue_button = self.buttons.addButton(
                translate("CrashDialog", "Continue"), QDialogButtonBox.ButtonRole.AcceptRole)
            self.continue_button.setDefault(True)
            self.continue_button.clicked.connect(lambda: self._finish(CONTINUE))
        else:
            self.quit_button.setDefault(True)
        self.quit_button.clicked.connect(lambda: self._finish(QUIT))

        log_row = QHBoxLayout()
        log_row.addWidget(self.log_path, 1)
        log_row.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignTop)
        text = QVBoxLayout()
        text.setSpacing(10)
        for widget in (self.heading, self.draft_label, self.next_label, self.log_intro):
            text.addWidget(widget)
        text.addLayout(log_row)
        top = QHBoxLayout()
        top.setSpacing(16)
        top.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(text, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.details_button)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 16)
        layout.setSpacing(14)
        layout.addLayout(top)
        layout.addWidget(self.details, 1)
        layout.addLayout(bottom)

    # -- outcome -------------------------------------------------------------------------
    def choice(self) -> str:
        """``continue`` or ``quit`` (closing the dialog is Continue, unless fatal)."""
        return self._choice

    def _finish(self, choice: str) -> None:
        self._choice = choice
        if choice == CONTINUE:
            self.accept()
        else:
            self.done(QDialog.DialogCode.Rejected)

    def reject(self) -> None:  # Esc or the window's close button
        self._choice = QUIT if self.info.fatal else CONTINUE
        super().reject()

    def ask(self) -> str:
        """Show the dialog modally and return the choice."""
        self.exec()
        return self._choice

    # -- the rest ------------------------------------------------------------------------
    def open_log_folder(self) -> bool:
        if self.info.log_file is None:
            return False
        return self._opener(self.info.log_file.parent)

    def _toggle_details(self, shown: bool) -> None:
        self.details.setVisible(shown)
        self.details_button.setText(translate("CrashDialog", "Hide details") if shown
                                    else translate("CrashDialog", "Show details"))
        self.adjustSize()

    def text(self) -> str:
        """Everything the dialog says, details included (tests, accessibility)."""
        parts = [self.windowTitle(), self.heading.text(), self.draft_label.text(),
                 self.next_label.text(), self.log_intro.text(), self.log_path.text(),
                 self.details.toPlainText()]
        return "\n".join(p for p in parts if p)


def ask(info: CrashInfo, parent: QWidget | None = None) -> str:
    """The default dialog factory: show a :class:`CrashDialog`, return the choice."""
    dialog = CrashDialog(info, parent)
    try:
        return dialog.ask()
    finally:
        dialog.deleteLater()
