"""Duplicate/flood clusters and crisis alerts in the store, on both engines."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import event

from smm_desk.domain.clusters import CLUSTERED_EVENT, CRISIS_ALERT_EVENT
from smm_desk.domain.enums import CaseStatus
from smm_desk.domain.records import MessageKind
from smm_desk.store.api import Store
from smm_desk.store.database import Database
from smm_desk.store.errors import NotFound
from tests.conftest import FakeClock
from tests.support.factories import inbound

SPAM = [
    "Earn $500 a day from home!!! Join now: https://bit.ly/{tag} limited places",
    "earn $750 a day from home! join now https://bit.ly/{tag} LIMITED places",
    "Earn 500$ a day from home... Join now: bit.ly/{tag} limited places!!",
]
ANGRY = [
    "You are scammers, I will see you in court",
    "This is fraud, my lawyer will call you tomorrow",
    "Мошенники! Верните деньги, иду в суд",
    "Các bạn lừa đảo, tôi sẽ kiện",
    "Worst service ever, absolutely unacceptable!!!",
    "Thieves! You stole my money",
]


@pytest.fixture
def store(db_url: str, clock: FakeClock) -> Iterator[Store]:
    s = Store(Database.open(db_url), clock)
    yield s
    s.close()


def accounts(store: Store) -> list[int]:
    return [
        store.add_account("vk", "club1").id,
        store.add_account("telegram", "@shop_bot").id,
        store.add_account("mastodon", "@brand").id,
    ]


def flood(store: Store, clock: FakeClock, n: int = 20, prefix: str = "s") -> None:
    ids = accounts(store) if not store.accounts() else [a.id for a in store.accounts()]
    for i in range(n):
        account = ids[i % len(ids)]
        text = SPAM[i % len(SPAM)].format(tag=f"x{i}Yz")
        store.ingest(account, "comments", [
            inbound(f"{prefix}{i}", clock.now - timedelta(seconds=30 * (n - i)), text,
                    thread=f"comment:post1:{prefix}{i}", author=f"bot{i}",
                    kind=MessageKind.COMMENT),
        ], cursor=None)


def add_case(store: Store, account: int, ext: str, text: str, clock: FakeClock,
             ago: timedelta = timedelta()) -> int:
    store.ingest(account, "dm", [
        inbound(ext, clock.now - ago, text, thread=f"dm:{ext}", author=ext),
    ], cursor=None)
    return max(c.id for c in store.queue())


def test_a_flood_across_networks_is_one_cluster_and_mark_all_spam_marks_each_once(
    store: Store, clock: FakeClock,
) -> None:
    flood(store, clock)
    account = store.accounts()[0].id
    add_case(store, account, "other1", "Where is my order? It was due yesterday", clock)
    add_case(store, account, "other2", "Can I pay for delivery with a card?", clock)

    formed = store.refresh_clusters()
    assert len(formed) == 1
    cluster = formed[0]
    assert cluster.size == 20 and cluster.open_count == 20
    assert cluster.networks == ("mastodon", "telegram", "vk")
    assert cluster.accounts == 3
    assert "Earn $500 a day" in cluster.sample_text
    assert [c.id for c in store.clusters()] == [cluster.id]
    members = store.cluster_cases(cluster.id)
    assert len(members) == 20
    assert all("home" in c.last_inbound_text.lower() for c in members)

    # Each member got one "clustered" event naming the cluster.
    for case in members:
        events = [e for e in store.case(case.id).events if e.kind == CLUSTERED_EVENT]
        assert len(events) == 1 and events[0].data["cluster_id"] == cluster.id

    marked = store.cluster_mark_spam(cluster.id, "lee")
    assert sorted(marked) == sorted(c.id for c in members)
    for case in members:
        detail = store.case(case.id)
        assert detail.case.status == CaseStatus.SPAM.value
        changes = [e for e in detail.events if e.kind == "status_changed"
                   and e.data.get("to") == "spam"]
        assert len(changes) == 1 and changes[0].actor == "lee"
    assert store.clusters() == []  # nothing left to do
    assert store.cluster_mark_spam(cluster.id, "lee") == []
    assert store.cluster(cluster.id).open_count == 0
    assert len(store.queue()) == 2


def test_refresh_is_incremental_and_late_copies_join_the_cluster(
    store: Store, clock: FakeClock,
) -> None:
    flood(store, clock, n=6)
    first = store.refresh_clusters()
    assert [c.size for c in first] == [6]
    assert store.refresh_clusters() == []  # nothing new: nothing to do

    clock.advance(minutes=5)
    flood(store, clock, n=2, prefix="late")
    grown = store.refresh_clusters()
    assert [(c.id, c.size) for c in grown] == [(first[0].id, 8)]

    # Outside the window a copy starts nothing with the old flood.
    clock.advance(hours=2)
    account = store.accounts()[0].id
    add_case(store, account, "lonely", SPAM[0].format(tag="zz9"), clock)
    assert store.refresh_clusters() == []
    assert [c.size for c in store.clusters()] == [8]


def test_a_scan_with_nothing_new_is_two_statements(store: Store, clock: FakeClock) -> None:
    flood(store, clock, n=4)
    store.refresh_clusters()
    statements: list[str] = []

    def on_execute(_conn: object, _cursor: object, sql: str, *_args: object) -> None:
        statements.append(sql)

    event.listen(store.db.engine, "before_cursor_execute", on_execute)
    try:
        store.refresh_clusters()
    finally:
        event.remove(store.db.engine, "before_cursor_execute", on_execute)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2, statements


def test_short_and_unrelated_texts_do_not_cluster(store: Store, clock: FakeClock) -> None:
    account = accounts(store)[0]
    for i in range(5):
        add_case(store, account, f"thanks{i}", "Thanks!", clock)
    add_case(store, account, "q1", "Do you deliver to Hanoi on weekends?", clock)
    add_case(store, account, "q2", "My card was charged twice for order 1234", clock)
    assert store.refresh_clusters() == []
    assert store.clusters() == []


def test_answer_all_queues_one_reply_per_open_case(store: Store, clock: FakeClock) -> None:
    flood(store, clock, n=5)
    cluster = store.refresh_clusters()[0]
    members = store.cluster_cases(cluster.id)
    store.resolve(members[0].id, "lee")

    replies = store.cluster_answer_all(cluster.id, "Please ignore this spam, we are on it", "lee")
    assert len(replies) == 4
    assert len({r.id for r in replies}) == 4
    assert sorted(r.case_id for r in replies) == sorted(c.id for c in members[1:])
    assert all(r.state == "queued" and r.agent == "lee" for r in replies)
    assert store.outbox_count() == 4
    with pytest.raises(ValueError):
        store.cluster_answer_all(cluster.id, "   ", "lee")
    assert store.outbox_count() == 4


def test_route_all_routes_every_open_case(store: Store, clock: FakeClock) -> None:
    flood(store, clock, n=4)
    cluster = store.refresh_clusters()[0]
    dept = store.add_department("Flood desk")
    name, ids = store.cluster_route_all(cluster.id, "flood DESK", "lee")
    assert name == "Flood desk" and len(ids) == 4
    assert {c.department for c in store.cluster_cases(cluster.id)} == {dept.name}
    with pytest.raises(NotFound):
        store.cluster_route_all(cluster.id, "Nowhere", "lee")
    with pytest.raises(NotFound):
        store.cluster_cases(cluster.id + 100)


def negative_cases(store: Store, clock: FakeClock, n: int, spread: timedelta,
                   prefix: str = "a") -> list[int]:
    ids = accounts(store) if not store.accounts() else [a.id for a in store.accounts()]
    made = []
    for i in range(n):
        ago = spread * (n - 1 - i) / max(n - 1, 1)
        made.append(add_case(store, ids[i % len(ids)], f"{prefix}{i}",
                             ANGRY[i % len(ANGRY)] + f" ({prefix}{i})", clock, ago))
    return made


def test_five_negative_cases_in_ten_minutes_raise_exactly_one_alert(
    store: Store, clock: FakeClock,
) -> None:
    made = negative_cases(store, clock, 5, timedelta(minutes=8))
    alert = store.check_crisis()
    assert alert is not None
    assert sorted(alert.case_ids) == sorted(made)
    assert alert.networks == ("mastodon", "telegram", "vk")
    assert alert.threshold == 5 and alert.window == timedelta(minutes=10)
    assert alert.detected_at == clock.now
    for case_id in made:
        events = [e for e in store.case(case_id).events if e.kind == CRISIS_ALERT_EVENT]
        assert len(events) == 1 and events[0].data["key"] == alert.key
    assert store.latest_crisis_alert() == alert

    # The same spike is not reported again, even as it goes on.
    assert store.check_crisis() is None
    clock.advance(minutes=3)
    negative_cases(store, clock, 3, timedelta(minutes=1), prefix="more")
    assert store.check_crisis() is None

    # A new spike after a quiet window is a new alert.
    clock.advance(minutes=30)
    again = negative_cases(store, clock, 5, timedelta(minutes=2), prefix="next")
    second = store.check_crisis()
    assert second is not None and second.key != alert.key
    assert sorted(second.case_ids) == sorted(again)


def test_four_negative_cases_raise_nothing(store: Store, clock: FakeClock) -> None:
    negative_cases(store, clock, 4, timedelta(minutes=5))
    account = store.accounts()[0].id
    for i in range(3):
        add_case(store, account, f"calm{i}", f"Hello, where is my parcel number {i}?", clock)
    assert store.check_crisis() is None
    assert store.latest_crisis_alert() is None


def test_five_negative_cases_spread_over_more_than_the_window_raise_nothing(
    store: Store, clock: FakeClock,
) -> None:
    negative_cases(store, clock, 5, timedelta(minutes=25))
    assert store.check_crisis() is None
    assert store.check_crisis(threshold=3, window=timedelta(minutes=15)) is not None


def test_old_history_is_noted_not_fingerprinted_on_the_first_scan(
    store: Store, clock: FakeClock,
) -> None:
    flood(store, clock, n=4)
    clock.advance(hours=5)
    assert store.refresh_clusters() == []  # all older than the first-scan horizon
    flood(store, clock, n=3, prefix="new")
    assert [c.size for c in store.refresh_clusters()] == [3]
