"""Reddit wire parsing: Listings of ``t1``/``t4`` things → records, and the
cursor of a walk back through a newest-first listing.

Pure functions over JSON values (no I/O), split from
:mod:`smm_desk.connectors.reddit`, whose docstring describes the wire facts and
the walk. Every parser returns a record or a quarantine entry and never raises
for any JSON value (fuzzed in tests/connectors/test_reddit.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from smm_desk.connectors.base import Quarantined
from smm_desk.connectors.errors import BadPayload
from smm_desk.connectors.http import DEFAULT_RATE_LIMIT_WAIT, utc_from_timestamp
from smm_desk.domain.enums import Direction
from smm_desk.domain.records import IncomingMessage, MessageKind
from smm_desk.domain.text import clean_text

PAGE_LIMIT = 100
SEEN_KEEP = 300
#: A page entirely this much older than the walk's mark ends it even if no seen name was met.
MARGIN = 600.0
#: Reddit lists at most this many items of any listing (r/redditdev API FAQ).
LISTING_CAP = 1000
#: Listings a walk reads, by the name the cursor stores.
LISTINGS = {"inbox": "/message/inbox", "messages": "/message/messages",
            "comments": "/message/comments", "selfreply": "/message/selfreply",
            "mentions": "/message/mentions", "own": ""}
#: Where the inbox's items are listed again by kind, each with its own 1,000.
INBOX_PARTS = ("messages", "comments", "selfreply", "mentions")
#: Fresh starts from the top when the item a walk pages after has vanished.
MAX_RESTARTS = 3
MIN_WAIT, MAX_WAIT = 1.0, 3600.0
_FULLNAME = re.compile(r"t[1-6]_[a-z0-9]{1,16}")
_USER = re.compile(r"[A-Za-z0-9_-]{1,40}")
_WAIT_WORDS = re.compile(r"(\d+)\s*(hour|minute|min|second|sec)", re.IGNORECASE)


class _Malformed(ValueError):
    """An item that cannot become a message; the text is the quarantine reason."""


def _quarantine(item: Any, reason: str) -> Quarantined:
    try:
        raw = json.dumps(item, ensure_ascii=True)
    except (TypeError, ValueError):
        raw = repr(item)
    return Quarantined(raw=raw[:100_000], reason=reason)


def _fullname(value: Any, what: str) -> str:
    if isinstance(value, str) and _FULLNAME.fullmatch(value):
        return value
    raise _Malformed(f"{what} is missing or not a fullname")


def _user(value: Any) -> str:
    if isinstance(value, str) and _USER.fullmatch(value) and value != "[deleted]":
        return value
    raise _Malformed("author is missing or deleted")


def ratelimit_wait(message: str) -> float:
    """Seconds named by a RATELIMIT error ("Take a break for 5 minutes…")."""
    total = 0.0
    for number, unit in _WAIT_WORDS.findall(message):
        scale = {"h": 3600, "m": 60, "s": 1}[unit[0].lower()]
        total += int(number[:6]) * scale
    return min(MAX_WAIT, max(MIN_WAIT, total or DEFAULT_RATE_LIMIT_WAIT))


@dataclass(frozen=True)
class Item:
    """One child of a Listing: its fullname, time and what it became."""

    name: str
    created: float | None
    message: IncomingMessage | None = None
    bad: Quarantined | None = None
    #: Own comments: the fullname they answer (for the parents' authors).
    parent: str | None = None
    data: Mapping[str, Any] | None = None


def _created(data: Mapping[str, Any]) -> tuple[float, datetime]:
    value = data.get("created_utc")
    try:
        return float(value), utc_from_timestamp(value)  # type: ignore[arg-type]
    except (ValueError, OverflowError, OSError, TypeError):
        raise _Malformed("created_utc is missing or not a unix time") from None


def children(body: Any) -> tuple[list[Any], str | None]:
    """A Listing's children and its ``after``; BadPayload when it is no Listing."""
    data = body.get("data") if isinstance(body, dict) and body.get("kind") == "Listing" else None
    items = data.get("children") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise BadPayload("the answer is not a Listing")
    after = data.get("after") if isinstance(data, dict) else None
    return items, after if isinstance(after, str) and _FULLNAME.fullmatch(after) else None


def inbox_item(child: Any) -> Item:
    """An inbox child (t1 comment reply/mention, t4 private message)."""
    data = child.get("data") if isinstance(child, dict) else None
    if not isinstance(data, dict):
        return Item("", None, bad=_quarantine(child, "inbox item has no data"))
    raw_name = data.get("name")
    try:
        name = _fullname(raw_name, "name")
        created, at = _created(data)
    except _Malformed as exc:
        return Item(raw_name[:40] if isinstance(raw_name, str) else "", None,
                    bad=_quarantine(child, f"inbox item skipped: {exc}"))
    try:
        author = _user(data.get("author"))
        key = author.lower()
        body = data.get("body")
        text = body if isinstance(body, str) else ""
        kind = child.get("kind")
        if kind == "t1":
            link = _fullname(data.get("link_id"), "link_id")
            parent = data.get("parent_id")
            sub = data.get("subreddit")
            extra = {"thing_id": name, "author": author, "link_id": link,
                     "subreddit": sub if isinstance(sub, str) and _USER.fullmatch(sub) else ""}
            context = data.get("context")
            message = IncomingMessage(
                external_id=name, thread_key=f"comment:{link}:{key}",
                direction=Direction.INBOUND,
                kind=MessageKind.MENTION if data.get("type") == "username_mention"
                else MessageKind.COMMENT,
                text=clean_text(text), created_at=at, author_id=key, author_name=author,
                parent_external_id=parent if isinstance(parent, str)
                and _FULLNAME.fullmatch(parent) else None,
                post_external_id=link,
                permalink="https://www.reddit.com" + context if isinstance(context, str)
                and context.startswith("/") and len(context) < 2000 else None, extra=extra)
        elif kind == "t4":
            first = data.get("first_message_name")
            first = first if isinstance(first, str) and _FULLNAME.fullmatch(first) else ""
            subject = data.get("subject")
            if not first and isinstance(subject, str) and subject.strip():
                text = f"{subject.strip()}\n{text}"
            message = IncomingMessage(
                external_id=name, thread_key=f"dm:{key}", direction=Direction.INBOUND,
                kind=MessageKind.DM, text=clean_text(text), created_at=at, author_id=key,
                author_name=author, extra={"thing_id": name, "author": author,
                                           "first_message_name": first or name})
        else:
            raise _Malformed(f"unknown kind {str(kind)[:20]!r}")
    except (_Malformed, ValueError) as exc:
        return Item(name, created, bad=_quarantine(child, f"inbox item skipped: {exc}"))
    return Item(name, created, message)


