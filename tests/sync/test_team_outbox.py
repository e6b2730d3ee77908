"""Two desks of a team, one database: a queued reply leaves once.

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

from smm_desk.store import outbox
from smm_desk.store.api import Store
from smm_desk.store.database import Database
from smm_desk.store.errors import Conflict
from tests.conftest import FakeClock
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
