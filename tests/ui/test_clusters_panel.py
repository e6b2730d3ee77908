"""The clusters panel and the crisis banner over a real SQLite store, driven
with pytest-qt: listing, answer/route/spam on a whole cluster, plain text,
and the banner appearing, showing its cases and going away."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from smm_desk.domain.enums import CaseStatus
from smm_desk.domain.records import MessageKind, ReplyState
from smm_desk.services.clusters import ClusterService
from smm_desk.services.queue import QueueChange
from smm_desk.store.api import Store
from smm_desk.store.database import Database
from smm_desk.ui.clusters_panel import ClustersPanel, CrisisBanner
from tests.conftest import FakeClock
from tests.support.factories import inbound

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

SPAM = "Earn $500 a day from home!!! Join now: https://bit.ly/{tag} <b>limited</b> places"
ANGRY = [
    "You are scammers, I will see you in court",
    "This is fraud, my lawyer will call you tomorrow",
    "Мошенники! Верните деньги, иду в суд",
    "Các bạn lừa đảo, tôi sẽ kiện",
    "Worst service ever, absolutely unacceptable!!!",
]
SHOTS = os.environ.get("SMM_DESK_SHOTS")


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> Iterator[Store]:
    s = Store(Database.open(f"sqlite:///{tmp_path}/desk.db"), clock)
    if "PR/Crisis" not in {d.name for d in s.departments()}:
        s.add_department("PR/Crisis")
    yield s
    s.close()


@pytest.fixture
def service(store: Store, qtbot: QtBot) -> Iterator[ClusterService]:
    svc = ClusterService(store, agent="kim")
    yield svc
    svc.stop()
    svc.deleteLater()


def accounts(store: Store) -> list[int]:
    if not store.accounts():
        for network, name in (("vk", "club1"), ("telegram", "@shop_bot"),
                              ("mastodon", "@brand")):
            store.add_account(network, name)
    return [a.id for a in store.accounts()]


def flood(store: Store, clock: FakeClock, n: int, prefix: str = "s",
          text: str = SPAM) -> None:
    ids = accounts(store)
    for i in range(n):
        store.ingest(ids[i % len(ids)], "comments", [
            inbound(f"{prefix}{i}", clock.now - timedelta(seconds=20 * (n - i)),
                    text.format(tag=f"k{i}Q"), thread=f"comment:p:{prefix}{i}",
                    author=f"user{prefix}{i}", kind=MessageKind.COMMENT),
        ], cursor=None)


def angry(store: Store, clock: FakeClock, n: int = 5) -> None:
    ids = accounts(store)
    for i in range(n):
        store.ingest(ids[i % len(ids)], "dm", [
            inbound(f"a{i}", clock.now - timedelta(minutes=n - i), ANGRY[i % len(ANGRY)],
                    thread=f"dm:a{i}", author=f"angry{i}"),
        ], cursor=None)


def shoot(widget: object, name: str) -> None:
    if SHOTS:
        QApplication.processEvents()  # let pending layouts settle before the grab
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(SHOTS) / f"{name}.png"))  # type: ignore[attr-defined]


def make_panel(qtbot: QtBot, service: ClusterService, answers: list[str] | None = None,
               yes: bool = True) -> ClustersPanel:
    def confirm(text: str) -> bool:
        if answers is not None:
            answers.append(text)
        return yes

    panel = ClustersPanel(service, confirm=confirm)
    qtbot.addWidget(panel)
    panel.resize(900, 620)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def test_model_passes_the_model_tester(
    store: Store, clock: FakeClock, service: ClusterService, qtmodeltester: object,
) -> None:
    flood(store, clock, 6)
    flood(store, clock, 3, prefix="q", text="Is the shop open on Sunday {tag}? Asking for a friend")
    service.scan()
    panel = ClustersPanel(service)
    try:
        assert panel.model.rowCount() == 2
        qtmodeltester.check(panel.model)  # type: ignore[attr-defined]
    finally:
        panel.deleteLater()


def test_empty_panel_says_so(qtbot: QtBot, service: ClusterService) -> None:
    panel = make_panel(qtbot, service)
    assert panel.empty.isVisible() and not panel.table.isVisible()
    assert not panel.spam_button.isEnabled()
    assert not panel.answer_button.isEnabled()
    shoot(panel, "clusters_empty")


def test_a_flood_is_listed_and_marked_spam_in_one_action(
    qtbot: QtBot, store: Store, clock: FakeClock, service: ClusterService,
) -> None:
    flood(store, clock, 20)
    panel = make_panel(qtbot, service)
    assert panel.model.rowCount() == 0
    with qtbot.waitSignal(service.clusters_changed):
        service.scan()
    assert panel.model.rowCount() == 1
    index = panel.model.index(0, 0)
    assert panel.model.data(index) == "20"
    assert panel.model.data(panel.model.index(0, 1)) == "Mastodon, Telegram, VK"
    # Customer text is plain: the markup stays visible as written.
    assert "<b>limited</b>" in panel.model.data(panel.model.index(0, 2))
    assert panel.cases.count() == 20
    assert "<b>limited</b>" in panel.cases.item(0).text()
    assert "20 cases from 3 accounts" in panel.cases_label.text()
    shoot(panel, "clusters_flood")

    answers: list[str] = []
    panel._confirm = lambda text: answers.append(text) or True  # type: ignore[func-returns-value]
    with qtbot.waitSignal(service.changed) as blocker:
        qtbot.mouseClick(panel.spam_button, Qt.MouseButton.LeftButton)
    change = blocker.args[0]
    assert isinstance(change, QueueChange) and change.kind == "spam"
    assert len(change.case_ids) == 20 and change.actor == "kim"
    assert answers == ["Mark all 20 open cases of this cluster as spam?"]
    assert all(store.case(i).case.status == CaseStatus.SPAM.value for i in change.case_ids)
    assert panel.model.rowCount() == 0 and panel.empty.isVisible()


def test_declining_the_confirmation_marks_nothing(
    qtbot: QtBot, store: Store, clock: FakeClock, service: ClusterService,
) -> None:
    flood(store, clock, 4)
    service.scan()
    panel = make_panel(qtbot, service, yes=False)
    qtbot.mouseClick(panel.spam_button, Qt.MouseButton.LeftButton)
    assert len(store.queue()) == 4
    assert panel.model.rowCount() == 1


def test_answer_all_queues_one_reply_per_case(
    qtbot: QtBot, store: Store, clock: FakeClock, service: ClusterService,
) -> None:
    flood(store, clock, 6)
    service.scan()
    panel = make_panel(qtbot, service)
    assert not panel.answer_button.isEnabled()
    qtbot.keyClicks(panel.reply, "Thanks, we know about this spam and are removing it.")
    assert panel.answer_button.isEnabled()
    shoot(panel, "clusters_answer")
    with qtbot.waitSignal(service.changed) as blocker:
        qtbot.mouseClick(panel.answer_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0].kind == "reply_queued"
    assert store.outbox_count() == 6
    assert len({r.case_id for r in store.replies(ReplyState.QUEUED)}) == 6
    assert panel.reply.toPlainText() == ""
    assert "Reply queued to 6 cases" in panel.status.text()


def test_route_all(qtbot: QtBot, store: Store, clock: FakeClock,
                   service: ClusterService) -> None:
    flood(store, clock, 5)
    service.scan()
    panel = make_panel(qtbot, service)
    panel.departments.setCurrentIndex(panel.departments.findText("PR/Crisis"))
    qtbot.mouseClick(panel.route_button, Qt.MouseButton.LeftButton)
    assert {c.department for c in store.queue()} == {"PR/Crisis"}
    assert panel.status.text() == "Routed 5 cases to PR/Crisis."


def test_selection_survives_a_reload(
    qtbot: QtBot, store: Store, clock: FakeClock, service: ClusterService,
) -> None:
    flood(store, clock, 6)
    flood(store, clock, 3, prefix="q", text="Is the shop open on Sunday {tag}? Asking for a friend")
    service.scan()
    panel = make_panel(qtbot, service)
    second = panel.model.cluster_at(1)
    assert second is not None and panel.select_cluster(second.id)
    flood(store, clock, 2, prefix="more")
    service.scan()
    current = panel.current_cluster()
    assert current is not None and current.id == second.id
    assert panel.cases.count() == second.size


def test_crisis_banner_appears_shows_cases_and_dismisses(
    qtbot: QtBot, store: Store, clock: FakeClock, service: ClusterService,
) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    layout = QVBoxLayout(host)
    banner = CrisisBanner(service)
    layout.addWidget(banner)
    layout.addWidget(QLabel("the queue"), 1)
    host.resize(900, 200)
    host.show()
    qtbot.waitExposed(host)
    assert banner.isHidden()
    angry(store, clock, 4)
    assert service.scan() is None
    assert banner.isHidden()
    angry(store, clock, 5)  # the first four again (no-op) and one more
    with qtbot.waitSignal(service.crisis):
        service.scan()
    assert banner.isVisible()
    assert banner.text.text().startswith("Possible crisis: 5 negative messages within 10 min")
    assert "Mastodon, Telegram, VK" in banner.text.text()
    shoot(host, "crisis_banner")
    with qtbot.waitSignal(banner.show_cases) as blocker:
        qtbot.mouseClick(banner.cases_button, Qt.MouseButton.LeftButton)
    assert len(blocker.args[0]) == 5
    qtbot.mouseClick(banner.dismiss_button, Qt.MouseButton.LeftButton)
    assert banner.isHidden()


def test_a_new_banner_shows_a_recent_alert_but_not_an_old_one(
    qtbot: QtBot, store: Store, clock: FakeClock, service: ClusterService,
) -> None:
    angry(store, clock, 5)
    assert service.scan() is not None
    banner = CrisisBanner(service)
    qtbot.addWidget(banner)
    assert banner.alert is not None and not banner.isHidden()
    clock.advance(hours=1)
    later = CrisisBanner(service)
    qtbot.addWidget(later)
    assert later.alert is None and later.isHidden()


def test_the_timer_scans_until_stopped(
    qtbot: QtBot, store: Store, clock: FakeClock, service: ClusterService,
) -> None:
    flood(store, clock, 3)
    with qtbot.waitSignal(service.clusters_changed):
        service.start(interval_ms=20)
    flood(store, clock, 2, prefix="later")
    with qtbot.waitSignal(service.clusters_changed, timeout=2000):
        pass
    service.stop()
    assert service.clusters()[0].size == 5
