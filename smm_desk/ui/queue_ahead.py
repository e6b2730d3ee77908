"""The rows a refresh is about to show, read with its new ids off the UI thread.

A refresh on sync activity reads the queue's ids on the queue service's
reader thread and hands them to the model, which drops its row cache (the
rows may have changed). The repaint that follows then found every shown row
missing and read it on the UI thread, inside the paint: 7–17 ms of store work
on the GUI thread per refresh while the sync engine writes (issue #4's stall).

Instead the reader, right after the ids, reads the rows the table will show
and formats them there, as the row reader thread does (:func:`rows_reader`),
and the model takes them with the ids (``QueueModel.reset_ids``): the paint
finds them cached. Which rows: from the case at the top of the viewport, if
the window is scrolled (the window keeps that case at the top), else from the
same first row. The rows are read after the ids, as the paint read them; a
read made for an older cache or other ids is not used (the paint reads then).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import datetime
from typing import Protocol

from PySide6.QtGui import QColor, QFont

from smm_desk.domain.views import CaseView
from smm_desk.ui.queue_cells import RowEntry, row_entries


class RowSource(Protocol):
    def now(self) -> datetime: ...
    def cases(self, ids: list[int]) -> list[CaseView]: ...


class RowsAhead:
    """Rows ``first``.. of ``ids`` as cache ``entries``, read for ``owner`` (a
    model) while its cache was at ``generation``; ``anchor_row`` is the row of
    case ``anchor`` in ``ids`` (None: not there) when an anchor was given."""

    __slots__ = ("owner", "generation", "ids", "first", "entries", "anchor", "anchor_row")

    def __init__(self, owner: object, generation: int, ids: list[int], first: int,
                 entries: dict[int, RowEntry], anchor: int | None,
                 anchor_row: int | None) -> None:
        self.owner, self.generation, self.ids, self.first = owner, generation, ids, first
        self.entries, self.anchor, self.anchor_row = entries, anchor, anchor_row

    def fits(self, owner: object, generation: int, ids: list[int]) -> bool:
        """Read for this model, at this cache generation, from exactly these ids."""
        return self.owner is owner and self.generation == generation and self.ids is ids

    def install(self, cache: dict[int, RowEntry], shown: dict[int, RowEntry]) -> set[int]:
        """Put the entries into ``cache``; returns the rows whose entry shows what
        their entry in ``shown`` (the cache before) showed, which keep its clock texts."""
        kept: set[int] = set()
        for row, (case_id, new) in enumerate(self.entries.items(), self.first):
            old = shown.get(case_id)
            if old is not None and old.same_display(new):
                if old.clock_at is not None:
                    new.keep_clock(old)
                kept.add(row)
            cache[case_id] = new
        return kept


def rows_reader(owner: object, generation: int, source: RowSource, anchor: int | None,
                first: int, count: int,
                palette: tuple[QColor, QColor, QFont]) -> Callable[[list[int]], RowsAhead]:
    """What the reader thread runs on the new ids: read and format ``count`` rows
    from case ``anchor``'s new row (else from row ``first``)."""

    def read(ids: list[int]) -> RowsAhead:
        start, anchor_row = first, None
        if anchor is not None:
            with suppress(ValueError):
                anchor_row = start = ids.index(anchor)
        wanted = ids[start:start + count]
        read_at = source.now()
        entries = row_entries(source.cases(wanted), read_at, wanted, palette) if wanted else {}
        return RowsAhead(owner, generation, ids, start, entries, anchor, anchor_row)

    return read
