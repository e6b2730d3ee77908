"""Duplicate/flood clusters, and the crisis banner.

:class:`ClustersPanel` lists the current clusters (near-identical texts across
accounts and networks) with how many of their cases are still open, the
networks they came from and a sample text. For the selected cluster it shows
its cases and acts on all of them at once: **answer all** (one reply text,
queued separately to every open case: each is its own outbox entry with its
own delivery), **route all** to a department, **mark all spam** (after a
confirmation). The lists follow the service's announcements.

:class:`CrisisBanner` is a strip for the top of the window: hidden until the
service reports a crisis alert (a spike of negative cases), then red with what
happened, a "Show cases" button (``show_cases`` carries the case ids) and
"Dismiss". Opened with a recent alert on record, it shows that one.

Every customer text is shown as plain text, flattened and bidi-isolated by
:mod:`smm_desk.ui.plain_text`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from smm_desk.services.clusters import (
    ClusterActionError,
    ClusterService,
    ClusterView,
    CrisisAlertView,
)
from smm_desk.ui.composer import plain_label, tone_style
from smm_desk.ui.i18n import QT_TRANSLATE_NOOP, network_name, plural, translate
from smm_desk.ui.plain_text import local_time, one_line
from smm_desk.ui.queue_model import NETWORK_NAMES

__all__ = ["ClusterTableModel", "ClustersPanel", "CrisisBanner"]

_Index = QModelIndex | QPersistentModelIndex
COLUMNS = (QT_TRANSLATE_NOOP("ClustersPanel", "Open"),
           QT_TRANSLATE_NOOP("ClustersPanel", "Networks"),
           QT_TRANSLATE_NOOP("ClustersPanel", "Text"),
           QT_TRANSLATE_NOOP("ClustersPanel", "Last seen"))


def _networks(names: tuple[str, ...]) -> str:
    return ", ".join(network_name(n, NETWORK_NAMES) for n in names)


def _minutes(seconds: float) -> str:
    minutes = round(seconds / 60)
    return (translate("QueueModel", "{minutes} min").format(minutes=minutes) if minutes < 120
            else translate("SettingsDialog", "{hours} h").format(hours=round(minutes / 60)))


class ClusterTableModel(QAbstractTableModel):
    """The clusters, one row each (a few dozen at most: a plain list)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ClusterView] = []

    def set_clusters(self, clusters: list[ClusterView]) -> None:
        self.beginResetModel()
        self._rows = list(clusters)
        self.endResetModel()

    def cluster_at(self, row: int) -> ClusterView | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, cluster_id: int) -> int:
        return next((i for i, c in enumerate(self._rows) if c.id == cluster_id), -1)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(COLUMNS)):
            return translate("ClustersPanel", COLUMNS[section])
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        cluster = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                if cluster.open_count == cluster.size:
                    return str(cluster.size)
                return translate("ClustersPanel", "{open} of {size}").format(
                    open=cluster.open_count, size=cluster.size)
            if column == 1:
                return _networks(cluster.networks)
            if column == 2:
                return one_line(cluster.sample_text, 200)
            if column == 3:
                return local_time(cluster.last_at)
        if role == Qt.ItemDataRole.ToolTipRole and column == 0:
            return plural(translate("ClustersPanel",
                                    "{open} open of {size} cases from %n account(s)", None,
                                    cluster.accounts), cluster.accounts).format(
                open=cluster.open_count, size=cluster.size)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _confirm_box(parent: QWidget, text: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Warning, translate("ClustersPanel", "Mark all as spam"),
                      text,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes


class ClustersPanel(QWidget):
    """The clusters and one-action triage of a whole cluster.

    ``confirm(text) -> bool`` asks before marking a cluster as spam (a Yes/No
    box by default).
    """

    def __init__(self, service: ClusterService, parent: QWidget | None = None,
                 confirm: Callable[[str], bool] | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self._confirm = confirm or (lambda text: _confirm_box(self, text))
        self.setObjectName("ClustersPanel")

        self.title = QLabel(translate("ClustersPanel", "Duplicate clusters"))
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.title.setFont(font)
        self.summary = plain_label("")
        self.summary.setStyleSheet("color: palette(placeholder-text);")

        self.model = ClusterTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)

        self.empty = plain_label(translate(
            "ClustersPanel", "No duplicate clusters right now. Near-identical messages arriving "
            "across accounts and networks will be grouped here."))
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: palette(placeholder-text); padding: 12px;")

        self.cases_label = plain_label(translate("ClustersPanel", "Cases"))
        self.cases = QListWidget()
        self.cases.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.cases.setWordWrap(False)

        self.reply = QPlainTextEdit()
        self.reply.setPlaceholderText(translate("ClustersPanel",
                                                "One reply, sent separately to every open case "
                                                "in this cluster"))
        self.reply.setTabChangesFocus(True)
        self.reply.setFixedHeight(self.reply.fontMetrics().lineSpacing() * 4 + 12)
        self.reply.textChanged.connect(self._update_buttons)
        self.answer_button = QPushButton(translate("ClustersPanel", "Answer all"))
        self.answer_button.clicked.connect(self.answer_all)
        self.departments = QComboBox()
        self.route_button = QPushButton(translate("ClustersPanel", "Route all"))
        self.route_button.clicked.connect(self.route_all)
        self.spam_button = QPushButton(translate("ClustersPanel", "Mark all spam"))
        self.spam_button.clicked.connect(self.mark_all_spam)
        self.status = plain_label("")
        self.status.setWordWrap(True)

        self.departments.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        actions = QHBoxLayout()
        actions.addWidget(plain_label(translate("ClustersPanel", "Department:")))
        actions.addWidget(self.departments)
        actions.addWidget(self.route_button)
        actions.addStretch(1)
        actions.addWidget(self.spam_button)
        answer_row = QHBoxLayout()
        answer_row.addWidget(self.reply, 1)
        answer_row.addWidget(self.answer_button, 0, Qt.AlignmentFlag.AlignBottom)

        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.cases_label)
        detail_layout.addWidget(self.cases, 1)
        detail_layout.addLayout(answer_row)
        detail_layout.addLayout(actions)
        detail_layout.addWidget(self.status)
        self.detail = detail

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.table)
        top_layout.addWidget(self.empty)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(detail)
        # Room for about six clusters before the table scrolls.
        row = self.table.verticalHeader().defaultSectionSize()
        top.setMinimumHeight(row * 7 + self.table.horizontalHeader().sizeHint().height())
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)

        heading = QHBoxLayout()
        heading.addWidget(self.title)
        heading.addStretch(1)
        heading.addWidget(self.summary)
        layout = QVBoxLayout(self)
        layout.addLayout(heading)
        layout.addWidget(splitter, 1)

        service.clusters_changed.connect(self.reload)
        service.changed.connect(self._on_changed)
        self._fill_departments()
        self.reload()

    # reading -----------------------------------------------------------------
    def current_cluster(self) -> ClusterView | None:
        return self.model.cluster_at(self.table.currentIndex().row())

    def reload(self) -> None:
        """Read the clusters again, keeping the selected one when it is still listed."""
        current = self.current_cluster()
        clusters = self.service.clusters()
        self.model.set_clusters(clusters)
        rows = len(clusters)
        self.table.setVisible(rows > 0)
        self.empty.setVisible(rows == 0)
        open_cases = sum(c.open_count for c in clusters)
        self.summary.setText(
            plural(translate("ClustersPanel", "%n cluster(s) · {open} open cases", None, rows),
                   rows).format(open=open_cases) if rows else "")
        row = self.model.row_of(current.id) if current is not None else -1
        if row < 0 and rows:
            row = 0
        if row >= 0:
            self.table.selectRow(row)
        self._show_cases(self.current_cluster())

    def select_cluster(self, cluster_id: int) -> bool:
        row = self.model.row_of(cluster_id)
        if row >= 0:
            self.table.selectRow(row)
        return row >= 0

    def _fill_departments(self) -> None:
        self.departments.clear()
        for dept in self.service.departments():
            self.departments.addItem(dept.name, dept.id)

    def _on_current(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_cases(self.current_cluster())

    def _on_changed(self, _change: object) -> None:
        self.reload()

    def _show_cases(self, cluster: ClusterView | None) -> None:
        self.cases.clear()
        if cluster is None:
            self.cases_label.setText(translate("ClustersPanel", "Cases"))
            self._update_buttons()
            return
        try:
            members = self.service.cluster_cases(cluster.id)
        except ClusterActionError as exc:
            self._say(str(exc), "error")
            members = []
        self.cases_label.setText(plural(translate(
            "ClustersPanel", "{size} cases from %n account(s) on {networks} · first {first}, "
            "last {last}", None, cluster.accounts), cluster.accounts).format(
                size=cluster.size, networks=_networks(cluster.networks),
                first=local_time(cluster.first_at), last=local_time(cluster.last_at)))
        for case in members:
            network = network_name(case.network, NETWORK_NAMES)
            closed = "" if case.status not in ("resolved", "spam") else f"  [{case.status}]"
            self.cases.addItem(
                f"{network} · {one_line(case.customer, 40)}: "
                f"{one_line(case.last_inbound_text, 160)}{closed}")
        self._update_buttons()

    def _update_buttons(self) -> None:
        cluster = self.current_cluster()
        has_open = cluster is not None and cluster.open_count > 0
        self.answer_button.setEnabled(has_open and bool(self.reply.toPlainText().strip()))
        self.route_button.setEnabled(has_open and self.departments.count() > 0)
        self.spam_button.setEnabled(has_open)
        self.reply.setEnabled(has_open)

    def _say(self, text: str, tone: str = "muted") -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"QLabel {{ {tone_style(tone)} padding: 3px 8px; }}"
                                  if text else "")

    # actions -----------------------------------------------------------------
    def answer_all(self) -> None:
        cluster = self.current_cluster()
        text = self.reply.toPlainText().strip()
        if cluster is None or not text:
            return
        try:
            count = self.service.answer_all(cluster.id, text)
        except ClusterActionError as exc:
            self._say(str(exc), "error")
            return
        self.reply.clear()
        self._say(plural(translate("ClustersPanel",
                                   "Reply queued to %n case(s); each leaves with the outbox.",
                                   None, count), count), "ok")

    def route_all(self) -> None:
        cluster = self.current_cluster()
        department = self.departments.currentData()
        if cluster is None or department is None:
            return
        try:
            name, count = self.service.route_all(cluster.id, department)
        except ClusterActionError as exc:
            self._say(str(exc), "error")
            return
        self._say(plural(translate("ClustersPanel", "Routed %n case(s) to {department}.", None,
                                   count), count).format(department=name), "ok")

    def mark_all_spam(self) -> None:
        cluster = self.current_cluster()
        if cluster is None:
            return
        count = cluster.open_count
        if not self._confirm(plural(translate(
                "ClustersPanel", "Mark all %n open case(s) of this cluster as spam?", None,
                count), count)):
            return
        try:
            marked = self.service.mark_all_spam(cluster.id)
        except ClusterActionError as exc:
            self._say(str(exc), "error")
            return
        self._say(plural(translate("ClustersPanel", "Marked %n case(s) as spam.", None, marked),
                         marked), "ok")


