"""The VIP and block lists the routing rules consult ("Author on the VIP list",
"Author on the block list"), edited as one entry per line.

An entry is what a connector knows of an author: the network's user id, or a
handle such as ``@anna`` (the rules compare without case). Saving replaces a
list whole and shows what the store kept, so a person sees at once that blank
lines went.
The rules service announces the change; nothing here touches the store.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from smm_desk.services.rules import RulesService
from smm_desk.ui.i18n import translate


def _entries(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class AuthorListsDialog(QDialog):
    def __init__(self, rules: RulesService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rules = rules
        self.setWindowTitle(translate("AuthorLists", "VIP and block lists"))
        intro = QLabel(translate(
            "AuthorLists",
            "One author per line: the network's user id or a handle such as @anna. "
            "Routing rules can send VIP authors' cases first and set blocked authors' "
            "cases aside as spam."), self)
        intro.setWordWrap(True)
        self.vip = QPlainTextEdit(self)
        self.blocked = QPlainTextEdit(self)
        for edit in (self.vip, self.blocked):
            edit.setTabChangesFocus(True)
            edit.setPlaceholderText(translate("AuthorLists", "@handle or user id, one per line"))
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        grid = QGridLayout()
        grid.addWidget(QLabel(translate("AuthorLists", "VIP authors"), self), 0, 0)
        grid.addWidget(QLabel(translate("AuthorLists", "Blocked authors"), self), 0, 1)
        grid.addWidget(self.vip, 1, 0)
        grid.addWidget(self.blocked, 1, 1)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close, self)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(grid, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(640, 420)
        self.load()

    def load(self) -> None:
        self.vip.setPlainText("\n".join(self._rules.vip_list()))
        self.blocked.setPlainText("\n".join(self._rules.blocked_list()))

    def save(self) -> None:
        vip = self._rules.set_vip_list(_entries(self.vip.toPlainText()))
        blocked = self._rules.set_blocked_list(_entries(self.blocked.toPlainText()))
        self.vip.setPlainText("\n".join(vip))
        self.blocked.setPlainText("\n".join(blocked))
        self.status.setText(translate("AuthorLists", "Saved: {vip} VIP, {blocked} blocked.")
                            .format(vip=len(vip), blocked=len(blocked)))
