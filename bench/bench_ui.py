"""The window under load (issue #4): 100,000 open cases in a SQLite store.

    python bench/bench_ui.py [--cases 100000] [--sync-items 10000] [--cache FILE]
                             [--cold-runs 7] [--skip-sync] [--skip-cold]

Figures, each with its target (a printed benchmark, not a timed test):

* time to the first painted queue: the real ``MainWindow`` (the composition
  root's pieces: ``QueueService`` + ``MainWindow``, no sync) shown offscreen at
  1280×800, from constructing it until its queue's first paint has finished;
* scroll repaint per frame against a bare ``QTableView`` over a trivial
  ``QAbstractTableModel`` with the same rows and columns, in the same run
  (≤ 1.5×): scroll a page, ``viewport().repaint()`` synchronously, time it;
* UI-thread time per SLA tick: the window's tick plus the repaint it causes
  (≤ 2 ms), with the store's clock advancing one second per tick, so the
  15-second stale refetch and the Age column repaint are inside the figure;
* the longest UI stall while a 10k-item sync runs (≤ 50 ms): the real
  ``SyncService`` (engine + ``DbWorker``) against the in-process simulator
  (10k Telegram DMs waiting) on a qasync loop, with the window open over the
  100k queue; the stall is the longest gap between ticks of a 5 ms QTimer.
  It runs twice: with the window (its refresh on the service's ``activity``)
  and with the engine alone, to tell the engine's cost from the window's;
* cold start to an interactive window against a bare PySide6 window (≤ 3×):
  two subprocesses, each exiting after its first paint, started alternately
  ``--cold-runs`` times (default 7) and compared by their medians. The desk
  opens its database as the app does (``open_for_window``): its first window
  (real rows, counts, menus) is read without SQLAlchemy, which loads after the
  paint; the time until that load and sync's start is printed too;
* resident memory of this process with the 100k queue loaded (≤ 300 MB).

Seeding 100k cases takes a while, so the seeded database is kept (``--cache``,
default ``/tmp/smm-desk-bench-ui-<cases>.db``) and copied for each part that
writes. The cases' times are relative to an anchor saved in the database (the
account's name); the bench's store clock runs from that anchor, so the SLA
column shows the same mix of ok, warning and breached clocks in every run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import qasync

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import (  # noqa: E402
    QAbstractTableModel,
    QElapsedTimer,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import QApplication, QHeaderView, QTableView  # noqa: E402

from smm_desk.domain.enums import Direction  # noqa: E402
from smm_desk.domain.records import IncomingMessage, MessageKind  # noqa: E402
from smm_desk.services.queue import QueueService  # noqa: E402
from smm_desk.store.api import Store  # noqa: E402
from smm_desk.ui.main_window import MainWindow  # noqa: E402
from smm_desk.ui.queue_model import Column  # noqa: E402

SIZE = (1280, 800)
BATCH = 10_000
ACCOUNT_PREFIX = "bench-ui-"
SIM_URL = "http://simulator.smm-desk.invalid"
SIM_TOKEN = "7000001:AAE-bench-ui-token"
#: The cases' first messages spread over this long before the anchor: with the
#: default 10 min first-response target the queue shows every SLA state.
SPREAD = timedelta(minutes=40)
#: The stall measurement gives up on a sync that has not drained by then.
SYNC_TIMEOUT = 300.0


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


# -- the store ------------------------------------------------------------------------


def seed(path: Path, cases: int) -> datetime:
    """``cases`` open cases (one DM each) in a new SQLite file; returns the anchor."""
    anchor = datetime.now(UTC).replace(microsecond=0)
    store = Store.open(f"sqlite:///{path}", clock=lambda: anchor)
    try:
        account = store.add_account("telegram", f"{ACCOUNT_PREFIX}{int(anchor.timestamp())}")
        step = SPREAD / cases
        texts = ("Where is my order #{n}? Tracking has not moved for five days.",
                 "Списали деньги дважды за заказ №{n}, верните, пожалуйста.",
                 "Mình đổi mật khẩu rồi mà vẫn không đăng nhập được ({n}).",
                 "The app crashes when I pay by card, Android 14, order {n}.")
        for first in range(0, cases, BATCH):
            batch = [
                IncomingMessage(
                    external_id=f"m{i}", thread_key=f"dm:{i}", direction=Direction.INBOUND,
                    kind=MessageKind.DM, text=texts[i % len(texts)].format(n=10_000 + i),
                    created_at=anchor - SPREAD + step * i, author_id=f"u{i}",
                    author_name=f"Customer {i}",
                )
                for i in range(first, min(cases, first + BATCH))
            ]
            store.ingest(account.id, "updates", batch, cursor=str(first + len(batch)))
        # A desk that has been running has recorded the warnings and breaches so far.
        store.record_sla_alerts()
    finally:
        store.close()
    return anchor


def seeded(cache: Path, cases: int) -> tuple[Path, datetime]:
    """The cached seeded file (made if missing or of another size) and its anchor."""
    if cache.exists():
        store = Store.open(f"sqlite:///{cache}")
        try:
            names = [a.name for a in store.accounts() if a.name.startswith(ACCOUNT_PREFIX)]
            count = len(store.queue_ids())
        finally:
            store.close()
        if names and count == cases:
            return cache, datetime.fromtimestamp(int(names[0][len(ACCOUNT_PREFIX):]), UTC)
        cache.unlink()
    t0 = time.perf_counter()
    tmp = cache.with_suffix(".tmp")
    for stale in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        stale.unlink(missing_ok=True)
    anchor = seed(tmp, cases)
    tmp.rename(cache)
    print(f"(seeded {cases:,} cases in {time.perf_counter() - t0:.1f} s into {cache})")
    return cache, anchor


class Clock:
    """The bench's store clock: the seed's anchor plus an offset the bench moves."""

    def __init__(self, anchor: datetime) -> None:
        self.at = anchor

    def __call__(self) -> datetime:
        return self.at


# -- painting ---------------------------------------------------------------------------


class PaintWatch(QObject):
    """Counts paint events of a widget (an event filter: sees each one as it starts)."""

    def __init__(self, widget: Any) -> None:
        super().__init__(widget)
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def wait_painted(app: QApplication, watch: PaintWatch, before: int = 0,
                 timeout: float = 30.0) -> None:
    """Process events until ``watch`` saw a paint after ``before`` (the paint that
    starts inside one ``processEvents`` also ends in it)."""
    deadline = time.perf_counter() + timeout
    while watch.count <= before:
        app.processEvents()
        if time.perf_counter() > deadline:
            raise TimeoutError("no paint")


class TrivialModel(QAbstractTableModel):
    """The baseline: ``rows`` × 8 cells of short constant-time text."""

    def __init__(self, rows: int) -> None:
        super().__init__()
        self.rows = rows

    def rowCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008,N802
        return 0 if parent.isValid() else self.rows

    def columnCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008,N802
        return 0 if parent.isValid() else len(Column)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{index.row()}:{index.column()}"
        return None


def scroll_frames(app: QApplication, table: QTableView, pages: int) -> list[float]:
    """Seconds per synchronous full repaint after scrolling one page down, ``pages`` times."""
    bar = table.verticalScrollBar()
    bar.setValue(0)
    app.processEvents()
    step = max(1, bar.pageStep())
    frames = []
    for i in range(1, pages + 1):
        bar.setValue(min(bar.maximum(), i * step))
        t0 = time.perf_counter()
        table.viewport().repaint()
        frames.append(time.perf_counter() - t0)
    return frames


def bare_table(rows: int, like: QTableView) -> QTableView:
    table = QTableView()
    table.setModel(TrivialModel(rows))
    table.verticalHeader().hide()
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.verticalHeader().setDefaultSectionSize(like.verticalHeader().defaultSectionSize())
    for column in range(len(Column)):
        table.horizontalHeader().resizeSection(column, like.horizontalHeader().sectionSize(column))
    table.resize(like.size())
    return table


# -- the in-process figures --------------------------------------------------------------


def window_figures(app: QApplication, db: Path, anchor: datetime, pages: int,
                   ticks: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    clock = Clock(anchor)
    store = Store.open(f"sqlite:///{db}", clock=clock)
    rss_before = rss_mb()
    try:
        # first paint of the real window
        t0 = time.perf_counter()
        service = QueueService(store, "bench")
        window = MainWindow(service, "Bench", agent="bench", settings=None)
        window.resize(*SIZE)
        built = time.perf_counter()
        watch = PaintWatch(window.table.viewport())
        window.show()
        wait_painted(app, watch)
        out["first_paint_s"] = time.perf_counter() - t0
        out["first_paint_build_s"] = built - t0
        out["rows"] = window.model.rowCount()
        window.tick_timer.stop()  # the bench drives the clock

        t = time.perf_counter()
        for _ in range(5):
            service.case_ids("open")
        out["case_ids_s"] = (time.perf_counter() - t) / 5
        t = time.perf_counter()
        for _ in range(5):
            service.view_counts()
        out["view_counts_s"] = (time.perf_counter() - t) / 5
        t = time.perf_counter()
        for _ in range(3):
            window.refresh()
            app.processEvents()
        out["refresh_s"] = (time.perf_counter() - t) / 3

        # scroll: the queue and the bare baseline, interleaved in the same run
        bare = bare_table(window.model.rowCount(), window.table)
        bare.show()
        app.processEvents()
        queue_frames: list[float] = []
        bare_frames: list[float] = []
        for _ in range(2):
            queue_frames += scroll_frames(app, window.table, pages)
            bare_frames += scroll_frames(app, bare, pages)
        out["scroll_queue"] = queue_frames
        out["scroll_bare"] = bare_frames
        bare.close()
        bare.deleteLater()

        # the SLA tick, one store second per tick
        window.table.verticalScrollBar().setValue(0)
        app.processEvents()
        watch_before = watch.count
        tick_times: list[float] = []

        def one_tick() -> None:
            clock.at += timedelta(seconds=1)
            t = time.perf_counter()
            window.tick()
            app.processEvents()  # the repaint the tick asked for
            tick_times.append(time.perf_counter() - t)

        # As in the app, on the qasync loop and from a timer callback (not inside a
        # task): the counts the window re-reads every few ticks are read on the queue
        # service's reader thread.
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        try:
            for i in range(ticks):
                loop.call_later(0.03 * (i + 1), one_tick)
            loop.run_until_complete(asyncio.sleep(0.03 * ticks + 0.5))  # the last read lands
        finally:
            loop.close()
            asyncio.set_event_loop(None)
        service.close()
        out["tick"] = tick_times
        out["tick_paints"] = watch.count - watch_before
        out["rss_mb"] = rss_mb()
        out["rss_before_mb"] = rss_before
        window.close()
        window.deleteLater()
        app.processEvents()
    finally:
        store.close()
    return out


# -- the stall during a sync ----------------------------------------------------------


def sync_stall(app: QApplication, db: Path, items: int, with_window: bool) -> dict[str, Any]:
    """The longest gap between 5 ms timer ticks while ``items`` DMs sync."""


    from smm_desk.services.sync import SyncService
    from smm_desk.sim.telegram import TelegramSim
    from smm_desk.sim.transport import SimTransport
    from smm_desk.sim.world import SimWorld
    from smm_desk.sync.engine import default_factory

    store = Store.open(f"sqlite:///{db}")
    # A running desk records warnings and breaches as cases cross them; the seeded
    # file may be older than its clocks, so catch up before timing (untimed).
    store.record_sla_alerts()
    world = SimWorld(max_poll_wait=1.0)
    telegram = TelegramSim(world)
    world.add(telegram)
    telegram.add_account(SIM_TOKEN, "bench_ui_bot")
    store.add_account("telegram", "bench_ui_bot", base_url=SIM_URL)
    start = datetime.now(UTC) - timedelta(minutes=5)
    for i in range(items):
        telegram.inject_dm(SIM_TOKEN, str(900_000_000 + i), f"Sync customer {i}",
                           f"Message {i} arriving during the bench", start)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    sync = SyncService(store, factory=default_factory(transport=SimTransport(world)),
                       tokens=lambda _id: SIM_TOKEN, poll_wait=1.0, idle_interval=1.0)
    window = None
    refreshes: list[float] = []
    if with_window:
        service = QueueService(store, "bench")
        window = MainWindow(service, "Bench", agent="bench", settings=None, sync=sync)
        window.resize(*SIZE)
        real_apply = window._apply_ids

        def timed_apply(ids: list[int]) -> None:
            # The UI thread's share of a refresh (the read runs on the reader thread).
            t = time.perf_counter()
            real_apply(ids)
            refreshes.append(time.perf_counter() - t)

        window._apply_ids = timed_apply  # type: ignore[method-assign]
        # Open, as the app has it when sync starts (gui.after_first_paint): the
        # first paint is "time to the first painted queue", not a stall of the sync.
        window.show()
        wait_painted(app, PaintWatch(window.table.viewport()))
    gaps: list[float] = []
    last = [time.perf_counter()]

    def beat() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(5)
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.timeout.connect(beat)
    elapsed = QElapsedTimer()

    async def main() -> float:
        elapsed.start()
        timer.start()
        last[0] = time.perf_counter()
        sync.start()
        deadline = time.perf_counter() + SYNC_TIMEOUT
        while telegram.pending_updates(SIM_TOKEN) > 0:  # noqa: ASYNC110 - polls a thread-safe sim
            if time.perf_counter() > deadline:
                print(f"(the sync did not drain in {SYNC_TIMEOUT:.0f} s: "
                      f"{telegram.pending_updates(SIM_TOKEN)} updates left)")
                break
            await asyncio.sleep(0.05)
        took = elapsed.elapsed() / 1000
        await asyncio.sleep(2.5)  # the poller's next activity and the window's refresh
        timer.stop()
        await sync.aclose()
        return took

    try:
        took = loop.run_until_complete(main())
    finally:
        if window is not None:
            window.close()
            window.deleteLater()
        app.processEvents()
        loop.close()
        asyncio.set_event_loop(None)
        store.close()
    return {"gaps": gaps, "took_s": took, "refreshes": refreshes}


# -- cold start ------------------------------------------------------------------------

BARE_WINDOW = """
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.resize(1280, 800)
class Quit(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            print("painted", flush=True)
            app.quit()
        return False
quit_on_paint = Quit()
window.installEventFilter(quit_on_paint)
window.show()
app.exec()
"""

DESK_WINDOW = """
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from smm_desk.app.gui import application, build_desk, run_desk, run_loop
from smm_desk.store.window_store import open_for_window
app = application()
store = open_for_window(sys.argv[1])  # as the app opens it (app/gui.py run)
desk = build_desk(store, workspace="Inbox", agent="bench", settings=None, tokens=lambda _i: None)
def ready():
    # The store behind the first window loaded and sync started (both after the paint).
    if getattr(store, "loaded", True) and desk.sync.running():
        print("ready", flush=True)
        desk.window.close()
    else:
        QTimer.singleShot(2, ready)
class Quit(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and not self.done:
            self.done = True
            print("painted", flush=True)
            QTimer.singleShot(0, ready)
        return False
quit_on_paint = Quit()
quit_on_paint.done = False
desk.window.table.viewport().installEventFilter(quit_on_paint)
run_loop(app, run_desk(desk), desk.window.close)
desk.dispose()
store.close()
"""


def cold_start(runs: int) -> dict[str, list[float]]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    # Byte-code as an installed copy has it (pip and the bundle ship .pyc files): the
    # warm-up runs write it, into the temporary directory rather than the source tree,
    # even where PYTHONDONTWRITEBYTECODE is set; without this such an environment times
    # compiling ~100 of the desk's modules from source on every run, which no start of
    # the installed app does (the bare window's PySide6 is compiled either way).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    out: dict[str, list[float]] = {"bare": [], "desk": [], "demo": [], "ready": []}
    with tempfile.TemporaryDirectory() as tmp:
        env["SMM_DESK_DATA_DIR"] = tmp
        env["PYTHONPYCACHEPREFIX"] = f"{tmp}/pycache"
        commands: dict[str, list[str]] = {
            "bare": [sys.executable, "-c", BARE_WINDOW],
            "desk": [sys.executable, "-c", DESK_WINDOW, f"sqlite:///{tmp}/empty.db"],
            "demo": [sys.executable, "-m", "smm_desk", "--data-dir", tmp, "demo",
                     "--screenshot", f"{tmp}/shot.png", "--after", "0"],
        }
        for name in ("bare", "desk"):  # warm the OS file cache once
            subprocess.run(commands[name], env=env, check=True, capture_output=True)
        for _ in range(runs):
            for name, command in commands.items():
                # Process start to the window's first paint (the line "painted"); the
                # demo prints none, so its figure runs to the process's end.
                t0 = time.perf_counter()
                proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
                assert proc.stdout is not None
                painted = ready = None
                for line in proc.stdout:
                    if line.strip() == "painted":
                        painted = time.perf_counter() - t0
                    elif line.strip() == "ready":
                        ready = time.perf_counter() - t0
                        break
                _, err = proc.communicate()
                if ready is not None:
                    out["ready"].append(ready)
                out[name].append(painted if painted is not None else time.perf_counter() - t0)
                if proc.returncode != 0:
                    raise RuntimeError(f"{name} failed: {err[-2000:]}")
    return out


# -- the report --------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def spread(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (f"mean {ms(statistics.fmean(values))}, median {ms(statistics.median(values))}, "
            f"p95 {ms(p95)}, max {ms(max(values))}")


def report(line: str, figure: str, target: str | None = None, ok: bool | None = None) -> None:
    tail = f"  [target {target}: {verdict(bool(ok))}]" if target is not None else ""
    print(f"{line:<44} {figure}{tail}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--sync-items", type=int, default=10_000)
    parser.add_argument("--cache", type=Path)
    parser.add_argument("--pages", type=int, default=60, help="scroll frames per pass")
    parser.add_argument("--ticks", type=int, default=45, help="SLA ticks (store seconds)")
    parser.add_argument("--cold-runs", type=int, default=7,
                        help="start-ups of each kind, interleaved, medians compared (default "
                             "7: this machine's speed drifts between runs)")
    parser.add_argument("--skip-sync", action="store_true")
    parser.add_argument("--skip-cold", action="store_true")
    args = parser.parse_args(argv)

    # Keyed by schema revision: a cache written by an older schema is never reused.
    from smm_desk.store.database import head_revision

    cache = args.cache or Path(tempfile.gettempdir()) / (
        f"smm-desk-bench-ui-{args.cases}-{head_revision()}.db")
    db, anchor = seeded(cache, args.cases)
    from smm_desk.app.gui import garbage_collected_on_gui_thread, gil_handed_over_often

    app = QApplication.instance() or QApplication(["bench-ui"])
    assert isinstance(app, QApplication)
    print(f"SMM Desk window benchmark: {args.cases:,} open cases, SQLite, "
          f"{os.environ.get('QT_QPA_PLATFORM')} platform, window {SIZE[0]}x{SIZE[1]}")

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "bench.db"
        shutil.copyfile(db, work)
        w = window_figures(app, work, anchor, args.pages, args.ticks)
        report("rows in the queue", f"{w['rows']:,}")
        report("time to the first painted queue", f"{ms(w['first_paint_s'])} "
               f"(of which building the window {ms(w['first_paint_build_s'])})")
        report("  queue ids (one query, 100k)", ms(w["case_ids_s"]))
        report("  sidebar counts (view_counts)", ms(w["view_counts_s"]))
        report("  window refresh (ids + counts + relayout)", ms(w["refresh_s"]))
        queue_frame = statistics.median(w["scroll_queue"])
        bare_frame = statistics.median(w["scroll_bare"])
        ratio = queue_frame / bare_frame
        report("scroll repaint per frame, queue", spread(w["scroll_queue"]))
        report("scroll repaint per frame, bare QTableView", spread(w["scroll_bare"]))
        report("scroll ratio (medians)", f"{ratio:.2f}x", "<= 1.5x", ratio <= 1.5)
        tick_mean = statistics.fmean(w["tick"])
        report("UI-thread time per SLA tick", f"{spread(w['tick'])} "
               f"({w['tick_paints']} paints in {len(w['tick'])} ticks)",
               "<= 2 ms (mean)", tick_mean <= 0.002)
        report(f"resident memory, {w['rows']:,}-case queue loaded", f"{w['rss_mb']:.0f} MB "
               f"(before the window: {w['rss_before_mb']:.0f} MB)",
               "<= 300 MB", w["rss_mb"] <= 300)

    if not args.skip_sync:
        for with_window in (True, False):
            with tempfile.TemporaryDirectory() as tmp:
                work = Path(tmp) / "bench.db"
                shutil.copyfile(db, work)
                # As the app runs: cyclic GC only on the GUI thread, the GIL handed
                # over every millisecond (app/gui.py, run_loop).
                with garbage_collected_on_gui_thread(app), gil_handed_over_often():
                    s = sync_stall(app, work, args.sync_items, with_window)
            gaps = s["gaps"]
            longest = max(gaps)
            over = sum(1 for g in gaps if g > 0.05)
            label = "with the window" if with_window else "engine only"
            report(f"longest UI stall, {args.sync_items:,}-item sync, {label}",
                   f"{ms(longest)} (sync {s['took_s']:.1f} s; {over} gaps > 50 ms; "
                   f"p99 gap {ms(sorted(gaps)[int(len(gaps) * 0.99)])})",
                   "<= 50 ms", longest <= 0.05)
            if s["refreshes"]:
                report("  UI-thread share of the queue refreshes on activity",
                       f"{len(s['refreshes'])}, {spread(s['refreshes'])}")

    if not args.skip_cold:
        c = cold_start(args.cold_runs)
        bare = statistics.median(c["bare"])
        desk = statistics.median(c["desk"])
        demo = statistics.median(c["demo"])
        report("cold start to the first paint, bare PySide6 window",
               f"{bare:.2f} s (median of {args.cold_runs})")
        report("cold start to the first paint, desk on an empty database",
               f"{desk:.2f} s = {desk / bare:.2f}x",
               "<= 3x", desk / bare <= 3)
        if c["ready"]:
            report("  then: store loaded and sync started (after the paint, off the "
                   "window's thread for the store)",
                   f"{statistics.median(c['ready']):.2f} s")
        report("demo --screenshot --after 0, whole process", f"{demo:.2f} s = {demo / bare:.2f}x "
               "(seeds the demo workspace first)")


if __name__ == "__main__":
    main()
