"""A refresh on sync activity reads the rows the table is about to show with the
new ids, on the queue service's reader thread (issue #4): the paint after it reads
nothing on the UI thread and shows what a model reading synchronously shows, the
place is kept, rows that show the same are not repainted, and rows read for an
older cache are not used."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from itertools import count

import pytest
from pytestqt.qtbot import QtBot

from smm_desk.store.api import Store
from smm_desk.ui.main_window import MainWindow
from smm_desk.ui.queue_model import FETCH_WINDOW, Column, QueueModel
from tests.conftest import FakeClock
from tests.support.factories import inbound
from tests.support.qt_loop import qt_loop  # noqa: F401
from tests.ui.test_queue_reads import ThreadedService

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

_batches = count()


@pytest.fixture
def store(store: Store) -> Store:
    store.save_rules([])  # these tests are about the queue, not routing: no rules
    store.add_account("telegram", "@shop_bot")
    return store


def add_cases(store: Store, clock: FakeClock, ages: list[float]) -> None:
    """One DM case per entry, its first message ``age`` seconds ago."""
    account = store.accounts()[0].id
    batch = next(_batches)
    store.ingest(account, "u", [
        inbound(f"m{batch}-{i}", clock.now - timedelta(seconds=age), thread=f"dm:{batch}-{i}",
                author=f"C{batch}-{i}")
        for i, age in enumerate(ages)
    ], None)


def shown_window(qtbot: QtBot, service: ThreadedService) -> MainWindow:
    window = MainWindow(service, "Test")
    qtbot.addWidget(window)
    window.resize(1000, 500)
    window.show()
    qtbot.waitExposed(window)
    window.tick_timer.stop()  # the test drives the clock
    if window.model.rowCount() > FETCH_WINDOW:  # the next window, read ahead, has landed
        qtbot.waitUntil(lambda: len(service.on("smm-desk-rows")) >= 1)
        qtbot.waitUntil(lambda: not window.model._pending)
    return window


def refresh_on_activity(qtbot: QtBot, window: MainWindow) -> None:
    window.request_refresh()
    qtbot.waitUntil(lambda: window._refresh_task is None, timeout=5_000)


def cells(model: QueueModel, rows: range) -> list[list[object]]:
    return [[model.data(model.index(row, column)) for column in Column] for row in rows]


def test_the_paint_after_a_refresh_reads_nothing_and_shows_a_synchronous_read(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop,  # noqa: F811
    store: Store, clock: FakeClock,
) -> None:
    add_cases(store, clock, list(range(300)))
    service = ThreadedService(store)
    window = shown_window(qtbot, service)
    on_ui = len(service.on("MainThread"))
    add_cases(store, clock, [1200, 1300])  # the most urgent: rows 0 and 1
    store.route(window.model.case_id(3), "billing", "kim")
    refresh_on_activity(qtbot, window)
    window.table.viewport().repaint()
    assert window.model.rowCount() == 302
    first, last = window.table.visible_rows()
    assert first == 0 and last > 5
    assert service.on("smm-desk-read")[-1] == window.model.ids()[first:last + 1]
    assert len(service.on("MainThread")) == on_ui  # the paint found every shown row
    assert cells(window.model, range(first, last + 1)) == cells(
        QueueModel(service), range(first, last + 1))
    assert window.model.data(window.model.index(5, Column.DEPARTMENT)) == "Billing"
    service.close()


def test_a_scrolled_queue_keeps_its_top_case_and_reads_from_it(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop,  # noqa: F811
    store: Store, clock: FakeClock,
) -> None:
    add_cases(store, clock, list(range(300)))
    service = ThreadedService(store)
    window = shown_window(qtbot, service)
    window.table.verticalScrollBar().setValue(150)
    window.table.viewport().repaint()
    qtbot.waitUntil(lambda: not window.model._pending)
    top = window.model.case_id(window.table.rowAt(0))
    on_ui = len(service.on("MainThread"))
    add_cases(store, clock, [1200, 1300, 1400])  # rows 0..2: everything shown moves down 3
    refresh_on_activity(qtbot, window)
    window.table.viewport().repaint()
    assert window.model.case_id(window.table.rowAt(0)) == top
    assert window.table.rowAt(0) == 153
    assert len(service.on("MainThread")) == on_ui
    first, last = window.table.visible_rows()
    assert cells(window.model, range(first, last + 1)) == cells(
        QueueModel(service), range(first, last + 1))
    service.close()


def test_with_the_same_ids_only_a_row_that_reads_differently_is_repainted(
    qtbot: QtBot, qt_loop: asyncio.AbstractEventLoop,  # noqa: F811
    store: Store, clock: FakeClock,
) -> None:
    add_cases(store, clock, list(range(50)))
    service = ThreadedService(store)
    window = shown_window(qtbot, service)
    window.table.viewport().repaint()  # every shown cell has its clock texts
    before = window.model.ids()
    seen: list[tuple[int, int, int, int]] = []
    window.model.dataChanged.connect(
        lambda tl, br, _roles=(): seen.append((tl.row(), tl.column(), br.row(), br.column())))
    window.model.layoutChanged.connect(lambda *_: seen.append((-1, -1, -1, -1)))
    refresh_on_activity(qtbot, window)
    assert seen == []  # nothing changed: nothing to repaint
    store.route(before[2], "billing", "kim")
    refresh_on_activity(qtbot, window)
    assert window.model.ids() == before
    assert seen == [(2, 0, 2, len(Column) - 1)]
    assert window.model.data(window.model.index(2, Column.DEPARTMENT)) == "Billing"
    service.close()


def test_rows_read_for_an_older_cache_or_other_ids_are_not_used(
    qtbot: QtBot, store: Store, clock: FakeClock,
) -> None:
    add_cases(store, clock, list(range(30)))
    service = ThreadedService(store)
    model = QueueModel(service)
    ids = service.case_ids("open")
    older = model.read_ahead(None, 0, 10)(ids)  # what the reader thread would run
    model.refresh()  # the cache was dropped since (e.g. the theme changed its colours)
    model.reset_ids(ids, older)
    assert model.cached_count() == 0
    other = model.read_ahead(None, 0, 10)(service.case_ids("open"))
    model.reset_ids(ids, other)  # read from another list of ids
    assert model.cached_count() == 0
    fitting = model.read_ahead(None, 0, 10)(ids)
    model.reset_ids(ids, fitting)
    assert model.cached_count() == 10
    reads = len(service.reads)
    assert cells(model, range(10)) == cells(QueueModel(service), range(10))
    assert len(service.reads) == reads + 1  # only the second model read
    service.close()
