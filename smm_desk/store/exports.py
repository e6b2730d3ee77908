"""The reply log as an XLSX workbook (``smm-desk log --xlsx FILE``).

One row per reply, the columns of ``log --csv``. Choices:

* Times are real spreadsheet date-times **in UTC** (the header says so), so a
  manager can sort, filter and subtract them; a spreadsheet cell has no time
  zone, and converting to the exporting machine's zone would make two desks'
  files disagree.
* Customer-written text can never become a formula. openpyxl turns any string
  starting with ``=`` into a formula, so every text cell is written with an
  explicit string type, and text that *looks* like a formula (the same starts
  as the CSV export's ``csv_cell``: ``= + - @`` tab, CR) also gets Excel's
  "quote prefix" flag, which keeps it text when someone edits the cell later —
  without the visible apostrophe the CSV export needs.
* The file is written to a temporary name beside the target and moved into
  place, so a failed export never leaves half a workbook under the real name.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from smm_desk.domain.views import ReplyLogRow

HEADERS = ("Case", "Network", "Customer", "Agent", "Composed (UTC)", "Delivered (UTC)",
           "Response (s)", "SLA met", "Department", "State", "Reply id")
DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Column widths in characters: wide enough for the header, capped for long names.
_MIN_WIDTH, _MAX_WIDTH = 8, 48


def _cell_value(value: Any) -> Any:
    if isinstance(value, datetime):
        # A cell holds no zone: write the UTC wall time the header promises.
        return value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def _display_len(value: Any) -> int:
    if isinstance(value, datetime):
        return len("2026-01-01 00:00:00")
    return len(str(value)) if value is not None else 0


def reply_log_rows(rows: Sequence[ReplyLogRow]) -> list[list[Any]]:
    return [
        [r.case_id, r.network, r.customer, r.agent, r.composed_at, r.delivered_at,
         round(r.response_seconds, 3) if r.response_seconds is not None else None,
         r.sla_met, r.department, r.state, r.reply_id]
        for r in rows
    ]


def write_reply_log_xlsx(rows: Sequence[ReplyLogRow], path: str | os.PathLike[str]) -> int:
    """Write the reply log to ``path``; returns how many replies were written."""
    target = Path(path)
    # openpyxl (and numpy under it) costs a third of a second: only when exporting.
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "Reply log"
    bold = Font(bold=True)
    for col, name in enumerate(HEADERS, start=1):
        sheet.cell(row=1, column=col, value=name).font = bold
    widths = [len(h) for h in HEADERS]
    records = reply_log_rows(rows)
    for row_index, record in enumerate(records, start=2):
        for col, raw in enumerate(record, start=1):
            value = _cell_value(raw)
            cell = sheet.cell(row=row_index, column=col)
            if isinstance(value, str):
                cell._value = value  # noqa: SLF001 - openpyxl's only way to skip formula sniffing
                cell.data_type = "s"
                if value.startswith(_FORMULA_START):
                    cell.quotePrefix = True
            else:
                cell.value = value
                if isinstance(value, datetime):
                    cell.number_format = DATE_FORMAT
            widths[col - 1] = max(widths[col - 1], _display_len(value))
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = min(
            max(width + 2, _MIN_WIDTH), _MAX_WIDTH)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    fd, tmp = tempfile.mkstemp(prefix=".smm-desk-", suffix=".xlsx", dir=target.parent or ".")
    os.close(fd)
    try:
        book.save(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(records)
