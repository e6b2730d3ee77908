""""Send to department": the handoff dialog.

Pick the department (the case's own is preselected), write the summary the
department reads first, and see exactly what will be sent — destination,
subject and the plain-text body with the thread — before pressing Send. The
preview is rendered locally on every keystroke (``HandoffService.render``); the
case and its thread are read once per department. A department without a
handoff target cannot be sent to: the dialog says how to set one.

Customer text reaches the widgets only as plain text (``setPlainText``, plain
labels) after :func:`~smm_desk.ui.plain_text.display_text`.

Open it with ``HandoffDialog(service, case_id, agent, parent).exec()`` (or
``open()``); ``sent`` carries the queued handoff's id.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from smm_desk.services.handoff import (
    HandoffDepartmentView,
    HandoffError,
    HandoffPayload,
    HandoffService,
)
from smm_desk.ui.i18n import translate
from smm_desk.ui.plain_text import display_text, one_line


def _plain_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class HandoffDialog(QDialog):
    """Hand one case to a department. ``sent(str)``: the handoff id, once queued."""

    sent = Signal(str)

    def __init__(self, service: HandoffService, case_id: int, agent: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._case_id = case_id
        self._agent = agent
        self._draft: tuple[HandoffDepartmentView, HandoffPayload] | None = None
        self.setWindowTitle(translate("HandoffDialog", "Send case #{id} to a department")
                            .format(id=case_id))
        self.resize(640, 620)

        self.department = QComboBox()
        self.destination = _plain_label()
        self.summary = QPlainTextEdit()
        self.summary.setPlaceholderText(translate(
            "HandoffDialog",
            "What the department needs to know: the problem, what you checked, what you "
            "promised the customer."))
        self.summary.setTabChangesFocus(True)
        self.summary.setMaximumHeight(110)
        self.subject = _plain_label()
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.preview.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.preview.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.error = _plain_label()
        self.error.setStyleSheet("color: #b3261e;")
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.send_button = self.buttons.addButton(
            translate("HandoffDialog", "Send to department"),
            QDialogButtonBox.ButtonRole.AcceptRole)

        form = QFormLayout()
        form.addRow(translate("HandoffDialog", "Department"), self.department)
        form.addRow(translate("HandoffDialog", "Goes by"), self.destination)
        form.addRow(translate("HandoffDialog", "Summary"), self.summary)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(_plain_label(translate("HandoffDialog", "Preview of what will be sent")))
        layout.addWidget(self.subject)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

        self.buttons.rejected.connect(self.reject)
        self.send_button.clicked.connect(self._send)
        self.summary.textChanged.connect(self._render)
        self._fill_departments()
        self.department.currentIndexChanged.connect(self._department_changed)
        self._department_changed()
        self.summary.setFocus()

    def _fill_departments(self) -> None:
        try:
            departments = self._service.departments()
            current = self._service.case_department(self._case_id)
        except HandoffError as exc:
            self._show_error(str(exc))
            departments, current = [], None
        for dept in departments:
            suffix = ("" if dept.target is not None
                      else "  " + translate("HandoffDialog", "(no target)"))
            self.department.addItem(one_line(dept.name) + suffix, dept.id)
            if dept.name == current:
                self.department.setCurrentIndex(self.department.count() - 1)

    def _department_changed(self) -> None:
        department_id = self.department.currentData()
        self._draft = None
        if department_id is None:
            self._render()
            return
        try:
            self._draft = self._service.draft(self._case_id, int(department_id), self._agent)
        except HandoffError as exc:
            self._show_error(str(exc))
        self._render()

    def _render(self) -> None:
        if self._draft is None:
            self.destination.setText("-")
            self.subject.setText("")
            self.preview.setPlainText("")
            self.send_button.setEnabled(False)
            return
        department, payload = self._draft
        preview = self._service.render(department, payload, self.summary.toPlainText())
        self.destination.setText(display_text(preview.destination))
        self.subject.setText(translate("HandoffDialog", "Subject: {subject}").format(
            subject=display_text(preview.subject)))
        self.preview.setPlainText(display_text(preview.text))
        self.send_button.setEnabled(department.target is not None)

    def _show_error(self, message: str) -> None:
        self.error.setText(one_line(message))
        self.error.show()

    def _send(self) -> None:
        if self._draft is None:
            return
        department, _payload = self._draft
        try:
            view = self._service.send(self._case_id, department.id,
                                      self.summary.toPlainText(), self._agent)
        except HandoffError as exc:
            self._show_error(str(exc))
            return
        self.sent.emit(view.id)
        self.accept()
