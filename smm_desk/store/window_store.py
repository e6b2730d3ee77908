"""The store as the desktop app opens it: the first window read without SQLAlchemy.

Why (issue #4, cold start ≤ 3× a bare PySide6 window): importing SQLAlchemy and
mapping the ORM models costs more than the bare window's whole start (~0.35 s of
~0.8 s on the reference machine), and the first window needs none of it. Its
first paint reads a handful of things — the queue's ids in urgency order, the
sidebar's counts and networks, a screenful of rows, the accounts, the
departments, the templates — which are plain SELECTs on the SQLite file.

So :func:`open_for_window` gives the app a :class:`WindowStore` when the
database is a SQLite file already at the newest schema: those reads run on a
read-only ``sqlite3`` connection (``PRAGMA query_only``), every other method
(and every attribute, ``db`` included) loads the real :class:`Store`
(``Store.open``: SQLAlchemy, migration check) and goes to it. The app loads the
real store just after the first paint (``app.gui``), off the window's thread;
from then on every read goes to the real store too and the plain connection is
closed. Anything that needs the store sooner — a click on a case before it is
loaded — loads it there and then, so nothing answers differently, only later.

A database that is new, older than the code (a migration to run), written by a
newer desk, not a file, or PostgreSQL opens the real store at once, as before.

What the plain reads return is exactly what the store returns (same views,
same order, same SLA state at the same instant): tests compare every one of
them with the store's on a varied workspace (tests/store/test_window_store.py),
and the statements are the SQL the store's own statements render to on SQLite.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple, cast
from urllib.parse import quote

from smm_desk.domain.enums import CaseStatus
from smm_desk.domain.views import AccountView, CaseView, DepartmentView, TemplateView
from smm_desk.store.case_rows import VIEWS_BY_ID, case_view
from smm_desk.store.errors import DatabaseLocked, DatabaseUnavailable
from smm_desk.store.location import HEAD_REVISION, sqlite_file
from smm_desk.store.queue_filter import BREACHING_WITHIN, OPEN_STATUSES, QueueFilter

if TYPE_CHECKING:
    from smm_desk.store.api import Store

#: Ids per IN list (as ``sla_state.chunks``): below every SQLite build's variable limit.
CHUNK = 500


def _time_back(value: Any) -> datetime:
    """A stored time (naive-UTC text, as the store writes it on SQLite) as aware UTC."""
    if not isinstance(value, str):
        raise ValueError(f"not a stored time: {value!r}")
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _json_back(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


class _Readers(NamedTuple):
    time: Callable[[Any], datetime]
    json: Callable[[Any], Any]

    def optional_time(self, value: Any) -> datetime | None:
        return None if value is None else self.time(value)


READERS = _Readers(_time_back, _json_back)


def time_text(value: datetime) -> str:
    """An aware time as the store writes it on SQLite (naive UTC, microseconds)."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _running_clock_due_by() -> str:
    return ("c.sla_target IS NOT NULL AND c.response_due_at IS NOT NULL "
            "AND c.sla_stopped IS 0 AND c.response_due_at <= ?")


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


def _where(view: QueueFilter, now: datetime) -> tuple[str, list[Any]]:
    """``views_queue._conditions`` as SQLite text and parameters."""
    statuses = list(view.statuses or OPEN_STATUSES)
    parts = [f"c.status IN ({_marks(statuses)})"]
    params: list[Any] = list(statuses)
    if view.assignee is not None:
        parts.append("c.assignee = ?")
        params.append(view.assignee)
    if view.unassigned:
        parts.append("c.assignee IS NULL")
    if view.department_id is not None:
        parts.append("c.department_id = ?")
        params.append(view.department_id)
    if view.network is not None:
        parts.append("c.network = ?")
        params.append(view.network)
    if view.breaching_within is not None:
        parts.append(_running_clock_due_by())
        params.append(time_text(now + view.breaching_within))
    if view.case_ids is not None:
        parts.append(f"c.id IN ({_marks(view.case_ids)})")
        params.extend(view.case_ids)
    return " AND ".join(parts), params


