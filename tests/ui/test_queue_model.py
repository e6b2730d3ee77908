"""The queue model over a real SQLite store: Qt's model contract, lazy windows,
the SLA cells per state, the 1 Hz tick, refresh by id, plain text. Also the
QueueService it reads through (reads, typed change announcements)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from itertools import count

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QTableView
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from smm_desk.domain.enums import CaseStatus
from smm_desk.domain.views import CaseView
from smm_desk.services.queue import QueueChange, QueueService
from smm_desk.store.api import Store
from smm_desk.ui.main_window import MainWindow
from smm_desk.ui.queue_model import (
    CASE_ID_ROLE,
    FETCH_WINDOW,
    SLA_STATE_ROLE,
    STALE_AFTER,
    Column,
    QueueModel,
)
from tests.conftest import FakeClock
from tests.support.factories import inbound, outbound

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    # The offscreen platform says this of every top-level window it shows.
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

FSI, PDI = "\u2068", "\u2069"
_numbers = count()


@pytest.fixture
def store(store: Store) -> Store:
    store.save_rules([])  # these tests are about the queue, not routing: no rules
    return store


@pytest.fixture
def account_id(store: Store) -> int:
    return store.add_account("telegram", "@shop_bot").id


@pytest.fixture
def service(store: Store) -> QueueService:
    return QueueService(store)


class CountingService(QueueService):
    """Records every row fetch the model makes."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.fetches: list[list[int]] = []

    def cases(self, ids: Sequence[int]) -> list[CaseView]:
        self.fetches.append(list(ids))
        return super().cases(ids)


def add_cases(store: Store, account_id: int, clock: FakeClock, minutes_ago: Sequence[float],
              texts: Sequence[str] | None = None) -> list[int]:
    """One DM case per entry, its message ``minutes_ago`` old; ids in queue order."""
    first = next(_numbers)
    batch = [
        inbound(f"m{first}-{i}", clock.now - timedelta(minutes=m),
                text=texts[i] if texts else f"question {i}", thread=f"dm:{first}-{i}",
                author=f"C{i}")
        for i, m in enumerate(minutes_ago)
    ]
    store.ingest(account_id, "updates", batch, cursor=None)
    return [c.id for c in store.queue()]


def cell(model: QueueModel, row: int, column: Column,
         role: int = Qt.ItemDataRole.DisplayRole) -> object:
    return model.data(model.index(row, column), role)


# -- Qt's model contract ----------------------------------------------------------------


@pytest.mark.parametrize("force_py", [False, True], ids=["qt-tester", "py-tester"])
def test_model_passes_the_model_tester_through_refresh_and_tick(
    qtmodeltester: ModelTester, store: Store, account_id: int, clock: FakeClock,
    service: QueueService, force_py: bool,
) -> None:
    ids = add_cases(store, account_id, clock, [1, 5, 8.5, 12, 30])
    model = QueueModel(service)
    qtmodeltester.check(model, force_py=force_py)
    model.set_visible_rows(0, 3)
    clock.advance(seconds=20)
    model.tick()
    service.resolve(ids[1], "kim")  # a row leaves
    model.refresh()
    add_cases(store, account_id, clock, [0.5])  # a row arrives (at the end: due last)
    model.refresh()
    model.refresh()  # same ids: a repaint, not a layout change
    assert model.rowCount() == 5
    assert model.rowCount(model.index(0, 0)) == 0
    assert model.columnCount(model.index(0, 0)) == 0


def test_headers_and_ids(store: Store, account_id: int, clock: FakeClock,
                         service: QueueService) -> None:
    ids = add_cases(store, account_id, clock, [3, 1])
    model = QueueModel(service)
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["SLA", "Network", "Customer", "Message", "Department", "Priority",
                       "Assignee", "Age"]
    assert model.headerData(0, Qt.Orientation.Vertical) is None
    assert model.ids() == ids
    assert [cell(model, r, Column.MESSAGE, CASE_ID_ROLE) for r in range(2)] == ids
    assert model.row_of(ids[1]) == 1 and model.row_of(99999) is None
    assert model.flags(QModelIndex()) == Qt.ItemFlag.NoItemFlags


