"""What one row of the queue shows: its columns, its cells as plain text, the
SLA and Age texts and the next instant they can change, the SLA colours, and
the cached row the queue model keeps (``RowEntry``, formatted once when read,
on the UI thread or the queue service's row reader thread).

Every cell is plain text: customer text is flattened to one line without
control characters and wrapped in a bidi isolate (its direction marks cannot
reorder the rest of the row), and tooltips are escaped before Qt gets a chance
to read them as rich text.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from enum import IntEnum

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QGuiApplication, QPalette

from smm_desk.domain.records import NETWORK_LABELS
from smm_desk.domain.views import CaseView
from smm_desk.ui.i18n import QT_TRANSLATE_NOOP, network_name, translate

#: After this long a cached row is read again when next shown (warning state, edits).
STALE_AFTER = timedelta(seconds=15)


class Column(IntEnum):
    SLA = 0
    NETWORK = 1
    CUSTOMER = 2
    MESSAGE = 3
    DEPARTMENT = 4
    PRIORITY = 5
    ASSIGNEE = 6
    AGE = 7


#: Column titles (English; shown through ``translate("QueueModel", ...)``).
HEADERS: dict[Column, str] = {
    Column.SLA: QT_TRANSLATE_NOOP("QueueModel", "SLA"),
    Column.NETWORK: QT_TRANSLATE_NOOP("QueueModel", "Network"),
    Column.CUSTOMER: QT_TRANSLATE_NOOP("QueueModel", "Customer"),
    Column.MESSAGE: QT_TRANSLATE_NOOP("QueueModel", "Message"),
    Column.DEPARTMENT: QT_TRANSLATE_NOOP("QueueModel", "Department"),
    Column.PRIORITY: QT_TRANSLATE_NOOP("QueueModel", "Priority"),
    Column.ASSIGNEE: QT_TRANSLATE_NOOP("QueueModel", "Assignee"),
    Column.AGE: QT_TRANSLATE_NOOP("QueueModel", "Age"),
}

NETWORK_NAMES = NETWORK_LABELS

PRIORITY_NAMES: dict[str, str] = {
    "low": QT_TRANSLATE_NOOP("Priority", "Low"),
    "normal": QT_TRANSLATE_NOOP("Priority", "Normal"),
    "high": QT_TRANSLATE_NOOP("Priority", "High"),
    "urgent": QT_TRANSLATE_NOOP("Priority", "Urgent"),
}
_TARGET_TITLES: dict[str, str] = {
    "first_response": QT_TRANSLATE_NOOP("QueueModel", "First response"),
    "next_response": QT_TRANSLATE_NOOP("QueueModel", "Next response"),
    "resolution": QT_TRANSLATE_NOOP("QueueModel", "Resolution"),
    "response": QT_TRANSLATE_NOOP("QueueModel", "Response"),
}


def priority_name(priority: str) -> str:
    """A priority as the person reads it ("Urgent"), in the desk's language."""
    name = PRIORITY_NAMES.get(priority)
    return translate("Priority", name) if name else priority.capitalize()


_PLACEHOLDER = "—"
_PREVIEW_LIMIT = 300
_TOOLTIP_LIMIT = 2000
_WHITESPACE = re.compile(r"\s+")
# C0 and C1 control characters (whitespace among them is handled first).
_CONTROL = re.compile("[\u0000-\u001f\u007f-\u009f]")
# First-strong isolate ... pop directional isolate: a customer's bidi marks and
# overrides stay as written but cannot reorder anything outside their own text.
_FSI, _PDI = "\u2068", "\u2069"


# -- plain-text helpers ------------------------------------------------------------------


def isolate(text: str) -> str:
    """``text`` wrapped in a bidi isolate (see ``smm_desk.domain.text``: the UI
    neutralises the direction marks it stores as the customer wrote them)."""
    return f"{_FSI}{text}{_PDI}" if text else text


def one_line(text: str, limit: int = _PREVIEW_LIMIT) -> str:
    """``text`` as a single plain line: whitespace runs become one space, control
    characters go, anything past ``limit`` is cut with an ellipsis; isolated."""
    flat = _CONTROL.sub("", _WHITESPACE.sub(" ", text)).strip()
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return isolate(flat)


def plain_tooltip(text: str) -> str:
    """A tooltip that shows ``text`` literally. Qt guesses whether a tooltip is
    rich text, so customer text like ``<b>hi</b>`` would render as markup: escape it."""
    lines = text.replace("\r\n", "\n").replace("\t", " ")
    clipped = "\n".join(_CONTROL.sub("", line) for line in lines.split("\n"))
    body = html.escape(isolate(clipped.strip()[:_TOOLTIP_LIMIT]))
    return f'<p style="white-space: pre-wrap">{body}</p>'