class WindowStore:
    """The first window's reads on a plain SQLite connection; the real store for
    the rest (see the module doc). Thread-safe: the queue reads rows on its own
    thread while the window reads on the GUI thread."""

    def __init__(self, url: str, connection: sqlite3.Connection,
                 clock: Callable[[], datetime]) -> None:
        self.url = url
        self.clock = clock
        self._plain: sqlite3.Connection | None = connection
        self._plain_lock = threading.Lock()
        self._full: Store | None = None
        self._full_lock = threading.Lock()

    # -- opening and the real store ------------------------------------------------
    @classmethod
    def try_open(cls, url: str, clock: Callable[[], datetime]) -> WindowStore | None:
        """A window store over ``url``, or None where the real store must open
        (not a SQLite file, no file yet, another schema revision, unreadable)."""
        path = sqlite_file(url)
        if path is None:
            return None
        path = os.path.expanduser(path)
        try:
            if os.path.getsize(path) == 0:
                return None
        except OSError:
            return None
        try:
            connection = sqlite3.connect(f"file:{quote(path)}", uri=True,
                                         check_same_thread=False, isolation_level=None)
        except sqlite3.Error:
            return None
        try:
            connection.execute("PRAGMA busy_timeout=5000")
            connection.execute("PRAGMA query_only=1")
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.Error:
            row = None
        if row is None or row[0] != HEAD_REVISION:
            connection.close()
            return None
        return cls(url, connection, clock)

    def full(self) -> Store:
        """The real store, opened on first need (once; any thread)."""
        full = self._full
        if full is not None:
            return full
        with self._full_lock:
            if self._full is None:
                from smm_desk.store.api import Store

                self._full = Store.open(self.url, self.clock)
                with self._plain_lock:
                    if self._plain is not None:
                        self._plain.close()
                        self._plain = None
            return self._full

    @property
    def loaded(self) -> bool:
        """Whether the real store is open (every read goes to it)."""
        return self._full is not None

    def __getattr__(self, name: str) -> Any:
        # Only what this class does not define: the real store's methods and attributes.
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.full(), name)

    def close(self) -> None:
        with self._plain_lock:
            if self._plain is not None:
                self._plain.close()
                self._plain = None
        with self._full_lock:
            if self._full is not None:
                self._full.close()

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection | None]:
        """The plain connection inside one read transaction (one snapshot for
        several statements), or None once the real store has taken over."""
        with self._plain_lock:
            connection = self._plain
            if connection is None:
                yield None
                return
            try:
                connection.execute("BEGIN")
                try:
                    yield connection
                finally:
                    connection.execute("COMMIT")
            except sqlite3.Error as exc:  # as the store's own reads report them
                text = str(exc).strip() or type(exc).__name__
                if "locked" in text or "busy" in text:
                    raise DatabaseLocked(f"database {self.url} is locked by another "
                                         "program; try again") from None
                raise DatabaseUnavailable(f"cannot use database {self.url}: {text}") from None

    # -- the first window's reads -----------------------------------------------------
    def queue_ids(self, view: QueueFilter | None = None) -> list[int]:
        view = view or QueueFilter()
        if view.case_ids is not None and not view.case_ids:
            return []
        with self._reading() as c:
            if c is None:
                return self.full().queue_ids(view)
            where, params = _where(view, self.clock())
            return [row[0] for row in c.execute(
                f"SELECT c.id FROM cases c WHERE {where} ORDER BY "
                "CASE WHEN c.response_due_at IS NULL THEN 1 ELSE 0 END, "
                "c.response_due_at, c.last_inbound_at, c.id", params)]

    def view_counts(self, agent: str) -> dict[str, int]:
        with self._reading() as c:
            if c is None:
                return self.full().view_counts(agent)
            return _view_counts(c, agent, self.clock())

    def case_networks(self) -> list[str]:
        with self._reading() as c:
            if c is None:
                return self.full().case_networks()
            return [row[0] for row in c.execute(
                "SELECT DISTINCT network FROM cases ORDER BY network")]

    def cases_by_id(self, ids: Sequence[int]) -> list[CaseView]:
        with self._reading() as c:
            if c is None:
                return self.full().cases_by_id(ids)
            now = self.clock()
            wanted = sorted(set(ids))
            return [case_view(row, READERS, now)
                    for start in range(0, len(wanted), CHUNK)
                    for part in (wanted[start:start + CHUNK],)
                    for row in c.execute(f"{VIEWS_BY_ID} ({_marks(part)})", part)]

    def accounts(self) -> list[AccountView]:
        with self._reading() as c:
            if c is None:
                return self.full().accounts()
            optional = READERS.optional_time
            return [AccountView(
                id=i, network=network, name=name, base_url=base_url,
                options={str(k): str(v) for k, v in (_json_back(options) or {}).items()},
                status=status, status_detail=detail, retry_at=optional(retry_at),
                last_sync_at=optional(last_sync_at), created_at=_time_back(created_at),
            ) for i, network, name, base_url, options, status, detail, retry_at, last_sync_at,
                created_at in c.execute(
                "SELECT id, network, name, base_url, options, status, status_detail, "
                "retry_at, last_sync_at, created_at FROM accounts ORDER BY id")]

    def departments(self) -> list[DepartmentView]:
        with self._reading() as c:
            if c is None:
                return self.full().departments()
            return [DepartmentView(id=i, name=name, position=position, sla_policy=policy,
                                   first_response_s=first_response_s)
                    for i, name, position, policy, first_response_s in c.execute(
                        "SELECT d.id, d.name, d.position, p.name, p.first_response_s "
                        "FROM departments d LEFT JOIN sla_policies p ON p.id = d.sla_policy_id "
                        "ORDER BY d.position, d.id")]

    def templates(self) -> list[TemplateView]:
        with self._reading() as c:
            if c is None:
                return self.full().templates()
            return [TemplateView(i, name, body, department) for i, name, body, department
                    in c.execute("SELECT t.id, t.name, t.body, d.name FROM templates t "
                                 "LEFT JOIN departments d ON d.id = t.department_id "
                                 "ORDER BY t.id")]


