"""Resolution and department alerts: examples, then properties over random histories.

The resolution clock's alerts come from the snapshot alone
(:func:`due_resolution_alerts`), the department clock's from a handoff's fixed
warning and due times (:func:`due_department_alerts`); both are recorded once
each, warning before breach, at the instant each threshold was crossed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smm_desk.domain.enums import CaseStatus
from smm_desk.domain.sla import (
    DEFAULT_POLICY,
    DepartmentAlert,
    MessagePoint,
    SlaPolicy,
    SlaSnapshot,
    SlaState,
    SlaTarget,
    StatusChange,
    due_department_alerts,
    due_resolution_alerts,
    evaluate,
)
from tests.domain.test_sla import IN, T, histories, inbound, m, outbound, policies, status

H = timedelta(hours=1)
WARNING, BREACHED = SlaState.WARNING, SlaState.BREACHED


# -- examples ----------------------------------------------------------------------------


def test_resolution_warning_then_breach_once_each_even_after_replies() -> None:
    history = [inbound(0), outbound(5)]  # answered: no response clock, resolution still runs
    snap = evaluate(DEFAULT_POLICY, history, [], T + m(6))
    assert snap.target is None
    assert (snap.resolution_started_at, snap.resolution_warn_at, snap.resolution_due_at) == (
        T, T + 19.2 * H, T + 24 * H)
    assert due_resolution_alerts(snap, T + 19 * H, ()) == []
    warned = due_resolution_alerts(snap, T + 20 * H, ())
    assert [(a.target, a.level, a.at) for a in warned] == [
        (SlaTarget.RESOLUTION, WARNING, T + 19.2 * H)]
    assert warned[0].key == "resolution:warning:2026-01-05T10:00:00+00:00"
    reported = {a.key for a in warned}
    assert due_resolution_alerts(snap, T + 20 * H, reported) == []
    breached = due_resolution_alerts(snap, T + 30 * H, reported)
    assert [(a.level, a.at) for a in breached] == [(BREACHED, T + 24 * H)]
    reported |= {a.key for a in breached}
    assert due_resolution_alerts(snap, T + 40 * H, reported) == []


def test_a_late_noticed_resolution_breach_still_warns_first() -> None:
    snap = evaluate(DEFAULT_POLICY, [inbound(0)], [], T + 30 * H)
    assert [a.level for a in due_resolution_alerts(snap, T + 30 * H, ())] == [WARNING, BREACHED]


def test_a_pause_moves_the_resolution_thresholds_but_not_the_run() -> None:
    statuses = [status(60, CaseStatus.WAITING_CUSTOMER), status(180, CaseStatus.OPEN)]
    paused = evaluate(DEFAULT_POLICY, [inbound(0)], statuses[:1], T + m(120))
    assert paused.resolution_due_at is None and due_resolution_alerts(paused, T + 30 * H, ()) == []
    snap = evaluate(DEFAULT_POLICY, [inbound(0)], statuses, T + m(200))
    assert snap.resolution_started_at == T
    assert snap.resolution_warn_at == T + 19.2 * H + 2 * H
    assert snap.resolution_due_at == T + 26 * H


@pytest.mark.parametrize("stop", [CaseStatus.RESOLVED, CaseStatus.SPAM])
def test_stopped_cases_owe_no_resolution_alert(stop: CaseStatus) -> None:
    snap = evaluate(DEFAULT_POLICY, [inbound(0)], [status(5, stop)], T + 30 * H)
    assert snap.stopped and due_resolution_alerts(snap, T + 30 * H, ()) == []


def test_a_new_message_after_a_resolve_is_a_new_resolution_run() -> None:
    statuses = [status(5, CaseStatus.RESOLVED), status(70, CaseStatus.OPEN)]
    snap = evaluate(DEFAULT_POLICY, [inbound(0), inbound(60)], statuses, T + 30 * H)
    alerts = due_resolution_alerts(snap, T + 30 * H, ())
    assert {a.started_at for a in alerts} == {T + m(60)}


def test_department_alerts_are_keyed_by_the_handoff() -> None:
    assert due_department_alerts("h1", T + m(8), T + m(10), T + m(7), ()) == []
    warned = due_department_alerts("h1", T + m(8), T + m(10), T + m(9), ())
    assert warned == [DepartmentAlert("h1", WARNING, T + m(8))]
    assert warned[0].key == "department:warning:h1"
    both = due_department_alerts("h1", T + m(8), T + m(10), T + m(11), ())
    assert [a.key for a in both] == ["department:warning:h1", "department:breached:h1"]
    assert due_department_alerts("h1", T + m(8), T + m(10), T + m(11),
                                 {a.key for a in both}) == []
    assert due_department_alerts("h1", None, None, T + m(11), ()) == []
    with pytest.raises(ValueError):
        DepartmentAlert("h1", SlaState.OK, T)
    with pytest.raises(ValueError):
        due_department_alerts("h1", T.replace(tzinfo=None), T, T, ())


# -- properties --------------------------------------------------------------------------


def _record_over_time(snap: SlaSnapshot, times: list[datetime]) -> list[tuple[str, datetime]]:
    """What a periodic job records at each of ``times`` (sorted), keys accumulated."""
    reported: set[str] = set()
    recorded: list[tuple[str, datetime]] = []
    for now in times:
        for alert in due_resolution_alerts(snap, now, reported):
            reported.add(alert.key)
            recorded.append((alert.key, alert.at))
    return recorded


@settings(max_examples=200, deadline=None)
@given(policy=policies, history=histories(), later=st.integers(0, 4000),
       ticks=st.lists(st.integers(0, 8000), max_size=8))
def test_resolution_alerts_are_recorded_once_each_in_order(
    policy: SlaPolicy,
    history: tuple[datetime, list[MessagePoint], list[StatusChange]],
    later: int,
    ticks: list[int],
) -> None:
    base, messages, statuses = history
    snap = evaluate(policy, messages, statuses, base + m(later))
    times = sorted(base + m(n) for n in ticks)
    recorded = _record_over_time(snap, times)
    keys = [key for key, _at in recorded]
    assert len(keys) == len(set(keys)) <= 2
    if snap.resolution_due_at is None:
        assert recorded == []
        return
    assert snap.resolution_started_at in {p.at for p in messages if p.direction is IN}
    assert snap.resolution_warn_at is not None
    assert snap.resolution_started_at <= snap.resolution_warn_at <= snap.resolution_due_at
    # A warning always comes first; the instant is the crossing, never after the tick.
    assert [key.split(":")[1] for key in keys] == ["warning", "breached"][: len(keys)]
    expected = [at for at in (snap.resolution_warn_at, snap.resolution_due_at)
                if times and times[-1] >= at]
    assert [at for _key, at in recorded] == expected


@settings(max_examples=200, deadline=None)
@given(policy=policies, history=histories(), later=st.integers(0, 4000),
       again=st.integers(0, 4000))
def test_recomputing_the_snapshot_never_reports_a_crossing_twice(
    policy: SlaPolicy,
    history: tuple[datetime, list[MessagePoint], list[StatusChange]],
    later: int,
    again: int,
) -> None:
    """The run key comes from the history, not from when it was evaluated: a
    snapshot recomputed later (an app restart, a tick) owes nothing already recorded
    as long as the resolution run is the same."""
    base, messages, statuses = history
    first = evaluate(policy, messages, statuses, base + m(later))
    second = evaluate(policy, messages, statuses, base + m(later + again))
    end = base + m(10_000)
    reported = {a.key for a in due_resolution_alerts(first, end, ())}
    if first.resolution_started_at == second.resolution_started_at and \
            first.resolution_due_at == second.resolution_due_at:
        assert due_resolution_alerts(second, end, reported) == []


@settings(max_examples=200, deadline=None)
@given(warn=st.integers(0, 600), due=st.integers(0, 600),
       ticks=st.lists(st.integers(-100, 1200), max_size=8))
def test_department_alerts_once_each_warning_first(
    warn: int, due: int, ticks: list[int],
) -> None:
    reported: set[str] = set()
    levels: list[SlaState] = []
    for now in sorted(T + m(n) for n in ticks):
        for alert in due_department_alerts("h", T + m(warn), T + m(due), now, reported):
            assert alert.at <= now and alert.at <= T + m(due)
            reported.add(alert.key)
            levels.append(alert.level)
    assert levels == [WARNING, BREACHED][: len(levels)]
    if ticks and max(ticks) >= due:
        assert levels == [WARNING, BREACHED]
