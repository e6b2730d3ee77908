"""What every connector is: the interface, its records, and the registry.

A connector turns one network's wire format into domain records and a reply
into that network's request. It knows nothing of the store or Qt; the sync
engine drives it:

* ``fetch(stream, cursor, wait)`` → :class:`FetchResult`: new messages (both
  directions: the brand's own answers made in the native app stop the clock),
  the next cursor, and the items it could not parse (quarantined with a reason).
  ``wait`` is how long a long poll may hold (0 for ``sync --once``).
* ``send(reply)`` → :class:`Delivery` (the network's id for the posted reply).
* ``idempotency`` says how a send with an unknown outcome is settled after a
  crash: ``KEY`` — resend with the same key, the network drops the repeat;
  ``LOOKUP`` — look for the reply among the account's own messages first
  (``find_delivered``); ``NONE`` — a person must check.
* ``reply_window`` tells whether the network still lets us answer a case.
* ``options_help`` lists the ``--option KEY=VALUE`` pairs ``accounts add``
  takes for the network; ``oauth`` (connectors/oauth.py) says how to connect
  it through the browser, where the network offers OAuth.

Thread keys (one case each): ``dm:<conversation>`` for direct messages and
``comment:<post>:<customer>`` for a customer's comments under one post, so a
busy post with many commenters gives one case per customer.
"""

from __future__ import annotations

import abc
import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar

import httpx

from smm_desk.connectors.credentials import Credentials, MemoryCredentials
from smm_desk.connectors.http import HttpClient
from smm_desk.connectors.oauth import OAuthProvider
from smm_desk.domain.records import IncomingMessage


class Idempotency(StrEnum):
    KEY = "key"
    LOOKUP = "lookup"
    NONE = "none"


@dataclass(frozen=True)
class Quarantined:
    """An item the connector could not turn into a record."""

    raw: str
    reason: str


@dataclass(frozen=True)
class FetchResult:
    messages: list[IncomingMessage]
    #: Cursor to store with these messages; None keeps the stored one.
    cursor: str | None
    quarantined: list[Quarantined] = field(default_factory=list)
    #: True when the network has more right now (page through before waiting).
    more: bool = False


@dataclass(frozen=True)
class ReplyTarget:
    """What a connector needs to address a reply: the message answered (with
    the routing details its connector put in ``extra`` when it was fetched)."""

    thread_key: str
    case_kind: str
    external_id: str | None
    author_id: str
    author_name: str
    post_external_id: str | None
    extra: Mapping[str, str]


@dataclass(frozen=True)
class OutgoingReply:
    #: The outbox id: the idempotency key where the network honours one.
    reply_id: str
    text: str
    target: ReplyTarget


@dataclass(frozen=True)
class Delivery:
    external_id: str
    delivered_at: datetime
    #: The network's answer, kept for diagnostics.
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReplyWindow:
    """Whether a reply may still be sent, and until when (None = no limit)."""

    open: bool
    closes_at: datetime | None = None
    note: str = ""


@dataclass(frozen=True)
class AccountConfig:
    """The part of an account a connector sees (never the database row)."""

    id: int
    network: str
    name: str
    base_url: str | None
    options: Mapping[str, str] = field(default_factory=dict)


Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Connector(abc.ABC):
    network: ClassVar[str]
    default_base_url: ClassVar[str]
    idempotency: ClassVar[Idempotency]
    streams: ClassVar[tuple[str, ...]]
    #: True when fetching the next page confirms the previous one to the network
    #: (Telegram's getUpdates offset): each page must then be stored before the
    #: next fetch. Otherwise the engine stores several ready pages in one go.
    confirms_on_fetch: ClassVar[bool] = False
    #: ``--option`` keys the network takes: key -> what it is (shown by ``accounts add --help``).
    options_help: ClassVar[Mapping[str, str]] = {}
    #: Browser sign-in (connectors/oauth.py), for networks that offer OAuth.
    oauth: ClassVar[OAuthProvider | None] = None
    #: How long the network remembers an idempotency key (None = for good).
    #: Past it, a doubtful send is settled by look-up instead of a resend.
    key_lifetime: ClassVar[timedelta | None] = None

    def __init__(
        self,
        account: AccountConfig,
        token: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock = utc_now,
        http: HttpClient | None = None,
        credentials: Credentials | None = None,
    ) -> None:
        self.account = account
        self.clock = clock
        self._token = token
        #: Every secret of the account (see connectors/credentials.py); ``token`` is one.
        self.credentials: Credentials = credentials or MemoryCredentials({"token": token})
        self.http = http or HttpClient(
            account.base_url or self.default_base_url,
            secrets=[token],
            transport=transport,
            headers=self.auth_headers(token),
        )

    def auth_headers(self, token: str) -> dict[str, str]:
        """Headers that carry the token, for networks that use a header."""
        del token
        return {}

    @property
    def redact(self) -> Callable[[object], str]:
        return self.http.redact

    @abc.abstractmethod
    async def fetch(self, stream: str, cursor: str | None, *, wait: float) -> FetchResult:
        """New messages since ``cursor`` on ``stream``."""

    @abc.abstractmethod
    async def send(self, reply: OutgoingReply) -> Delivery:
        """Post ``reply``; raise a ConnectorError on failure."""

    async def find_delivered(self, reply: OutgoingReply) -> Delivery | None:
        """For ``LOOKUP`` networks: the reply if the network already has it."""
        del reply
        return None

    def reply_window(self, case_kind: str, last_inbound_at: datetime | None,
                     now: datetime) -> ReplyWindow:
        del case_kind, last_inbound_at, now
        return ReplyWindow(open=True)

    def status_note(self) -> str:
        """One line for the account's status while it is fine (e.g. YouTube's
        quota left today); the engine stores it as the status detail."""
        return ""

    async def aclose(self) -> None:
        await self.http.aclose()


_REGISTRY: dict[str, type[Connector]] = {}


def register(cls: type[Connector]) -> type[Connector]:
    """Class decorator: make a connector available by its network name."""
    if cls.network in _REGISTRY and _REGISTRY[cls.network] is not cls:
        raise ValueError(f"two connectors claim {cls.network!r}")
    _REGISTRY[cls.network] = cls
    return cls


def connector_class(network: str) -> type[Connector]:
    """The connector for ``network``; its module ``smm_desk.connectors.<network>``
    is imported on first use and registers itself with :func:`register`."""
    if network not in _REGISTRY:
        try:
            importlib.import_module(f"smm_desk.connectors.{network}")
        except ModuleNotFoundError as exc:
            if exc.name != f"smm_desk.connectors.{network}":
                raise
    try:
        return _REGISTRY[network]
    except KeyError:
        raise KeyError(f"no connector for {network!r} yet") from None


def available_networks(candidates: Iterable[str]) -> tuple[str, ...]:
    """Those of ``candidates`` that have a connector."""
    found = []
    for network in candidates:
        try:
            connector_class(network)
        except KeyError:
            continue
        found.append(network)
    return tuple(found)


def window_for_hours(last_inbound_at: datetime | None, now: datetime, hours: float,
                     note: str) -> ReplyWindow:
    """A reply window of ``hours`` after the customer's last message."""
    if last_inbound_at is None:
        return ReplyWindow(open=False, note=note)
    closes = last_inbound_at + timedelta(hours=hours)
    return ReplyWindow(open=now < closes, closes_at=closes, note=note)
