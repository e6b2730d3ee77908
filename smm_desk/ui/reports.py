"""The reports screen: what a community manager shows their boss.

``ReportsWidget(reports_service)``: pick a range of days (UTC days, the same as
``smm-desk report``) and optionally a department; the screen shows the KPI
figures as tiles (incoming, handled, first-response median and p90, SLA met %,
backlog now), and QtCharts charts: incoming vs handled per day and per
department, and the backlog by department, network and agent. Every figure is
defined in :mod:`smm_desk.domain.kpi`.

Bars up to two weeks; over a longer range the per-day chart becomes lines,
since 4 × 31 bars would be slivers at the sizes this screen is used at.
Names in charts (departments, agents) are escaped: chart labels render HTML.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QLocale, QMargins, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from smm_desk.domain.kpi import CountRow, DayFigures, KpiReport
from smm_desk.domain.records import NETWORK_LABELS
from smm_desk.services.reports import ReportsService
from smm_desk.ui.i18n import QT_TRANSLATE_NOOP, network_name, plural, translate

ALL_DEPARTMENTS = QT_TRANSLATE_NOOP("Reports", "All departments")
#: Per-day series: (field of DayFigures, legend, colour). Incoming in blues, handled in greens.
SERIES: tuple[tuple[str, str, str], ...] = (
    ("incoming_messages", QT_TRANSLATE_NOOP("Reports", "Incoming messages"), "#2f6fb3"),
    ("new_cases", QT_TRANSLATE_NOOP("Reports", "New cases"), "#8db8e8"),
    ("replies_delivered", QT_TRANSLATE_NOOP("Reports", "Replies delivered"), "#2e8b57"),
    ("resolved_cases", QT_TRANSLATE_NOOP("Reports", "Resolved cases"), "#9ccf9f"),
)
_BACKLOG_TITLES = {
    "department": QT_TRANSLATE_NOOP("Reports", "Backlog now: open cases by department"),
    "network": QT_TRANSLATE_NOOP("Reports", "Backlog now: open cases by network"),
    "agent": QT_TRANSLATE_NOOP("Reports", "Backlog now: open cases by agent"),
}
_BACKLOG_TABS = {
    "department": QT_TRANSLATE_NOOP("Reports", "By department"),
    "network": QT_TRANSLATE_NOOP("Reports", "By network"),
    "agent": QT_TRANSLATE_NOOP("Reports", "By agent"),
}


def _tr(text: str) -> str:
    return translate("Reports", text)
#: Over this many days the per-day chart draws lines instead of bars.
MAX_BAR_DAYS = 14
#: Backlog charts show the largest this many entries.
MAX_BACKLOG_BARS = 12


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return translate("QueueModel", "{hours} h {minutes} min").format(
            hours=hours, minutes=f"{minutes:02d}")
    if minutes:
        return (translate("Reports", "{minutes} min {seconds} s").format(
                    minutes=minutes, seconds=f"{secs:02d}") if secs
                else translate("QueueModel", "{minutes} min").format(minutes=minutes))
    return translate("Reports", "{seconds} s").format(seconds=secs)


def _plain(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class FigureTile(QFrame):
    """One KPI: a caption, a big value and a line of detail."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.caption = _plain(caption)
        self.caption.setStyleSheet("color: palette(placeholder-text);")
        self.value = _plain("–")
        font = QFont(self.value.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.value.setFont(font)
        self.detail = _plain("")
        self.detail.setStyleSheet("color: palette(placeholder-text);")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(0)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.detail)

    def show_figure(self, value: str, detail: str = "") -> None:
        self.value.setText(value)
        self.detail.setText(detail)


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(html.escape(title))
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    return chart


