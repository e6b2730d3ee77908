"""Poll leases on both engines: one desk of a team polls each account."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from smm_desk.store.api import Store
from smm_desk.store.database import Database
from tests.conftest import FakeClock

TTL = timedelta(seconds=90)


@pytest.fixture
def store(db_url: str, clock: FakeClock) -> Iterator[Store]:
    s = Store(Database.open(db_url), clock)
    yield s
    s.close()


def test_one_holder_at_a_time_until_the_lease_runs_out(store: Store, clock: FakeClock) -> None:
    account = store.add_account("telegram", "@bot").id
    assert store.poll_lease_holder(account) is None
    assert store.take_poll_lease(account, "desk-a", TTL)
    assert not store.take_poll_lease(account, "desk-b", TTL)
    clock.advance(seconds=80)
    assert store.take_poll_lease(account, "desk-a", TTL)  # renewed: 90 s from now
    clock.advance(seconds=80)
    assert not store.take_poll_lease(account, "desk-b", TTL)
    assert store.poll_lease_holder(account) == "desk-a"
    clock.advance(seconds=11)  # desk a stopped renewing (it died): the lease ran out
    assert store.poll_lease_holder(account) is None
    assert store.take_poll_lease(account, "desk-b", TTL)
    assert not store.take_poll_lease(account, "desk-a", TTL)
    assert store.poll_lease_holder(account) == "desk-b"


def test_a_release_frees_only_that_holders_accounts(store: Store) -> None:
    first = store.add_account("telegram", "@one").id
    second = store.add_account("vk", "club").id
    assert store.take_poll_lease(first, "desk-a", TTL)
    assert store.take_poll_lease(second, "desk-b", TTL)
    store.release_poll_leases("desk-a")
    assert store.poll_lease_holder(first) is None
    assert store.poll_lease_holder(second) == "desk-b"
    assert store.take_poll_lease(first, "desk-c", TTL)


def test_removing_an_account_removes_its_lease(store: Store) -> None:
    account = store.add_account("telegram", "@bot").id
    assert store.take_poll_lease(account, "desk-a", TTL)
    store.remove_account(account)
    again = store.add_account("telegram", "@bot").id
    assert store.take_poll_lease(again, "desk-b", TTL)
