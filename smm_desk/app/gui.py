"""The desktop app's composition root: ``smm-desk`` with no command.

One place builds every object and passes dependencies in (STYLE.md rule 8):
the store; the queue service with bulk triage, the case service and the
settings service; the sync service (the engine as an asyncio task on the Qt
loop through qasync: STYLE.md rule 3); the window (which builds the case view
and the keyboard triage over those services); and the tray icon, fed by the
sync service's SLA alerts. Accounts paused, resumed or reconnected in the
settings reach the running engine at once. The
demo (``smm_desk.app.demo``) uses the same :func:`build_desk` and
:func:`run_desk` with a simulated network.

Shutdown: closing the window ends the coroutine the loop runs, which stops
the engine and the poller, closes the connectors and the database worker, and
only then returns; Ctrl+C in the terminal closes the window the same way.

Look and safety: the application gets exact high-DPI scaling, the vector app
icon and the light or dark theme (``smm_desk.ui.theme``); while the desk runs,
one crash handler (``smm_desk.app.crash``) catches every uncaught exception,
saves the draft being typed and shows the crash dialog.

Cold start (issue #4): the window is built and painted first, with the queue's
real rows, counts and working menus; what it does not show yet comes after.
The app opens its database with ``open_for_window`` (store/window_store.py):
on a SQLite file at the newest schema, the first window's reads (queue ids,
counts, a screenful of rows, accounts, departments, templates) are plain SQL,
and SQLAlchemy with the ORM models — more than a bare window's whole start —
loads just after the first paint, off the window's thread (:func:`load_store`).
The queue's most urgent case is selected at once and opens in the case view
when the store is loaded. Sync and the cluster/crisis scans start then too
(:func:`after_first_paint`): the engine, the connectors, httpx and the keyring
library are imported then, not before the window (``SyncService`` builds its
engine on start). The dialogs, the tools' windows, the reports' charts and the
first-run welcome are imported when they open. What is built, read and shown is
the same; only the order moved. Anything that needs the store sooner (a click on
a case in the first half second) loads it there and then.
"""

from __future__ import annotations

# Before anything else: PySide6's import hook made cheap for the imports below.
from smm_desk.app import pyside_import  # noqa: F401

# isort: split
import argparse
import asyncio
import gc
import getpass
import os
import signal
import sys
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, cast

import qasync
from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from smm_desk.app.crash import CrashHandler, flush_composers
from smm_desk.app.i18n import install_translations
from smm_desk.app.tools import Tools, install_tools
from smm_desk.secrets import get_token
from smm_desk.services.case import CaseService
from smm_desk.services.settings import SettingsService
from smm_desk.services.sync import SyncService
from smm_desk.services.triage import TriageService
from smm_desk.store.location import resolve_url
from smm_desk.store.window_store import WindowStore, open_for_window
from smm_desk.ui import icons, theme
from smm_desk.ui.main_window import MainWindow
from smm_desk.ui.tray import TrayIcon

if TYPE_CHECKING:
    from smm_desk.store.api import Store
    from smm_desk.store.views_queue import SlaAlertView
    from smm_desk.sync.engine import ConnectorFactory, TokenSource

SCREENSHOT_SIZE = (1280, 800)
WINDOW_SIZE = (1280, 800)


def agent_name() -> str:
    """Who sits at this desk: ``SMM_DESK_AGENT``, else the login name."""
    name = os.environ.get("SMM_DESK_AGENT")
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (containers)
        return "agent"


def application() -> QApplication:
    existing = QApplication.instance()
    if not isinstance(existing, QApplication):
        theme.prepare_high_dpi()  # only before the application exists
    app = existing if isinstance(existing, QApplication) else QApplication(["smm-desk"])
    app.setApplicationName("SMM Desk")
    app.setOrganizationName("smm-desk")
    app.setWindowIcon(icons.app_icon())
    # Light or dark as the system (or SMM_DESK_THEME, or the setting) says.
    theme.install(app, QSettings("smm-desk", "SMM Desk"))
    # The loop's coroutine decides when the app ends (after a clean shutdown).
    app.setQuitOnLastWindowClosed(False)
    return app


