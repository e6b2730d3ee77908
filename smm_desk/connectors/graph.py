"""Meta's Graph API wire rules, shared by the Facebook and Instagram connectors.

Facts and sources: ``/work/shared/networks/facebook.md`` and ``instagram.md``.
Pure functions and records only (no requests): Graph ids and times, the
high-water cursor, the usage headers, the error object, paging, and the
Conversations API message. :mod:`smm_desk.connectors.meta` drives them.

Errors (<https://developers.facebook.com/docs/graph-api/guides/error-handling>)
    ``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``,
    usually with HTTP 400/403 — so the *code* decides, never the status:
    190 (and 102) → ``AuthError`` (expired, revoked, password changed…);
    4, 17, 32, 341, 613, 80000–80014 → ``RateLimited``; 1, 2 → ``TransientError``;
    10 and 200–299 (permission missing) → ``AuthError`` on reads (only a new
    sign-in with the permission helps) and ``PermanentError`` on writes (that
    reply is refused: 10/2018278 is "outside the allowed window"); everything
    else (100, 368, 506, 551…) → ``PermanentError`` with Meta's own message.

Throttling *before* the limit
(<https://developers.facebook.com/docs/graph-api/overview/rate-limiting>)
    Every answer may carry ``X-App-Usage`` / ``X-Page-Usage``
    (``{"call_count", "total_time", "total_cputime"}``, percent of the limit)
    and ``X-Business-Use-Case-Usage`` (``{"<id>": [{"type", "call_count",
    "total_time", "total_cputime", "estimated_time_to_regain_access"}]}``, the
    last in minutes; Page and Instagram tokens fall under it). After each
    answer the highest figure decides: an ``estimated_time_to_regain_access``
    above 0 blocks the account that long; usage ≥ 90 % blocks it 5 minutes
    (the platform window rolls over an hour, so a pause frees room), ≥ 100 %
    15 minutes. While blocked, requests raise ``RateLimited`` without being
    sent. A throttling error without an estimate waits 15 minutes. Waits are
    clamped to 1 s – 24 h.

Paging (<https://developers.facebook.com/docs/graph-api/results>)
    ``paging.cursors.after`` is followed while ``paging.next`` exists (a short
    page is not the end); ``next`` URLs themselves are never fetched (they
    carry the token and another host). Cursors are never stored: they expire
    when items change.

Resume
    A stream's cursor is JSON ``{"hw": <unix second>, "seen": [ids]}``: the
    newest item time handed to the store, and the ids handed at exactly that
    second (Graph times have whole seconds, so a later item may share it).
    An item is new when it is later than ``hw``, or at ``hw`` and not in
    ``seen``. Every id at that second is kept (up to :data:`SEEN_LIMIT`, far
    above any real burst; past it an id may be handed again, which the store's
    dedup absorbs — never lost). Without a cursor, a stream reaches back
    :data:`FIRST_RUN_LOOKBACK` (what can still be answered), and that horizon
    is recorded even when the first poll finds nothing, so a later poll is
    never a first run again. A fetch hands over *every* new item it read
    (oldest first): the high-water mark only moves once all that lies above it
    was read, so no page or item cap can push it past unread items.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from smm_desk.connectors.base import Quarantined
from smm_desk.connectors.errors import (
    AuthError,
    BadPayload,
    PermanentError,
    RateLimited,
    TransientError,
)
from smm_desk.domain.enums import Direction
from smm_desk.domain.records import IncomingMessage, MessageKind
from smm_desk.domain.text import clean_text

GRAPH_VERSION = "v25.0"
GRAPH_HOST = "https://graph.facebook.com"
THROTTLE_AT = 90.0
PAUSE_NEAR_LIMIT = 300.0
PAUSE_AT_LIMIT = 900.0
DEFAULT_THROTTLE_WAIT = 900.0
MIN_WAIT, MAX_WAIT = 1.0, 86_400.0
SEEN_LIMIT = 50_000
FIRST_RUN_LOOKBACK = timedelta(days=7)
#: How often Facebook and Instagram walk past the newest posts or media, looking for
#: comments on older ones (their listings are in order of creation), and the
#: cursor's note of when the last complete deep walk began (Unix second).
DEEP_SCAN_EVERY = timedelta(minutes=15)
DEEP_SCAN_KEY = "deep_scan_at"
STANDARD_WINDOW = timedelta(hours=24)
HUMAN_AGENT_WINDOW = timedelta(days=7)

RATE_CODES = frozenset({4, 17, 32, 341, 613, *range(80000, 80015)})
AUTH_CODES = frozenset({102, 190})
TRANSIENT_CODES = frozenset({1, 2})
PERMISSION_CODES = frozenset({10, *range(200, 300)})
WINDOW_SUBCODES = frozenset({2018278, 2534022})

_PATH_ID = re.compile(r"[A-Za-z0-9_.:=-]{1,256}")
_ID = re.compile(r"[A-Za-z0-9_.:=+/-]{1,256}")
_VERSION = re.compile(r"v\d{1,3}\.\d{1,2}")
_USAGE_KEYS = ("call_count", "total_time", "total_cputime")


class Malformed(ValueError):
    """An item that cannot become a message; the text is the quarantine reason."""


# -- small parsers -------------------------------------------------------------------


def as_id(value: Any, what: str, *, path: bool = False) -> str:
    """A Graph id (numeric ids may come as JSON numbers)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    if isinstance(value, str) and (_PATH_ID if path else _ID).fullmatch(value):
        return value
    raise Malformed(f"{what} is missing or not a valid id")


