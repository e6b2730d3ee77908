"""YouTube Data API v3 payloads → domain records: comment threads, replies,
and Google's JSON errors.

Pure functions over decoded JSON, used by :mod:`smm_desk.connectors.youtube`
(see its docstring for the wire facts and thread keys). ``parse_*_page``
takes any JSON value and never raises: what it cannot read is quarantined
with a reason. Text is read from ``textDisplay`` (requested as
``textFormat=plainText``), else ``textOriginal`` — which the API only
guarantees to a comment's own author.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from smm_desk.connectors.base import Quarantined
from smm_desk.domain.enums import Direction
from smm_desk.domain.records import IncomingMessage, MessageKind
from smm_desk.domain.text import clean_text


class Malformed(ValueError):
    pass


def parse_time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise Malformed("publishedAt is missing")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Malformed("publishedAt is not an ISO 8601 time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def mark(state: Mapping[str, Any], key: str) -> tuple[datetime | None, set[str]]:
    """A position in the listing: a time and the thread ids read at that very second."""
    raw = state.get(key)
    if not isinstance(raw, str):
        return None, set()
    try:
        at = parse_time(raw)
    except Malformed:
        return None, set()
    ids = state.get(f"{key}_ids" if key != "pass_hw" else "pass_ids")
    return at, {i for i in ids if isinstance(i, str)} if isinstance(ids, list) else set()


def widen(at: datetime | None, ids: set[str], published: datetime, thread_id: str, *,
          newest: bool) -> tuple[datetime | None, set[str]]:
    """The newest (or oldest) position of ``(at, ids)`` and one more thread."""
    if at is None or (published > at if newest else published < at):
        return published, {thread_id}
    if published == at:
        return at, ids | {thread_id}
    return at, ids


def opt_iso(at: datetime | None) -> str | None:
    return iso(at) if at is not None else None


def text_field(value: Any, limit: int = 200) -> str:
    return value if isinstance(value, str) and 0 < len(value) <= limit else ""


def quarantine(item: Any, reason: str) -> Quarantined:
    try:
        raw = json.dumps(item, ensure_ascii=True)
    except (TypeError, ValueError):
        raw = repr(item)
    return Quarantined(raw=raw[:100_000], reason=reason)


@dataclass(frozen=True)
class Comment:
    id: str
    author_id: str
    author_name: str
    text: str
    published: datetime


def parse_comment(raw: Any) -> Comment:
    if not isinstance(raw, dict):
        raise Malformed("comment is not a JSON object")
    comment_id = text_field(raw.get("id"))
    if not comment_id:
        raise Malformed("comment id is missing")
    snippet = raw.get("snippet")
    if not isinstance(snippet, dict):
        raise Malformed("comment has no snippet")
    author = snippet.get("authorChannelId")
    author_id = text_field(author.get("value")) if isinstance(author, dict) else ""
    name = clean_text(text_field(snippet.get("authorDisplayName")), 200)
    text = snippet.get("textDisplay")
    if not isinstance(text, str) or not text:
        text = snippet.get("textOriginal")
    return Comment(comment_id, author_id or f"anonymous:{comment_id}", name or "YouTube user",
                   clean_text(text if isinstance(text, str) else ""),
                   parse_time(snippet.get("publishedAt")))


@dataclass(frozen=True)
class Thread:
    id: str
    video_id: str
    top: Comment
    can_reply: bool
    reply_count: int
    replies: tuple[Comment, ...]


def parse_thread(raw: Any) -> Thread:
    if not isinstance(raw, dict):
        raise Malformed("thread is not a JSON object")
    snippet = raw.get("snippet")
    if not isinstance(snippet, dict):
        raise Malformed("thread has no snippet")
    top = parse_comment(snippet.get("topLevelComment"))
    thread_id = text_field(raw.get("id")) or top.id
    video = text_field(snippet.get("videoId"), 64) or f"channel:{text_field(snippet.get('channelId'))}"
    count = snippet.get("totalReplyCount")
    count = count if isinstance(count, int) and not isinstance(count, bool) and count >= 0 else 0
    replies: list[Comment] = []
    block = raw.get("replies")
    listed = block.get("comments") if isinstance(block, dict) else None
    for item in listed if isinstance(listed, list) else ():
        try:
            replies.append(parse_comment(item))
        except Malformed:
            continue  # the full list (comments.list) is read when counts disagree
    return Thread(thread_id, video, top, snippet.get("canReply") is not False, count,
                  tuple(replies))


def _customer_of(reply: Comment, thread: Thread, others: list[Comment],
                 channel_id: str) -> str | None:
    """Whom the channel's reply answers: the replier it @names, else the top author."""
    text = reply.text.casefold()
    for other in others:
        handle = other.author_name.casefold()
        if other.author_id != channel_id and handle and (
                text.startswith(handle) or text.startswith("@" + handle.lstrip("@"))):
            return other.author_id
    return None if thread.top.author_id == channel_id else thread.top.author_id