class CrisisBanner(QFrame):
    """A red strip announcing the latest crisis alert until dismissed."""

    show_cases = Signal(object)  # tuple[int, ...]

    def __init__(self, service: ClusterService, parent: QWidget | None = None, *,
                 show_latest: bool = True) -> None:
        """``show_latest`` False: the latest alert is looked up by :meth:`show_latest`
        later (the desk does it after its first paint, when the store is loaded)."""
        super().__init__(parent)
        self.service = service
        self.alert: CrisisAlertView | None = None
        self._dismissed: str | None = None
        self.setObjectName("CrisisBanner")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAutoFillBackground(True)
        self.setStyleSheet(f"#CrisisBanner {{ {tone_style('error')} }}"
                           f" #CrisisBanner QLabel {{ background: transparent; }}")
        self.icon = QLabel("⚠")
        self.text = plain_label("")
        self.text.setWordWrap(True)
        font = self.text.font()
        font.setBold(True)
        self.text.setFont(font)
        self.detail = plain_label("")
        self.detail.setWordWrap(True)
        self.cases_button = QPushButton(translate("ClustersPanel", "Show cases"))
        self.cases_button.clicked.connect(self._on_show)
        self.dismiss_button = QPushButton(translate("ClustersPanel", "Dismiss"))
        self.dismiss_button.clicked.connect(self.dismiss)
        words = QVBoxLayout()
        words.setSpacing(2)
        words.addWidget(self.text)
        words.addWidget(self.detail)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(words, 1)
        layout.addWidget(self.cases_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.dismiss_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.hide()
        service.crisis.connect(self.show_alert)
        if show_latest:
            self.show_latest()

    def show_latest(self) -> None:
        """Show the latest recorded alert while its window lasts."""
        latest = self.service.latest_alert()
        if latest is not None and self.service.now() <= latest.at + latest.window:
            self.show_alert(latest)

    def show_alert(self, alert: CrisisAlertView) -> None:
        if alert.key == self._dismissed:
            return
        self.alert = alert
        count = len(alert.case_ids)
        where = _networks(alert.networks) or translate("ClustersPanel", "your accounts")
        self.text.setText(plural(translate(
            "ClustersPanel", "Possible crisis: %n negative message(s) within {span} on {where}",
            None, count), count).format(span=_minutes(alert.window.total_seconds()),
                                        where=where))
        first, last = local_time(alert.started_at), local_time(alert.at)
        if first.rsplit(" ", 1)[0] == last.rsplit(" ", 1)[0] and " " in last:
            last = last.rsplit(" ", 1)[1]  # same day: "2 Nov 08:56–08:59"
        self.detail.setText(f"{first}–{last}. " + translate(
            "ClustersPanel",
            "Angry customers, fraud accusations or legal threats are arriving together; "
            "consider routing them to PR/Crisis."))
        self.show()

    def dismiss(self) -> None:
        if self.alert is not None:
            self._dismissed = self.alert.key
        self.hide()

    def _on_show(self) -> None:
        if self.alert is not None:
            self.show_cases.emit(tuple(self.alert.case_ids))
