"""The rule editor driven like a person would: add a rule, fill its form, reorder,
disable, try it on a text, preview it over recent cases, save. Also renders the
dialog to a PNG (SMM_DESK_SHOTS=DIR keeps it)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from smm_desk.domain.records import Priority
from smm_desk.domain.starter_rules import starter_rules
from smm_desk.services.rules import RulesChange, RulesService
from smm_desk.store.api import Store
from smm_desk.store.database import Database
from smm_desk.ui.rule_editor import RuleEditorDialog
from tests.conftest import FakeClock
from tests.support.factories import inbound

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

TEXTS = ["where is my refund?", "hello", "hoàn tiền giúp mình", "<b>refund</b> now!",
         "app crashes on login"]


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> Iterator[Store]:
    s = Store(Database.open(f"sqlite:///{tmp_path}/desk.db"), clock)
    account = s.add_account("telegram", "@shop").id
    t0 = clock.now - timedelta(hours=1)
    s.ingest(account, "u", [inbound(f"m{i}", t0 + timedelta(minutes=i), text, thread=f"dm:{i}",
                                    author=f"c{i}") for i, text in enumerate(TEXTS)], "1")
    yield s
    s.close()


@pytest.fixture
def dialog(qtbot: QtBot, store: Store) -> RuleEditorDialog:
    dlg = RuleEditorDialog(RulesService(store))
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


def names(dlg: RuleEditorDialog) -> list[str]:
    return [r.id for r in dlg.ordered_rules()]


def test_lists_the_stored_rules_in_order_with_their_state(dialog: RuleEditorDialog) -> None:
    assert names(dialog) == [r.id for r in starter_rules()]
    first = dialog.rule_list.item(0)
    assert first.checkState() == Qt.CheckState.Checked
    assert first.text() == "Fraud accusations and legal threats  →  PR/Crisis"
    assert dialog.name_edit.text() == "Fraud accusations and legal threats"
    assert dialog.continue_check.isChecked()
    assert dialog.department_combo.currentText() == "PR/Crisis"


def test_add_reorder_disable_try_preview_and_save(qtbot: QtBot, dialog: RuleEditorDialog,
                                                 store: Store, tmp_path: Path) -> None:
    dialog.rule_list.setCurrentRow(1)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.rule_list.currentRow() == 2
    new_id = dialog.id_edit.text()
    dialog.name_edit.setText("Refund requests")
    dialog.id_edit.setText("refunds")
    dialog.keywords_edit.setPlainText("refund*\nhoàn tiền\n")
    dialog.network_checks["telegram"].setChecked(True)
    dialog.department_combo.setCurrentText("Billing")
    dialog.priority_combo.setCurrentIndex(dialog.priority_combo.findData("high"))
    dialog.tags_edit.setText("money, refund")
    assert new_id not in names(dialog) and names(dialog)[2] == "refunds"
    assert dialog.rule_list.item(2).text() == "Refund requests  →  Billing"

    # A bad regex is reported as it is typed and blocks saving; fixing it unblocks.
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    dialog.regex_edit.setText("(unclosed")
    assert not save.isEnabled() and dialog.regex_status.text().startswith("✗")
    dialog.regex_edit.setText("")
    assert save.isEnabled() and dialog.error_label.text() == ""

    # Try on text: this rule's explanation and the whole set's decision.
    dialog.try_text.setPlainText("please refund <b>me</b>")
    qtbot.mouseClick(dialog.try_button, Qt.MouseButton.LeftButton)
    shown = dialog.try_result.text()
    assert shown.startswith("This rule matches.")
    assert "✓ keywords: found 'refund*'" in shown
    assert "department PR/Crisis" not in shown and "department Billing" in shown
    assert dialog.try_result.textFormat() == Qt.TextFormat.PlainText

    # Preview over the recent cases, before saving.
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    assert dialog.preview_summary.text() == "Would catch 3 of the last 5 cases."
    items = [dialog.preview_list.item(i).text() for i in range(dialog.preview_list.count())]
    assert items[0].endswith("c3: <b>refund</b> now!") and len(items) == 3
    assert store.rules() == starter_rules()  # nothing saved yet

    # Reorder: up to the top; disable the angry-tone rule with its checkbox.
    qtbot.mouseClick(dialog.up_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.up_button, Qt.MouseButton.LeftButton)
    assert names(dialog)[:3] == ["refunds", "crisis-fraud-legal", "crisis-angry"]
    dialog.rule_list.item(2).setCheckState(Qt.CheckState.Unchecked)
    qtbot.mouseClick(dialog.down_button, Qt.MouseButton.LeftButton)  # refunds to 2nd
    assert names(dialog)[:2] == ["crisis-fraud-legal", "refunds"]

    if os.environ.get("SMM_DESK_SHOTS"):
        dialog.grab().save(str(Path(os.environ["SMM_DESK_SHOTS"]) / "rule_editor_test.png"))
    assert not dialog.grab().isNull()

    with qtbot.waitSignal(dialog._service.changed) as blocker:
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert blocker.args == [RulesChange("rules", 7)]
    assert dialog.result() == RuleEditorDialog.DialogCode.Accepted
    stored = store.rules()
    assert [r.id for r in stored] == ["crisis-fraud-legal", "refunds", "crisis-angry", "billing",
                                      "tech", "sales", "support"]
    refunds = stored[1]
    assert refunds.name == "Refund requests" and refunds.enabled
    assert refunds.conditions.keywords == ("refund*", "hoàn tiền")
    assert refunds.conditions.networks == {"telegram"}
    assert refunds.actions.department == "Billing" and refunds.actions.priority == Priority.HIGH
    assert refunds.actions.tags == ("money", "refund")
    assert not stored[2].enabled


def test_delete_and_cancel_leave_the_store_alone(qtbot: QtBot, dialog: RuleEditorDialog,
                                                 store: Store) -> None:
    dialog.rule_list.setCurrentRow(0)
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert names(dialog)[0] == "crisis-angry"
    dialog.name_edit.setText("")
    assert "name" in dialog.error_label.text()
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel),
                     Qt.MouseButton.LeftButton)
    assert dialog.result() == RuleEditorDialog.DialogCode.Rejected
    assert store.rules() == starter_rules()


def test_a_duplicate_id_is_refused(dialog: RuleEditorDialog) -> None:
    dialog.rule_list.setCurrentRow(5)
    dialog.id_edit.setText("billing")
    assert "already has the id 'billing'" in dialog.error_label.text()
    assert names(dialog)[5] == "support"
