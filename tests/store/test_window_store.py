"""The first window's plain reads (store/window_store.py) answer exactly as the store.

Every read the window store does itself is compared with the real store's on
the same SQLite file, at the same instant, over a workspace with cases in every
state a view cares about; then the hand-over to the real store, the databases
it refuses, and that it imports no SQLAlchemy.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from smm_desk.domain.records import AccountStatus
from smm_desk.store.api import Store
from smm_desk.store.database import Database
from smm_desk.store.queue_filter import FIXED_VIEWS, QueueFilter, filter_for
from smm_desk.store.window_store import WindowStore, open_for_window
from tests.conftest import FakeClock
from tests.store.test_queue_views import workspace  # noqa: F401 - the shared workspace
from tests.support.factories import inbound


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path}/desk.db"


@pytest.fixture
def store(url: str, clock: FakeClock) -> Iterator[Store]:
    s = Store(Database.open(url), clock)
    s.save_rules([])
    yield s
    s.close()


@pytest.fixture
def window(url: str, clock: FakeClock, workspace: dict[str, int],  # noqa: F811
           store: Store) -> Iterator[WindowStore]:
    mastodon = store.add_account("mastodon", "@shop@social", base_url="https://social.example",
                                 options={"visibility": "unlisted"})
    store.set_account_status(mastodon.id, AccountStatus.RATE_LIMITED, "429",
                             clock.now + timedelta(minutes=3))
    store.add_department("Press", timedelta(minutes=30))
    with sqlite3.connect(url.removeprefix("sqlite:///")) as c:  # no Store method writes these
        c.execute("INSERT INTO templates (name, body, department_id) SELECT 'Thanks', "
                  "'Thank you, {customer}!', id FROM departments WHERE name = 'Billing'")
        c.execute("INSERT INTO templates (name, body) VALUES ('Hello', 'Hello {customer}')")
    store.ingest(mastodon.id, "notifications", [
        inbound("mm-1", clock.now - timedelta(seconds=30), text="<b>hi</b> 👋 مرحبا",
                thread="comment:p1:ann", author="ann")], None)
    opened = WindowStore.try_open(url, clock)
    assert opened is not None
    yield opened
    opened.close()


def test_every_plain_read_equals_the_store(window: WindowStore, store: Store,
                                           clock: FakeClock) -> None:
    departments = store.departments()
    keys = [*FIXED_VIEWS, *(f"department:{d.id}" for d in departments),
            *(f"network:{n}" for n in ("telegram", "vk", "mastodon", "x"))]
    for minutes in (0, 4, 11, 40):  # the SLA state and "breaching" move with the clock
        clock.now += timedelta(minutes=minutes)
        for agent in ("kim", "lee", "nobody"):
            for key in keys:
                view = filter_for(key, agent)
                assert window.queue_ids(view) == store.queue_ids(view), (key, agent)
            assert window.view_counts(agent) == store.view_counts(agent)
        assert window.queue_ids() == store.queue_ids()
        everything = store.queue_ids(QueueFilter(statuses=(
            "new", "open", "waiting_department", "waiting_customer", "resolved", "spam")))
        assert len(everything) > 8
        some = tuple(everything[::2])
        assert window.queue_ids(QueueFilter(case_ids=some)) == store.queue_ids(
            QueueFilter(case_ids=some))
        assert window.queue_ids(QueueFilter(case_ids=())) == []
        wanted = [*everything, 999_999]
        assert sorted(window.cases_by_id(wanted), key=lambda c: c.id) == sorted(
            store.cases_by_id(wanted), key=lambda c: c.id)
    assert window.case_networks() == store.case_networks()
    assert window.accounts() == store.accounts()
    assert any(a.retry_at is not None and a.options for a in window.accounts())
    assert window.departments() == departments
    assert window.templates() == store.templates()
    assert not window.loaded  # none of that needed the real store


def test_anything_else_opens_the_real_store_and_every_read_follows(
        window: WindowStore, store: Store, workspace: dict[str, int]) -> None:  # noqa: F811
    case_id = workspace["breached"]
    assert window.case(case_id) == store.case(case_id)  # not a plain read: the real store
    assert window.loaded
    assert window._plain is None  # the plain connection is closed once the store is open
    assert window.queue_ids() == store.queue_ids()
    assert window.view_counts("kim") == store.view_counts("kim")
    # Writes go through the real store and the plain reads see them (they are its reads now).
    window.resolve(case_id, "kim")
    assert case_id not in window.queue_ids()
    assert window.full() is window.full()


def test_databases_the_window_store_leaves_to_the_real_store(tmp_path: Path,
                                                            clock: FakeClock) -> None:
    missing = f"sqlite:///{tmp_path}/none.db"
    assert WindowStore.try_open(missing, clock) is None
    assert WindowStore.try_open("sqlite://", clock) is None
    assert WindowStore.try_open("postgresql://u@localhost/desk", clock) is None
    old = tmp_path / "old.db"
    with sqlite3.connect(old) as c:  # a schema a migration must bring up first
        c.execute("CREATE TABLE alembic_version (version_num TEXT)")
        c.execute("INSERT INTO alembic_version VALUES ('0007_something')")
    assert WindowStore.try_open(f"sqlite:///{old}", clock) is None
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database at all" * 100)
    assert WindowStore.try_open(f"sqlite:///{garbage}", clock) is None
    # open_for_window gives the real store there, which creates and migrates.
    real = open_for_window(missing, clock)
    try:
        assert isinstance(real, Store)
    finally:
        real.close()
    window = open_for_window(missing, clock)  # now at the newest revision
    try:
        assert isinstance(window, WindowStore)
        assert window.queue_ids() == []
        assert window.view_counts("kim")["open"] == 0
    finally:
        window.close()


def test_the_plain_connection_never_writes(window: WindowStore) -> None:
    assert window._plain is not None
    with pytest.raises(sqlite3.OperationalError):
        window._plain.execute("DELETE FROM cases")


def test_the_first_window_needs_no_sqlalchemy(url: str, store: Store) -> None:
    code = (
        "import sys\n"
        "from datetime import UTC, datetime\n"
        "from smm_desk.store.window_store import open_for_window\n"
        f"s = open_for_window({url!r}, lambda: datetime.now(UTC))\n"
        "s.queue_ids(); s.view_counts('kim'); s.accounts(); s.departments(); s.templates()\n"
        "s.case_networks(); s.cases_by_id([1, 2])\n"
        "print(type(s).__name__, any(m.startswith('sqlalchemy') for m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.split() == ["WindowStore", "False"]


def test_a_failing_plain_read_is_a_store_error(window: WindowStore) -> None:
    from smm_desk.store.errors import StoreError

    assert window._plain is not None
    window._plain.execute("PRAGMA query_only=0")
    window._plain.execute("ALTER TABLE templates RENAME TO gone")  # another program's doing
    with pytest.raises(StoreError, match="cannot use database .*no such table: templates"):
        window.templates()
    assert window.accounts()  # the connection is still usable
