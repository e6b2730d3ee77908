"""Bulk paths stay set-based: statement count does not grow with row count."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import event

from smm_desk.store.api import Store
from smm_desk.store.database import Database
from tests.conftest import FakeClock
from tests.support.factories import inbound


@pytest.fixture
def store(db_url: str, clock: FakeClock) -> Iterator[Store]:
    s = Store(Database.open(db_url), clock)
    yield s
    s.close()


def count_statements(store: Store, n: int, clock: FakeClock, offset: int = 0) -> int:
    account = store.accounts()[0]
    batch = [
        inbound(f"m{offset + i}", clock.now - timedelta(seconds=i), f"text {i}",
                thread=f"dm:{(offset + i) // 2}")
        for i in range(n)
    ]
    statements = 0

    def on_execute(*_args: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(store.db.engine, "before_cursor_execute", on_execute)
    try:
        result = store.ingest(account.id, "u", batch, cursor=str(n))
    finally:
        event.remove(store.db.engine, "before_cursor_execute", on_execute)
    assert result.inserted == n
    return statements


def test_ingest_statement_count_is_independent_of_batch_size(
    store: Store, clock: FakeClock
) -> None:
    store.add_account("vk", "club1")
    small = count_statements(store, 200, clock)
    large = count_statements(store, 4000, clock, offset=10_000)
    # 20x the rows may cost a few more chunked statements, never 20x the statements.
    assert large < small * 3, (small, large)
    assert large < 200
    assert len(store.queue()) == (200 + 4000) // 2


def test_bulk_times_read_back_exactly(store: Store, clock: FakeClock) -> None:
    """The fast path writes times in the format the ORM reads (both engines)."""
    from datetime import UTC, datetime, timezone

    store.add_account("vk", "club1")
    account = store.accounts()[0]
    odd = datetime(2026, 3, 29, 1, 59, 59, 999_999, tzinfo=timezone(timedelta(hours=5)))
    exact = datetime(2026, 11, 2, 8, 0, 0, 1, tzinfo=UTC)
    store.ingest(account.id, "u", [inbound("a", odd, thread="dm:a"),
                                   inbound("b", exact, thread="dm:b")], None)
    by_customer = {c.waiting_since for c in store.queue()}
    assert by_customer == {odd.astimezone(UTC), exact}
    assert all(t is not None and t.tzinfo == UTC for t in by_customer)
