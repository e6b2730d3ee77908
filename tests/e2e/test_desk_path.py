"""The whole desk path, in one process: the in-process simulator, the real
connectors and sync engine on the qasync loop, and the real window built by the
composition root (``build_desk``) over a throwaway data directory and QSettings.

* A comment arrives in the simulator → it shows in the queue, in the right
  views, with its countdown → ``3`` routes it to the third department (the
  store and the case's log say so) → ``r``, typing, Ctrl+Enter → the simulator
  records the delivery → the reply log has it with its response time, SLA met.
* Offline: the cable is pulled, the window says offline, a reply waits in the
  outbox (count 1); the cable comes back and the reply leaves exactly once.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QPlainTextEdit
from pytestqt.qtbot import QtBot

from smm_desk.app.gui import Desk, build_desk
from smm_desk.connectors.http import RetryPolicy
from smm_desk.sim.telegram import TelegramSim
from smm_desk.sim.transport import SimTransport
from smm_desk.sim.world import SimWorld
from smm_desk.store.api import Store
from smm_desk.store.database import resolve_url
from smm_desk.store.views_queue import SlaAlertView
from smm_desk.sync.engine import default_factory
from smm_desk.ui.case_view import CaseView
from smm_desk.ui.main_window import MainWindow
from smm_desk.ui.queue_model import Column
from tests.support.qt_loop import qt_loop  # noqa: F401 - the loop fixture

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

TOKEN = "7000001:AAE-sim-telegram-token"
AGENT = "kim"


class Cable(httpx.AsyncBaseTransport):
    """The simulator behind a cable that can be pulled: unplugged, every
    connection is refused before it reaches the simulator."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.plugged = True

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self.plugged:
            raise httpx.ConnectError("simulated: connection refused", request=request)
        return await self.inner.handle_async_request(request)


@dataclass
class Rig:
    desk: Desk
    store: Store
    sim: TelegramSim
    world: SimWorld
    cable: Cable

    @property
    def window(self) -> MainWindow:
        return self.desk.window


@pytest.fixture
def rig(tmp_path: Path, qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop,  # noqa: F811
        ) -> Iterator[Rig]:
    world = SimWorld(max_poll_wait=0.3)
    sim = TelegramSim(world)
    world.add(sim)
    sim.add_account(TOKEN, "acme_shop_bot")
    cable = Cable(SimTransport(world))
    store = Store.open(resolve_url(None, tmp_path / "data"))
    account = store.add_account("telegram", "@acme_shop_bot", base_url="http://sim.invalid")
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    desk = build_desk(
        store, workspace="Test", agent=AGENT, settings=settings,
        factory=default_factory(transport=cable),
        tokens=lambda account_id: TOKEN if account_id == account.id else None,
        sync_options={"poll_interval": 0.1, "poll_wait": 0.3, "idle_interval": 0.1,
                      "backoff": RetryPolicy(attempts=1_000_000, base=0.05, cap=0.2)},
    )
    desk.sync.engine.delivery.interval = 0.1
    window = desk.window
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitActive(window)
    desk.sync.start()
    try:
        yield Rig(desk, store, sim, world, cable)
    finally:
        task = qt_loop.create_task(desk.sync.aclose())
        qtbot.waitUntil(task.done, timeout=10_000)
        desk.dispose()
        store.close()
        task.result()


def press(qtbot: QtBot, rig: Rig, key: Qt.Key) -> None:
    qtbot.keyClick(rig.window.focusWidget() or rig.window, key)


