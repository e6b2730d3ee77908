"""SQLAlchemy 2 typed mappings: the database shape of DESIGN.md's records.

The same schema runs on SQLite (default, one file per desk) and PostgreSQL
(teams). The Alembic migrations in ``migrations/versions`` create it; a test
compares the migrated database with these mappings so the two cannot drift.

Decisions worth knowing:

* Every timestamp is stored as UTC through :class:`UtcDateTime`, which refuses
  naive values on the way in and returns aware UTC values on the way out
  (SQLite has no time zone type; PostgreSQL's ``timestamptz`` would hand back
  the session's zone).
* Secrets are not here. An account's token lives in the OS keyring under the
  account id; there is deliberately no column that could hold it.
* A case carries its SLA snapshot (``smm_desk.domain.sla.SlaSnapshot``) as plain
  columns, so the queue sorts and colours 100,000 cases by ``response_due_at``
  with an index instead of replaying history.
* Message text search lives beside this file in ``search.py`` (FTS5 on SQLite,
  a generated ``tsvector`` with a GIN index on PostgreSQL).

No ``from __future__ import annotations`` here, unlike the rest of the code:
SQLAlchemy reads every ``Mapped[...]`` annotation when a model class is made,
and string annotations must be evaluated first — ~40 ms of every cold start.
"""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime refused by the store: {value!r}")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            # SQLite stores text; keep it naive-UTC so lexical order is time order.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: JSON(), list[str]: JSON()}


class SlaPolicyRow(Base):
    __tablename__ = "sla_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    first_response_s: Mapped[int] = mapped_column(Integer)
    next_response_s: Mapped[int] = mapped_column(Integer)
    resolution_s: Mapped[int] = mapped_column(Integer)
    warning_share: Mapped[float] = mapped_column(Float, default=0.8)
    #: ``BusinessCalendar.to_dict()`` or NULL for around the clock.
    calendar: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class Department(Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: Order in the sidebar and the 1–9 routing keys.
    position: Mapped[int] = mapped_column(Integer, default=0)
    sla_policy_id: Mapped[int | None] = mapped_column(
        ForeignKey("sla_policies.id", ondelete="SET NULL"), nullable=True
    )
    #: Where handoffs go: {"kind": "email", "to": ...} or {"kind": "webhook", "url": ...}.
    handoff: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    network: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    base_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(32), default="ok")
    status_detail: Mapped[str] = mapped_column(Text, default="")
    #: For rate_limited: when the network lets us back in.
    retry_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_sync_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column()

    __table_args__ = (UniqueConstraint("network", "name"),)


class Cursor(Base):
    """Per account and stream resume position, written in the same transaction
    as the batch it follows (DESIGN.md: a crash loses nothing, duplicates nothing)."""

    __tablename__ = "cursors"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    stream: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column()


class PollLease(Base):
    """The desk polling an account until ``expires_at`` (store/leases.py)."""

    __tablename__ = "poll_leases"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column()


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    network: Mapped[str] = mapped_column(String(32))
    thread_key: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(32), default="new")
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), nullable=True
    )
    assignee: Mapped[str | None] = mapped_column(String(200), nullable=True)
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    customer_id: Mapped[str] = mapped_column(String(300), default="")
    customer_name: Mapped[str] = mapped_column(String(300), default="")
    post_external_id: Mapped[str | None] = mapped_column(String(300), nullable=True)
    last_inbound_text: Mapped[str] = mapped_column(Text, default="")
    last_inbound_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_message_at: Mapped[datetime | None] = mapped_column(nullable=True)
    first_response_at: Mapped[datetime | None] = mapped_column(nullable=True)
    opened_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
    resolved_at: Mapped[datetime | None] = mapped_column(nullable=True)
    sla_policy_id: Mapped[int | None] = mapped_column(
        ForeignKey("sla_policies.id", ondelete="SET NULL"), nullable=True
    )
    # The SLA snapshot, see smm_desk.domain.sla.SlaSnapshot.
    sla_target: Mapped[str | None] = mapped_column(String(32), nullable=True)
    sla_started_at: Mapped[datetime | None] = mapped_column(nullable=True)
    response_due_at: Mapped[datetime | None] = mapped_column(nullable=True)
    warn_at: Mapped[datetime | None] = mapped_column(nullable=True)
    sla_paused_remaining_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    sla_paused_state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    resolution_due_at: Mapped[datetime | None] = mapped_column(nullable=True)
    sla_stopped: Mapped[bool] = mapped_column(Boolean, default=False)
    resolution_started_at: Mapped[datetime | None] = mapped_column(nullable=True)
    resolution_warn_at: Mapped[datetime | None] = mapped_column(nullable=True)
    #: Every response/resolution alert this snapshot owes at or before this instant is
    #: recorded (store/alerts.py); None after any new snapshot: look again.
    sla_alerts_through: Mapped[datetime | None] = mapped_column(nullable=True)
    #: No alert can be owed before this instant; None: none until a new snapshot
    #: (store/sla_state.py ``next_alert_at``; the alert pass reads it by index).
    next_alert_at: Mapped[datetime | None] = mapped_column(nullable=True)

    __table_args__ = (
        UniqueConstraint("account_id", "thread_key"),
        Index(None, "status", "response_due_at"),
        Index(None, "department_id", "status"),
        Index(None, "next_alert_at"),
    )


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(300))
    direction: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    author_id: Mapped[str] = mapped_column(String(300), default="")
    author_name: Mapped[str] = mapped_column(String(300), default="")
    text: Mapped[str] = mapped_column(Text)
    #: The network's own time: the SLA clock starts here, never at fetch time.
    created_at: Mapped[datetime] = mapped_column()
    #: When this desk stored it.
    received_at: Mapped[datetime] = mapped_column()
    parent_external_id: Mapped[str | None] = mapped_column(String(300), nullable=True)
    post_external_id: Mapped[str | None] = mapped_column(String(300), nullable=True)
    permalink: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (UniqueConstraint("account_id", "external_id"),)


