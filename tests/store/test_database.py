"""Opening databases: file safety, pragmas, migrations, schema drift, errors."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from smm_desk.store.database import (
    HEAD_REVISION,
    Database,
    head_revision,
    parse_url,
    resolve_url,
)
from smm_desk.store.errors import BadDatabaseUrl, DatabaseLocked, MigrationFailed
from smm_desk.store.models import Base


def test_default_sqlite_file_is_private_wal_with_foreign_keys(tmp_path: Path) -> None:
    url = resolve_url(None, tmp_path / "data")
    db = Database.open(url)
    try:
        file = tmp_path / "data" / "smm-desk.db"
        assert file.exists()
        assert stat.S_IMODE(file.stat().st_mode) == 0o600
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        db.close()


def test_data_dir_default_uses_platformdirs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("platformdirs.user_data_dir", lambda *a, **k: str(tmp_path / "pd"))
    assert resolve_url(None, None) == f"sqlite:///{tmp_path / 'pd' / 'smm-desk.db'}"
    assert resolve_url("postgresql://x/y", tmp_path) == "postgresql://x/y"


def test_postgres_scheme_means_psycopg() -> None:
    assert parse_url("postgresql://u@h/db").drivername == "postgresql+psycopg"


@pytest.mark.parametrize("bad", ["not a url", "mysql://u@h/db", "://"])
def test_bad_urls_are_refused_with_one_line(bad: str) -> None:
    with pytest.raises(BadDatabaseUrl) as info:
        Database.open(bad)
    assert "\n" not in str(info.value)


def test_password_never_in_error_text() -> None:
    with pytest.raises(BadDatabaseUrl) as info:
        parse_url("mysql://user:s3cretpw@host/db")
    assert "s3cretpw" not in str(info.value)


def test_migrated_schema_matches_models(db_url: str) -> None:
    db = Database.open(db_url)
    try:
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, Base.metadata)
        # The search structures are created by the migration on purpose and
        # have no ORM mapping; anything else is drift.
        diff = [d for d in diff if "messages_fts" not in repr(d) and "text_tsv" not in repr(d)]
        assert diff == []
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn)
            assert ctx.get_current_revision() == head_revision()
    finally:
        db.close()


def test_reopening_is_idempotent_and_keeps_data(db_url: str) -> None:
    db = Database.open(db_url)
    with db.transaction() as s:
        s.execute(text("INSERT INTO departments (name, position) VALUES ('Legal', 9)"))
    db.close()
    db = Database.open(db_url)
    try:
        with db.reading() as s:
            names = set(s.execute(text("SELECT name FROM departments")).scalars())
        assert {"Support", "Billing", "Tech", "Sales", "PR/Crisis", "Legal"} <= names
    finally:
        db.close()


def test_database_from_a_newer_app_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/x.db"
    Database.open(url).close()
    with sqlite3.connect(tmp_path / "x.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    with pytest.raises(MigrationFailed, match="newer SMM Desk"):
        Database.open(url)


def test_locked_database_is_reported(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/x.db"
    Database.open(url).close()
    blocker = sqlite3.connect(tmp_path / "x.db", timeout=0, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        # WAL lets readers in while another program writes; writers wait, then give up.
        db = Database.open(url, busy_timeout_ms=50)
        with pytest.raises(DatabaseLocked, match="locked by another program"):
            with db.transaction() as s:
                s.execute(text("INSERT INTO departments (name, position) VALUES ('X', 1)"))
        db.close()
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


def test_unwritable_location_is_one_clear_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        blocked = Path("/proc/smm-desk-cannot-write/x.db")
    else:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        blocked = ro / "sub" / "x.db"
    from smm_desk.store.errors import StoreError

    with pytest.raises(StoreError) as info:
        Database.open(f"sqlite:///{blocked}")
    assert "\n" not in str(info.value)


def test_the_head_revision_constant_is_the_newest_migration() -> None:
    """Opening a current database skips Alembic on the strength of this constant."""
    assert HEAD_REVISION == head_revision()
