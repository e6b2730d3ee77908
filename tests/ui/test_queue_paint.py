"""The queue's fast paths agree with the slow ones: the table's per-frame paint
(``PaintFrame``, cached elision, ``paint_cell``) draws the same pixels as the
delegates' general path, and the next instant a clock text can change
(``sla_next_change``, ``age_next_change``) is never after the text changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from smm_desk.domain.enums import CaseStatus
from smm_desk.domain.records import Priority
from smm_desk.domain.views import CaseView
from smm_desk.services.queue import QueueService
from smm_desk.store.api import Store
from smm_desk.ui.main_window import MainWindow
from smm_desk.ui.queue_cells import _duration
from smm_desk.ui.queue_model import (
    Column,
    QueueModel,
    age_next_change,
    sla_cell,
    sla_next_change,
)
from tests.conftest import FakeClock
from tests.support.factories import inbound, outbound

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]


@pytest.fixture
def store(store: Store) -> Store:
    store.save_rules([])  # these tests are about the queue, not routing: no rules
    return store


def grab(window: MainWindow, fast: bool) -> QImage:
    window.table.fast_paint = fast
    return window.table.viewport().grab().toImage()


def test_the_fast_paint_draws_what_the_general_paint_draws(
    qtbot: QtBot, store: Store, clock: FakeClock,
) -> None:
    account = store.add_account("telegram", "@shop_bot").id
    texts = ["<b>refund</b> " + "very long message " * 20, "short", "Đơn hàng của tôi",
             "\u202eevil override", "تم خصم المبلغ مرتين"]
    store.ingest(account, "u", [
        inbound(f"m{i}", clock.now - timedelta(minutes=m), text=texts[i % len(texts)],
                thread=f"dm:{i}", author=f"Customer with a rather long name {i}")
        for i, m in enumerate([25, 9.5, 8.25, 3, 1, 0.5, 14, 2])
    ], None)
    ids = [c.id for c in store.queue()]
    store.ingest(account, "u", [  # answered: no clock
        inbound("a1", clock.now - timedelta(minutes=4), thread="dm:answered", author="Ann"),
        outbound("a2", clock.now - timedelta(minutes=1), thread="dm:answered"),
    ], None)
    store.set_status(ids[3], CaseStatus.WAITING_CUSTOMER, "kim")  # paused
    store.set_priority(ids[1], Priority.URGENT, "kim")
    store.set_priority(ids[2], Priority.LOW, "kim")
    store.route(ids[4], "billing", "kim")
    store.assign(ids[5], "lee", "kim")
    window = MainWindow(QueueService(store), "Test")
    qtbot.addWidget(window)
    window.resize(1400, 500)
    window.show()
    qtbot.waitExposed(window)
    window.table.horizontalHeader().resizeSection(Column.CUSTOMER, 90)  # elided names
    model = window.model
    assert model.rowCount() == 9
    window.table.selectionModel().setCurrentIndex(
        model.index(2, Column.MESSAGE),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
    window.table.setFocus()
    qtbot.waitUntil(window.table.hasFocus)
    states = {model.data(model.index(r, Column.SLA), Qt.ItemDataRole.UserRole + 2)
              for r in range(model.rowCount())}
    assert states == {"ok", "warning", "breached", "paused", None}

    fast = grab(window, True)
    assert window.table.paint_frame is None  # only while a paint is under way
    general = grab(window, False)
    assert fast == general
    clock.advance(seconds=61)  # new clock texts, some cached elisions reused
    model.tick()
    window.table.clearFocus()
    window.table.selectionModel().select(
        model.index(0, 0), QItemSelectionModel.SelectionFlag.Select
        | QItemSelectionModel.SelectionFlag.Rows)
    assert grab(window, True) == grab(window, False)


def test_flags_are_qts_own(store: Store, clock: FakeClock) -> None:
    account = store.add_account("telegram", "@shop_bot").id
    store.ingest(account, "u", [inbound("m", clock.now, thread="dm:1")], None)
    model = QueueModel(QueueService(store))
    assert model.flags(model.index(0, 3)) == (
        Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        | Qt.ItemFlag.ItemNeverHasChildren)
    assert model.flags(QModelIndex()) == Qt.ItemFlag.NoItemFlags


_T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _case(state: str | None, due: datetime | None, opened: datetime) -> CaseView:
    return CaseView(
        id=1, network="telegram", account_id=1, account="@shop", kind="dm", status="open",
        department=None, priority="normal", assignee=None, tags=(), customer="C",
        customer_id="c", last_inbound_text="hi", last_inbound_at=opened,
        last_message_at=opened, opened_at=opened, waiting_since=opened,
        response_due_at=due, sla_target="first_response", sla_state=state,
        resolution_due_at=None,
    )


@settings(max_examples=300, deadline=None)
@given(
    state=st.sampled_from(["ok", "warning", "breached", "paused", None]),
    due_us=st.integers(-(3 * 86400 * 10**6), 30 * 3600 * 10**6),
    opened_us=st.integers(-(2 * 86400 * 10**6), 10**6),
    later_us=st.lists(st.integers(0, 10**9), min_size=1, max_size=8),
)
def test_clock_texts_do_not_change_before_their_next_change(
    state: str | None, due_us: int, opened_us: int, later_us: list[int],
) -> None:
    due = None if state == "paused" else _T0 + timedelta(microseconds=due_us)
    opened = _T0 + timedelta(microseconds=opened_us)
    case = _case(state, due, opened)
    sla_at, age_at = sla_next_change(case, _T0), age_next_change(opened, _T0)
    assert sla_at >= _T0 and age_at > _T0
    for step in later_us:
        for limit, text in ((sla_at, lambda t: sla_cell(case, t)),
                            (age_at, lambda t: _duration(max(t - opened, timedelta(0))))):
            if limit == datetime.max.replace(tzinfo=UTC):
                t = _T0 + timedelta(microseconds=step)
            else:
                span = int((limit - _T0) / timedelta(microseconds=1))
                if span == 0:
                    continue
                t = _T0 + timedelta(microseconds=step % span)
                assert text(limit - timedelta(microseconds=1)) == text(_T0)
            assert text(t) == text(_T0)
