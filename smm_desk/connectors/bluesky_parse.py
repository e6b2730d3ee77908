"""Bluesky wire parsing: notifications, feed items and chat logs → records,
record keys (TIDs), link facets, and the cursor of a backward-walking listing.

Pure functions over JSON values (no I/O), split from
:mod:`smm_desk.connectors.bluesky`, whose docstring describes the wire facts.
Every parser returns a record or a quarantine entry and never raises for any
JSON value (fuzzed in tests/connectors/test_bluesky.py).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from smm_desk.connectors.base import Quarantined
from smm_desk.domain.enums import Direction
from smm_desk.domain.records import IncomingMessage, MessageKind
from smm_desk.domain.text import clean_text

POST = "app.bsky.feed.post"
CHAT_PROXY = "did:web:api.bsky.chat#bsky_chat"
REASONS = ("mention", "reply", "quote")
PAGE_LIMIT = 50
#: Notifications this close below the high-water mark are re-read (and deduped by uri).
MARGIN = timedelta(minutes=5)
SEEN_KEEP = 400
MIN_WAIT, MAX_WAIT = 1.0, 3600.0
#: A session whose JWT names no expiry is refreshed after this long.
DEFAULT_SESSION = timedelta(hours=1)
#: Fixed window the deterministic rkeys' time part falls in (2024-01-01 + 2^45 µs ≈ 1.1 y).
TID_EPOCH_US = 1_704_067_200_000_000
TID_SPAN_US = 1 << 45
_B32 = "234567abcdefghijklmnopqrstuvwxyz"

_DID = re.compile(r"did:[a-z]+:[A-Za-z0-9._:%-]{1,2000}")
_AT_URI = re.compile(r"at://(did:[a-z]+:[A-Za-z0-9._:%-]{1,2000})/([a-zA-Z0-9.-]{1,317})/"
                     r"([A-Za-z0-9._~:-]{1,512})")
_CID = re.compile(r"[A-Za-z0-9+/=._-]{8,512}")
_HANDLE = re.compile(r"[A-Za-z0-9.-]{1,253}")
_ID = re.compile(r"[A-Za-z0-9._:~-]{1,200}")
_JWT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_LINK = re.compile(r"https?://[^\s<>\"]*[^\s<>\".,:;!?')\]]")


class _Malformed(ValueError):
    """An item that cannot become a message; the text is the quarantine reason."""


def tid_for(reply_id: str) -> str:
    """The record key of an outbox reply: a valid TID, the same for every retry."""
    digest = hashlib.sha256(f"smm-desk-rkey:{reply_id}".encode("utf-8", "replace")).digest()
    n = int.from_bytes(digest[:8], "big")
    value = ((TID_EPOCH_US + (n >> 10) % TID_SPAN_US) << 10) | (n & 0x3FF)
    return "".join(_B32[(value >> (5 * i)) & 31] for i in reversed(range(13)))


def is_tid(value: str) -> bool:
    return bool(re.fullmatch(r"[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}", value))


def parse_time(value: Any, what: str = "time") -> datetime:
    if not isinstance(value, str) or len(value) > 64:
        raise _Malformed(f"{what} is missing")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise _Malformed(f"{what} is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def iso(at: datetime) -> str:
    """Datetimes as atproto writes them: "2025-01-02T10:05:00.000Z"."""
    at = at.astimezone(UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def jwt_expiry(token: str) -> datetime | None:
    """The ``exp`` claim of a JWT (unverified: only to refresh before it lapses)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        exp = claims.get("exp") if isinstance(claims, dict) else None
        if isinstance(exp, int | float) and not isinstance(exp, bool) and 0 < exp < 1e11:
            return datetime.fromtimestamp(exp, UTC)
    except (ValueError, UnicodeDecodeError):
        return None
    return None


def _ref(raw: Any, what: str) -> tuple[str, str]:
    """A strong ref (uri of a post + cid)."""
    if not isinstance(raw, dict):
        raise _Malformed(f"{what} is not a strong ref")
    uri, cid = raw.get("uri"), raw.get("cid")
    if not (isinstance(uri, str) and _AT_URI.fullmatch(uri)):
        raise _Malformed(f"{what} uri is not an at:// uri")
    if not (isinstance(cid, str) and _CID.fullmatch(cid)):
        raise _Malformed(f"{what} cid is missing")
    return uri, cid