def thread_messages(thread: Thread, replies: tuple[Comment, ...] | list[Comment],
                    channel_id: str, *, with_top: bool) -> list[IncomingMessage]:
    """Messages of a thread: its top-level comment (if asked) and ``replies``."""
    out: list[IncomingMessage] = []
    extra_base = {"thread_id": thread.id, "video_id": thread.video_id,
                  "can_reply": "1" if thread.can_reply else "0"}
    video = thread.video_id

    def message(comment: Comment, customer: str, direction: Direction,
                kind: MessageKind, parent: str | None) -> IncomingMessage:
        link = (f"https://www.youtube.com/watch?v={video}&lc={comment.id}"
                if not video.startswith("channel:") else None)
        return IncomingMessage(
            external_id=comment.id, thread_key=f"comment:{video}:{customer}",
            direction=direction, kind=kind, text=comment.text, created_at=comment.published,
            author_id=comment.author_id, author_name=comment.author_name,
            parent_external_id=parent, post_external_id=video, permalink=link,
            extra={**extra_base, "comment_id": comment.id})

    if with_top and thread.top.author_id != channel_id:
        out.append(message(thread.top, thread.top.author_id, Direction.INBOUND,
                           MessageKind.COMMENT, None))
    ordered = sorted(replies, key=lambda c: c.published)
    for index, reply in enumerate(ordered):
        if reply.author_id == channel_id:
            customer = _customer_of(reply, thread, ordered[:index][::-1], channel_id)
            if customer is not None:
                out.append(message(reply, customer, Direction.OUTBOUND, MessageKind.REPLY,
                                   thread.id))
        else:
            out.append(message(reply, reply.author_id, Direction.INBOUND, MessageKind.COMMENT,
                               thread.id))
    return out


def parse_thread_page(body: Any) -> tuple[list[Thread], list[Quarantined], str | None]:
    """A commentThreads.list answer. Never raises for any JSON value."""
    if not isinstance(body, dict):
        return [], [quarantine(body, "answer is not a JSON object")], None
    threads: list[Thread] = []
    bad: list[Quarantined] = []
    items = body.get("items", [])
    for raw in items if isinstance(items, list) else [items]:
        try:
            threads.append(parse_thread(raw))
        except Malformed as exc:
            bad.append(quarantine(raw, f"comment thread skipped: {exc}"))
    token = text_field(body.get("nextPageToken"), 1000) or None
    return threads, bad, token


def parse_comment_page(body: Any) -> tuple[list[Comment], list[Quarantined], str | None]:
    """A comments.list answer. Never raises for any JSON value."""
    if not isinstance(body, dict):
        return [], [quarantine(body, "answer is not a JSON object")], None
    comments: list[Comment] = []
    bad: list[Quarantined] = []
    items = body.get("items", [])
    for raw in items if isinstance(items, list) else [items]:
        try:
            comments.append(parse_comment(raw))
        except Malformed as exc:
            bad.append(quarantine(raw, f"reply skipped: {exc}"))
    return comments, bad, text_field(body.get("nextPageToken"), 1000) or None


def google_error(response: httpx.Response) -> tuple[str, str, str]:
    """(reason, domain, message) of Google's JSON error."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        return "", "", response.text[:300].strip()
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return "", "", ""
    message = text_field(error.get("message"), 100_000)[:300]
    errors = error.get("errors")
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) \
        else {}
    return text_field(first.get("reason")), text_field(first.get("domain")), message


__all__ = ["Comment", "Malformed", "Thread", "google_error", "iso", "mark", "opt_iso",
           "parse_comment", "parse_comment_page", "parse_thread", "parse_thread_page",
           "parse_time", "quarantine", "text_field", "thread_messages", "widen"]
