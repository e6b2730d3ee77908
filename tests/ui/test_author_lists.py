"""The VIP and block lists dialog over a real store: what is saved is what the
routing rules see, blank lines dropped."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from smm_desk.services.rules import RulesChange, RulesService
from smm_desk.store.api import Store
from smm_desk.ui.author_lists import AuthorListsDialog

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]


def test_saving_the_lists_reaches_the_rules(qtbot: QtBot, store: Store) -> None:
    store.set_vip_list(["@already"])
    service = RulesService(store)
    dialog = AuthorListsDialog(service)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.vip.toPlainText() == "@already"
    dialog.vip.setPlainText("@already\n\n  @Anna \n@anna\n12345")
    dialog.blocked.setPlainText("spam_bot\n")
    with qtbot.waitSignal(service.changed) as blocker:
        dialog.save()
    assert isinstance(blocker.args[0], RulesChange)
    context = store.routing_context()
    assert store.blocked_list() == ["spam_bot"]
    # Kept as typed, blank lines gone; the rules compare without case.
    assert store.vip_list() == ["@already", "@Anna", "@anna", "12345"]
    assert {"anna", "12345"} <= {k.lstrip("@") for k in context.vip}
    assert dialog.vip.toPlainText().splitlines() == store.vip_list()
    assert "4" in dialog.status.text() and "1" in dialog.status.text()
