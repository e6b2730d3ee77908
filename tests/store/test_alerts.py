"""SLA alerts in the store on SQLite and PostgreSQL: the resolution clock's and
a department's clock's warnings and breaches, recorded once each, and how a
failed handoff is logged."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, update

from smm_desk.domain.enums import CaseStatus
from smm_desk.domain.sla import (
    SlaState,
    SlaTarget,
    alert_key,
    due_alerts,
    due_resolution_alerts,
)
from smm_desk.store.alerts import ALERT_KINDS, RESOLUTION_KINDS, record_due_alerts
from smm_desk.store.api import Store
from smm_desk.store.database import Database
from smm_desk.store.handoffs import WebhookTarget
from smm_desk.store.models import Case, Event
from smm_desk.store.sla_state import EARLIEST, next_alert_at, snapshot_of
from tests.conftest import FakeClock
from tests.support.factories import inbound, outbound

RESOLUTION = ("resolution_warning", "resolution_breached")
DEPARTMENT = ("department_warning", "department_breached")


@pytest.fixture
def store(db_url: str, clock: FakeClock) -> Iterator[Store]:
    s = Store(Database.open(db_url), clock)
    yield s
    s.close()


def answered_case(store: Store, clock: FakeClock) -> int:
    """A case answered at once: no response clock, only the resolution clock runs."""
    account = store.add_account("vk", "club1")
    store.ingest(account.id, "wall", [inbound("m1", clock.now),
                                      outbound("o1", clock.now + timedelta(minutes=1))], "c")
    return store.queue()[0].id


def kinds(store: Store, case_id: int, wanted: tuple[str, ...]) -> list[str]:
    return [e.kind for e in store.case(case_id).events if e.kind in wanted]


def test_resolution_warning_and_breach_are_recorded_once(store: Store,
                                                         clock: FakeClock) -> None:
    start = clock.now
    case_id = answered_case(store, clock)
    clock.advance(hours=19)
    assert store.record_sla_alerts() == []
    clock.advance(minutes=13)  # 19.2 h: 80 % of the default 24 h
    assert store.record_sla_alerts() == [(case_id, "resolution_warning")]
    assert store.record_sla_alerts() == []
    clock.advance(hours=5)
    assert store.record_sla_alerts() == [(case_id, "resolution_breached")]
    clock.advance(hours=5)
    assert store.record_sla_alerts() == []
    events = [e for e in store.case(case_id).events if e.kind in RESOLUTION]
    assert [(e.kind, e.at, e.actor, e.data["target"]) for e in events] == [
        ("resolution_warning", start + timedelta(hours=19.2), "sla", "resolution"),
        ("resolution_breached", start + timedelta(hours=24), "sla", "resolution"),
    ]
    # They reach the tray through the same feed as the response alerts.
    assert [a.kind for a in store.sla_alerts_after(0)] == list(RESOLUTION)


def test_late_noticed_resolution_breach_warns_first_and_resolved_cases_owe_nothing(
    store: Store, clock: FakeClock,
) -> None:
    case_id = answered_case(store, clock)
    account = store.accounts()[0].id
    store.ingest(account, "wall", [inbound("x1", clock.now, thread="dm:other")], "c2")
    other = next(c.id for c in store.queue() if c.id != case_id)
    store.resolve(other, "lee")
    clock.advance(hours=30)
    pairs = store.record_sla_alerts()
    assert [p for p in pairs if p[1] in RESOLUTION] == [
        (case_id, "resolution_warning"), (case_id, "resolution_breached")]
    assert kinds(store, other, RESOLUTION) == []


def test_a_pause_resumes_the_same_resolution_run(store: Store, clock: FakeClock) -> None:
    start = clock.now
    case_id = answered_case(store, clock)
    clock.advance(hours=1)
    store.set_status(case_id, CaseStatus.WAITING_CUSTOMER, "lee")
    clock.advance(hours=30)
    assert store.record_sla_alerts() == []  # paused: the clock does not run
    store.set_status(case_id, CaseStatus.OPEN, "lee")
    clock.advance(hours=19)
    assert store.record_sla_alerts() == [(case_id, "resolution_warning")]
    event = [e for e in store.case(case_id).events if e.kind == "resolution_warning"][0]
    assert event.at == start + timedelta(hours=19.2 + 30)
    clock.advance(hours=6)
    assert store.record_sla_alerts() == [(case_id, "resolution_breached")]
    store.set_status(case_id, CaseStatus.WAITING_CUSTOMER, "lee")
    store.set_status(case_id, CaseStatus.OPEN, "lee")
    assert store.record_sla_alerts() == []


def handed_off(store: Store, clock: FakeClock) -> tuple[int, str]:
    case_id = answered_case(store, clock)
    store.add_department("Legal", first_response=timedelta(hours=2))
    store.set_handoff_target("Legal", WebhookTarget("https://h.test/in"))
    handoff = store.queue_handoff(case_id, "threat of a lawsuit", "lee", department="Legal")
    return case_id, handoff.id


def test_department_warning_and_breach_name_the_department_once(
    store: Store, clock: FakeClock,
) -> None:
    start = clock.now
    case_id, handoff_id = handed_off(store, clock)
    clock.advance(minutes=95)
    assert store.record_sla_alerts() == []
    clock.advance(minutes=2)  # 80 % of Legal's two hours
    assert store.record_sla_alerts() == [(case_id, "department_warning")]
    store.handoff_sent(handoff_id, "HTTP 200", "webhook")
    assert store.record_sla_alerts() == []
    clock.advance(minutes=30)
    assert store.record_sla_alerts() == [(case_id, "department_breached")]
    clock.advance(hours=3)
    assert store.record_sla_alerts() == []
    events = [e for e in store.case(case_id).events if e.kind in DEPARTMENT]
    assert [(e.kind, e.at, e.data["department"], e.data["handoff_id"]) for e in events] == [
        ("department_warning", start + timedelta(minutes=96), "Legal", handoff_id),
        ("department_breached", start + timedelta(hours=2), "Legal", handoff_id),
    ]
    # Not a customer-facing SLA alert: the tray feed leaves them to the case's log.
    assert all(a.kind not in DEPARTMENT for a in store.sla_alerts_after(0))


def test_department_clock_stops_with_its_answer_or_when_the_case_stops_waiting(
    store: Store, clock: FakeClock,
) -> None:
    case_id, _handoff_id = handed_off(store, clock)
    clock.advance(minutes=10)
    store.record_department_answer(case_id, "we will call them", "lee")
    clock.advance(hours=5)
    assert kinds(store, case_id, DEPARTMENT) == []
    assert [p for p in store.record_sla_alerts() if p[1] in DEPARTMENT] == []
    # A second handoff, then the case is resolved before the department answers.
    store.queue_handoff(case_id, "again", "lee", department="Legal")
    store.resolve(case_id, "lee")
    clock.advance(hours=5)
    assert [p for p in store.record_sla_alerts() if p[1] in DEPARTMENT] == []


def test_failed_handoff_is_logged_as_such_and_stops_the_department_alerts(
    store: Store, clock: FakeClock,
) -> None:
    case_id, handoff_id = handed_off(store, clock)
    store.claim_reply(handoff_id)
    store.reply_failed(handoff_id, "HTTP 410: gone")
    failed = [e for e in store.case(case_id).events if e.kind.endswith("_failed")]
    assert [(e.kind, e.data["department"], e.data["error"], e.data["reply_id"])
            for e in failed] == [("handoff_failed", "Legal", "HTTP 410: gone", handoff_id)]
    clock.advance(hours=5)
    assert [p for p in store.record_sla_alerts() if p[1] in DEPARTMENT] == []


def test_a_failed_reply_is_still_a_reply_failure(store: Store, clock: FakeClock) -> None:
    case_id = answered_case(store, clock)
    reply = store.queue_reply(case_id, "hello", "lee")
    store.reply_failed(reply.id, "blocked")
    assert [e.kind for e in store.case(case_id).events if e.kind.endswith("_failed")] == [
        "reply_failed"]


def test_existing_cases_without_resolution_columns_owe_no_alert(
    store: Store, clock: FakeClock,
) -> None:
    """A database migrated from 0005 has no resolution start on open cases until
    their snapshot is recomputed: no bogus alert, and the next change fills it in."""
    case_id = answered_case(store, clock)
    with store.db.transaction() as s:
        s.execute(update(Case).values(resolution_started_at=None, resolution_warn_at=None))
    clock.advance(hours=30)
    assert store.record_sla_alerts() == []
    store.set_status(case_id, CaseStatus.OPEN, "lee")
    assert store.record_sla_alerts() == [(case_id, "resolution_warning"),
                                         (case_id, "resolution_breached")]


def test_a_pass_looks_only_at_cases_crossed_since_their_alerts_were_recorded(
        store: Store, clock: FakeClock) -> None:
    """The same events as looking at every case on every pass (the reference
    store forgets ``sla_alerts_through`` before each pass), while a case whose
    alerts are recorded is left alone until its snapshot changes."""
    from datetime import UTC

    reference = Store(Database.open("sqlite://"), clock)
    try:
        plan: list[tuple[str, int]] = [
            ("in", 0), ("pass", 9), ("pass", 3), ("in", 1), ("pass", 0), ("out", 0),
            ("out", 1), ("pass", 12), ("in", 2), ("pass", 30), ("in", 0), ("pass", 11),
            ("late", 1), ("pass", 1), ("pass", 60),
        ]
        for s in (store, reference):
            s.add_account("telegram", "bot")
        n = 0
        for step, value in plan:
            for s in (store, reference):
                account = s.accounts()[0].id
                if step == "in":
                    s.ingest(account, "u", [inbound(f"m{n}", clock.now, thread=f"dm:{value}",
                                                    author=f"c{value}")], None)
                elif step == "late":  # written 25 min ago, fetched only now
                    s.ingest(account, "u", [inbound(f"m{n}", clock.now - timedelta(minutes=25),
                                                    thread=f"dm:{value}", author=f"c{value}")],
                             None)
                elif step == "out":
                    s.ingest(account, "u", [outbound(f"o{n}", clock.now, thread=f"dm:{value}")],
                             None)
                else:
                    if s is reference:
                        with s.db.transaction() as session:
                            session.execute(update(Case).values(sla_alerts_through=None,
                                                                next_alert_at=EARLIEST))
                    s.record_sla_alerts()
            n += 1
            if step == "pass":
                clock.advance(minutes=value)

        def alerts(s: Store) -> list[tuple[str, str, datetime]]:
            return sorted((c.customer, e.kind, e.at.astimezone(UTC))
                          for c in s.queue(limit=None) for e in s.case(c.id).events
                          if e.actor == "sla")

        assert alerts(store) and alerts(store) == alerts(reference)
        with store.db.reading() as session:
            through = session.execute(Case.__table__.select()).mappings().all()
        assert all(row["sla_alerts_through"] is not None for row in through
                   if row["sla_target"] is not None)
    finally:
        reference.close()


# -- the fast path agrees with the clock --------------------------------------------------

_BASE = datetime(2026, 11, 2, 9, tzinfo=UTC)
_CASES = 3
_instants = st.builds(lambda minutes, micro: _BASE + timedelta(minutes=minutes, microseconds=micro),
                      st.integers(-90, 90), st.sampled_from([0, 1, 250_000]))
_maybe = st.none() | _instants


@st.composite
def _snapshot_columns(draw: st.DrawFn) -> dict[str, Any]:
    """Arbitrary snapshot columns (not only those ``evaluate`` makes: the store
    must agree with the clock on whatever a row holds)."""
    target = draw(st.sampled_from([None, *(t.value for t in SlaTarget)]))
    return {
        "sla_target": target,
        "sla_started_at": draw(_instants if target else _maybe),
        "response_due_at": draw(_maybe), "warn_at": draw(_maybe),
        "sla_paused_state": draw(st.sampled_from([None, *(s.value for s in SlaState)])),
        "sla_paused_remaining_s": draw(st.none() | st.floats(-600, 600)),
        "resolution_started_at": draw(_maybe), "resolution_warn_at": draw(_maybe),
        "resolution_due_at": draw(_maybe), "sla_stopped": draw(st.booleans()),
        "sla_alerts_through": draw(_maybe),
    }


def _possible_keys(row: dict[str, Any]) -> list[tuple[str, str]]:
    """(event kind, key) of every alert this row could owe, and one of an older run."""
    keys = []
    for target, started, kinds in ((row["sla_target"], row["sla_started_at"], ALERT_KINDS),
                                   ("resolution", row["resolution_started_at"],
                                    RESOLUTION_KINDS)):
        if target and started:
            for level, kind in kinds.items():
                keys.append((kind.value, alert_key(target, level, started.isoformat())))
                keys.append((kind.value, alert_key(target, level,
                                                   (started - timedelta(hours=1)).isoformat())))
    return keys


def _is_candidate(row: dict[str, Any], now: datetime) -> bool:
    """The cases a pass looks at (module doc of store/alerts.py), said in Python."""
    through = row["sla_alerts_through"]
    crossed = any(t is not None and t <= now and (through is None or t > through)
                  for t in (row["warn_at"], row["response_due_at"],
                            row["resolution_warn_at"], row["resolution_due_at"]))
    paused = row["sla_paused_state"] in ("warning", "breached") and through is None
    return not row["sla_stopped"] and (crossed or paused)


class _Undo(Exception):
    """Rolls an example's transaction back."""


