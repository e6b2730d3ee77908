"""The ingest and alert fast paths equal the general ones they stand in for.

* A new case's row is built as a list in ``NEW_CASE_COLUMNS`` order, its clock
  from ``NewInboundValues`` (fixed offsets without a calendar) and routing
  applied by position: the same row as the dict builder it replaced, with the
  general clock (``evaluate``) and the routing decision applied by name.
* On both engines, the snapshot columns a batch writes for its new cases are
  the ones ``refresh_sla`` computes again from the stored history.
* The bulk helpers' caches change no value: the reverse time cache gives what
  parsing gives, the JSON column encodes a shared object as ``json.dumps`` does.
* The alert pass reads recorded keys through each case's events (SQLite's plan).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from smm_desk.domain.enums import CaseStatus, Direction
from smm_desk.domain.records import IncomingMessage, MessageKind, Priority
from smm_desk.domain.rules import Actions, Conditions, Decision, Rule
from smm_desk.domain.sla import (
    MessagePoint,
    SlaPolicy,
    StatusChange,
    evaluate,
    evaluate_new_inbound,
)
from smm_desk.store import bulk, routing
from smm_desk.store.alerts import _CASE_ALERT_KINDS, _reported
from smm_desk.store.api import Store
from smm_desk.store.database import Database
from smm_desk.store.ingest import NEW_CASE_COLUMNS, NEW_CASE_POSITION, _case_kind, _new_case_row
from smm_desk.store.models import Case
from smm_desk.store.sla_state import (
    SNAPSHOT_COLUMNS,
    NewInboundValues,
    PolicyBook,
    refresh_sla,
    snapshot_columns,
    snapshot_values,
)
from tests.conftest import FakeClock
from tests.domain.test_sla import BASES, policies
from tests.store.test_bulk import JSON_VALUES
from tests.support.factories import inbound, outbound

ZONES = st.sampled_from([UTC, timezone(timedelta(hours=5)), timezone(-timedelta(hours=3))])


# -- the clock of a new case ----------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(policy=policies, base=st.sampled_from(BASES), minutes=st.integers(-600, 3000),
       micro=st.sampled_from([0, 1, 999_999]), zone=ZONES, now=st.integers(-3000, 6000))
def test_new_inbound_values_are_the_clocks_snapshot(
    policy: SlaPolicy, base: datetime, minutes: int, micro: int, zone: timezone, now: int,
) -> None:
    start = (base + timedelta(minutes=minutes, microseconds=micro)).astimezone(zone)
    expected = snapshot_values(evaluate_new_inbound(policy, start))
    assert NewInboundValues(policy)(start) == expected
    general = evaluate(policy, [MessagePoint(Direction.INBOUND, start)],
                       [StatusChange(start, CaseStatus.NEW)], base + timedelta(minutes=now))
    assert snapshot_values(general) == expected
    assert dict(zip(SNAPSHOT_COLUMNS, expected, strict=True)) == snapshot_columns(general)


# -- a new case's row -----------------------------------------------------------------------

_AT = datetime(2026, 11, 2, 9, tzinfo=UTC)


@st.composite
def threads(draw: st.DrawFn) -> list[IncomingMessage]:
    """A new case's messages as ingest holds them: oldest first."""
    specs = draw(st.lists(st.tuples(
        st.sampled_from(Direction), st.sampled_from(MessageKind), st.integers(-120, 30),
        st.sampled_from(["", "Anna", "Bo"]), ZONES, st.none() | st.just("post-1")),
        min_size=1, max_size=4))
    messages = [
        IncomingMessage(f"m{i}", "dm:1", direction, kind, f"text {i}",
                        (_AT + timedelta(minutes=minute)).astimezone(zone), f"id-{name or i}",
                        name, post_external_id=post)
        for i, (direction, kind, minute, name, zone, post) in enumerate(specs)
    ]
    return sorted(messages, key=lambda m: m.created_at)


@st.composite
def outcomes(draw: st.DrawFn, policy: SlaPolicy) -> routing.Routed | None:
    if draw(st.booleans()):
        return None
    spam = draw(st.booleans())
    columns: dict[str, Any] = {"tags": draw(st.lists(st.sampled_from(["a", "b"]), max_size=2))}
    for name, values in (("department_id", st.integers(1, 5)),
                         ("priority", st.sampled_from([p.value for p in Priority])),
                         ("assignee", st.just("lee")), ("sla_policy_id", st.integers(1, 3))):
        if draw(st.booleans()):
            columns[name] = draw(values)
    if spam:
        columns["status"] = CaseStatus.SPAM.value
        columns["resolved_at"] = _AT
    return routing.Routed(Decision(spam=spam), columns, policy, {}, {})


