"""X API v2 payloads → domain records: posts (mentions, the brand's own
timeline), DM events, and who summoned the brand.

Pure functions over decoded JSON, used by :mod:`smm_desk.connectors.x` (see
its docstring for the wire facts and thread keys). Every ``parse_*`` function
takes any JSON value and never raises: what it cannot read is quarantined
with a reason. Text arrives with ``&amp; &lt; &gt;`` escaped (v2 does that)
and is unescaped and cleaned here.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from smm_desk.connectors.base import Quarantined
from smm_desk.domain.enums import Direction
from smm_desk.domain.records import IncomingMessage, MessageKind
from smm_desk.domain.text import clean_text


class Malformed(ValueError):
    """An item that cannot become a message; the text is the quarantine reason."""


def id_key(value: str) -> int:
    """Snowflake ids compare as integers ("100" > "99")."""
    return int(value)


def _id(value: Any, what: str) -> str:
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 25:
        return str(int(value))
    raise Malformed(f"{what} is missing or not a numeric id")


def opt_id(value: Any) -> str | None:
    try:
        return _id(value, "id")
    except Malformed:
        return None


def parse_time(value: Any) -> datetime:
    """X's "2025-01-02T10:00:00.000Z" as aware UTC."""
    if not isinstance(value, str):
        raise Malformed("created_at is missing")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Malformed("created_at is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _text(value: Any) -> str:
    # v2 text arrives with &amp; &lt; &gt; escaped.
    return clean_text(html.unescape(value)) if isinstance(value, str) else ""


def quarantine(item: Any, reason: str) -> Quarantined:
    try:
        raw = json.dumps(item, ensure_ascii=True)
    except (TypeError, ValueError):
        raw = repr(item)
    return Quarantined(raw=raw[:100_000], reason=reason)


@dataclass(frozen=True)
class Tweet:
    id: str
    text: str
    author_id: str
    created_at: datetime
    conversation_id: str
    in_reply_to_user_id: str | None
    replied_to: str | None
    quoted: str | None
    mention_ids: frozenset[str]
    mention_names: frozenset[str]  # casefolded usernames


def parse_tweet(raw: Any) -> Tweet:
    if not isinstance(raw, dict):
        raise Malformed("post is not a JSON object")
    tweet_id = _id(raw.get("id"), "post id")
    replied_to = quoted = None
    refs = raw.get("referenced_tweets")
    for ref in refs if isinstance(refs, list) else ():
        if isinstance(ref, dict):
            if ref.get("type") == "replied_to":
                replied_to = opt_id(ref.get("id"))
            elif ref.get("type") == "quoted":
                quoted = opt_id(ref.get("id"))
    ids: set[str] = set()
    names: set[str] = set()
    entities = raw.get("entities")
    mentions = entities.get("mentions") if isinstance(entities, dict) else None
    for mention in mentions if isinstance(mentions, list) else ():
        if isinstance(mention, dict):
            if (mention_id := opt_id(mention.get("id"))) is not None:
                ids.add(mention_id)
            if isinstance(mention.get("username"), str):
                names.add(mention["username"].casefold())
    return Tweet(
        id=tweet_id, text=_text(raw.get("text")), author_id=_id(raw.get("author_id"), "author_id"),
        created_at=parse_time(raw.get("created_at")),
        conversation_id=opt_id(raw.get("conversation_id")) or tweet_id,
        in_reply_to_user_id=opt_id(raw.get("in_reply_to_user_id")),
        replied_to=replied_to, quoted=quoted,
        mention_ids=frozenset(ids), mention_names=frozenset(names))


def _users(body: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """includes.users → id -> (username, name)."""
    out: dict[str, tuple[str, str]] = {}
    includes = body.get("includes")
    users = includes.get("users") if isinstance(includes, dict) else None
    for user in users if isinstance(users, list) else ():
        if isinstance(user, dict) and (user_id := opt_id(user.get("id"))) is not None:
            username = user.get("username")
            name = user.get("name")
            out[user_id] = (clean_text(username, 50) if isinstance(username, str) else "",
                            clean_text(name, 200) if isinstance(name, str) else "")
    return out


def _included_tweets(body: Mapping[str, Any]) -> dict[str, Any]:
    includes = body.get("includes")
    tweets = includes.get("tweets") if isinstance(includes, dict) else None
    out: dict[str, Any] = {}
    for raw in tweets if isinstance(tweets, list) else ():
        if isinstance(raw, dict) and (tweet_id := opt_id(raw.get("id"))) is not None:
            out[tweet_id] = raw
    return out


def summoned(tweet: Tweet, brand_id: str, brand_name: str,
             authors: Mapping[str, str]) -> bool:
    """Did the author @mention the brand, answer its post or quote it?
    ``authors``: post id -> author id of the posts in ``includes``."""
    return (brand_id in tweet.mention_ids
            or (bool(brand_name) and brand_name.casefold() in tweet.mention_names)
            or tweet.in_reply_to_user_id == brand_id
            or (tweet.quoted is not None and authors.get(tweet.quoted) == brand_id))


def _message(tweet: Tweet, users: Mapping[str, tuple[str, str]], *, direction: Direction,
             kind: MessageKind, customer: str, is_summoned: bool) -> IncomingMessage:
    username, name = users.get(tweet.author_id, ("", ""))
    extra = {"tweet_id": tweet.id, "author_id": tweet.author_id,
             "conversation_id": tweet.conversation_id}
    if direction is Direction.INBOUND:
        extra["summoned"] = "1" if is_summoned else "0"
    if username:
        extra["username"] = username
    return IncomingMessage(
        external_id=tweet.id, thread_key=f"comment:{tweet.conversation_id}:{customer}",
        direction=direction, kind=kind, text=tweet.text, created_at=tweet.created_at,
        author_id=tweet.author_id, author_name=name or username or tweet.author_id,
        parent_external_id=tweet.replied_to, post_external_id=tweet.conversation_id,
        permalink=f"https://x.com/{username or 'i/web'}/status/{tweet.id}", extra=extra)


@dataclass(frozen=True)
class TweetPage:
    messages: list[IncomingMessage]
    quarantined: list[Quarantined]
    newest_id: str | None
    next_token: str | None
    brand_name: str
    #: The page's oldest post id (``meta.oldest_id``, else the smallest readable id):
    #: the ``until_id`` that continues a walk below this page.
    oldest_id: str | None = None


def page_meta(body: Mapping[str, Any]) -> tuple[str | None, str | None]:
    meta = body.get("meta")
    if not isinstance(meta, dict):
        return None, None
    token = meta.get("next_token")
    token = token if isinstance(token, str) and 0 < len(token) <= 500 else None
    return opt_id(meta.get("newest_id")), token


def parse_tweet_page(body: Any, stream: str, brand_id: str, brand_name: str) -> TweetPage:
    """A mentions or own-timeline answer → messages. Never raises for any JSON value."""
    if not isinstance(body, dict):
        return TweetPage([], [quarantine(body, "answer is not a JSON object")], None, None,
                         brand_name)
    users = _users(body)
    brand_name = users.get(brand_id, (brand_name, ""))[0] or brand_name
    newest, token = page_meta(body)
    included = _included_tweets(body)
    authors = {k: v.get("author_id") for k, v in included.items()}
    data = body.get("data", [])
    messages: list[IncomingMessage] = []
    bad: list[Quarantined] = []
    ids: list[str] = []
    for raw in data if isinstance(data, list) else [data]:
        if isinstance(raw, dict) and (readable := opt_id(raw.get("id"))) is not None:
            ids.append(readable)
        try:
            tweet = parse_tweet(raw)
            if stream == "own":
                target = tweet.in_reply_to_user_id
                if tweet.author_id != brand_id or target is None or target == brand_id:
                    continue  # a post that answers nobody (or ourselves) is not an answer
                messages.append(_message(tweet, users, direction=Direction.OUTBOUND,
                                         kind=MessageKind.REPLY, customer=target,
                                         is_summoned=False))
                continue
            if tweet.author_id == brand_id:
                continue  # the brand mentioning itself: the own stream has it
            ok = summoned(tweet, brand_id, brand_name, authors)
            messages.append(_message(tweet, users, direction=Direction.INBOUND,
                                     kind=MessageKind.MENTION if ok else MessageKind.COMMENT,
                                     customer=tweet.author_id, is_summoned=ok))
            for ref in (tweet.replied_to, tweet.quoted):
                context = _context(included.get(ref or ""), tweet, brand_id, brand_name,
                                   authors, users)
                if context is not None:
                    messages.append(context)
        except (Malformed, ValueError) as exc:
            bad.append(quarantine(raw, f"post skipped: {exc}"))
    meta = body.get("meta")
    oldest = opt_id(meta.get("oldest_id")) if isinstance(meta, dict) else None
    if ids:
        newest = newest or max(ids, key=id_key)
        oldest = oldest or min(ids, key=id_key)
    messages.sort(key=lambda m: id_key(m.external_id))  # oldest first
    return TweetPage(messages, bad, newest, token, brand_name, oldest)


def _context(raw: Any, mention: Tweet, brand_id: str, brand_name: str,
             authors: Mapping[str, str], users: Mapping[str, tuple[str, str]],
             ) -> IncomingMessage | None:
    """The third party's post a mention answers or quotes, as a COMMENT that
    cannot be answered on X (its author did not summon the brand)."""
    if raw is None:
        return None
    try:
        tweet = parse_tweet(raw)
    except Malformed:
        return None
    if tweet.author_id in (brand_id, mention.author_id):
        return None
    if summoned(tweet, brand_id, brand_name, authors):
        return None  # it will come through the mentions timeline itself
    return _message(tweet, users, direction=Direction.INBOUND, kind=MessageKind.COMMENT,
                    customer=tweet.author_id, is_summoned=False)


@dataclass(frozen=True)
class DmEvent:
    id: str
    text: str
    sender_id: str
    conversation_id: str
    created_at: datetime
    participants: tuple[str, ...]


def parse_dm_event(raw: Any) -> DmEvent | None:
    """A DM event, None for other event types, or Malformed."""
    if not isinstance(raw, dict):
        raise Malformed("DM event is not a JSON object")
    event_id = _id(raw.get("id"), "event id")
    if raw.get("event_type", "MessageCreate") != "MessageCreate":
        return None
    conversation = raw.get("dm_conversation_id")
    if not isinstance(conversation, str) or not conversation or len(conversation) > 100 \
            or not conversation.replace("-", "").isascii() \
            or not conversation.replace("-", "").isalnum():
        raise Malformed("dm_conversation_id is missing or malformed")
    listed = raw.get("participant_ids")
    participants = tuple(p for p in (opt_id(x) for x in listed) if p) \
        if isinstance(listed, list) else ()
    text = _text(raw.get("text"))
    attachments = raw.get("attachments")
    if isinstance(attachments, dict) and attachments.get("media_keys"):
        text = f"{text}\n[attachment]".strip()
    return DmEvent(event_id, text, _id(raw.get("sender_id"), "sender_id"), conversation,
                   parse_time(raw.get("created_at")), participants)


def other_participant(conversation_id: str, brand_id: str,
                      participants: tuple[str, ...] = ()) -> str | None:
    """The customer of a one-to-one conversation ("<low id>-<high id>")."""
    others = [p for p in participants if p != brand_id]
    if len(others) == 1:
        return others[0]
    parts = conversation_id.split("-")
    if len(parts) == 2 and brand_id in parts and all(p.isdigit() for p in parts):
        return parts[0] if parts[1] == brand_id else parts[1]
    return None


@dataclass(frozen=True)
class DmPage:
    events: list[DmEvent]  # newest first
    quarantined: list[Quarantined]
    next_token: str | None
    ids: list[str]  # every event id on the page, bad ones included where readable
    users: dict[str, tuple[str, str]]


def parse_dm_page(body: Any) -> DmPage:
    """A dm_events answer. Never raises for any JSON value."""
    if not isinstance(body, dict):
        return DmPage([], [quarantine(body, "answer is not a JSON object")], None, [], {})
    _, token = page_meta(body)
    data = body.get("data", [])
    events: list[DmEvent] = []
    bad: list[Quarantined] = []
    ids: list[str] = []
    for raw in data if isinstance(data, list) else [data]:
        if isinstance(raw, dict) and (event_id := opt_id(raw.get("id"))) is not None:
            ids.append(event_id)
        try:
            event = parse_dm_event(raw)
        except Malformed as exc:
            bad.append(quarantine(raw, f"DM event skipped: {exc}"))
            continue
        if event is not None:
            events.append(event)
    return DmPage(events, bad, token, ids, _users(body))


def dm_message(event: DmEvent, brand_id: str,
               users: Mapping[str, tuple[str, str]]) -> IncomingMessage:
    outbound = event.sender_id == brand_id
    customer = other_participant(event.conversation_id, brand_id, event.participants)
    username, name = users.get(event.sender_id, ("", ""))
    extra = {"dm_conversation_id": event.conversation_id, "event_id": event.id}
    if customer:
        extra["participant_id"] = customer
    if username and not outbound:
        extra["username"] = username
    return IncomingMessage(
        external_id=event.id, thread_key=f"dm:{event.conversation_id}",
        direction=Direction.OUTBOUND if outbound else Direction.INBOUND, kind=MessageKind.DM,
        text=event.text, created_at=event.created_at, author_id=event.sender_id,
        author_name=name or username or event.sender_id, extra=extra)


def comparable(text: str) -> str:
    """Text without leading @mentions, whitespace folded, for look-ups."""
    words = clean_text(html.unescape(text)).split()
    while words and words[0].startswith("@"):
        words.pop(0)
    return " ".join(words).casefold()


__all__ = ["DmEvent", "DmPage", "Malformed", "Tweet", "TweetPage", "comparable", "dm_message",
           "id_key", "opt_id", "other_participant", "page_meta", "parse_dm_page", "parse_time",
           "parse_tweet", "parse_tweet_page", "quarantine", "summoned"]