def path_id(value: Any, what: str) -> str:
    """An id that goes into a URL path, or PermanentError (never a stray slash)."""
    try:
        return as_id(value, what, path=True)
    except Malformed:
        raise PermanentError(f"cannot reply: the {what} is unknown") from None


def parse_time(value: Any, what: str = "created_time") -> datetime:
    """Graph times: "2025-01-02T10:15:22+0000", ISO 8601 with Z, or a unix time."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            raise Malformed(f"{what} is out of range") from None
    if not isinstance(value, str) or not value.strip():
        raise Malformed(f"{what} is missing")
    text = value.strip()
    if text.isdigit():
        return parse_time(int(text), what)
    try:
        # Python 3.11's fromisoformat reads Graph's "+0000" and "Z" itself, at a
        # tenth of strptime's cost (every comment and message carries a time).
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z")
        except ValueError:
            raise Malformed(f"{what} is not a time") from None
    if parsed.tzinfo is None:
        raise Malformed(f"{what} has no time zone")
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        raise Malformed(f"{what} is out of range") from None


def graph_time(at: datetime) -> str:
    """Our times in Graph's own form (for ``extra``)."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def second(at: datetime) -> int:
    return int(at.timestamp())


def quarantine(item: Any, reason: str) -> Quarantined:
    try:
        raw = json.dumps(item, ensure_ascii=True)[:100_000]
    except (TypeError, ValueError):
        raw = repr(item)[:100_000]
    return Quarantined(raw=raw, reason=reason)


def person(raw: Any) -> tuple[str, str]:
    """``from``-style objects: (id, name or username)."""
    if not isinstance(raw, dict):
        raise Malformed("the author (from) is missing")
    author_id = as_id(raw.get("id"), "author id")
    name = raw.get("name") if isinstance(raw.get("name"), str) else raw.get("username")
    return author_id, clean_text(name, 200) if isinstance(name, str) else ""


def comparable(text: str) -> str:
    """Text as compared when looking a reply up (whitespace folded, case ignored)."""
    return " ".join(clean_text(text).split()).casefold()


# -- the high-water cursor ---------------------------------------------------------------


