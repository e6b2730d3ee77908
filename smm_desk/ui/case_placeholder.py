"""The right pane of a main window built without a case service: a label
naming the selected case (queue-only tests and tools)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from smm_desk.ui.i18n import translate


class CasePlaceholder(QWidget):
    """The right pane of a window built without a case service (queue-only tests)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._case_id: int | None = None
        self.label = QLabel(translate("MainWindow", "Select a case to read it here."), self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setStyleSheet("color: palette(placeholder-text);")
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)

    def show_case(self, case_id: int | None) -> None:
        self._case_id = case_id
        self.label.setText(translate("MainWindow", "Select a case to read it here.")
                           if case_id is None
                           else translate("MainWindow", "Case {id}").format(id=case_id))

    def show_opening(self) -> None:
        pass  # nothing to load here

    def focus_composer(self) -> None:
        pass

    def current_case_id(self) -> int | None:
        return self._case_id