def own_item(child: Any) -> Item:
    """One of the brand's comments: its message is built once the parent's author is known."""
    data = child.get("data") if isinstance(child, dict) else None
    if not isinstance(data, dict) or child.get("kind") != "t1":
        return Item("", None, bad=_quarantine(child, "own comment is not a t1"))
    raw_name = data.get("name")
    try:
        name = _fullname(raw_name, "name")
        created, _ = _created(data)
        parent = _fullname(data.get("parent_id"), "parent_id")
        _fullname(data.get("link_id"), "link_id")
    except _Malformed as exc:
        return Item(raw_name[:40] if isinstance(raw_name, str) else "", None,
                    bad=_quarantine(child, f"own comment skipped: {exc}"))
    return Item(name, created, parent=parent, data=data)


def own_message(item: Item, parent_author: str | None, me: str) -> IncomingMessage | None:
    """The brand's comment as OUTBOUND in the case of the customer it answers."""
    if item.data is None or parent_author is None or parent_author.lower() == me.lower():
        return None
    data = item.data
    link = str(data["link_id"])
    body = data.get("body")
    permalink = data.get("permalink")
    return IncomingMessage(
        external_id=item.name, thread_key=f"comment:{link}:{parent_author.lower()}",
        direction=Direction.OUTBOUND, kind=MessageKind.REPLY,
        text=clean_text(body if isinstance(body, str) else ""),
        created_at=utc_from_timestamp(item.created), author_id=me.lower(), author_name=me,
        parent_external_id=item.parent, post_external_id=link,
        permalink="https://www.reddit.com" + permalink if isinstance(permalink, str)
        and permalink.startswith("/") and len(permalink) < 2000 else None,
        extra={"thing_id": item.name, "author": parent_author, "link_id": link})


@dataclass
class Walk:
    """A walk back through one listing, in progress: where it is and what ends it."""

    listing: str
    after: str | None = None
    #: Fullnames read before the walk began: meeting one ends it.
    stop: tuple[str, ...] = ()
    #: The newest created_utc read before the walk began (None: no time mark).
    t: float | None = None
    #: Items listed so far (Reddit stops listing at LISTING_CAP).
    read: int = 0
    #: Listings still to walk with the same marks (the inbox's per-kind ones).
    queue: tuple[str, ...] = ()
    restarts: int = 0

    @classmethod
    def load(cls, data: Any) -> Walk | None:
        if not isinstance(data, dict) or data.get("l") not in LISTINGS:
            return None
        after, stop, t = data.get("after"), data.get("stop"), data.get("t")
        read, queue, restarts = data.get("read"), data.get("queue"), data.get("restarts")
        return cls(
            str(data["l"]),
            after if isinstance(after, str) and _FULLNAME.fullmatch(after) else None,
            tuple(n for n in stop if isinstance(n, str))[:SEEN_KEEP]
            if isinstance(stop, list) else (),
            _number(t),
            read if isinstance(read, int) and not isinstance(read, bool) else 0,
            tuple(q for q in queue if q in INBOX_PARTS) if isinstance(queue, list) else (),
            restarts if isinstance(restarts, int) and not isinstance(restarts, bool) else 0)

    def dump(self) -> dict[str, Any]:
        return {"l": self.listing, "after": self.after, "stop": list(self.stop),
                "t": self.t, "read": self.read, "queue": list(self.queue),
                "restarts": self.restarts}


@dataclass
class InboxCursor:
    seen: tuple[str, ...] = ()
    newest: float | None = None
    walk: Walk | None = None
    #: False only when there was no (readable) cursor: the first run.
    started: bool = False

    @classmethod
    def load(cls, raw: str | None) -> InboxCursor:
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            return cls()
        if not isinstance(data, dict) or not raw:
            return cls()
        seen = data.get("seen")
        return cls(tuple(s for s in seen if isinstance(s, str)) if isinstance(seen, list)
                   else (), _number(data.get("t")), Walk.load(data.get("walk")), True)

    def dump(self) -> str:
        data: dict[str, Any] = {"seen": list(self.seen[:SEEN_KEEP]), "t": self.newest}
        if self.walk is not None:
            data["walk"] = self.walk.dump()
        return json.dumps(data, separators=(",", ":"))


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) \
            and -1e12 < value < 1e12:
        return float(value)
    return None


def comparable(text: str) -> str:
    return " ".join(clean_text(text).split()).casefold()
