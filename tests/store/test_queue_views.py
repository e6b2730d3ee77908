"""The queue's named views in SQL on both engines: ids in the urgency order of
``Store.queue``, each view's filter, the sidebar counts, SLA alerts after an id."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from smm_desk.domain.enums import CaseStatus
from smm_desk.domain.records import Priority
from smm_desk.store.api import Store
from smm_desk.store.database import Database
from smm_desk.store.views_queue import QueueFilter, filter_for
from tests.conftest import FakeClock
from tests.support.factories import inbound, outbound


@pytest.fixture
def store(db_url: str, clock: FakeClock) -> Iterator[Store]:
    s = Store(Database.open(db_url), clock)
    s.save_rules([])  # these tests are about triage, not routing: start with no rules
    yield s
    s.close()


def _case(store: Store, account_id: int, clock: FakeClock, key: str, minutes_ago: float,
          text: str = "hello") -> int:
    result = store.ingest(account_id, "u", [
        inbound(f"m-{key}", clock.now - timedelta(minutes=minutes_ago), text=text,
                thread=f"dm:{key}", author=key),
    ], cursor=None)
    return result.touched_case_ids[0]


@pytest.fixture
def workspace(store: Store, clock: FakeClock) -> dict[str, int]:
    """Eight cases across two networks in every state a view cares about."""
    tg = store.add_account("telegram", "@shop_bot").id
    vk = store.add_account("vk", "club").id
    ids = {
        "breached": _case(store, tg, clock, "breached", 14, "refund my money"),
        "soon": _case(store, vk, clock, "soon", 6),          # due in 4 min
        "later": _case(store, tg, clock, "later", 1),        # due in 9 min
        "mine": _case(store, vk, clock, "mine", 3, "refund please"),
        "waiting": _case(store, tg, clock, "waiting", 2),
        "paused": _case(store, tg, clock, "paused", 9.5),   # would breach, but paused
        "resolved": _case(store, tg, clock, "resolved", 20, "refund done"),
        "spam": _case(store, vk, clock, "spam", 5),
    }
    answered = store.ingest(tg, "u", [
        inbound("a1", clock.now - timedelta(minutes=30), thread="dm:answered", author="Ann"),
        outbound("a2", clock.now - timedelta(minutes=29), thread="dm:answered"),
    ], None).touched_case_ids[0]
    ids["answered"] = answered
    store.assign(ids["mine"], "kim", "kim")
    store.assign(ids["later"], "lee", "kim")
    store.route(ids["waiting"], "Billing", "kim")
    store.set_status(ids["waiting"], CaseStatus.WAITING_DEPARTMENT, "kim")
    store.route(ids["breached"], "Billing", "kim")
    store.set_status(ids["paused"], CaseStatus.WAITING_CUSTOMER, "kim")
    store.resolve(ids["resolved"], "kim")
    store.set_status(ids["spam"], CaseStatus.SPAM, "kim")
    return ids


def test_queue_ids_match_the_queue_order(store: Store, workspace: dict[str, int]) -> None:
    assert store.queue_ids() == [c.id for c in store.queue()]
    assert store.queue_ids(QueueFilter(statuses=("resolved", "spam"))) == [
        c.id for c in store.queue(statuses=["resolved", "spam"])]


def test_each_view_filters_in_sql(store: Store, workspace: dict[str, int]) -> None:
    w = workspace
    billing = next(d.id for d in store.departments() if d.name == "Billing")

    def view(key: str) -> set[int]:
        return set(store.queue_ids(filter_for(key, "kim")))

    opened = {w["breached"], w["soon"], w["later"], w["mine"], w["waiting"], w["paused"],
              w["answered"]}
    assert view("open") == opened
    assert view("mine") == {w["mine"]}
    assert view("unassigned") == opened - {w["mine"], w["later"]}
    # Due within 5 minutes or breached, on a running clock: not the paused one.
    assert view("breaching") == {w["breached"], w["soon"]}
    assert view("waiting_department") == {w["waiting"]}
    assert view(f"department:{billing}") == {w["breached"], w["waiting"]}
    assert view("network:vk") == {w["soon"], w["mine"]}
    assert view("resolved") == {w["resolved"]}
    assert view("spam") == {w["spam"]}
    with pytest.raises(ValueError, match="unknown queue view"):
        filter_for("nope", "kim")


def test_search_result_keeps_the_urgency_order(store: Store, workspace: dict[str, int]) -> None:
    found = store.search("refund")
    assert set(found) == {workspace["breached"], workspace["mine"], workspace["resolved"]}
    ids = store.queue_ids(QueueFilter(case_ids=tuple(found)))
    assert ids == [workspace["breached"], workspace["mine"]]  # open ones, most urgent first
    assert store.queue_ids(QueueFilter(case_ids=())) == []


def test_view_counts(store: Store, workspace: dict[str, int], clock: FakeClock) -> None:
    billing = next(d.id for d in store.departments() if d.name == "Billing")
    counts = store.view_counts("kim")
    assert {k: v for k, v in counts.items() if ":" not in k} == {
        "open": 7, "mine": 1, "unassigned": 5, "breaching": 2, "waiting_department": 1,
        "resolved": 1, "spam": 1,
    }
    assert counts[f"department:{billing}"] == 2
    assert (counts["network:telegram"], counts["network:vk"]) == (5, 2)
    clock.advance(minutes=4)  # now "later", "mine" and "waiting" are due within 5 minutes
    assert store.view_counts("kim")["breaching"] == 5
    assert store.view_counts("nobody")["mine"] == 0
    assert store.case_networks() == ["telegram", "vk"]


def test_sla_alerts_after_an_event_id(store: Store, workspace: dict[str, int],
                                      clock: FakeClock) -> None:
    store.record_sla_alerts()
    first = store.sla_alerts_after(0)
    assert {(a.case_id, a.kind) for a in first} >= {(workspace["breached"], "sla_breached")}
    assert [a.event_id for a in first] == sorted(a.event_id for a in first)
    last = first[-1].event_id
    assert store.sla_alerts_after(last) == []
    clock.advance(minutes=3)  # "soon" breaches (6 + 3 + ... ) and "later" warns
    store.record_sla_alerts()
    new = store.sla_alerts_after(last)
    assert new and all(a.event_id > last for a in new)
    marker = store.activity_marker()
    store.add_note(workspace["soon"], "hi", "kim")
    assert store.activity_marker() != marker


def test_rows_read_by_id_equal_the_queue_rows(store: Store, workspace: dict[str, int],
                                              clock: FakeClock) -> None:
    """cases_by_id (the window's row reads, through the driver) gives exactly the
    views list_cases builds from ORM objects, in every state, and as time passes."""
    from smm_desk.store import cases

    ids = [*workspace.values(), 999_999]  # an unknown id is left out
    store.set_priority(workspace["soon"], Priority.URGENT, "kim")
    for _ in range(3):
        fast = sorted(store.cases_by_id(ids), key=lambda v: v.id)
        with store.db.reading() as session:
            slow = sorted(cases.list_cases(session, clock.now, ids=ids), key=lambda v: v.id)
        assert fast == slow
        assert len(fast) == len(workspace)
        assert {v.sla_state for v in fast} >= {"ok", "warning", "breached", None}
        clock.advance(minutes=3)
