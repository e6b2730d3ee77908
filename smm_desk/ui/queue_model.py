"""The queue table's model over case ids, and the SLA cell's text and colours
(the delegates that paint them are in ui/queue_delegates.py).

:class:`QueueModel` holds only the ids of the queue, in the service's order
(most urgent first). Rows are fetched from :class:`QueueService` lazily, a
window of ``FETCH_WINDOW`` ids at a time, when a view first asks for them, and
kept in a cache; so a queue of 100,000 cases costs what the visible rows cost.
Keep views over it cheap too: a fixed row height and no ``ResizeToContents``
(which would read every row to measure it).

Freshness: a cached row is *stale* after ``STALE_AFTER`` and is fetched again
the next time a view asks for it. ``refresh()`` (after a mutation) re-reads the
id list and drops the whole cache; rows that stay in the queue keep their
selection and current index, because persistent indexes are moved by id.

The SLA clock: a 1 Hz ``tick()`` (driven by the window) advances the model's
"now" and repaints only the SLA cells of the rows the window says are visible.
The time left and the breach are computed from the row's due time at that
instant; the warning comes from the store's judgement of the row, which the
stale marker keeps at most ``STALE_AFTER`` old. Every cell in one repaint is
judged at the same instant, so neighbouring clocks never disagree.

Every cell is plain text: customer text is flattened to one line without
control characters and wrapped in a bidi isolate (its direction marks cannot
reorder the rest of the row), and tooltips are escaped before Qt gets a chance
to read them as rich text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QGuiApplication, QPalette

from smm_desk.domain.records import NETWORK_LABELS
from smm_desk.domain.views import CaseView
from smm_desk.services.queue import QueueService
from smm_desk.ui.i18n import QT_TRANSLATE_NOOP, network_name, translate

#: How many ids one fetch asks the service for.
FETCH_WINDOW = 100
#: After this long a cached row is read again when next shown (warning state, edits).
STALE_AFTER = timedelta(seconds=15)
#: How often ``tick()`` also repaints the Age cells (they show whole minutes).
AGE_REPAINT_EVERY = timedelta(seconds=15)

#: The case id of a row (any column).
CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
#: The SLA column's state: "ok", "warning", "breached", "paused", or None (no clock).
SLA_STATE_ROLE = Qt.ItemDataRole.UserRole + 2
#: (text, foreground colour or None, font or None) in one call: what the queue's
#: delegate paints, so a cell costs one Python call instead of a dozen roles.
PAINT_ROLE = Qt.ItemDataRole.UserRole + 3

_Index = QModelIndex | QPersistentModelIndex


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
    in the desk's language: a breach in minutes, a warning, a clock in hours."""
    bold = QFont(font)
    bold.setWeight(QFont.Weight.DemiBold)
    metrics = QFontMetrics(bold)
    samples = (
        translate("QueueModel", "breached +{duration}").format(
            duration=_duration(timedelta(minutes=59))),
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


# -- the model ---------------------------------------------------------------------------


_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_CASE_ID = int(CASE_ID_ROLE)
_SLA_STATE = int(SLA_STATE_ROLE)
#: The roles ``data`` answers; a view asks for a dozen more per cell, answered at once.
_PAINT = int(PAINT_ROLE)
_ANSWERED = frozenset({_DISPLAY, _TOOLTIP, _FOREGROUND, _FONT, _ALIGNMENT, _CASE_ID, _SLA_STATE,
                       _PAINT})
_COLUMNS = len(Column)
_SLA, _PRIORITY, _AGE = int(Column.SLA), int(Column.PRIORITY), int(Column.AGE)


class _Entry:
    """One cached row: the case, and its cells formatted once when it was fetched.

    The SLA and Age cells depend on the clock: they are formatted again only
    when asked for at a new ``now`` (so a tick costs the visible rows, once)."""

    __slots__ = ("view", "stale_at", "text", "foreground", "font", "sla_state", "clock_at")

    def __init__(self, view: CaseView | None, now: datetime,
                 palette: tuple[QColor, QColor, QFont]) -> None:
        self.view = view  # None: the case has left the store since the ids were read
        self.stale_at = now + STALE_AFTER
        self.sla_state: str | None = None
        self.clock_at: datetime | None = None
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

    def at(self, now: datetime) -> _Entry:
        """The entry with its SLA and Age cells formatted for ``now``."""
        if self.clock_at != now and self.view is not None:
            self.clock_at = now
            self.sla_state, self.text[_SLA] = sla_cell(self.view, now)
            self.text[_AGE] = _duration(max(now - self.view.opened_at, timedelta(0)))
        return self


#: How many fetch windows the row cache keeps (the least recently fetched go first).
CACHED_WINDOWS = 20


class QueueModel(QAbstractTableModel):
    """A read-only table over the ids of one queue view (see the module doc)."""

    def __init__(self, service: QueueService, view: str = "open",
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._view = view
        self._now = service.now()
        self._ids: list[int] = service.case_ids(view)
        self._rows: dict[int, int] | None = None  # id -> row, built when first needed
        self._cache: dict[int, _Entry] = {}
        self._windows: dict[int, None] = {}  # fetched window starts, oldest first
        self._visible: tuple[int, int] = (0, -1)
        self._age_painted_at = self._now

    # -- Qt API -----------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else _COLUMNS

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < _COLUMNS:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return translate("QueueModel", HEADERS[Column(section)])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _ALIGNMENTS[section]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _FLAGS

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # The hot path: a view asks ~15 roles of every cell it paints.
        if role not in _ANSWERED:
            return None
        row, column = index.row(), index.column()
        if not (0 <= row < len(self._ids) and 0 <= column < _COLUMNS) or not index.isValid():
            return None
        if role == _ALIGNMENT:
            return _ALIGNMENTS[column]
        if role == _CASE_ID:
            return self._ids[row]
        entry = self._entry(row)
        if entry.view is None:
            if role == _PAINT:
                return (_PLACEHOLDER, None, None)
            return _PLACEHOLDER if role == _DISPLAY else None
        if role == _PAINT:
            text = entry.at(self._now).text[column] if column in (_SLA, _AGE) \
                else entry.text[column]
            return (text, entry.foreground[column], entry.font if column == _PRIORITY else None)
        if role == _DISPLAY:
            return entry.at(self._now).text[column] if column in (_SLA, _AGE) \
                else entry.text[column]
        if role == _FOREGROUND:
            return entry.foreground[column]
        if role == _SLA_STATE:
            return entry.at(self._now).sla_state if column == _SLA else None
        if role == _FONT:
            return entry.font if column == _PRIORITY else None
        return self._tooltip(entry.view, Column(column))  # _TOOLTIP

    # -- ids and rows ------------------------------------------------------------------
    @property
    def view(self) -> str:
        return self._view

    def ids(self) -> list[int]:
        """The queue's case ids in row order (a copy)."""
        return list(self._ids)

    def case_id(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, case_id: int) -> int | None:
        if self._rows is None:
            self._rows = {case_id: row for row, case_id in enumerate(self._ids)}
        return self._rows.get(case_id)

    def case_at(self, row: int) -> CaseView | None:
        """The row's case, fetched with its window of neighbours if not cached or stale."""
        return self._entry(row).view

    def _entry(self, row: int) -> _Entry:
        entry = self._cache.get(self._ids[row])
        if entry is None or self._now >= entry.stale_at:
            self._fetch_window(row)
            entry = self._cache[self._ids[row]]
        return entry

    def _fetch_window(self, row: int) -> None:
        start = row - row % FETCH_WINDOW
        now = self._now
        wanted = [
            case_id for case_id in self._ids[start:start + FETCH_WINDOW]
            if (e := self._cache.get(case_id)) is None or now >= e.stale_at
        ]
        found = {case.id: case for case in self._service.cases(wanted)}
        palette = _row_palette()
        for case_id in wanted:
            self._cache[case_id] = _Entry(found.get(case_id), now, palette)
        self._windows.pop(start, None)
        self._windows[start] = None
        while len(self._windows) > CACHED_WINDOWS:
            oldest = next(iter(self._windows))
            del self._windows[oldest]
            for case_id in self._ids[oldest:oldest + FETCH_WINDOW]:
                self._cache.pop(case_id, None)

    def cached_count(self) -> int:
        """How many rows are cached (for tests and diagnostics)."""
        return len(self._cache)

    # -- refresh and the clock ---------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the queue: new ids in the service's order, an empty cache.

        Rows are moved by id, so the selection and the current row follow their
        case; a case that left the queue loses its selection.
        """
        self.reset_ids(self._service.case_ids(self._view))

    def reset_ids(self, new_ids: list[int]) -> None:
        """Show ``new_ids`` (the view's ids in the service's order, e.g. read off
        the UI thread) with an empty cache; the selection follows its cases, as
        in :meth:`refresh`."""
        self._now = self._service.now()
        self._cache.clear()
        self._windows.clear()
        if new_ids == self._ids:
            if self._ids:
                self.dataChanged.emit(self.index(0, 0),
                                      self.index(len(self._ids) - 1, _COLUMNS - 1))
            return
        self.layoutAboutToBeChanged.emit()
        old_ids = self._ids
        moving = self.persistentIndexList()
        self._ids = new_ids
        self._rows = None
        new_row = self._finder({old_ids[old.row()] for old in moving})
        targets = []
        for old in moving:
            row = new_row(old_ids[old.row()])
            targets.append(self.index(row, old.column()) if row is not None else QModelIndex())
        self.changePersistentIndexList(moving, targets)
        self.layoutChanged.emit()

    def _finder(self, wanted: set[int]) -> Callable[[int], int | None]:
        """Row look-up for a few ids without building the whole id -> row map."""
        if len(wanted) > 16:
            return self.row_of
        rows: dict[int, int | None] = {}
        for case_id in wanted:
            try:
                rows[case_id] = self._ids.index(case_id)
            except ValueError:
                rows[case_id] = None
        return rows.__getitem__

    def set_visible_rows(self, first: int, last: int) -> None:
        """The rows a view shows now (inclusive); ``tick()`` repaints only these."""
        self._visible = (max(first, 0), last)

    def visible_rows(self) -> tuple[int, int]:
        """The visible span clamped to the current rows; empty when ``first > last``."""
        first, last = self._visible
        return first, min(last, len(self._ids) - 1)

    def now(self) -> datetime:
        """The instant every cell is judged at (advanced by ``tick`` and ``refresh``)."""
        return self._now

    def tick(self) -> None:
        """Advance the clock and repaint the visible SLA cells (and, every
        ``AGE_REPAINT_EVERY``, the visible Age cells)."""
        self._now = self._service.now()
        first, last = self.visible_rows()
        if first > last:
            return
        self.dataChanged.emit(
            self.index(first, Column.SLA), self.index(last, Column.SLA),
            [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, SLA_STATE_ROLE],
        )
        if self._now - self._age_painted_at >= AGE_REPAINT_EVERY:
            self._age_painted_at = self._now
            self.dataChanged.emit(self.index(first, Column.AGE), self.index(last, Column.AGE),
                                  [Qt.ItemDataRole.DisplayRole])

    # -- cells -------------------------------------------------------------------------
    def _tooltip(self, case: CaseView, column: Column) -> str | None:
        if column == Column.SLA:
            return _sla_tooltip(case, sla_cell(case, self._now)[0])
        if column == Column.NETWORK:
            return plain_tooltip(case.account)
        if column == Column.CUSTOMER:
            return plain_tooltip(case.customer)
        if column == Column.MESSAGE:
            return plain_tooltip(case.last_inbound_text) if case.last_inbound_text else None
        if column == Column.AGE:
            return translate("QueueModel", "Opened {time}").format(
                time=f"{case.opened_at.astimezone():%Y-%m-%d %H:%M}")
        return None


def _row_palette() -> tuple[QColor, QColor, QFont]:
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
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren


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