# Not shrunk: an example costs a few statements, and shrinking one could outlast
# the test timeout; the failing rows are printed as drawn.
@settings(max_examples=150, deadline=None,
          phases=(Phase.explicit, Phase.reuse, Phase.generate),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=st.lists(_snapshot_columns(), min_size=_CASES, max_size=_CASES),
       recorded=st.lists(st.tuples(st.integers(0, _CASES - 1), st.integers(0, 7),
                                   st.booleans()), max_size=8),
       now=_instants)
def test_recorded_alerts_are_the_clocks_due_alerts_of_each_snapshot(
    store: Store, clock: FakeClock, rows: list[dict[str, Any]],
    recorded: list[tuple[int, int, bool]], now: datetime,
) -> None:
    """``record_due_alerts`` reads columns, not snapshots: it records exactly
    what ``due_alerts`` and ``due_resolution_alerts`` owe on each candidate's
    ``snapshot_of``, given the keys already recorded under alert kinds (a key
    under another kind does not count), and marks the candidates."""
    if not store.accounts():
        account = store.add_account("telegram", "bot")
        store.ingest(account.id, "u", [inbound(f"m{i}", clock.now, thread=f"dm:{i}")
                                       for i in range(_CASES)], None)
    ids = sorted(c.id for c in store.queue(limit=None))
    with contextlib.suppress(_Undo), store.db.transaction() as s:
        s.execute(delete(Event).where(Event.actor == "sla"))
        reported: dict[int, set[str]] = {case_id: set() for case_id in ids}
        for case_id, row in zip(ids, rows, strict=True):
            # The store keeps next_alert_at with the snapshot and the pass (see
            # test_next_alert_at_is_the_old_crossed_test for that function itself).
            s.execute(update(Case).where(Case.id == case_id).values(
                **row, next_alert_at=_next_of(row, row["sla_alerts_through"])))
        for index, which, as_alert in recorded:
            keys = _possible_keys(rows[index])
            if keys:
                kind, key = keys[which % len(keys)]
                s.add(Event(case_id=ids[index], at=now, kind=kind if as_alert else "note",
                            actor="sla", data={"key": key}))
                if as_alert:
                    reported[ids[index]].add(key)
        s.flush()
        expected: dict[int, list[tuple[str, datetime, dict[str, str]]]] = {}
        for case_id, row in zip(ids, rows, strict=True):
            if not _is_candidate(row, now):
                continue
            snapshot = snapshot_of(s.get_one(Case, case_id))
            owed = [(ALERT_KINDS[a.level].value, a)
                    for a in due_alerts(snapshot, now, reported[case_id])]
            owed += [(RESOLUTION_KINDS[a.level].value, a)
                     for a in due_resolution_alerts(snapshot, now, reported[case_id])]
            expected[case_id] = [(kind, a.at, {"key": a.key, "target": a.target.value,
                                               "started_at": a.started_at.isoformat()})
                                 for kind, a in owed]
        before = s.scalar(select(func.max(Event.id))) or 0
        pairs = record_due_alerts(s, now)
        s.expire_all()
        new = s.scalars(select(Event).where(Event.id > before).order_by(Event.id)).all()
        assert pairs == [(event.case_id, event.kind) for event in new]
        got: dict[int, list[tuple[str, datetime, dict[str, str]]]] = {}
        for event in new:
            assert event.actor == "sla"
            got.setdefault(event.case_id, []).append((event.kind, event.at, event.data))
        assert got == {case_id: owed for case_id, owed in expected.items() if owed}
        through = {case_id: at for case_id, at in s.execute(
            select(Case.id, Case.sla_alerts_through))}
        for case_id, row in zip(ids, rows, strict=True):
            assert through[case_id] == (now if case_id in expected else row["sla_alerts_through"])
        following = {case_id: at for case_id, at in s.execute(select(Case.id, Case.next_alert_at))}
        for case_id, row in zip(ids, rows, strict=True):
            if case_id in expected:  # looked at: next at the first threshold still ahead
                assert following[case_id] == _next_of({**row, "sla_paused_state": None}, now)
        raise _Undo


def _next_of(row: dict[str, Any], after: datetime | None) -> datetime | None:
    return next_alert_at((row["warn_at"], row["response_due_at"], row["resolution_warn_at"],
                          row["resolution_due_at"]), after,
                         row["sla_paused_state"] in ("warning", "breached"))


@given(row=_snapshot_columns(), now=_instants)
def test_next_alert_at_is_the_old_crossed_test(row: dict[str, Any], now: datetime) -> None:
    """A case is a candidate by ``next_alert_at <= now`` exactly when a threshold
    crossed since ``sla_alerts_through`` (or paused alerting, nothing recorded)
    made it one before — the index changes how cases are found, not which."""
    row = {**row, "sla_stopped": False}
    following = _next_of(row, row["sla_alerts_through"])
    assert (following is not None and following <= now) == _is_candidate(row, now)