def reference_row(account_id: int, network: str, key: str, thread: list[IncomingMessage],
                  now: datetime, policy: SlaPolicy,
                  routed: routing.Routed | None) -> dict[str, Any]:
    """The row as the dict builder made it, with the general clock (``evaluate``)
    and the decision applied by column name."""
    inbound = [m for m in thread if m.direction == Direction.INBOUND]
    outbound = [m for m in thread if m.direction == Direction.OUTBOUND]
    customer = inbound[0] if inbound else thread[0]
    opened_at = thread[0].created_at
    points = [MessagePoint(m.direction, m.created_at) for m in thread]
    snapshot = evaluate(policy, points, [StatusChange(opened_at, CaseStatus.NEW)], now)
    row: dict[str, Any] = {
        "account_id": account_id, "network": network, "thread_key": key,
        "kind": _case_kind(thread), "status": CaseStatus.NEW.value, "priority": "normal",
        "tags": [], "customer_id": customer.author_id,
        "customer_name": (inbound[-1].author_name if inbound and inbound[-1].author_name
                          else customer.author_name),
        "post_external_id": thread[0].post_external_id,
        "last_inbound_text": inbound[-1].text if inbound else "",
        "last_inbound_at": inbound[-1].created_at if inbound else None,
        "last_message_at": thread[-1].created_at,
        "first_response_at": outbound[0].created_at if outbound else None,
        "opened_at": opened_at, "updated_at": now, **snapshot_columns(snapshot),
        "department_id": None, "assignee": None, "sla_policy_id": None, "resolved_at": None,
    }
    if routed is not None:
        row.update(routed.columns)
        if routed.spam:
            row.update(snapshot_columns(evaluate(
                routed.policy, points,
                [StatusChange(opened_at, CaseStatus.NEW), StatusChange(now, CaseStatus.SPAM)],
                now)))
    return row


class _Book(PolicyBook):
    """A policy book without a database (``_new_case_row`` asks it for clocks only)."""

    def __init__(self) -> None:
        self._new_inbound = {}


@settings(max_examples=300, deadline=None)
@given(data=st.data(), thread=threads(), policy=policies, now=st.integers(-60, 600))
def test_a_new_case_row_is_the_dict_builders_row(
    data: st.DataObject, thread: list[IncomingMessage], policy: SlaPolicy, now: int,
) -> None:
    at = _AT + timedelta(minutes=now)
    routed = data.draw(outcomes(policy))
    row = _new_case_row(7, "vk", "dm:1", thread, at,
                        routed.policy if routed else policy, _Book())
    if routed is not None:
        routing.apply(routed, row, NEW_CASE_POSITION, thread, at)
    assert len(row) == len(NEW_CASE_COLUMNS)
    assert dict(zip(NEW_CASE_COLUMNS, row, strict=True)) == reference_row(
        7, "vk", "dm:1", thread, at, policy, routed)


# -- on both engines: what a batch writes is what the clock computes again ----------------------


@pytest.fixture
def store(db_url: str, clock: FakeClock) -> Iterator[Store]:
    s = Store(Database.open(db_url), clock)
    yield s
    s.close()


def _snapshots(store: Store) -> dict[int, tuple[Any, ...]]:
    columns = [getattr(Case, name) for name in SNAPSHOT_COLUMNS]
    with store.db.reading() as session:
        return {row[0]: tuple(row[1:]) for row in session.execute(select(Case.id, *columns))}


