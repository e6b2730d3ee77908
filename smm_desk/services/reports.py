"""``ReportsService``: KPI figures and the reply-log export for the reports screen.

The screen speaks in inclusive **UTC days** (the same days as
``smm-desk report --since/--until``, so a manager comparing the screen with a
scripted report sees the same numbers); every figure is defined in
:mod:`smm_desk.domain.kpi`. The service hands up plain
:class:`~smm_desk.domain.kpi.KpiReport` values, never store rows.
"""

from __future__ import annotations

import os
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from smm_desk.domain.kpi import UNROUTED, KpiReport, utc_day_range

if TYPE_CHECKING:
    from smm_desk.store.api import Store


class ReportsService(QObject):
    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store

    def today(self) -> date:
        """Today as a UTC day, by the store's clock."""
        return self._store.clock().date()

    def departments(self) -> list[str]:
        """Names the department filter offers: the departments, then "Unrouted"."""
        return [d.name for d in self._store.departments()] + [UNROUTED]

    def report(self, first: date, last: date, department: str | None = None) -> KpiReport:
        """The figures over the UTC days ``first`` … ``last``, both included."""
        since, until = utc_day_range(first, last)
        return self._store.kpi_report(since, until, department)

    def export_reply_log(self, path: str | os.PathLike[str]) -> int:
        """Write the whole reply log to an XLSX file; returns the number of replies."""
        from smm_desk.store.exports import write_reply_log_xlsx  # openpyxl: on first export

        return write_reply_log_xlsx(self._store.reply_log(), path)
