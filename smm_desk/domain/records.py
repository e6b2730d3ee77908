"""Plain records that cross layer boundaries.

Connectors produce :class:`IncomingMessage`; the store threads them into cases.
Nothing here knows about SQL, Qt or HTTP: the records are frozen dataclasses and
string enums whose values are what the database and the JSON interfaces carry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from smm_desk.domain.enums import CaseStatus, Direction

__all__ = [
    "AccountStatus",
    "CaseStatus",
    "Direction",
    "EventKind",
    "IncomingMessage",
    "MessageKind",
    "NETWORKS",
    "NETWORK_LABELS",
    "Priority",
    "ReplyState",
    "require_utc",
]

#: Every network SMM Desk speaks; the value is what ``accounts add NETWORK`` takes.
NETWORKS: tuple[str, ...] = (
    "telegram",
    "vk",
    "mastodon",
    "facebook",
    "instagram",
    "x",
    "youtube",
    "bluesky",
    "reddit",
    "email",
)


#: How each network is named to a person (the UI translates the generic ones).
NETWORK_LABELS: dict[str, str] = {
    "telegram": "Telegram", "vk": "VK", "mastodon": "Mastodon", "facebook": "Facebook",
    "instagram": "Instagram", "x": "X", "youtube": "YouTube", "bluesky": "Bluesky",
    "reddit": "Reddit", "email": "Email",
}


class AccountStatus(StrEnum):
    OK = "ok"
    NEEDS_AUTH = "needs_auth"
    RATE_LIMITED = "rate_limited"
    ERROR = "error"
    PAUSED = "paused"


class MessageKind(StrEnum):
    COMMENT = "comment"
    REPLY = "reply"
    MENTION = "mention"
    DM = "dm"
    REVIEW = "review"
    NOTE = "note"  # internal note (e.g. a department's answer); never sent to the network


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class ReplyState(StrEnum):
    """Outbox states. ``uncertain`` is a send whose outcome is unknown after a crash
    on a network without idempotency keys: a person must check before any resend."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNCERTAIN = "uncertain"


class EventKind(StrEnum):
    INGESTED = "ingested"
    ROUTED = "routed"
    ASSIGNED = "assigned"
    STATUS_CHANGED = "status_changed"
    PRIORITY_CHANGED = "priority_changed"
    TAGGED = "tagged"
    NOTE = "note"
    REPLY_QUEUED = "reply_queued"
    REPLY_SENT = "reply_sent"
    REPLY_FAILED = "reply_failed"
    REPLY_UNCERTAIN = "reply_uncertain"
    SLA_WARNING = "sla_warning"
    SLA_BREACHED = "sla_breached"
    RESOLUTION_WARNING = "resolution_warning"
    RESOLUTION_BREACHED = "resolution_breached"
    DEPARTMENT_WARNING = "department_warning"
    DEPARTMENT_BREACHED = "department_breached"
    HANDOFF_SENT = "handoff_sent"
    HANDOFF_FAILED = "handoff_failed"
    CLUSTERED = "clustered"
    CRISIS_ALERT = "crisis_alert"


def require_utc(value: datetime, what: str = "datetime") -> datetime:
    """Return ``value`` converted to UTC; refuse naive datetimes (they hide bugs)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {value!r}")
    return value.astimezone(UTC)


@dataclass(frozen=True)
class IncomingMessage:
    """One message as a connector read it from a network, ready for threading.

    ``thread_key`` groups messages into one case within an account: a DM
    conversation (``dm:<chat>``) or a top-level comment thread with one customer
    (``comment:<post>:<customer>``). ``created_at`` is the network's own time,
    which the SLA clock starts from; arrival time is stamped by the store.
    """

    external_id: str
    thread_key: str
    direction: Direction
    kind: MessageKind
    text: str
    created_at: datetime
    author_id: str = ""
    author_name: str = ""
    parent_external_id: str | None = None
    post_external_id: str | None = None
    permalink: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.external_id:
            raise ValueError("external_id is required")
        if not self.thread_key:
            raise ValueError("thread_key is required")
        object.__setattr__(self, "created_at", require_utc(self.created_at, "created_at"))
