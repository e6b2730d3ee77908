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
answer. Their rows come back as the driver gives them: ids, keys and
statuses as they are, times and JSON in the engine's storage format, which
``readers`` turns into what the ORM would give (checked by the round-trip tests).

On SQLite even ``exec_driver_sql`` costs ~35 µs a statement (an execution
context, events, a result object) — more than most of these statements take —
so they run on a cursor of the session's own DBAPI connection, inside the
session's transaction; a driver error is raised as SQLAlchemy's ``DBAPIError``
like any other, so ``Database.transaction`` maps it the same way. PostgreSQL
statements go through ``exec_driver_sql`` (a network round trip dwarfs it).
"""

from __future__ import annotations

import json
import operator
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import JSON, Table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from smm_desk.store.models import UtcDateTime


def _json_encoder() -> Callable[[Any], str]:
    """``json.dumps(value, ensure_ascii=False)`` at a third of its cost per call.

    ``JSONEncoder.encode`` builds a new C encoder for every value (most of the
    time of a small dict); this builds the same C encoder once, with the
    encoder's own defaults (separators, NaN allowed, keys kept, a TypeError for
    what JSON cannot hold). Values here are fresh trees, never cyclic, so it
    skips the cycle markers. Pure-Python fallback where the C accelerator is
    missing. ``test_bulk`` checks it equals ``json.dumps`` on arbitrary JSON."""
    make = getattr(json.encoder, "c_make_encoder", None)
    plain = json.JSONEncoder(ensure_ascii=False)
    if make is None:  # pragma: no cover - CPython always has it
        return plain.encode
    encode = make(None, plain.default, json.encoder.encode_basestring, None, ": ", ", ",
                  False, False, True)

    def fast(value: Any) -> str:
        if type(value) is str:  # the C encoder wants a container or scalar; str is quick
            return json.encoder.encode_basestring(value)
        return "".join(encode(value, 0))

    return fast


_encode_json = _json_encoder()


def _sqlite_time(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not UTC:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime refused by the store: {value!r}")
        value = value.astimezone(UTC)
    # "YYYY-MM-DD HH:MM:SS.ffffff" (naive UTC): SQLAlchemy's format. isoformat
    # with keywords costs ~1.7 µs; a batch's times share their minute, so the
    # "YYYY-MM-DD HH:MM:" part is formatted once per minute and the rest by hand.
    minute = (value.year, value.month, value.day, value.hour, value.minute)
    prefix = _MINUTE_TEXT.get(minute)
    if prefix is None:
        if len(_MINUTE_TEXT) >= _TIME_TEXT_MAX:
            _MINUTE_TEXT.clear()
        prefix = _MINUTE_TEXT[minute] = value.isoformat(sep=" ", timespec="minutes")[:16] + ":"
    return f"{prefix}{value.second:02d}.{value.microsecond:06d}"


_MINUTE_TEXT: dict[tuple[int, int, int, int, int], str] = {}


#: UTC text of recent instants, shared by every bulk statement: a batch repeats
#: the same instants across tables (a message's time is its case's opened,
#: last-inbound and SLA start time) and columns (the fetch time). Equal aware
#: datetimes are the same instant, so they share one text; a naive value never
#: equals an aware key, so it still reaches the refusal. Bounded: cleared when
#: full (dict operations are atomic under the GIL, so threads may share it).
_TIME_TEXT: dict[datetime, str | None] = {}
_TIME_TEXT_MAX = 50_000


def _sqlite_time_cached(value: datetime | None) -> str | None:
    if value is None:
        return None
    text = _TIME_TEXT.get(value)
    if text is None:
        text = _sqlite_time(value)
        if len(_TIME_TEXT) >= _TIME_TEXT_MAX:
            _TIME_TEXT.clear()
        _TIME_TEXT[value] = text
        if type(value) is datetime and value.tzinfo is UTC and not value.fold:
            # Exactly what reading ``text`` back gives (``_sqlite_time_back``).
            if len(_TEXT_TIME) >= _TIME_TEXT_MAX:
                _TEXT_TIME.clear()
            assert text is not None  # value is not None
            _TEXT_TIME[text] = value
    return text


#: The reverse: written UTC text -> the aware UTC datetime it was written from,
#: which is what parsing it gives. The alert pass reads back, seconds later, the
#: thresholds ingest just wrote; a look-up spares each its parse. Bounded like
#: ``_TIME_TEXT``; only plain ``datetime`` values in ``UTC`` with ``fold`` 0 go in.
_TEXT_TIME: dict[str, datetime] = {}


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
            out.append((index, _sqlite_time_cached if dialect == "sqlite" else _pg_time))
        elif isinstance(column_type, JSON):
            out.append((index, _json_text if dialect == "sqlite" else pg_json))
    return out


def _sql(session: Session, text: str) -> str:
    """``text`` with ``?`` marks, in the driver's own parameter style."""
    return text if session.get_bind().dialect.name == "sqlite" else text.replace("?", "%s")


def _sqlite_driver(session: Session) -> sqlite3.Connection | None:
    """The session's sqlite3 connection for its current transaction (None on
    other engines). ``Session.connection()`` costs ~25 µs a call; a page of
    updates asks a dozen times, so the answer is kept for the transaction."""
    transaction = session.get_transaction()
    cached = session.info.get("smm_desk.driver")
    if transaction is not None and cached is not None and cached[0] is transaction:
        driver: sqlite3.Connection | None = cached[1]
        return driver
    connection = session.connection()  # begins the transaction if none is open
    driver = None
    if connection.dialect.name == "sqlite":
        driver = connection.connection.driver_connection
    session.info["smm_desk.driver"] = (session.get_transaction(), driver)
    return driver