@dataclass(frozen=True)
class HighWater:
    time: int | None = None
    seen: frozenset[str] = frozenset()
    #: Per-stream extras a connector keeps (Instagram: comment counts per media).
    extra: tuple[tuple[str, int], ...] = ()

    @classmethod
    def load(cls, raw: str | None) -> HighWater:
        if not raw:
            return cls()
        try:
            body = json.loads(raw)
        except ValueError:
            return cls()
        if not isinstance(body, dict):
            return cls()
        hw = body.get("hw")
        seen = body.get("seen")
        extra = body.get("counts")
        return cls(
            hw if isinstance(hw, int) and not isinstance(hw, bool) else None,
            frozenset(s for s in seen if isinstance(s, str)) if isinstance(seen, list)
            else frozenset(),
            tuple((k, v) for k, v in extra.items() if isinstance(k, str) and isinstance(v, int)
                  and not isinstance(v, bool)) if isinstance(extra, dict) else ())

    def dump(self) -> str:
        body: dict[str, Any] = {"hw": self.time, "seen": sorted(self.seen)}
        if self.extra:
            body["counts"] = dict(self.extra)
        return json.dumps(body, separators=(",", ":"))

    def horizon(self, now: datetime) -> int:
        """Items older than this second are not read at all."""
        if self.time is not None:
            return self.time
        return second(now - FIRST_RUN_LOOKBACK)

    def is_new(self, at: datetime, item_id: str, now: datetime) -> bool:
        t = second(at)
        if self.time is None:
            return t >= self.horizon(now)
        return t > self.time or (t == self.time and item_id not in self.seen)

    def advance(self, handed: Iterable[tuple[datetime, str]]) -> HighWater:
        time, seen = self.time, set(self.seen)
        for at, item_id in handed:
            t = second(at)
            if time is None or t > time:
                time, seen = t, {item_id}
            elif t == time:
                seen.add(item_id)
        if len(seen) > SEEN_LIMIT:
            seen = set(sorted(seen)[-SEEN_LIMIT:])
        return replace(self, time=time, seen=frozenset(seen))

    def settled(self, now: datetime) -> HighWater:
        """This mark, with a first run's horizon recorded when nothing was found."""
        return self if self.time is not None else replace(self, time=self.horizon(now))


def deep_walk_due(since: int, now: datetime) -> bool:
    """Whether the deep walk that last began at ``since`` (Unix second) is due again."""
    return second(now) - since >= DEEP_SCAN_EVERY.total_seconds()


def split_late(items: list[tuple[datetime, str, Any]], hw: HighWater,
               now: datetime) -> tuple[list[tuple[datetime, str, Any]], list[Any]]:
    """What a deep walk found: the items above the high-water mark (handed as any
    new item, through :func:`take_new`) and, once each, those below it (handed
    late as they are: the store keeps each id once)."""
    new = [item for item in items if hw.is_new(item[0], item[1], now)]
    late = {item[1]: item[2] for item in items if not hw.is_new(item[0], item[1], now)}
    return new, list(late.values())


def take_new(items: list[tuple[datetime, str, Any]], hw: HighWater,
             now: datetime) -> list[tuple[datetime, str, Any]]:
    """Every new item, once, oldest first."""
    unique: dict[str, tuple[datetime, str, Any]] = {}
    for item in items:
        if hw.is_new(item[0], item[1], now):
            unique.setdefault(item[1], item)
    return sorted(unique.values(), key=lambda i: (second(i[0]), i[1]))


# -- usage headers and errors ---------------------------------------------------------------


def _json_header(response: httpx.Response, name: str) -> Any:
    value = response.headers.get(name)
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def _percent(entry: Any) -> float:
    if not isinstance(entry, dict):
        return 0.0
    best = 0.0
    for key in _USAGE_KEYS:
        value = entry.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and value == value:
            best = max(best, float(value))
    return best


def usage(response: httpx.Response) -> tuple[float, float]:
    """(highest usage percent, seconds until access returns) from the usage headers."""
    top = max(_percent(_json_header(response, "X-App-Usage")),
              _percent(_json_header(response, "X-Page-Usage")))
    eta = 0.0
    buc = _json_header(response, "X-Business-Use-Case-Usage")
    if isinstance(buc, dict):
        for entries in buc.values():
            for entry in entries if isinstance(entries, list) else []:
                top = max(top, _percent(entry))
                minutes = entry.get("estimated_time_to_regain_access") if isinstance(
                    entry, dict) else None
                if isinstance(minutes, int | float) and not isinstance(minutes, bool) \
                        and minutes == minutes and minutes > 0:
                    eta = max(eta, float(minutes) * 60.0)
    return top, eta


@dataclass(frozen=True)
class GraphError:
    code: int | None
    subcode: int | None
    message: str
    type: str


def graph_error(response: httpx.Response) -> GraphError | None:
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None

    def number(value: Any) -> int | None:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        return None
    message = error.get("message")
    kind = error.get("type")
    return GraphError(number(error.get("code")), number(error.get("error_subcode")),
                      clean_text(message, 300) if isinstance(message, str) else "",
                      kind if isinstance(kind, str) else "")


def clamp(wait: float) -> float:
    return min(MAX_WAIT, max(MIN_WAIT, wait))