def test_new_cases_carry_the_snapshot_their_history_gives(store: Store,
                                                           clock: FakeClock) -> None:
    """Routed, spam, answered, mentioned, paced and zoned new cases of one batch:
    ``refresh_sla`` recomputes each snapshot from the stored messages and status
    changes with the general clock, and finds nothing to change."""
    fast = store.add_department("Fast", first_response=timedelta(minutes=3))
    store.save_rules([
        Rule("spam", "Spam", conditions=Conditions(keywords=("followers",)),
             actions=Actions(spam=True)),
        Rule("fast", "Fast", conditions=Conditions(keywords=("gold",)),
             actions=Actions(department=fast.name, priority=Priority.HIGH, tags=("vip",))),
    ])
    account = store.add_account("vk", "club1").id
    t0 = clock.now - timedelta(minutes=30)
    plus5 = timezone(timedelta(hours=5))
    batch: Sequence[IncomingMessage] = [
        inbound("a1", t0, "hello", thread="dm:a", author="A"),
        inbound("b1", t0.astimezone(plus5), "gold member", thread="dm:b", author="B"),
        inbound("c1", t0 + timedelta(seconds=1), "cheap followers", thread="dm:c", author="C"),
        inbound("d1", t0, "where is it", thread="dm:d", author="D"),
        outbound("d2", t0 + timedelta(minutes=2), thread="dm:d"),
        outbound("e1", t0, thread="dm:e"),
        inbound("f1", t0, "@brand hi", thread="mention:f", author="F",
                kind=MessageKind.MENTION),
        inbound("f2", t0 + timedelta(minutes=40), "again", thread="mention:f", author=""),
        inbound("g1", t0 + timedelta(microseconds=7), "gold again", thread="dm:g", author="G"),
    ]
    store.ingest(account, "u", batch, "1")
    written = _snapshots(store)
    assert len(written) == 7
    with store.db.transaction() as session:
        refresh_sla(session, list(written), clock.now)
    assert _snapshots(store) == written
    spam = [c for c in store.queue(statuses=["spam"])]
    assert [c.customer for c in spam] == ["C"]


# -- bulk caches ---------------------------------------------------------------------------------


@given(st.datetimes(timezones=st.just(UTC) | st.timezones()), st.booleans())
def test_a_time_written_reads_back_as_parsing_gives(value: datetime, fold: bool) -> None:
    """The reverse cache answers exactly what parsing the written text answers."""
    value = value.replace(fold=int(fold))
    if value.utcoffset() is None:
        return
    bulk._TIME_TEXT.clear()
    bulk._TEXT_TIME.clear()
    text = bulk._sqlite_time_cached(value)
    assert text is not None
    cached = bulk._sqlite_time_back(text)
    bulk._TEXT_TIME.clear()
    parsed = bulk._sqlite_time_back(text)
    assert cached == parsed == value.astimezone(UTC)
    assert cached.tzinfo is UTC and parsed.tzinfo is UTC
    assert (cached.fold, type(cached)) == (parsed.fold, type(parsed))
    assert cached.isoformat() == parsed.isoformat()


@given(st.lists(JSON_VALUES, max_size=6), st.lists(st.integers(0, 5), max_size=12))
def test_a_json_column_encodes_as_json_dumps(values: list[Any], picks: list[int]) -> None:
    """Shared objects (by identity) and distinct ones, each as ``json.dumps`` writes it."""
    column = [values[i % len(values)] for i in picks] if values else []
    column.append(None)
    expected = [None if v is None else json.dumps(v, ensure_ascii=False) for v in column]
    assert bulk._json_column(column) == expected


# -- the alert pass's read of recorded keys -----------------------------------------------------


def test_recorded_keys_are_read_through_each_cases_events(store: Store,
                                                          clock: FakeClock) -> None:
    """SQLite would walk the (kind, at) index over every alert ever recorded;
    the read goes through ``events (case_id, id)`` and finds the keys."""
    account = store.add_account("telegram", "bot").id
    store.ingest(account, "u", [inbound(f"m{i}", clock.now, thread=f"dm:{i}")
                                for i in range(3)], None)
    clock.advance(minutes=30)
    assert store.record_sla_alerts()
    ids = [c.id for c in store.queue(limit=None)]
    with store.db.transaction() as session:
        keys = _reported(session, ids, _CASE_ALERT_KINDS)
        assert set(keys) == set(ids)
        assert all(any(k.startswith("first_response:breached:") for k in v)
                   for v in keys.values())
        if session.get_bind().dialect.name == "sqlite":
            marks = ", ".join("?" for _ in _CASE_ALERT_KINDS)
            ids_marks = ", ".join("?" for _ in range(100))
            plan = bulk.run(session, "EXPLAIN QUERY PLAN SELECT case_id, data FROM events "
                                     f"WHERE (kind || '') IN ({marks}) AND case_id IN "
                                     f"({ids_marks})", (*_CASE_ALERT_KINDS, *range(100)))
            assert any("ix_events_case_id_id" in str(row[-1]) for row in plan)