def _key(item: Any, uri: Any) -> str:
    """The dedup key of a listing item: its uri, else a digest of the item."""
    if isinstance(uri, str) and 0 < len(uri) < 3000:
        return uri
    try:
        raw = json.dumps(item, ensure_ascii=True, sort_keys=True)
    except (TypeError, ValueError):
        raw = repr(item)
    return "sha1:" + hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()


def _quarantine(item: Any, reason: str) -> Quarantined:
    try:
        raw = json.dumps(item, ensure_ascii=True)
    except (TypeError, ValueError):
        raw = repr(item)
    return Quarantined(raw=raw[:100_000], reason=reason)


def _post_text(record: Mapping[str, Any]) -> str:
    text = record.get("text")
    out = text if isinstance(text, str) else ""
    embed = record.get("embed")
    if isinstance(embed, dict):
        images = embed.get("images")
        media = embed.get("media")
        if not isinstance(images, list) and isinstance(media, dict):
            images = media.get("images")
        if isinstance(images, list):
            for image in images[:10]:
                alt = image.get("alt") if isinstance(image, dict) else None
                out += f"\n[image: {alt}]" if isinstance(alt, str) and alt else "\n[image]"
        external = embed.get("external")
        if isinstance(external, dict) and isinstance(external.get("uri"), str):
            out += f"\n[link: {external['uri'][:2000]}]"
    return clean_text(out)


def _author(raw: Any) -> tuple[str, str, str]:
    """(did, handle, display name) of a profile view."""
    if not isinstance(raw, dict):
        raise _Malformed("author is missing")
    did = raw.get("did")
    if not (isinstance(did, str) and _DID.fullmatch(did)):
        raise _Malformed("author did is missing or invalid")
    handle = raw.get("handle")
    handle = handle if isinstance(handle, str) and _HANDLE.fullmatch(handle) else ""
    name = raw.get("displayName")
    name = clean_text(name, 200) if isinstance(name, str) else ""
    return did, handle, name or handle or did


def permalink(uri: str, handle: str) -> str | None:
    match = _AT_URI.fullmatch(uri)
    if match is None or match.group(2) != POST:
        return None
    return f"https://bsky.app/profile/{handle or match.group(1)}/post/{match.group(3)}"


@dataclass(frozen=True)
class Entry:
    """One item of a backward-walking listing, parsed or quarantined."""

    key: str
    sort_at: datetime | None
    message: IncomingMessage | None
    bad: Quarantined | None = None


def notification_entry(item: Any) -> Entry | None:
    """A mention/reply/quote notification → an INBOUND message (None: not ours)."""
    if not isinstance(item, dict):
        return Entry(_key(item, None), None, None,
                     _quarantine(item, "notification is not a JSON object"))
    key = _key(item, item.get("uri"))
    try:
        sort_at = parse_time(item.get("indexedAt"), "indexedAt")
    except _Malformed as exc:
        return Entry(key, None, None, _quarantine(item, f"notification skipped: {exc}"))
    if item.get("reason") not in REASONS:
        return None
    try:
        uri, cid = _ref(item, "notification")
        did, handle, name = _author(item.get("author"))
        record = item.get("record")
        if not isinstance(record, dict):
            raise _Malformed("record is missing")
        try:
            written = min(parse_time(record.get("createdAt"), "createdAt"), sort_at)
        except _Malformed:
            written = sort_at
        reply = record.get("reply")
        root_uri, root_cid, parent = uri, cid, None
        if isinstance(reply, dict):
            root_uri, root_cid = _ref(reply.get("root"), "reply.root")
            parent = _ref(reply.get("parent"), "reply.parent")[0]
        reason = str(item["reason"])
        message = IncomingMessage(
            external_id=uri, thread_key=f"comment:{root_uri}:{did}",
            direction=Direction.INBOUND,
            kind=MessageKind.COMMENT if reason == "reply" else MessageKind.MENTION,
            text=_post_text(record), created_at=written, author_id=did, author_name=name,
            parent_external_id=parent, post_external_id=root_uri,
            permalink=permalink(uri, handle),
            extra={"uri": uri, "cid": cid, "root_uri": root_uri, "root_cid": root_cid,
                   "did": did, "handle": handle, "reason": reason})
    except (_Malformed, ValueError) as exc:
        return Entry(key, sort_at, None, _quarantine(item, f"notification skipped: {exc}"))
    return Entry(uri, sort_at, message)