@dataclass
class Desk:
    """Everything the composition root built, for running and for tests."""

    store: Store
    queue: TriageService
    case_service: CaseService
    sync: SyncService
    settings_service: SettingsService
    window: MainWindow
    tray: TrayIcon
    #: Holds the QSettings file of a desk built without one (nothing remembered).
    scratch: tempfile.TemporaryDirectory[str] | None = None
    tools: Tools | None = None

    def dispose(self) -> None:
        if self.tools is not None:
            self.tools.stop()
        self.window.close()
        self.window.deleteLater()
        self.queue.close()
        for service in (self.queue, self.case_service, self.sync, self.settings_service,
                        *(self.tools.services() if self.tools else ())):
            service.deleteLater()  # type: ignore[attr-defined]
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        if self.scratch is not None:
            self.scratch.cleanup()
            self.scratch = None


def alert_pairs(alerts: list[SlaAlertView]) -> list[tuple[int, str]]:
    """The sync service's alerts as the tray takes them: ``(case id, kind)``."""
    return [(alert.case_id, alert.kind) for alert in alerts]


def build_desk(
    store: Store,
    *,
    workspace: str,
    agent: str,
    settings: QSettings | None,
    factory: ConnectorFactory | None = None,
    tokens: TokenSource = get_token,
    sync_options: dict[str, Any] | None = None,
    fix_account: Callable[[int], None] | None = None,
) -> Desk:
    """Build the desk. ``settings`` None: a throwaway QSettings, so nothing is
    remembered (screenshots). ``fix_account`` None: the status bar's needs-sign-in
    button opens the settings on that account."""
    scratch = None
    if settings is None:
        scratch = tempfile.TemporaryDirectory(prefix="smm-desk-settings-")
        settings = QSettings(str(Path(scratch.name) / "settings.ini"), QSettings.Format.IniFormat)
    queue = TriageService(store, agent)
    case_service = CaseService(store)
    sync = SyncService(store, factory=factory, tokens=tokens, **(sync_options or {}))
    settings_service = SettingsService(store, settings, factory=factory, tokens=tokens)
    window = MainWindow(queue, workspace, agent=agent, settings=settings, sync=sync,
                        case_service=case_service, settings_service=settings_service,
                        fix_account=fix_account)
    if settings.value("window/geometry") is None:
        window.resize(*WINDOW_SIZE)
    tray = TrayIcon(window, queue, settings_service.notification_prefs)
    sync.alerts.connect(lambda alerts: tray.on_alerts(alert_pairs(alerts)))
    settings_service.accounts_changed.connect(sync.reload_accounts)
    settings_service.departments_changed.connect(window.refresh)
    # A reply just queued: show the outbox count now, not at the next poll.
    case_service.changed.connect(lambda _change: sync.poll_now())
    # Cluster and crisis scans start with sync, after the first paint (run_desk).
    tools = install_tools(window, store, agent, queue.changed.emit, scan_clusters=False)
    return Desk(store, queue, case_service, sync, settings_service, window, tray, scratch,
                tools)


class _FirstPaint(QObject):
    """Calls ``then`` once, from the event loop just after ``widget``'s first paint
    (never inside it), or after ``fallback_ms`` if it is not painted by then (a
    window shown minimized)."""

    def __init__(self, widget: QWidget, then: Callable[[], None], fallback_ms: int) -> None:
        super().__init__(widget)
        self._widget = widget
        self._then: Callable[[], None] | None = then
        widget.installEventFilter(self)
        QTimer.singleShot(fallback_ms, self, self._fire)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if watched is self._widget and event.type() == QEvent.Type.Paint:
            self._widget.removeEventFilter(self)
            QTimer.singleShot(0, self, self._fire)
        return False

    def _fire(self) -> None:
        then, self._then = self._then, None
        if then is not None:
            self._widget.removeEventFilter(self)
            then()