def _count_axis(maximum: int) -> QValueAxis:
    """0 … a little above ``maximum`` (room for the value labels), whole-number ticks."""
    axis = QValueAxis()
    axis.setLabelFormat("%d")
    step = max(1, -(-max(maximum, 1) // 5))
    top = step * (maximum // step + 1)
    axis.setRange(0, top)
    axis.setTickCount(top // step + 1)
    return axis


def _day_label(day: str, many: bool) -> str:
    d = date.fromisoformat(day)
    if many:
        return f"{d.day:02d}.{d.month:02d}"
    weekday = QLocale().dayName(d.isoweekday(), QLocale.FormatType.ShortFormat) \
        if QLocale().language() not in (QLocale.Language.C, QLocale.Language.English) \
        else f"{d:%a}"
    return f"{weekday} {d.day:02d}.{d.month:02d}"


def per_day_chart(days: Sequence[DayFigures]) -> QChart:
    chart = _chart(translate("Reports", "Incoming vs handled per day (UTC)"))
    top = max((getattr(d, f) for d in days for f, _, _ in SERIES), default=0)
    axis_y = _count_axis(top)
    if len(days) > MAX_BAR_DAYS:
        # Lines over a day index, with a date label every few days so labels never collide.
        every = -(-len(days) // 10)
        axis_t = QCategoryAxis()
        axis_t.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        axis_t.setRange(0, len(days) - 1)
        for index in range(0, len(days), every):
            axis_t.append(_day_label(days[index].label, True), index)
        chart.addAxis(axis_t, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        for field, name, colour in SERIES:
            line = QLineSeries()
            line.setName(_tr(name))
            pen = QPen(QColor(colour))
            pen.setWidthF(2.0)
            line.setPen(pen)
            line.setPointsVisible(True)
            for index, day in enumerate(days):
                line.append(index, getattr(day, field))
            chart.addSeries(line)
            line.attachAxis(axis_t)
            line.attachAxis(axis_y)
        return chart
    axis_x = QBarCategoryAxis()
    axis_x.append([_day_label(d.label, False) for d in days])
    chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
    bars = QBarSeries()
    _fill_sets(bars, days)
    bars.setLabelsVisible(len(days) <= 7)
    bars.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
    chart.addSeries(bars)
    bars.attachAxis(axis_x)
    bars.attachAxis(axis_y)
    return chart


def _fill_sets(series: QAbstractBarSeries, rows: Sequence[DayFigures]) -> None:
    for field, name, colour in SERIES:
        bar_set = QBarSet(_tr(name))
        bar_set.setColor(QColor(colour))
        bar_set.setBorderColor(QColor(colour))
        bar_set.append([float(getattr(r, field)) for r in rows])
        series.append(bar_set)


def per_department_chart(departments: Sequence[DayFigures]) -> QChart:
    chart = _chart(translate("Reports", "Incoming vs handled per department"))
    axis_x = QBarCategoryAxis()
    axis_x.append([html.escape(d.label) for d in departments] or ["–"])
    top = max((getattr(d, f) for d in departments for f, _, _ in SERIES), default=0)
    axis_y = _count_axis(top)
    bars = QBarSeries()
    _fill_sets(bars, departments)
    bars.setLabelsVisible(True)
    bars.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
    chart.addSeries(bars)
    chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
    bars.attachAxis(axis_x)
    bars.attachAxis(axis_y)
    return chart


def backlog_chart(title: str, rows: Sequence[CountRow], colour: str = "#c27c0e") -> QChart:
    """Open cases per label, largest at the top."""
    chart = _chart(title)
    shown = list(rows[:MAX_BACKLOG_BARS])
    if len(rows) > MAX_BACKLOG_BARS:
        shown.append(CountRow(translate("Reports", "{count} more").format(
                                  count=len(rows) - MAX_BACKLOG_BARS),
                              sum(r.count for r in rows[MAX_BACKLOG_BARS:])))
    shown.reverse()  # a horizontal bar chart draws its first category at the bottom
    axis_y = QBarCategoryAxis()
    axis_y.append([html.escape(r.label) for r in shown] or ["–"])
    axis_x = _count_axis(max((r.count for r in shown), default=0))
    bar_set = QBarSet(translate("Reports", "Open cases"))
    bar_set.setColor(QColor(colour))
    bar_set.setBorderColor(QColor(colour))
    bar_set.append([float(r.count) for r in shown])
    series = QHorizontalBarSeries()
    series.setBarWidth(0.5)
    series.append(bar_set)
    series.setLabelsVisible(True)
    series.setLabelsPosition(QAbstractBarSeries.LabelsPosition.LabelsOutsideEnd)
    chart.addSeries(series)
    chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
    chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
    series.attachAxis(axis_y)
    series.attachAxis(axis_x)
    chart.legend().setVisible(False)
    return chart


class ReportsWidget(QWidget):
    """The reports screen over a :class:`ReportsService`. ``refreshed`` is
    emitted with each new :class:`KpiReport` shown."""

    refreshed = Signal(object)

    def __init__(self, reports_service: ReportsService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = reports_service
        self.report: KpiReport | None = None
        today = reports_service.today()

        self.first = self._date_edit(today - timedelta(days=6))
        self.last = self._date_edit(today)
        self.department = QComboBox(self)
        self.department.addItem(_tr(ALL_DEPARTMENTS), None)
        for name in reports_service.departments():
            self.department.addItem(name, name)
        week = QPushButton(translate("Reports", "Last 7 days"), self)
        month = QPushButton(translate("Reports", "Last 30 days"), self)
        week.clicked.connect(lambda: self.set_range(self._today() - timedelta(days=6),
                                                    self._today()))
        month.clicked.connect(lambda: self.set_range(self._today() - timedelta(days=29),
                                                     self._today()))
        self.refresh_button = QPushButton(translate("Reports", "Refresh"), self)
        self.refresh_button.clicked.connect(self.refresh)
        self.export_button = QPushButton(translate("Reports", "Export reply log…"), self)
        self.export_button.clicked.connect(self._ask_export)

        bar = QHBoxLayout()
        for label, widget in ((translate("Reports", "From"), self.first),
                              (translate("Reports", "to"), self.last)):
            bar.addWidget(_plain(label))
            bar.addWidget(widget)
        bar.addWidget(_plain(translate("Reports", "(UTC days)")))
        bar.addSpacing(12)
        bar.addWidget(self.department)
        bar.addWidget(week)
        bar.addWidget(month)
        bar.addStretch(1)
        bar.addWidget(self.refresh_button)
        bar.addWidget(self.export_button)

        self.tiles: dict[str, FigureTile] = {}
        tiles = QGridLayout()
        tiles.setSpacing(6)
        for column, (key, caption) in enumerate((
            ("incoming", "Incoming messages"), ("new_cases", "New cases"),
            ("handled", "Resolved cases"), ("replies", "Replies delivered"),
            ("median", QT_TRANSLATE_NOOP("Reports", "First response, median")),
            ("p90", QT_TRANSLATE_NOOP("Reports", "First response, p90")),
            ("sla", QT_TRANSLATE_NOOP("Reports", "SLA met")),
            ("backlog", QT_TRANSLATE_NOOP("Reports", "Backlog now")),
        )):
            tile = FigureTile(_tr(caption), self)
            self.tiles[key] = tile
            tiles.addWidget(tile, 0, column)

        self.day_view = self._chart_view()
        self.department_view = self._chart_view()
        self.activity_tabs = QTabWidget(self)
        self.activity_tabs.addTab(self.day_view, translate("Reports", "Per day"))
        self.activity_tabs.addTab(self.department_view, translate("Reports", "Per department"))
        self.backlog_views = {key: self._chart_view() for key in ("department", "network", "agent")}
        self.backlog_tabs = QTabWidget(self)
        for key, view in self.backlog_views.items():
            self.backlog_tabs.addTab(view, _tr(_BACKLOG_TABS[key]))
        charts = QHBoxLayout()
        charts.addWidget(self.activity_tabs, 3)
        charts.addWidget(self.backlog_tabs, 2)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(tiles)
        layout.addLayout(charts, 1)

        self.first.dateChanged.connect(self._range_edited)
        self.last.dateChanged.connect(self._range_edited)
        self.department.currentIndexChanged.connect(self.refresh)
        self.refresh()

    # -- public -----------------------------------------------------------------------

    def set_range(self, first: date, last: date) -> None:
        """Show the UTC days ``first`` … ``last`` (refreshes once)."""
        for edit in (self.first, self.last):
            edit.blockSignals(True)
        self.first.setDate(QDate(first.year, first.month, first.day))
        self.last.setDate(QDate(last.year, last.month, last.day))
        for edit in (self.first, self.last):
            edit.blockSignals(False)
        self.refresh()

    def set_department(self, name: str | None) -> None:
        index = self.department.findData(name) if name is not None else 0
        self.department.setCurrentIndex(max(index, 0))

    def refresh(self) -> None:
        first, last = self._dates()
        if first > last:
            first, last = last, first
        report = self._service.report(first, last, self.department.currentData())
        self.report = report
        self._show(report)
        self.refreshed.emit(report)

    def figure_text(self, key: str) -> str:
        """The value a tile shows (``incoming``, ``sla``, ``median`` …)."""
        return self.tiles[key].value.text()

    def export_to(self, path: str) -> int:
        return self._service.export_reply_log(path)

    # -- internals --------------------------------------------------------------------

    def _today(self) -> date:
        return self._service.today()

    def _date_edit(self, day: date) -> QDateEdit:
        edit = QDateEdit(QDate(day.year, day.month, day.day), self)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return edit

    def _chart_view(self) -> QChartView:
        view = QChartView(self)
        view.setRenderHint(QPainter.RenderHint.Antialiasing)
        view.setMinimumHeight(260)
        return view

    def _dates(self) -> tuple[date, date]:
        a, b = self.first.date(), self.last.date()
        return date(a.year(), a.month(), a.day()), date(b.year(), b.month(), b.day())

    def _range_edited(self) -> None:
        self.refresh()

    def _set_chart(self, view: QChartView, chart: QChart) -> None:
        if self.palette().color(QPalette.ColorRole.Window).lightness() < 128:
            chart.setTheme(QChart.ChartTheme.ChartThemeDark)
            chart.setBackgroundVisible(False)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        for series in chart.series():
            if isinstance(series, QAbstractBarSeries):
                for bar_set in series.barSets():
                    bar_set.setLabelColor(text)  # the default white vanishes outside a bar
        old = view.chart()
        view.setChart(chart)
        if old is not None:
            old.deleteLater()

    def _show(self, report: KpiReport) -> None:
        t = report.totals
        days = len(report.days)

        def per_day(count: int) -> str:
            return translate("Reports", "{count} a day").format(
                count=QLocale().toString(count / days, "f", 1)) if days else ""

        self.tiles["incoming"].show_figure(str(t.incoming_messages), per_day(t.incoming_messages))
        self.tiles["new_cases"].show_figure(str(t.new_cases), per_day(t.new_cases))
        self.tiles["handled"].show_figure(str(t.resolved_cases), per_day(t.resolved_cases))
        self.tiles["replies"].show_figure(str(t.replies_delivered),
                                          per_day(t.replies_delivered))
        cases = plural(translate("Reports", "over %n case(s)", None, report.first_responses),
                       report.first_responses)
        self.tiles["median"].show_figure(duration_text(report.first_response_median_s), cases)
        self.tiles["p90"].show_figure(duration_text(report.first_response_p90_s),
                                      translate("Reports", "nearest rank"))
        if report.sla_met_percent is None:
            self.tiles["sla"].show_figure("–", translate("Reports", "no reply judged"))
        else:
            self.tiles["sla"].show_figure(
                f"{report.sla_met_percent:.0f} %",
                plural(translate("Reports", "{met} of %n repl(y|ies)", None, report.sla_judged),
                       report.sla_judged).format(met=report.sla_met))
        self.tiles["backlog"].show_figure(str(report.backlog_total),
                                          translate("Reports", "open cases"))

        self._set_chart(self.day_view, per_day_chart(report.days))
        self._set_chart(self.department_view, per_department_chart(report.departments))
        for key, rows in (("department", report.backlog_by_department),
                          ("network", [CountRow(network_name(r.label, NETWORK_LABELS), r.count)
                                       for r in report.backlog_by_network]),
                          ("agent", report.backlog_by_agent)):
            self._set_chart(self.backlog_views[key],
                            backlog_chart(_tr(_BACKLOG_TITLES[key]), rows))

    def _ask_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, translate("Reports", "Export reply log"), str(Path.home() / "reply-log.xlsx"),
            translate("Reports", "Excel workbook (*.xlsx)"))
        if not path:
            return
        try:
            count = self.export_to(path)
        except OSError as exc:
            QMessageBox.warning(self, translate("Reports", "Export failed"), str(exc))
            return
        QMessageBox.information(self, translate("Reports", "Reply log exported"),
                                plural(translate("Reports", "%n repl(y|ies) written.", None,
                                                 count), count))