def feed_entry(item: Any, brand_did: str) -> Entry | None:
    """A feedViewPost of the brand's own feed → an OUTBOUND message when it
    answers a customer (None: a post that answers nobody, a repost)."""
    post = item.get("post") if isinstance(item, dict) else None
    if not isinstance(post, dict):
        return Entry(_key(item, None), None, None, _quarantine(item, "feed item has no post"))
    key = _key(item, post.get("uri"))
    try:
        sort_at = parse_time(post.get("indexedAt"), "indexedAt")
    except _Malformed as exc:
        return Entry(key, None, None, _quarantine(item, f"own post skipped: {exc}"))
    if isinstance(item, dict) and item.get("reason") is not None:
        return None  # a repost or a pin shows up in the feed; not an answer
    try:
        uri, cid = _ref(post, "post")
        did, handle, name = _author(post.get("author"))
        record = post.get("record")
        if did != brand_did or not isinstance(record, dict):
            return None
        reply = record.get("reply")
        if not isinstance(reply, dict):
            return None
        root_uri, root_cid = _ref(reply.get("root"), "reply.root")
        parent_uri = _ref(reply.get("parent"), "reply.parent")[0]
        context = item.get("reply") if isinstance(item, dict) else None
        parent = context.get("parent") if isinstance(context, dict) else None
        if not isinstance(parent, dict) or not isinstance(parent.get("author"), dict):
            return None  # parent deleted or blocked (notFoundPost): nobody to attribute it to
        customer, customer_handle, _ = _author(parent.get("author"))
        if customer == brand_did:
            return None
        try:
            written = min(parse_time(record.get("createdAt"), "createdAt"), sort_at)
        except _Malformed:
            written = sort_at
        message = IncomingMessage(
            external_id=uri, thread_key=f"comment:{root_uri}:{customer}",
            direction=Direction.OUTBOUND, kind=MessageKind.REPLY, text=_post_text(record),
            created_at=written, author_id=did, author_name=name, parent_external_id=parent_uri,
            post_external_id=root_uri, permalink=permalink(uri, handle),
            extra={"uri": uri, "cid": cid, "root_uri": root_uri, "root_cid": root_cid,
                   "did": customer, "handle": customer_handle})
    except (_Malformed, ValueError) as exc:
        return Entry(key, sort_at, None, _quarantine(item, f"own post skipped: {exc}"))
    return Entry(uri, sort_at, message)


def chat_message(log: Any, brand_did: str,
                 names: Mapping[str, Mapping[str, str]]) -> IncomingMessage | Quarantined | None:
    """A getLog entry → a DM (None: not a new message, e.g. a read or a reaction)."""
    if not isinstance(log, dict):
        return _quarantine(log, "chat log entry is not a JSON object")
    kind = log.get("$type")
    if not (isinstance(kind, str) and kind.endswith("#logCreateMessage")):
        return None
    message = log.get("message")
    if isinstance(message, dict) and str(message.get("$type", "")).endswith(
            "#deletedMessageView"):
        return None
    try:
        convo = log.get("convoId")
        if not (isinstance(convo, str) and _ID.fullmatch(convo)):
            raise _Malformed("convoId is missing")
        if not isinstance(message, dict):
            raise _Malformed("message is missing")
        message_id, rev = message.get("id"), message.get("rev")
        if not (isinstance(message_id, str) and _ID.fullmatch(message_id)):
            raise _Malformed("message id is missing")
        sender = message.get("sender")
        sender_did = sender.get("did") if isinstance(sender, dict) else None
        if not (isinstance(sender_did, str) and _DID.fullmatch(sender_did)):
            raise _Malformed("sender did is missing")
        sent = parse_time(message.get("sentAt"), "sentAt")
        outbound = sender_did == brand_did
        members = names.get(convo, {})
        customer = next((d for d in members if d != brand_did), "" if outbound else sender_did)
        extra = {"convo_id": convo, "message_id": message_id,
                 "rev": rev if isinstance(rev, str) and _ID.fullmatch(rev) else ""}
        if customer:
            extra["did"] = customer
        return IncomingMessage(
            external_id=message_id, thread_key=f"dm:{convo}",
            direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
            kind=MessageKind.DM, text=_post_text(message), created_at=sent,
            author_id=sender_did, author_name=members.get(sender_did, sender_did), extra=extra)
    except (_Malformed, ValueError) as exc:
        return _quarantine(log, f"chat message skipped: {exc}")


