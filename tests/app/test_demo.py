"""``smm-desk demo``: the screenshot path end to end through the CLI, the demo
workspace's own database, and seeding that happens once."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from smm_desk.app.demo import DEMO_CASES, demo_db_url, seed
from smm_desk.cli.main import main
from smm_desk.store.api import Store
from smm_desk.store.database import Database
from smm_desk.ui.main_window import MainWindow
from tests.conftest import FakeClock
from tests.support.memory_keyring import MemoryKeyring

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]


@pytest.fixture(autouse=True)
def no_env_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SMM_DESK_DB", raising=False)
    monkeypatch.delenv("SMM_DESK_DATA_DIR", raising=False)


def demo(tmp_path: Path, shot: Path, *extra: str) -> int:
    return main(["--data-dir", str(tmp_path / "data"), "demo",
                 "--screenshot", str(shot), "--after", "0.2", *extra])


def open_windows() -> list[MainWindow]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]


def test_demo_saves_a_1280x800_screenshot_and_leaves_no_window(
    qapp: QApplication, tmp_path: Path, memory_keyring: MemoryKeyring,
) -> None:
    shot = tmp_path / "demo.png"
    assert demo(tmp_path, shot) == 0
    image = QImage(str(shot))
    assert not image.isNull()
    assert (image.width(), image.height()) == (1280, 800)
    assert open_windows() == []
    assert (tmp_path / "data" / "demo" / "smm-desk.db").is_file()
    assert not (tmp_path / "data" / "smm-desk.db").exists()  # never the real workspace
    assert memory_keyring.entries == {}  # demo accounts have no tokens


def test_running_the_demo_twice_seeds_once(qapp: QApplication, tmp_path: Path) -> None:
    assert demo(tmp_path, tmp_path / "one.png") == 0
    assert demo(tmp_path, tmp_path / "two.png") == 0
    store = Store.open(demo_db_url(None, str(tmp_path / "data")))
    try:
        assert len(store.accounts()) == 3
        assert len(store.queue()) == len(DEMO_CASES)
    finally:
        store.close()


def test_an_unwritable_screenshot_is_one_error_line(
    qapp: QApplication, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    code = demo(tmp_path, tmp_path / "missing-dir" / "shot.png")
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("smm-desk: error: cannot save a screenshot") and err.count("\n") == 1
    assert open_windows() == []


def test_demo_url_uses_its_own_folder_unless_db_is_given(tmp_path: Path) -> None:
    assert demo_db_url(None, str(tmp_path)) == f"sqlite:///{tmp_path / 'demo' / 'smm-desk.db'}"
    assert demo_db_url("sqlite:///elsewhere.db", str(tmp_path)) == "sqlite:///elsewhere.db"


@pytest.fixture
def demo_store(tmp_path: Path, clock: FakeClock) -> Iterator[Store]:
    store = Store(Database.open(f"sqlite:///{tmp_path}/demo.db"), clock)
    yield store
    store.close()


def test_seeded_queue_shows_every_clock_state(demo_store: Store) -> None:
    assert seed(demo_store) is True
    assert seed(demo_store) is False
    cases = demo_store.queue()
    assert len(cases) == len(DEMO_CASES)
    assert {c.sla_state for c in cases} == {"ok", "warning", "breached", None}
    assert {c.network for c in cases} == {"telegram", "vk", "mastodon"}
    assert sum(1 for c in cases if c.department) >= 4
    assert sum(1 for c in cases if c.assignee) >= 2
    assert [r.state for r in demo_store.reply_log()] == ["sent"]
    texts = " ".join(c.last_inbound_text for c in cases)
    assert "возврат" in texts and "hoàn tiền" in texts and "refund" in texts


def test_other_commands_do_not_import_qt(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from smm_desk.cli.main import main\n"
        f"main(['--db', 'sqlite:///{tmp_path}/x.db', 'departments', 'list'])\n"
        "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
