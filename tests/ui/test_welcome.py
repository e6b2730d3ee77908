"""The first-run welcome: shown only while no account is connected; "Open the
demo workspace" hands over to the composition root; "Connect an account" opens
the connect dialog on the network picked in the guide and closes the welcome
once an account is connected; a guide for each of the ten networks; every
string translated; a screenshot."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from smm_desk.services.settings import SettingsService
from smm_desk.store.api import Store
from smm_desk.ui import network_guides
from smm_desk.ui.welcome import WelcomeScreen, welcome_if_first_run
from tests.support.memory_keyring import MemoryKeyring
from tests.ui.test_connect import (
    TOKEN,
    Marking,
    browser,
    make_service,
    marking,
    networks,
    service,
    shown_texts,
    world,
)

#: Fixtures shared with test_connect (a use here keeps ruff from calling the parameters
#: redefinitions).
_SHARED_FIXTURES = (browser, make_service, marking, networks, service, world)

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

SHOTS = Path("/tmp/shots")


@pytest.fixture
def parent(qtbot: QtBot) -> QWidget:
    window = QWidget()
    window.resize(1000, 700)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def open_welcome(qtbot: QtBot, service: SettingsService, parent: QWidget,
                 on_demo: Callable[[], object] = lambda: None) -> WelcomeScreen:
    screen = welcome_if_first_run(service, parent, on_demo)
    assert screen is not None
    qtbot.waitExposed(screen)
    return screen


def test_only_on_the_first_run(qtbot: QtBot, service: SettingsService, parent: QWidget) -> None:
    screen = open_welcome(qtbot, service, parent)
    assert screen.isVisible() and screen.parent() is parent
    screen.reject()
    service.connect_account("telegram", "@bot", TOKEN)
    assert welcome_if_first_run(service, parent, lambda: None) is None


def test_a_guide_for_each_of_the_ten_networks(qtbot: QtBot, service: SettingsService,
                                              parent: QWidget) -> None:
    screen = open_welcome(qtbot, service, parent)
    titles = [screen.network_list.item(r).text() for r in range(screen.network_list.count())]
    assert titles == ["Telegram", "VK", "Mastodon", "Facebook Pages", "Instagram", "X",
                      "YouTube", "Bluesky", "Reddit", "Email"]
    guides = {}
    for row in range(screen.network_list.count()):
        screen.network_list.setCurrentRow(row)
        guides[screen.chosen_network()] = screen.guide.text()
        assert screen.guide_title.text() == titles[row]
    assert set(guides) == set(network_guides.NETWORK_ORDER)
    assert len(set(guides.values())) == 10
    for text in guides.values():
        sentences = [s for s in text.replace("…", "").split(". ") if s.strip()]
        assert 2 <= len(sentences) <= 4, text
    assert "@BotFather" in guides["telegram"] and "/newbot" in guides["telegram"]
    assert "Manage → API usage" in guides["vk"]
    assert "App passwords" in guides["bluesky"]
    assert "Desktop app" in guides["youtube"] and "client id" in guides["x"]
    for label in screen.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText


def test_open_the_demo_hands_over(qtbot: QtBot, service: SettingsService,
                                  parent: QWidget) -> None:
    asked: list[bool] = []
    screen = open_welcome(qtbot, service, parent, lambda: asked.append(True))
    with qtbot.waitSignal(screen.finished):
        qtbot.mouseClick(screen.demo_button, Qt.MouseButton.LeftButton)
    assert asked == [True] and not screen.isVisible()


def test_connect_an_account_from_the_welcome(
        qtbot: QtBot, service: SettingsService, parent: QWidget, store: Store,
        memory_keyring: MemoryKeyring) -> None:
    screen = open_welcome(qtbot, service, parent)
    screen.choose_network("reddit")
    qtbot.mouseClick(screen.connect_button, Qt.MouseButton.LeftButton)
    dialog = screen.connect_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.form.network() == "reddit"  # the network picked in the guide
    assert "reddit.com/prefs/apps" in dialog.form.guide_label.text()
    dialog.form.choose_network("telegram")
    qtbot.keyClicks(dialog.form.name_edit, "@shop_bot")
    qtbot.keyClicks(dialog.form.token_edit, TOKEN)
    with qtbot.waitSignal(screen.account_connected) as connected:
        qtbot.mouseClick(dialog.form.connect_button, Qt.MouseButton.LeftButton)
    [account] = store.accounts()
    assert connected.args[0] == account
    assert not screen.isVisible()
    assert memory_keyring.get_password("smm-desk", f"account:{account.id}") == TOKEN


def test_not_now_and_a_network_without_a_connector(
        qtbot: QtBot, service: SettingsService, parent: QWidget) -> None:
    screen = open_welcome(qtbot, service, parent)
    screen.choose_network("youtube")  # no connector in this test's service
    dialog = screen.open_connect()
    assert dialog.form.network() == "telegram"  # the first the service offers
    dialog.reject()
    qtbot.waitUntil(lambda: screen.connect_dialog is None)
    with qtbot.waitSignal(screen.rejected):
        qtbot.mouseClick(screen.later_button, Qt.MouseButton.LeftButton)


def test_every_string_of_the_welcome_is_translated(
        qtbot: QtBot, marking: Marking, service: SettingsService, parent: QWidget) -> None:
    screen = open_welcome(qtbot, service, parent)
    texts = shown_texts(screen) + [screen.windowTitle()]
    texts += [screen.network_list.item(r).text() for r in range(screen.network_list.count())]
    assert [t for t in texts if not t.startswith("«")] == []


def test_screenshot_of_the_welcome(qtbot: QtBot, service: SettingsService,
                                   parent: QWidget) -> None:
    screen = open_welcome(qtbot, service, parent)
    screen.choose_network("vk")
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert screen.grab().save(str(SHOTS / "welcome.png"))
