"""Two desks of a team, one database: a queued reply leaves once, and one desk
polls each account.

Every desk runs its own outbox loop over the shared database (PostgreSQL for
teams; two processes on one SQLite file for a desk beside a headless
``smm-desk sync``). Whoever claims a reply first sends it; the other must see
it taken, on both engines, even when both read it as queued at the same moment.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from smm_desk.connectors.base import FetchResult
from smm_desk.store import outbox
from smm_desk.store.api import Store
from smm_desk.store.database import Database
from smm_desk.store.errors import Conflict
from smm_desk.sync.engine import SyncEngine
from tests.conftest import FakeClock
from tests.support.factories import inbound
from tests.sync.test_engine import Script, make_engine, run, seed_reply


@pytest.fixture
def desks(db_url: str, clock: FakeClock) -> Iterator[tuple[Store, Store]]:
    a = Store(Database.open(db_url), clock)
    b = Store(Database.open(db_url), clock)
    yield a, b
    a.close()
    b.close()


def test_a_claim_racing_an_open_claim_waits_and_finds_it_taken(
        desks: tuple[Store, Store], clock: FakeClock) -> None:
    a, b = desks
    a.add_account("telegram", "a")
    reply_id = seed_reply(a, clock)
    held, release = threading.Event(), threading.Event()
    outcome: dict[str, str] = {}

    def desk_a() -> None:
        with a.db.transaction() as session:  # claimed, not yet committed
            outbox.claim(session, reply_id, clock())
            held.set()
            release.wait(10)
        outcome["a"] = "claimed"

    def desk_b() -> None:
        held.wait(10)
        try:
            b.claim_reply(reply_id)
            outcome["b"] = "claimed"
        except Conflict:
            outcome["b"] = "taken"

    threads = [threading.Thread(target=desk_a), threading.Thread(target=desk_b)]
    for thread in threads:
        thread.start()
    held.wait(10)
    time.sleep(0.3)  # desk b is now waiting on desk a's transaction
    assert "b" not in outcome
    release.set()
    for thread in threads:
        thread.join(15)
    assert outcome == {"a": "claimed", "b": "taken"}
    assert b.reply(reply_id).attempts == 1


def test_an_outbox_loop_that_loses_the_race_skips_the_reply(
        desks: tuple[Store, Store], clock: FakeClock) -> None:
    a, b = desks
    a.add_account("telegram", "a")
    reply_id = seed_reply(a, clock)
    script = Script()
    engine = make_engine(b, script)

    async def deliver_after_desk_a_took_it() -> bool:
        states = await engine.refresh_accounts()  # desk b read the reply as queued …
        a.claim_reply(reply_id)  # … and desk a claimed it just before desk b's claim
        try:
            return await engine.delivery.deliver(states[0], reply_id)
        finally:
            await engine.aclose()

    assert run(deliver_after_desk_a_took_it()) is False
    assert script.sent == []
    assert b.reply(reply_id).state == "sending" and b.reply(reply_id).attempts == 1


def test_one_desk_polls_each_account_and_another_takes_over_when_it_stops(
        desks: tuple[Store, Store], clock: FakeClock) -> None:
    a, b = desks
    a.add_account("telegram", "a")
    script = Script()
    script.pages["a"] = [FetchResult([inbound("m1", clock.now, thread="dm:1")], "c1",
                                     more=True),
                         FetchResult([inbound("m2", clock.now, thread="dm:2")], "c2")]
    desk_a, desk_b = make_engine(a, script, holder="desk-a"), make_engine(b, script,
                                                                            holder="desk-b")
    try:
        assert run(desk_a.sync_once()).inserted == 2
        assert run(desk_b.sync_once()).inserted == 0  # desk a polls this account
        assert script.fetch_calls == {"a": 2}  # one poll of two pages, all by desk a
        run(desk_a.aclose())  # desk a closes: its leases go with it
        script.pages["a"] = [FetchResult([inbound("m3", clock.now, thread="dm:3")], "c3")]
        assert run(desk_b.sync_once()).inserted == 1
        assert b.poll_lease_holder(b.accounts()[0].id) == "desk-b"
    finally:
        run(desk_b.aclose())


def test_a_desk_that_died_is_replaced_when_its_lease_runs_out(
        desks: tuple[Store, Store], clock: FakeClock) -> None:
    a, b = desks
    a.add_account("telegram", "a")
    script = Script()
    desk_a, desk_b = make_engine(a, script, holder="desk-a"), make_engine(b, script,
                                                                            holder="desk-b")
    run(desk_a.sync_once())  # desk a takes the lease … and dies without closing
    account = a.accounts()[0].id
    assert a.poll_lease_holder(account) == "desk-a"
    run(desk_b.sync_once())
    assert a.poll_lease_holder(account) == "desk-a"
    clock.advance(seconds=desk_a.lease_ttl.total_seconds() + 1)
    script.pages["a"] = [FetchResult([inbound("late", clock.now, thread="dm:9")], "c9")]
    assert run(desk_b.sync_once()).inserted == 1
    assert b.poll_lease_holder(account) == "desk-b"
    run(desk_b.aclose())
    desk_a.db.close()  # what is left of desk a


def _desk_a_sending(a: Store, clock: FakeClock) -> tuple[SyncEngine, Script, str]:
    """Desk a polls the account (its lease says it is alive) and is sending a reply."""
    a.add_account("telegram", "a")
    reply_id = seed_reply(a, clock)
    script = Script()
    desk_a = make_engine(a, script, holder="desk-a")
    assert a.take_poll_lease(a.accounts()[0].id, "desk-a", desk_a.lease_ttl)
    a.claim_reply(reply_id, "desk-a")
    return desk_a, script, reply_id


def test_a_starting_desk_leaves_a_live_desks_send_to_it_and_settles_it_once_gone(
        desks: tuple[Store, Store], clock: FakeClock) -> None:
    a, b = desks
    desk_a, script, reply_id = _desk_a_sending(a, clock)
    desk_b = make_engine(b, script, holder="desk-b")
    try:
        assert run(desk_b.delivery.settle_all()) == 0  # desk b starts: not its crash
        account = a.accounts()[0].id
        for _ in range(2):  # desk a lives on, renewing its lease; its send gets old
            clock.advance(seconds=60)
            assert a.take_poll_lease(account, "desk-a", desk_a.lease_ttl)
            assert run(desk_b.delivery.settle_all(orphans_only=True)) == 0
        assert b.reply(reply_id).state == "sending"
        # Desk a dies: no more renewals; once its lease runs out, desk b's outbox
        # loop settles the send (no copy or key here: marked uncertain).
        clock.advance(seconds=desk_a.lease_ttl.total_seconds() - 60)
        assert run(desk_b.delivery.settle_all(orphans_only=True)) == 0
        clock.advance(seconds=61)
        assert run(desk_b.delivery.settle_all(orphans_only=True)) == 1
        assert b.reply(reply_id).state != "sending" and script.sent == []
    finally:
        run(desk_b.aclose())
        desk_a.db.close()


def test_a_desk_restarted_after_a_crash_settles_its_own_send_at_start(
        desks: tuple[Store, Store], clock: FakeClock) -> None:
    a, b = desks
    desk_a, script, reply_id = _desk_a_sending(a, clock)  # … and desk a is killed mid-send
    desk_a.db.close()
    restarted = make_engine(b, script, holder="desk-a")  # same machine, same user
    try:
        assert run(restarted.delivery.settle_all(orphans_only=True)) == 0  # the loop: not
        assert run(restarted.delivery.settle_all()) == 1  # the start: its own, at once
        assert b.reply(reply_id).state != "sending"
    finally:
        run(restarted.aclose())