# -- lazy windows ------------------------------------------------------------------------


def test_a_thousand_cases_fetch_only_the_visible_window(
    qtbot: QtBot, store: Store, account_id: int, clock: FakeClock,
) -> None:
    ids = add_cases(store, account_id, clock, [i / 100 for i in range(1000)])
    service = CountingService(store)
    window = MainWindow(service, "Test")
    qtbot.addWidget(window)
    window.resize(1000, 600)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: len(service.fetches) >= 1)
    assert service.fetches == [ids[:FETCH_WINDOW]]
    assert window.model.cached_count() == FETCH_WINDOW
    assert window.status_text() == "1000 open cases"

    window.table.scrollToBottom()
    qtbot.waitUntil(lambda: len(service.fetches) == 2)
    assert service.fetches[1] == ids[900:]
    assert window.model.cached_count() == 2 * FETCH_WINDOW


def test_stale_rows_are_read_again_and_refresh_drops_the_cache(
    store: Store, account_id: int, clock: FakeClock,
) -> None:
    add_cases(store, account_id, clock, [7.5])
    service = CountingService(store)
    model = QueueModel(service)
    model.set_visible_rows(0, 0)
    assert cell(model, 0, Column.SLA) == "2:30 left"
    clock.advance(seconds=1)
    model.tick()
    assert cell(model, 0, Column.SLA) == "2:29 left"  # from the cache: no warning yet
    assert len(service.fetches) == 1
    clock.advance(seconds=STALE_AFTER.total_seconds() + 15)  # 8:01 since the message
    model.tick()
    assert cell(model, 0, Column.SLA) == "warning 1:59 left"
    assert cell(model, 0, Column.SLA, SLA_STATE_ROLE) == "warning"
    assert len(service.fetches) == 2
    model.refresh()
    assert model.cached_count() == 0


# -- the SLA column ----------------------------------------------------------------------


def test_sla_text_and_state_per_state(store: Store, account_id: int, clock: FakeClock,
                                      service: QueueService) -> None:
    add_cases(store, account_id, clock, [2, 8.5, 17])
    answered = store.ingest(account_id, "u", [
        inbound("a1", clock.now - timedelta(minutes=4), thread="dm:answered", author="Ann"),
        outbound("a2", clock.now - timedelta(minutes=1), thread="dm:answered"),
    ], None).touched_case_ids[0]
    paused = store.ingest(account_id, "u", [
        inbound("p1", clock.now - timedelta(minutes=3), thread="dm:paused", author="Pat"),
    ], None).touched_case_ids[0]
    store.set_status(paused, CaseStatus.WAITING_CUSTOMER, "kim")
    model = QueueModel(service)
    by_id = {cell(model, r, Column.SLA, CASE_ID_ROLE): r for r in range(model.rowCount())}

    sla = {
        case_id: (cell(model, row, Column.SLA), cell(model, row, Column.SLA, SLA_STATE_ROLE))
        for case_id, row in by_id.items()
    }
    assert sorted(sla.values(), key=str) == sorted([
        ("8:00 left", "ok"),
        ("warning 1:30 left", "warning"),
        ("breached +7 min", "breached"),
        ("paused", "paused"),
        ("—", None),
    ], key=str)
    assert sla[answered] == ("—", None)
    assert sla[paused] == ("paused", "paused")
    assert cell(model, 0, Column.SLA) == "breached +7 min"  # most urgent first
    assert "due at" in str(cell(model, 0, Column.SLA, Qt.ItemDataRole.ToolTipRole))