def link_facets(text: str) -> list[dict[str, Any]]:
    """``app.bsky.richtext.facet#link`` for every URL (UTF-8 byte offsets)."""
    facets = []
    for match in _LINK.finditer(text):
        start = len(text[:match.start()].encode("utf-8", "surrogatepass"))
        end = start + len(match.group(0).encode("utf-8", "surrogatepass"))
        facets.append({"index": {"byteStart": start, "byteEnd": end},
                       "features": [{"$type": "app.bsky.richtext.facet#link",
                                     "uri": match.group(0)}]})
    return facets


@dataclass
class WalkCursor:
    """Our cursor over a listing whose own cursor only walks backwards.

    ``hw``: the newest ``sort_at`` read; ``seen``: the newest keys read;
    ``back``/``until``: a backward walk in progress (the network's cursor and
    the mark it walks down to; no ``until``: down to the listing's end).
    ``started``: a cursor was stored before — even one whose first poll found
    nothing (``hw`` None), so only a missing cursor means "first run"."""

    hw: datetime | None = None
    seen: tuple[str, ...] = ()
    back: str | None = None
    until: datetime | None = None
    started: bool = False

    @classmethod
    def load(cls, raw: str | None) -> WalkCursor:
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            return cls()
        if not isinstance(data, dict) or not raw:
            return cls()

        def when(key: str) -> datetime | None:
            try:
                return parse_time(data.get(key))
            except _Malformed:
                return None
        seen = data.get("seen")
        back = data.get("back")
        return cls(when("hw"), tuple(s for s in seen if isinstance(s, str))
                   if isinstance(seen, list) else (),
                   back if isinstance(back, str) and back else None, when("until"), True)

    def dump(self) -> str:
        data: dict[str, Any] = {"hw": iso(self.hw) if self.hw else None,
                                "seen": list(self.seen[:SEEN_KEEP])}
        if self.back is not None:
            data["back"] = self.back
            if self.until is not None:
                data["until"] = iso(self.until)
        return json.dumps(data, separators=(",", ":"))


def walk(state: WalkCursor, entries: list[Entry], next_cursor: str | None,
         full: bool) -> tuple[list[Entry], WalkCursor, bool]:
    """One page of a backward walk: what is new, the next cursor, whether more.

    The first run (no stored cursor) takes this page only ("start from now").
    Afterwards a page that is new to its end pages back — keeping the old mark
    as ``until`` while ``hw`` already names the newest item — until an item
    below the mark or a key already read; with no mark at all (the first poll
    found nothing) everything listed is new, down to the listing's end."""
    boundary = state.until if state.back else state.hw
    known = set(state.seen)
    fresh: list[str] = []
    new: list[Entry] = []
    reached = False
    for entry in entries:
        if boundary is not None and entry.sort_at is not None \
                and entry.sort_at < boundary - MARGIN:
            reached = True
            break
        if entry.key and entry.key in known:
            reached = True  # met what an earlier poll read: nothing to page back for
            continue
        if entry.key:
            known.add(entry.key)
            fresh.append(entry.key)
        new.append(entry)
    hw = state.hw
    if not state.back:
        times = [e.sort_at for e in entries if e.sort_at is not None]
        hw = max([*times, *([hw] if hw else [])], default=None)
    more = state.started and not reached and bool(next_cursor) and full
    # ``seen`` must keep the top of the listing (what the next poll meets
    # first); keys read while paging back only fill what room is left.
    seen = ([*state.seen, *fresh] if state.back else [*fresh, *state.seen])[:SEEN_KEEP]
    after = WalkCursor(hw, tuple(seen), next_cursor if more else None,
                       boundary if more else None, started=True)
    return new, after, more


#: listConvos page size (the lexicon's maximum): new conversations are the most recent.
CONVO_PAGE = 100


def _member_names(view: Any) -> dict[str, str]:
    """did -> display name of a ``convoView``'s members (malformed members skipped)."""
    names: dict[str, str] = {}
    members = view.get("members") if isinstance(view, dict) else None
    for member in members if isinstance(members, list) else []:
        try:
            did, _, name = _author(member)
        except _Malformed:
            continue
        names[did] = name
    return names
