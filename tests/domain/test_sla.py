"""The SLA clock: examples from the design notes, then properties over random histories."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smm_desk.domain.business_hours import BusinessCalendar
from smm_desk.domain.enums import CaseStatus, Direction
from smm_desk.domain.sla import (
    DEFAULT_POLICY,
    MessagePoint,
    SlaAlert,
    SlaPolicy,
    SlaSnapshot,
    SlaState,
    SlaTarget,
    StatusChange,
    due_alerts,
    evaluate,
    overdue_by,
    state_at,
    time_left,
)

T = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)  # a Monday
IN, OUT = Direction.INBOUND, Direction.OUTBOUND


def m(minutes: float) -> timedelta:
    return timedelta(minutes=minutes)


def inbound(minutes: float) -> MessagePoint:
    return MessagePoint(IN, T + m(minutes))


def outbound(minutes: float) -> MessagePoint:
    return MessagePoint(OUT, T + m(minutes))


def status(minutes: float, value: CaseStatus) -> StatusChange:
    return StatusChange(T + m(minutes), value)


# -- examples ----------------------------------------------------------------------------


def test_default_first_response_is_ten_minutes() -> None:
    snap = evaluate(DEFAULT_POLICY, [inbound(0)], [], T + m(1))
    assert snap == SlaSnapshot(
        target=SlaTarget.FIRST_RESPONSE,
        started_at=T,
        due_at=T + m(10),
        warn_at=T + m(8),
        resolution_due_at=T + timedelta(hours=24),
        resolution_started_at=T,
        resolution_warn_at=T + timedelta(hours=24) * 0.8,
    )
    assert state_at(snap, T + m(7)) is SlaState.OK
    assert state_at(snap, T + m(8)) is SlaState.WARNING
    assert state_at(snap, T + m(10)) is SlaState.BREACHED
    assert time_left(snap, T + m(7)) == m(3)
    assert overdue_by(snap, T + m(7)) is None
    assert overdue_by(snap, T + m(17)) == m(7)
    assert time_left(snap, T + m(17)) == timedelta(0)


def test_clock_starts_at_created_at_not_fetch_time() -> None:
    fetched = T + m(30)
    snap = evaluate(DEFAULT_POLICY, [inbound(0)], [status(30, CaseStatus.NEW)], fetched)
    assert snap.started_at == T and snap.due_at == T + m(10)
    assert state_at(snap, fetched) is SlaState.BREACHED
    assert overdue_by(snap, fetched) == m(20)
    alerts = due_alerts(snap, fetched, set())
    assert [(a.level, a.at) for a in alerts] == [
        (SlaState.WARNING, T + m(8)),
        (SlaState.BREACHED, T + m(10)),
    ]


def test_delivered_reply_stops_the_clock() -> None:
    snap = evaluate(DEFAULT_POLICY, [inbound(0), inbound(2), outbound(7)], [], T + m(60))
    assert snap.target is None and snap.due_at is None and snap.started_at is None
    assert state_at(snap, T + m(60)) is None
    assert due_alerts(snap, T + m(60), set()) == []
    assert snap.resolution_due_at == T + timedelta(hours=24)  # resolution still runs
    assert not snap.stopped


def test_outbound_made_elsewhere_stops_the_clock_too() -> None:
    # A reply typed in the network's own app arrives by sync; late, but it stops the clock.
    snap = evaluate(DEFAULT_POLICY, [outbound(12), inbound(0)], [], T + m(40))
    assert snap.target is None and state_at(snap, T + m(40)) is None


def test_tie_between_inbound_and_outbound_counts_as_answered() -> None:
    assert evaluate(DEFAULT_POLICY, [inbound(5), outbound(5)], [], T + m(9)).target is None


def test_new_inbound_after_a_reply_starts_next_response() -> None:
    policy = SlaPolicy(next_response=m(30))
    history = [inbound(0), outbound(5), inbound(60), inbound(61)]
    snap = evaluate(policy, history, [], T + m(62))
    assert snap.target is SlaTarget.NEXT_RESPONSE
    assert snap.started_at == T + m(60)
    assert snap.due_at == T + m(90) and snap.warn_at == T + m(84)
    assert snap.resolution_due_at == T + timedelta(hours=24)  # from the first inbound


def test_waiting_customer_pauses_and_extends() -> None:
    messages = [inbound(0)]
    waiting = [status(3, CaseStatus.WAITING_CUSTOMER)]
    paused = evaluate(DEFAULT_POLICY, messages, waiting, T + m(20))
    assert paused.target is SlaTarget.FIRST_RESPONSE and paused.started_at == T
    assert paused.due_at is None and paused.warn_at is None
    assert paused.paused_remaining == m(7) and paused.paused_state is SlaState.OK
    assert paused.resolution_due_at is None
    assert state_at(paused, T + m(500)) is SlaState.OK
    assert time_left(paused, T + m(500)) == m(7)

    resumed = evaluate(DEFAULT_POLICY, messages, [*waiting, status(30, CaseStatus.OPEN)], T + m(31))
    assert resumed.due_at == T + m(37) and resumed.warn_at == T + m(35)
    assert resumed.resolution_due_at == T + timedelta(hours=24, minutes=27)


def test_pause_set_before_the_message_holds_the_clock_at_start() -> None:
    statuses = [status(-60, CaseStatus.WAITING_CUSTOMER), status(30, CaseStatus.OPEN)]
    assert evaluate(DEFAULT_POLICY, [inbound(0)], statuses, T + m(31)).due_at == T + m(40)
    still = evaluate(DEFAULT_POLICY, [inbound(0)], statuses[:1], T + m(20))
    assert still.paused_remaining == m(10) and still.paused_state is SlaState.OK


def test_pause_after_breach_freezes_breached() -> None:
    snap = evaluate(
        DEFAULT_POLICY, [inbound(0)], [status(15, CaseStatus.WAITING_CUSTOMER)], T + m(20)
    )
    assert snap.paused_state is SlaState.BREACHED and snap.paused_remaining == m(-5)
    assert overdue_by(snap, T + m(20)) == m(5) and time_left(snap, T + m(20)) == timedelta(0)
    alerts = due_alerts(snap, T + m(20), set())
    assert [a.level for a in alerts] == [SlaState.WARNING, SlaState.BREACHED]
    assert all(a.at == T + m(20) for a in alerts)  # crossing instants unknown while paused
    # After resuming, the same run is recognised: nothing is reported twice.
    resumed = evaluate(
        DEFAULT_POLICY,
        [inbound(0)],
        [status(15, CaseStatus.WAITING_CUSTOMER), status(40, CaseStatus.OPEN)],
        T + m(41),
    )
    assert resumed.due_at == T + m(10)
    assert due_alerts(resumed, T + m(41), {a.key for a in alerts}) == []


@pytest.mark.parametrize("stop", [CaseStatus.RESOLVED, CaseStatus.SPAM])
def test_resolved_and_spam_stop_everything(stop: CaseStatus) -> None:
    snap = evaluate(DEFAULT_POLICY, [inbound(0)], [status(5, stop)], T + m(60))
    assert snap == SlaSnapshot(stopped=True)
    assert state_at(snap, T + m(60)) is None and time_left(snap, T + m(60)) is None
    assert due_alerts(snap, T + m(60), set()) == []


def test_reopen_after_resolve_needs_a_new_inbound() -> None:
    statuses = [status(5, CaseStatus.RESOLVED), status(60, CaseStatus.OPEN)]
    # The message before the resolution was settled by it: reopening alone owes nothing.
    assert evaluate(DEFAULT_POLICY, [inbound(0)], statuses, T + m(61)).target is None
    # A new message after the resolution is owed an answer; while the case was still
    # resolved (50..60) no time counted.
    snap = evaluate(DEFAULT_POLICY, [inbound(0), inbound(50)], statuses, T + m(61))
    assert snap.target is SlaTarget.FIRST_RESPONSE and snap.started_at == T + m(50)
    assert snap.due_at == T + m(70)
    assert snap.resolution_due_at == T + timedelta(hours=24, minutes=60)
    still_resolved = evaluate(DEFAULT_POLICY, [inbound(0), inbound(50)], statuses[:1], T + m(61))
    assert still_resolved.stopped


def test_weekend_calendar_pushes_due_to_monday_morning() -> None:
    moscow = BusinessCalendar("Europe/Moscow", {d: ((time(9), time(18)),) for d in range(5)})
    policy = SlaPolicy(calendar=moscow)
    friday_1755 = datetime(2026, 1, 9, 17, 55, tzinfo=ZoneInfo("Europe/Moscow"))
    snap = evaluate(policy, [MessagePoint(IN, friday_1755)], [], friday_1755 + m(1))
    monday_0900 = datetime(2026, 1, 12, 6, 0, tzinfo=UTC)
    assert snap.started_at == friday_1755 and snap.started_at.tzinfo is UTC
    assert snap.warn_at == monday_0900 + m(3)
    assert snap.due_at == monday_0900 + m(5)
    assert state_at(snap, monday_0900) is SlaState.OK
    # 24 h of resolution = 5 min Friday + Mon 9 h + Tue 9 h + Wed 5 h 55 min.
    assert snap.resolution_due_at == datetime(2026, 1, 14, 11, 55, tzinfo=UTC)


def test_inputs_in_any_order() -> None:
    messages = [inbound(60), outbound(5), inbound(0), inbound(61)]
    statuses = [status(62, CaseStatus.OPEN), status(1, CaseStatus.NEW)]
    now = T + m(63)
    assert evaluate(DEFAULT_POLICY, messages, statuses, now) == evaluate(
        DEFAULT_POLICY,
        sorted(messages, key=lambda p: p.at),
        sorted(statuses, key=lambda s: s.at),
        now,
    )


def test_status_changes_after_now_are_not_yet_in_effect() -> None:
    snap = evaluate(DEFAULT_POLICY, [inbound(0)], [status(30, CaseStatus.RESOLVED)], T + m(5))
    assert snap.target is SlaTarget.FIRST_RESPONSE and not snap.stopped


def test_alert_key_and_levels() -> None:
    alert = SlaAlert(SlaTarget.FIRST_RESPONSE, SlaState.WARNING, T, T + m(8))
    assert alert.key == "first_response:warning:2026-01-05T10:00:00+00:00"
    with pytest.raises(ValueError):
        SlaAlert(SlaTarget.FIRST_RESPONSE, SlaState.OK, T, T)


def test_naive_datetimes_are_refused() -> None:
    naive = datetime(2026, 1, 5, 10)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError):
        MessagePoint(IN, naive)
    with pytest.raises(ValueError):
        StatusChange(naive, CaseStatus.OPEN)
    with pytest.raises(ValueError):
        evaluate(DEFAULT_POLICY, [inbound(0)], [], naive)
    snap = evaluate(DEFAULT_POLICY, [inbound(0)], [], T)
    for reader in (state_at, overdue_by, time_left):
        with pytest.raises(ValueError):
            reader(snap, naive)
    with pytest.raises(ValueError):
        due_alerts(snap, naive, ())
    with pytest.raises(ValueError):
        SlaSnapshot(target=SlaTarget.FIRST_RESPONSE, started_at=naive)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"warning_share": 0.0},
        {"warning_share": 1.0},
        {"warning_share": float("nan")},
        {"first_response": timedelta(0)},
        {"resolution": timedelta(minutes=-1)},
    ],
)
def test_bad_policies_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        SlaPolicy(**kwargs)  # type: ignore[arg-type]


# -- properties --------------------------------------------------------------------------

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney", "Europe/Moscow"]
#: Mondays of weeks with DST changes (US and EU spring/fall, AU fall), so histories cross them.
BASES = [
    datetime(2026, 3, 7, 20, tzinfo=UTC),
    datetime(2026, 3, 28, 20, tzinfo=UTC),
    datetime(2026, 10, 24, 20, tzinfo=UTC),
    datetime(2026, 10, 31, 20, tzinfo=UTC),
    datetime(2026, 4, 4, 10, tzinfo=UTC),
]
RUNNING = [CaseStatus.NEW, CaseStatus.OPEN, CaseStatus.WAITING_DEPARTMENT]


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    weekly: dict[int, tuple[tuple[time, time], ...]] = {}
    for day in range(7):
        hours = sorted(draw(st.lists(st.integers(0, 24), unique=True, max_size=4)))
        weekly[day] = tuple(
            (time(a), time(b % 24)) for a, b in zip(hours[0::2], hours[1::2], strict=False)
        )
    if not any(weekly.values()):
        weekly[draw(st.integers(0, 6))] = ((time(9), time(18)),)
    return BusinessCalendar(draw(st.sampled_from(ZONES)), weekly)


policies = st.builds(
    SlaPolicy,
    first_response=st.integers(1, 600).map(m),
    next_response=st.integers(1, 600).map(m),
    resolution=st.integers(1, 3000).map(m),
    warning_share=st.floats(0.05, 0.95),
    calendar=st.none() | calendars(),
)
message_specs = st.lists(st.tuples(st.sampled_from(Direction), st.integers(0, 3000)), max_size=6)
any_status = st.sampled_from(CaseStatus)


@st.composite
def histories(
    draw: st.DrawFn, statuses: st.SearchStrategy[CaseStatus] = any_status
) -> tuple[datetime, list[MessagePoint], list[StatusChange]]:
    """Messages within ~2 days of a DST change, status changes from 2 h before the first."""
    base = draw(st.sampled_from(BASES))
    messages = [MessagePoint(d, base + m(n)) for d, n in draw(message_specs)]
    specs = draw(st.lists(st.tuples(st.integers(-120, 3000), statuses), max_size=5))
    return base, messages, [StatusChange(base + m(n), value) for n, value in specs]


@settings(max_examples=200, deadline=None)
@given(policy=policies, history=histories(), later=st.integers(0, 4000))
def test_due_is_never_before_start(
    policy: SlaPolicy,
    history: tuple[datetime, list[MessagePoint], list[StatusChange]],
    later: int,
) -> None:
    base, messages, statuses = history
    now = base + m(later)
    snap = evaluate(policy, messages, statuses, now)
    if snap.target is None:
        assert snap.started_at is None and snap.due_at is None and snap.paused_state is None
        return
    assert snap.started_at is not None
    assert snap.started_at in {p.at for p in messages if p.direction is IN}
    if snap.due_at is None:
        assert snap.paused_state is not None and snap.paused_remaining is not None
        assert snap.resolution_due_at is None
    else:
        assert snap.warn_at is not None
        assert snap.started_at <= snap.warn_at <= snap.due_at
        assert snap.paused_state is None and snap.paused_remaining is None
        assert snap.resolution_due_at is not None


@settings(max_examples=200, deadline=None)
@given(
    policy=policies,
    history=histories(statuses=st.sampled_from(RUNNING)),
    pause=st.tuples(st.integers(-120, 3000), st.integers(0, 1500)),
)
def test_a_pause_never_moves_a_deadline_earlier(
    policy: SlaPolicy,
    history: tuple[datetime, list[MessagePoint], list[StatusChange]],
    pause: tuple[int, int],
) -> None:
    base, messages, statuses = history
    begin = base + m(pause[0])
    end = begin + m(pause[1])
    paused_statuses = [
        *[s for s in statuses if not begin <= s.at < end],
        StatusChange(begin, CaseStatus.WAITING_CUSTOMER),
        StatusChange(end, CaseStatus.OPEN),
    ]
    now = base + m(6000)
    plain = evaluate(policy, messages, statuses, now)
    paused = evaluate(policy, messages, paused_statuses, now)
    assert (plain.target, plain.started_at) == (paused.target, paused.started_at)
    for before, after in [
        (plain.due_at, paused.due_at),
        (plain.warn_at, paused.warn_at),
        (plain.resolution_due_at, paused.resolution_due_at),
    ]:
        assert (before is None) == (after is None)
        if before is not None and after is not None:
            assert after >= before


@settings(max_examples=200, deadline=None)
@given(
    policy=policies,
    history=histories(),
    steps=st.lists(st.integers(0, 600), min_size=1, max_size=8),
)
def test_each_alert_is_reported_once(
    policy: SlaPolicy,
    history: tuple[datetime, list[MessagePoint], list[StatusChange]],
    steps: list[int],
) -> None:
    base, messages, statuses = history
    now = base
    reported: set[str] = set()
    for step in steps:
        now += m(step)
        snap = evaluate(policy, messages, statuses, now)
        alerts = due_alerts(snap, now, reported)
        keys = [a.key for a in alerts]
        assert len(set(keys)) == len(keys) and not reported.intersection(keys)
        assert [a.level for a in alerts] in (
            [],
            [SlaState.WARNING],
            [SlaState.BREACHED],
            [SlaState.WARNING, SlaState.BREACHED],
        )
        for alert in alerts:
            assert alert.at <= now and alert.started_at == snap.started_at
        reported.update(keys)
        assert due_alerts(snap, now, reported) == []
        state = state_at(snap, now)
        fresh = [a.level for a in due_alerts(snap, now, set())]
        expected = {
            None: [],
            SlaState.OK: [],
            SlaState.WARNING: [SlaState.WARNING],
            SlaState.BREACHED: [SlaState.WARNING, SlaState.BREACHED],
        }
        assert fresh == expected[state]


@settings(max_examples=50, deadline=None)
@given(policy=policies, history=histories(), later=st.integers(0, 4000))
def test_round_the_clock_calendar_equals_no_calendar(
    policy: SlaPolicy,
    history: tuple[datetime, list[MessagePoint], list[StatusChange]],
    later: int,
) -> None:
    base, messages, statuses = history
    always = BusinessCalendar("UTC", {d: ((time(0), time(0)),) for d in range(7)})
    with_calendar = SlaPolicy(
        policy.first_response,
        policy.next_response,
        policy.resolution,
        policy.warning_share,
        always,
    )
    without = SlaPolicy(
        policy.first_response, policy.next_response, policy.resolution, policy.warning_share
    )
    now = base + m(later)
    assert evaluate(with_calendar, messages, statuses, now) == evaluate(
        without, messages, statuses, now
    )


@settings(max_examples=50, deadline=None)
@given(policy=policies, history=histories(), later=st.integers(0, 2000))
def test_snapshot_depends_on_history_not_on_now(
    policy: SlaPolicy,
    history: tuple[datetime, list[MessagePoint], list[StatusChange]],
    later: int,
) -> None:
    base, messages, statuses = history
    settled = base + m(3000)  # after every status change
    assert evaluate(policy, messages, statuses, settled) == evaluate(
        policy, messages, statuses, settled + m(later)
    )


def _running_open(
    policy: SlaPolicy, statuses: list[StatusChange], start: datetime, end: datetime
) -> timedelta:
    """Open time in [start, end) while the status in effect lets the clock run (reference)."""
    ordered = sorted(statuses, key=lambda s: s.at)
    cuts = sorted({start, end, *(s.at for s in ordered if start < s.at < end)})
    total = timedelta(0)
    for a, b in zip(cuts, cuts[1:], strict=False):
        current = CaseStatus.NEW
        for change in ordered:
            if change.at <= a:
                current = change.status
        if current in RUNNING:
            total += policy.calendar.open_between(a, b) if policy.calendar else b - a
    return total


@settings(max_examples=200, deadline=None)
@given(policy=policies, history=histories(), later=st.integers(0, 4000))
def test_deadline_is_the_target_worth_of_running_open_time(
    policy: SlaPolicy,
    history: tuple[datetime, list[MessagePoint], list[StatusChange]],
    later: int,
) -> None:
    base, messages, statuses = history
    now = base + m(later)
    snap = evaluate(policy, messages, statuses, now)
    if snap.target is None:
        return
    assert snap.started_at is not None
    effective = [s for s in statuses if s.at <= now]
    allowed = policy.target(snap.target)
    if snap.due_at is not None:
        assert _running_open(policy, effective, snap.started_at, snap.due_at) == allowed
        earlier = snap.due_at - m(1)
        if earlier >= snap.started_at:
            assert _running_open(policy, effective, snap.started_at, earlier) < allowed
    else:
        assert snap.paused_remaining is not None
        forever = base + m(20_000)
        used = _running_open(policy, effective, snap.started_at, forever)
        assert snap.paused_remaining == allowed - used