def test_the_breach_is_exact_between_reads(store: Store, account_id: int, clock: FakeClock,
                                           service: QueueService) -> None:
    add_cases(store, account_id, clock, [9.5])
    model = QueueModel(service)
    model.set_visible_rows(0, 0)
    assert cell(model, 0, Column.SLA) == "warning 0:30 left"
    clock.advance(seconds=30)
    model.tick()
    assert cell(model, 0, Column.SLA) == "breached just now"
    assert cell(model, 0, Column.SLA, SLA_STATE_ROLE) == "breached"
    clock.advance(minutes=3)
    model.tick()
    assert cell(model, 0, Column.SLA) == "breached +3 min"


def test_tick_repaints_only_the_visible_cells_whose_text_changed(
    store: Store, account_id: int, clock: FakeClock, service: QueueService,
) -> None:
    # Most urgent first: two breaches (whole minutes), then three running clocks (seconds).
    add_cases(store, account_id, clock, [12 + 50 / 60, 12.25, 3.1, 2, 1])
    model = QueueModel(service)
    seen: list[tuple[int, int, int, int]] = []
    model.dataChanged.connect(
        lambda tl, br, _roles=(): seen.append((tl.row(), tl.column(), br.row(), br.column()))
    )
    model.set_visible_rows(0, 4)
    shown = [(cell(model, r, Column.SLA), cell(model, r, Column.AGE)) for r in range(5)]
    assert shown[0] == ("breached +2 min", "12 min") and shown[3] == ("8:00 left", "2 min")

    model.tick()  # the same instant: nothing reads differently, nothing repaints
    assert seen == []
    clock.advance(seconds=1)
    model.tick()  # the clocks moved a second; the breaches still read +2 min
    assert seen == [(2, Column.SLA, 4, Column.SLA)]
    assert cell(model, 3, Column.SLA) == "7:59 left"
    seen.clear()
    clock.advance(seconds=9)  # the first case is 13 min old, its breach 3 min
    model.tick()
    assert seen == [(0, Column.SLA, 0, Column.SLA), (2, Column.SLA, 4, Column.SLA),
                    (0, Column.AGE, 0, Column.AGE)]
    assert (cell(model, 0, Column.SLA), cell(model, 0, Column.AGE)) == (
        "breached +3 min", "13 min")

    # The visible span is clamped to the rows; no visible rows, no signal.
    seen.clear()
    model.set_visible_rows(3, 80)
    clock.advance(seconds=1)
    model.tick()
    assert seen == [(3, Column.SLA, 4, Column.SLA)]
    seen.clear()
    model.set_visible_rows(0, -1)
    model.tick()
    assert seen == []


def test_without_a_loop_the_tick_repaints_unread_and_stale_rows(
    store: Store, account_id: int, clock: FakeClock, service: QueueService,
) -> None:
    add_cases(store, account_id, clock, [12.5, 3, 2])
    model = QueueModel(service)
    seen: list[tuple[int, int, int, int]] = []
    model.dataChanged.connect(
        lambda tl, br, _roles=(): seen.append((tl.row(), tl.column(), br.row(), br.column()))
    )
    model.set_visible_rows(0, 2)
    model.tick()  # shown but never read (e.g. dropped from the cache): the paint reads them
    assert seen == [(0, 0, 2, Column.AGE)]
    seen.clear()
    assert cell(model, 0, Column.SLA) == "breached +2 min"
    clock.advance(seconds=STALE_AFTER.total_seconds())
    model.tick()  # stale: repainted whole (the paint reads them again), not only the clocks
    assert seen == [(0, 0, 2, Column.AGE)]


def test_the_window_ticks_the_rows_it_shows(
    qtbot: QtBot, store: Store, account_id: int, clock: FakeClock, service: QueueService,
) -> None:
    add_cases(store, account_id, clock, [i / 100 for i in range(200)])  # clocks running
    window = MainWindow(service, "Test")
    qtbot.addWidget(window)
    window.resize(900, 400)
    window.show()
    qtbot.waitExposed(window)
    assert window.tick_timer.isActive()
    qtbot.wait(50)  # the first paint has read the shown rows
    clock.advance(seconds=1)  # the clocks move: the next tick repaints them
    with qtbot.waitSignal(window.model.dataChanged, timeout=3000) as blocker:
        pass
    top, bottom = blocker.args[0], blocker.args[1]
    assert (top.row(), top.column(), bottom.column()) == (0, Column.SLA, Column.SLA)
    assert 5 <= bottom.row() < 30  # a screenful, not the 200 rows
    window.hide()
    assert not window.tick_timer.isActive()


