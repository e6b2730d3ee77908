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
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from smm_desk.domain.enums import CaseStatus, Direction
from smm_desk.domain.records import EventKind, IncomingMessage, MessageKind, require_utc
from smm_desk.domain.sla import MessagePoint, SlaPolicy, StatusChange, evaluate
from smm_desk.domain.views import QuarantineView
from smm_desk.store.bulk import insert_many
from smm_desk.store.errors import NotFound
from smm_desk.store.models import Account, Base, Case, Cursor, Event, Message, Quarantine
from smm_desk.store.sla_state import PolicyBook, chunks, refresh_sla, snapshot_columns

# Core tables for the bulk statements (the ORM bulk path costs far more per row).
CASES = Base.metadata.tables["cases"]
MESSAGES = Base.metadata.tables["messages"]
EVENTS = Base.metadata.tables["events"]
QUARANTINE = Base.metadata.tables["quarantine"]

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
    existing = session.get(Cursor, (account_id, stream))
    if existing is None:
        session.add(Cursor(account_id=account_id, stream=stream, value=value, updated_at=now))
    else:
        existing.value = value
        existing.updated_at = now


def load_cursor(session: Session, account_id: int, stream: str) -> str | None:
    row = session.get(Cursor, (account_id, stream))
    return row.value if row else None


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
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound(f"no account {account_id}")
    result = IngestResult()

    unique: dict[str, IncomingMessage] = {}
    for message in messages:
        unique.setdefault(message.external_id, message)
    result.duplicates = len(messages) - len(unique)
    ext_ids = list(unique)
    known: set[str] = set()
    for part in chunks(ext_ids):
        known.update(
            session.scalars(
                select(Message.external_id).where(
                    Message.account_id == account_id, Message.external_id.in_(part)
                )
            )
        )
    fresh = [unique[e] for e in ext_ids if e not in known]
    result.duplicates += len(known)

    if fresh:
        by_thread: dict[str, list[IncomingMessage]] = defaultdict(list)
        for message in fresh:
            by_thread[message.thread_key].append(message)
        for thread in by_thread.values():
            thread.sort(key=lambda m: m.created_at)
        book = PolicyBook(session)
        cases, existing = _cases_for_threads(session, account, by_thread, now, result, book)
        inserted = _insert_messages(session, account_id, fresh, by_thread, cases, now)
        result.inserted = len(inserted)
        # New cases were born complete (text, times, SLA snapshot); only cases
        # that already existed need their summary and clock brought up to date.
        old = {key: by_thread[key] for key in existing}
        _update_cases(session, old, cases, inserted, now)
        refresh_sla(session, sorted(cases[k][0] for k in existing), now, book)
        result.touched_case_ids = sorted({cases[k][0] for k in by_thread})

    if quarantined:
        # Kept in the same transaction as the cursor that moves past them:
        # an unparseable item is never dropped, only set aside with its reason.
        session.execute(insert(QUARANTINE), [
            {"account_id": account_id, "stream": stream, "raw": raw, "reason": reason, "at": now}
            for raw, reason in quarantined
        ])
        result.quarantined = len(quarantined)
    if cursor is not None:
        save_cursor(session, account_id, stream, cursor, now)
    account.last_sync_at = now
    return result


def _new_case_row(
    account: Account, key: str, thread: list[IncomingMessage], now: datetime, policy: SlaPolicy
) -> dict[str, Any]:
    """A case as it stands after its first batch, SLA snapshot included."""
    customer = next((m for m in thread if m.direction == Direction.INBOUND), thread[0])
    inbound = [m for m in thread if m.direction == Direction.INBOUND]
    outbound = [m for m in thread if m.direction == Direction.OUTBOUND]
    opened_at = thread[0].created_at
    snapshot = evaluate(
        policy,
        [MessagePoint(m.direction, m.created_at) for m in thread],
        [StatusChange(opened_at, CaseStatus.NEW)],
        now,
    )
    return {
        "account_id": account.id,
        "network": account.network,
        "thread_key": key,
        "kind": _case_kind(thread),
        "status": CaseStatus.NEW.value,
        "priority": "normal",
        "tags": [],
        "customer_id": customer.author_id,
        "customer_name": (inbound[-1].author_name if inbound and inbound[-1].author_name
                          else customer.author_name),
        "post_external_id": thread[0].post_external_id,
        "last_inbound_text": inbound[-1].text if inbound else "",
        "last_inbound_at": inbound[-1].created_at if inbound else None,
        "last_message_at": thread[-1].created_at,
        "first_response_at": outbound[0].created_at if outbound else None,
        "opened_at": opened_at,
        "updated_at": now,
        **snapshot_columns(snapshot),
    }


