"""The "Send to department" dialog over a real SQLite store: the preview is
what the department will get, Send queues the handoff and the case waits on
the department; a department without a target cannot be sent to."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from smm_desk.services.handoff import HandoffService
from smm_desk.store.api import Store
from smm_desk.store.handoffs import EmailTarget
from smm_desk.ui.handoff_dialog import HandoffDialog
from tests.conftest import FakeClock
from tests.support.factories import inbound

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]


def seed(store: Store, clock: FakeClock) -> int:
    account = store.add_account("telegram", "@shop_bot")
    store.ingest(account.id, "updates", [
        inbound("m1", clock.now - timedelta(minutes=4),
                "I paid twice for order 77 <b>please</b> help", author="Anna\u202eevil"),
        inbound("m2", clock.now - timedelta(minutes=2), "Still waiting…\nAnyone?",
                author="Anna\u202eevil"),
    ], "c")
    case_id = store.queue()[0].id
    store.route(case_id, "Billing", "lee")
    store.set_handoff_target("Billing", EmailTarget(
        ("billing@example.test",), "smtp.example.test", 587, "desk@example.test"))
    return case_id


def test_preview_follows_the_summary_and_send_queues(
    qtbot: QtBot, store: Store, clock: FakeClock,
) -> None:
    case_id = seed(store, clock)
    service = HandoffService(store)
    dialog = HandoffDialog(service, case_id, "lee")
    qtbot.addWidget(dialog)
    billing = next(d.id for d in store.handoff_departments() if d.name == "Billing")
    assert dialog.department.currentData() == billing  # the case's own department
    assert "billing@example.test" in dialog.destination.text()
    assert "<b>please</b>" in dialog.preview.toPlainText()  # shown as written, not markup
    assert f"Case #{case_id}" in dialog.subject.text()
    dialog.summary.setPlainText("Double charge on order 77, refund one")
    assert "Double charge on order 77, refund one" in dialog.preview.toPlainText()
    dialog.show()
    qtbot.waitExposed(dialog)
    if os.environ.get("SMM_DESK_SHOTS"):
        dialog.grab().save(os.path.join(os.environ["SMM_DESK_SHOTS"], "handoff_dialog.png"))

    with qtbot.waitSignals([dialog.sent, service.changed], timeout=2000):
        qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == dialog.DialogCode.Accepted
    [handoff] = store.handoffs(case_id)
    assert handoff.summary == "Double charge on order 77, refund one"
    assert store.case(case_id).case.status == "waiting_department"


def test_department_without_target_cannot_be_sent_to(
    qtbot: QtBot, store: Store, clock: FakeClock,
) -> None:
    case_id = seed(store, clock)
    dialog = HandoffDialog(HandoffService(store), case_id, "lee")
    qtbot.addWidget(dialog)
    index = dialog.department.findData(
        next(d.id for d in store.handoff_departments() if d.name == "Tech"))
    dialog.department.setCurrentIndex(index)
    assert "(no target)" in dialog.department.currentText()
    assert not dialog.send_button.isEnabled()
    assert "no handoff target" in dialog.destination.text()
    assert store.handoffs() == []
