"""Business-hours arithmetic, checked against a brute-force walk over UTC minutes.

The brute force asks, for every UTC minute, "is the local wall clock inside an
open interval of a non-holiday date?" — the definition in the module docstring.
Calendars use half-hour boundaries and zones whose offsets are whole (or half)
hours, so each UTC minute is wholly open or wholly closed.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smm_desk.domain.business_hours import BusinessCalendar

MINUTE = timedelta(minutes=1)
ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Europe/Moscow"]
#: US spring/fall, EU spring/fall, AU fall/spring (2026).
TRANSITION_DAYS = [
    date(2026, 3, 8),
    date(2026, 11, 1),
    date(2026, 3, 29),
    date(2026, 10, 25),
    date(2026, 4, 5),
    date(2026, 10, 4),
]
MON_FRI_9_18 = {day: ((time(9), time(18)),) for day in range(5)}
ALL_DAY = {day: ((time(0), time(0)),) for day in range(7)}
# hypothesis.strategies.datetimes takes naive bounds (read as UTC with timezones=UTC).
NAIVE_2025_06 = datetime(2025, 6, 1)  # noqa: DTZ001
NAIVE_2027_06 = datetime(2027, 6, 1)  # noqa: DTZ001
NAIVE_2026_03 = datetime(2026, 3, 1)  # noqa: DTZ001
NAIVE_2026_11 = datetime(2026, 11, 30)  # noqa: DTZ001


def _half_hour(index: int) -> time:
    return time(0) if index == 48 else time(index // 2, 30 * (index % 2))


def _pairs(points: list[int]) -> tuple[tuple[time, time], ...]:
    ordered = sorted(points)
    pairs = zip(ordered[0::2], ordered[1::2], strict=False)
    return tuple((_half_hour(a), _half_hour(b)) for a, b in pairs)


#: 0-3 half-hour-aligned intervals of one weekday; 48 stands for 24:00.
day_intervals = st.lists(st.integers(0, 48), unique=True, max_size=6).map(_pairs)
week = st.tuples(*[day_intervals] * 7)
holiday_offsets = st.frozensets(st.integers(-4, 10))


@st.composite
def calendars(draw: st.DrawFn, around: date | None = None) -> BusinessCalendar:
    """Random weekly hours in a zone with DST, holidays near ``around``."""
    zone = draw(st.sampled_from(ZONES))
    weekly = dict(enumerate(draw(week)))
    if not any(weekly.values()):
        weekly[draw(st.integers(0, 6))] = ((time(9), time(17, 30)),)
    base = around or date(2026, 3, 29)
    holidays = frozenset(base + timedelta(days=n) for n in draw(holiday_offsets))
    return BusinessCalendar(zone, weekly, holidays)


@st.composite
def cases(draw: st.DrawFn) -> tuple[BusinessCalendar, datetime]:
    """A calendar and a minute-aligned start within two days of a DST change."""
    base = draw(st.sampled_from(TRANSITION_DAYS))
    calendar = draw(calendars(around=base))
    minutes = draw(st.integers(-2 * 1440, 2 * 1440))
    return calendar, datetime.combine(base, time(0), UTC) + timedelta(minutes=minutes)


def _minute_of_day(value: time, *, end: bool) -> int:
    return 1440 if end and value == time(0) else value.hour * 60 + value.minute


def minute_is_open(calendar: BusinessCalendar, minute_start: datetime) -> bool:
    local = minute_start.astimezone(ZoneInfo(calendar.timezone))
    if local.date() in calendar.holidays:
        return False
    clock = local.hour * 60 + local.minute
    return any(
        _minute_of_day(a, end=False) <= clock < _minute_of_day(b, end=True)
        for a, b in calendar.weekly[local.weekday()]
    )


def brute_open(calendar: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    total = timedelta(0)
    at = start
    while at < end:
        if minute_is_open(calendar, at):
            total += MINUTE
        at += MINUTE
    return total


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# -- properties against the brute force ------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(case=cases(), minutes=st.integers(0, 36 * 60))
def test_open_between_matches_minute_count(
    case: tuple[BusinessCalendar, datetime], minutes: int
) -> None:
    calendar, start = case
    end = start + timedelta(minutes=minutes)
    assert calendar.open_between(start, end) == brute_open(calendar, start, end)


@settings(max_examples=200, deadline=None)
@given(case=cases(), minutes=st.integers(0, 900))
def test_add_is_exact_and_minimal(case: tuple[BusinessCalendar, datetime], minutes: int) -> None:
    calendar, start = case
    duration = timedelta(minutes=minutes)
    due = calendar.add(start, duration)
    assert due.tzinfo is UTC
    assert due >= start
    assert calendar.open_between(start, due) == duration
    if minutes == 0:
        assert due == start
        return
    # Minimal: the minute just before the due time is open, so one minute less of
    # end gives one minute less of open time.
    assert minute_is_open(calendar, due - MINUTE)
    assert calendar.open_between(start, due - MINUTE) == duration - MINUTE
    if due - start <= timedelta(days=2):
        assert brute_open(calendar, start, due) == duration


@settings(max_examples=150, deadline=None)
@given(
    calendar=calendars(),
    start=st.datetimes(NAIVE_2025_06, NAIVE_2027_06, timezones=st.just(UTC)),
    first=st.timedeltas(timedelta(0), timedelta(hours=40)),
    second=st.timedeltas(timedelta(0), timedelta(hours=40)),
)
def test_add_composes_and_inverts_open_between(
    calendar: BusinessCalendar, start: datetime, first: timedelta, second: timedelta
) -> None:
    middle = calendar.add(start, first)
    end = calendar.add(middle, second)
    assert calendar.open_between(start, middle) == first
    assert calendar.open_between(start, end) == first + second
    if second > timedelta(0):
        assert end == calendar.add(start, first + second)


@settings(max_examples=100, deadline=None)
@given(
    calendar=calendars(),
    a=st.datetimes(NAIVE_2026_03, NAIVE_2026_11, timezones=st.just(UTC)),
    gaps=st.tuples(
        st.timedeltas(timedelta(0), timedelta(days=3)),
        st.timedeltas(timedelta(0), timedelta(days=3)),
    ),
)
def test_open_between_is_additive(
    calendar: BusinessCalendar, a: datetime, gaps: tuple[timedelta, timedelta]
) -> None:
    b = a + gaps[0]
    c = b + gaps[1]
    assert calendar.open_between(a, b) + calendar.open_between(b, c) == calendar.open_between(a, c)
    assert calendar.open_between(c, a) == timedelta(0)


@settings(max_examples=50, deadline=None)
@given(calendar=calendars())
def test_to_dict_round_trips_through_json(calendar: BusinessCalendar) -> None:
    data = json.loads(json.dumps(calendar.to_dict()))
    assert BusinessCalendar.from_dict(data) == calendar


# -- DST by example --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "all_day", "one_to_four", "nine_to_six"),
    [
        ("Europe/Berlin", date(2026, 3, 29), 23, 2, 9),  # 02:00 -> 03:00
        ("Europe/Berlin", date(2026, 10, 25), 25, 4, 9),  # 03:00 -> 02:00
        ("America/New_York", date(2026, 3, 8), 23, 2, 9),
        ("America/New_York", date(2026, 11, 1), 25, 4, 9),  # 02:00 -> 01:00
        ("Australia/Sydney", date(2026, 4, 5), 25, 4, 9),  # 03:00 -> 02:00
        ("Europe/Moscow", date(2026, 3, 29), 24, 3, 9),
    ],
)
def test_dst_days(zone: str, day: date, all_day: int, one_to_four: int, nine_to_six: int) -> None:
    tz = ZoneInfo(zone)
    start = datetime.combine(day, time(0), tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tz)

    def hours(first: time, last: time) -> timedelta:
        calendar = BusinessCalendar(zone, {d: ((first, last),) for d in range(7)})
        return calendar.open_between(start, end)

    assert hours(time(0), time(0)) == timedelta(hours=all_day)
    assert hours(time(1), time(4)) == timedelta(hours=one_to_four)
    assert hours(time(9), time(18)) == timedelta(hours=nine_to_six)


def test_opening_inside_the_spring_gap_opens_when_the_clock_jumps() -> None:
    # Berlin 2026-03-29: 02:00 CET jumps to 03:00 CEST at 01:00 UTC.
    calendar = BusinessCalendar("Europe/Berlin", {6: ((time(2, 30), time(5)),)})
    sunday = utc(2026, 3, 28, 23)
    assert calendar.add(sunday, timedelta(minutes=1)) == utc(2026, 3, 29, 1, 1)
    assert calendar.open_between(sunday, utc(2026, 3, 30)) == timedelta(hours=2)


def test_ambiguous_hour_counts_both_passes() -> None:
    # Berlin 2026-10-25: 03:00 CEST falls back to 02:00 CET at 01:00 UTC.
    calendar = BusinessCalendar("Europe/Berlin", {6: ((time(2, 30), time(3, 30)),)})
    assert calendar.open_between(utc(2026, 10, 24), utc(2026, 10, 26)) == timedelta(hours=1.5)
    # First pass 02:30-03:00 CEST = 00:30-01:00 UTC, second 02:30-03:30 CET = 01:30-02:30 UTC.
    assert calendar.add(utc(2026, 10, 24), timedelta(minutes=30)) == utc(2026, 10, 25, 1)
    assert calendar.add(utc(2026, 10, 24), timedelta(minutes=31)) == utc(2026, 10, 25, 1, 31)


# -- examples --------------------------------------------------------------------------


def test_weekend_pushes_to_monday_morning() -> None:
    calendar = BusinessCalendar("Europe/Moscow", MON_FRI_9_18)
    friday_1755 = utc(2026, 1, 9, 14, 55)  # 17:55 MSK
    assert calendar.add(friday_1755, timedelta(minutes=10)) == utc(2026, 1, 12, 6, 5)
    assert calendar.add(friday_1755, timedelta(minutes=5)) == utc(2026, 1, 9, 15)  # closing time
    assert calendar.open_between(friday_1755, utc(2026, 1, 12, 6, 5)) == timedelta(minutes=10)


def test_long_holiday_season_is_walked_by_day() -> None:
    season = frozenset(date(2025, 12, 20) + timedelta(days=n) for n in range(60))
    calendar = BusinessCalendar("Europe/Berlin", MON_FRI_9_18, season)
    # Friday 17:00 CET: 1 h that day, 60 closed days, then Wed 2026-02-18 9 h, Thu 9 h, Fri 5 h.
    due = calendar.add(utc(2025, 12, 19, 16), timedelta(hours=24))
    assert due == utc(2026, 2, 20, 13)
    years = frozenset(date(2026, 1, 1) + timedelta(days=n) for n in range(800))
    assert BusinessCalendar("UTC", ALL_DAY, years).add(
        utc(2026, 1, 1), timedelta(hours=1)
    ) == datetime.combine(date(2026, 1, 1) + timedelta(days=800), time(1), UTC)


def test_zero_duration_needs_no_open_time() -> None:
    calendar = BusinessCalendar("Europe/Moscow", MON_FRI_9_18)
    saturday = utc(2026, 1, 10, 12)
    assert calendar.add(saturday, timedelta(0)) == saturday
    assert not calendar.is_open(saturday)
    assert calendar.is_open(utc(2026, 1, 12, 6))
    assert not calendar.is_open(utc(2026, 1, 12, 15))  # 18:00 MSK: closed, half-open interval


def test_touching_intervals_and_end_of_day_spellings() -> None:
    split = BusinessCalendar("UTC", {0: ((time(9), time(12)), (time(12), time.max))})
    whole = BusinessCalendar("UTC", {0: ((time(9), time(12)), (time(12), time(0))), 1: ()})
    assert split == whole and hash(split) == hash(whole)
    monday = utc(2026, 1, 5)
    assert split.open_between(monday, monday + timedelta(days=1)) == timedelta(hours=15)
    assert split.add(monday, timedelta(hours=15)) == utc(2026, 1, 6)


def test_aware_non_utc_input_gives_utc_output() -> None:
    calendar = BusinessCalendar("Europe/Moscow", MON_FRI_9_18)
    start = datetime(2026, 1, 12, 10, 0, tzinfo=ZoneInfo("Europe/Moscow"))
    due = calendar.add(start, timedelta(minutes=10))
    assert due == utc(2026, 1, 12, 7, 10) and due.tzinfo is UTC


def test_to_dict_format() -> None:
    calendar = BusinessCalendar(
        "Europe/Moscow",
        {0: ((time(9), time(13)), (time(14), time(0))), 2: ((time(9, 0, 30), time(18)),)},
        frozenset({date(2026, 1, 2), date(2026, 1, 1)}),
    )
    assert calendar.to_dict() == {
        "timezone": "Europe/Moscow",
        "weekly": {
            "0": [["09:00", "13:00"], ["14:00", "24:00"]],
            "1": [],
            "2": [["09:00:30", "18:00"]],
            "3": [],
            "4": [],
            "5": [],
            "6": [],
        },
        "holidays": ["2026-01-01", "2026-01-02"],
    }
    assert BusinessCalendar.from_dict(
        {"timezone": "Europe/Moscow", "weekly": {"4": [["10:00", "00:00"]]}}
    ) == BusinessCalendar("Europe/Moscow", {4: ((time(10), time(0)),)})


# -- refusals --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "weekly",
    [
        {},
        {0: ()},
        {0: ((time(10), time(9)),)},
        {0: ((time(9), time(9)),)},
        {0: ((time(9), time(12)), (time(11), time(13)))},
        {0: ((time(13), time(15)), (time(9), time(12)))},
        {7: ((time(9), time(12)),)},
        {-1: ((time(9), time(12)),)},
        {0: ((time(9, tzinfo=UTC), time(12)),)},
        {0: ((time(9),),)},
    ],
)
def test_bad_weekly_schedules_are_refused(weekly: dict[int, tuple[tuple[time, ...], ...]]) -> None:
    with pytest.raises(ValueError):
        BusinessCalendar("UTC", weekly)  # type: ignore[arg-type]


def test_bad_zone_and_holidays_are_refused() -> None:
    with pytest.raises(ValueError):
        BusinessCalendar("Mars/Olympus_Mons", MON_FRI_9_18)
    with pytest.raises(ValueError):
        BusinessCalendar("UTC", MON_FRI_9_18, frozenset({utc(2026, 1, 1)}))


def test_naive_datetimes_and_negative_durations_are_refused() -> None:
    calendar = BusinessCalendar("UTC", MON_FRI_9_18)
    naive = datetime(2026, 1, 5, 10)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError):
        calendar.add(naive, timedelta(minutes=1))
    with pytest.raises(ValueError):
        calendar.open_between(naive, utc(2026, 1, 6))
    with pytest.raises(ValueError):
        calendar.open_between(utc(2026, 1, 5), naive)
    with pytest.raises(ValueError):
        calendar.add(utc(2026, 1, 5), timedelta(minutes=-1))


@pytest.mark.parametrize(
    "data",
    [
        {"weekly": {"0": [["09:00", "18:00"]]}},
        {"timezone": "UTC", "weekly": {"x": [["09:00", "18:00"]]}},
        {"timezone": "UTC", "weekly": {"0": [["9am", "18:00"]]}},
        {"timezone": "UTC", "weekly": {"0": [["24:00", "18:00"]]}},
        {"timezone": "UTC", "weekly": {"0": [["09:00"]]}},
        {"timezone": "UTC", "weekly": {"0": "09:00-18:00"}},
        {"timezone": "UTC", "weekly": {"0": [["09:00", "18:00"]]}, "holidays": ["soon"]},
        {"timezone": "UTC", "weekly": {"0": [["09:00", "18:00"]]}, "holiday": []},
        {"timezone": "UTC", "weekly": {"0": [["09:00", "18:00"]], "00": []}},
        {"timezone": "UTC"},
    ],
)
def test_from_dict_refuses_malformed_data(data: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        BusinessCalendar.from_dict(data)
