"""CaseService over a real SQLite store: reading a case, queueing and retrying
replies (announced once), templates with placeholders, drafts that survive a
new service, and the reply-window rule it applies."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pytestqt.qtbot import QtBot

from smm_desk.domain.records import MessageKind
from smm_desk.domain.reply_window import (
    HUMAN_AGENT_WINDOW,
    STANDARD_WINDOW,
    ReplyWindow,
    closing_soon,
    reply_window,
)
from smm_desk.services.case import CaseActionError, CaseService, fill_placeholders
from smm_desk.services.queue import QueueChange
from smm_desk.store.api import Store
from smm_desk.store.database import Database
from tests.conftest import FakeClock
from tests.support.factories import inbound

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/desk.db"


@pytest.fixture
def store(url: str, clock: FakeClock) -> Iterator[Store]:
    s = Store(Database.open(url), clock)
    s.save_rules([])  # these tests are about triage, not routing: start with no rules
    yield s
    s.close()


@pytest.fixture
def service(store: Store) -> CaseService:
    return CaseService(store)


def add_case(store: Store, clock: FakeClock, network: str = "telegram",
             hours_ago: float = 0.05, kind: MessageKind = MessageKind.DM,
             author: str = "Anna") -> int:
    account = store.add_account(network, f"@{network}_page").id
    return store.ingest(account, "u", [
        inbound(f"{network}-1", clock.now - timedelta(hours=hours_ago), thread="dm:1",
                author=author, kind=kind, text="where is my order?"),
    ], None).touched_case_ids[0]


# -- the reply window rule (pure) -------------------------------------------------------


@pytest.mark.parametrize("network", ["telegram", "vk", "mastodon", "x", "email"])
def test_networks_without_a_window_are_always_open(network: str) -> None:
    assert reply_window(network, "dm", NOW - timedelta(days=30), NOW) == ReplyWindow(
        True, None, "")


def test_public_comments_have_no_window_even_on_facebook() -> None:
    assert reply_window("facebook", "comment", NOW - timedelta(days=3), NOW).open


@pytest.mark.parametrize("network", ["facebook", "instagram"])
def test_messenger_and_instagram_dms_close_after_24_hours(network: str) -> None:
    last = NOW - timedelta(hours=23)
    window = reply_window(network, "dm", last, NOW)
    assert window.open and window.closes_at == last + STANDARD_WINDOW
    assert closing_soon(window, NOW)
    assert not closing_soon(reply_window(network, "dm", NOW - timedelta(hours=21), NOW), NOW)

    closed = reply_window(network, "dm", NOW - timedelta(hours=25), NOW)
    assert not closed.open and "HUMAN_AGENT" in closed.note and "7 days" in closed.note
    assert not closing_soon(closed, NOW)
    gone = reply_window(network, "dm", NOW - HUMAN_AGENT_WINDOW - timedelta(minutes=1), NOW)
    assert not gone.open and "writes again" in gone.note
    assert not reply_window(network, "dm", None, NOW).open


@given(st.floats(min_value=0, max_value=24 * 14))
def test_the_window_is_open_exactly_for_24_hours(hours: float) -> None:
    last = NOW - timedelta(hours=hours)
    window = reply_window("facebook", "dm", last, NOW)
    assert window.open == (NOW < last + STANDARD_WINDOW)
    assert window.closes_at == last + STANDARD_WINDOW


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        reply_window("facebook", "dm", datetime(2026, 1, 1), NOW)  # noqa: DTZ001


# -- placeholders ---------------------------------------------------------------------------


def test_only_the_three_placeholders_are_filled() -> None:
    values = {"customer": "Anna", "agent": "kim", "department": "Billing"}
    assert fill_placeholders("Hi {customer}, {agent} from {department}.", values) == (
        "Hi Anna, kim from Billing.")
    hostile = "{customer.__class__} {0} {agent!r} {} {{customer}} {unknown}"
    assert fill_placeholders(hostile, values) == "{customer.__class__} {0} {agent!r} {} {Anna} {unknown}"
    # A value that looks like a placeholder is not filled again.
    assert fill_placeholders("{customer}", {"customer": "{agent}", "agent": "x"}) == "{agent}"


def test_render_template_fills_the_case_and_agent(
    service: CaseService, store: Store, clock: FakeClock
) -> None:
    case_id = add_case(store, clock, author="Nguyễn Thị Lan")
    templates = {t.name: t.id for t in service.templates()}
    routed = templates["Passed to department"]
    assert "our support team" in service.render_template(routed, case_id, "kim")
    store.route(case_id, "Billing", "kim")
    text = service.render_template(routed, case_id, "kim")
    assert text.startswith("Hi Nguyễn Thị Lan, I've passed your question to our Billing team")
    assert text.endswith("— kim")
    assert "{" not in service.render_template(templates["Acknowledgement"], case_id, "kim")
    with pytest.raises(CaseActionError):
        service.render_template(99999, case_id, "kim")
    with pytest.raises(CaseActionError):
        service.render_template(routed, 99999, "kim")


# -- replies --------------------------------------------------------------------------------


def test_queue_reply_drops_the_draft_and_is_announced_once(
    qtbot: QtBot, service: CaseService, store: Store, clock: FakeClock
) -> None:
    case_id = add_case(store, clock)
    service.save_draft(case_id, "On it!")
    with qtbot.waitSignal(service.changed) as blocker:
        reply = service.queue_reply(case_id, "On it!", "kim")
    assert blocker.args == [QueueChange("reply_queued", (case_id,), "kim")]
    assert service.draft(case_id) == ""
    detail = service.detail(case_id)
    assert [r.id for r in detail.replies] == [reply.id]
    assert detail.case.status == "open"
    with qtbot.assertNotEmitted(service.changed):
        with pytest.raises(CaseActionError, match="needs some text"):
            service.queue_reply(case_id, "  ", "kim")


def test_retry_needs_a_failed_or_uncertain_reply(
    qtbot: QtBot, service: CaseService, store: Store, clock: FakeClock
) -> None:
    case_id = add_case(store, clock)
    reply = service.queue_reply(case_id, "hello", "kim")
    with pytest.raises(CaseActionError, match="only failed or uncertain"):
        service.retry_reply(reply.id)
    store.claim_reply(reply.id)
    store.reply_failed(reply.id, "403 Forbidden: the user blocked the page")
    with qtbot.waitSignal(service.changed) as blocker:
        again = service.retry_reply(reply.id, "lee")
    assert again.state == "queued" and again.id == reply.id
    assert blocker.args == [QueueChange("reply_retried", (case_id,), "lee")]


def test_the_stamp_moves_when_the_outbox_does(
    service: CaseService, store: Store, clock: FakeClock
) -> None:
    case_id = add_case(store, clock)
    reply = service.queue_reply(case_id, "hello", "kim")
    before = service.stamp(case_id)
    store.claim_reply(reply.id)
    assert service.stamp(case_id) != before
    with pytest.raises(CaseActionError, match="no case"):
        service.stamp(99999)
    with pytest.raises(CaseActionError, match="no case"):
        service.detail(99999)


# -- drafts and windows ---------------------------------------------------------------------


def test_a_draft_outlives_its_service_and_store(
    service: CaseService, store: Store, clock: FakeClock, url: str
) -> None:
    case_id = add_case(store, clock)
    service.save_draft(case_id, "Привет! Cảm ơn bạn")
    store.close()
    fresh = Store(Database.open(url), clock)
    try:
        assert CaseService(fresh).draft(case_id) == "Привет! Cảm ơn bạn"
    finally:
        fresh.close()


def test_reply_window_of_a_facebook_dm(
    service: CaseService, store: Store, clock: FakeClock
) -> None:
    case_id = add_case(store, clock, network="facebook", hours_ago=23.5)
    open_, closes_at, note = service.reply_window(case_id)
    assert open_ and closes_at == clock.now + timedelta(minutes=30)
    assert "24 hours" in note
    clock.advance(hours=1)
    assert not service.reply_window(case_id).open
    telegram = add_case(store, clock, network="telegram", hours_ago=100)
    assert service.reply_window(telegram) == ReplyWindow(True, None, "")
    with pytest.raises(CaseActionError):
        service.reply_window(99999)
