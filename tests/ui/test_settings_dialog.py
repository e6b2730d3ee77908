"""The settings dialog, tab by tab, over a real SQLite store, the in-memory
keyring and the in-process simulator. A planted token must never show in a
widget, a log line or the database file. Also renders each tab to a PNG."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import time
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTime
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QTableWidget
from pytestqt.qtbot import QtBot

from smm_desk import secrets
from smm_desk.domain.quiet_hours import QuietHours
from smm_desk.domain.records import AccountStatus
from smm_desk.services.settings import NotificationPrefs, SettingsService
from smm_desk.sim.telegram import TelegramSim
from smm_desk.sim.transport import SimTransport
from smm_desk.sim.world import SimWorld
from smm_desk.store.api import Store
from smm_desk.sync.engine import default_factory
from smm_desk.ui import theme
from smm_desk.ui.settings_dialog import SettingsDialog
from smm_desk.ui.triage import ShortcutBindings

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

TOKEN = "555:PLANTED-secret-token-abc"


@pytest.fixture
def world() -> SimWorld:
    w = SimWorld(max_poll_wait=0.2)
    tg = TelegramSim(w)
    w.add(tg)
    tg.add_account(TOKEN, "shop_bot")
    return w


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def service(store: Store, settings: QSettings, world: SimWorld) -> SettingsService:
    return SettingsService(store, settings, factory=default_factory(transport=SimTransport(world)))


@pytest.fixture
def dialog(qtbot: QtBot, service: SettingsService) -> SettingsDialog:
    d = SettingsDialog(service)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    return d


def every_text(dialog: SettingsDialog) -> str:
    texts = [label.text() for label in dialog.findChildren(QLabel)]
    for table in dialog.findChildren(QTableWidget):
        texts += [table.item(r, c).text() for r in range(table.rowCount())
                  for c in range(table.columnCount()) if table.item(r, c) is not None]
    texts += [edit.displayText() for edit in dialog.findChildren(QLineEdit)]  # as shown
    return "\n".join(texts)


def save_tabs(dialog: SettingsDialog, prefix: str) -> None:
    for i, title in enumerate(dialog.tab_titles()):
        dialog.tabs.setCurrentIndex(i)
        dialog.grab().save(f"/tmp/{prefix}_{title.lower()}.png")
    dialog.tabs.setCurrentIndex(0)


def test_tabs_and_plain_labels(dialog: SettingsDialog, store: Store) -> None:
    templates = ["Templates"] if hasattr(store, "templates") else []
    assert dialog.tab_titles() == ["Accounts", "Departments", *templates, "Notifications",
                                   "Shortcuts"]
    for label in dialog.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText


def test_connect_test_and_pause_an_account_without_leaking_the_token(
    qtbot: QtBot, dialog: SettingsDialog, store: Store, tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="smm_desk")  # the CLI may have raised it
    dialog.network_box.setCurrentIndex(dialog.network_box.findData("telegram"))
    qtbot.keyClicks(dialog.name_edit, "@shop_bot")
    qtbot.keyClicks(dialog.base_url_edit, "http://sim.invalid")
    qtbot.keyClicks(dialog.token_edit, TOKEN)
    assert dialog.token_edit.echoMode() == QLineEdit.EchoMode.Password
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    [account] = store.accounts()
    assert (account.network, account.name, account.base_url) == (
        "telegram", "@shop_bot", "http://sim.invalid")
    assert secrets.get_token(account.id) == TOKEN
    assert dialog.token_edit.text() == ""
    assert dialog.connect_message.text() == "Connected @shop_bot; test it above"
    assert dialog.accounts_table.item(0, 1).text() == "@shop_bot"
    assert dialog.accounts_table.item(0, 3).text() == "Connected"
    assert dialog.selected_account_id() == account.id

    with qtbot.waitSignal(dialog._service.connection_tested):
        qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert dialog.account_message.text() == (
        "✓ @shop_bot: Connected: 0 new items waiting on updates")

    # A revoked token: one line, no token.
    secrets.set_token(account.id, TOKEN + "-old")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert dialog.account_message.text().startswith("✗ @shop_bot: Authentication failed")

    qtbot.mouseClick(dialog.pause_button, Qt.MouseButton.LeftButton)
    assert store.account(account.id).status == AccountStatus.PAUSED
    assert dialog.accounts_table.item(0, 3).text() == "Paused"
    assert dialog.pause_button.text() == "Resume"
    save_tabs(dialog, "settings")
    qtbot.mouseClick(dialog.pause_button, Qt.MouseButton.LeftButton)
    assert store.account(account.id).status == AccountStatus.OK

    shown = every_text(dialog)
    assert "PLANTED" not in shown and TOKEN not in shown
    # Our own loggers never carry it. (httpx's INFO request line does: see the report.)
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("smm_desk")]
    assert ours and not any("PLANTED" in line for line in ours)
    for path in tmp_path.iterdir():
        assert b"PLANTED" not in path.read_bytes(), path


def test_connect_refusals_are_shown_and_keep_the_fields(
    qtbot: QtBot, dialog: SettingsDialog, store: Store,
) -> None:
    qtbot.keyClicks(dialog.name_edit, "@bot")
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    assert dialog.connect_message.text() == "paste the account's token"
    qtbot.keyClicks(dialog.token_edit, TOKEN)
    dialog.options_edit.setPlainText("group_id")
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    assert dialog.connect_message.text() == "option line 1: write it as key=value"
    assert dialog.name_edit.text() == "@bot"
    assert store.accounts() == []
    assert "PLANTED" not in every_text(dialog)


def test_departments_tab_lists_targets_and_adds_one(
    qtbot: QtBot, dialog: SettingsDialog, store: Store,
) -> None:
    table = dialog.departments_table
    names = [table.item(r, 1).text() for r in range(table.rowCount())]
    assert names == [d.name for d in store.departments()]
    assert table.item(0, 0).text() == "1"
    qtbot.keyClicks(dialog.department_name, "Returns")
    dialog.own_target.setChecked(True)
    dialog.target_minutes.setValue(90)
    qtbot.mouseClick(dialog.add_department_button, Qt.MouseButton.LeftButton)
    assert store.departments()[-1].name == "Returns"
    assert store.departments()[-1].first_response_s == 90 * 60
    last = table.rowCount() - 1
    assert (table.item(last, 1).text(), table.item(last, 2).text()) == ("Returns", "90 min")
    qtbot.keyClicks(dialog.department_name, "returns")
    qtbot.mouseClick(dialog.add_department_button, Qt.MouseButton.LeftButton)
    assert dialog.department_message.text() == "there is already a department called returns"


def test_notifications_tab_saves_as_it_changes(
    dialog: SettingsDialog, service: SettingsService,
) -> None:
    assert dialog.notify_enabled.isChecked()
    assert not dialog.quiet_start.isEnabled()
    dialog.quiet_enabled.setChecked(True)
    assert dialog.quiet_start.isEnabled()
    dialog.quiet_start.setTime(QTime(23, 15))
    dialog.quiet_end.setTime(QTime(6, 30))
    assert service.notification_prefs() == NotificationPrefs(
        True, QuietHours(True, time(23, 15), time(6, 30)))
    dialog.notify_enabled.setChecked(False)
    assert not service.notification_prefs().enabled
    assert not dialog.quiet_enabled.isEnabled()


def test_shortcuts_tab_rebinds_and_refuses_conflicts(
    qtbot: QtBot, dialog: SettingsDialog, settings: QSettings,
) -> None:
    edits = dialog.shortcut_edits
    assert edits["next"].keySequence().toString() == "J"
    assert edits["back"].keySequence().toString() == "Esc"
    edits["next"].setKeySequence(QKeySequence("N"))
    edits["next"].editingFinished.emit()
    assert settings.value("shortcuts/next") == "N"
    assert dialog.shortcut_message.text() == "“Next case” is now N"

    edits["spam"].setKeySequence(QKeySequence("N"))
    edits["spam"].editingFinished.emit()
    assert dialog.shortcut_message.text() == (
        "N is already bound to “Next case”. Choose another key, or rebind that action first.")
    assert edits["spam"].keySequence().toString() == "S"
    assert settings.value("shortcuts/spam") is None

    # Typing the key into the editor the way a person does.
    edits["assign"].setFocus()
    edits["assign"].clear()
    qtbot.keyClick(edits["assign"], Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    edits["assign"].editingFinished.emit()
    assert ShortcutBindings(settings).sequence("assign").toString() == "Ctrl+M"

    dialog.bindings.reset()
    assert edits["next"].keySequence().toString() == "J"


class Template:
    def __init__(self, name: str, body: str) -> None:
        self.name, self.body = name, body


class StoreView:
    """The real store, with templates replaced or hidden."""

    def __init__(self, inner: Store, templates: list[Template] | None) -> None:
        self._inner, self._templates = inner, templates

    def __getattr__(self, name: str) -> object:
        if name == "templates":
            if self._templates is None:
                raise AttributeError(name)
            return lambda: self._templates
        return getattr(self._inner, name)


def test_templates_tab_only_when_the_store_has_templates(
    qtbot: QtBot, store: Store, settings: QSettings,
) -> None:
    templates = [Template("Thanks", "Thank you, {customer}!\n<b>We</b> are on it.")]
    with_templates = SettingsDialog(SettingsService(StoreView(store, templates), settings))  # type: ignore[arg-type]
    qtbot.addWidget(with_templates)
    assert "Templates" in with_templates.tab_titles()
    assert with_templates.templates_list.item(0).text() == (
        "Thanks — Thank you, {customer}! <b>We</b> are on it.")
    without = SettingsDialog(SettingsService(StoreView(store, None), settings))  # type: ignore[arg-type]
    qtbot.addWidget(without)
    assert "Templates" not in without.tab_titles()


@pytest.fixture
def installed_theme(qapp: QApplication, monkeypatch: pytest.MonkeyPatch) -> Iterator[theme.Theme]:
    """A running Theme in light mode; the app's palette and style are put back after."""
    monkeypatch.delenv(theme.ENV, raising=False)
    palette, style = QApplication.palette(), qapp.style().name()
    look = theme.install(qapp, None)
    look.set_mode("light")
    yield look
    look.setParent(None)
    look.deleteLater()
    qapp.setStyle(style)
    qapp.setPalette(palette)


