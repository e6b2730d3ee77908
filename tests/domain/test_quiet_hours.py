"""Quiet hours: the half-open daily span, across midnight too, checked against a
brute-force reading of the same rule (minute by minute around the clock)."""

from __future__ import annotations

from datetime import time

from hypothesis import given
from hypothesis import strategies as st

from smm_desk.domain.quiet_hours import QuietHours, is_quiet

times = st.times()


def _brute(local: time, start: time, end: time) -> bool:
    """Walk forward from ``start`` to ``end`` over wall-clock time: is ``local`` passed?"""
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return not (end <= local < start)


@given(times, times, times)
def test_matches_the_brute_force_rule(local: time, start: time, end: time) -> None:
    assert is_quiet(local, start, end) == _brute(local, start, end)


@given(times, times, times)
def test_a_span_and_its_complement_cover_the_day_once(local: time, start: time,
                                                      end: time) -> None:
    if start == end:
        assert not is_quiet(local, start, end)
    else:
        assert is_quiet(local, start, end) != is_quiet(local, end, start)


@given(times, times)
def test_start_is_quiet_end_is_not(start: time, end: time) -> None:
    if start != end:
        assert is_quiet(start, start, end)
        assert not is_quiet(end, start, end)


@given(st.integers(0, 23), st.integers(0, 23))
def test_midnight_crossing_spans_hour_by_hour(start_h: int, end_h: int) -> None:
    quiet_hours = [h for h in range(24) if is_quiet(time(h, 30), time(start_h), time(end_h))]
    expected = (end_h - start_h) % 24
    assert len(quiet_hours) == expected
    if start_h > end_h:
        assert 23 in quiet_hours and (end_h == 0 or 0 in quiet_hours)


def test_examples_across_midnight() -> None:
    night = (time(22, 0), time(7, 0))
    assert is_quiet(time(23, 59, 59), *night)
    assert is_quiet(time(0, 0), *night)
    assert is_quiet(time(6, 59, 59, 999999), *night)
    assert not is_quiet(time(7, 0), *night)
    assert not is_quiet(time(12, 0), *night)
    assert not is_quiet(time(21, 59, 59), *night)
    assert is_quiet(time(22, 0), *night)
    # Up to midnight exactly: 22:00-00:00.
    assert is_quiet(time(23, 30), time(22), time(0))
    assert not is_quiet(time(0, 0), time(22), time(0))


def test_disabled_or_empty_is_never_quiet() -> None:
    assert not QuietHours(enabled=False, start=time(0), end=time(23, 59)).contains(time(12))
    assert not QuietHours(enabled=True, start=time(8), end=time(8)).contains(time(8))
    assert QuietHours(enabled=True, start=time(22), end=time(7)).contains(time(3))