def _execute(session: Session, sql: str, params: Any, many: bool = False) -> list[Any] | None:
    """Run ``sql`` in the session's transaction; its rows when it returns any."""
    dbapi = _sqlite_driver(session)
    if dbapi is None:
        connection = session.connection()
        if many:
            connection.exec_driver_sql(sql, params)
            return None
        result = connection.exec_driver_sql(sql, params)
        return list(result.all()) if result.returns_rows else None
    cursor = dbapi.cursor()
    try:
        if many:
            cursor.executemany(sql, params)
            return None
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description is not None else None
    except sqlite3.Error as exc:
        raise DBAPIError.instance(sql, params if not many else None, exc,
                                  sqlite3.Error) from exc
    finally:
        cursor.close()


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
    _execute(session, sql, _params(rows, converters), many=True)


def _params(rows: Sequence[Sequence[Any]],
            converters: Sequence[tuple[int, Callable[[Any], Any]]]) -> list[tuple[Any, ...]]:
    """Each row as the driver's tuple, with the converted columns converted.

    Column by column: a case row carries a dozen times, so per-value Python
    calls dominate. Times already in the shared cache (and NULLs) are looked up
    with ``map`` at C speed; only the misses call the converter."""
    if not converters or not rows:
        return [tuple(row) for row in rows]
    columns: list[Any] = list(zip(*rows, strict=True))
    for index, convert in converters:
        values = columns[index]
        if convert is _sqlite_time_cached:
            known = list(map(_TIME_TEXT.get, values))
            columns[index] = [
                text if text is not None or value is None else convert(value)
                for text, value in zip(known, values, strict=True)
            ]
        elif convert is _json_text:
            columns[index] = _json_column(values)
        else:
            columns[index] = list(map(convert, values))
    return list(zip(*columns, strict=True))


def _json_column(values: Sequence[Any]) -> list[str | None]:
    """``_json_text`` of each value, a value repeated by identity encoded once:
    a batch's routed cases share their decision's tags list, and its events a
    few payloads. Identity, not equality, so nothing can differ from encoding
    each (the rows keep every value alive while this runs, so ids stay unique)."""
    done: dict[int, str | None] = {}
    out: list[str | None] = []
    append = out.append
    for value in values:
        key = id(value)
        text = done.get(key)
        if text is None:
            text = done[key] = _json_text(value)
        append(text)
    return out


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
    _execute(session, sql, _params(rows, converters), many=True)


def rows_in(session: Session, sql: str, params: Sequence[Any],
            keys: Sequence[Any]) -> Iterator[Sequence[Any]]:
    """Rows of ``sql`` (``?`` marks, ending in ``IN``) for ``keys``, which the
    caller has cut into chunks small enough for one IN list."""
    if not keys:
        return iter(())
    text = _sql(session, f"{sql} ({', '.join('?' for _ in keys)})")
    return iter(_execute(session, text, (*params, *keys)) or ())


def run(session: Session, sql: str, params: Sequence[Any]) -> Sequence[Sequence[Any]]:
    """One plain statement (``?`` marks); its rows when it returns any."""
    return _execute(session, _sql(session, sql), tuple(params)) or ()


def _sqlite_time_back(value: Any) -> datetime:
    """A stored SQLite time (naive-UTC text, as ``UtcDateTime`` writes it) as aware UTC."""
    known = _TEXT_TIME.get(value) if type(value) is str else None
    if known is not None:
        return known
    if isinstance(value, str) and len(value) == 26:  # YYYY-MM-DD HH:MM:SS.ffffff
        try:  # parsed with its offset appended: no ``replace`` (which costs 5x the parse)
            parsed = datetime.fromisoformat(value + "+00:00")
        except ValueError:  # some other text: the general path below decides
            pass
        else:
            if value[10] == " " and value[19] == ".":  # the very text _sqlite_time writes
                # A time read back is often written again (an alert's time, a
                # case's): its text is known, so the write need not format it.
                if len(_TIME_TEXT) >= _TIME_TEXT_MAX:
                    _TIME_TEXT.clear()
                _TIME_TEXT[parsed] = value
            return parsed
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(parsed, datetime):
        raise ValueError(f"not a stored time: {value!r}")
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _pg_time_back(value: Any) -> datetime:
    if not isinstance(value, datetime):
        raise ValueError(f"not a stored time: {value!r}")
    return value.astimezone(UTC)


def _sqlite_json_back(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def _pg_json_back(value: Any) -> Any:
    return value  # psycopg decodes json and jsonb itself


class Readers(NamedTuple):
    """Converters for what ``run`` and ``rows_in`` return on one engine: the
    values the ORM would have given (aware UTC times, decoded JSON)."""

    time: Callable[[Any], datetime]
    json: Callable[[Any], Any]

    def optional_time(self, value: Any) -> datetime | None:
        return None if value is None else self.time(value)


_SQLITE_READERS = Readers(_sqlite_time_back, _sqlite_json_back)
_PG_READERS = Readers(_pg_time_back, _pg_json_back)


def readers(session: Session) -> Readers:
    if session.get_bind().dialect.name == "sqlite":
        return _SQLITE_READERS
    return _PG_READERS


def db_time(session: Session, value: datetime) -> Any:
    """``value`` as ``run`` and ``rows_in`` must pass it to this engine."""
    if session.get_bind().dialect.name == "sqlite":
        return _sqlite_time(value)
    return _pg_time(value)
