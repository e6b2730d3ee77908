"""Opening a database: URL resolution, engine set-up, migration on open.

Default: one SQLite file, ``smm-desk.db`` in the platformdirs user data
directory (or ``--data-dir`` / ``SMM_DESK_DATA_DIR``), created with mode 0600
because it holds customers' messages, in WAL mode with foreign keys on. Any
SQLAlchemy URL works through ``--db`` / ``SMM_DESK_DB``; ``postgresql://`` is
taken to mean psycopg 3.

Opening always upgrades the schema to the newest Alembic revision, so a desk
that was updated never runs against an old schema. A database written by a
newer SMM Desk (an unknown revision) is refused rather than guessed at.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from smm_desk.store.errors import (
    BadDatabaseUrl,
    DatabaseLocked,
    DatabaseUnavailable,
    MigrationFailed,
    StoreError,
)
from smm_desk.store.location import (  # re-exported
    APP_NAME as APP_NAME,
)
from smm_desk.store.location import (
    DB_FILENAME as DB_FILENAME,
)
from smm_desk.store.location import (
    HEAD_REVISION as HEAD_REVISION,
)
from smm_desk.store.location import (
    default_data_dir as default_data_dir,
)
from smm_desk.store.location import (
    resolve_url as resolve_url,
)

MIGRATIONS = Path(__file__).with_name("migrations")
log = logging.getLogger("smm_desk.store")


def parse_url(text: str) -> URL:
    try:
        url = make_url(text)
    except ArgumentError as exc:
        raise BadDatabaseUrl(f"not a database URL: {safe_url(text)!r}") from exc
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise BadDatabaseUrl(
            f"unsupported database {url.get_backend_name()!r}: use sqlite:///FILE or postgresql://…"
        )
    return url


def safe_url(url: URL | str) -> str:
    """The URL as it may appear in messages and logs: password hidden."""
    if isinstance(url, str):
        try:
            url = make_url(url)
        except ArgumentError:
            return "<unparseable database URL>"
    return url.render_as_string(hide_password=True)


def _prepare_sqlite_file(url: URL) -> None:
    path = url.database
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    file = Path(path).expanduser()
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        # Create it ourselves so it is born private (0600): it holds customers' messages.
        fd = os.open(file, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(fd)
    except OSError as exc:
        raise DatabaseUnavailable(f"cannot create database file {file}: {exc.strerror}") from None


def _sqlite_pragmas(busy_timeout_ms: int) -> Callable[[sqlite3.Connection, Any], None]:
    def on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return on_connect


def create_store_engine(url_text: str, busy_timeout_ms: int = 5000) -> Engine:
    url = parse_url(url_text)
    if url.get_backend_name() == "sqlite":
        _prepare_sqlite_file(url)
        # The sync engine runs database work on one worker thread while the GUI
        # reads on the main thread; the pool hands a connection to one thread at
        # a time, so sqlite3's same-thread check only gets in the way.
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_ms))
        # pysqlite's own transaction handling defers BEGIN; take it over so
        # every session begins immediately and a batch is really one transaction.
        event.listen(engine, "connect", _sqlite_no_autobegin)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})


def _sqlite_no_autobegin(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    dbapi_connection.isolation_level = None


#: Set by Database.transaction(): a writing transaction on SQLite takes the
#: write lock at BEGIN (IMMEDIATE), so it waits on busy_timeout instead of
#: failing half-way when it upgrades from reader to writer. Reads stay deferred.
_WRITE_INTENT: ContextVar[bool] = ContextVar("smm_desk_write_intent", default=False)


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if _WRITE_INTENT.get() else "BEGIN")




def alembic_config(connection: Any | None = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def current_revision(engine: Engine) -> str | None:
    """The schema revision stamped in the database (None: a new database)."""
    with engine.connect() as conn:
        if not sa_inspect(conn).has_table("alembic_version"):
            return None
        row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
        return None if row is None else str(row[0])


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision (one transaction where the engine allows)."""
    try:
        current = current_revision(engine)
    except OperationalError as exc:
        raise translate_error(exc, engine.url) from None
    if current == HEAD_REVISION:
        return
    from alembic import command
    from alembic.script import ScriptDirectory

    head = head_revision()
    known = {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if current is not None and current not in known:
        raise MigrationFailed(
            f"database {safe_url(engine.url)} was written by a newer SMM Desk "
            f"(schema revision {current}); update the app"
        )
    log.info("upgrading the schema of %s from %s to %s", safe_url(engine.url),
             current or "nothing", head)
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "head")
    except StoreError:
        raise
    except DBAPIError as exc:
        err = translate_error(exc, engine.url)
        if isinstance(err, DatabaseLocked | DatabaseUnavailable):
            raise err from None
        raise MigrationFailed(f"schema upgrade failed on {safe_url(engine.url)}: {err}") from None
    except Exception as exc:  # noqa: BLE001 - any failure here must become one clear line
        raise MigrationFailed(
            f"schema upgrade failed on {safe_url(engine.url)}: {type(exc).__name__}: {exc}"
        ) from None


def translate_error(exc: DBAPIError, url: URL | str) -> StoreError:
    """Map a driver error onto the store's errors with one readable line."""
    text = str(exc.orig) if exc.orig is not None else str(exc)
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    lowered = first.lower()
    where = safe_url(url)
    if "locked" in lowered or "busy" in lowered:
        return DatabaseLocked(f"database {where} is locked by another program; try again")
    if isinstance(exc, OperationalError):
        return DatabaseUnavailable(f"cannot use database {where}: {first}")
    return StoreError(f"database error on {where}: {first}")


class Database:
    """An open, migrated database: the engine and a session factory.

    ``with db.transaction() as session:`` is the unit of work: it commits on
    success, rolls back on any exception and maps driver errors to StoreError.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @classmethod
    def open(cls, url_text: str, *, migrate: bool = True, busy_timeout_ms: int = 5000) -> Database:
        """Open (creating if needed) and migrate. ``busy_timeout_ms`` is how long
        SQLite waits for another writer before reporting the database locked."""
        engine = create_store_engine(url_text, busy_timeout_ms)
        try:
            if migrate:
                upgrade(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A writing unit of work: commit on success, roll back on any exception."""
        token = _WRITE_INTENT.set(True)
        try:
            with self._sessions.begin() as session:
                yield session
        except DBAPIError as exc:
            raise translate_error(exc, self.engine.url) from None
        finally:
            _WRITE_INTENT.reset(token)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only session (never commits)."""
        try:
            with self._sessions() as session:
                yield session
                session.rollback()
        except DBAPIError as exc:
            raise translate_error(exc, self.engine.url) from None

    def close(self) -> None:
        self.engine.dispose()
