"""The settings dialog: accounts, departments, templates, notifications, shortcuts.

Every change is applied as it is made (there is nothing to "save"), through
:class:`~smm_desk.services.settings.SettingsService` and
:class:`~smm_desk.ui.triage.ShortcutBindings`; a refusal is shown as one line
next to what was refused. Tokens are typed into a password field, handed to
the service and cleared: no label, table or log line ever shows one. Names
and URLs come from users and networks, so every text is plain.

The Templates tab is there only when the store has templates
(``SettingsService.has_templates``). The Notifications tab also holds the
interface language (applied at the next start) and the appearance — system,
light or dark, the ``appearance/theme`` value :mod:`smm_desk.ui.theme` reads —
applied at once through the running :class:`~smm_desk.ui.theme.Theme`.
"""

from __future__ import annotations

from datetime import time

from PySide6.QtCore import Qt, QTime
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from smm_desk.domain.quiet_hours import QuietHours
from smm_desk.domain.views import AccountView
from smm_desk.services.settings import (
    ConnectionResult,
    NotificationPrefs,
    SettingsError,
    SettingsService,
)
from smm_desk.ui import network_guides, theme
from smm_desk.ui.connect_dialog import ConnectForm
from smm_desk.ui.i18n import LANGUAGE_KEY, LANGUAGES, QT_TRANSLATE_NOOP, translate
from smm_desk.ui.triage import ACTIONS, BindingConflict, ShortcutBindings, action_label

STATUS_TEXT = {
    "ok": QT_TRANSLATE_NOOP("SettingsDialog", "Connected"),
    "needs_auth": QT_TRANSLATE_NOOP("SettingsDialog", "Needs a new token"),
    "rate_limited": QT_TRANSLATE_NOOP("SettingsDialog", "Rate limited"),
    "error": QT_TRANSLATE_NOOP("SettingsDialog", "Error"),
    "paused": QT_TRANSLATE_NOOP("SettingsDialog", "Paused"),
}


def _plain(text: str = "", parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


def _field(text: str, parent: QWidget | None = None) -> QLabel:
    """A form row's label: plain, on one line."""
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def _message_label(parent: QWidget) -> QLabel:
    label = _plain("", parent)
    label.setObjectName("message")
    return label


def _show(label: QLabel, text: str, ok: bool) -> None:
    label.setStyleSheet("color: #1e7b34;" if ok else "color: #c5221f;")
    label.setText(text)


def network_text(network: str) -> str:
    return network_guides.title(network)


def _table(headers: list[str], parent: QWidget) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().hide()
    table.setShowGrid(False)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setStyleSheet(
        "QTableView::item { padding-left: 8px; padding-right: 12px; }"
        "QHeaderView::section { padding-left: 8px; padding-right: 12px;"
        " border: none; border-bottom: 1px solid palette(mid);"
        " background: palette(window); font-weight: 600; }"
    )
    header = table.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setHighlightSections(False)
    for column in range(len(headers) - 1):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 12)
    return table


def _qtime(t: time) -> QTime:
    return QTime(t.hour, t.minute)


def _pytime(t: QTime) -> time:
    return time(t.hour(), t.minute())


