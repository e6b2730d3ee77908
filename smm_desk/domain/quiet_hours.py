"""Quiet hours: a daily span of local wall-clock time with no notifications.

Pure and stdlib-only. The caller turns "now" (aware UTC everywhere below the UI)
into the user's local wall-clock time and asks :func:`is_quiet`; this module
never reads the system clock or zone, so it is checked exhaustively in tests.

Semantics, each one a decision:

* The span is half-open, ``[start, end)``: at ``start`` it is quiet, at ``end``
  notifications are back.
* ``start > end`` crosses midnight: 22:00–07:00 is quiet from 22:00 to 23:59:59…
  and from 00:00 to 06:59:59….
* ``start == end`` is an empty span (never quiet): "from 08:00 to 08:00" is how a
  user switches quiet hours off without losing the times, not a 24-hour silence.
* Seconds and microseconds count; ``tzinfo`` on the times is ignored (they are
  wall-clock readings).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

__all__ = ["QuietHours", "is_quiet"]


def _seconds(t: time) -> float:
    return t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1_000_000


def is_quiet(local: time, start: time, end: time) -> bool:
    """Whether the wall-clock time ``local`` falls inside ``[start, end)``,
    where a span with ``start > end`` runs across midnight."""
    now, lo, hi = _seconds(local), _seconds(start), _seconds(end)
    if lo == hi:
        return False
    if lo < hi:
        return lo <= now < hi
    return now >= lo or now < hi


@dataclass(frozen=True)
class QuietHours:
    """The user's quiet hours; ``enabled`` False means never quiet."""

    enabled: bool = False
    start: time = time(22, 0)
    end: time = time(8, 0)

    def contains(self, local: time) -> bool:
        return self.enabled and is_quiet(local, self.start, self.end)
