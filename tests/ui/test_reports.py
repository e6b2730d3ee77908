"""The reports screen over a real SQLite store seeded with the fixed KPI story
(tests/store/test_reports.py): the tiles and charts follow the range and the
department filter."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCharts import QAbstractBarSeries, QBarCategoryAxis, QLineSeries
from pytestqt.qtbot import QtBot

from smm_desk.services.reports import ReportsService
from smm_desk.store.api import Store
from smm_desk.store.database import Database
from smm_desk.ui.reports import ReportsWidget
from tests.conftest import FakeClock
from tests.store.test_reports import seed_kpi_dataset

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]


@pytest.fixture
def service(tmp_path: Path, clock: FakeClock) -> Iterator[ReportsService]:
    store = Store(Database.open(f"sqlite:///{tmp_path}/desk.db"), clock)
    seed_kpi_dataset(store, clock)
    yield ReportsService(store)
    store.close()


@pytest.fixture
def widget(qtbot: QtBot, service: ReportsService) -> ReportsWidget:
    w = ReportsWidget(service)
    qtbot.addWidget(w)
    w.resize(1100, 700)
    return w


def _bar_values(widget: ReportsWidget) -> dict[str, list[float]]:
    chart = widget.day_view.chart()
    series = chart.series()[0]
    assert isinstance(series, QAbstractBarSeries)
    return {s.label(): [s.at(i) for i in range(s.count())] for s in series.barSets()}


def test_default_range_is_the_last_seven_utc_days(widget: ReportsWidget) -> None:
    # The clock stands at 2026-11-04 11:00Z.
    assert widget.first.date().toString("yyyy-MM-dd") == "2026-10-29"
    assert widget.last.date().toString("yyyy-MM-dd") == "2026-11-04"
    assert widget.report is not None and len(widget.report.days) == 7


def test_changing_the_range_updates_figures_and_charts(qtbot: QtBot,
                                                       widget: ReportsWidget) -> None:
    with qtbot.waitSignal(widget.refreshed) as blocker:
        widget.set_range(date(2026, 11, 2), date(2026, 11, 3))
    assert blocker.args[0].totals.incoming_messages == 6
    assert widget.figure_text("incoming") == "6"
    assert widget.figure_text("new_cases") == "5"
    assert widget.figure_text("handled") == "3"
    assert widget.figure_text("replies") == "4"
    assert widget.figure_text("median") == "10 min"      # 600 s
    assert widget.figure_text("p90") == "20 min"         # 1200 s
    assert widget.figure_text("sla") == "67 %"
    assert widget.tiles["sla"].detail.text() == "2 of 3 replies"
    assert widget.figure_text("backlog") == "4"
    assert _bar_values(widget) == {
        "Incoming messages": [3, 3], "New cases": [2, 3],
        "Replies delivered": [3, 1], "Resolved cases": [2, 1],
    }
    axis = widget.day_view.chart().axes()[0]
    assert isinstance(axis, QBarCategoryAxis)
    assert axis.categories() == ["Mon 02.11", "Tue 03.11"]

    # Editing a date in the picker refreshes too.
    with qtbot.waitSignal(widget.refreshed):
        widget.first.setDate(widget.last.date())
    assert widget.figure_text("incoming") == "3"
    assert widget.figure_text("median") == "17 min 30 s"  # (900 + 1200) / 2
    assert widget.figure_text("sla") == "0 %"


def test_department_filter(qtbot: QtBot, widget: ReportsWidget) -> None:
    widget.set_range(date(2026, 11, 2), date(2026, 11, 3))
    with qtbot.waitSignal(widget.refreshed):
        widget.set_department("Billing")
    assert widget.figure_text("incoming") == "2"
    assert widget.figure_text("sla") == "50 %"
    assert widget.figure_text("median") == "8 min 30 s"  # (120 + 900) / 2
    assert widget.figure_text("backlog") == "0"
    widget.set_department(None)
    assert widget.figure_text("incoming") == "6"
    backlog = widget.backlog_views["network"].chart().axes()
    labels = next(a for a in backlog if isinstance(a, QBarCategoryAxis)).categories()
    assert sorted(labels) == ["Telegram", "VK"]


def test_a_long_range_draws_lines(widget: ReportsWidget) -> None:
    widget.set_range(date(2026, 10, 6), date(2026, 11, 4))
    series = widget.day_view.chart().series()
    assert len(series) == 4 and all(isinstance(s, QLineSeries) for s in series)
    assert all(s.count() == 30 for s in series)
    assert widget.figure_text("incoming") == "8"


def test_export_reply_log(widget: ReportsWidget, tmp_path: Path) -> None:
    path = tmp_path / "log.xlsx"
    assert widget.export_to(str(path)) == 6
    assert openpyxl.load_workbook(path).active.max_row == 7
