"""Fast bulk statements: one prepared statement, values converted once, one
``executemany`` through the driver.

SQLAlchemy's per-row bind processing costs more than SQLite itself when a batch
holds 100,000 messages, so the hot ingest path converts values here with the
same storage formats SQLAlchemy uses (checked by the round-trip tests):
SQLite keeps times as naive-UTC text ``YYYY-MM-DD HH:MM:SS.ffffff`` and JSON as
text; PostgreSQL takes aware datetimes and JSON through psycopg's adapter.

For the same reason the ingest path's look-ups by key (``rows_in``) and its
small fixed statements (``run``) go to the driver as plain SQL: SQLAlchemy's
statement machinery costs ~0.3 ms a statement, more than SQLite needs to
answer. They only read plain columns (ids, keys, statuses), never times or
JSON, whose storage formats differ by engine.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Table
from sqlalchemy.orm import Session

from smm_desk.store.models import UtcDateTime

#: ``json.dumps(value, ensure_ascii=False)`` without building an encoder per call.
_encode_json = json.JSONEncoder(ensure_ascii=False).encode


def _sqlite_time(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not UTC:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime refused by the store: {value!r}")
        value = value.astimezone(UTC)
    # "YYYY-MM-DD HH:MM:SS.ffffff+00:00" without the offset: SQLAlchemy's format.
    return value.isoformat(sep=" ", timespec="microseconds")[:26]


def _sqlite_time_memo() -> Callable[[datetime | None], str | None]:
    """``_sqlite_time`` remembering its answers: a batch repeats the same few
    instants (the fetch time, a case's last message) in many rows and columns.
    Equal aware datetimes are the same instant, so they share one UTC text; a
    naive value never equals an aware key, so it still reaches the refusal."""
    memo: dict[datetime, str | None] = {}

    def convert(value: datetime | None) -> str | None:
        if value is None:
            return None
        if value in memo:
            return memo[value]
        text = memo[value] = _sqlite_time(value)
        return text

    return convert


def _pg_time(value: datetime | None) -> datetime | None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(f"naive datetime refused by the store: {value!r}")
    return value


def _json_text(value: Any) -> str | None:
    if value is None:
        return None
    if not value and type(value) is dict:
        return "{}"
    if not value and type(value) is list:
        return "[]"
    return _encode_json(value)


def pg_json(value: Any) -> Any:
    from psycopg.types.json import Json  # only on PostgreSQL: not at every start

    return None if value is None else Json(value)


def _converters(
    table: Table, columns: Sequence[str], dialect: str
) -> list[tuple[int, Callable[[Any], Any]]]:
    """(position, converter) for every column whose value needs converting."""
    out: list[tuple[int, Callable[[Any], Any]]] = []
    for index, name in enumerate(columns):
        column_type = table.c[name].type
        if isinstance(column_type, UtcDateTime):
            out.append((index, _sqlite_time_memo() if dialect == "sqlite" else _pg_time))
        elif isinstance(column_type, JSON):
            out.append((index, _json_text if dialect == "sqlite" else pg_json))
    return out


def _sql(session: Session, text: str) -> str:
    """``text`` with ``?`` marks, in the driver's own parameter style."""
    return text if session.get_bind().dialect.name == "sqlite" else text.replace("?", "%s")


def insert_rows(session: Session, table: Table, columns: Sequence[str],
                rows: Sequence[Sequence[Any]],
                on_conflict_do_nothing: Sequence[str] = ()) -> None:
    """INSERT every row (values in ``columns`` order) in one executemany."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    mark = "?" if dialect == "sqlite" else "%s"
    sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) "
           f"VALUES ({', '.join(mark for _ in columns)})")
    if on_conflict_do_nothing:
        sql += f" ON CONFLICT ({', '.join(on_conflict_do_nothing)}) DO NOTHING"
    converters = _converters(table, columns, dialect)
    session.connection().exec_driver_sql(sql, _params(rows, converters))


def _params(rows: Sequence[Sequence[Any]],
            converters: Sequence[tuple[int, Callable[[Any], Any]]]) -> list[tuple[Any, ...]]:
    """Each row as the driver's tuple, with the converted columns converted."""
    params: list[tuple[Any, ...]] = []
    for row in rows:
        if converters:
            values = list(row)
            for index, convert in converters:
                values[index] = convert(values[index])
            row = values
        params.append(tuple(row))
    return params


def insert_many(session: Session, table: Table, rows: Sequence[dict[str, Any]],
                on_conflict_do_nothing: Sequence[str] = ()) -> None:
    """INSERT every row (all rows carry the same keys) in one executemany."""
    if not rows:
        return
    columns = list(rows[0])
    getter = operator.itemgetter(*columns)
    values = [getter(row) for row in rows] if len(columns) > 1 else [
        (getter(row),) for row in rows]
    insert_rows(session, table, columns, values, on_conflict_do_nothing)


def update_rows(session: Session, table: Table, columns: Sequence[str],
                rows: Sequence[Sequence[Any]], key: str = "id") -> None:
    """UPDATE ``columns`` of the row whose ``key`` is each row's last value, in
    one executemany (values in ``columns`` order, then the key)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    mark = "?" if dialect == "sqlite" else "%s"
    sql = (f"UPDATE {table.name} SET {', '.join(f'{c} = {mark}' for c in columns)} "
           f"WHERE {key} = {mark}")
    converters = _converters(table, columns, dialect)
    session.connection().exec_driver_sql(sql, _params(rows, converters))


def rows_in(session: Session, sql: str, params: Sequence[Any],
            keys: Sequence[Any]) -> Iterator[Sequence[Any]]:
    """Rows of ``sql`` (``?`` marks, ending in ``IN``) for ``keys``, which the
    caller has cut into chunks small enough for one IN list."""
    if not keys:
        return iter(())
    text = _sql(session, f"{sql} ({', '.join('?' for _ in keys)})")
    return iter(session.connection().exec_driver_sql(text, (*params, *keys)).all())


def run(session: Session, sql: str, params: Sequence[Any]) -> Sequence[Sequence[Any]]:
    """One plain statement (``?`` marks); its rows when it returns any."""
    result = session.connection().exec_driver_sql(_sql(session, sql), tuple(params))
    return result.all() if result.returns_rows else ()


def db_time(session: Session, value: datetime) -> Any:
    """``value`` as ``run`` and ``rows_in`` must pass it to this engine."""
    if session.get_bind().dialect.name == "sqlite":
        return _sqlite_time(value)
    return _pg_time(value)
