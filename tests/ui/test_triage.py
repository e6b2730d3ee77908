"""Keyboard triage through real key presses on a small host window over a real
SQLite store: every action, multi-selection (one event per case), resolve/spam
moving on, no firing while typing, rebinding with conflicts refused, and the
``?`` overlay listing every binding."""

from __future__ import annotations

from datetime import timedelta
from itertools import count
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLineEdit,
    QPlainTextEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from smm_desk.domain.enums import CaseStatus
from smm_desk.services.queue import QueueChange
from smm_desk.services.triage import BulkError, TriageService
from smm_desk.store.api import Store
from smm_desk.ui.queue_model import QueueModel
from smm_desk.ui.triage import (
    ACTIONS,
    BindingConflict,
    ShortcutBindings,
    TriageController,
    TriageHost,
)
from tests.conftest import FakeClock
from tests.support.factories import inbound

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

AGENT = "kim"
DEPARTMENTS = ["Support", "Billing", "Tech", "Sales", "PR/Crisis"]
_numbers = count()


class FakeHost(QWidget):
    """The smallest window that implements :class:`TriageHost`: a queue table,
    a search box and a composer."""

    def __init__(self, service: TriageService) -> None:
        super().__init__()
        self.model = QueueModel(service, parent=self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.search = QLineEdit(self)
        self.composer = QPlainTextEdit(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.table)
        layout.addWidget(self.composer)
        self.calls: list[str] = []
        service.changed.connect(lambda _c: self.model.refresh())

    def _row(self) -> int:
        return self.table.currentIndex().row()

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def select_next(self) -> None:
        self.calls.append("next")
        self.select_row(min(self._row() + 1, self.model.rowCount() - 1))

    def select_previous(self) -> None:
        self.calls.append("previous")
        self.select_row(max(self._row() - 1, 0))

    def selected_case_ids(self) -> list[int]:
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [self.model.case_id(r) for r in rows]

    def current_case_id(self) -> int | None:
        row = self._row()
        return self.model.case_id(row) if row >= 0 else None

    def open_next_after(self, case_id: int) -> None:
        self.calls.append(f"open_next_after:{case_id}")
        row = self.model.row_of(case_id)
        if row is not None and row + 1 < self.model.rowCount():
            self.select_row(row + 1)

    def focus_search(self) -> None:
        self.calls.append("search")
        self.search.setFocus()

    def focus_queue(self) -> None:
        self.calls.append("queue")
        self.table.setFocus()

    def focus_composer(self) -> None:
        self.calls.append("composer")
        self.composer.setFocus()

    def departments(self) -> list[str]:
        return list(DEPARTMENTS)


@pytest.fixture
def store(store: Store) -> Store:
    store.save_rules([])  # these tests are about the queue, not routing: no rules
    return store


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def ids(store: Store, clock: FakeClock) -> list[int]:
    account = store.add_account("telegram", "@shop_bot").id
    n = next(_numbers)
    store.ingest(account, "updates", [
        inbound(f"m{n}-{i}", clock.now - timedelta(minutes=9 - i), text=f"question {i}",
                thread=f"dm:{n}-{i}", author=f"C{i}")
        for i in range(5)
    ], cursor=None)
    return [c.id for c in store.queue()]


@pytest.fixture
def service(store: Store) -> TriageService:
    return TriageService(store)


@pytest.fixture
def host(qtbot: QtBot, service: TriageService, ids: list[int]) -> FakeHost:
    window = FakeHost(service)
    qtbot.addWidget(window)
    window.resize(700, 500)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitActive(window)
    window.select_row(0)
    window.table.setFocus()
    return window


@pytest.fixture
def controller(host: FakeHost, service: TriageService, settings: QSettings) -> TriageController:
    c = TriageController(host, service, AGENT, settings=settings)
    c.install(host)
    return c


def press(qtbot: QtBot, host: FakeHost, key: str | Qt.Key) -> None:
    target = host.focusWidget() or host
    qtbot.keyClick(target, key)


def events_of(store: Store, case_id: int, kind: str) -> list[dict[str, object]]:
    return [e.data for e in store.case(case_id).events if e.kind == kind]


def select_rows(host: FakeHost, rows: list[int]) -> None:
    sm = host.table.selectionModel()
    sm.clearSelection()
    sm.setCurrentIndex(host.model.index(rows[0], 0), QItemSelectionModel.SelectionFlag.NoUpdate)
    for row in rows:
        sm.select(host.model.index(row, 0), QItemSelectionModel.SelectionFlag.Select
                  | QItemSelectionModel.SelectionFlag.Rows)


def test_the_fake_host_is_a_triage_host(host: FakeHost) -> None:
    assert isinstance(host, TriageHost)


def test_j_k_move_and_r_slash_esc_move_focus(qtbot: QtBot, host: FakeHost,
                                             controller: TriageController,
                                             ids: list[int]) -> None:
    press(qtbot, host, "j")
    press(qtbot, host, "j")
    assert host.current_case_id() == ids[2]
    press(qtbot, host, "k")
    assert host.current_case_id() == ids[1]
    press(qtbot, host, "r")
    assert host.composer.hasFocus()
    press(qtbot, host, Qt.Key.Key_Escape)
    assert host.table.hasFocus()
    press(qtbot, host, "/")
    assert host.search.hasFocus()
    press(qtbot, host, Qt.Key.Key_Escape)
    assert host.table.hasFocus()
    assert host.calls == ["next", "next", "previous", "composer", "queue", "search", "queue"]


def test_digits_route_to_the_nth_department_and_a_assigns_to_me(
    qtbot: QtBot, host: FakeHost, controller: TriageController, store: Store, ids: list[int],
) -> None:
    messages: list[str] = []
    controller.message.connect(messages.append)
    press(qtbot, host, "3")
    assert store.case(ids[0]).case.department == "Tech"
    assert events_of(store, ids[0], "routed")[-1]["department"] == "Tech"
    press(qtbot, host, "a")
    assert store.case(ids[0]).case.assignee == AGENT
    press(qtbot, host, "9")  # there are five departments
    assert messages == ["Routed 1 case to Tech", f"Assigned 1 case to {AGENT}",
                        "No department 9: there are 5"]
    assert store.case(ids[0]).case.department == "Tech"


def test_multi_selection_routes_each_case_with_its_own_event_and_one_announcement(
    qtbot: QtBot, host: FakeHost, controller: TriageController, store: Store,
    service: TriageService, ids: list[int],
) -> None:
    select_rows(host, [0, 2, 3])
    changes: list[QueueChange] = []
    service.changed.connect(changes.append)
    press(qtbot, host, "2")
    assert changes == [QueueChange("routed", (ids[0], ids[2], ids[3]), AGENT)]
    for case_id in (ids[0], ids[2], ids[3]):
        assert [e["department"] for e in events_of(store, case_id, "routed")] == ["Billing"]
    assert events_of(store, ids[1], "routed") == []
    press(qtbot, host, "a")
    assert {store.case(i).case.assignee for i in (ids[0], ids[2], ids[3])} == {AGENT}
    assert store.case(ids[1]).case.assignee is None


def test_e_resolves_the_selection_and_opens_the_next(
    qtbot: QtBot, host: FakeHost, controller: TriageController, store: Store, ids: list[int],
) -> None:
    select_rows(host, [1, 2])
    press(qtbot, host, "e")
    assert [store.case(i).case.status for i in ids] == [
        "new", CaseStatus.RESOLVED, CaseStatus.RESOLVED, "new", "new"]
    for case_id in ids[1:3]:
        assert [e["to"] for e in events_of(store, case_id, "status_changed")] == ["resolved"]
    assert host.calls[-1] == f"open_next_after:{ids[2]}"
    assert host.selected_case_ids() == [ids[3]]
    assert host.model.ids() == [ids[0], ids[3], ids[4]]


def test_s_marks_spam_and_moves_on(qtbot: QtBot, host: FakeHost,
                                   controller: TriageController, store: Store,
                                   ids: list[int]) -> None:
    press(qtbot, host, "s")
    assert store.case(ids[0]).case.status == CaseStatus.SPAM
    assert host.selected_case_ids() == [ids[1]]
    press(qtbot, host, "s")
    assert store.case(ids[1]).case.status == CaseStatus.SPAM
    assert host.model.ids() == ids[2:]


def test_keys_typed_into_text_fields_stay_text(
    qtbot: QtBot, host: FakeHost, controller: TriageController, store: Store, ids: list[int],
) -> None:
    host.composer.setFocus()
    qtbot.keyClicks(host.composer, "sea 3 jak?/")
    assert host.composer.toPlainText() == "sea 3 jak?/"
    host.search.setFocus()
    qtbot.keyClicks(host.search, "e1a")
    assert host.search.text() == "e1a"
    case = store.case(ids[0]).case
    assert (case.status, case.department, case.assignee) == ("new", None, None)
    assert host.calls == []
    assert controller.overlay() is None
    # A rebinding to a modifier key still does nothing while typing.
    controller.bindings.set("resolve", "Ctrl+E")
    qtbot.keyClick(host.search, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert store.case(ids[0]).case.status == "new"
    qtbot.keyClick(host.search, Qt.Key.Key_Escape)  # back to the queue works from a field
    assert host.table.hasFocus()
    qtbot.keyClick(host.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert store.case(ids[0]).case.status == CaseStatus.RESOLVED


def test_rebinding_is_stored_applies_at_once_and_refuses_conflicts(
    qtbot: QtBot, host: FakeHost, controller: TriageController, settings: QSettings,
    ids: list[int],
) -> None:
    controller.bindings.set("next", "N")
    assert settings.value("shortcuts/next") == "N"
    press(qtbot, host, "n")
    assert host.current_case_id() == ids[1]
    press(qtbot, host, "j")  # no longer bound
    assert host.current_case_id() == ids[1]
    with pytest.raises(BindingConflict, match="already bound to “Previous case”"):
        controller.bindings.set("next", "K")
    assert controller.bindings.sequence("next").toString() == "N"
    # Back to the default: the key is removed, not stored.
    controller.bindings.set("next", "J")
    assert settings.value("shortcuts/next") is None
    # A second controller over the same settings sees the user's keys.
    controller.bindings.set("spam", "X")
    again = ShortcutBindings(settings)
    assert again.sequence("spam").toString() == "X"
    again.reset()
    assert again.sequence("spam").toString() == "S"


def test_question_mark_shows_every_binding_and_esc_closes(
    qtbot: QtBot, host: FakeHost, controller: TriageController,
) -> None:
    press(qtbot, host, "?")
    overlay = controller.overlay()
    assert overlay is not None and overlay.isVisible()
    rows = overlay.rows()
    assert len(rows) == len(ACTIONS)
    labels = dict((label, key) for key, label in rows)
    assert labels["Next case"] == "J"
    assert labels["Route to Billing"] == "2"
    assert labels["Route to department 6"] == "6"
    assert labels["Back to the queue"] == "Esc"
    assert labels["Show keyboard shortcuts"] == "?"
    assert "Keyboard shortcuts" in overlay.texts()
    overlay.grab().save(str(Path("/tmp") / "triage_help_overlay.png"))
    press(qtbot, host, Qt.Key.Key_Escape)
    assert controller.overlay() is None
    assert host.table.hasFocus()
    press(qtbot, host, "?")
    assert controller.overlay() is not None
    press(qtbot, host, "?")
    assert controller.overlay() is None


def test_help_overlay_for_any_parent_lists_plain_text(
    qtbot: QtBot, host: FakeHost, service: TriageService, settings: QSettings,
) -> None:
    c = TriageController(host, service, AGENT, settings=settings)
    parent = QWidget()
    qtbot.addWidget(parent)
    overlay = c.help_overlay(parent)
    assert overlay.parentWidget() is parent
    from PySide6.QtWidgets import QLabel
    for label in overlay.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText


def test_bulk_failures_name_the_case_and_keep_the_rest(
    qtbot: QtBot, service: TriageService, store: Store, ids: list[int],
) -> None:
    with qtbot.waitSignal(service.changed) as blocker, pytest.raises(BulkError) as err:
        service.route_many([ids[0], 999_999, ids[1]], "Sales", AGENT)
    assert blocker.args == [QueueChange("routed", (ids[0], ids[1]), AGENT)]
    assert "could not route case 999999" in str(err.value)
    assert store.case(ids[1]).case.department == "Sales"
