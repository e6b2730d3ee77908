"""Bulk paths stay set-based: statement count does not grow with row count."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event

from smm_desk.store import bulk
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
    inside_bulk = False

    def on_execute(*_args: object) -> None:
        nonlocal statements
        if not inside_bulk:  # PostgreSQL's bulk statements pass here too: count once
            statements += 1

    plain = bulk._execute

    def counted(*args: Any, **kwargs: Any) -> Any:
        # The bulk helpers run SQLite statements on the driver's cursor, past
        # SQLAlchemy's events: count them where they are issued.
        nonlocal statements, inside_bulk
        statements += 1
        inside_bulk = True
        try:
            return plain(*args, **kwargs)
        finally:
            inside_bulk = False

    event.listen(store.db.engine, "before_cursor_execute", on_execute)
    bulk._execute = counted
    try:
        result = store.ingest(account.id, "u", batch, cursor=str(n))
    finally:
        bulk._execute = plain
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


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@given(JSON_VALUES)
def test_fast_json_text_equals_json_dumps(value: object) -> None:
    """The bulk path's prebuilt C encoder writes what json.dumps writes."""
    assert bulk._encode_json(value) == json.dumps(value, ensure_ascii=False)


def test_fast_json_text_refuses_what_json_cannot_hold() -> None:
    with pytest.raises(TypeError):
        bulk._encode_json({"at": object()})


@given(st.datetimes(timezones=st.timezones()))
def test_cached_time_text_is_the_instant_in_utc(value: datetime) -> None:
    """The shared cache keys by instant: any zone of one instant, one UTC text."""
    from datetime import UTC

    if value.utcoffset() is None:  # a zone that cannot place this wall time
        return
    expected = value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ",
                                                                     timespec="microseconds")
    assert bulk._sqlite_time_cached(value) == expected
    assert bulk._sqlite_time_cached(value.astimezone(UTC)) == expected


def test_cached_time_text_refuses_naive_times() -> None:
    with pytest.raises(ValueError, match="naive"):
        bulk._sqlite_time_cached(datetime(2026, 11, 2, 9))  # noqa: DTZ001 - the point


def test_driver_errors_on_the_fast_path_become_store_errors(store: Store) -> None:
    """Statements run past SQLAlchemy still fail the way every store call fails."""
    from datetime import UTC

    from smm_desk.store.errors import StoreError
    from smm_desk.store.models import Base

    with pytest.raises(StoreError, match="no such table|does not exist"):
        with store.db.transaction() as session:
            bulk.run(session, "SELECT id FROM no_such_table WHERE id = ?", (1,))
    events = Base.metadata.tables["events"]
    with pytest.raises(StoreError, match="(?i)foreign key"):
        with store.db.transaction() as session:
            bulk.insert_rows(session, events, ("case_id", "at", "kind", "actor", "data"),
                             [(999_999, datetime(2026, 1, 1, tzinfo=UTC), "note", "test", {})])


@given(st.datetimes(timezones=st.just(UTC)))
def test_a_time_read_back_writes_the_text_it_was_read_from(value: datetime) -> None:
    text = bulk._sqlite_time(value)
    bulk._TIME_TEXT.clear()
    assert bulk._sqlite_time_back(text) == value
    assert bulk._sqlite_time_cached(value) == text
