"""The store's behaviour on both engines: threading, dedup, cursor atomicity,
SLA snapshots, triage events, the outbox and the reply log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from smm_desk.domain.enums import CaseStatus
from smm_desk.domain.records import MessageKind
from smm_desk.store import ingest as ingest_module
from smm_desk.store.api import Store
from smm_desk.store.database import Database
from smm_desk.store.errors import NotFound
from smm_desk.store.models import Event, Message
from tests.conftest import FakeClock
from tests.support.factories import inbound, outbound


@pytest.fixture
def store(db_url: str, clock: FakeClock) -> Iterator[Store]:
    s = Store(Database.open(db_url), clock)
    s.save_rules([])  # these tests are about triage, not routing: start with no rules
    yield s
    s.close()


@pytest.fixture
def account_id(store: Store) -> int:
    return store.add_account("telegram", "@shop_bot").id


def test_new_workspace_has_default_departments_and_policy(store: Store) -> None:
    names = [d.name for d in store.departments()]
    assert names == ["Support", "Billing", "Tech", "Sales", "PR/Crisis"]
    assert store.queue() == []


def test_ingest_threads_messages_into_cases_and_dedups(store: Store, account_id: int,
                                                       clock: FakeClock) -> None:
    t0 = clock.now - timedelta(minutes=2)
    batch = [
        inbound("m1", t0, "my card was charged twice", thread="dm:1"),
        inbound("m2", t0 + timedelta(seconds=30), "please help", thread="dm:1"),
        inbound("m3", t0, "price of the blue one?", thread="dm:2", author="Boris"),
    ]
    first = store.ingest(account_id, "updates", batch, cursor="101")
    assert first.inserted == 3 and len(first.new_case_ids) == 2
    again = store.ingest(account_id, "updates", batch, cursor="101")
    assert again.inserted == 0 and again.duplicates == 3 and again.new_case_ids == []
    cases = store.queue()
    assert len(cases) == 2
    by_customer = {c.customer: c for c in cases}
    assert by_customer["Anna"].last_inbound_text == "please help"
    assert store.cursor(account_id, "updates") == "101"
    with store.db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 3


def test_unique_key_is_enforced_by_the_database(store: Store, account_id: int,
                                                clock: FakeClock) -> None:
    store.ingest(account_id, "u", [inbound("m1", clock.now)], None)
    case_id = store.queue()[0].id
    with pytest.raises(IntegrityError):
        with store.db.engine.begin() as conn:
            conn.execute(Message.__table__.insert(), {
                "account_id": account_id, "case_id": case_id, "external_id": "m1",
                "direction": "inbound", "kind": "dm", "author_id": "", "author_name": "",
                "text": "dup", "created_at": clock.now, "received_at": clock.now, "extra": {},
            })


def test_batch_and_cursor_commit_together_or_not_at_all(
    store: Store, account_id: int, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.ingest(account_id, "u", [inbound("m1", clock.now)], cursor="1")

    def crash(*_a: object, **_k: object) -> None:
        raise RuntimeError("power cut after the messages were written")

    monkeypatch.setattr(ingest_module, "save_cursor", crash)
    with pytest.raises(RuntimeError):
        store.ingest(account_id, "u", [inbound("m2", clock.now, thread="dm:2")], cursor="2")
    monkeypatch.undo()
    assert store.cursor(account_id, "u") == "1"
    assert len(store.queue()) == 1  # m2 and its case rolled back with the cursor
    store.ingest(account_id, "u", [inbound("m2", clock.now, thread="dm:2")], cursor="2")
    assert store.cursor(account_id, "u") == "2" and len(store.queue()) == 2


def test_clock_starts_at_network_time_not_fetch_time(store: Store, account_id: int,
                                                     clock: FakeClock) -> None:
    written = clock.now - timedelta(minutes=30)  # fetched half an hour late
    store.ingest(account_id, "u", [inbound("m1", written)], None)
    (case,) = store.queue()
    assert case.waiting_since == written
    assert case.response_due_at == written + timedelta(minutes=10)
    assert case.sla_state == "breached"


def test_sla_states_over_time(store: Store, account_id: int, clock: FakeClock) -> None:
    store.ingest(account_id, "u", [inbound("m1", clock.now)], None)
    assert store.queue()[0].sla_state == "ok"
    clock.advance(minutes=8, seconds=1)
    assert store.queue()[0].sla_state == "warning"
    clock.advance(minutes=2)
    assert store.queue()[0].sla_state == "breached"


def test_outbound_ingested_from_elsewhere_stops_the_clock(store: Store, account_id: int,
                                                          clock: FakeClock) -> None:
    store.ingest(account_id, "u", [inbound("m1", clock.now)], None)
    store.ingest(account_id, "u", [outbound("o1", clock.now + timedelta(minutes=3))], None)
    (case,) = store.queue()
    assert case.sla_state is None and case.response_due_at is None
    clock.advance(minutes=20)
    store.ingest(account_id, "u", [inbound("m2", clock.now)], None)
    (case,) = store.queue()
    assert case.sla_target == "next_response" and case.waiting_since == clock.now


def test_triage_records_events_and_reply_log(store: Store, account_id: int,
                                             clock: FakeClock) -> None:
    store.ingest(account_id, "u", [inbound("m1", clock.now, "refund please")], None)
    case_id = store.queue()[0].id
    assert store.route(case_id, "billing", actor="kim") == "Billing"
    store.assign(case_id, "lee", actor="kim")
    clock.advance(minutes=2)
    reply = store.queue_reply(case_id, "We have refunded you.", agent="lee")
    assert reply.state == "queued"
    assert store.queue()[0].sla_state == "ok"  # queued is not delivered
    store.claim_reply(reply.id)
    clock.advance(minutes=1)
    sent = store.reply_sent(reply.id, external_id="tg-555")
    assert sent.state == "sent" and sent.delivered_at == clock.now
    view = store.queue()[0]
    assert view.department == "Billing" and view.assignee == "lee" and view.status == "open"
    assert view.sla_state is None
    (row,) = store.reply_log()
    assert row.response_seconds == 180 and row.sla_met is True and row.department == "Billing"
    detail = store.case(case_id)
    kinds = [e.kind for e in detail.events]
    assert kinds == ["ingested", "routed", "status_changed", "assigned", "reply_queued",
                     "reply_sent"]
    assert [m.direction for m in detail.messages] == ["inbound", "outbound"]
    # Our own reply fetched back from the network later is not a second message.
    store.ingest(account_id, "u", [outbound("tg-555", clock.now)], None)
    assert len(store.case(case_id).messages) == 2


def test_late_reply_is_logged_as_missed(store: Store, account_id: int, clock: FakeClock) -> None:
    store.ingest(account_id, "u", [inbound("m1", clock.now)], None)
    case_id = store.queue()[0].id
    reply = store.queue_reply(case_id, "sorry for the wait", agent="lee")
    clock.advance(minutes=15)  # offline: it left late
    store.claim_reply(reply.id)
    store.reply_sent(reply.id, "x1")
    (row,) = store.reply_log()
    assert row.sla_met is False and row.response_seconds == 900


def test_resolve_stops_and_new_message_reopens(store: Store, account_id: int,
                                               clock: FakeClock) -> None:
    store.ingest(account_id, "u", [inbound("m1", clock.now)], None)
    case_id = store.queue()[0].id
    store.resolve(case_id, actor="kim")
    assert store.queue() == []
    assert store.queue(statuses=["resolved"])[0].sla_state is None
    clock.advance(hours=1)
    written = clock.now - timedelta(minutes=1)
    store.ingest(account_id, "u", [inbound("m2", written, "it broke again")], None)
    (case,) = store.queue()
    assert case.status == "open" and case.waiting_since == written


def test_waiting_customer_pauses(store: Store, account_id: int, clock: FakeClock) -> None:
    store.ingest(account_id, "u", [inbound("m1", clock.now)], None)
    case_id = store.queue()[0].id
    clock.advance(minutes=5)
    store.set_status(case_id, CaseStatus.WAITING_CUSTOMER, actor="kim")
    clock.advance(hours=2)
    assert store.queue()[0].sla_state == "ok"
    store.set_status(case_id, CaseStatus.OPEN, actor="kim")
    case = store.queue()[0]
    assert case.response_due_at is not None
    assert case.response_due_at >= clock.now + timedelta(minutes=5) - timedelta(seconds=1)


def test_department_policy_governs_after_routing(store: Store, account_id: int,
                                                 clock: FakeClock) -> None:
    store.add_department("VIP", first_response=timedelta(minutes=3))
    store.ingest(account_id, "u", [inbound("m1", clock.now)], None)
    case_id = store.queue()[0].id
    store.route(case_id, "VIP", actor="kim")
    assert store.queue()[0].response_due_at == clock.now + timedelta(minutes=3)


def test_unknown_things_are_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match="no case 999"):
        store.route(999, "Billing", actor="kim")
    with pytest.raises(NotFound, match="no department 'Nope'"):
        store.queue(department="Nope")


def test_search_finds_words_prefixes_and_languages(store: Store, account_id: int,
                                                   clock: FakeClock) -> None:
    store.ingest(account_id, "u", [
        inbound("m1", clock.now, "My card was charged twice", thread="dm:1"),
        inbound("m2", clock.now, "Не могу войти в приложение", thread="dm:2"),
        inbound("m3", clock.now, "Tôi muốn hoàn tiền", thread="dm:3"),
        inbound("m4", clock.now, 'weird "quotes" AND OR NOT * (', thread="dm:4"),
    ], None)
    ids = {c.customer: c.id for c in store.queue()}
    by_thread = {c.id: c for c in store.queue()}
    assert len(by_thread) == 4
    assert len(store.search("charged")) == 1
    assert len(store.search("char")) == 1  # prefix while typing
    assert len(store.search("войти")) == 1
    assert len(store.search("hoàn tiền")) == 1
    assert store.search("") == [] and store.search("  *** ") == []
    assert len(store.search('"quotes" AND (')) == 1  # user syntax is never an error
    if store.db.dialect == "sqlite":
        assert len(store.search("hoan tien")) == 1  # diacritic-insensitive
    assert ids  # names resolved


def test_note_messages_do_not_start_clocks(store: Store, account_id: int,
                                           clock: FakeClock) -> None:
    store.ingest(account_id, "u", [inbound("m1", clock.now, kind=MessageKind.COMMENT,
                                           thread="comment:p1:Anna")], None)
    case = store.queue()[0]
    assert case.network == "telegram" and case.sla_target == "first_response"
    with store.db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Event)) == 1


def test_remove_account_cascades(store: Store, account_id: int, clock: FakeClock) -> None:
    store.ingest(account_id, "u", [inbound("m1", clock.now)], "c")
    store.remove_account(account_id)
    assert store.queue() == [] and store.accounts() == []


def test_sla_warning_and_breach_are_recorded_once(store: Store, account_id: int,
                                                  clock: FakeClock) -> None:
    store.ingest(account_id, "u", [inbound("m1", clock.now)], None)
    case_id = store.queue()[0].id
    assert store.record_sla_alerts() == []
    clock.advance(minutes=8, seconds=30)
    assert store.record_sla_alerts() == [(case_id, "sla_warning")]
    assert store.record_sla_alerts() == []
    clock.advance(minutes=5)
    assert store.record_sla_alerts() == [(case_id, "sla_breached")]
    clock.advance(minutes=5)
    assert store.record_sla_alerts() == []
    events = [e for e in store.case(case_id).events if e.kind.startswith("sla_")]
    assert [e.kind for e in events] == ["sla_warning", "sla_breached"]
    assert events[0].at == store.case(case_id).messages[0].created_at + timedelta(minutes=8)


def test_late_fetch_records_warning_then_breach(store: Store, account_id: int,
                                                clock: FakeClock) -> None:
    store.ingest(account_id, "u", [inbound("m1", clock.now - timedelta(hours=1))], None)
    case_id = store.queue()[0].id
    assert store.record_sla_alerts() == [(case_id, "sla_warning"), (case_id, "sla_breached")]
