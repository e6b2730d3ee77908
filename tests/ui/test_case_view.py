"""The case view and composer over a real SQLite store: the thread in order and
in plain text, links that open only on click and only for http(s), templates,
Ctrl+Enter into the outbox, reply states followed live, drafts that survive an
abrupt end, and the reply-window banner. Also the plain-text helpers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from smm_desk.domain.enums import Direction
from smm_desk.domain.records import IncomingMessage, MessageKind
from smm_desk.domain.views import EventView
from smm_desk.services.case import CaseService
from smm_desk.store.api import Store
from smm_desk.store.database import Database
from smm_desk.store.handoffs import WebhookTarget
from smm_desk.ui.case_view import CaseView, describe_event
from smm_desk.ui.plain_text import (
    FSI,
    PDI,
    display_text,
    find_links,
    is_openable,
    neutralise_bidi,
    one_line,
)
from tests.conftest import FakeClock
from tests.support.factories import inbound, outbound

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

RLO, PDF, LRI = "\u202e", "\u202c", "\u2066"


# -- plain text -------------------------------------------------------------------------


def test_bidi_controls_are_balanced_and_isolated() -> None:
    assert neutralise_bidi("") == ""
    assert neutralise_bidi("abc") == FSI + "abc" + PDI
    # An override left open is closed before our isolate ends.
    assert neutralise_bidi(f"a{RLO}b") == f"{FSI}a{RLO}b{PDF}{PDI}"
    # A stray PDI would close *our* isolate early: it goes.
    assert neutralise_bidi(f"a{PDI}{RLO}b") == f"{FSI}a{RLO}b{PDF}{PDI}"
    # Matched pairs stay as the customer wrote them; a PDI ends embeddings inside it.
    assert neutralise_bidi(f"{LRI}x{RLO}y{PDI}z") == f"{FSI}{LRI}x{RLO}y{PDI}z{PDI}"
    assert neutralise_bidi(f"{PDF}{RLO}x{PDF}") == f"{FSI}{RLO}x{PDF}{PDI}"


def test_display_text_drops_controls_and_keeps_lines() -> None:
    shown = display_text("<b>hi</b>\r\nsecond\x07 line\u2028third\x85\x9b")
    assert shown.split("\n") == [FSI + "<b>hi</b>" + PDI, FSI + "second line" + PDI,
                                 FSI + "third" + PDI]
    assert display_text("a\ud800b") == FSI + "a\ufffdb" + PDI
    assert one_line("a\n\n b" + "x" * 50, limit=10) == FSI + "a bxxxxxx…" + PDI


@pytest.mark.parametrize(("text", "links"), [
    ("see https://shop.example/o/1.", ["https://shop.example/o/1"]),
    ("(http://x.example/a_(b)) and HTTPS://Y.example!", ["http://x.example/a_(b)",
                                                        "HTTPS://Y.example"]),
    ("javascript:alert(1) file:///etc/passwd data:text/html,hi ftp://x.example", []),
    ("http:// nothing", []),
    (f"https://a.example/{RLO}gpj.exe", ["https://a.example/"]),
])
def test_only_http_links_are_found(text: str, links: list[str]) -> None:
    assert [address for _, _, address in find_links(text)] == links


def test_openable_means_http_or_https_with_a_host() -> None:
    assert is_openable("https://vk.com/wall-1_2")
    for bad in ("javascript:alert(1)", "file:///etc/passwd", "https://", "mailto:a@b.c", "[::"):
        assert not is_openable(bad)


def test_events_read_as_sentences() -> None:
    def event(kind: str, actor: str = "kim", **data: object) -> EventView:
        return EventView(1, FakeClock().now, kind, actor, dict(data))

    assert describe_event(event("routed", department="Billing", rule="refunds")) == (
        f"Routed to {FSI}Billing{PDI} by rule “{FSI}refunds{PDI}”")
    assert describe_event(event("routed", department="Tech")) == (
        f"Routed to {FSI}Tech{PDI} by {FSI}kim{PDI}")
    assert describe_event(event("assigned", assignee=None)) == f"Unassigned by {FSI}kim{PDI}"
    assert describe_event(event("status_changed", "sync", **{"from": "resolved", "to": "open",
                                                             "reason": "new message"})) == (
        f"Status Resolved → Open automatically ({FSI}new message{PDI})")
    assert describe_event(event("sla_breached", "sla", target="first_response")) == (
        "SLA breached: first response overdue")
    assert describe_event(event("ingested", "sync")) is None
    assert describe_event(event("reply_sent")) is None


def test_alerts_and_failed_handoffs_read_as_sentences() -> None:
    def event(kind: str, actor: str = "sla", **data: object) -> EventView:
        return EventView(1, FakeClock().now, kind, actor, dict(data))

    assert describe_event(event("resolution_warning", target="resolution")) == (
        "SLA warning: resolution due soon")
    assert describe_event(event("resolution_breached", target="resolution")) == (
        "SLA breached: resolution overdue")
    assert describe_event(event("department_warning", department="Legal", handoff_id="h")) == (
        f"Department SLA warning: {FSI}Legal{PDI} should answer the handoff soon")
    assert describe_event(event("department_breached", department="Legal")) == (
        f"Department SLA breached: {FSI}Legal{PDI} has not answered the handoff in time")
    assert describe_event(event("handoff_failed", "sync", reply_id="h", department="Legal",
                                error="HTTP 410")) == (
        f"The handoff to {FSI}Legal{PDI} failed: {FSI}HTTP 410{PDI}")
    # Logged before handoff_failed existed: told apart by the outbox entry's kind.
    legacy = event("reply_failed", "sync", reply_id="h", error="SMTP 550")
    assert describe_event(legacy) == f"A reply failed: {FSI}SMTP 550{PDI}"
    assert describe_event(legacy, None, {"h"}) == (
        f"The handoff to the department failed: {FSI}SMTP 550{PDI}")
    assert describe_event(legacy, None, {"h"}, {"h": "Billing"}) == (
        f"The handoff to {FSI}Billing{PDI} failed: {FSI}SMTP 550{PDI}")


# -- fixtures ----------------------------------------------------------------------------


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/desk.db"


@pytest.fixture
def store(url: str, clock: FakeClock) -> Iterator[Store]:
    s = Store(Database.open(url), clock)
    yield s
    s.close()


@pytest.fixture
def service(store: Store) -> CaseService:
    return CaseService(store)


@pytest.fixture
def view(qtbot: QtBot, service: CaseService) -> CaseView:
    widget = CaseView(service, "kim")
    qtbot.addWidget(widget)
    widget.resize(520, 760)
    return widget


def thread_case(store: Store, clock: FakeClock) -> int:
    """A VK comment thread in three languages, with an answer already delivered."""
    account = store.add_account("vk", "club_acme").id
    t = clock.now

    def comment(ext: str, minutes: float, text: str) -> IncomingMessage:
        return IncomingMessage(
            external_id=ext, thread_key="comment:wall-1_88:c7", direction=Direction.INBOUND,
            kind=MessageKind.COMMENT, text=text, created_at=t - timedelta(minutes=minutes),
            author_id="c7", author_name="Nguyễn Thị Lan", post_external_id="wall-1_88",
            permalink=f"https://vk.com/wall-1_88?reply={ext}",
        )

    case_id = store.ingest(account, "wall", [
        comment("c1", 9, "Chào shop, đơn hàng #4471 bị trừ tiền hai lần."),
        comment("c2", 8, "Вот выписка: https://bank.example/st/9 — списание дважды."),
        comment("c3", 7, "<b>hi</b> <img src=https://evil.example/x.png> javascript:alert(1)"),
    ], None).touched_case_ids[0]
    store.route(case_id, "Billing", "rules", rule="refund words")
    store.assign(case_id, "kim", "lee")
    return case_id


def ctrl_enter(qtbot: QtBot, widget: QWidget, key: Qt.Key = Qt.Key.Key_Return) -> None:
    qtbot.keyClick(widget, key, Qt.KeyboardModifier.ControlModifier)
    # QTest leaves Ctrl down in the application's modifier state, which would
    # turn the next test's clicks into Ctrl+clicks: let go of it.
    qtbot.keyRelease(widget, Qt.Key.Key_Control)


def text_of(view: CaseView) -> str:
    return view.thread_view.document().toPlainText()


def show(qtbot: QtBot, view: CaseView, case_id: int) -> None:
    view.show()
    qtbot.waitExposed(view)
    view.show_case(case_id)


# -- the thread --------------------------------------------------------------------------


def test_a_case_shows_its_thread_in_order_as_plain_text(
    qtbot: QtBot, view: CaseView, store: Store, clock: FakeClock, tmp_path: Path,
) -> None:
    case_id = thread_case(store, clock)
    show(qtbot, view, case_id)
    assert view.current_case_id() == case_id
    thread = text_of(view)
    positions = [thread.index(part) for part in ("Chào shop", "Вот выписка", "<b>hi</b>",
                                                  "Routed to", "Assigned to")]
    assert positions == sorted(positions)
    # Markup shows literally: no image, nothing fetched (links sit in an LTR isolate).
    assert f"<b>hi</b> <img src={LRI}https://evil.example/x.png{PDI}>" in thread
    assert "\ufffc" not in thread  # the object replacement character of an image
    assert "by rule “" in thread and "refund words" in thread
    assert "customer · comment" in thread
    header = view.header
    assert header.customer.text() == f"{FSI}Nguyễn Thị Lan{PDI}"
    assert header.source.text().startswith("VK · ")
    assert "on post" in header.source.text() and "wall-1_88" in header.source.text()
    assert "Department: " in header.triage.text() and "Billing" in header.triage.text()
    assert header.sla.text().endswith("left")
    for label in (header.customer, header.source, header.triage, header.sla):
        assert label.textFormat() == Qt.TextFormat.PlainText
    # Only the http(s) addresses are links: the customer's and the permalinks.
    hrefs = [href for _, href in view.thread_view.anchors()]
    assert "https://bank.example/st/9" in hrefs
    assert all(h.startswith("https://") for h in hrefs) and len(hrefs) == 5
    assert not any("alert" in h for h in hrefs)
    view.grab().save(str(tmp_path / "case.png"))


def test_links_open_on_click_and_only_for_http(
    qtbot: QtBot, view: CaseView, store: Store, clock: FakeClock,
) -> None:
    case_id = thread_case(store, clock)
    show(qtbot, view, case_id)
    opened: list[QUrl] = []
    view.thread_view.open_url = opened.append
    thread = view.thread_view
    assert opened == []  # nothing opens by itself

    position = next(p for p, href in thread.anchors() if href == "https://bank.example/st/9")
    cursor = QTextCursor(thread.document())
    cursor.setPosition(position + 2)
    thread.setTextCursor(cursor)
    thread.ensureCursorVisible()
    point = thread.cursorRect(cursor).center() + QPoint(2, 0)
    qtbot.mouseClick(thread.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert [u.toString() for u in opened] == ["https://bank.example/st/9"]

    for bad in ("javascript:alert(1)", "file:///etc/passwd", "data:text/html,x", "https://"):
        assert thread.open_link(QUrl(bad)) is False
    thread.anchorClicked.emit(QUrl("javascript:alert(1)"))
    assert len(opened) == 1


def test_replies_show_composed_and_delivered_times(
    qtbot: QtBot, view: CaseView, store: Store, clock: FakeClock,
) -> None:
    account = store.add_account("telegram", "@shop_bot").id
    case_id = store.ingest(account, "u", [
        inbound("1", clock.now - timedelta(minutes=5), text="Здравствуйте, где мой заказ?"),
        outbound("2", clock.now - timedelta(minutes=4), text="answered in the app"),
    ], None).touched_case_ids[0]
    reply = store.queue_reply(case_id, "It ships today.", "kim")
    clock.advance(seconds=40)
    store.claim_reply(reply.id)
    store.reply_sent(reply.id, "tg-77")
    show(qtbot, view, case_id)
    thread = text_of(view)
    assert "answered outside SMM Desk" in thread
    assert "It ships today." in thread and "our reply" in thread
    assert f"by {FSI}kim{PDI} · composed " in thread and " · delivered " in thread
    assert thread.index("где мой заказ") < thread.index("answered in the app") < thread.index(
        "It ships today.")


# -- the composer ------------------------------------------------------------------------


def test_templates_fill_their_placeholders(
    qtbot: QtBot, view: CaseView, store: Store, clock: FakeClock,
) -> None:
    case_id = thread_case(store, clock)
    show(qtbot, view, case_id)
    composer = view.composer
    names = [composer.templates.itemText(i) for i in range(composer.templates.count())]
    assert names == ["Acknowledgement", "Passed to department", "Closing"]
    composer.templates.activated.emit(1)
    assert composer.editor.toPlainText() == (
        "Hi Nguyễn Thị Lan, I've passed your question to our Billing team. They will "
        "follow up with you here as soon as possible. — kim")
    assert composer.templates.currentIndex() == -1


def test_ctrl_enter_queues_exactly_one_reply_and_its_state_follows_the_store(
    qtbot: QtBot, view: CaseView, service: CaseService, store: Store, clock: FakeClock,
) -> None:
    case_id = thread_case(store, clock)
    show(qtbot, view, case_id)
    editor = view.composer.editor
    view.focus_composer()
    qtbot.keyClicks(editor, "Refund within 3 days")  # QTest types ASCII only
    editor.insertPlainText(" / hoàn tiền trong 3 ngày.")
    with qtbot.waitSignal(view.reply_queued) as queued:
        ctrl_enter(qtbot, editor)
    reply_id = queued.args[0]
    replies = service.detail(case_id).replies
    assert [(r.id, r.text, r.state) for r in replies] == [
        (reply_id, "Refund within 3 days / hoàn tiền trong 3 ngày.", "queued")]
    assert editor.toPlainText() == "" and service.draft(case_id) == ""
    ctrl_enter(qtbot, editor, Qt.Key.Key_Enter)  # empty: nothing more
    assert len(service.detail(case_id).replies) == 1

    row = view.composer.row(reply_id)
    assert row is not None and row.state == "queued"
    assert "Queued" in row.status_text() and "outbox" in row.status_text()
    assert "Queued · waiting in the outbox" in text_of(view)
    assert not row.retry_button.isVisibleTo(view)

    store.claim_reply(reply_id)
    qtbot.waitUntil(lambda: row.state == "sending", timeout=3000)
    clock.advance(seconds=30)
    store.reply_sent(reply_id, "vk-901")
    qtbot.waitUntil(lambda: row.state == "sent", timeout=3000)
    assert "delivered" in row.status_text()
    assert "Queued" not in text_of(view) and " · delivered " in text_of(view)


def test_a_failed_reply_shows_the_network_message_and_retries(
    qtbot: QtBot, view: CaseView, service: CaseService, store: Store, clock: FakeClock,
) -> None:
    case_id = thread_case(store, clock)
    reply = store.queue_reply(case_id, "We refunded you.", "kim")
    store.claim_reply(reply.id)
    store.reply_failed(reply.id, "VK error 15: Access denied <script>")
    show(qtbot, view, case_id)
    row = view.composer.row(reply.id)
    assert row is not None and row.state == "failed"
    assert "VK error 15: Access denied <script>" in row.detail_label.text()
    assert row.detail_label.textFormat() == Qt.TextFormat.PlainText
    assert row.retry_button.isVisibleTo(view)
    assert "A reply failed: " in text_of(view)

    qtbot.mouseClick(row.retry_button, Qt.MouseButton.LeftButton)
    assert store.reply(reply.id).state == "queued"
    assert row.state == "queued" and not row.retry_button.isVisibleTo(view)

    store.claim_reply(reply.id)
    store.reply_uncertain(reply.id, "crashed while sending")
    qtbot.waitUntil(lambda: row.state == "uncertain", timeout=3000)
    assert "check on the network before resending" in row.status_text()
    assert row.retry_button.isVisibleTo(view)


# -- drafts ------------------------------------------------------------------------------


def test_a_draft_survives_an_abrupt_end(
    qtbot: QtBot, service: CaseService, store: Store, clock: FakeClock, url: str,
) -> None:
    case_id = thread_case(store, clock)
    view = CaseView(service, "kim")
    view.show()
    qtbot.waitExposed(view)
    view.show_case(case_id)
    with qtbot.waitSignal(view.composer.draft_saved, timeout=2000):
        qtbot.keyClicks(view.composer.editor, "We are checking")
        view.composer.editor.insertPlainText(", chúng tôi đang kiểm tra")
    # No close, no hide, no flush: the object is simply gone, as in a crash.
    shiboken6.delete(view)
    fresh = Store(Database.open(url), clock)  # a new process over the same file
    try:
        assert CaseService(fresh).draft(case_id) == "We are checking, chúng tôi đang kiểm tra"
        restored = CaseView(CaseService(fresh), "kim")
        qtbot.addWidget(restored)
        restored.show_case(case_id)
        assert restored.composer.editor.toPlainText() == "We are checking, chúng tôi đang kiểm tra"
    finally:
        fresh.close()


def test_switching_cases_and_hiding_save_the_draft_at_once(
    qtbot: QtBot, view: CaseView, service: CaseService, store: Store, clock: FakeClock,
) -> None:
    first = thread_case(store, clock)
    account = store.add_account("telegram", "@shop_bot").id
    second = store.ingest(account, "u", [inbound("t1", clock.now)], None).touched_case_ids[0]
    show(qtbot, view, first)
    view.composer.editor.setPlainText("draft one")
    view.show_case(second)  # before the debounce fired
    assert service.draft(first) == "draft one"
    assert view.composer.editor.toPlainText() == ""
    view.composer.editor.setPlainText("draft two")
    view.hide()
    assert service.draft(second) == "draft two"
    view.show()
    view.show_case(first)
    assert view.composer.editor.toPlainText() == "draft one"
    view.show_case(None)
    assert view.current_case_id() is None and not view.composer.editor.isEnabled()


# -- the reply window --------------------------------------------------------------------


def facebook_dm(store: Store, clock: FakeClock, hours_ago: float) -> int:
    account = store.add_account("facebook", "Acme Shop").id
    return store.ingest(account, "messenger", [
        inbound("fb1", clock.now - timedelta(hours=hours_ago), text="Is my refund coming?",
                thread="dm:psid-1", author="Mary Jones"),
    ], None).touched_case_ids[0]


def test_a_closing_reply_window_is_flagged_before_typing(
    qtbot: QtBot, view: CaseView, store: Store, clock: FakeClock, tmp_path: Path,
) -> None:
    case_id = facebook_dm(store, clock, hours_ago=23.25)
    show(qtbot, view, case_id)
    banner = view.composer.banner
    assert banner.isVisibleTo(view) and banner.level == "warning"
    assert banner.text().startswith("Reply window closes in 45 min")
    assert banner.textFormat() == Qt.TextFormat.PlainText
    view.grab().save(str(tmp_path / "closing.png"))

    clock.advance(hours=1)  # the 1 Hz tick notices without any store change
    qtbot.waitUntil(lambda: banner.level == "error", timeout=3000)
    assert banner.text().startswith("Reply window closed")
    assert "HUMAN_AGENT" in banner.text()


def test_queueing_into_a_closed_window_asks_first(
    qtbot: QtBot, view: CaseView, service: CaseService, store: Store, clock: FakeClock,
) -> None:
    case_id = facebook_dm(store, clock, hours_ago=30)
    show(qtbot, view, case_id)
    asked: list[str] = []
    answer = False

    def confirm(title: str, text: str) -> bool:
        asked.append(text)
        return answer

    view.composer.confirm = confirm
    view.composer.editor.setPlainText("Sorry for the wait!")
    ctrl_enter(qtbot, view.composer.editor)
    assert len(asked) == 1 and "HUMAN_AGENT" in asked[0]
    assert service.detail(case_id).replies == ()
    assert view.composer.editor.toPlainText() == "Sorry for the wait!"
    answer = True
    ctrl_enter(qtbot, view.composer.editor)
    assert len(service.detail(case_id).replies) == 1


def test_an_open_window_on_telegram_shows_no_banner(
    qtbot: QtBot, view: CaseView, store: Store, clock: FakeClock,
) -> None:
    account = store.add_account("telegram", "@shop_bot").id
    case_id = store.ingest(account, "u", [inbound("t1", clock.now - timedelta(days=3))],
                           None).touched_case_ids[0]
    show(qtbot, view, case_id)
    assert not view.composer.banner.isVisibleTo(view)


def test_a_failed_handoff_and_the_department_clock_in_the_thread(
    qtbot: QtBot, view: CaseView, store: Store, clock: FakeClock,
) -> None:
    case_id = thread_case(store, clock)
    store.add_department("Legal", first_response=timedelta(hours=2))
    store.set_handoff_target("Legal", WebhookTarget("https://h.test/in"))
    handoff = store.queue_handoff(case_id, "threat of a lawsuit", "kim", department="Legal")
    clock.advance(hours=3)
    store.record_sla_alerts()
    store.claim_reply(handoff.id)
    store.reply_failed(handoff.id, "HTTP 410: gone")
    show(qtbot, view, case_id)
    text = text_of(view)
    assert "Department SLA warning: \u2068Legal\u2069 should answer the handoff soon" in text
    assert "Department SLA breached: \u2068Legal\u2069 has not answered the handoff in time" \
        in text
    failed = "The handoff to \u2068Legal\u2069 failed: \u2068HTTP 410: gone\u2069"
    assert text.count(failed) == 2  # the event in the thread and the outbox entry's state
    assert "A reply failed" not in text
    # The outbox entry is shown as the handoff it is, not as a reply to the customer.
    assert "handoff to \u2068Legal\u2069 · composed" in text

