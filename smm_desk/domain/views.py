"""Read-only views the store hands upward (CLI, app services, UI).

Plain frozen dataclasses, so nothing above the store holds a live ORM object or
a database session, and every time is aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class AccountView:
    id: int
    network: str
    name: str
    base_url: str | None
    options: dict[str, str]
    status: str
    status_detail: str
    retry_at: datetime | None
    last_sync_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class DepartmentView:
    id: int
    name: str
    position: int
    sla_policy: str | None
    first_response_s: int | None


@dataclass(frozen=True)
class CaseView:
    id: int
    network: str
    account_id: int
    account: str
    kind: str
    status: str
    department: str | None
    priority: str
    assignee: str | None
    tags: tuple[str, ...]
    customer: str
    customer_id: str
    last_inbound_text: str
    last_inbound_at: datetime | None
    last_message_at: datetime | None
    opened_at: datetime
    #: created_at of the oldest unanswered inbound message (the clock's start).
    waiting_since: datetime | None
    response_due_at: datetime | None
    sla_target: str | None
    #: ok / warning / breached, judged at the time the view was made; None = no clock.
    sla_state: str | None
    resolution_due_at: datetime | None


@dataclass(frozen=True)
class MessageView:
    id: int
    external_id: str
    direction: str
    kind: str
    author_id: str
    author_name: str
    text: str
    created_at: datetime
    received_at: datetime
    parent_external_id: str | None
    post_external_id: str | None
    permalink: str | None


@dataclass(frozen=True)
class EventView:
    id: int
    at: datetime
    kind: str
    actor: str
    data: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class ReplyView:
    id: str
    case_id: int
    kind: str
    text: str
    agent: str
    state: str
    attempts: int
    composed_at: datetime
    delivered_at: datetime | None
    external_id: str | None
    error: str
    #: The current attempt (state ``sending``): when it went out and which desk sent it.
    sending_at: datetime | None = None
    sending_by: str | None = None


@dataclass(frozen=True)
class CaseDetail:
    case: CaseView
    messages: tuple[MessageView, ...]
    events: tuple[EventView, ...]
    replies: tuple[ReplyView, ...]


@dataclass(frozen=True)
class ReplyLogRow:
    reply_id: str
    case_id: int
    network: str
    account: str
    customer: str
    agent: str
    department: str | None
    composed_at: datetime
    delivered_at: datetime | None
    #: From the start of the clock the reply answered to its delivery; None if undelivered.
    response_seconds: float | None
    #: Whether that delivery beat the due time the case had when the reply was composed.
    sla_met: bool | None
    state: str


@dataclass(frozen=True)
class ReplyTargetView:
    """Everything the sync engine needs to address one outbox entry."""

    reply_id: str
    case_id: int
    account_id: int
    network: str
    kind: str
    text: str
    state: str
    composed_at: datetime
    sending_at: datetime | None
    thread_key: str
    case_kind: str
    customer_id: str
    customer_name: str
    post_external_id: str | None
    last_inbound_at: datetime | None
    #: The message answered (the customer's latest when the reply was written).
    in_reply_to: str | None
    target_author_id: str
    target_author_name: str
    target_extra: dict[str, str]


@dataclass(frozen=True)
class QuarantineView:
    id: int
    account_id: int
    stream: str
    reason: str
    raw: str
    at: datetime


@dataclass(frozen=True)
class TemplateView:
    id: int
    name: str
    body: str
    #: The department the template is meant for, if any (all templates are offered).
    department: str | None


@dataclass(frozen=True)
class CaseStamp:
    """Changes whenever anything shown in a case view changes."""

    updated_at: datetime
    status: str
    last_event_id: int
    last_message_id: int
    #: (reply id, state, attempts, error) of each reply, oldest first.
    replies: tuple[tuple[str, str, int, str], ...]
