"""Fast bulk inserts: one prepared statement, values converted once, one
``executemany`` through the driver.

SQLAlchemy's per-row bind processing costs more than SQLite itself when a batch
holds 100,000 messages, so the hot ingest path converts values here with the
same storage formats SQLAlchemy uses (checked by the round-trip tests):
SQLite keeps times as naive-UTC text ``YYYY-MM-DD HH:MM:SS.ffffff`` and JSON as
text; PostgreSQL takes aware datetimes and JSON through psycopg's adapter.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from psycopg.types.json import Json
from sqlalchemy import JSON, Table
from sqlalchemy.orm import Session

from smm_desk.store.models import UtcDateTime


def _sqlite_time(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not UTC:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime refused by the store: {value!r}")
        value = value.astimezone(UTC)
    # "YYYY-MM-DD HH:MM:SS.ffffff+00:00" without the offset: SQLAlchemy's format.
    return value.isoformat(sep=" ", timespec="microseconds")[:26]


def _pg_time(value: datetime | None) -> datetime | None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(f"naive datetime refused by the store: {value!r}")
    return value


def _json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _pg_json(value: Any) -> Any:
    return None if value is None else Json(value)


def _same(value: Any) -> Any:
    return value


def _converters(table: Table, columns: Sequence[str], dialect: str) -> list[Callable[[Any], Any]]:
    out: list[Callable[[Any], Any]] = []
    for name in columns:
        column_type = table.c[name].type
        if isinstance(column_type, UtcDateTime):
            out.append(_sqlite_time if dialect == "sqlite" else _pg_time)
        elif isinstance(column_type, JSON):
            if dialect == "sqlite":
                out.append(_json_text)
            else:
                out.append(_pg_json)
        else:
            out.append(_same)
    return out


def insert_many(session: Session, table: Table, rows: Sequence[dict[str, Any]],
                on_conflict_do_nothing: Sequence[str] = ()) -> None:
    """INSERT every row (all rows carry the same keys) in one executemany."""
    if not rows:
        return
    columns = list(rows[0])
    dialect = session.get_bind().dialect.name
    mark = "?" if dialect == "sqlite" else "%s"
    sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) "
           f"VALUES ({', '.join(mark for _ in columns)})")
    if on_conflict_do_nothing:
        sql += f" ON CONFLICT ({', '.join(on_conflict_do_nothing)}) DO NOTHING"
    getter = operator.itemgetter(*columns)
    params: list[Any] = [list(getter(row)) for row in rows] if len(columns) > 1 else [
        [getter(row)] for row in rows]
    for index, fn in enumerate(_converters(table, columns, dialect)):
        if fn is _same:
            continue
        for values in params:
            values[index] = fn(values[index])
    session.connection().exec_driver_sql(sql, [tuple(v) for v in params])