class SettingsDialog(QDialog):
    def __init__(self, service: SettingsService, bindings: ShortcutBindings | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("SettingsDialog", "Settings"))
        self.resize(820, 680)
        self._service = service
        self.bindings = bindings or ShortcutBindings(service.qsettings, self)

        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._accounts_tab(), translate("SettingsDialog", "Accounts"))
        self.tabs.addTab(self._departments_tab(), translate("SettingsDialog", "Departments"))
        if service.has_templates():
            self.tabs.addTab(self._templates_tab(), translate("SettingsDialog", "Templates"))
        self.tabs.addTab(self._notifications_tab(), translate("SettingsDialog", "Notifications"))
        self.tabs.addTab(self._shortcuts_tab(), translate("SettingsDialog", "Shortcuts"))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)

        service.accounts_changed.connect(self.reload_accounts)
        service.departments_changed.connect(self.reload_departments)
        service.connection_tested.connect(self._on_tested)
        self.bindings.changed.connect(self.reload_shortcuts)

    def tab_titles(self) -> list[str]:
        return [self.tabs.tabText(i) for i in range(self.tabs.count())]

    def show_tab(self, title: str) -> None:
        self.tabs.setCurrentIndex(self.tab_titles().index(title))

    # -- accounts ----------------------------------------------------------------------
    def _accounts_tab(self) -> QWidget:
        page = QWidget(self)
        self.accounts_table = _table([translate("SettingsDialog", "Network"),
                                      translate("SettingsDialog", "Name"),
                                      translate("SettingsDialog", "Base URL"),
                                      translate("SettingsDialog", "Status")], page)
        self.accounts_table.itemSelectionChanged.connect(self._account_selected)
        self.test_button = QPushButton(translate("SettingsDialog", "Test connection"), page)
        self.test_button.clicked.connect(self._test_selected)
        self.pause_button = QPushButton(translate("SettingsDialog", "Pause"), page)
        self.pause_button.clicked.connect(self._toggle_pause)
        self.remove_button = QPushButton(translate("SettingsDialog", "Remove…"), page)
        self.remove_button.clicked.connect(self._remove_selected)
        self.account_message = _message_label(page)
        row = QHBoxLayout()
        row.addWidget(self.test_button)
        row.addWidget(self.pause_button)
        row.addWidget(self.remove_button)
        row.addWidget(self.account_message, 1)

        connect = QGroupBox(translate("SettingsDialog", "Connect an account"), page)
        self.connect_form = ConnectForm(self._service, connect)
        QVBoxLayout(connect).addWidget(self.connect_form)
        # The form's fields, by the names the rest of the dialog (and its tests) use.
        form = self.connect_form
        self.network_box = form.network_box
        self.name_edit = form.name_edit
        self.base_url_edit = form.base_url_edit
        self.options_edit = form.options_edit
        self.token_edit = form.token_edit
        self.connect_button = form.connect_button
        self.connect_message = form.connect_message
        form.connected.connect(self._connected)
        scroll = QScrollArea(page)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(connect)

        layout = QVBoxLayout(page)
        layout.addWidget(self.accounts_table, 1)
        layout.addLayout(row)
        layout.addWidget(scroll, 2)
        self.reload_accounts()
        return page

    def reload_accounts(self) -> None:
        selected = self.selected_account_id()
        accounts = self._service.accounts()
        self._accounts = {a.id: a for a in accounts}
        table = self.accounts_table
        table.setRowCount(len(accounts))
        for row, account in enumerate(accounts):
            known = STATUS_TEXT.get(account.status)
            status = translate("SettingsDialog", str(known)) if known else account.status
            if account.status_detail and account.status not in ("ok", "paused"):
                status = f"{status} — {account.status_detail}"
            cells = [network_text(account.network), account.name, account.base_url or "—",
                     status]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, account.id)
                table.setItem(row, column, item)
            if account.id == selected:
                table.selectRow(row)
        self._account_selected()

    def selected_account_id(self) -> int | None:
        if not hasattr(self, "accounts_table"):
            return None
        rows = self.accounts_table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.accounts_table.item(rows[0].row(), 0)
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    def select_account(self, account_id: int) -> None:
        for row in range(self.accounts_table.rowCount()):
            item = self.accounts_table.item(row, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == account_id:
                self.accounts_table.selectRow(row)
                return
        raise KeyError(account_id)

    def _account_selected(self) -> None:
        account = self._accounts.get(self.selected_account_id() or -1)
        self.test_button.setEnabled(account is not None)
        self.pause_button.setEnabled(account is not None)
        self.remove_button.setEnabled(account is not None)
        self.pause_button.setText(translate("SettingsDialog", "Resume")
                                  if account and account.status == "paused"
                                  else translate("SettingsDialog", "Pause"))

    def _test_selected(self) -> None:
        account_id = self.selected_account_id()
        if account_id is None:
            return
        self.test_button.setEnabled(False)
        _show(self.account_message, translate("SettingsDialog", "Testing the connection…"),
              True)
        self._service.test_connection(account_id)

    def _on_tested(self, result: ConnectionResult) -> None:
        self.test_button.setEnabled(self.selected_account_id() is not None)
        name = self._accounts[result.account_id].name if result.account_id in self._accounts \
            else translate("SettingsDialog", "account {id}").format(id=result.account_id)
        _show(self.account_message, f"{'✓' if result.ok else '✗'} {name}: {result.message}",
              result.ok)

    def _toggle_pause(self) -> None:
        account_id = self.selected_account_id()
        if account_id is None:
            return
        if self._accounts[account_id].status == "paused":
            self._service.resume(account_id)
            _show(self.account_message, translate("SettingsDialog", "Resumed: it syncs again"),
                  True)
        else:
            self._service.pause(account_id)
            _show(self.account_message,
                  translate("SettingsDialog", "Paused: nothing is fetched or sent for it"), True)

    def _remove_selected(self) -> None:
        account_id = self.selected_account_id()
        if account_id is None:
            return
        account = self._accounts[account_id]
        answer = QMessageBox.question(
            self, translate("SettingsDialog", "Remove account"),
            translate("SettingsDialog",
                      "Remove {network} account {name}? Its cases, messages and replies "
                      "leave the desk, and its secrets leave the keyring.").format(
                          network=network_text(account.network), name=account.name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self._service.remove_account(account_id)
        except Exception as exc:  # an unknown id (removed elsewhere): one line, no crash
            _show(self.account_message, str(exc).splitlines()[0] if str(exc) else
                  type(exc).__name__, False)
            return
        _show(self.account_message,
              translate("SettingsDialog", "Removed {name}").format(name=account.name), True)

    def _connected(self, account: AccountView) -> None:
        _show(self.connect_message, translate("SettingsDialog",
                                              "Connected {name}; test it above").format(
                                                  name=account.name), True)
        self.select_account(account.id)

    # -- departments -------------------------------------------------------------------
    def _departments_tab(self) -> QWidget:
        page = QWidget(self)
        self.departments_table = _table(["#", translate("SettingsDialog", "Department"),
                                         translate("SettingsDialog", "First response")], page)
        add = QGroupBox(translate("SettingsDialog", "Add a department"), page)
        form = QFormLayout(add)
        self.department_name = QLineEdit(add)
        self.own_target = QCheckBox(translate("SettingsDialog", "Own first-response target"),
                                    add)
        self.target_minutes = QSpinBox(add)
        self.target_minutes.setRange(1, 7 * 24 * 60)
        self.target_minutes.setValue(10)
        self.target_minutes.setSuffix(translate("SettingsDialog", " min"))
        self.target_minutes.setEnabled(False)
        self.own_target.toggled.connect(self.target_minutes.setEnabled)
        self.add_department_button = QPushButton(translate("SettingsDialog", "Add"), add)
        self.add_department_button.clicked.connect(self._add_department)
        self.department_message = _message_label(add)
        target = QHBoxLayout()
        target.addWidget(self.own_target)
        target.addWidget(self.target_minutes)
        target.addStretch(1)
        submit = QHBoxLayout()
        submit.addWidget(self.add_department_button)
        submit.addWidget(self.department_message, 1)
        form.addRow(_field(translate("SettingsDialog", "Name")), self.department_name)
        form.addRow(_field(translate("SettingsDialog", "Target")), target)
        form.addRow(_field(""), submit)
        layout = QVBoxLayout(page)
        layout.addWidget(_plain(translate("SettingsDialog",
                                          "Keys 1–9 route the selected cases to the first nine "
                                          "departments, in this order."), page))
        layout.addWidget(self.departments_table, 1)
        layout.addWidget(add)
        self.reload_departments()
        return page

    def reload_departments(self) -> None:
        departments = self._service.departments()
        table = self.departments_table
        table.setRowCount(len(departments))
        for row, department in enumerate(departments):
            seconds = department.first_response_s
            target = (translate("SettingsDialog", "workspace default") if seconds is None
                      else _minutes(seconds))
            cells = [str(row + 1) if row < 9 else "", department.name, target]
            for column, text in enumerate(cells):
                table.setItem(row, column, QTableWidgetItem(text))

    def _add_department(self) -> None:
        minutes = self.target_minutes.value() if self.own_target.isChecked() else None
        try:
            department = self._service.add_department(self.department_name.text(), minutes)
        except SettingsError as exc:
            _show(self.department_message, str(exc), False)
            return
        self.department_name.clear()
        _show(self.department_message,
              translate("SettingsDialog", "Added {name}").format(name=department.name), True)

    # -- templates ---------------------------------------------------------------------
    def _templates_tab(self) -> QWidget:
        page = QWidget(self)
        self.templates_list = QListWidget(page)
        for template in self._service.templates():
            name = getattr(template, "name", "")
            text = getattr(template, "text", getattr(template, "body", ""))
            self.templates_list.addItem(f"{name} — {' '.join(str(text).split())[:80]}")
        layout = QVBoxLayout(page)
        layout.addWidget(_plain(translate("SettingsDialog",
                                          "Canned replies; placeholders {customer}, {agent} and "
                                          "{department} are filled in the composer."), page))
        layout.addWidget(self.templates_list, 1)
        return page

    # -- notifications -----------------------------------------------------------------
    def _notifications_tab(self) -> QWidget:
        page = QWidget(self)
        prefs = self._service.notification_prefs()
        self.notify_enabled = QCheckBox(translate("SettingsDialog",
                                                  "Notify me when a case nears or passes its "
                                                  "response target"), page)
        self.notify_enabled.setChecked(prefs.enabled)
        self.quiet_enabled = QCheckBox(translate("SettingsDialog", "Quiet hours"), page)
        self.quiet_enabled.setChecked(prefs.quiet.enabled)
        self.quiet_start = QTimeEdit(_qtime(prefs.quiet.start), page)
        self.quiet_end = QTimeEdit(_qtime(prefs.quiet.end), page)
        for edit in (self.quiet_start, self.quiet_end):
            edit.setDisplayFormat("HH:mm")
        quiet = QHBoxLayout()
        quiet.addWidget(self.quiet_enabled)
        quiet.addWidget(_plain(translate("SettingsDialog", "from"), page))
        quiet.addWidget(self.quiet_start)
        quiet.addWidget(_plain(translate("SettingsDialog", "to"), page))
        quiet.addWidget(self.quiet_end)
        quiet.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addWidget(self.notify_enabled)
        layout.addLayout(quiet)
        layout.addWidget(_plain(translate(
            "SettingsDialog",
            "Quiet hours hold notifications back (an end earlier than the start runs past "
            "midnight); the tray keeps counting breaching cases."), page))
        layout.addSpacing(16)
        looks = QHBoxLayout()
        looks.addWidget(self._language_box(page), 1)
        looks.addWidget(self._appearance_box(page), 1)
        layout.addLayout(looks)
        layout.addStretch(1)
        self.notify_enabled.toggled.connect(self._save_notifications)
        self.quiet_enabled.toggled.connect(self._save_notifications)
        self.quiet_start.timeChanged.connect(self._save_notifications)
        self.quiet_end.timeChanged.connect(self._save_notifications)
        self._sync_quiet_enabled()
        return page

    def _language_box(self, page: QWidget) -> QWidget:
        """The interface language: stored in the settings, applied at the next start."""
        box = QGroupBox(translate("SettingsDialog", "Language"), page)
        layout = QVBoxLayout(box)
        self.language_box = QComboBox(box)
        self.language_box.addItem(translate("SettingsDialog", "As the system"), "")
        for code, name in LANGUAGES:
            self.language_box.addItem(name, code)
        stored = self._service.qsettings.value(LANGUAGE_KEY)
        index = self.language_box.findData(stored if isinstance(stored, str) else "")
        self.language_box.setCurrentIndex(max(index, 0))
        self.language_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.language_box.currentIndexChanged.connect(self._save_language)
        row = QHBoxLayout()
        row.addWidget(self.language_box)
        row.addStretch(1)
        layout.addLayout(row)
        self.language_message = _plain(
            translate("SettingsDialog", "The new language is used the next time SMM Desk "
                      "starts."), box)
        self.language_message.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(self.language_message)
        return box

    def _appearance_box(self, page: QWidget) -> QWidget:
        """System, light or dark: stored in the settings, shown at once."""
        box = QGroupBox(translate("SettingsDialog", "Appearance"), page)
        layout = QVBoxLayout(box)
        self.appearance_box = QComboBox(box)
        for mode, text in (("system", translate("SettingsDialog", "As the system")),
                           ("light", translate("SettingsDialog", "Light")),
                           ("dark", translate("SettingsDialog", "Dark"))):
            self.appearance_box.addItem(text, mode)
        stored = self._service.qsettings.value(theme.SETTING)
        index = self.appearance_box.findData(stored.strip().lower()
                                             if isinstance(stored, str) else "system")
        self.appearance_box.setCurrentIndex(max(index, 0))
        self.appearance_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.appearance_box.currentIndexChanged.connect(self._save_appearance)
        row = QHBoxLayout()
        row.addWidget(self.appearance_box)
        row.addStretch(1)
        layout.addLayout(row)
        live = theme.current() is not None
        self.appearance_message = _plain(
            translate("SettingsDialog", "Light or dark changes at once.") if live else
            translate("SettingsDialog", "The new appearance is used the next time SMM Desk "
                      "starts."), box)
        self.appearance_message.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(self.appearance_message)
        return box

    def _save_appearance(self, _index: int) -> None:
        mode = str(self.appearance_box.currentData() or "system")
        settings = self._service.qsettings
        settings.setValue(theme.SETTING, mode)
        settings.sync()
        look = theme.current()
        if look is not None:
            look.set_mode(mode)

    def _save_language(self, _index: int) -> None:
        settings = self._service.qsettings
        settings.setValue(LANGUAGE_KEY, str(self.language_box.currentData() or ""))
        settings.sync()

    def _sync_quiet_enabled(self) -> None:
        on = self.notify_enabled.isChecked()
        self.quiet_enabled.setEnabled(on)
        for edit in (self.quiet_start, self.quiet_end):
            edit.setEnabled(on and self.quiet_enabled.isChecked())

    def _save_notifications(self, *_args: object) -> None:
        self._sync_quiet_enabled()
        self._service.set_notification_prefs(NotificationPrefs(
            enabled=self.notify_enabled.isChecked(),
            quiet=QuietHours(self.quiet_enabled.isChecked(),
                             _pytime(self.quiet_start.time()), _pytime(self.quiet_end.time())),
        ))

    # -- shortcuts ---------------------------------------------------------------------
    def _shortcuts_tab(self) -> QWidget:
        page = QWidget(self)
        inner = QWidget(page)
        form = QFormLayout(inner)
        self.shortcut_edits: dict[str, QKeySequenceEdit] = {}
        departments = [d.name for d in self._service.departments()][:9]
        for action in ACTIONS:
            edit = QKeySequenceEdit(inner)
            edit.setMaximumSequenceLength(1)
            edit.setClearButtonEnabled(True)
            edit.setFixedWidth(180)
            edit.editingFinished.connect(lambda name=action.name: self._rebind(name))
            self.shortcut_edits[action.name] = edit
            label = action_label(action)
            if action.name.startswith("route_"):
                n = int(action.name.removeprefix("route_"))
                if n <= len(departments):
                    label = f"{label} ({departments[n - 1]})"
            form.addRow(_field(label, inner), edit)
        scroll = QScrollArea(page)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(inner)
        self.shortcut_message = _message_label(page)
        reset = QPushButton(translate("SettingsDialog", "Restore defaults"), page)
        reset.clicked.connect(self.bindings.reset)
        bottom = QHBoxLayout()
        bottom.addWidget(self.shortcut_message, 1)
        bottom.addWidget(reset)
        layout = QVBoxLayout(page)
        layout.addWidget(_plain(translate("SettingsDialog",
                                          "Click a field and press the new key. Keys do nothing "
                                          "while you type in a text field."), page))
        layout.addWidget(scroll, 1)
        layout.addLayout(bottom)
        self.reload_shortcuts()
        return page

    def reload_shortcuts(self) -> None:
        for name, sequence in self.bindings.all().items():
            edit = self.shortcut_edits[name]
            edit.blockSignals(True)
            edit.setKeySequence(sequence)
            edit.blockSignals(False)

    def _rebind(self, action: str) -> None:
        edit = self.shortcut_edits[action]
        sequence = edit.keySequence()
        if sequence.toString() == self.bindings.sequence(action).toString():
            return
        try:
            self.bindings.set(action, sequence)
        except BindingConflict as exc:
            _show(self.shortcut_message, str(exc), False)
            edit.blockSignals(True)
            edit.setKeySequence(self.bindings.sequence(action))
            edit.blockSignals(False)
            return
        label = next(action_label(a) for a in ACTIONS if a.name == action)
        key = (sequence.toString(QKeySequence.SequenceFormat.NativeText)
               or translate("SettingsDialog", "no key"))
        _show(self.shortcut_message,
              translate("SettingsDialog", "“{action}” is now {key}").format(action=label,
                                                                          key=key), True)


def _minutes(seconds: int) -> str:
    if seconds % 3600 == 0 and seconds >= 3600:
        hours = seconds // 3600
        return translate("SettingsDialog", "{hours} h").format(hours=hours)
    return translate("QueueModel", "{minutes} min").format(minutes=seconds // 60)
