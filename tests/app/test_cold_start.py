"""Cold start (issue #4): the first paint shows the real queue without the modules
it does not need, and sync starts right after it.

Run in a fresh interpreter, as the desk starts: what is imported by the time
the queue first paints is the point. Each module named here has its own way in
later — the sync engine and connectors (httpx, keyring) when sync starts, the
dialogs, the tools and the charts when opened — and each of them, imported by
the first paint again, would add tens of milliseconds to every start.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from smm_desk.domain.enums import Direction
from smm_desk.domain.records import IncomingMessage, MessageKind
from smm_desk.store.api import Store

ROOT = Path(__file__).resolve().parents[2]

#: Not needed to paint the queue: imported later, where used.
LATER = ("httpx", "keyring", "smm_desk.connectors.base", "smm_desk.sync.engine",
         "smm_desk.services.observed_engine", "smm_desk.ui.settings_dialog",
         "smm_desk.ui.welcome", "smm_desk.ui.reports", "PySide6.QtCharts",
         "smm_desk.ui.rule_editor", "smm_desk.ui.author_lists", "smm_desk.ui.handoff_dialog",
         "xml.etree.ElementTree", "openpyxl",
         # The first window reads the SQLite file itself (store/window_store.py); the
         # store's SQLAlchemy and ORM models load just after the first paint.
         "sqlalchemy", "smm_desk.store.models", "smm_desk.store.api",
         # The crash dialog's widgets (at a crash), the tools' rule engine and KPI code.
         "smm_desk.ui.crash_dialog", "smm_desk.domain.rules", "smm_desk.domain.kpi")

SCRIPT = """
import json, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from smm_desk.app.gui import application, build_desk, run_desk, run_loop
from smm_desk.store.window_store import open_for_window

LATER = json.loads(sys.argv[2])
app = application()
store = open_for_window(sys.argv[1])  # as the app opens it
desk = build_desk(store, workspace="Inbox", agent="test", settings=None, tokens=lambda _i: None)
seen = {}

def later_loaded():
    return sorted(m for m in LATER if m in sys.modules)

def after_start():
    if not desk.sync.running():
        QTimer.singleShot(10, after_start)
        return
    seen["sync_running_later"] = True
    seen["case_open_later"] = desk.window.case_pane.current_case_id()
    seen["loaded_later"] = later_loaded()
    desk.window.close()

class Watch(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and "rows" not in seen:
            seen["rows"] = desk.window.model.rowCount()
            seen["sync_running"] = desk.sync.running()
            seen["loaded"] = later_loaded()
            seen["menus"] = [a.text() for a in desk.window.menuBar().actions()]
            seen["first_text"] = desk.window.model.index(0, 3).data()
            seen["case_selected"] = desk.window.current_case_id()
            seen["case_open"] = desk.window.case_pane.current_case_id()
            QTimer.singleShot(0, after_start)
        return False

watch = Watch()
desk.window.table.viewport().installEventFilter(watch)
run_loop(app, run_desk(desk), desk.window.close)
desk.dispose()
store.close()
print(json.dumps(seen))
"""


def test_first_paint_shows_the_queue_before_sync_and_without_later_modules(
        tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    url = f"sqlite:///{tmp_path}/desk.db"
    store = Store.open(url)  # a workspace from an earlier run
    account = store.add_account("telegram", "@shop_bot")
    case_id = store.ingest(account.id, "updates", [IncomingMessage(
        external_id="m1", thread_key="dm:1", direction=Direction.INBOUND, kind=MessageKind.DM,
        text="Where is my order?", created_at=datetime.now(UTC), author_id="u1",
        author_name="Sarah")], cursor="1").touched_case_ids[0]
    store.close()
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, url, json.dumps(LATER)],
        capture_output=True, text=True, env=env, timeout=60, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    # Interactive, not a splash: the real row and the menus are there at the first paint.
    assert seen["rows"] == 1
    assert seen["first_text"].strip("\u2068\u2069") == "Where is my order?"  # isolated
    assert len(seen["menus"]) >= 2
    assert seen["loaded"] == []
    assert seen["sync_running"] is False
    # Right after it, sync runs and has brought its engine in.
    assert seen["sync_running_later"] is True
    # Its most urgent case is selected at once and opens once the store is loaded.
    assert seen["case_selected"] == case_id
    assert seen["case_open"] is None
    assert seen["case_open_later"] == case_id
    assert {"httpx", "smm_desk.sync.engine", "smm_desk.services.observed_engine"} <= set(
        seen["loaded_later"])
