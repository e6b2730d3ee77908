"""The queue table's model over case ids (what a row shows, the SLA texts and
colours are in ui/queue_cells.py; the delegates that paint them in
ui/queue_delegates.py).

:class:`QueueModel` holds only the ids of the queue, in the service's order
(most urgent first). Rows are fetched from :class:`QueueService` lazily, a
window of ``FETCH_WINDOW`` ids at a time, when a view first asks for them, and
kept in a cache; so a queue of 100,000 cases costs what the visible rows cost.
Keep views over it cheap too: a fixed row height and no ``ResizeToContents``
(which would read every row to measure it).

Freshness: a cached row is *stale* after ``STALE_AFTER`` and is fetched again
the next time a view asks for it. ``refresh()`` (after a mutation) re-reads the
id list and drops the whole cache; rows that stay in the queue keep their
selection and current index, because persistent indexes are moved by id. A
refresh read off the UI thread brings the rows it will show with its ids
(``read_ahead``, ui/queue_ahead.py), so its repaint reads nothing here.

Off the UI thread: while an asyncio loop runs (the app's qasync loop), rows are
read on the queue service's row reader before they are needed: the shown rows
``PREFETCH_LEAD`` before they go stale (``tick``), and the windows next to the
shown ones (``shown``, from the table's paint). A read lands on the UI thread
as a ready cache entry; cells whose text, colour or font differ are repainted,
nothing else. A view that needs a row whose read is still under way waits for
that read (or reads the row itself if it has not started): the synchronous
path stays correct, it is just rarely taken. Without a loop every read is
synchronous, as it always was.

The SLA clock: a 1 Hz ``tick()`` (driven by the window) advances the model's
"now" and repaints the SLA and Age cells of the visible rows whose text has
changed, and only those: each row knows the next instant its clock texts can
change (``sla_next_change``), so a tick that changes nothing costs a comparison
per visible row and paints nothing. The time left and the breach are computed
from the row's due time at that instant; the warning comes from the store's
judgement of the row, which the stale marker keeps at most ``STALE_AFTER`` old.
Every cell in one repaint is judged at the same instant, so neighbouring clocks
never disagree.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QFont
from shiboken6 import Shiboken

from smm_desk.domain.views import CaseView
from smm_desk.services.queue import QueueService
from smm_desk.ui.i18n import translate
from smm_desk.ui.queue_ahead import RowsAhead, rows_reader
from smm_desk.ui.queue_cells import (  # the queue's public names, re-exported
    _ALIGNMENTS,
    _PLACEHOLDER,
    ALIGNMENT_FLAGS,
    HEADERS,
    NETWORK_NAMES,
    PRIORITY_NAMES,
    STALE_AFTER,
    Column,
    RowEntry,
    _sla_tooltip,
    age_next_change,
    isolate,
    one_line,
    plain_tooltip,
    priority_name,
    row_entries,
    row_palette,
    sla_cell,
    sla_colors,
    sla_next_change,
    sla_text_width,
)

__all__ = [
    "ALIGNMENT_FLAGS", "CACHED_WINDOWS", "CASE_ID_ROLE", "FETCH_WINDOW", "HEADERS",
    "NETWORK_NAMES", "PAINT_ROLE", "PREFETCH_LEAD", "PRIORITY_NAMES", "SLA_STATE_ROLE",
    "STALE_AFTER", "Column", "QueueModel", "RowEntry", "age_next_change", "isolate", "one_line",
    "plain_tooltip", "priority_name", "row_entries", "row_palette", "sla_cell", "sla_colors",
    "sla_next_change", "sla_text_width",
]

#: How many ids one fetch asks the service for.
FETCH_WINDOW = 100
#: Shown rows are read again (off the UI thread) this long before they go stale.
PREFETCH_LEAD = timedelta(seconds=3)

log = logging.getLogger("smm_desk.ui")

#: The case id of a row (any column).
CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
#: The SLA column's state: "ok", "warning", "breached", "paused", or None (no clock).
SLA_STATE_ROLE = Qt.ItemDataRole.UserRole + 2
#: (text, foreground colour or None, font or None) in one call: what the queue's
#: delegate paints, so a cell costs one Python call instead of a dozen roles.
PAINT_ROLE = Qt.ItemDataRole.UserRole + 3

_Index = QModelIndex | QPersistentModelIndex


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
_SLA_ROLES = [_DISPLAY, _TOOLTIP, _SLA_STATE]
_AGE_ROLES = [_DISPLAY]
_PLACEHOLDER_CELL: tuple[str, QColor | None, QFont | None] = (_PLACEHOLDER, None, None)
_PLACEHOLDER_SLA: tuple[str | None, str] = (None, _PLACEHOLDER)


class _Read:
    """Rows ``first``..``last`` being read off the UI thread (``ids``: those wanted);
    ``repaint``: ids to repaint when it lands even without a cached entry to
    compare with."""

    __slots__ = ("first", "last", "ids", "generation", "palette", "repaint", "future", "done")

    def __init__(self, first: int, last: int, ids: list[int], generation: int,
                 repaint: frozenset[int]) -> None:
        self.first, self.last, self.ids = first, last, ids
        self.generation = generation
        self.palette = row_palette()
        self.repaint = repaint
        self.future: Future[dict[int, RowEntry]] | None = None  # None until submitted
        self.done = False


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


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
        self._cache: dict[int, RowEntry] = {}
        self._windows: dict[int, None] = {}  # fetched window starts, oldest first
        self._visible: tuple[int, int] = (0, -1)
        self._shown_windows: tuple[int, int] | None = None
        self._pending: dict[int, _Read] = {}  # case id -> the read under way that brings it
        self._generation = 0  # bumped when the cache is dropped: older reads are void

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

    # flags(): QAbstractTableModel's own (enabled, selectable, never has children)
    # answers as this model would, without a Python call per painted cell.

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

    def _entry(self, row: int) -> RowEntry:
        entry = self._cache.get(self._ids[row])
        if entry is None or self._now >= entry.stale_at:
            self._fetch_window(row)
            entry = self._cache[self._ids[row]]
        return entry

    def _fetch_window(self, row: int) -> None:
        """Read the row's window now (the synchronous path): what reads under way
        bring is taken from them, the rest is read here."""
        start = row - row % FETCH_WINDOW
        window = self._ids[start:start + FETCH_WINDOW]
        self._take_reads(window)
        now = self._now
        wanted = [
            case_id for case_id in window
            if (e := self._cache.get(case_id)) is None or now >= e.stale_at
        ]
        if wanted:
            found = {case.id: case for case in self._service.cases(wanted)}
            palette = row_palette()
            for case_id in wanted:
                self._cache[case_id] = RowEntry(found.get(case_id), now, palette)
        self._touch(start)

    def _touch(self, start: int) -> None:
        """Window ``start`` was just read; the least recently read windows beyond
        ``CACHED_WINDOWS`` leave the cache (never one that is shown)."""
        self._windows.pop(start, None)
        self._windows[start] = None
        if len(self._windows) <= CACHED_WINDOWS:
            return
        first, last = self._visible
        for oldest in list(self._windows):
            if len(self._windows) <= CACHED_WINDOWS:
                break
            if oldest <= last and first < oldest + FETCH_WINDOW:
                continue
            del self._windows[oldest]
            for case_id in self._ids[oldest:oldest + FETCH_WINDOW]:
                self._cache.pop(case_id, None)

    def cached_count(self) -> int:
        """How many rows are cached (for tests and diagnostics)."""
        return len(self._cache)

    # -- reads off the UI thread -------------------------------------------------------
    def _read_later(self, loop: asyncio.AbstractEventLoop, first: int, last: int,
                    soon: datetime, repaint: frozenset[int] = frozenset()) -> None:
        """Read rows ``first``..``last`` that are missing or stale by ``soon`` on
        the row reader thread (not those already being read)."""
        cache, pending = self._cache, self._pending
        wanted = [
            case_id for case_id in self._ids[first:last + 1]
            if case_id not in pending
            and ((e := cache.get(case_id)) is None or soon >= e.stale_at)
        ]
        if not wanted:
            return
        read = _Read(first, last, wanted, self._generation, repaint)
        for case_id in wanted:
            pending[case_id] = read
        # Submitted when the loop next runs, i.e. after the frame being painted.
        loop.create_task(self._run(read))

    async def _run(self, read: _Read) -> None:
        if read.done:
            return
        read.future = self._service.read_cases(
            read.ids, lambda cases, read_at: row_entries(cases, read_at, read.ids, read.palette))
        try:
            entries = await asyncio.wrap_future(read.future)
        except asyncio.CancelledError:
            self._drop(read)
            raise
        except Exception:  # noqa: BLE001 - a view that needs the rows reads them itself
            log.exception("reading queue rows failed")
            self._drop(read)
            return
        if not read.done and Shiboken.isValid(self):
            self._install(read, entries)

    def _drop(self, read: _Read) -> None:
        read.done = True
        for case_id in read.ids:
            if self._pending.get(case_id) is read:
                del self._pending[case_id]

    def _take_reads(self, ids: list[int]) -> None:
        """Install what the reads under way for ``ids`` bring, waiting for those that
        have started; those still queued are cancelled (the caller reads their rows)."""
        pending = self._pending
        reads = {id(r): r for case_id in ids if (r := pending.get(case_id)) is not None}
        for read in reads.values():
            future = read.future
            if future is None or future.cancel():
                self._drop(read)
                continue
            try:
                entries = future.result()
            except Exception:  # noqa: BLE001 - read again by the caller
                self._drop(read)
                continue
            self._install(read, entries)

    def _install(self, read: _Read, entries: dict[int, RowEntry]) -> None:
        """Put a finished read into the cache and repaint the rows whose display
        changed (an entry that shows the same keeps the clock texts on screen)."""
        self._drop(read)
        if read.generation != self._generation:
            return  # the cache was dropped since (a refresh): these rows may be older
        ids, cache = self._ids, self._cache
        changed: list[int] = []
        last = min(read.last, len(ids) - 1)
        for row in range(read.first, last + 1):
            case_id = ids[row]
            new = entries.get(case_id)
            if new is None:
                continue
            old = cache.get(case_id)
            if old is not None and old.stale_at > new.stale_at:
                continue  # read again since, synchronously
            cache[case_id] = new
            if old is not None and old.same_display(new):
                if old.clock_at is not None:
                    new.keep_clock(old)
            elif old is not None or case_id in read.repaint:
                changed.append(row)
        for start in range(read.first - read.first % FETCH_WINDOW, last + 1, FETCH_WINDOW):
            self._touch(start)
        self._emit_rows(changed, 0, _COLUMNS - 1, [])

    def _emit_rows(self, rows: list[int], first_column: int, last_column: int,
                   roles: list[int]) -> None:
        """``dataChanged`` for ``rows`` (ascending), one signal per run of neighbours."""
        i = 0
        while i < len(rows):
            j = i
            while j + 1 < len(rows) and rows[j + 1] == rows[j] + 1:
                j += 1
            self.dataChanged.emit(self.index(rows[i], first_column),
                                  self.index(rows[j], last_column), roles)
            i = j + 1

    # -- refresh and the clock ---------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the queue: new ids in the service's order, an empty cache.

        Rows are moved by id, so the selection and the current row follow their
        case; a case that left the queue loses its selection.
        """
        self.reset_ids(self._service.case_ids(self._view))

    def reset_ids(self, new_ids: list[int], ahead: RowsAhead | None = None) -> list[int] | None:
        """Show ``new_ids`` (the view's ids in the service's order, e.g. read off
        the UI thread) with an empty cache; the selection follows its cases, as
        in :meth:`refresh`. ``ahead``: rows read with these ids (:meth:`read_ahead`)
        go into the new cache; with the same ids, rows that show what they showed
        are not repainted. Returns the previous ids if they differ (no copy)."""
        self._now = self._service.now()
        old_cache, self._cache = self._cache, {}
        self._windows.clear()
        if ahead is not None and not ahead.fits(self, self._generation, new_ids):
            ahead = None  # read for an older cache (a palette since changed) or other ids
        self._generation += 1
        for read in {id(r): r for r in self._pending.values()}.values():
            read.done = True
            if read.future is not None:
                read.future.cancel()
        self._pending.clear()
        self._shown_windows = None
        if new_ids == self._ids:
            if not self._ids:
                return None
            if ahead is None:
                self.dataChanged.emit(self.index(0, 0),
                                      self.index(len(self._ids) - 1, _COLUMNS - 1))
                return None
            kept = self._take_ahead(ahead, old_cache)
            first, last = self.visible_rows()
            self._emit_rows([row for row in range(first, last + 1) if row not in kept],
                            0, _COLUMNS - 1, [])
            return None
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
        if ahead is not None:
            self._take_ahead(ahead, old_cache)
        self.layoutChanged.emit()
        return old_ids

    def read_ahead(self, anchor: int | None, first: int,
                   count: int) -> Callable[[list[int]], RowsAhead]:
        """For the queue service's reader (``snapshot_async``): read the ``count``
        rows a refresh will show from case ``anchor``'s new row, else from row
        ``first``, right after the new ids; :meth:`reset_ids` takes them."""
        return rows_reader(self, self._generation, self._service, anchor, first, count,
                           row_palette())

    def _take_ahead(self, ahead: RowsAhead, old_cache: dict[int, RowEntry]) -> set[int]:
        """Cache the rows read ahead; the rows among them that show what they showed."""
        kept = ahead.install(self._cache, old_cache)
        last = ahead.first + len(ahead.entries) - 1
        for start in range(ahead.first - ahead.first % FETCH_WINDOW, last + 1, FETCH_WINDOW):
            self._touch(start)
        return kept

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

    def shown(self, first: int, last: int) -> None:
        """A view has just painted rows ``first``..``last``: remember them, and when
        they reach into another window, read the windows on either side off the
        UI thread (while a loop runs), so scrolling on finds them cached."""
        self.set_visible_rows(first, last)
        if first > last:
            return
        windows = (first // FETCH_WINDOW, last // FETCH_WINDOW)
        if windows == self._shown_windows:
            return
        self._shown_windows = windows
        loop = _running_loop()
        if loop is None:
            return
        soon = self._now + PREFETCH_LEAD
        for window in (windows[1] + 1, windows[0] - 1):
            start = window * FETCH_WINDOW
            if 0 <= start < len(self._ids):
                self._read_later(loop, start, min(start + FETCH_WINDOW, len(self._ids)) - 1,
                                 soon)

    def visible_rows(self) -> tuple[int, int]:
        """The visible span clamped to the current rows; empty when ``first > last``."""
        first, last = self._visible
        return first, min(last, len(self._ids) - 1)

    def now(self) -> datetime:
        """The instant every cell is judged at (advanced by ``tick`` and ``refresh``)."""
        return self._now

    def tick(self) -> None:
        """Advance the clock; repaint the visible SLA and Age cells whose text
        changed, and have the visible rows read again before they go stale (off
        the UI thread while a loop runs; without one, stale or unread rows are
        repainted, and their paint reads them)."""
        now = self._now = self._service.now()
        first, last = self.visible_rows()
        if first > last:
            return
        loop = _running_loop()
        soon = now + PREFETCH_LEAD if loop is not None else now
        ids, cache = self._ids, self._cache
        sla: list[int] = []
        age: list[int] = []
        unread: list[int] = []
        stale: list[int] = []
        for row in range(first, last + 1):
            entry = cache.get(ids[row])
            if entry is None:
                unread.append(row)
                continue
            if soon >= entry.stale_at:
                stale.append(row)
            clock_at = entry.clock_at
            if clock_at is None or clock_at <= now < entry.next_check:
                continue  # never shown, or nothing on it reads differently yet
            state, sla_text, age_text = entry.sla_state, entry.text[_SLA], entry.text[_AGE]
            entry.at(now)
            if entry.text[_SLA] != sla_text or entry.sla_state != state:
                sla.append(row)
            if entry.text[_AGE] != age_text:
                age.append(row)
        self._emit_rows(sla, _SLA, _SLA, _SLA_ROLES)
        self._emit_rows(age, _AGE, _AGE, _AGE_ROLES)
        if loop is not None:
            if unread or stale:
                self._read_later(loop, first, last, soon,
                                 frozenset(ids[row] for row in unread))
        elif unread or stale:
            self._emit_rows(sorted(unread + stale), 0, _COLUMNS - 1, [])

    # -- the delegates' fast path ------------------------------------------------------
    def paint_cell(self, row: int, column: int) -> tuple[str, QColor | None, QFont | None]:
        """What ``PAINT_ROLE`` answers, as a plain Python call: (text, foreground
        or None, font or None)."""
        entry = self._cache.get(self._ids[row])
        if entry is None or self._now >= entry.stale_at:
            entry = self._entry(row)
        if entry.view is None:
            return _PLACEHOLDER_CELL
        if (column == _SLA or column == _AGE) and entry.clock_at != self._now:
            entry.at(self._now)
        return entry.text[column], entry.foreground[column], \
            entry.font if column == _PRIORITY else None

    def paint_sla(self, row: int) -> tuple[str | None, str]:
        """The SLA cell's (state, text), as ``SLA_STATE_ROLE`` and ``DisplayRole`` answer."""
        entry = self._cache.get(self._ids[row])
        if entry is None or self._now >= entry.stale_at:
            entry = self._entry(row)
        if entry.view is None:
            return _PLACEHOLDER_SLA
        if entry.clock_at != self._now:
            entry.at(self._now)
        return entry.sla_state, entry.text[_SLA]

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


#: (muted text, urgent text, urgent font) for rows formatted now (see queue_cells).
_row_palette = row_palette
