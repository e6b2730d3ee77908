"""Crash safety: the crash dialog (smm_desk.ui.crash_dialog) and the one crash
handler (smm_desk.app.crash) the composition root installs.

Nothing blocks: the dialog is tested as a widget (shown, clicked), and the
handler with its dialog factory injected — the factory records what it was
given and answers Continue or Quit. The exceptions are real: raised in a Qt
slot, in a thread, in an asyncio task, and a draft typed a moment before the
crash is read back from the store.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMessageLogContext, QThread, QTimer, QtMsgType
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from smm_desk import redaction
from smm_desk.app import logs
from smm_desk.app.crash import CrashHandler, flush_composers
from smm_desk.services.case import CaseService
from smm_desk.store.api import Store
from smm_desk.store.database import Database
from smm_desk.store.errors import StoreError
from smm_desk.ui.case_view import CaseView
from smm_desk.ui.crash_dialog import (
    CONTINUE,
    DRAFT_KEPT,
    DRAFT_NOT_SAVED,
    QUIT,
    CrashDialog,
    CrashInfo,
)
from tests.conftest import FakeClock
from tests.support.factories import inbound

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
    # The handler under test owns sys.excepthook while installed.
    pytest.mark.qt_no_exception_capture,
]

SECRET = "crash-test-secret-9f8e7d6c5b4a"


def info(tmp_path: Path, **changes: Any) -> CrashInfo:
    values: dict[str, Any] = {
        "summary": "ValueError: the queue lost its way",
        "details": 'Traceback (most recent call last):\n  File "x.py", line 1\nValueError',
        "log_file": tmp_path / "logs" / "desk.log",
    }
    values.update(changes)
    return CrashInfo(**values)


# -- the dialog ----------------------------------------------------------------------------


def test_the_dialog_says_the_draft_is_kept_and_names_the_log_file(
        qtbot: QtBot, tmp_path: Path) -> None:
    opened: list[Path] = []

    def opener(folder: Path) -> bool:
        opened.append(folder)
        return True

    dialog = CrashDialog(info(tmp_path), opener=opener)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    text = dialog.text()
    assert "Your draft is kept" in text
    assert str(tmp_path / "logs" / "desk.log") in text
    assert dialog.log_path.isVisible() and dialog.open_button.isVisible()
    assert not dialog.details.isVisible()  # the traceback waits behind "Show details"
    dialog.open_button.click()
    assert opened == [tmp_path / "logs"]
    dialog.details_button.click()
    assert dialog.details.isVisible()
    assert "ValueError: the queue lost its way" in dialog.details.toPlainText()
    assert dialog.continue_button is not None and dialog.continue_button.isDefault()


@pytest.mark.parametrize(("button", "choice"), [("continue", CONTINUE), ("quit", QUIT)])
def test_continue_and_quit_are_the_choices(qtbot: QtBot, tmp_path: Path, button: str,
                                           choice: str) -> None:
    dialog = CrashDialog(info(tmp_path))
    qtbot.addWidget(dialog)
    dialog.show()
    pressed = dialog.continue_button if button == "continue" else dialog.quit_button
    assert pressed is not None
    with qtbot.waitSignal(dialog.finished, timeout=2000):
        pressed.click()
    assert dialog.choice() == choice
    assert not dialog.isVisible()


def test_escape_means_continue_and_a_fatal_error_offers_only_quit(
        qtbot: QtBot, tmp_path: Path) -> None:
    dialog = CrashDialog(info(tmp_path))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.reject()
    assert dialog.choice() == CONTINUE
    fatal = CrashDialog(info(tmp_path, fatal=True))
    qtbot.addWidget(fatal)
    assert fatal.continue_button is None and fatal.quit_button.isDefault()
    assert "must close" in fatal.text()
    fatal.show()
    fatal.reject()
    assert fatal.choice() == QUIT


def test_a_draft_that_could_not_be_saved_is_said_plainly(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = CrashDialog(info(tmp_path, draft=DRAFT_NOT_SAVED,
                              draft_problem="OperationalError: disk I/O error", log_file=None))
    qtbot.addWidget(dialog)
    text = dialog.text()
    assert "could not be saved (OperationalError: disk I/O error)" in text
    assert "Copy it" in text and "kept" not in text
    assert "No log file" in text and dialog.open_button.isHidden()
    assert not dialog.open_log_folder()


# -- the handler -----------------------------------------------------------------------------


class Recorder:
    """An injected dialog factory: records each CrashInfo and answers."""

    def __init__(self, answer: str = CONTINUE) -> None:
        self.answer = answer
        self.shown: list[CrashInfo] = []
        self.threads: list[QThread] = []
        self.dialog_text: list[str] = []

    def __call__(self, crash: CrashInfo, parent: QWidget | None) -> str:
        self.shown.append(crash)
        self.threads.append(QThread.currentThread())
        dialog = CrashDialog(crash, parent)  # built for real, never exec'd
        self.dialog_text.append(dialog.text())
        dialog.deleteLater()
        return self.answer


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> Iterator[Store]:
    s = Store(Database.open(f"sqlite:///{tmp_path}/desk.db"), clock)
    yield s
    s.close()


@pytest.fixture
def log_dir(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "logs"
    with logs.logging_to(directory, "desk"):
        yield directory


def make_handler(window: QWidget | None, cases: CaseService | None, recorder: Recorder,
                 quits: list[bool]) -> CrashHandler:
    def flush() -> tuple[str, str]:
        return (DRAFT_KEPT, "") if window is None or cases is None \
            else flush_composers(window, cases)

    return CrashHandler(window=window, flush_drafts=flush, quit_app=lambda: quits.append(True),
                        dialog=recorder)


@pytest.fixture
def installed() -> Iterator[list[CrashHandler]]:
    handlers: list[CrashHandler] = []
    before = (sys.excepthook, threading.excepthook)
    yield handlers
    for handler in handlers:
        handler.uninstall()
    assert (sys.excepthook, threading.excepthook) == before


def test_a_crash_in_a_slot_saves_the_typed_draft_before_the_dialog_shows(
        qtbot: QtBot, store: Store, clock: FakeClock, log_dir: Path,
        installed: list[CrashHandler]) -> None:
    cases = CaseService(store)
    account = store.add_account("telegram", "@shop_bot").id
    case_id = store.ingest(account, "u", [inbound("t1", clock.now)], None).touched_case_ids[0]
    view = CaseView(cases, "kim")
    qtbot.addWidget(view)
    view.show()
    view.show_case(case_id)
    view.composer.editor.setPlainText("Half a reply, typed a moment before")
    assert cases.draft(case_id) == ""  # the debounce has not fired yet

    in_store_when_asked: list[str] = []
    recorder = Recorder()

    def dialog(crash: CrashInfo, parent: QWidget | None) -> str:
        in_store_when_asked.append(cases.draft(case_id))
        return recorder(crash, parent)

    quits: list[bool] = []
    handler = CrashHandler(window=view, flush_drafts=lambda: flush_composers(view, cases),
                           quit_app=lambda: quits.append(True), dialog=dialog)
    handler.install()
    installed.append(handler)

    def broken_slot() -> None:
        raise RuntimeError("the clock went backwards")

    with qtbot.waitSignal(handler.handled, timeout=3000) as blocker:
        QTimer.singleShot(0, broken_slot)
    assert blocker.args == ["RuntimeError: the clock went backwards", CONTINUE]
    assert in_store_when_asked == ["Half a reply, typed a moment before"]
    crash = recorder.shown[0]
    assert crash.draft == DRAFT_KEPT and crash.log_file == log_dir / "desk.log"
    assert "broken_slot" in crash.details
    assert "Your draft is kept" in recorder.dialog_text[0]
    assert str(log_dir / "desk.log") in recorder.dialog_text[0]
    assert quits == []  # Continue
    logs.flush()
    logged = (log_dir / "desk.log").read_text()
    assert "CRITICAL smm_desk.app" in logged and "RuntimeError: the clock went backwards" in logged
    assert "broken_slot" in logged  # the traceback


def test_quit_closes_the_app_and_secrets_never_reach_the_dialog_or_the_log(
        qtbot: QtBot, log_dir: Path, installed: list[CrashHandler]) -> None:
    redaction.remember(SECRET)
    recorder = Recorder(QUIT)
    quits: list[bool] = []
    handler = make_handler(None, None, recorder, quits)
    handler.install()
    installed.append(handler)

    def leaky() -> None:
        raise ValueError(f"token={SECRET} refused")

    with qtbot.waitSignal(handler.handled, timeout=3000):
        QTimer.singleShot(0, leaky)
    assert quits == [True]
    crash = recorder.shown[0]
    assert crash.summary == "ValueError: token=*** refused"
    assert SECRET not in crash.details and SECRET not in recorder.dialog_text[0]
    logs.flush()
    logged = (log_dir / "desk.log").read_text()
    assert "token=*** refused" in logged and SECRET not in logged


def test_a_crash_in_a_thread_is_shown_on_the_gui_thread(
        qtbot: QtBot, log_dir: Path, installed: list[CrashHandler]) -> None:
    recorder = Recorder()
    quits: list[bool] = []
    handler = make_handler(None, None, recorder, quits)
    handler.install()
    installed.append(handler)

    def worker() -> None:
        raise OSError("disk full while writing")

    with qtbot.waitSignal(handler.handled, timeout=3000):
        thread = threading.Thread(target=worker, name="db-worker")
        thread.start()
        thread.join()
    assert recorder.shown[0].summary == "OSError: disk full while writing"
    assert recorder.threads == [handler.thread()]  # never a dialog off the GUI thread
    logs.flush()
    assert "unhandled OSError in thread db-worker" in (log_dir / "desk.log").read_text()


def test_a_crash_continued_past_does_not_ask_again_and_none_asks_while_open(
        qtbot: QtBot, installed: list[CrashHandler]) -> None:
    recorder = Recorder()
    quits: list[bool] = []
    handler = make_handler(None, None, recorder, quits)
    handler.install()
    installed.append(handler)

    def tick() -> None:
        raise KeyError("row 7")

    for _ in range(3):  # the same bug, every second
        with qtbot.waitSignal(handler.handled, timeout=3000):
            QTimer.singleShot(0, tick)
    assert len(recorder.shown) == 1

    # While a dialog is open, another crash is logged, not stacked on top.
    nested: list[str] = []

    def asks_while_open(crash: CrashInfo, parent: QWidget | None) -> str:
        try:
            raise ZeroDivisionError("inside")
        except ZeroDivisionError:
            nested.append(handler.show_crash(sys.exc_info()))  # type: ignore[arg-type]
        return CONTINUE

    handler._dialog = asks_while_open
    try:
        raise ValueError("outer")
    except ValueError:
        assert handler.show_crash(sys.exc_info()) == CONTINUE  # type: ignore[arg-type]
    assert nested == [""]


async def _failing_task() -> None:
    raise LookupError("the engine lost an account")


def test_an_asyncio_task_failure_reaches_the_handler(qtbot: QtBot,
                                                     installed: list[CrashHandler]) -> None:
    recorder = Recorder()
    quits: list[bool] = []
    handler = make_handler(None, None, recorder, quits)
    loop = asyncio.new_event_loop()
    try:
        handler.install(loop)
        installed.append(handler)
        assert loop.get_exception_handler() == handler.asyncio_handler
        with qtbot.waitSignal(handler.handled, timeout=3000):
            try:
                loop.run_until_complete(_failing_task())
            except LookupError as exc:
                loop.call_exception_handler({"message": "Task exception was never retrieved",
                                             "exception": exc})
        assert recorder.shown[0].summary == "LookupError: the engine lost an account"
        handler.asyncio_handler(loop, {"message": "Task was destroyed but it is pending!"})
        assert len(recorder.shown) == 1  # no exception: logged only
        handler.asyncio_handler(loop, {"message": "x", "exception": asyncio.CancelledError()})
        assert len(recorder.shown) == 1
    finally:
        handler.uninstall()
        assert loop.get_exception_handler() is None
        loop.close()


def test_qt_messages_are_logged_and_passed_on_and_a_fatal_one_offers_quit(
        qtbot: QtBot, caplog: pytest.LogCaptureFixture, installed: list[CrashHandler]) -> None:
    recorder = Recorder()
    quits: list[bool] = []
    handler = make_handler(None, None, recorder, quits)
    passed_on: list[str] = []
    handler._previous["qt"] = lambda mode, context, message: passed_on.append(message)
    context = QMessageLogContext()
    with caplog.at_level(logging.DEBUG, logger="smm_desk.qt"):
        handler.qt_message(QtMsgType.QtWarningMsg, context, "QPainter::begin: not active")
    assert passed_on == ["QPainter::begin: not active"]
    assert [(r.name, r.levelno) for r in caplog.records] == [("smm_desk.qt", logging.WARNING)]
    assert recorder.shown == []
    handler.qt_message(QtMsgType.QtFatalMsg, context, "ASSERT: \"d\" in qobject.cpp")
    assert recorder.shown and recorder.shown[0].fatal
    assert "must close" in recorder.dialog_text[0]
    assert "test_qt_messages_are_logged" in recorder.shown[0].details  # the Python stack
    assert passed_on == ["QPainter::begin: not active"]  # Qt aborts after a fatal one


def test_ctrl_c_is_not_a_crash(installed: list[CrashHandler],
                               capsys: pytest.CaptureFixture[str]) -> None:
    recorder = Recorder()
    quits: list[bool] = []
    handler = make_handler(None, None, recorder, quits)
    handler.install()
    installed.append(handler)
    sys.excepthook(KeyboardInterrupt, KeyboardInterrupt(), None)
    assert recorder.shown == [] and "KeyboardInterrupt" in capsys.readouterr().err


def test_a_draft_the_store_refuses_is_reported_as_not_saved(
        qtbot: QtBot, store: Store, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    cases = CaseService(store)
    account = store.add_account("telegram", "@shop_bot").id
    case_id = store.ingest(account, "u", [inbound("t1", clock.now)], None).touched_case_ids[0]
    view = CaseView(cases, "kim")
    qtbot.addWidget(view)
    view.show_case(case_id)
    view.composer.editor.setPlainText("unsaved words")

    def locked(*_args: object) -> None:
        raise StoreError("database is locked")

    # The composer's save fails quietly (it shows it in its status line): the
    # read-back notices the store does not hold what was typed.
    monkeypatch.setattr(store, "save_draft", locked)
    assert flush_composers(view, cases) == (DRAFT_NOT_SAVED, "the database did not take it")
    # The store itself is what crashed: the reason is passed on.
    monkeypatch.setattr(store, "draft", locked)
    state, problem = flush_composers(view, cases)
    assert (state, problem) == (DRAFT_NOT_SAVED, "CaseActionError: database is locked")
    monkeypatch.undo()
    assert flush_composers(view, cases) == (DRAFT_KEPT, "")
    assert cases.draft(case_id) == "unsaved words"
