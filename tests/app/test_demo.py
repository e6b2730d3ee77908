"""``smm-desk demo``: the screenshot path end to end, the demo workspace's own
database, re-seeding on each start through the simulator and the real connectors.

The app runs in a child process, as a user starts it: it builds and runs its
own QApplication, which must not share this process's (a finished
``QApplication.exec`` leaves state behind that later window tests trip over),
and whatever it leaves behind dies with it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from smm_desk.app.demo import ACCOUNTS, DEMO_CASES, build_world, demo_db_url, reset, seed
from smm_desk.sim.catalog import available
from smm_desk.store.api import Store
from smm_desk.store.database import Database

ROOT = Path(__file__).resolve().parents[2]
#: What the offscreen platform says of every window it shows; anything else on stderr fails.
OFFSCREEN_NOTE = "This plugin does not support propagateSizeHints()"


def child_env() -> dict[str, str]:
    env = {
        key: value for key, value in os.environ.items()
        if key not in ("SMM_DESK_DB", "SMM_DESK_DATA_DIR")
    }
    env.update(
        QT_QPA_PLATFORM="offscreen",
        # Any keyring use fails loudly: the demo has no tokens and must not ask for one.
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    return env


def run_demo(tmp_path: Path, shot: Path, after: float = 0.2) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "smm_desk", "--data-dir", str(tmp_path / "data"), "demo",
         "--screenshot", str(shot), "--after", str(after)],
        capture_output=True, text=True, env=child_env(), timeout=60, check=False,
    )


def stderr_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip() != OFFSCREEN_NOTE]


def test_demo_saves_a_1280x800_screenshot_and_reseeds_each_start(tmp_path: Path) -> None:
    for name in ("one.png", "two.png"):
        result = run_demo(tmp_path, tmp_path / name, after=1.5)
        assert (result.returncode, stderr_lines(result)) == (0, [])
        image = QImage(str(tmp_path / name))
        assert not image.isNull()
        assert (image.width(), image.height()) == (1280, 800)
    assert (tmp_path / "data" / "demo" / "smm-desk.db").is_file()
    assert not (tmp_path / "data" / "smm-desk.db").exists()  # never the real workspace
    store = Store.open(demo_db_url(None, str(tmp_path / "data")))
    try:
        networks = available()
        assert sorted(a.network for a in store.accounts()) == sorted(networks)
        cases = store.queue()
        seeded = len([c for c in DEMO_CASES if ACCOUNTS[c.account] in networks])
        # Re-seeded, not added to: the seed plus at most a little live traffic.
        assert seeded <= len(cases) < seeded + 5
        assert [r.state for r in store.reply_log()] == ["sent"]
    finally:
        store.close()


def test_an_unwritable_screenshot_is_one_error_line(tmp_path: Path) -> None:
    result = run_demo(tmp_path, tmp_path / "missing-dir" / "shot.png")
    assert result.returncode == 1
    assert stderr_lines(result) == [
        f"smm-desk: error: cannot save a screenshot to {tmp_path / 'missing-dir' / 'shot.png'}"
    ]


def test_demo_url_uses_its_own_folder_unless_db_is_given(tmp_path: Path) -> None:
    assert demo_db_url(None, str(tmp_path)) == f"sqlite:///{tmp_path / 'demo' / 'smm-desk.db'}"
    assert demo_db_url("sqlite:///elsewhere.db", str(tmp_path)) == "sqlite:///elsewhere.db"


@pytest.fixture
def demo_store(tmp_path: Path) -> Iterator[Store]:
    store = Store(Database.open(f"sqlite:///{tmp_path}/demo.db"))
    yield store
    store.close()


def test_seeded_queue_comes_through_the_simulator_with_every_clock_state(
    demo_store: Store,
) -> None:
    sim = build_world()
    seed(demo_store, sim)
    cases = demo_store.queue()
    seeded = [c for c in DEMO_CASES if ACCOUNTS[c.account] in sim.handlers]
    assert len(cases) == len(seeded)
    assert {c.sla_state for c in cases} == {"ok", "warning", "breached", None}
    # Every network with a simulator is in the demo, and has cases in its queue.
    assert set(sim.handlers) == set(available())
    assert {c.network for c in cases} == set(sim.handlers)
    assert sum(1 for c in cases if c.department) >= 4
    assert sum(1 for c in cases if c.assignee) >= 2
    # The answered case's reply left through the Telegram connector.
    assert [r.state for r in demo_store.reply_log()] == ["sent"]
    assert [d.network for d in sim.world.deliveries] == ["telegram"]
    texts = " ".join(c.last_inbound_text for c in cases)
    assert "возврат" in texts and "hoàn tiền" in texts and "refund" in texts
    # Seeding again starts over instead of adding.
    seed(demo_store, build_world())
    assert len(demo_store.queue()) == len(seeded)


def test_reset_refuses_a_workspace_with_real_accounts(demo_store: Store) -> None:
    demo_store.add_account("telegram", "@real_shop")
    with pytest.raises(ValueError, match="real accounts"):
        reset(demo_store)
    assert len(demo_store.accounts()) == 1


def test_other_commands_do_not_import_qt(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from smm_desk.cli.main import main\n"
        f"main(['--db', 'sqlite:///{tmp_path}/x.db', 'departments', 'list'])\n"
        "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=child_env(), timeout=60, check=False)
    assert result.returncode == 0, result.stderr
