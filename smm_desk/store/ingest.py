"""Storing a fetched batch: messages threaded into cases, plus the cursor.

``ingest_batch`` runs inside the caller's transaction, so the messages, their
cases, the ingest events, the refreshed SLA snapshots and the account's new
cursor commit together or not at all (DESIGN.md, "Sync and outbox"). Re-ingesting
the same batch is a no-op thanks to the (account, external id) key, which is
also enforced with ON CONFLICT DO NOTHING should two workers race.

Every step is set-based (chunked IN queries, executemany inserts and updates),
so a 100,000-message batch costs a few hundred statements, not 100,000 round trips.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from smm_desk.domain.enums import CaseStatus, Direction
from smm_desk.domain.records import EventKind, IncomingMessage, MessageKind, require_utc
from smm_desk.domain.sla import (
    MessagePoint,
    SlaPolicy,
    StatusChange,
    evaluate,
)
from smm_desk.domain.views import QuarantineView
from smm_desk.store import routing
from smm_desk.store.bulk import (
    db_time,
    insert_rows,
    readers,
    rows_in,
    run,
    update_rows,
)
from smm_desk.store.errors import NotFound
from smm_desk.store.models import Base, Quarantine
from smm_desk.store.sla_state import (
    SNAPSHOT_COLUMNS,
    PolicyBook,
    chunks,
    message_points,
    snapshot_columns,
    snapshot_values,
    status_changes,
)

# Core tables for the bulk statements (the ORM bulk path costs far more per row).
CASES = Base.metadata.tables["cases"]
MESSAGES = Base.metadata.tables["messages"]
EVENTS = Base.metadata.tables["events"]
QUARANTINE = Base.metadata.tables["quarantine"]

CASE_STATE = ("SELECT id, last_message_at, last_inbound_at, first_response_at, opened_at, "
              "sla_policy_id, department_id FROM cases WHERE id IN")


class _CaseState(NamedTuple):
    """What ``_update_cases`` reads of a case that existed before the batch."""

    id: int
    last_message_at: datetime | None
    last_inbound_at: datetime | None
    first_response_at: datetime | None
    opened_at: datetime
    sla_policy_id: int | None
    department_id: int | None

MESSAGE_COLUMNS = (
    "account_id", "case_id", "external_id", "direction", "kind", "author_id", "author_name",
    "text", "created_at", "received_at", "parent_external_id", "post_external_id",
    "permalink", "extra",
)

#: A new inbound message on a case in one of these states reopens it.
REOPEN_ON_INBOUND = {
    CaseStatus.RESOLVED.value,
    CaseStatus.WAITING_CUSTOMER.value,
}


@dataclass
class IngestResult:
    inserted: int = 0
    duplicates: int = 0
    quarantined: int = 0
    new_case_ids: list[int] = field(default_factory=list)
    touched_case_ids: list[int] = field(default_factory=list)


def save_cursor(session: Session, account_id: int, stream: str, value: str, now: datetime) -> None:
    # One upsert instead of a look-up and an insert or update.
    run(session, "INSERT INTO cursors (account_id, stream, value, updated_at) VALUES (?, ?, ?, ?) "
                 "ON CONFLICT (account_id, stream) "
                 "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        (account_id, stream, value, db_time(session, require_utc(now, "now"))))


def load_cursor(session: Session, account_id: int, stream: str) -> str | None:
    # A plain read: the sync loop asks before every fetch, and the ORM's
    # identity-map get costs ten times the statement.
    rows = run(session, "SELECT value FROM cursors WHERE account_id = ? AND stream = ?",
               (account_id, stream))
    return str(rows[0][0]) if rows else None


def _case_kind(messages: Sequence[IncomingMessage]) -> str:
    kinds = {m.kind for m in messages}
    if MessageKind.DM in kinds:
        return MessageKind.DM.value
    if MessageKind.MENTION in kinds and MessageKind.COMMENT not in kinds:
        return MessageKind.MENTION.value
    return MessageKind.COMMENT.value


def ingest_batch(
    session: Session,
    account_id: int,
    stream: str,
    messages: Sequence[IncomingMessage],
    cursor: str | None,
    now: datetime,
    quarantined: Sequence[tuple[str, str]] = (),
) -> IngestResult:
    now = require_utc(now, "now")
    # The hot path reads and writes through the connection: nothing pending may hide.
    session.flush()
    # Stamping the sync time first also proves the account exists (and names its
    # network) in one statement; the transaction makes the order invisible.
    found = run(session, "UPDATE accounts SET last_sync_at = ? WHERE id = ? RETURNING network",
                (db_time(session, now), account_id))
    if not found:
        raise NotFound(f"no account {account_id}")
    network: str = found[0][0]
    result = IngestResult()

    unique: dict[str, IncomingMessage] = {}
    for message in messages:
        unique.setdefault(message.external_id, message)
    result.duplicates = len(messages) - len(unique)
    ext_ids = list(unique)
    known: set[str] = set()
    for part in chunks(ext_ids):
        known.update(external_id for (external_id,) in rows_in(
            session, "SELECT external_id FROM messages WHERE account_id = ? AND external_id IN",
            (account_id,), part))
    fresh = [unique[e] for e in ext_ids if e not in known]
    result.duplicates += len(known)

    if fresh:
        by_thread: dict[str, list[IncomingMessage]] = defaultdict(list)
        for message in fresh:
            by_thread[message.thread_key].append(message)
        for thread in by_thread.values():
            thread.sort(key=lambda m: m.created_at)
        book = PolicyBook(session)
        cases, existing, routed = _cases_for_threads(session, account_id, network, by_thread,
                                                     now, result, book)
        _insert_messages(session, account_id, fresh, by_thread, cases, now)
        if routed:
            routing.record(session, routed, cases, now)
        result.inserted = len(fresh)
        # New cases were born complete (text, times, SLA snapshot); only cases
        # that already existed need their summary and clock brought up to date.
        _update_cases(session, {key: by_thread[key] for key in existing}, cases, now, book)
        result.touched_case_ids = sorted({cases[k][0] for k in by_thread})

    if quarantined:
        # Kept in the same transaction as the cursor that moves past them:
        # an unparseable item is never dropped, only set aside with its reason.
        insert_rows(session, QUARANTINE, ("account_id", "stream", "raw", "reason", "at"),
                    [(account_id, stream, raw, reason, now) for raw, reason in quarantined])
        result.quarantined = len(quarantined)
    if cursor is not None:
        save_cursor(session, account_id, stream, cursor, now)
    return result


#: The columns of a new case row, in the order ``_new_case_row`` builds it: the
#: rows go to one executemany as lists, so a batch of new cases builds no dict
#: per case (routing sets its columns by position, ``NEW_CASE_POSITION``).
NEW_CASE_COLUMNS = (
    "account_id", "network", "thread_key", "kind", "status", "priority", "tags",
    "customer_id", "customer_name", "post_external_id", "last_inbound_text",
    "last_inbound_at", "last_message_at", "first_response_at", "opened_at", "updated_at",
    *SNAPSHOT_COLUMNS,
    # What a routing decision may set besides status, priority and tags.
    "department_id", "assignee", "sla_policy_id", "resolved_at",
)
NEW_CASE_POSITION = {name: index for index, name in enumerate(NEW_CASE_COLUMNS)}
_INBOUND = Direction.INBOUND
_OUTBOUND = Direction.OUTBOUND
_NEW = CaseStatus.NEW.value


def _new_case_row(
    account_id: int, network: str, key: str, thread: list[IncomingMessage], now: datetime,
    policy: SlaPolicy, book: PolicyBook,
) -> list[Any]:
    """A case as it stands after its first batch, SLA snapshot included
    (values in ``NEW_CASE_COLUMNS`` order)."""
    first = thread[0]
    if len(thread) == 1:  # most new cases: one message, no list to filter
        inbound = [first] if first.direction == _INBOUND else []
        outbound = [] if inbound else [first] if first.direction == _OUTBOUND else []
    else:
        inbound = [m for m in thread if m.direction == _INBOUND]
        outbound = [m for m in thread if m.direction == _OUTBOUND]
    customer = inbound[0] if inbound else first
    opened_at = first.created_at
    if inbound and not outbound:
        # The usual first batch of a conversation: the customer wrote, nobody answered.
        snapshot = book.new_inbound(policy)(inbound[0].created_at)
    else:
        snapshot = snapshot_values(evaluate(
            policy,
            [MessagePoint(m.direction, m.created_at) for m in thread],
            [StatusChange(opened_at, CaseStatus.NEW)],
            now,
        ))
    latest = inbound[-1] if inbound else None
    return [
        account_id, network, key, _case_kind(thread), _NEW, "normal", [],
        customer.author_id,
        latest.author_name if latest is not None and latest.author_name
        else customer.author_name,
        first.post_external_id,
        latest.text if latest is not None else "",
        latest.created_at if latest is not None else None,
        thread[-1].created_at,
        outbound[0].created_at if outbound else None,
        opened_at,
        now,
        *snapshot,
        None, None, None, None,
    ]


def _cases_for_threads(
    session: Session,
    account_id: int,
    network: str,
    by_thread: dict[str, list[IncomingMessage]],
    now: datetime,
    result: IngestResult,
    book: PolicyBook,
) -> tuple[dict[str, tuple[int, str]], list[str], dict[str, routing.Routed]]:
    """thread key -> (case id, status before this batch), creating missing cases;
    the keys of the cases that existed before; and what the rules did to new ones."""
    cases: dict[str, tuple[int, str]] = {}
    keys = list(by_thread)
    for part in chunks(keys):
        for case_id, key, status in rows_in(
            session, "SELECT id, thread_key, status FROM cases "
                     "WHERE account_id = ? AND thread_key IN", (account_id,), part):
            cases[key] = (case_id, status)
    existing = [k for k in keys if k in cases]
    missing = [k for k in keys if k not in cases]
    routed: dict[str, routing.Routed] = {}
    if missing:
        # The rules route a new case on its first inbound message, once, before
        # its SLA snapshot: the routed department's policy runs its clock.
        router = routing.Router.for_batch(session, book)
        if router is None:
            rows = [_new_case_row(account_id, network, key, by_thread[key], now, book.default,
                                  book)
                    for key in missing]
        else:
            rows = []
            for key in missing:
                thread = by_thread[key]
                outcome = router.route(network, account_id, thread, now)
                row = _new_case_row(account_id, network, key, thread, now,
                                    book.default if outcome is None else outcome.policy, book)
                if outcome is not None:
                    routed[key] = outcome
                    routing.apply(outcome, row, NEW_CASE_POSITION, thread, now)
                rows.append(row)
        # Plain executemany (no RETURNING): drivers send it as one batch, while
        # RETURNING with ordered rows would fall back to a statement per row.
        insert_rows(session, CASES, NEW_CASE_COLUMNS, rows)
        for part in chunks(missing):
            for case_id, key in rows_in(
                session, "SELECT id, thread_key FROM cases WHERE account_id = ? AND thread_key IN",
                (account_id,), part):
                cases[key] = (case_id, CaseStatus.NEW.value)
                result.new_case_ids.append(case_id)
        result.new_case_ids.sort()
    return cases, existing, routed


def _insert_messages(
    session: Session,
    account_id: int,
    fresh: list[IncomingMessage],
    by_thread: dict[str, list[IncomingMessage]],
    cases: dict[str, tuple[int, str]],
    now: datetime,
) -> None:
    rows = [
        (account_id, cases[m.thread_key][0], m.external_id, m.direction.value, m.kind.value,
         m.author_id, m.author_name, m.text, m.created_at, now, m.parent_external_id,
         m.post_external_id, m.permalink, m.extra)
        for m in fresh
    ]
    # ON CONFLICT DO NOTHING guards against a second worker that stored some of
    # these between our look-up and now; within one desk the write transaction
    # (BEGIN IMMEDIATE on SQLite) already excludes that, so all of ``fresh`` is new.
    insert_rows(session, MESSAGES, MESSAGE_COLUMNS, rows,
                on_conflict_do_nothing=("account_id", "external_id"))
    # One "ingested" event per case and batch, naming the messages it brought.
    ingested = EventKind.INGESTED.value
    events = []
    for key, thread in by_thread.items():
        ids = [m.external_id for m in thread]
        events.append((cases[key][0], now, ingested, "sync",
                       {"external_ids": ids, "count": len(ids)}))
    insert_rows(session, EVENTS, ("case_id", "at", "kind", "actor", "data"), events)


def _update_cases(
    session: Session,
    by_thread: dict[str, list[IncomingMessage]],
    cases: dict[str, tuple[int, str]],
    now: datetime,
    book: PolicyBook,
) -> None:
    """Bring the summary and the SLA snapshot of cases that existed before this
    batch up to date (the batch's messages are already stored)."""
    ids = sorted({cases[key][0] for key in by_thread})
    if not ids:
        return
    read = readers(session)
    current: dict[int, _CaseState] = {}
    statuses: dict[int, list[StatusChange]] = {}
    for part in chunks(ids):
        for case_id, last_message, last_inbound, first_response, opened, policy, dept in rows_in(
                session, CASE_STATE, (), part):
            current[case_id] = _CaseState(
                case_id, read.optional_time(last_message), read.optional_time(last_inbound),
                read.optional_time(first_response), read.time(opened), policy, dept)
        statuses.update(status_changes(session, part))
    updates: dict[int, dict[str, Any]] = {}
    reopen_events: list[dict[str, Any]] = []
    for key, thread in by_thread.items():
        case_id, status = cases[key]
        row = current[case_id]
        values: dict[str, Any] = {"updated_at": now}
        last = thread[-1].created_at
        values["last_message_at"] = (
            last if row.last_message_at is None else max(last, row.last_message_at)
        )
        inbound = [m for m in thread if m.direction == Direction.INBOUND]
        if inbound and (row.last_inbound_at is None or inbound[-1].created_at >= row.last_inbound_at):
            values["last_inbound_at"] = inbound[-1].created_at
            values["last_inbound_text"] = inbound[-1].text
            if inbound[-1].author_name:
                values["customer_name"] = inbound[-1].author_name
        outbound = [m for m in thread if m.direction == Direction.OUTBOUND]
        if outbound and row.first_response_at is None:
            values["first_response_at"] = outbound[0].created_at
        if inbound and status in REOPEN_ON_INBOUND:
            # The case reopened when the customer wrote, not when we fetched it,
            # so the clock starts at the network time (but never before the
            # status change it undoes).
            reopened_at = inbound[0].created_at
            changes = statuses.get(case_id)
            previous = max((c.at for c in changes), default=None) if changes else None
            if previous is not None and previous > reopened_at:
                reopened_at = previous
            values["status"] = CaseStatus.OPEN.value
            values["resolved_at"] = None
            reopen_events.append(
                {
                    "case_id": case_id,
                    "at": reopened_at,
                    "kind": EventKind.STATUS_CHANGED.value,
                    "actor": "sync",
                    "data": {"from": status, "to": CaseStatus.OPEN.value, "reason": "new message"},
                }
            )
            # Recorded after every earlier change, as the events table will list it.
            statuses.setdefault(case_id, []).append(StatusChange(reopened_at, CaseStatus.OPEN))
        updates[case_id] = values
    if reopen_events:
        session.execute(insert(EVENTS), reopen_events)
    # The clock sees the stored history, this batch's messages included.
    for part in chunks(ids):
        points = message_points(session, part)
        for case_id in part:
            row = current[case_id]
            history = [StatusChange(row.opened_at, CaseStatus.NEW), *statuses.get(case_id, ())]
            snapshot = evaluate(
                book.for_case(row.sla_policy_id, row.department_id), points[case_id], history,
                now,
            )
            updates[case_id].update(snapshot_columns(snapshot))
    # executemany wants the same columns in every row: group rows by their columns.
    grouped: dict[tuple[str, ...], list[list[Any]]] = defaultdict(list)
    for case_id, values in updates.items():
        columns = tuple(values)
        grouped[columns].append([*values.values(), case_id])
    for columns, rows in grouped.items():
        update_rows(session, CASES, columns, rows)


def list_quarantine(session: Session, account_id: int | None = None) -> list[QuarantineView]:
    stmt = select(Quarantine).order_by(Quarantine.id)
    if account_id is not None:
        stmt = stmt.where(Quarantine.account_id == account_id)
    return [QuarantineView(q.id, q.account_id, q.stream, q.reason, q.raw, q.at)
            for q in session.scalars(stmt)]


__all__ = ["IngestResult", "chunks", "ingest_batch", "load_cursor", "save_cursor"]
