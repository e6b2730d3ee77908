"""Business-hours calendar: how much *open* time lies between two UTC instants.

An SLA policy may say "10 minutes, counted in business hours": a message that
arrives on Friday at 17:55 in a shop open 09:00-18:00 Monday to Friday is due on
Monday at 09:05, not on Friday at 18:05. This module is the arithmetic behind
that, kept pure (no I/O, stdlib only) so it can be checked exhaustively.

Semantics, written down because each one is a decision:

* **Instants are UTC, the calendar is local.** Every datetime passed in or
  returned is timezone-aware; a naive one raises :class:`ValueError` (it would
  silently mean "whatever zone this machine is in"). Aware datetimes in another
  zone are accepted and converted; results are always in UTC. Local wall-clock
  time exists only inside the calculation.
* **Open time is real elapsed time while the local clock reads inside an open
  interval** of a non-holiday date. So across a DST change a 09:00-18:00 day is
  still 9 hours; a day open 00:00-24:00 is 23 hours on spring-forward day and 25
  on fall-back day; an interval 01:00-04:00 that contains the spring gap is 2
  hours, and one that contains the repeated fall-back hour counts it twice (the
  clock really was inside the interval for that long). Wall times that do not
  exist are simply never reached; ambiguous ones are both reached, in order.
  This is exactly what a brute-force walk over UTC minutes asking "is the local
  time inside an open interval?" gives, and the tests check it against one.
* **A date is the local calendar date** of the wall clock: the weekday schedule
  and the holiday set are looked up by it.
* **Intervals are half-open** ``[start, end)``. An ``end`` of ``time(0, 0)`` or
  ``time.max`` means midnight at the end of the day (24:00); both are stored as
  ``time(0, 0)`` so equal calendars compare equal. Touching intervals
  (``09:00-12:00`` and ``12:00-18:00``) are allowed; overlapping or unsorted ones
  raise :class:`ValueError` at construction.
* **A calendar with no open interval in any weekday is refused at
  construction** (``ValueError``): with it, :meth:`BusinessCalendar.add` could
  never finish. Holidays are a finite set, so any other calendar always opens
  again; as a belt-and-braces guard, a walk that meets more closed days in a
  row than the holiday list could explain raises ``ValueError`` instead of
  looping.
* ``add(start, timedelta(0))`` returns ``start`` even when the calendar is
  closed then: zero duration needs no open time. A positive duration returns the
  *earliest* instant at which that much open time has elapsed, so a deadline
  that ends exactly at closing time is closing time, not next morning's
  opening. A negative duration raises ``ValueError``.

How it is computed: UTC time is walked one UTC day at a time. For each day the
zone's UTC-offset changes are located (sampled every two hours, then bisected
to the second; results are cached per zone and day), which splits the day into
pieces of constant offset where local time is UTC plus a constant. In each
piece the open intervals of the local dates it covers are mapped back to UTC by
subtracting that constant and clipped to the piece. This costs a handful of
operations per day whatever the durations, and never steps minute by minute.
The only approximation: two offset changes that cancel out within two hours
would be missed; no zone in the tz database does that.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["BusinessCalendar", "Interval", "as_utc"]

#: One local open interval, ``[start, end)``; ``end == time(0, 0)`` is midnight.
Interval = tuple[time, time]

_DAY = timedelta(days=1)
_ZERO = timedelta(0)
_TICK = timedelta(microseconds=1)
_DAY_SECONDS = 86_400
_SAMPLE_SECONDS = 2 * 3600
_MIDNIGHT = time(0, 0)

#: ``(utc_start, utc_end, utc_offset)`` pieces of one UTC day.
_OffsetPieces = tuple[tuple[datetime, datetime, timedelta], ...]


def as_utc(value: datetime, what: str = "datetime") -> datetime:
    """Return ``value`` as an aware UTC datetime; a naive one raises ``ValueError``."""
    if not isinstance(value, datetime):
        raise TypeError(f"{what} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {value!r}")
    return value.astimezone(UTC)


def _zone(key: str) -> ZoneInfo:
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {key!r}") from exc


def _offset_at(zone: ZoneInfo, posix_seconds: int) -> timedelta:
    offset = datetime.fromtimestamp(posix_seconds, tz=zone).utcoffset()
    assert offset is not None  # a ZoneInfo always knows its offset
    return offset


@lru_cache(maxsize=8192)
def _offset_pieces(zone_key: str, day_ordinal: int) -> _OffsetPieces:
    """Split one UTC day into ``(start, end, utc_offset)`` pieces of constant offset."""
    zone = _zone(zone_key)
    day_start = int(datetime.combine(date.fromordinal(day_ordinal), _MIDNIGHT, UTC).timestamp())
    day_end = day_start + _DAY_SECONDS
    pieces: list[tuple[int, int, timedelta]] = []
    piece_start = day_start
    offset = _offset_at(zone, day_start)
    probe = day_start  # invariant: _offset_at(probe) == offset
    last_second = day_end - 1  # a change exactly at day_end belongs to the next day
    while probe < last_second:
        ahead = min(probe + _SAMPLE_SECONDS, last_second)
        while _offset_at(zone, ahead) != offset:
            low, high = probe, ahead  # offset(low) == offset != offset(high)
            while high - low > 1:
                mid = (low + high) // 2
                if _offset_at(zone, mid) == offset:
                    low = mid
                else:
                    high = mid
            pieces.append((piece_start, high, offset))
            piece_start = probe = high
            offset = _offset_at(zone, high)
        probe = ahead
    pieces.append((piece_start, day_end, offset))
    return tuple(
        (datetime.fromtimestamp(lo, UTC), datetime.fromtimestamp(hi, UTC), off)
        for lo, hi, off in pieces
    )


def _span(day: int, start: time, end: time) -> tuple[timedelta, timedelta]:
    """An interval as offsets from local midnight, validated; end 00:00/time.max = 24:00."""
    for value in (start, end):
        if not isinstance(value, time):
            raise ValueError(f"weekday {day}: interval bounds must be datetime.time, got {value!r}")
        if value.tzinfo is not None:
            raise ValueError(f"weekday {day}: interval bounds are local wall times, no tzinfo")
    lo = timedelta(
        hours=start.hour, minutes=start.minute, seconds=start.second, microseconds=start.microsecond
    )
    if end in (_MIDNIGHT, time.max):
        hi = _DAY
    else:
        hi = timedelta(
            hours=end.hour, minutes=end.minute, seconds=end.second, microseconds=end.microsecond
        )
    if not lo < hi:
        raise ValueError(f"weekday {day}: interval {start}-{end} must start before it ends")
    return lo, hi


class _Week(Mapping[int, tuple[Interval, ...]]):
    """An immutable, hashable weekday -> intervals mapping with all seven days present."""

    __slots__ = ("_days", "_hash")

    def __init__(self, days: tuple[tuple[Interval, ...], ...]) -> None:
        self._days = days
        self._hash = hash(days)

    def __getitem__(self, key: int) -> tuple[Interval, ...]:
        if isinstance(key, bool) or not isinstance(key, int) or not 0 <= key <= 6:
            raise KeyError(key)
        return self._days[key]

    def __iter__(self) -> Iterator[int]:
        return iter(range(7))

    def __len__(self) -> int:
        return 7

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        return repr({day: spans for day, spans in enumerate(self._days) if spans})


def _format_time(value: time, *, is_end: bool) -> str:
    if is_end and value == _MIDNIGHT:
        return "24:00"
    if value.second == 0 and value.microsecond == 0:
        return f"{value.hour:02d}:{value.minute:02d}"
    return value.isoformat()


def _parse_time(text: object, *, is_end: bool) -> time:
    if not isinstance(text, str):
        raise ValueError(f"time must be a string like '09:00', got {text!r}")
    if is_end and text in ("24:00", "24:00:00"):
        return _MIDNIGHT
    try:
        return time.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"bad time {text!r}") from exc


@dataclass(frozen=True)
class BusinessCalendar:
    """Weekly opening hours in one IANA time zone, minus holidays.

    ``weekly`` maps weekday (0 = Monday .. 6 = Sunday) to sorted, non-overlapping
    local intervals ``[start, end)``; missing weekdays are closed. After
    construction ``weekly`` holds all seven days (closed ones as ``()``), is
    immutable, and the calendar is hashable and compares by value.
    ``holidays`` are local dates closed all day.
    """

    timezone: str
    weekly: Mapping[int, tuple[Interval, ...]]
    holidays: frozenset[date] = frozenset()
    _spans: tuple[tuple[tuple[timedelta, timedelta], ...], ...] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if not isinstance(self.timezone, str):
            raise ValueError(f"timezone must be an IANA name, got {self.timezone!r}")
        _zone(self.timezone)
        if not isinstance(self.weekly, Mapping):
            raise ValueError("weekly must map weekday numbers 0..6 to intervals")
        days: list[tuple[Interval, ...]] = [() for _ in range(7)]
        spans: list[tuple[tuple[timedelta, timedelta], ...]] = [() for _ in range(7)]
        for day, intervals in self.weekly.items():
            if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
                raise ValueError(f"weekday must be an int 0 (Monday)..6 (Sunday), got {day!r}")
            kept: list[Interval] = []
            day_spans: list[tuple[timedelta, timedelta]] = []
            for pair in intervals:
                if not isinstance(pair, tuple | list) or len(pair) != 2:
                    raise ValueError(f"weekday {day}: interval must be a (start, end) pair")
                start, end = pair
                lo, hi = _span(day, start, end)
                if day_spans and lo < day_spans[-1][1]:
                    raise ValueError(f"weekday {day}: intervals must be sorted and not overlap")
                day_spans.append((lo, hi))
                kept.append((start, _MIDNIGHT if hi == _DAY else end))
            days[day] = tuple(kept)
            spans[day] = tuple(day_spans)
        if not any(spans):
            raise ValueError("a business calendar needs at least one open interval")
        holidays = frozenset(self.holidays)
        for holiday in holidays:
            if isinstance(holiday, datetime) or not isinstance(holiday, date):
                raise ValueError(f"holidays must be dates, got {holiday!r}")
        object.__setattr__(self, "weekly", _Week(tuple(days)))
        object.__setattr__(self, "holidays", holidays)
        object.__setattr__(self, "_spans", tuple(spans))

    # -- arithmetic ---------------------------------------------------------------------

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """Earliest UTC instant by which ``duration`` of open time has elapsed since ``start``.

        ``duration == 0`` returns ``start`` (converted to UTC) even when closed.
        """
        start = as_utc(start, "start")
        if duration < _ZERO:
            raise ValueError(f"duration must not be negative, got {duration}")
        if duration == _ZERO:
            return start
        remaining = duration
        for lo, hi in self._open_pieces(start):
            if remaining <= hi - lo:
                return lo + remaining
            remaining -= hi - lo
        raise AssertionError("unreachable: _open_pieces is endless")  # pragma: no cover

    def open_between(self, start: datetime, end: datetime) -> timedelta:
        """Open time inside ``[start, end)``; zero when ``end <= start``."""
        start = as_utc(start, "start")
        end = as_utc(end, "end")
        total = _ZERO
        if end <= start:
            return total
        for lo, hi in self._open_pieces(start):
            if lo >= end:
                break
            total += min(hi, end) - lo
        return total

    def is_open(self, at: datetime) -> bool:
        """Whether the calendar is open at the instant ``at``."""
        at = as_utc(at, "at")
        for lo, _hi in self._open_pieces(at):
            return lo == at
        raise AssertionError("unreachable: _open_pieces is endless")  # pragma: no cover

    def _open_pieces(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Disjoint open UTC intervals at or after ``start``, in order, clipped to it; endless."""
        ordinal = start.date().toordinal()
        closed_days = 0
        # Consecutive closed UTC days are bounded by a run of closed weekdays (< 7),
        # holidays, a DST gap swallowing an interval, and UTC/local misalignment.
        limit = len(self.holidays) + 31
        while True:
            found = False
            for lo, hi in self._day_pieces(ordinal):
                if hi <= start:
                    continue
                found = True
                yield max(lo, start), hi
            closed_days = 0 if found else closed_days + 1
            if closed_days > limit:
                raise ValueError(f"calendar {self.timezone} never opens after {start.isoformat()}")
            ordinal += 1

    def _day_pieces(self, ordinal: int) -> list[tuple[datetime, datetime]]:
        """Open UTC intervals within one UTC day, in order."""
        out: list[tuple[datetime, datetime]] = []
        for seg_lo, seg_hi, offset in _offset_pieces(self.timezone, ordinal):
            # Wall-clock times are carried as UTC-labelled datetimes: within this piece
            # local wall time is exactly UTC + offset, so no tz lookups are needed.
            wall_lo = seg_lo + offset
            wall_hi = seg_hi + offset
            local_day = wall_lo.date()
            last_day = (wall_hi - _TICK).date()
            while local_day <= last_day:
                if local_day not in self.holidays:
                    midnight = datetime.combine(local_day, _MIDNIGHT, UTC) - offset
                    for open_at, close_at in self._spans[local_day.weekday()]:
                        lo = max(seg_lo, midnight + open_at)
                        hi = min(seg_hi, midnight + close_at)
                        if lo < hi:
                            out.append((lo, hi))
                local_day += _DAY
        return out

    # -- storage --------------------------------------------------------------------------

    def to_dict(self) -> dict[str, object]:
        """JSON-safe form for a database JSON column.

        ``{"timezone": "Europe/Moscow", "weekly": {"0": [["09:00", "18:00"]], ..., "6": []},
        "holidays": ["2026-01-01"]}``: all seven weekdays are written, times as
        ``HH:MM`` (``HH:MM:SS[.ffffff]`` when needed), midnight as an end as
        ``"24:00"``, holidays sorted ISO dates.
        """
        return {
            "timezone": self.timezone,
            "weekly": {
                str(day): [
                    [_format_time(start, is_end=False), _format_time(end, is_end=True)]
                    for start, end in self.weekly[day]
                ]
                for day in range(7)
            },
            "holidays": sorted(holiday.isoformat() for holiday in self.holidays),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> BusinessCalendar:
        """Inverse of :meth:`to_dict`; malformed data raises ``ValueError``.

        Missing weekdays are closed, ``"holidays"`` may be omitted, ``"00:00"`` as
        an end also means midnight. Unknown keys are refused rather than ignored,
        so a typo ("holiday") cannot silently drop the holidays.
        """
        if not isinstance(data, Mapping):
            raise ValueError("calendar data must be a JSON object")
        unknown = set(data) - {"timezone", "weekly", "holidays"}
        if unknown:
            raise ValueError(f"unknown calendar keys: {sorted(unknown)}")
        timezone = data.get("timezone")
        if not isinstance(timezone, str):
            raise ValueError("calendar data needs a 'timezone' string")
        raw_weekly = data.get("weekly", {})
        if not isinstance(raw_weekly, Mapping):
            raise ValueError("'weekly' must be an object of weekday -> intervals")
        weekly: dict[int, tuple[Interval, ...]] = {}
        for key, raw_intervals in raw_weekly.items():
            try:
                day = int(key)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"bad weekday key {key!r}") from exc
            if day in weekly:
                raise ValueError(f"weekday {day} given twice")
            if not isinstance(raw_intervals, list | tuple):
                raise ValueError(f"weekday {day}: intervals must be a list")
            intervals: list[Interval] = []
            for pair in raw_intervals:
                if not isinstance(pair, list | tuple) or len(pair) != 2:
                    raise ValueError(f"weekday {day}: interval must be [start, end]")
                intervals.append(
                    (_parse_time(pair[0], is_end=False), _parse_time(pair[1], is_end=True))
                )
            weekly[day] = tuple(intervals)
        raw_holidays = data.get("holidays", [])
        if not isinstance(raw_holidays, list | tuple):
            raise ValueError("'holidays' must be a list of ISO dates")
        holidays: set[date] = set()
        for text in raw_holidays:
            if not isinstance(text, str):
                raise ValueError(f"holiday must be an ISO date string, got {text!r}")
            holidays.add(date.fromisoformat(text))
        return cls(timezone=timezone, weekly=weekly, holidays=frozenset(holidays))
