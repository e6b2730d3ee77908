"""The main window over a real SQLite store: views and their live counts, the
search box, keeping the selection and the scroll position when cases arrive,
the keyboard host's moves, the network state, and what it remembers between runs
(in a throwaway QSettings file, never the user's)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from itertools import count
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from smm_desk.domain.views import AccountView
from smm_desk.services.queue import QueueService
from smm_desk.services.settings import SettingsService
from smm_desk.services.sync import SyncService
from smm_desk.store.api import Store
from smm_desk.ui.main_window import MainWindow
from tests.conftest import FakeClock
from tests.support.factories import inbound
from tests.support.qt_loop import qt_loop  # noqa: F401

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

_numbers = count()


@pytest.fixture
def account_id(store: Store) -> int:
    return store.add_account("telegram", "@shop_bot").id


@pytest.fixture
def service(store: Store) -> QueueService:
    return QueueService(store, agent="kim")


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path / "settings.ini"


def settings_at(path: Path) -> QSettings:
    return QSettings(str(path), QSettings.Format.IniFormat)


def add_cases(store: Store, account_id: int, clock: FakeClock, minutes_ago: list[float],
              texts: list[str] | None = None) -> list[int]:
    """One DM case per entry; returns their ids in the given order."""
    first = next(_numbers)
    ids = []
    for i, minutes in enumerate(minutes_ago):
        result = store.ingest(account_id, "u", [
            inbound(f"w{first}-{i}", clock.now - timedelta(minutes=minutes),
                    text=texts[i] if texts else f"question {i}", thread=f"dm:w{first}-{i}",
                    author=f"C{first}-{i}"),
        ], cursor=None)
        ids.append(result.touched_case_ids[0])
    return ids


def make_window(qtbot: QtBot, service: QueueService, settings: QSettings | None = None,
                **kwargs: object) -> MainWindow:
    window = MainWindow(service, "Test", agent="kim", settings=settings, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    if settings is None or settings.value("window/geometry") is None:
        window.resize(1280, 800)
    return window


def shown_ids(window: MainWindow) -> list[int]:
    return window.model.ids()


def test_views_switch_and_counts_follow_changes(
    qtbot: QtBot, store: Store, account_id: int, clock: FakeClock, service: QueueService,
    settings_path: Path,
) -> None:
    ids = add_cases(store, account_id, clock, [12, 7, 3, 1])
    window = make_window(qtbot, service, settings_at(settings_path))
    bar = window.sidebar
    assert bar.keys()[:5] == ["open", "mine", "unassigned", "breaching", "waiting_department"]
    assert {"network:telegram", "resolved", "spam"} <= set(bar.keys())
    billing = next(d.id for d in store.departments() if d.name == "Billing")
    assert f"department:{billing}" in bar.keys()
    assert (bar.count("open"), bar.count("mine"), bar.count("breaching")) == (4, 0, 2)
    assert window.status_text() == "4 open cases"

    service.assign(ids[2], "kim", "kim")
    service.route(ids[0], "Billing", "kim")
    assert (bar.count("mine"), bar.count("unassigned")) == (1, 3)
    assert bar.count(f"department:{billing}") == 1

    bar.select_view("mine")
    assert window.view() == "mine" and shown_ids(window) == [ids[2]]
    assert window.status_text() == "1 case in Mine"
    bar.select_view("breaching")
    assert shown_ids(window) == [ids[0], ids[1]]  # breached, then due in 3 min
    window.set_view(f"department:{billing}")
    assert bar.current_view() == f"department:{billing}"
    assert shown_ids(window) == [ids[0]]
    service.resolve(ids[0], "kim")
    assert shown_ids(window) == [] and bar.count("resolved") == 1
    bar.select_view("resolved")
    assert shown_ids(window) == [ids[0]]


def test_search_narrows_the_view_in_urgency_order(
    qtbot: QtBot, store: Store, account_id: int, clock: FakeClock, service: QueueService,
) -> None:
    ids = add_cases(store, account_id, clock, [1, 9, 5],
                    ["refund please", "where is my refund", "hello"])
    window = make_window(qtbot, service)
    window.search_box.setText("refu")  # as you type, after a short pause
    qtbot.waitUntil(lambda: shown_ids(window) == [ids[1], ids[0]], timeout=2000)
    assert window.status_text() == "2 cases in All open matching “refu”"
    window.set_view("mine")
    assert shown_ids(window) == []
    window.set_view("open")
    window.set_search("")
    assert shown_ids(window) == [ids[1], ids[2], ids[0]]


def test_a_new_case_keeps_the_selection_and_the_scroll_position(
    qtbot: QtBot, store: Store, account_id: int, clock: FakeClock, service: QueueService,
) -> None:
    add_cases(store, account_id, clock, [i / 10 for i in range(100)])
    window = make_window(qtbot, service)
    window.show()
    qtbot.waitExposed(window)
    table = window.table
    table.scrollToBottom()
    qtbot.waitUntil(lambda: table.verticalScrollBar().value() > 0)
    top = window.model.case_id(table.rowAt(0))
    selected = window.model.case_id(table.rowAt(0) + 2)
    table.selectRow(window.model.row_of(selected))  # type: ignore[arg-type]
    assert window.current_case_id() == selected

    new = add_cases(store, account_id, clock, [30, 29])  # the most urgent: row 0 and 1
    window.refresh()  # what the sync service's ``activity`` triggers
    assert shown_ids(window)[:2] == new
    assert window.selected_case_ids() == [selected]
    assert window.model.case_id(table.rowAt(0)) == top
    assert window.current_case_id() == selected
    assert window.sidebar.count("open") == 102


def test_keyboard_host_moves_and_opens_the_next_case(
    qtbot: QtBot, store: Store, account_id: int, clock: FakeClock, service: QueueService,
) -> None:
    ids = add_cases(store, account_id, clock, [9, 7, 5, 3])
    window = make_window(qtbot, service)
    window.select_next()
    assert window.current_case_id() == ids[0]
    window.select_next()
    window.select_next()
    window.select_previous()
    assert window.current_case_id() == ids[1]
    assert window.selected_case_ids() == [ids[1]]
    service.resolve(ids[1], "kim")  # it leaves the queue ...
    window.open_next_after(ids[1])  # ... and the one after it opens
    assert window.current_case_id() == ids[2]
    window.open_next_after(ids[3])  # the last one: stays
    window.table.selectAll()
    assert window.selected_case_ids() == [ids[0], ids[2], ids[3]]
    assert window.departments()[:2] == ["Support", "Billing"]
    window.focus_search()
    assert window.search_box.hasFocus() or not window.isVisible()


def test_geometry_splitter_columns_and_view_are_remembered(
    qtbot: QtBot, store: Store, account_id: int, clock: FakeClock, service: QueueService,
    settings_path: Path,
) -> None:
    add_cases(store, account_id, clock, [3])
    first = make_window(qtbot, service, settings_at(settings_path))
    first.show()
    qtbot.waitExposed(first)
    # Within the offscreen screen (800×600): restoreGeometry keeps windows on screen.
    first.resize(760, 560)
    first.splitter.setSizes([180, 330, 230])
    sizes = first.splitter.sizes()
    first.sidebar.select_view("unassigned")
    first.close()
    assert settings_at(settings_path).value("window/view") == "unassigned"

    second = make_window(qtbot, service, settings_at(settings_path))
    second.show()
    qtbot.waitExposed(second)
    assert second.view() == "unassigned"
    assert second.sidebar.current_view() == "unassigned"
    assert second.splitter.sizes() == sizes
    assert (second.width(), second.height()) == (760, 560)


def test_network_state_in_the_status_bar_and_the_offline_banner(
    qtbot: QtBot, store: Store, account_id: int, service: QueueService,
) -> None:
    sync = SyncService(store)
    fixed: list[int] = []
    try:
        window = make_window(qtbot, service, sync=sync, fix_account=fixed.append)
        window.show()
        qtbot.waitExposed(window)
        assert window.banner.isHidden()
        account = store.account(account_id)
        limited = AccountView(**{**account.__dict__, "status": "rate_limited",
                                 "retry_at": store.clock() + timedelta(seconds=75)})
        sync.accounts_changed.emit([limited])
        assert "Telegram @shop_bot: rate-limited 1:15" in window.sync_text()
        needs = AccountView(**{**account.__dict__, "status": "needs_auth",
                               "status_detail": "<b>token revoked</b>"})
        sync.accounts_changed.emit([needs])
        chip = window.sync_status.chips[0]
        assert "needs sign-in" in window.sync_text() and chip.button.isVisible()
        chip.button.click()
        assert fixed == [account_id]
        sync.engine.unreachable.add(account_id)
        sync.accounts_changed.emit([AccountView(**{**account.__dict__, "status": "error"})])
        assert "Telegram @shop_bot: offline" in window.sync_text()
        sync.outbox_changed.emit(2)
        sync.online_changed.emit(False)
        assert window.banner.isVisible()
        assert "2 replies wait in the outbox" in window.banner.text()
        assert "Outbox: 2 replies waiting" in window.sync_text()
        sync.online_changed.emit(True)
        assert window.banner.isHidden()
    finally:
        sync.db.close()


# Raising the open dialog again: a no-op the offscreen platform warns about.
@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints",
                           "This plugin does not support raise")
def test_desk_and_tools_menus(
    qtbot: QtBot, store: Store, account_id: int, service: QueueService, settings_path: Path,
) -> None:
    settings = settings_at(settings_path)
    window = make_window(qtbot, service, settings,
                         settings_service=SettingsService(store, settings))
    window.show()
    qtbot.waitExposed(window)
    assert [a.text() for a in window.menuBar().actions()] == ["&Desk", "&Tools"]
    # Tools stays out of sight until the lead's tools add themselves.
    assert not window.tools_menu.menuAction().isVisible()
    opened: list[str] = []
    action = window.add_tool("Rules…", "Ctrl+Shift+R", lambda: opened.append("rules"))
    assert window.tools_menu.menuAction().isVisible()
    assert action.shortcut().toString() == "Ctrl+Shift+R"
    action.trigger()
    assert opened == ["rules"]

    # Desk → Settings… (Ctrl+,) opens the dialog with the window's shortcut bindings.
    assert window.settings_action.shortcut().toString() == "Ctrl+,"
    window.settings_action.trigger()
    dialog = window.settings_dialog()
    assert dialog is not None and dialog.isVisible()
    assert dialog.bindings is window.triage.bindings
    assert "Accounts" in dialog.tab_titles() and "Shortcuts" in dialog.tab_titles()
    dialog.show_tab("Notifications")
    window.fix_account(account_id)  # the status bar's button: the same dialog, on the account
    assert window.settings_dialog() is dialog
    assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "Accounts"
    assert dialog.selected_account_id() == account_id
    dialog.reject()
    assert window.settings_dialog() is None


def test_without_a_settings_service_the_action_is_off(
    qtbot: QtBot, service: QueueService,
) -> None:
    window = make_window(qtbot, service)
    assert not window.settings_action.isEnabled()
    assert window.open_settings() is None


def test_sync_activity_reads_the_queue_off_the_ui_thread_once_per_burst(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop,  # noqa: F811
    store: Store, account_id: int, clock: FakeClock,
    service: QueueService,
) -> None:
    import threading

    window = make_window(qtbot, service)
    add_cases(store, account_id, clock, [3, 1])
    threads: list[str] = []
    real = service.snapshot

    def spy(view: str, with_ids: bool = True) -> object:
        threads.append(threading.current_thread().name)
        return real(view, with_ids)

    service.snapshot = spy  # type: ignore[method-assign]
    for _ in range(5):  # a burst of activity before the reader starts: one read
        window.request_refresh()
    qtbot.waitUntil(lambda: window._refresh_task is None and len(shown_ids(window)) == 2,
                    timeout=5_000)
    assert len(threads) == 1
    assert all(name.startswith("smm-desk-read") for name in threads)
    assert window.sidebar.count("open") == 2
    service.close()
