"""Where the database is: the default file, ``--db`` / ``--data-dir``, and the
file behind a SQLite URL — without SQLAlchemy.

The desktop app, the log set-up and the first window's plain reads
(``window_store``) need these before SQLAlchemy is imported (issue #4's cold
start); ``database`` re-exports them for everything else.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote

import platformdirs

APP_NAME = "smm-desk"
DB_FILENAME = "smm-desk.db"
#: The newest schema revision (tests/store/test_database.py checks it against the
#: migration scripts). Opening a database already at it reads one row and never
#: imports Alembic, which costs a quarter of a second at every start.
HEAD_REVISION = "0010_reply_sender"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def resolve_url(db: str | None = None, data_dir: str | os.PathLike[str] | None = None) -> str:
    """The database URL from ``--db``, else a SQLite file in the data directory."""
    if db:
        return db
    directory = Path(data_dir) if data_dir else default_data_dir()
    return f"sqlite:///{directory / DB_FILENAME}"


def sqlite_file(url: str) -> str | None:
    """The file of a ``sqlite://`` URL as SQLAlchemy reads it (``make_url(url).database``),
    or ``None`` for anything that is not a plain SQLite file: another engine, an
    in-memory database, a ``file:`` URI, a URL with a host or that SQLAlchemy
    would refuse. ``None`` means "ask SQLAlchemy"; it is never a wrong answer."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in ("sqlite", "sqlite+pysqlite") or not rest.startswith("/"):
        return None
    path = rest[1:].partition("?")[0]
    if not path or path == ":memory:" or path.startswith("file:") or "#" in path:
        return None
    return unquote(path) if "%" in path else path
