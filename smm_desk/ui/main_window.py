"""The main window: views on the left, the queue in the middle, the case on the right.

* The sidebar lists the queue views with live counts; picking one (or typing
  in the search box, which narrows the view to full-text matches) gives the
  table a new :class:`QueueModel` over that view's ids.
* It owns the 1 Hz SLA tick (running only while the window is shown) and tells
  the model which rows are visible, so a tick repaints a screenful of cells
  whatever the size of the queue.
* Mutations arrive as the queue service's ``changed`` signal, new messages as
  the sync service's ``activity``; the window answers by refreshing the model,
  which keeps the selection on the same cases, and keeps the scroll position
  on the case at the top of the viewport (unless the user is at the very top,
  where new urgent cases should show).
* Network state comes from the sync service: each account's state and the
  outbox count in the status bar, and an offline banner.
* Geometry, splitter sizes, column widths and the last view are kept in the
  QSettings the composition root passes (none: nothing is remembered).
* It implements ``smm_desk.ui.triage.TriageHost`` and installs the keyboard
  controller on itself; the controller's one-line outcomes go to the status bar.
* Menus: "Desk" (Settings… on Ctrl+, — accounts, departments, templates,
  notifications, shortcuts —, the keyboard overlay, Quit) and "Tools", which
  stays hidden until :meth:`MainWindow.add_tool` gives it an entry. A needs
  sign-in button in the status bar opens the settings on that account.
* Its parts live next to it: the table in :mod:`smm_desk.ui.queue_table`, the
  status bar's case count in :mod:`smm_desk.ui.count_label`, the right pane of a
  window without a case service in :mod:`smm_desk.ui.case_placeholder`, the
  refresh path (new ids without losing the place) in :mod:`smm_desk.ui.queue_refresh`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import suppress
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QByteArray,
    QItemSelectionModel,
    QModelIndex,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QCloseEvent, QHideEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from smm_desk.services.queue import QueueService, scoped
from smm_desk.ui.case_placeholder import CasePlaceholder
from smm_desk.ui.case_view import CaseView
from smm_desk.ui.count_label import QueueCountLabel
from smm_desk.ui.i18n import translate
from smm_desk.ui.queue_ahead import RowsAhead
from smm_desk.ui.queue_delegates import SlaDelegate
from smm_desk.ui.queue_model import CASE_ID_ROLE, Column, QueueModel
from smm_desk.ui.queue_refresh import QueueRefresh
from smm_desk.ui.queue_table import QueueTable
from smm_desk.ui.sidebar import Sidebar
from smm_desk.ui.status import OfflineBanner, SyncStatus
from smm_desk.ui.triage import TriageController

log = logging.getLogger("smm_desk.ui")

if TYPE_CHECKING:
    from smm_desk.domain.views import AccountView
    from smm_desk.services.case import CaseService
    from smm_desk.services.settings import SettingsService
    from smm_desk.services.sync import SyncService
    from smm_desk.ui.settings_dialog import SettingsDialog

TICK_MS = 1000
#: Every this many ticks the sidebar counts are read again: "Breaching soon"
#: changes with the clock alone, without any new message or action.
COUNTS_EVERY_TICKS = 15
SEARCH_DELAY_MS = 250
#: The case pane is wide enough for the composer's row with its draft note
#: ("Draft saved"), so typing never makes the pane jump wider.
DEFAULT_SPLITTER = (200, 650, 430)

class MainWindow(QueueRefresh, QMainWindow):
    #: The window was closed (the app's loop ends its run on it).
    closed = Signal()

    def __init__(
        self,
        service: QueueService,
        workspace: str,
        parent: QWidget | None = None,
        *,
        agent: str = "",
        settings: QSettings | None = None,
        sync: SyncService | None = None,
        case_service: CaseService | None = None,
        settings_service: SettingsService | None = None,
        fix_account: Callable[[int], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("MainWindow", "SMM Desk — {workspace}")
                            .format(workspace=workspace))
        self._service = service
        self._agent = agent or service.agent
        self._settings = settings
        self._sync = sync
        self._fix_account = fix_account
        self._settings_service = settings_service
        self._settings_dialog: SettingsDialog | None = None
        self._view = "open"
        self._search = ""
        self._previous_ids: list[int] = []
        self._shown_case: int | None = None
        self._cases_held = False
        self._held_case: int | None = None
        self._ticks = 0
        # Reads of the queue off the UI thread (request_refresh), one at a time.
        self._refresh_task: asyncio.Task[None] | None = None
        self._refresh_again = False
        self._refresh_wanted = False
        self._ahead: RowsAhead | None = None  # rows read with the ids being applied
        self._closing = False
        self._pending_splitter: QByteArray | None = None

        # the queue
        self.model = QueueModel(service, self._view, parent=self)
        self.table = QueueTable(self)
        self.table.setModel(self.model)
        self._sla_delegate = SlaDelegate(self.table)
        self.table.setItemDelegateForColumn(Column.SLA, self._sla_delegate)
        self.search_box = QLineEdit(self)
        self.search_box.setPlaceholderText(translate("MainWindow", "Search messages  ( / )"))
        self.search_box.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(lambda: self.set_search(self.search_box.text()))
        self.search_box.textChanged.connect(lambda _t: self._search_timer.start())
        self.search_box.returnPressed.connect(self.focus_queue)
        middle = QWidget(self)
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 6, 0, 0)
        middle_layout.setSpacing(6)
        middle_layout.addWidget(self.search_box)
        middle_layout.addWidget(self.table)

        # views and the case
        self.sidebar = Sidebar(self)
        self.case_pane: CaseView | CasePlaceholder = (
            CasePlaceholder(self) if case_service is None
            else CaseView(case_service, self._agent, self))
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(self.case_pane)
        self.splitter.setCollapsible(1, False)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes(list(DEFAULT_SPLITTER))

        self.banner = OfflineBanner(self)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter)
        self.setCentralWidget(central)

        # the status bar
        self._count_label = QueueCountLabel(self)
        self.statusBar().addWidget(self._count_label)
        self.statusBar().setSizeGripEnabled(False)
        self.sync_status = SyncStatus(self.fix_account, self)
        self.statusBar().addPermanentWidget(self.sync_status)
        self.sync_status.setVisible(sync is not None)

        self.tick_timer = QTimer(self)
        self.tick_timer.setInterval(TICK_MS)
        self.tick_timer.timeout.connect(self.tick)

        service.changed.connect(self._on_changed)
        if case_service is not None:  # a reply can reopen a case or stop its clock
            case_service.changed.connect(self._on_changed)
        self.sidebar.view_selected.connect(self.set_view)
        self._connect_model()
        if sync is not None:
            sync.accounts_changed.connect(self._on_accounts)
            sync.outbox_changed.connect(self._on_outbox)
            sync.online_changed.connect(self._on_online)
            sync.activity.connect(self.request_refresh)
            self._on_accounts(sync.accounts())
            self._on_outbox(sync.outbox_count())
            self._on_online(sync.online())
        self.refresh_views()
        self.restore_state()
        if self.sidebar.current_view() is None:
            self.sidebar.select_view(self._view)
        self._update_status()

        # the keyboard, and the menus
        self.triage = TriageController(self, service, self._agent, settings=settings)
        self.triage.install(self)
        self.triage.message.connect(lambda text: self.statusBar().showMessage(text, 5000))
        self._build_menus()

    # -- menus ---------------------------------------------------------------------------
    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.desk_menu = bar.addMenu(translate("MainWindow", "&Desk"))
        self.settings_action = QAction(translate("MainWindow", "&Settings…"), self)
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.settings_action.setEnabled(self._settings_service is not None)
        self.settings_action.triggered.connect(lambda: self.open_settings())
        self.desk_menu.addAction(self.settings_action)
        shortcuts = QAction(translate("MainWindow", "&Keyboard shortcuts"), self)
        shortcuts.triggered.connect(self.triage.toggle_help)
        self.desk_menu.addAction(shortcuts)
        self.desk_menu.addSeparator()
        close = QAction(translate("MainWindow", "&Quit"), self)
        close.setShortcut(QKeySequence.StandardKey.Quit)
        close.setMenuRole(QAction.MenuRole.QuitRole)
        close.triggered.connect(self.close)
        self.desk_menu.addAction(close)
        self.tools_menu = bar.addMenu(translate("MainWindow", "&Tools"))
        # Shown once it has something to offer (see add_tool).
        self.tools_menu.menuAction().setVisible(False)

    def add_banner(self, banner: QWidget) -> None:
        """Put ``banner`` across the top, under the offline banner (e.g. a crisis alert)."""
        central = self.centralWidget()
        layout = central.layout() if central is not None else None
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(1, banner)

    def add_tool(self, title: str, shortcut: str | None,
                 open_fn: Callable[[], None]) -> QAction:
        """Add ``title`` to the Tools menu; choosing it (or ``shortcut``) calls ``open_fn``."""
        action = QAction(title, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: open_fn())
        self.tools_menu.addAction(action)
        self.tools_menu.menuAction().setVisible(True)
        return action

    def open_settings(self, tab: str | None = None,
                      account_id: int | None = None) -> SettingsDialog | None:
        """Open (or raise) the settings dialog, on ``tab`` and ``account_id`` if given.
        None when the window has no settings service."""
        if self._settings_service is None:
            return None
        dialog = self._settings_dialog
        if dialog is None:
            # Imported on first open, not before the window's first paint (issue #4).
            from smm_desk.ui.settings_dialog import SettingsDialog

            dialog = SettingsDialog(self._settings_service, self.triage.bindings, self)
            dialog.setWindowModality(Qt.WindowModality.WindowModal)
            dialog.finished.connect(self._settings_closed)
            self._settings_dialog = dialog
        if tab is not None and tab in dialog.tab_titles():
            dialog.show_tab(tab)
        if account_id is not None:
            with suppress(KeyError):
                dialog.select_account(account_id)
        if dialog.isVisible():  # already open: bring it forward
            dialog.raise_()
            dialog.activateWindow()
        else:
            dialog.show()
        return dialog

    def settings_dialog(self) -> SettingsDialog | None:
        """The settings dialog while it is open."""
        return self._settings_dialog

    def _settings_closed(self, _result: int) -> None:
        dialog, self._settings_dialog = self._settings_dialog, None
        if dialog is not None:
            dialog.deleteLater()
        # Departments may have been renamed or added: the views and 1–9 follow.
        self.refresh()
        self.focus_queue()

    # -- views and search --------------------------------------------------------------
    def view(self) -> str:
        return self._view

    def search_text(self) -> str:
        return self._search

    def set_view(self, key: str) -> None:
        """Show the queue view ``key`` (keeps the search)."""
        if key != self._view:
            self._view = key
            self._replace_model()
        if self.sidebar.current_view() != key:
            self.sidebar.select_view(key)

    def set_search(self, text: str) -> None:
        """Narrow the current view to cases whose messages match ``text``."""
        text = " ".join(text.split())
        if text != self._search:
            self._search = text
            self._replace_model()
        if " ".join(self.search_box.text().split()) != text:
            blocked = self.search_box.blockSignals(True)
            self.search_box.setText(text)
            self.search_box.blockSignals(blocked)

    def _replace_model(self) -> None:
        old_model, old_selection = self.model, self.table.selectionModel()
        header = self.table.horizontalHeader().saveState()
        self.model = QueueModel(self._service, scoped(self._view, self._search), parent=self)
        self.table.setModel(self.model)
        self.table.horizontalHeader().restoreState(header)
        self.table.fit_columns()
        old_selection.deleteLater()
        old_model.deleteLater()
        self._previous_ids = []
        self._connect_model()
        self.model.set_visible_rows(*self.table.visible_rows())
        self._update_status()

    def _connect_model(self) -> None:
        self.model.layoutChanged.connect(self._update_status)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)

    def refresh_views(self) -> None:
        """Read the sidebar's views and counts again."""
        self.sidebar.set_views(self._service.views())
        self.sidebar.set_counts(self._service.view_counts())

    # -- the clock ---------------------------------------------------------------------
    def tick(self) -> None:
        self.model.set_visible_rows(*self.table.visible_rows())
        self.model.tick()
        self.sync_status.tick(self.model.now())
        self._ticks += 1
        if self._ticks % COUNTS_EVERY_TICKS == 0:
            # Counts (and the breaching view, whose members change with time) are
            # read off the UI thread: over 100k cases that read takes longer than a tick.
            self.request_refresh(with_ids=self._view == "breaching")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._pending_splitter is not None:
            self.splitter.restoreState(self._pending_splitter)
            self._pending_splitter = None
        self.tick_timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self.tick_timer.stop()
        super().hideEvent(event)

    # -- the case on the right ---------------------------------------------------------
    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        case_id = current.data(CASE_ID_ROLE) if current.isValid() else None
        if case_id is not None and not self.table.selectionModel().hasSelection():
            # Focus alone makes a row current: select it too, so the open case shows
            # (after this change has finished: selecting now would nest in it).
            QTimer.singleShot(0, self, self._select_lonely_current)
        if case_id is not None and case_id != self._shown_case:
            self._show_case(case_id)

    def _select_lonely_current(self) -> None:
        current = self.table.currentIndex()
        if current.isValid() and not self.table.selectionModel().hasSelection():
            self.table.selectRow(current.row())

    def _show_case(self, case_id: int | None) -> None:
        if self._cases_held:
            self._held_case = case_id
            if case_id is not None:
                self.case_pane.show_opening()
            return
        self._shown_case = case_id
        self.case_pane.show_case(case_id)

    def hold_cases(self) -> None:
        """Select cases in the queue but open none in the case view until
        :meth:`release_cases`: the desk's first paint comes before the store can
        read a whole case (app/gui.py), and the queue's first row is selected by then."""
        self._cases_held = True

    def release_cases(self) -> None:
        """Open the case selected while held, if any."""
        if self._cases_held:
            self._cases_held = False
            if self._held_case is not None and self._held_case == self.current_case_id():
                self._show_case(self._held_case)
            self._held_case = None

    # -- TriageHost ----------------------------------------------------------------------
    def select_next(self) -> None:
        self._move(1)

    def select_previous(self) -> None:
        self._move(-1)

    def _move(self, step: int) -> None:
        rows = self.model.rowCount()
        if rows == 0:
            return
        current = self.table.currentIndex().row()
        row = 0 if current < 0 else min(max(current + step, 0), rows - 1)
        self._select_row(row)

    def _select_row(self, row: int) -> None:
        # Exactly this row, whatever modifier keys Qt believes are held (selectRow
        # would extend or toggle an extended selection while Shift or Ctrl is down).
        index = self.model.index(row, 0)
        flags = (QItemSelectionModel.SelectionFlag.ClearAndSelect
                 | QItemSelectionModel.SelectionFlag.Rows)
        self.table.selectionModel().setCurrentIndex(index, flags)
        self.table.scrollTo(index)
        self._show_case(self.model.case_id(row))

    def selected_case_ids(self) -> list[int]:
        """The selected cases in queue order (the current one if nothing is selected)."""
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        if not rows:
            current = self.current_case_id()
            return [] if current is None else [current]
        return [self.model.case_id(row) for row in rows]

    def current_case_id(self) -> int | None:
        shown = self.case_pane.current_case_id()
        if shown is not None:
            return shown
        index = self.table.currentIndex()
        return None if not index.isValid() else self.model.case_id(index.row())

    def open_next_after(self, case_id: int) -> None:
        """Open the case that followed ``case_id`` in the queue (it may have just left)."""
        row = self.model.row_of(case_id)
        if row is not None:
            if row + 1 < self.model.rowCount():
                self._select_row(row + 1)
            return
        previous = self._previous_ids
        if case_id in previous:
            position = previous.index(case_id)
            for candidate in [*previous[position + 1:], *reversed(previous[:position])]:
                found = self.model.row_of(candidate)
                if found is not None:
                    self._select_row(found)
                    return
        if self.model.rowCount():
            self._select_row(0)
        else:
            self.table.clearSelection()
            self._show_case(None)

    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def focus_queue(self) -> None:
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if not self.table.currentIndex().isValid() and self.model.rowCount():
            self._select_row(0)

    def focus_composer(self) -> None:
        self.case_pane.focus_composer()

    def departments(self) -> list[str]:
        return [d.name for d in self._service.departments()]

    # -- network state -----------------------------------------------------------------
    def _on_accounts(self, accounts: list[AccountView]) -> None:
        assert self._sync is not None
        states = [self._sync.state_of(a) for a in accounts]
        self.sync_status.set_accounts(accounts, states, self.model.now())

    def _on_outbox(self, count: int) -> None:
        self.sync_status.set_outbox(count)
        self.banner.set_outbox(count)

    def _on_online(self, online: bool) -> None:
        self.banner.setVisible(not online)

    def fix_account(self, account_id: int) -> None:
        """The needs-sign-in button: the composition root's callback, else the
        Accounts tab of the settings, else how to do it from the command line."""
        if self._fix_account is not None:
            self._fix_account(account_id)
            return
        # The settings dialog's tab title, in the language it is shown in.
        if self.open_settings(translate("SettingsDialog", "Accounts"), account_id) is not None:
            return
        box = QMessageBox(QMessageBox.Icon.Information,
                          translate("MainWindow", "Reconnect the account"),
                          translate("MainWindow",
                                    "The network no longer accepts this account's token.\n\n"
                                    "Remove it with:  smm-desk accounts remove {id}\n"
                                    "then connect it again with a new token:\n"
                                    "  smm-desk accounts add NETWORK --name NAME --token-stdin")
                          .format(id=account_id),
                          QMessageBox.StandardButton.Ok, self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.exec()

    # -- remembering the window -----------------------------------------------------------
    def restore_state(self) -> None:
        settings = self._settings
        if settings is None:
            return
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        # Applied at the first show, once the window has its restored size:
        # restoring into a window of the default size would scale the panes.
        splitter = settings.value("window/splitter")
        self._pending_splitter = splitter if isinstance(splitter, QByteArray) else None
        header = settings.value("window/columns")
        if header is not None:
            self.table.horizontalHeader().restoreState(header)
        view = settings.value("window/view")
        if isinstance(view, str) and view in self.sidebar.keys():
            self.set_view(view)

    def save_state(self) -> None:
        settings = self._settings
        if settings is None:
            return
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/splitter", self.splitter.saveState())
        settings.setValue("window/columns", self.table.horizontalHeader().saveState())
        settings.setValue("window/view", self._view)
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._closing = True
        if self._refresh_task is not None:
            self._refresh_task.cancel()  # the loop runs on through shutdown: it ends cleanly
        self.save_state()
        super().closeEvent(event)
        self.closed.emit()

    # -- the status line -------------------------------------------------------------------
    def _update_status(self) -> None:
        self._count_label.show_count(self.model.rowCount(), self._view, self._search,
                                     self.sidebar.label)

    def status_text(self) -> str:
        return self._count_label.text()

    def sync_text(self) -> str:
        """The status bar's network part (accounts and outbox), for tests."""
        return self.sync_status.text()