async def load_store(store: Store) -> None:
    """Open the real store behind a window store, off the window's thread (the
    SQLAlchemy import and the schema check take a few hundred ms, during which the
    window keeps painting and answering); nothing to do for a real store."""
    window_store = cast(object, store)
    if isinstance(window_store, WindowStore) and not window_store.loaded:
        await asyncio.to_thread(window_store.full)


def after_first_paint(widget: QWidget, then: Callable[[], None],
                      fallback_ms: int = 1000) -> None:
    """Run ``then`` once the window is on screen: work the first paint does not
    need (starting sync) waits for it instead of delaying it."""
    _FirstPaint(widget, then, fallback_ms)


async def run_desk(
    desk: Desk,
    *,
    screenshot: str | None = None,
    after: float = 1.0,
    started: Callable[[], Awaitable[None] | None] | None = None,
) -> int:
    """Show the window, run sync until the window closes, shut down cleanly.
    With ``screenshot``: save a picture of the window after ``after`` seconds
    (1280×800), then close. Returns the exit code."""
    closed = asyncio.Event()
    desk.window.closed.connect(closed.set)
    exit_code = 0
    # One handler for every uncaught exception: log, keep the draft, ask (app/crash.py).
    crash = CrashHandler(window=desk.window, quit_app=desk.window.close,
                         flush_drafts=lambda: flush_composers(desk.window, desk.case_service))
    crash.install(asyncio.get_running_loop())
    look = theme.current()
    if look is not None:  # cached row colours follow a switch between light and dark
        look.changed.connect(desk.window.refresh)

    def capture(path: str) -> None:
        nonlocal exit_code
        desk.window.resize(*SCREENSHOT_SIZE)
        if not desk.window.grab().save(path):
            print(f"smm-desk: error: cannot save a screenshot to {path}", file=sys.stderr)
            exit_code = 1
        desk.window.close()

    # The case view reads whole cases, which the first window's plain reads do not
    # (store/window_store.py): the most urgent case is selected at once and opens
    # when the store is loaded, just after the first paint (below).
    desk.window.hold_cases()
    desk.window.show()
    # Keyboard-first from the start: the queue has the focus, its most urgent case selected.
    desk.window.focus_queue()

    async def after_paint() -> None:
        try:
            await load_store(desk.store)
        finally:
            desk.window.release_cases()
        # Unless the window closed first (a screenshot, Ctrl+C): no sync then.
        if closed.is_set():
            return
        desk.sync.start()
        if desk.tools is not None:
            desk.tools.start()

    after_paint_task: asyncio.Task[None] | None = None

    def report_failure(task: asyncio.Task[None]) -> None:
        # A store that cannot open (locked, unreadable) is a crash to show, not to hide.
        if not task.cancelled() and task.exception() is not None:
            task.get_loop().call_exception_handler({
                "message": "opening the store after the first paint failed",
                "exception": task.exception(), "task": task})

    def start_after_paint() -> None:
        nonlocal after_paint_task
        if not closed.is_set():
            after_paint_task = asyncio.ensure_future(after_paint())
            after_paint_task.add_done_callback(report_failure)

    after_first_paint(desk.window, start_after_paint)
    if started is not None:
        result = started()
        if result is not None:
            await result
    if screenshot:
        QTimer.singleShot(max(0, round(after * 1000)), desk.window,
                          lambda: capture(screenshot))
    try:
        await closed.wait()
    finally:
        desk.window.closed.disconnect(closed.set)
        if after_paint_task is not None:
            await asyncio.gather(after_paint_task, return_exceptions=True)
        await desk.sync.aclose()
        crash.uninstall()
        if look is not None:
            look.changed.disconnect(desk.window.refresh)
    return exit_code


