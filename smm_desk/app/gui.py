"""The desktop app's composition root: ``smm-desk`` with no command.

One place builds every object and passes dependencies in (STYLE.md rule 8):
the store, the queue and case services, the sync service (the engine as an
asyncio task on the Qt loop through qasync: STYLE.md rule 3), the window and,
where their modules are present, the case view and the keyboard triage. The
demo (``smm_desk.app.demo``) uses the same :func:`build_desk` and
:func:`run_desk` with a simulated network.

Shutdown: closing the window ends the coroutine the loop runs, which stops
the engine and the poller, closes the connectors and the database worker, and
only then returns; Ctrl+C in the terminal closes the window the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any

import qasync
from PySide6.QtCore import QCoreApplication, QEvent, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from smm_desk.secrets import get_token
from smm_desk.services.queue import QueueService
from smm_desk.services.sync import SyncService
from smm_desk.store.api import Store
from smm_desk.store.database import resolve_url
from smm_desk.sync.engine import ConnectorFactory, TokenSource
from smm_desk.ui.main_window import MainWindow

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
    app = existing if isinstance(existing, QApplication) else QApplication(["smm-desk"])
    app.setApplicationName("SMM Desk")
    app.setOrganizationName("smm-desk")
    # The loop's coroutine decides when the app ends (after a clean shutdown).
    app.setQuitOnLastWindowClosed(False)
    return app


@dataclass
class Desk:
    """Everything the composition root built, for running and for tests."""

    store: Store
    queue: QueueService
    case_service: object | None
    sync: SyncService
    window: MainWindow

    def dispose(self) -> None:
        self.window.close()
        self.window.deleteLater()
        for service in (self.queue, self.case_service, self.sync):
            if hasattr(service, "deleteLater"):
                service.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _queue_service(store: Store, agent: str) -> QueueService:
    try:  # engineer C's subclass adds triage over a selection
        from smm_desk.services.triage import TriageService
    except ImportError:
        return QueueService(store, agent)
    return TriageService(store, agent)


def _case_service(store: Store) -> object | None:
    try:
        from smm_desk.services.case import CaseService
    except ImportError:
        return None
    return CaseService(store)


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
    queue = _queue_service(store, agent)
    case_service = _case_service(store)
    sync = SyncService(store, factory=factory, tokens=tokens, **(sync_options or {}))
    window = MainWindow(queue, workspace, agent=agent, settings=settings, sync=sync,
                        case_service=case_service, fix_account=fix_account)
    if settings is None or settings.value("window/geometry") is None:
        window.resize(*WINDOW_SIZE)
    return Desk(store, queue, case_service, sync, window)


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

    def capture(path: str) -> None:
        nonlocal exit_code
        desk.window.resize(*SCREENSHOT_SIZE)
        if not desk.window.grab().save(path):
            print(f"smm-desk: error: cannot save a screenshot to {path}", file=sys.stderr)
            exit_code = 1
        desk.window.close()

    desk.window.show()
    desk.sync.start()
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
        await desk.sync.aclose()
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


def run_loop(app: QApplication, main: Awaitable[int], close: Callable[[], object]) -> int:
    """Run ``main`` on a qasync loop over ``app`` until it returns."""
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        with close_on_sigint(close):
            return int(loop.run_until_complete(main))
    finally:
        loop.close()
        asyncio.set_event_loop(None)


def run(args: argparse.Namespace) -> int:
    """``smm-desk`` with no command: the app on the user's own database."""
    app = application()
    store = Store.open(resolve_url(args.db, args.data_dir))
    try:
        desk = build_desk(store, workspace="Inbox", agent=agent_name(),
                          settings=QSettings("smm-desk", "SMM Desk"))
        try:
            return run_loop(app, run_desk(desk), desk.window.close)
        finally:
            desk.dispose()
    finally:
        store.close()