def _clock(amount: timedelta) -> str:
    seconds = int(amount.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours >= 24:
        return translate("QueueModel", "{days} d {hours} h").format(days=hours // 24,
                                                                     hours=hours % 24)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def _duration(amount: timedelta) -> str:
    minutes = int(amount.total_seconds()) // 60
    if minutes < 1:
        return translate("QueueModel", "<1 min")
    if minutes < 60:
        return translate("QueueModel", "{minutes} min").format(minutes=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return translate("QueueModel", "{hours} h {minutes} min").format(
            hours=hours, minutes=f"{minutes:02d}")
    return translate("QueueModel", "{days} d {hours} h").format(days=hours // 24,
                                                                 hours=hours % 24)


def sla_text_width(font: QFont) -> int:
    """Pixels the usual SLA texts need in ``font`` (bold: a breach is drawn bold),
    in the desk's language: a breach by hours (a night's backlog), a warning, a
    clock in hours."""
    bold = QFont(font)
    bold.setWeight(QFont.Weight.DemiBold)
    metrics = QFontMetrics(bold)
    samples = (
        translate("QueueModel", "breached +{duration}").format(
            duration=_duration(timedelta(hours=9, minutes=59))),
        translate("QueueModel", "warning {clock} left").format(
            clock=_clock(timedelta(minutes=59, seconds=59))),
        translate("QueueModel", "{clock} left").format(
            clock=_clock(timedelta(hours=9, minutes=59, seconds=59))),
    )
    return max(metrics.horizontalAdvance(text) for text in samples)


def sla_cell(case: CaseView, now: datetime) -> tuple[str | None, str]:
    """The SLA cell of ``case`` at ``now``: (state, text).

    The breach is exact (from the due time); the warning is the store's
    judgement when the row was read. ``paused`` is a clock stopped while the
    case waits for the customer; ``None`` means no response is owed.
    """
    if case.sla_state is None:
        return None, _PLACEHOLDER
    if case.response_due_at is None:
        return "paused", translate("QueueModel", "paused")
    left = case.response_due_at - now
    if left <= timedelta(0):
        late = -left
        return "breached", (translate("QueueModel", "breached just now")
                            if late < timedelta(minutes=1)
                            else translate("QueueModel", "breached +{duration}")
                            .format(duration=_duration(late)))
    if case.sla_state == "warning":
        return "warning", translate("QueueModel", "warning {clock} left").format(
            clock=_clock(left))
    return "ok", translate("QueueModel", "{clock} left").format(clock=_clock(left))


#: "Never changes" for :func:`sla_next_change` (aware, like every store instant).
_NEVER = datetime.max.replace(tzinfo=UTC)
_MINUTE = timedelta(minutes=1)


def sla_next_change(case: CaseView, now: datetime) -> datetime:
    """The earliest instant at or after ``now`` when :func:`sla_cell` of ``case``
    may differ from its answer at ``now`` (it does not change before it): the
    clock shows whole seconds, a breach whole minutes."""
    due = case.response_due_at
    if case.sla_state is None or due is None:
        return _NEVER
    left = due - now
    if left > timedelta(0):
        return due - timedelta(seconds=int(left.total_seconds()))
    return due + _MINUTE * (int((-left).total_seconds()) // 60 + 1)


def age_next_change(opened_at: datetime, now: datetime) -> datetime:
    """The earliest instant at or after ``now`` when the Age text may change."""
    age = max(now - opened_at, timedelta(0))
    return opened_at + _MINUTE * (int(age.total_seconds()) // 60 + 1)


def _sla_tooltip(case: CaseView, state: str | None) -> str:
    if state is None:
        return translate("QueueModel", "No response owed")
    key = case.sla_target or "response"
    title = _TARGET_TITLES.get(key)
    target = translate("QueueModel", title) if title else key.replace("_", " ").capitalize()
    if state == "paused":
        return translate("QueueModel", "{target}: paused while waiting for the customer"
                         ).format(target=target)
    assert case.response_due_at is not None
    due = case.response_due_at.astimezone()  # local time, for display only
    return translate("QueueModel", "{target} due at {time}").format(
        target=target, time=f"{due:%H:%M:%S}")




_COLUMNS = len(Column)
_SLA, _PRIORITY, _AGE = int(Column.SLA), int(Column.PRIORITY), int(Column.AGE)


class RowEntry:
    """One cached row: the case, and its cells formatted once when it was fetched.

    The SLA and Age cells depend on the clock: they are formatted again only
    when asked for at a new ``now``; ``next_check`` is the first instant they
    can read differently. Built on the UI thread or the row reader thread."""

    __slots__ = ("view", "stale_at", "text", "foreground", "font", "sla_state", "clock_at",
                 "next_check")

    def __init__(self, view: CaseView | None, now: datetime,
                 palette: tuple[QColor, QColor, QFont]) -> None:
        self.view = view  # None: the case has left the store since the ids were read
        self.stale_at = now + STALE_AFTER
        self.sla_state: str | None = None
        self.clock_at: datetime | None = None
        self.next_check = _NEVER
        self.font: QFont | None = None
        if view is None:
            self.text = [_PLACEHOLDER] * _COLUMNS
            self.foreground: list[QColor | None] = [None] * _COLUMNS
            return
        muted, urgent, bold = palette
        self.text = [
            "", network_name(view.network, NETWORK_NAMES),
            one_line(view.customer, 80) or _PLACEHOLDER, one_line(view.last_inbound_text),
            view.department or _PLACEHOLDER, priority_name(view.priority),
            view.assignee or _PLACEHOLDER, "",
        ]
        self.foreground = [None] * _COLUMNS
        if not view.department:
            self.foreground[Column.DEPARTMENT] = muted
        if not view.assignee:
            self.foreground[Column.ASSIGNEE] = muted
        self.foreground[_AGE] = muted
        if view.priority in ("low", "normal"):
            self.foreground[_PRIORITY] = muted
        elif view.priority == "urgent":
            self.foreground[_PRIORITY] = urgent
            self.font = bold

    def at(self, now: datetime) -> RowEntry:
        """The entry with its SLA and Age cells formatted for ``now``."""
        if self.clock_at != now and self.view is not None:
            view = self.view
            self.clock_at = now
            self.sla_state, self.text[_SLA] = sla_cell(view, now)
            self.text[_AGE] = _duration(max(now - view.opened_at, timedelta(0)))
            self.next_check = min(sla_next_change(view, now),
                                  age_next_change(view.opened_at, now))
        return self

    def same_display(self, other: RowEntry) -> bool:
        """Whether ``other`` (the same case read again) shows exactly what this
        entry shows, at any instant: the same cells, colours and font, and the
        same inputs to the clock texts."""
        mine, theirs = self.view, other.view
        if mine is None or theirs is None:
            return mine is theirs
        return (self.text[1:_AGE] == other.text[1:_AGE]
                and self.foreground == other.foreground and self.font == other.font
                and mine.sla_state == theirs.sla_state
                and mine.response_due_at == theirs.response_due_at
                and mine.opened_at == theirs.opened_at)

    def keep_clock(self, shown: RowEntry) -> None:
        """Take the clock texts ``shown`` (an entry with the same display) has on screen."""
        self.clock_at, self.next_check = shown.clock_at, shown.next_check
        self.sla_state = shown.sla_state
        self.text[_SLA], self.text[_AGE] = shown.text[_SLA], shown.text[_AGE]


def row_entries(cases: list[CaseView], read_at: datetime, ids: list[int],
             palette: tuple[QColor, QColor, QFont]) -> dict[int, RowEntry]:
    """Cache entries for ``ids`` from one read (runs on the row reader thread)."""
    found = {case.id: case for case in cases}
    return {case_id: RowEntry(found.get(case_id), read_at, palette) for case_id in ids}


def row_palette() -> tuple[QColor, QColor, QFont]:
    """(muted text, urgent text, urgent font) for rows formatted now."""
    muted = QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText)
    bold = QFont()
    bold.setBold(True)
    return muted, QColor(_URGENT_DARK if _is_dark() else _URGENT_LIGHT), bold


def _alignment(column: Column) -> Qt.AlignmentFlag:
    horizontal = Qt.AlignmentFlag.AlignRight if column == Column.AGE else Qt.AlignmentFlag.AlignLeft
    return horizontal | Qt.AlignmentFlag.AlignVCenter


_ALIGNMENTS: tuple[Qt.AlignmentFlag, ...] = tuple(_alignment(c) for c in Column)
ALIGNMENT_FLAGS: tuple[int, ...] = tuple(int(a) for a in _ALIGNMENTS)


# -- SLA colours (painted by ui/queue_delegates.py) ---------------------------------

#: state -> (background, text) for light and dark palettes: tints, not alarms.
_SLA_LIGHT: dict[str, tuple[str, str]] = {
    "ok": ("#e6f4ea", "#1e6b34"),
    "warning": ("#fdf0d5", "#8a5300"),
    "breached": ("#fbe4e2", "#a8231c"),
    "paused": ("#eceff3", "#4a5565"),
}
_SLA_DARK: dict[str, tuple[str, str]] = {
    "ok": ("#1f3a27", "#93d3a2"),
    "warning": ("#473616", "#f2c471"),
    "breached": ("#4d201e", "#f4a39c"),
    "paused": ("#2e333a", "#aeb7c2"),
}
_URGENT_LIGHT = "#a8231c"
_URGENT_DARK = "#f4a39c"


def _is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def sla_colors(state: str | None, palette: QPalette | None = None) -> tuple[QColor, QColor] | None:
    """(background, text) colours of an SLA state, or None for no clock."""
    if state is None:
        return None
    table = _SLA_DARK if _is_dark(palette) else _SLA_LIGHT
    background, text = table.get(state, table["paused"])
    return QColor(background), QColor(text)