# -- refresh and changes -----------------------------------------------------------------


def test_refresh_after_a_change_keeps_the_selection_on_its_case(
    qtbot: QtBot, store: Store, account_id: int, clock: FakeClock, service: QueueService,
) -> None:
    ids = add_cases(store, account_id, clock, [20, 15, 10, 5, 1])
    window = MainWindow(service, "Demo workspace")
    qtbot.addWidget(window)
    assert window.windowTitle() == "SMM Desk — Demo workspace"
    assert window.status_text() == "5 open cases"
    window.table.selectRow(3)
    with qtbot.waitSignal(service.changed) as blocker:
        service.resolve(ids[0], "kim")
    assert blocker.args == [QueueChange("resolved", (ids[0],), "kim")]
    selected = window.table.selectionModel().selectedRows()
    assert [index.data(CASE_ID_ROLE) for index in selected] == [ids[3]]
    assert selected[0].row() == 2
    assert window.status_text() == "4 open cases"


def test_service_reads_and_announces_each_mutation(
    qtbot: QtBot, store: Store, account_id: int, clock: FakeClock, service: QueueService,
) -> None:
    ids = add_cases(store, account_id, clock, [4, 2])
    assert service.case_ids("open") == ids
    assert [c.id for c in service.cases(ids)] == ids
    assert service.cases([]) == []
    assert service.now() == clock.now
    with pytest.raises(ValueError, match="unknown queue view"):
        service.case_ids("nope")
    with qtbot.waitSignal(service.changed) as routed:
        assert service.route(ids[0], "billing", "kim") == "Billing"
    assert routed.args == [QueueChange("routed", (ids[0],), "kim")]
    with qtbot.waitSignal(service.changed) as assigned:
        service.assign(ids[1], "lee", "kim")
    assert assigned.args == [QueueChange("assigned", (ids[1],), "kim")]
    model = QueueModel(service)
    assert cell(model, 0, Column.DEPARTMENT) == "Billing"
    assert cell(model, 1, Column.ASSIGNEE) == "lee"


# -- plain text --------------------------------------------------------------------------


def test_customer_text_is_one_isolated_plain_line(
    store: Store, account_id: int, clock: FakeClock, service: QueueService,
) -> None:
    text = "<b>refund</b>\n\n  now\u202eplease\x07 " + "x" * 400
    add_cases(store, account_id, clock, [1], texts=[text])
    model = QueueModel(service)
    preview = str(cell(model, 0, Column.MESSAGE))
    assert preview.startswith(FSI + "<b>refund</b> now\u202eplease ")
    assert preview.endswith("…" + PDI) and len(preview) == 302
    assert "\n" not in preview and "\x07" not in preview
    tooltip = str(cell(model, 0, Column.MESSAGE, Qt.ItemDataRole.ToolTipRole))
    assert "&lt;b&gt;refund&lt;/b&gt;" in tooltip and "<b>" not in tooltip
    assert cell(model, 0, Column.CUSTOMER) == FSI + "C0" + PDI
    assert cell(model, 0, Column.NETWORK) == "Telegram"
    assert cell(model, 0, Column.PRIORITY) == "Normal"
    assert cell(model, 0, Column.AGE) == "1 min"
    assert cell(model, 0, Column.DEPARTMENT) == "—"


def test_a_view_over_the_model_sets_no_rich_text(qtbot: QtBot, service: QueueService) -> None:
    window = MainWindow(service, "<b>Workspace</b>")
    qtbot.addWidget(window)
    assert window.status_text() == "No open cases"
    assert isinstance(window.table, QTableView)
    assert window.windowTitle() == "SMM Desk — <b>Workspace</b>"