def _view_counts(c: sqlite3.Connection, agent: str, now: datetime) -> dict[str, int]:
    """``views_queue.view_counts`` in the same four statements."""
    open_statuses = list(OPEN_STATUSES)
    marks = _marks(open_statuses)
    per_status = {str(status): int(n) for status, n in c.execute(
        "SELECT status, count(*) FROM cases GROUP BY status")}
    breaching = c.execute(
        f"SELECT count(*) FROM cases c WHERE c.status IN ({marks}) AND "
        f"{_running_clock_due_by()}",
        [*open_statuses, time_text(now + BREACHING_WITHIN)]).fetchone()[0]
    counts = {
        "open": sum(per_status.get(s, 0) for s in open_statuses),
        "mine": 0,
        "unassigned": 0,
        "breaching": int(breaching or 0),
        "waiting_department": per_status.get(CaseStatus.WAITING_DEPARTMENT.value, 0),
        "resolved": per_status.get(CaseStatus.RESOLVED.value, 0),
        "spam": per_status.get(CaseStatus.SPAM.value, 0),
    }
    for department_id, status, n in c.execute(
            "SELECT department_id, status, count(*) FROM cases GROUP BY department_id, status"):
        if department_id is not None and status in OPEN_STATUSES:
            key = f"department:{department_id}"
            counts[key] = counts.get(key, 0) + int(n)
    for network, mine, unassigned, n in c.execute(
            "SELECT network, coalesce(sum(CASE WHEN assignee = ? THEN 1 ELSE 0 END), 0), "
            "coalesce(sum(CASE WHEN assignee IS NULL THEN 1 ELSE 0 END), 0), count(*) "
            f"FROM cases WHERE status IN ({marks}) GROUP BY network",
            [agent, *open_statuses]):
        counts["mine"] += int(mine)
        counts["unassigned"] += int(unassigned)
        counts[f"network:{network}"] = int(n)
    return counts


def utc_now() -> datetime:
    return datetime.now(UTC)


def open_for_window(url: str, clock: Callable[[], datetime] = utc_now) -> Store:
    """The store for the desktop app's window: a :class:`WindowStore` where the
    first window can be read without SQLAlchemy, else the real store. Either
    answers every :class:`Store` method the same way."""
    window = WindowStore.try_open(url, clock)
    if window is not None:
        return cast("Store", window)
    from smm_desk.store.api import Store

    return Store.open(url, clock)
