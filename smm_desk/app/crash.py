"""Crash safety: one handler for every exception nobody caught.

The composition root (``smm_desk.app.gui.run_desk``) installs one
:class:`CrashHandler` while the desk runs, on every path an exception can
escape by:

* ``sys.excepthook`` — exceptions in Qt slots and event handlers (PySide6
  reports them through it) and anything else on the GUI thread;
* ``threading.excepthook`` — worker threads (the store's DbWorker);
* the asyncio loop's exception handler — the sync engine's tasks on the
  qasync loop;
* Qt's message handler — Qt's own warnings go to the log (``smm_desk.qt``),
  and a *fatal* message (after which Qt aborts the process) is logged with the
  Python stack, drafts are saved and the dialog offers only Quit.

Each crash is handled the same way: the traceback goes to the log file at
once (``smm_desk.app`` logger, secrets masked by the file's filter); then,
from the GUI thread's event loop (a queued signal: never inside the paint
event or the transaction that failed, never on a worker thread), the text of
every open composer is written to the store as its draft and read back to be
sure (``flush_composers``), and :mod:`smm_desk.ui.crash_dialog` says that the
draft is kept (or that it is not, and why), names the log file with a button
to open its folder, and offers Continue or Quit. Quit closes the window, which
shuts the desk down cleanly. Everything the dialog shows passes through
:func:`smm_desk.redaction.redact` first.

Never a storm of dialogs: while one is open, further crashes are only logged;
and a crash the user already chose to continue past (same exception type at
the same place) is only logged when it comes back.

The dialog factory is injected (tests pass one that records and answers).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import (
    QMessageLogContext,
    QObject,
    Qt,
    QThread,
    QtMsgType,
    Signal,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QWidget

from smm_desk import redaction
from smm_desk.app import logs
from smm_desk.services.case import CaseService
from smm_desk.ui.composer import Composer
from smm_desk.ui.crash_info import CONTINUE, DRAFT_KEPT, DRAFT_NOT_SAVED, QUIT, CrashInfo

log = logging.getLogger("smm_desk.app")
qt_log = logging.getLogger("smm_desk.qt")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]
#: Shows the dialog and returns CONTINUE or QUIT.
DialogFactory = Callable[[CrashInfo, QWidget | None], str]
#: Saves what is being typed; returns (DRAFT_KEPT | DRAFT_NOT_SAVED, why not).
DraftFlusher = Callable[[], tuple[str, str]]


def _ask(info: CrashInfo, parent: QWidget | None) -> str:
    """The crash dialog (its widgets are imported at the first crash, not at start)."""
    from smm_desk.ui import crash_dialog

    return crash_dialog.ask(info, parent)


def flush_composers(root: QWidget, cases: CaseService) -> tuple[str, str]:
    """Write every composer's text under ``root`` to the store as its case's draft
    (the composer's own ``flush_draft``), then read each back to be sure."""
    try:
        for composer in root.findChildren(Composer):
            case_id = composer.case_id()
            if case_id is None:
                continue
            composer.flush_draft()
            typed = composer.editor.toPlainText()
            if cases.draft(case_id).strip() != typed.strip():
                return DRAFT_NOT_SAVED, "the database did not take it"
    except Exception as exc:  # noqa: BLE001 - the store may be what crashed
        log.exception("saving the draft after a crash failed")
        return DRAFT_NOT_SAVED, redaction.redact(f"{type(exc).__name__}: {exc}")[:200]
    return DRAFT_KEPT, ""


def _signature(exc_info: ExcInfo) -> tuple[str, str, int]:
    """The exception's type and the place it was raised (file, line)."""
    exc_type, _exc, tb = exc_info
    frames = traceback.extract_tb(tb) if tb is not None else []
    last = frames[-1] if frames else None
    return (exc_type.__qualname__, last.filename if last else "", last.lineno or 0 if last else 0)


class CrashHandler(QObject):
    """See the module doc. Create it on the GUI thread; :meth:`install` / :meth:`uninstall`."""

    #: A crash, carried to the GUI thread's event loop: (exc_info, where).
    _queued = Signal(object, str)
    #: Every crash handled: (summary, choice) — choice "" when no dialog was shown.
    handled = Signal(str, str)

    def __init__(
        self,
        *,
        window: QWidget | None,
        flush_drafts: DraftFlusher,
        quit_app: Callable[[], object],
        dialog: DialogFactory | None = None,
        log_file: Callable[[], Path | None] = logs.current_file,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._window = window
        self._flush_drafts = flush_drafts
        self._quit = quit_app
        self._dialog = dialog or _ask
        self._log_file = log_file
        self._showing = False
        self._continued: set[tuple[str, str, int]] = set()
        self._previous: dict[str, Any] = {}
        self._installed = False
        self._queued.connect(self._on_queued, Qt.ConnectionType.QueuedConnection)

    # -- installing ------------------------------------------------------------------------
    def install(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        if self._installed:
            return
        self._installed = True
        self._previous = {"sys": sys.excepthook, "threading": threading.excepthook,
                          "qt": qInstallMessageHandler(self.qt_message)}
        sys.excepthook = self.excepthook
        threading.excepthook = self.threading_hook
        if loop is not None:
            self._previous["loop"] = (loop, loop.get_exception_handler())
            loop.set_exception_handler(self.asyncio_handler)

    def uninstall(self) -> None:
        if not self._installed:
            return
        self._installed = False
        sys.excepthook = self._previous["sys"]
        threading.excepthook = self._previous["threading"]
        qInstallMessageHandler(self._previous["qt"])
        if "loop" in self._previous:
            loop, handler = self._previous["loop"]
            if not loop.is_closed():
                loop.set_exception_handler(handler)
        self._previous = {}

    # -- the hooks -------------------------------------------------------------------------
    def excepthook(self, exc_type: type[BaseException], exc: BaseException,
                   tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):  # Ctrl+C is not a crash
            sys.__excepthook__(exc_type, exc, tb)
            return
        self.report((exc_type, exc, tb), "the app")

    def threading_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        where = f"thread {args.thread.name if args.thread else '?'}"
        self.report((args.exc_type, args.exc_value, args.exc_traceback), where)

    def asyncio_handler(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, BaseException) and not isinstance(exc, asyncio.CancelledError):
            self.report((type(exc), exc, exc.__traceback__), "a background task")
            return
        log.error("event loop: %s", redaction.redact(context.get("message", context)))

    def qt_message(self, mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
        level = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
                 QtMsgType.QtWarningMsg: logging.WARNING,
                 QtMsgType.QtCriticalMsg: logging.ERROR}.get(mode, logging.CRITICAL)
        where = f" ({context.category})" if context.category not in (None, "default") else ""
        if mode == QtMsgType.QtFatalMsg:
            self.report_fatal(message)
            return
        qt_log.log(level, "%s%s", message, where)
        previous = self._previous.get("qt")
        if previous is not None:
            previous(mode, context, message)
        elif level >= logging.WARNING:  # Qt's default handler printed these: so do we
            print(message, file=sys.stderr)

    # -- handling ----------------------------------------------------------------------------
    def report(self, exc_info: ExcInfo, where: str) -> None:
        """Handle one crash (from any thread): log it now; the drafts and the
        dialog follow from the GUI thread's event loop, never from inside the
        paint event or the transaction that failed."""
        self._log(exc_info, where)
        self._queued.emit(exc_info, where)

    def _on_queued(self, exc_info: ExcInfo, _where: str) -> None:
        self.show_crash(exc_info)

    def _log(self, exc_info: ExcInfo, where: str) -> None:
        log.critical("unhandled %s in %s", exc_info[0].__name__, where, exc_info=exc_info)
        logs.flush()

    def show_crash(self, exc_info: ExcInfo) -> str:
        """Save the drafts and ask (GUI thread); returns the choice, "" if not asked."""
        summary = self._summary(exc_info)
        signature = _signature(exc_info)
        if self._showing or signature in self._continued:
            self.handled.emit(summary, "")
            return ""
        self._showing = True
        try:
            draft, problem = self._flush_drafts()
            info = CrashInfo(summary=summary, details=self._details(exc_info),
                             log_file=self._log_file(), draft=draft, draft_problem=problem)
            choice = self._dialog(info, self._window)
        finally:
            self._showing = False
        log.info("crash dialog: %s", choice)
        self.handled.emit(summary, choice)
        if choice == QUIT:
            self._quit()
        else:
            self._continued.add(signature)
        return choice

    def report_fatal(self, message: str) -> None:
        """Qt is about to abort: log, save the drafts, say so (Quit only)."""
        stack = "".join(traceback.format_stack())
        log.critical("fatal Qt error: %s\n%s", message, stack)
        logs.flush()
        draft, problem = self._flush_drafts()
        if self._showing or QThread.currentThread() is not self.thread():
            return
        self._showing = True
        try:
            self._dialog(CrashInfo(summary=redaction.redact(f"Qt: {message}"),
                                   details=redaction.redact(stack), log_file=self._log_file(),
                                   draft=draft, draft_problem=problem, fatal=True),
                         self._window)
        finally:
            self._showing = False

    @staticmethod
    def _summary(exc_info: ExcInfo) -> str:
        exc_type, exc, _tb = exc_info
        line = "".join(traceback.format_exception_only(exc_type, exc)).strip()
        return redaction.redact(line)[:500]

    @staticmethod
    def _details(exc_info: ExcInfo) -> str:
        return redaction.redact("".join(traceback.format_exception(*exc_info)))


__all__ = ["CONTINUE", "QUIT", "CrashHandler", "flush_composers"]
