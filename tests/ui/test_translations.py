"""Translations: the .ts sources are complete and match the code, and the
compiled catalogues really change what the widgets say.

* ru and vi: no unfinished or empty translation, the right number of plural
  forms, the same ``{placeholders}`` (and ``%n``) as the English source.
* Every string the code hands to ``translate``/``QT_TRANSLATE_NOOP``/``tr`` is
  in every .ts file (read with Python's parser, and cross-checked with
  ``pyside6-lupdate``); no f-string is ever handed to the translator.
* Compiled into a temporary directory and installed, Russian and Vietnamese
  show in the main window, the sidebar, the queue's headers, the status bar,
  the settings dialog and Qt's own buttons; plurals take the right form.
* The language follows ``SMM_DESK_LANG``, then the stored choice, then the system.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from smm_desk.app import i18n
from smm_desk.app.i18n import (
    PLURAL_FORMS,
    TS_DIR,
    Message,
    compile_translations,
    extract,
    install_translations,
    read_ts,
    uninstall_translations,
)
from smm_desk.domain.reply_window import reply_window
from smm_desk.services.queue import QueueService
from smm_desk.services.settings import SettingsService
from smm_desk.store.api import Store
from smm_desk.ui.i18n import LANGUAGE_KEY, plural, reply_window_note, translate
from smm_desk.ui.main_window import MainWindow
from smm_desk.ui.queue_model import Column
from smm_desk.ui.settings_dialog import SettingsDialog
from smm_desk.ui.status import OfflineBanner
from tests.conftest import FakeClock
from tests.support.factories import inbound

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("This plugin does not support"),  # offscreen: raise(), hints
]

TRANSLATED = ("ru", "vi")
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}|%n")


def _ts(code: str) -> Path:
    return TS_DIR / f"smm_desk_{code}.ts"


# -- the sources ------------------------------------------------------------------------


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_string_is_translated(code: str) -> None:
    entries = read_ts(_ts(code))
    assert entries
    problems = []
    for message, entry in entries.items():
        where = f"{message.context}: {message.source!r}"
        if not entry.finished:
            problems.append(f"unfinished {where}")
        if any(not form.strip() for form in entry.forms):
            problems.append(f"empty {where}")
        wanted = PLURAL_FORMS[code] if message.numerus else 1
        if len(entry.forms) != wanted:
            problems.append(f"{len(entry.forms)} forms (want {wanted}) {where}")
        placeholders = sorted(set(_PLACEHOLDER.findall(message.source)))
        for form in entry.forms:
            if sorted(set(_PLACEHOLDER.findall(form))) != placeholders:
                problems.append(f"placeholders {placeholders} not kept in {form!r} ({where})")
    assert not problems, "\n".join(problems)


def test_no_unfinished_marker_in_translated_files() -> None:
    for code in TRANSLATED:
        assert 'type="unfinished"' not in _ts(code).read_text(encoding="utf-8"), code


@pytest.fixture(scope="module")
def code_messages() -> list[Message]:
    messages, problems = extract()
    assert not problems, problems  # an f-string handed to translate() can never match
    return messages


@pytest.mark.parametrize("code", ["en", *TRANSLATED])
def test_every_string_in_the_code_is_in_the_ts(code: str, code_messages: list[Message]) -> None:
    entries = read_ts(_ts(code))
    missing = [f"{m.context}: {m.source!r}" for m in code_messages if m not in entries]
    assert not missing, (f"not in {_ts(code).name} (run `python -m smm_desk.app.i18n "
                         "--update` and translate them):\n" + "\n".join(missing))


def test_plural_sources_are_plural_messages(code_messages: list[Message]) -> None:
    entries = read_ts(_ts("ru"))
    counted = [m for m in code_messages if m.numerus]
    assert counted
    assert all(len(entries[m].forms) == 3 for m in counted)


def test_lupdate_finds_nothing_the_ts_lacks(tmp_path: Path) -> None:
    """Qt's own extractor as a second opinion (it misses some calls, never adds)."""
    out = tmp_path / "lupdate.ts"
    subprocess.run([*i18n._tool("lupdate"), "-silent", "-extensions", "py", "-locations",
                    "none", str(i18n.PACKAGE), "-ts", str(out)], check=True, timeout=90)
    found = {(m.context, m.source) for m in read_ts(out)}
    assert len(found) > 100
    ours = {(m.context, m.source) for m in read_ts(_ts("ru"))}
    # Strings without a context are `self.tr` outside a class: none of ours.
    missing = sorted((c, s) for c, s in found - ours if c)
    assert not missing, missing


def test_english_plural_marks_never_show() -> None:
    assert plural("%n open case(s)".replace("%n", "1"), 1) == "1 open case"
    assert plural("3 repl(y|ies) (waits|wait)", 3) == "3 replies wait"
    assert plural("1 repl(y|ies) (waits|wait)", 1) == "1 reply waits"
    assert plural("Открыто (всего)", 2) == "Открыто (всего)"  # no marks: untouched


def test_reply_window_notes_are_all_known() -> None:
    """Every sentence the domain can say about a reply window has a translation
    template (a reworded note would otherwise stay English)."""
    from datetime import UTC, datetime

    from smm_desk.domain import reply_window as domain

    now = datetime(2025, 3, 1, 12, tzinfo=UTC)
    networks = {*domain.WINDOWED, *getattr(domain, "SUMMON_ONLY", {})}
    names = {*domain.WINDOWED.values(), *getattr(domain, "SUMMON_ONLY", {}).values()}
    notes = set()
    for network in networks:
        for kind in ("dm", "comment"):
            for last in (None, now - timedelta(hours=1), now - timedelta(days=2),
                         now - timedelta(days=9)):
                notes.add(reply_window(network, kind, last, now).note)
    notes.discard("")
    assert len(notes) >= 8
    templates = [m.source for m in read_ts(_ts("ru")) if m.context == "ReplyWindow"]
    for note in notes:
        assert any(t.format(name=n) == note for t in templates for n in names), note
        assert reply_window_note(note) == note  # no catalogue loaded: English