@contextmanager
def close_on_sigint(close: Callable[[], object]) -> Iterator[None]:
    """Ctrl+C in the terminal closes the window (handled at the next Python
    callback: the loop's timers run Python code at least once a second)."""

    def handler(_signum: int, _frame: FrameType | None) -> None:
        close()

    try:
        previous = signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def garbage_collected_on_gui_thread(app: QApplication, interval_ms: int = 100) -> Iterator[None]:
    """Python's cyclic GC runs in whichever thread happens to allocate; on the
    sync engine's DbWorker it would destroy Qt objects off the GUI thread, which
    Qt does not survive. So while the app runs, automatic collection is off and
    a GUI-thread timer collects instead, in small steps as the automatic GC
    would: the youngest generation every round (what 0.1 s allocated: quick),
    the middle one every second, all of them once a minute. Rare big
    collections of everything a sync allocated would stall the window."""
    rounds = 0

    def collect() -> None:
        nonlocal rounds
        rounds += 1
        if rounds == 1:
            # What exists once the window is up (modules, SQLAlchemy, Qt wrappers)
            # lives as long as the app: out of every later full collection, which
            # would otherwise walk it all on the GUI thread (a stall of 100s of ms).
            # Frozen objects are still freed by reference counting.
            gc.collect(2)
            gc.freeze()
            return
        gc.collect(2 if rounds % 600 == 0 else 1 if rounds % 10 == 0 else 0)

    timer = QTimer(app)
    timer.timeout.connect(collect)
    was_enabled = gc.isenabled()
    gc.disable()
    timer.start(interval_ms)
    try:
        yield
    finally:
        timer.stop()
        timer.deleteLater()
        gc.unfreeze()
        if was_enabled:
            gc.enable()


@contextmanager
def gil_handed_over_often(interval_s: float = 0.001) -> Iterator[None]:
    """The window's thread gets the GIL back within ~1 ms instead of CPython's 5.

    The sync engine's DbWorker and the queue's reader threads run long
    stretches of pure Python; with two of them busy, the GUI thread could wait
    40–70 ms for the GIL between two of its own events (a visible stall while a
    big sync lands). A shorter switch interval bounds that wait; the background
    threads lose a little throughput to the extra switches, which nobody sees."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(interval_s)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def run_loop(app: QApplication, main: Awaitable[int], close: Callable[[], object]) -> int:
    """Run ``main`` on a qasync loop over ``app`` until it returns."""
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        with close_on_sigint(close), garbage_collected_on_gui_thread(app), \
                gil_handed_over_often():
            return int(loop.run_until_complete(main))
    finally:
        loop.close()
        asyncio.set_event_loop(None)


def run(args: argparse.Namespace) -> int:
    """``smm-desk`` with no command: the app on the user's own database."""
    app = application()
    settings = QSettings("smm-desk", "SMM Desk")
    install_translations(app, settings)  # before any widget exists
    # The first window reads the SQLite file without SQLAlchemy (store/window_store.py).
    store = open_for_window(resolve_url(args.db, args.data_dir))
    wants_demo = False  # "Open the demo workspace" on the first-run welcome
    try:
        desk = build_desk(store, workspace=QCoreApplication.translate("Desk", "Inbox"),
                          agent=agent_name(), settings=settings)

        def open_demo() -> None:
            nonlocal wants_demo
            wants_demo = True
            desk.window.close()

        def first_run() -> None:
            from smm_desk.ui.welcome import welcome_if_first_run

            welcome_if_first_run(desk.settings_service, desk.window, open_demo)

        try:
            code = run_loop(app, run_desk(desk, started=first_run), desk.window.close)
        finally:
            desk.dispose()
    finally:
        store.close()
    if wants_demo:  # the demo lives in its own database: never the user's
        from smm_desk.app.demo import run as run_demo

        return run_demo(argparse.Namespace(db=None, data_dir=args.data_dir, screenshot=None,
                                           after=1.0))
    return code
