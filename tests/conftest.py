"""Shared fixtures.

* Every test runs with an in-memory keyring: nothing touches the real one.
* ``db_url`` is parametrized over SQLite (a file in tmp_path) and PostgreSQL
  (the throwaway server ``scripts/test`` starts, URL in SMM_DESK_TEST_PG_URL).
  Each PostgreSQL test gets its own schema, dropped afterwards. Without the
  variable the PostgreSQL half is skipped locally, but under CI a missing
  server is a failure, not a skip.
* No test may reach the network: sockets to anything but loopback fail.
"""

from __future__ import annotations

import gc
import os
import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.support.memory_keyring import MemoryKeyring

PG_URL = os.environ.get("SMM_DESK_TEST_PG_URL")


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: object) -> object:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and self.family in (socket.AF_INET, socket.AF_INET6):
        if not (host.startswith("127.") or host in ("::1", "localhost")):
            raise RuntimeError(f"test tried to reach the network: {address!r}")
    return _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def collect_qt_garbage_on_the_main_thread(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a Qt test, collect reference cycles here, on the GUI thread.

    Otherwise a later test's worker thread (the sync engine's DbWorker) may be
    the one whose allocation triggers the collection, and Qt objects destroyed
    off the GUI thread crash the process ("Timers cannot be stopped from
    another thread", then a segfault in the next processEvents)."""
    yield
    if "qtbot" in request.fixturenames or "qapp" in request.fixturenames:
        from PySide6.QtCore import QCoreApplication, QEvent

        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        gc.collect()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture(autouse=True)
def log_dir(tmp_path_factory: pytest.TempPathFactory,
            monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test's log files in a temp folder, never the user's data folder."""
    path = tmp_path_factory.mktemp("logs")
    monkeypatch.setenv("SMM_DESK_LOG_DIR", str(path))
    return path


@pytest.fixture(autouse=True)
def no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


def _pg_schema_url(base: str) -> Iterator[str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(base).set(drivername="postgresql+psycopg"))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).set(drivername="postgresql+psycopg")
    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/desk.db"
        return
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("SMM_DESK_TEST_PG_URL is not set: scripts/test must start PostgreSQL")
        pytest.skip("no PostgreSQL (run through scripts/test)")
    yield from _pg_schema_url(PG_URL)


@pytest.fixture
def mail_server() -> dict[str, str]:
    """The throwaway Dovecot (IMAP + LMTP on loopback) that scripts/mail_throwaway.sh
    starts, as its SMM_DESK_TEST_* variables. Skipped without it locally; under CI a
    missing server is a failure, like PostgreSQL's."""
    names = ("SMM_DESK_TEST_IMAP", "SMM_DESK_TEST_LMTP", "SMM_DESK_TEST_MAIL_PASSWD",
             "SMM_DESK_TEST_MAIL_PASSWORD", "SMM_DESK_TEST_MAIL_DOMAIN")
    values = {name: os.environ.get(name, "") for name in names}
    if not all(values.values()):
        why = os.environ.get("SMM_DESK_TEST_MAIL_MISSING") or (
            "no Dovecot: run through scripts/test (scripts/mail_throwaway.sh)")
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    return values


class FakeClock:
    """A settable clock for the store (aware UTC)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