def ctrl_enter(qtbot: QtBot, widget: QPlainTextEdit) -> None:
    qtbot.keyClick(widget, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyRelease(widget, Qt.Key.Key_Control)  # QTest leaves Ctrl down otherwise


def arrive(qtbot: QtBot, rig: Rig, text: str) -> int:
    """A comment under a channel post arrives; returns its case id once the queue shows it."""
    rig.sim.inject_comment(TOKEN, "p1", "55501", "Ivan Petrov", text)
    qtbot.waitUntil(lambda: len(rig.window.model.ids()) == 1, timeout=10_000)
    return rig.window.model.ids()[0]


def composer_of(rig: Rig) -> QPlainTextEdit:
    pane = rig.window.case_pane
    assert isinstance(pane, CaseView)
    return pane.composer.editor


def test_a_comment_is_routed_with_3_and_answered_with_r_and_ctrl_enter(
    qtbot: QtBot, rig: Rig,
) -> None:
    window, store = rig.window, rig.store
    case_id = arrive(qtbot, rig, "Any discounts on the blue hoodie?")

    # In the right place, with its countdown.
    case = store.case(case_id).case
    third = store.departments()[2]
    assert (case.kind, case.customer) == ("comment", "Ivan Petrov")
    assert case.department != third.name  # whatever the rules said, not the third yet
    assert window.view() == "open"
    sla = window.model.index(0, Column.SLA).data()
    assert re.fullmatch(r"\d+:\d\d left", sla), sla
    qtbot.waitUntil(lambda: window.sidebar.count("unassigned") == 1
                    and window.sidebar.count("network:telegram") == 1, timeout=5000)

    # 3 routes it to the third department.
    window.focus_queue()
    qtbot.waitUntil(lambda: window.current_case_id() == case_id, timeout=5000)
    press(qtbot, rig, Qt.Key.Key_3)
    assert store.case(case_id).case.department == third.name
    routed = [e for e in store.case(case_id).events if e.kind == "routed" and e.actor == AGENT]
    assert [e.data["department"] for e in routed] == [third.name]
    assert f"Routed 1 case to {third.name}" in window.statusBar().currentMessage()
    qtbot.waitUntil(lambda: window.sidebar.count(f"department:{third.id}") == 1, timeout=5000)

    # r, type, Ctrl+Enter: delivered by the simulator.
    press(qtbot, rig, Qt.Key.Key_R)
    editor = composer_of(rig)
    assert editor.hasFocus()
    qtbot.keyClicks(editor, "Yes: 20% off until Sunday.")
    ctrl_enter(qtbot, editor)
    qtbot.waitUntil(lambda: len(rig.world.deliveries) == 1, timeout=10_000)
    assert rig.world.deliveries[0].text == "Yes: 20% off until Sunday."
    assert editor.toPlainText() == ""

    # The reply log: delivered, with its response time, within the SLA.
    qtbot.waitUntil(lambda: [r.state for r in store.reply_log()] == ["sent"], timeout=5000)
    (row,) = store.reply_log()
    assert (row.case_id, row.agent, row.department) == (case_id, AGENT, third.name)
    assert row.response_seconds is not None and 0 <= row.response_seconds < 60
    assert row.sla_met is True
    qtbot.waitUntil(lambda: "Outbox empty" in window.sync_text(), timeout=5000)


def test_a_reply_written_offline_leaves_once_when_the_network_returns(
    qtbot: QtBot, rig: Rig,
) -> None:
    window, store = rig.window, rig.store
    case_id = arrive(qtbot, rig, "Where is my parcel?")

    rig.cable.plugged = False
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=10_000)
    assert "offline" in window.sync_text()

    window.focus_queue()
    qtbot.waitUntil(lambda: window.current_case_id() == case_id, timeout=5000)
    press(qtbot, rig, Qt.Key.Key_R)
    editor = composer_of(rig)
    qtbot.keyClicks(editor, "On its way, sorry for the wait.")
    ctrl_enter(qtbot, editor)
    qtbot.waitUntil(lambda: "Outbox: 1 reply waiting" in window.sync_text(), timeout=5000)
    assert "1 reply waits in the outbox" in window.banner.text()
    assert rig.world.deliveries == []

    rig.cable.plugged = True
    qtbot.waitUntil(lambda: window.banner.isHidden(), timeout=10_000)
    qtbot.waitUntil(lambda: "Outbox empty" in window.sync_text(), timeout=10_000)
    assert [d.text for d in rig.world.deliveries] == ["On its way, sorry for the wait."]
    # A few more rounds of the engine later, still exactly once.
    requests = len(rig.world.requests)
    qtbot.waitUntil(lambda: len(rig.world.requests) >= requests + 5, timeout=10_000)
    assert len(rig.world.deliveries) == 1
    assert [r.state for r in store.reply_log()] == ["sent"]


def test_settings_tray_and_the_fix_button_are_wired(qtbot: QtBot, rig: Rig) -> None:
    window, desk = rig.window, rig.desk
    (account,) = rig.store.accounts()
    qtbot.waitUntil(lambda: "Telegram @acme_shop_bot: connected" in window.sync_text(),
                    timeout=5000)

    # Paused in the settings: the engine and the status bar follow; resumed: back.
    desk.settings_service.pause(account.id)
    qtbot.waitUntil(lambda: "@acme_shop_bot: paused" in window.sync_text(), timeout=5000)
    desk.settings_service.resume(account.id)
    qtbot.waitUntil(lambda: "@acme_shop_bot: connected" in window.sync_text(), timeout=5000)
    case_id = arrive(qtbot, rig, "Still syncing after a pause?")  # the engine polls again

    # The sync service's SLA alerts reach the tray (a toast where there is no tray).
    with qtbot.waitSignal(desk.tray.notified, timeout=5000) as notified:
        desk.sync.alerts.emit([SlaAlertView(1, case_id, "sla_breached", rig.store.clock())])
    assert notified.args[0] == "Response overdue — Ivan Petrov"

    # The needs-sign-in button opens the settings on that account.
    window.fix_account(account.id)
    dialog = window.settings_dialog()
    assert dialog is not None and dialog.isVisible()
    assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "Accounts"
    assert dialog.selected_account_id() == account.id
    dialog.reject()
    assert window.settings_dialog() is None
