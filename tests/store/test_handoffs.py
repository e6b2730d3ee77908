"""The handoff store on SQLite and PostgreSQL: targets without secrets, the
frozen payload, the department's own clock, the outbox entry it rides on, and
the department's answer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import update

from smm_desk.store.api import Store
from smm_desk.store.database import Database
from smm_desk.store.errors import Conflict, NotFound
from smm_desk.store.handoffs import (
    THREAD_LIMIT,
    EmailTarget,
    WebhookTarget,
    handoff_subject,
    handoff_text,
    target_from_dict,
)
from smm_desk.store.models import Case
from tests.conftest import FakeClock
from tests.support.factories import inbound, outbound


@pytest.fixture
def store(db_url: str, clock: FakeClock) -> Iterator[Store]:
    s = Store(Database.open(db_url), clock)
    yield s
    s.close()


def seed(store: Store, clock: FakeClock, messages: int = 2) -> int:
    account = store.add_account("vk", "club1")
    batch = [inbound(f"m{i}", clock.now - timedelta(minutes=messages - i),
                     f"message {i}\r\nsecond line", author="Nguyễn Văn A\u202e")
             for i in range(messages)]
    store.ingest(account.id, "wall", batch, "c")
    return store.queue()[0].id


def test_targets_round_trip_and_refuse_nonsense(store: Store) -> None:
    email = EmailTarget(("a@x.test", "b@x.test"), "smtp.x.test", 587, "desk@x.test",
                        smtp_user="desk")
    view = store.set_handoff_target("Billing", email)
    assert view.target == email and view.first_response_s == 600
    assert target_from_dict(email.to_dict()) == email
    hook = WebhookTarget("https://hooks.x.test/in?token=1", signed=True)
    assert store.set_handoff_target("tech", hook).target == hook  # case-insensitive name
    assert store.set_handoff_target("Tech", None).target is None
    with pytest.raises(ValueError):
        EmailTarget(("not an address",), "smtp.x.test", 587, "desk@x.test")
    with pytest.raises(ValueError):
        EmailTarget(("a@x.test",), "smtp.x.test", 0, "desk@x.test")
    with pytest.raises(ValueError):
        WebhookTarget("javascript:alert(1)")
    with pytest.raises(NotFound):
        store.set_handoff_target("Nope", hook)
    assert target_from_dict({"kind": "email"}) is None
    assert target_from_dict({"kind": "carrier-pigeon"}) is None


def test_preview_is_what_gets_queued(store: Store, clock: FakeClock) -> None:
    case_id = seed(store, clock)
    store.set_handoff_target("Sales", WebhookTarget("https://h.test/in"))
    dept, payload = store.handoff_preview(case_id, "Sales", "  wants a discount  ", "lee")
    assert dept.name == "Sales" and payload.summary == "wants a discount"
    assert payload.network == "vk" and payload.account == "club1"
    assert [t.text for t in payload.thread] == ["message 0\r\nsecond line",
                                                "message 1\r\nsecond line"]
    # Headers never carry customer control characters.
    subject = handoff_subject(payload)
    assert "\r" not in subject and "\n" not in subject and f"Case #{case_id}" in subject
    body = handoff_text(payload)
    assert "wants a discount" in body and "    second line" in body
    # A customer's RLO cannot reverse what the department reads.
    assert "\u202e" not in body and "\u202e" not in subject
    assert payload.customer_name == "Nguyễn Văn A\u202e"  # the JSON keeps it as written

    handoff = store.queue_handoff(case_id, "  wants a discount  ", "lee", department="Sales")
    job = store.handoff_job(handoff.id)
    assert job.payload.handoff_id == handoff.id
    assert job.payload.thread == payload.thread and job.payload.summary == payload.summary
    assert job.target == WebhookTarget("https://h.test/in")
    # Frozen: a message arriving later does not change what the department gets.
    store.ingest(store.accounts()[0].id, "wall",
                 [inbound("late", clock.now, "one more thing", author="Nguyễn Văn A\u202e")],
                 "c2")
    assert store.handoff_job(handoff.id).payload.thread == payload.thread


def test_queue_sets_waiting_department_and_the_departments_clock(
    store: Store, clock: FakeClock,
) -> None:
    case_id = seed(store, clock)
    store.add_department("Legal", first_response=timedelta(hours=2))
    store.set_handoff_target("Legal", WebhookTarget("https://h.test/in"))
    handoff = store.queue_handoff(case_id, "threat of a lawsuit", "lee", department="Legal")
    assert (handoff.state, handoff.attempts, handoff.department) == ("queued", 0, "Legal")
    assert handoff.due_at == clock.now + timedelta(hours=2)
    assert handoff.warn_at == clock.now + timedelta(minutes=96)
    assert handoff.clock_state(clock.now + timedelta(hours=2)) == "breached"
    case = store.case(case_id)
    assert case.case.status == "waiting_department" and case.case.department == "Legal"
    kinds = [e.kind for e in case.events]
    assert "routed" in kinds and "reply_queued" in kinds
    assert case.events[-1].kind == "status_changed"
    assert case.events[-1].data["to"] == "waiting_department"
    # The outbox entry: kind handoff, same id, counted as waiting.
    assert store.reply(handoff.id).kind == "handoff"
    assert store.outbox_count() == 1
    assert [h.id for h in store.handoffs(case_id)] == [handoff.id]
    assert store.reply_log() == []


def test_delivery_records_handoff_sent_once(store: Store, clock: FakeClock) -> None:
    case_id = seed(store, clock)
    store.set_handoff_target("Sales", WebhookTarget("https://h.test/in"))
    handoff = store.queue_handoff(case_id, "x", "lee", department="Sales")
    store.claim_reply(handoff.id)
    clock.advance(seconds=3)
    sent = store.handoff_sent(handoff.id, "HTTP 200", "webhook")
    again = store.handoff_sent(handoff.id, "HTTP 200", "webhook")
    assert sent.state == again.state == "sent" and sent.delivered_at == clock.now
    events = [e for e in store.case(case_id).events if e.kind == "handoff_sent"]
    assert len(events) == 1 and events[0].data["via"] == "webhook"
    assert store.outbox_count() == 0
    # The customer is still owed an answer: a handoff is no reply.
    assert store.case(case_id).case.sla_target == "first_response"


def test_department_answer_stops_its_clock_and_reopens(store: Store, clock: FakeClock) -> None:
    case_id = seed(store, clock)
    store.set_handoff_target("Sales", WebhookTarget("https://h.test/in"))
    first = store.queue_handoff(case_id, "one", "lee", department="Sales")
    clock.advance(minutes=1)
    second = store.queue_handoff(case_id, "two", "lee", department="Sales")
    clock.advance(minutes=5)
    answered = store.record_department_answer(case_id, "  Done, discount code sent  ", "lee")
    assert answered is not None and answered.id == second.id
    assert store.handoff(first.id).answered_at == clock.now
    assert store.handoffs(open_only=True) == []
    detail = store.case(case_id)
    assert detail.case.status == "open"
    note = [e for e in detail.events if e.kind == "note"][-1]
    assert note.data["text"] == "Done, discount code sent"
    assert note.data["handoff_ids"] == [first.id, second.id]
    # No message row: the customer's latest message is still the reply target.
    assert all(m.kind != "note" for m in detail.messages)
    with pytest.raises(ValueError):
        store.record_department_answer(case_id, "   ", "lee")


def test_answer_without_handoff_uses_the_cases_department(
    store: Store, clock: FakeClock,
) -> None:
    case_id = seed(store, clock)
    store.route(case_id, "Tech", "lee")
    assert store.record_department_answer(case_id, "known bug", "lee") is None
    note = [e for e in store.case(case_id).events if e.kind == "note"][-1]
    assert note.actor == "Tech"
    with store.db.transaction() as s:
        s.execute(update(Case).where(Case.id == case_id).values(department_id=None))
    with pytest.raises(Conflict, match="not handed"):
        store.record_department_answer(case_id, "x", "lee")
    with pytest.raises(Conflict, match="no department"):
        store.queue_handoff(case_id, "x", "lee")


def test_long_threads_keep_the_latest_messages(store: Store, clock: FakeClock) -> None:
    case_id = seed(store, clock, messages=THREAD_LIMIT + 3)
    store.ingest(store.accounts()[0].id, "wall", [outbound("o1", clock.now, "we are on it")], "z")
    _dept, payload = store.handoff_preview(case_id, "Support", "", "lee")
    assert len(payload.thread) == THREAD_LIMIT and payload.omitted == 4
    assert payload.thread[-1].text == "we are on it"
    assert "(4 earlier messages not included)" in handoff_text(payload)


def test_removing_the_account_removes_its_handoffs(store: Store, clock: FakeClock) -> None:
    case_id = seed(store, clock)
    store.set_handoff_target("Sales", WebhookTarget("https://h.test/in"))
    store.queue_handoff(case_id, "x", "lee", department="Sales")
    store.remove_account(store.accounts()[0].id)
    assert store.handoffs() == []