# -- compiled and shown -------------------------------------------------------------------


@pytest.fixture(scope="module")
def qm_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("qm")
    written = compile_translations(TS_DIR, out)
    names = {p.name for p in written}
    assert {"smm_desk_en.qm", "smm_desk_ru.qm", "smm_desk_vi.qm", "qtbase_vi.qm"} <= names
    return out


@pytest.fixture
def language(qapp: QApplication, qm_dir: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    code = install_translations(qapp, language=request.param, qm_dir=qm_dir)
    yield code
    uninstall_translations(qapp)


def _window(qtbot: QtBot, store: Store, clock: FakeClock, tmp_path: Path) -> MainWindow:
    account = store.add_account("telegram", "@shop_bot").id
    for i in range(3):
        store.ingest(account, "u", [inbound(f"m{i}", clock.now - timedelta(minutes=i),
                                            text=f"question {i}", thread=f"dm:{i}",
                                            author=f"c{i}")], cursor=None)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(QueueService(store, agent="kim"), "Test", agent="kim",
                        settings=settings,
                        settings_service=SettingsService(store, settings))
    qtbot.addWidget(window)
    return window


@pytest.mark.parametrize("language", ["ru"], indirect=True)
def test_russian_main_window(language: str, qtbot: QtBot, store: Store, clock: FakeClock,
                             tmp_path: Path) -> None:
    assert language == "ru"
    window = _window(qtbot, store, clock, tmp_path)
    assert window.status_text() == "3 открытых обращения"
    assert window.search_box.placeholderText() == "Поиск по сообщениям  ( / )"
    assert window.desk_menu.title() == "&Файл"
    assert window.sidebar.label("open") == "Все открытые"
    assert window.sidebar.label("breaching") == "Скоро просрочка"
    header = window.model.headerData(Column.CUSTOMER, Qt.Orientation.Horizontal)
    assert header == "Клиент"
    assert "Исходящих нет" in window.sync_text()
    # plural forms: one, few, many
    forms = [plural(translate("MainWindow", "%n open case(s)", None, n), n) for n in (1, 3, 5, 21)]
    assert forms == ["1 открытое обращение", "3 открытых обращения", "5 открытых обращений",
                     "21 открытое обращение"]
    banner = OfflineBanner()
    banner.set_outbox(2)
    assert banner.text().startswith("Нет связи")
    assert "2 ответа ждут в исходящих" in banner.text()


@pytest.mark.parametrize("language", ["vi"], indirect=True)
def test_vietnamese_settings_and_qt_buttons(language: str, qtbot: QtBot, store: Store,
                                            clock: FakeClock, tmp_path: Path) -> None:
    window = _window(qtbot, store, clock, tmp_path)
    assert window.status_text() == "3 yêu cầu đang mở"
    assert window.sidebar.label("unassigned") == "Chưa giao"
    dialog = window.open_settings()
    assert isinstance(dialog, SettingsDialog)
    assert dialog.windowTitle() == "Cài đặt"
    assert dialog.tab_titles()[:2] == ["Tài khoản", "Bộ phận"]
    # The status bar's "Reconnect" opens the Accounts tab by its translated title.
    assert window.open_settings(translate("SettingsDialog", "Accounts")) is dialog
    assert dialog.tabs.currentIndex() == 0
    # Qt's own standard buttons come from our qtbase_vi (Qt ships no Vietnamese).
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    close = buttons.button(QDialogButtonBox.StandardButton.Close)
    assert close is not None and close.text() == "Đóng"
    assert QLocale().language() == QLocale.Language.Vietnamese
    dialog.reject()


@pytest.mark.parametrize("language", ["ru"], indirect=True)
def test_russian_qt_buttons_come_from_qt(language: str) -> None:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    button = box.button(QDialogButtonBox.StandardButton.Cancel)
    assert button is not None and button.text() == "Отмена"


def test_untranslated_again_after_uninstall(qapp: QApplication, qm_dir: Path) -> None:
    install_translations(qapp, language="ru", qm_dir=qm_dir)
    assert translate("QueueService", "All open") == "Все открытые"
    uninstall_translations(qapp)
    assert translate("QueueService", "All open") == "All open"


def test_the_language_choice_is_stored(qtbot: QtBot, store: Store, tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    dialog = SettingsDialog(SettingsService(store, settings))
    qtbot.addWidget(dialog)
    assert dialog.language_box.currentData() == ""  # as the system, until chosen
    dialog.language_box.setCurrentIndex(dialog.language_box.findData("vi"))
    assert settings.value(LANGUAGE_KEY) == "vi"
    assert "next time" in dialog.language_message.text()
    again = SettingsDialog(SettingsService(store, settings))
    qtbot.addWidget(again)
    assert again.language_box.currentData() == "vi"


def test_which_language(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    monkeypatch.delenv(i18n.ENV, raising=False)
    monkeypatch.setattr(i18n, "system_language", lambda: "en")
    assert i18n.chosen_language(settings) == "en"
    settings.setValue(LANGUAGE_KEY, "ru")
    assert i18n.chosen_language(settings) == "ru"
    monkeypatch.setenv(i18n.ENV, "vi_VN")
    assert i18n.chosen_language(settings) == "vi"
    monkeypatch.setenv(i18n.ENV, "klingon")
    settings.setValue(LANGUAGE_KEY, "xx")
    assert i18n.chosen_language(settings) == "en"