class Reply(Base):
    """An outbox entry. Its ``id`` is the idempotency key sent to networks that
    honour one, so it is a client-made UUID rather than a database sequence."""

    __tablename__ = "replies"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    #: "reply" to the customer on the network, or "handoff" to a department.
    kind: Mapped[str] = mapped_column(String(16), default="reply")
    text: Mapped[str] = mapped_column(Text)
    agent: Mapped[str] = mapped_column(String(200), default="")
    in_reply_to: Mapped[str | None] = mapped_column(String(300), nullable=True)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(nullable=True)
    composed_at: Mapped[datetime] = mapped_column()
    delivered_at: Mapped[datetime | None] = mapped_column(nullable=True)
    external_id: Mapped[str | None] = mapped_column(String(300), nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")
    #: The response clock this reply answered, captured at delivery for the reply log.
    clock_started_at: Mapped[datetime | None] = mapped_column(nullable=True)
    clock_due_at: Mapped[datetime | None] = mapped_column(nullable=True)
    #: When the current attempt went out (state ``sending``): settles crashes.
    sending_at: Mapped[datetime | None] = mapped_column(nullable=True)
    #: The desk that claimed the current attempt (a poll-lease holder; NULL: unknown).
    sending_by: Mapped[str | None] = mapped_column(String(200), nullable=True)

    __table_args__ = (Index(None, "state", "next_attempt_at"),)


class Event(Base):
    """Append-only log of everything that happened to a case."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column()
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(200), default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (Index(None, "case_id", "id"), Index(None, "kind", "at"))


class Rule(Base):
    __tablename__ = "rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The rule's stable id (``Rule.id`` in the domain, ``id`` in a rule file); routing (0003).
    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Evaluation goes on to the next rule after a match when set.
    continue_matching: Mapped[bool] = mapped_column(Boolean, default=False)
    conditions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Template(Base):
    __tablename__ = "templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    body: Mapped[str] = mapped_column(Text)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), nullable=True
    )


class Quarantine(Base):
    """A payload a connector could not parse, kept with the reason, never dropped."""

    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    stream: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column()


class Draft(Base):
    """The reply an agent is writing in a case, saved as they type (debounced)
    so neither a crash nor quitting loses it; deleted in the same transaction
    that queues the reply. One per case: the desk has one composer per case."""

    __tablename__ = "drafts"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column()


# --- handoff ------------------------------------------------------------------


class Handoff(Base):
    """A case handed to a department (DESIGN.md: handoffs go through the outbox).

    The delivery itself is a ``replies`` row with kind ``handoff`` and the same
    id (the idempotency key: the webhook's ``Idempotency-Key``, the email's
    ``Message-ID``), so it shares the outbox's states, retries and crash
    settling. This row holds what the outbox row cannot: the department, the
    payload frozen when the agent queued it (a resend after a crash carries
    exactly the same content) and the department's own clock — due by the
    department's first-response target, stopped when its answer is recorded.
    """

    __tablename__ = "handoffs"

    id: Mapped[str] = mapped_column(
        String(36), ForeignKey("replies.id", ondelete="CASCADE"), primary_key=True
    )
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), nullable=True
    )
    #: Kept as written at hand-off time: a renamed or deleted department keeps its history.
    department_name: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    queued_at: Mapped[datetime] = mapped_column()
    due_at: Mapped[datetime | None] = mapped_column(nullable=True)
    warn_at: Mapped[datetime | None] = mapped_column(nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(nullable=True)


# --- clusters ---
class Cluster(Base):
    """Near-identical texts across accounts and networks (a flood, a campaign),
    answered, routed or marked spam in one action. Members are the
    :class:`CaseFingerprint` rows pointing here; counts are read live."""

    __tablename__ = "clusters"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column()
    #: Network times of the earliest and latest member.
    first_at: Mapped[datetime] = mapped_column()
    last_at: Mapped[datetime] = mapped_column(index=True)
    #: The first member's text, as the customer wrote it.
    sample_text: Mapped[str] = mapped_column(Text, default="")


class CaseFingerprint(Base):
    """A case as clustering and the crisis check examined it, once, when it was
    new: its normalised text, LSH band keys, negative tone and cluster.
    Rows of unclustered cases are pruned once out of every window."""

    __tablename__ = "case_fingerprints"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    cluster_id: Mapped[int | None] = mapped_column(
        ForeignKey("clusters.id", ondelete="SET NULL"), nullable=True, index=True
    )
    #: Network time of the case's last inbound message when examined.
    at: Mapped[datetime] = mapped_column(index=True)
    #: ``smm_desk.domain.clusters.normalize``; "" when too short to cluster.
    text_key: Mapped[str] = mapped_column(Text, default="")
    bands: Mapped[list[str]] = mapped_column(JSON, default=list)
    negative: Mapped[bool] = mapped_column(Boolean, default=False)


# --- routing ------------------------------------------------------------------


class RoutingList(Base):
    """The VIP list, the block list and the extra negative-tone terms the rules
    see (``kind``: vip, blocked, negative_terms), one entry a row, in the order
    the user gave them."""

    __tablename__ = "routing_lists"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(300), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