def _cases_for_threads(
    session: Session,
    account: Account,
    by_thread: dict[str, list[IncomingMessage]],
    now: datetime,
    result: IngestResult,
    book: PolicyBook,
) -> tuple[dict[str, tuple[int, str]], list[str]]:
    """thread key -> (case id, status before this batch), creating missing cases;
    and the keys of the cases that existed before."""
    cases: dict[str, tuple[int, str]] = {}
    keys = list(by_thread)
    for part in chunks(keys):
        for case_id, key, status in session.execute(
            select(Case.id, Case.thread_key, Case.status).where(
                Case.account_id == account.id, Case.thread_key.in_(part)
            )
        ):
            cases[key] = (case_id, status)
    existing = [k for k in keys if k in cases]
    missing = [k for k in keys if k not in cases]
    if missing:
        # A new case has no department or policy of its own yet.
        policy = book.default
        rows = [_new_case_row(account, key, by_thread[key], now, policy) for key in missing]
        # Plain executemany (no RETURNING): drivers send it as one batch, while
        # RETURNING with ordered rows would fall back to a statement per row.
        insert_many(session, CASES, rows)
        for part in chunks(missing):
            for case_id, key in session.execute(
                select(Case.id, Case.thread_key).where(
                    Case.account_id == account.id, Case.thread_key.in_(part)
                )
            ):
                cases[key] = (case_id, CaseStatus.NEW.value)
                result.new_case_ids.append(case_id)
        result.new_case_ids.sort()
    return cases, existing


def _insert_messages(
    session: Session,
    account_id: int,
    fresh: list[IncomingMessage],
    by_thread: dict[str, list[IncomingMessage]],
    cases: dict[str, tuple[int, str]],
    now: datetime,
) -> set[str]:
    rows = [
        {
            "account_id": account_id,
            "case_id": cases[m.thread_key][0],
            "external_id": m.external_id,
            "direction": m.direction.value,
            "kind": m.kind.value,
            "author_id": m.author_id,
            "author_name": m.author_name,
            "text": m.text,
            "created_at": m.created_at,
            "received_at": now,
            "parent_external_id": m.parent_external_id,
            "post_external_id": m.post_external_id,
            "permalink": m.permalink,
            "extra": dict(m.extra),
        }
        for m in fresh
    ]
    # ON CONFLICT DO NOTHING guards against a second worker that stored some of
    # these between our look-up and now; within one desk the write transaction
    # (BEGIN IMMEDIATE on SQLite) already excludes that, so all of ``fresh`` is new.
    insert_many(session, MESSAGES, rows, on_conflict_do_nothing=("account_id", "external_id"))
    inserted = {m.external_id for m in fresh}
    # One "ingested" event per case and batch, naming the messages it brought.
    events = []
    for key, thread in by_thread.items():
        ids = [m.external_id for m in thread if m.external_id in inserted]
        if ids:
            events.append({
                "case_id": cases[key][0],
                "at": now,
                "kind": EventKind.INGESTED.value,
                "actor": "sync",
                "data": {"external_ids": ids, "count": len(ids)},
            })
    insert_many(session, EVENTS, events)
    return inserted


def _update_cases(
    session: Session,
    by_thread: dict[str, list[IncomingMessage]],
    cases: dict[str, tuple[int, str]],
    inserted: set[str],
    now: datetime,
) -> None:
    ids = sorted({cases[key][0] for key in by_thread})
    current: dict[int, Any] = {}
    last_status_at: dict[int, datetime] = {}
    for part in chunks(ids):
        for row in session.execute(
            select(Case.id, Case.last_message_at, Case.last_inbound_at, Case.first_response_at)
            .where(Case.id.in_(part))
        ):
            current[row.id] = row
        for case_id, at in session.execute(
            select(Event.case_id, func.max(Event.at))
            .where(Event.case_id.in_(part), Event.kind == EventKind.STATUS_CHANGED.value)
            .group_by(Event.case_id)
        ):
            last_status_at[case_id] = at
    updates: list[dict[str, Any]] = []
    reopen_events: list[dict[str, Any]] = []
    for key, thread in by_thread.items():
        thread = [m for m in thread if m.external_id in inserted]
        if not thread:
            continue
        case_id, status = cases[key]
        row = current[case_id]
        values: dict[str, Any] = {"id": case_id, "updated_at": now}
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
            previous = last_status_at.get(case_id)
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
        updates.append(values)
    # executemany wants the same keys in every row: group rows by their key set.
    grouped: dict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
    for values in updates:
        grouped[frozenset(values)].append(values)
    for group in grouped.values():
        session.execute(update(Case), group)
    if reopen_events:
        session.execute(insert(EVENTS), reopen_events)


def list_quarantine(session: Session, account_id: int | None = None) -> list[QuarantineView]:
    stmt = select(Quarantine).order_by(Quarantine.id)
    if account_id is not None:
        stmt = stmt.where(Quarantine.account_id == account_id)
    return [QuarantineView(q.id, q.account_id, q.stream, q.reason, q.raw, q.at)
            for q in session.scalars(stmt)]


__all__ = ["IngestResult", "chunks", "ingest_batch", "load_cursor", "save_cursor"]
