"""The one qasync loop fixture (STYLE.md rule 7): asyncio tasks run on Qt's
event loop, exactly as in the app, whenever the test lets Qt process events
(``qtbot.waitUntil``, ``qtbot.waitSignal``). Import it into a test module:
``from tests.support.qt_loop import qt_loop  # noqa: F401``.

The loop is made ``already_running`` (pytest-qt, not ``app.exec()``, drives
Qt's loop here); teardown cancels every task still pending, lets them finish,
and closes the loop, so nothing outlives the test."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
import qasync
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot


@pytest.fixture
def qt_loop(qapp: QApplication, qtbot: QtBot) -> Iterator[asyncio.AbstractEventLoop]:
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            qtbot.waitUntil(lambda: all(t.done() for t in pending), timeout=10_000)
        # Not loop.stop(): that calls app.exit(), which makes every later nested
        # Qt event loop (qtbot.wait*, in the next tests) return at once.
        loop._QEventLoop__is_running = False  # type: ignore[attr-defined]
        qapp.aboutToQuit.disconnect(loop._after_run_forever)
        loop._after_run_forever()  # what app.aboutToQuit would do: hooks and running loop
        asyncio.events._set_running_loop(None)
        loop.close()
        asyncio.set_event_loop(None)
