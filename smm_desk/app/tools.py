"""The Tools menu: routing rules, reports, duplicate clusters, department handoff.

Each tool is a service over the store and a widget over the service; this
module builds them for the composition root and puts them in the window's
Tools menu, plus the crisis banner across the top. Windows are created on
first use and reused, so opening a tool twice raises the one already open;
their modules (the rule editor, the lists, the handoff dialog, the reports with
QtCharts) are imported then too, not before the desk's first window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QMessageBox, QVBoxLayout, QWidget

from smm_desk.services.clusters import ClusterService
from smm_desk.ui.clusters_panel import ClustersPanel, CrisisBanner
from smm_desk.ui.i18n import translate

if TYPE_CHECKING:
    from smm_desk.services.handoff import HandoffService
    from smm_desk.services.reports import ReportsService
    from smm_desk.services.rules import RulesService
    from smm_desk.store.api import Store
    from smm_desk.ui.main_window import MainWindow


def _in_dialog(title: str, widget: QWidget, parent: QWidget, size: tuple[int, int]) -> QDialog:
    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    layout = QVBoxLayout(dialog)
    layout.addWidget(widget)
    dialog.resize(*size)
    return dialog


@dataclass
class Tools:
    """The tools' services. The clusters service runs from the start (the crisis
    banner); the rules, reports and handoff services are made on first use, with
    their modules (the rule engine, the KPI code): not before the first window."""

    store: Store
    clusters: ClusterService
    on_change: Callable[[object], None]
    banner: CrisisBanner | None = None
    windows: dict[str, QWidget] = field(default_factory=dict)
    made: dict[str, QObject] = field(default_factory=dict)

    def _service(self, key: str, make: Callable[[], QObject]) -> QObject:
        service = self.made.get(key)
        if service is None:
            service = self.made[key] = make()
        return service

    @property
    def rules(self) -> RulesService:
        from smm_desk.services.rules import RulesService

        return cast("RulesService", self._service("rules", lambda: RulesService(self.store)))

    @property
    def reports(self) -> ReportsService:
        from smm_desk.services.reports import ReportsService

        return cast("ReportsService",
                    self._service("reports", lambda: ReportsService(self.store)))

    @property
    def handoff(self) -> HandoffService:
        from smm_desk.services.handoff import HandoffService

        def make() -> HandoffService:
            service = HandoffService(self.store)
            service.changed.connect(self.on_change)
            return service

        return cast("HandoffService", self._service("handoff", make))

    def services(self) -> tuple[object, ...]:
        return (self.clusters, *self.made.values())

    def start(self) -> None:
        """Show a crisis still on and start scanning for clusters and crises."""
        if self.banner is not None:
            self.banner.show_latest()
        self.clusters.start()

    def stop(self) -> None:
        self.clusters.stop()


def install_tools(window: MainWindow, store: Store, agent: str,
                  on_change: Callable[[object], None], scan_clusters: bool = True) -> Tools:
    tools = Tools(store, ClusterService(store, agent), on_change)

    def reuse(key: str, make: Callable[[], QWidget]) -> None:
        widget = tools.windows.get(key)
        if widget is None:
            widget = make()
            tools.windows[key] = widget
        widget.show()
        widget.raise_()
        widget.activateWindow()

    def open_rules() -> None:
        from smm_desk.ui.rule_editor import RuleEditorDialog

        dialog = RuleEditorDialog(tools.rules, window)
        dialog.finished.connect(lambda _result: window.refresh())
        dialog.open()

    def open_lists() -> None:
        from smm_desk.ui.author_lists import AuthorListsDialog

        reuse("lists", lambda: AuthorListsDialog(tools.rules, window))

    def open_reports() -> None:
        from smm_desk.ui.reports import ReportsWidget

        reuse("reports", lambda: _in_dialog(translate("Tools", "Reports"),
                                            ReportsWidget(tools.reports), window, (1100, 720)))

    def open_clusters() -> None:
        reuse("clusters", lambda: _in_dialog(translate("Tools", "Duplicate clusters"),
                                             ClustersPanel(tools.clusters), window, (900, 620)))

    def open_handoff() -> None:
        from smm_desk.ui.handoff_dialog import HandoffDialog

        case_id = window.current_case_id()
        if case_id is None:
            QMessageBox.information(window, translate("Tools", "Send to department"),
                                    translate("Tools", "Open a case first."))
            return
        HandoffDialog(tools.handoff, case_id, agent, window).open()

    window.add_tool(translate("Tools", "Routing rules…"), "Ctrl+Shift+R", open_rules)
    window.add_tool(translate("Tools", "VIP and block lists…"), "Ctrl+Shift+L", open_lists)
    window.add_tool(translate("Tools", "Send to department…"), "Ctrl+Shift+H", open_handoff)
    window.add_tool(translate("Tools", "Duplicate clusters…"), "Ctrl+Shift+D", open_clusters)
    window.add_tool(translate("Tools", "Reports…"), "Ctrl+Shift+K", open_reports)

    banner = tools.banner = CrisisBanner(tools.clusters, window, show_latest=False)
    window.add_banner(banner)
    banner.show_cases.connect(lambda _ids: open_clusters())
    tools.clusters.changed.connect(on_change)
    if scan_clusters:
        tools.start()
    return tools