def pause_for(percent: float, eta: float) -> float:
    """Seconds to stay away after an answer with these usage figures (0 = none)."""
    if eta > 0:
        return clamp(eta)
    if percent >= 100:
        return PAUSE_AT_LIMIT
    if percent >= THROTTLE_AT:
        return PAUSE_NEAR_LIMIT
    return 0.0


def raise_graph_error(where: str, error: GraphError, status: int, *, write: bool,
                      eta: float) -> None:
    """Turn a Graph error object into the project's exception."""
    code, said = error.code, error.message or error.type or f"HTTP {status}"
    label = f"{where}: Graph error {code}" + (f"/{error.subcode}" if error.subcode else "")
    if code in AUTH_CODES or (code is None and status == 401):
        raise AuthError(f"{label}: {said}", network_message=said, status=status)
    if code in RATE_CODES:
        wait = clamp(eta) if eta > 0 else DEFAULT_THROTTLE_WAIT
        raise RateLimited(f"{label}: throttled, retry in {wait:.0f} s", wait,
                          network_message=said, status=status)
    if code in TRANSIENT_CODES:
        raise TransientError(f"{label}: {said}", maybe_delivered=write,
                             network_message=said, status=status)
    if code in PERMISSION_CODES and not write:
        raise AuthError(f"{label}: permission missing: {said}", network_message=said,
                        status=status)
    if code is None and status >= 500:
        raise TransientError(f"{label}: {said}", maybe_delivered=write and status != 503,
                             network_message=said, status=status)
    raise PermanentError(f"{label}: {said}", network_message=said, status=status)


def is_window_error(exc: PermanentError) -> bool:
    return getattr(exc, "graph_subcode", None) in WINDOW_SUBCODES


# -- messages ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GraphMessage:
    id: str
    created: datetime
    from_id: str
    from_name: str
    to_ids: tuple[str, ...]
    text: str


def parse_message(raw: Any) -> GraphMessage:
    """A Conversations API message. Raises :class:`Malformed`."""
    if not isinstance(raw, dict):
        raise Malformed("message is not a JSON object")
    message_id = as_id(raw.get("id"), "message id")
    from_id, from_name = person(raw.get("from"))
    to_ids: list[str] = []
    to = raw.get("to")
    listed = to.get("data") if isinstance(to, dict) else None
    for item in listed if isinstance(listed, list) else []:
        try:
            to_ids.append(person(item)[0])
        except Malformed:
            continue
    text = clean_text(raw.get("message")) if isinstance(raw.get("message"), str) else ""
    if not text:
        text = "[attachment or non-text message]"
    return GraphMessage(message_id, parse_time(raw.get("created_time")), from_id, from_name,
                        tuple(to_ids), text)


def dm_message(conversation: str, msg: GraphMessage, brand_ids: frozenset[str],
               brand_name: str) -> IncomingMessage:
    """A conversation message as a record: OUTBOUND when the brand wrote it."""
    outbound = msg.from_id in brand_ids
    if outbound:
        customer = next((t for t in msg.to_ids if t not in brand_ids), "")
        if not customer:
            raise Malformed("the brand's message names no recipient")
    else:
        customer = msg.from_id
    extra = {"conversation_id": conversation, "recipient_id": customer,
             "message_id": msg.id, "created_time": graph_time(msg.created)}
    return IncomingMessage(
        external_id=msg.id, thread_key=f"dm:{conversation}",
        direction=Direction.OUTBOUND if outbound else Direction.INBOUND, kind=MessageKind.DM,
        text=msg.text, created_at=msg.created, author_id=msg.from_id,
        author_name=msg.from_name or (brand_name if outbound else msg.from_id), extra=extra)


def items_of(body: Any, where: str) -> list[Any]:
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise BadPayload(f"{where}: expected a Graph list ({{\"data\": [...]}})")
    return list(body["data"])


def next_after(body: Any) -> str | None:
    """The ``after`` cursor, only when ``paging.next`` says there is more."""
    paging = body.get("paging") if isinstance(body, dict) else None
    if not isinstance(paging, dict) or not paging.get("next"):
        return None
    cursors = paging.get("cursors")
    after = cursors.get("after") if isinstance(cursors, dict) else None
    return after if isinstance(after, str) and after else None