def test_appearance_is_stored_and_applied_at_once(
    qtbot: QtBot, service: SettingsService, settings: QSettings, installed_theme: theme.Theme,
) -> None:
    settings.setValue(theme.SETTING, "light")
    dialog = SettingsDialog(service)
    qtbot.addWidget(dialog)
    dialog.show_tab("Notifications")
    dialog.show()
    qtbot.waitExposed(dialog)
    box = dialog.appearance_box
    assert [box.itemText(i) for i in range(box.count())] == ["As the system", "Light", "Dark"]
    assert box.currentData() == "light" and not theme.is_dark()
    assert dialog.appearance_message.text() == "Light or dark changes at once."
    # Next to the language, on the same row.
    assert abs(box.mapTo(dialog, box.rect().topLeft()).y()
               - dialog.language_box.mapTo(dialog, dialog.language_box.rect().topLeft()).y()) < 4
    dialog.grab().save("/tmp/settings_appearance_light.png")
    with qtbot.waitSignal(installed_theme.changed):
        box.setCurrentIndex(box.findData("dark"))
    assert settings.value(theme.SETTING) == "dark"
    assert installed_theme.mode == "dark" and theme.is_dark()
    assert theme.requested_mode(QSettings(settings.fileName(), QSettings.Format.IniFormat)) \
        == "dark"  # what the next start reads
    QApplication.processEvents()
    dialog.grab().save("/tmp/settings_appearance_dark.png")
    box.setCurrentIndex(box.findData("system"))
    assert settings.value(theme.SETTING) == "system" and installed_theme.mode == "system"
    assert not theme.is_dark()  # offscreen: the system's scheme is unknown, i.e. light


def test_without_a_running_theme_the_appearance_waits_for_the_next_start(
    qtbot: QtBot, service: SettingsService, settings: QSettings, qapp: QApplication,
) -> None:
    assert theme.current() is None
    dialog = SettingsDialog(service)
    qtbot.addWidget(dialog)
    assert dialog.appearance_box.currentData() == "system"
    assert "next time" in dialog.appearance_message.text()
    dialog.appearance_box.setCurrentIndex(dialog.appearance_box.findData("dark"))
    assert settings.value(theme.SETTING) == "dark" and not theme.is_dark()
