"""The queue model's reads off the UI thread (on the qasync loop, as in the app):
shown rows are read again before they go stale, the windows next to the shown
ones before a scroll reaches them; what lands repaints only rows that changed;
a refresh voids reads under way; a row needed before its read ran is read here."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from datetime import timedelta

import pytest
from pytestqt.qtbot import QtBot

from smm_desk.domain.views import CaseView
from smm_desk.services.queue import QueueService
from smm_desk.store.api import Store
from smm_desk.ui.main_window import MainWindow
from smm_desk.ui.queue_model import (
    FETCH_WINDOW,
    PREFETCH_LEAD,
    STALE_AFTER,
    Column,
    QueueModel,
)
from tests.conftest import FakeClock
from tests.support.factories import inbound
from tests.support.qt_loop import qt_loop  # noqa: F401

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]


@pytest.fixture
def store(store: Store) -> Store:
    store.save_rules([])  # these tests are about the queue, not routing: no rules
    return store


class ThreadedService(QueueService):
    """Records which thread read which rows."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.reads: list[tuple[str, list[int]]] = []

    def cases(self, ids: Sequence[int]) -> list[CaseView]:
        self.reads.append((threading.current_thread().name, list(ids)))
        return super().cases(ids)

    def on(self, prefix: str) -> list[list[int]]:
        return [ids for name, ids in self.reads if name.startswith(prefix)]


def add_cases(store: Store, clock: FakeClock, count: int) -> list[int]:
    account = store.add_account("telegram", "@shop_bot").id
    store.ingest(account, "u", [
        inbound(f"m{i}", clock.now - timedelta(seconds=i), thread=f"dm:{i}", author=f"C{i}")
        for i in range(count)
    ], None)
    return [c.id for c in store.queue()]


def test_shown_rows_are_read_again_off_the_ui_thread_before_they_go_stale(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop,  # noqa: F811
    store: Store, clock: FakeClock,
) -> None:
    ids = add_cases(store, clock, 300)
    service = ThreadedService(store)
    window = MainWindow(service, "Test")
    qtbot.addWidget(window)
    window.resize(1000, 500)
    window.show()
    qtbot.waitExposed(window)
    window.tick_timer.stop()  # the test drives the clock
    qtbot.waitUntil(lambda: len(service.on("smm-desk-rows")) == 1)  # the next window, ahead
    assert service.on("MainThread") == [ids[:FETCH_WINDOW]]
    assert service.on("smm-desk-rows") == [ids[FETCH_WINDOW:2 * FETCH_WINDOW]]
    bar = window.table.verticalScrollBar()
    qtbot.waitUntil(lambda: window.model.cached_count() == 2 * FETCH_WINDOW)
    bar.setValue(FETCH_WINDOW)  # into the window read ahead (the bar counts rows)
    window.table.viewport().repaint()
    assert len(service.on("MainThread")) == 1
    qtbot.waitUntil(lambda: len(service.on("smm-desk-rows")) == 2)  # and the next one
    assert service.on("smm-desk-rows")[1] == ids[2 * FETCH_WINDOW:]
    bar.setValue(0)
    window.table.viewport().repaint()
    first, last = window.table.visible_rows()
    assert first == 0 and 5 < last < FETCH_WINDOW

    store.route(ids[2], "billing", "kim")  # another desk's change: no signal here
    seen: list[tuple[int, int, int, int]] = []
    window.model.dataChanged.connect(
        lambda tl, br, _roles=(): seen.append((tl.row(), tl.column(), br.row(), br.column())))
    clock.advance(seconds=(STALE_AFTER - PREFETCH_LEAD).total_seconds())
    window.tick()
    qtbot.waitUntil(lambda: len(service.on("smm-desk-rows")) == 3)
    assert service.on("smm-desk-rows")[2] == ids[first:last + 1]  # only the shown rows
    qtbot.waitUntil(lambda: window.model.data(window.model.index(2, Column.DEPARTMENT))
                    == "Billing")
    # The clocks moved (every row: seconds), and row 2 read differently: nothing else.
    assert (2, 0, 2, Column.AGE) in seen
    assert [s for s in seen if s[1] != s[3]] == [(2, 0, 2, Column.AGE)]
    clock.advance(seconds=PREFETCH_LEAD.total_seconds())  # the old read would be stale now
    window.table.viewport().repaint()
    assert len(service.on("MainThread")) == 1  # the UI thread read nothing more
    service.close()


def test_a_refresh_voids_reads_under_way_and_a_queued_read_is_done_here(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop,  # noqa: F811
    store: Store, clock: FakeClock,
) -> None:
    ids = add_cases(store, clock, 250)
    service = ThreadedService(store)
    model = QueueModel(service)
    started, release = threading.Event(), threading.Event()
    real = service.cases

    def slow(rows: Sequence[int]) -> list[CaseView]:
        if threading.current_thread().name.startswith("smm-desk-rows"):
            started.set()
            release.wait(5)
        return real(rows)

    service.cases = slow  # type: ignore[method-assign,assignment]
    model.shown(0, 10)  # asks for rows 100..199, ahead
    assert model.cached_count() == 0
    model.data(model.index(150, Column.MESSAGE))  # before the read ran: read here instead
    assert service.on("MainThread") == [ids[100:200]]
    qtbot.wait(20)
    assert service.on("smm-desk-rows") == []  # the queued read was cancelled

    model.shown(120, 130)  # next to 100..199: rows 0..99 and 200..249, ahead
    qtbot.waitUntil(started.is_set)
    model.refresh()  # the cache goes, and what the reads under way bring with it
    release.set()
    service.close()  # the read under way has finished (the queued one was cancelled)
    qtbot.wait(50)  # and has landed
    assert len(service.on("smm-desk-rows")) == 1
    assert model.cached_count() == 0
