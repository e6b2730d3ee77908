"""Telegram Bot API updates → domain records: private chats, comments in a
channel's discussion group, and their edits.

Pure functions over decoded JSON, used by :mod:`smm_desk.connectors.telegram`
(see its docstring for the wire facts, thread keys, external ids and
``extra``). :func:`parse_updates` takes any list of JSON values and never
raises: what it cannot read is quarantined with a reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from smm_desk.connectors.base import Quarantined
from smm_desk.connectors.http import utc_from_timestamp
from smm_desk.domain.records import Direction, IncomingMessage, MessageKind
from smm_desk.domain.text import clean_text

#: Media fields and how a person reads them when the message has no text.
_MEDIA = (
    ("photo", "photo"), ("video", "video"), ("animation", "GIF"), ("voice", "voice message"),
    ("video_note", "video message"), ("audio", "audio"), ("document", "file"),
    ("sticker", "sticker"), ("contact", "contact"), ("venue", "place"),
    ("location", "location"), ("poll", "poll"), ("dice", "dice"), ("story", "story"),
    ("paid_media", "paid media"), ("game", "game"), ("invoice", "invoice"),
    ("checklist", "checklist"),
)
_MEDIA_KEYS = frozenset(key for key, _ in _MEDIA)
#: Service messages: events in a chat, not something a person wrote.
_SERVICE = frozenset({
    "new_chat_members", "left_chat_member", "new_chat_title", "new_chat_photo",
    "delete_chat_photo", "group_chat_created", "supergroup_chat_created",
    "channel_chat_created", "message_auto_delete_timer_changed", "migrate_to_chat_id",
    "migrate_from_chat_id", "pinned_message", "successful_payment", "refunded_payment",
    "users_shared", "chat_shared", "connected_website", "write_access_allowed",
    "proximity_alert_triggered", "boost_added", "chat_background_set",
    "forum_topic_created", "forum_topic_edited", "forum_topic_closed", "forum_topic_reopened",
    "general_forum_topic_hidden", "general_forum_topic_unhidden", "giveaway_created",
    "giveaway", "giveaway_winners", "giveaway_completed", "video_chat_scheduled",
    "video_chat_started", "video_chat_ended", "video_chat_participants_invited",
    "web_app_data", "gift", "unique_gift", "paid_message_price_changed",
    "checklist_tasks_done", "checklist_tasks_added", "direct_message_price_changed",
})


class Malformed(Exception):
    """An item that cannot become a record; ``reason`` goes to quarantine."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class ParsedBatch:
    messages: list[IncomingMessage] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)
    #: Highest update_id read + 1 (None when no update carried a usable id).
    next_offset: int | None = None


class _Who(NamedTuple):  # a tuple: made for every message, cheaper than a dataclass
    id: int
    name: str
    is_bot: bool = False
    username: str = ""


def int_of(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def int_from_text(value: object) -> int | None:
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,19}", value.strip()):
        return int(value.strip())
    return int_of(value)


def dict_of(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def time_of(value: Any) -> datetime | None:
    try:
        return utc_from_timestamp(value)
    except (ValueError, OverflowError, OSError):
        return None


def _person_name(user: Mapping[str, Any], fallback: int) -> str:
    parts = [user.get("first_name"), user.get("last_name")]
    name = clean_text(" ".join(p for p in parts if isinstance(p, str)), 200)
    username = user.get("username")
    if not name and isinstance(username, str):
        name = clean_text("@" + username, 200)
    if not name:
        title = user.get("title")
        name = clean_text(title, 200) if isinstance(title, str) else ""
    return name or str(fallback)


def _who(message: Mapping[str, Any]) -> _Who | None:
    """The author: ``sender_chat`` when set (posting as a chat), else ``from``."""
    sender_chat = dict_of(message.get("sender_chat"))
    if sender_chat is not None and int_of(sender_chat.get("id")) is not None:
        chat_id = sender_chat["id"]
        username = sender_chat.get("username")
        return _Who(chat_id, _person_name(sender_chat, chat_id),
                    username=username if isinstance(username, str) else "")
    user = dict_of(message.get("from"))
    if user is not None and int_of(user.get("id")) is not None:
        user_id = user["id"]
        username = user.get("username")
        return _Who(user_id, _person_name(user, user_id), is_bot=user.get("is_bot") is True,
                    username=username if isinstance(username, str) else "")
    return None


def _text(message: Mapping[str, Any]) -> tuple[str, str] | None:
    """(text a person reads, media kind or ""); None for a service message."""
    text, caption = message.get("text"), message.get("caption")
    for value in (text, caption):
        if value is not None and not isinstance(value, str):
            raise Malformed("message text is not a string")
    media = None if _MEDIA_KEYS.isdisjoint(message) else next(
        (key, label) for key, label in _MEDIA if key in message)
    cleaned = clean_text(text) if isinstance(text, str) else ""
    if cleaned:
        return cleaned, media[0] if media else ""
    if media is None:
        if _SERVICE.intersection(message):
            return None
        return ("[empty message]" if isinstance(text, str) else "[unsupported message]"), ""
    key, label = media
    detail = dict_of(message.get(key)) or {}
    if key == "sticker" and isinstance(detail.get("emoji"), str):
        label = f"sticker {detail['emoji']}"
    elif key == "document" and isinstance(detail.get("file_name"), str):
        label = f"file: {detail['file_name']}"
    elif key == "poll" and isinstance(detail.get("question"), str):
        label = f"poll: {detail['question']}"
    marker = f"[{clean_text(label, 300)}]"
    body = clean_text(caption) if isinstance(caption, str) else ""
    return (f"{marker} {body}" if body else marker), key


def _permalink(chat: Mapping[str, Any], chat_id: int, message_id: int) -> str | None:
    username = chat.get("username")
    if isinstance(username, str) and re.fullmatch(r"[A-Za-z0-9_]{3,64}", username):
        return f"https://t.me/{username}/{message_id}"
    internal = -chat_id - 1_000_000_000_000
    if internal > 0:  # a private supergroup: the link works for its members
        return f"https://t.me/c/{internal}/{message_id}"
    return None


def parse_updates(items: list[Any], linked: Mapping[int, int | None]) -> ParsedBatch:
    """Records from one getUpdates result. Never raises: every item is a
    message, quarantined with a reason, or skipped as not a case.

    ``linked`` maps supergroup ids to their linked channel id (None: not a
    discussion group); groups missing from it are treated as not linked.
    """
    batch = ParsedBatch()
    for item in items:
        if isinstance(item, dict):
            update_id = int_of(item.get("update_id"))
            if update_id is not None and update_id >= 0:
                batch.next_offset = max(batch.next_offset or 0, update_id + 1)
        try:
            message = _plain_private(item)
            if message is None:
                message = _parse_update(item, linked)
        except Malformed as exc:
            batch.quarantined.append(Quarantined(_raw(item), exc.reason))
        except Exception as exc:  # one strange item must never stop the batch
            batch.quarantined.append(Quarantined(
                _raw(item), f"unexpected update shape ({type(exc).__name__})"))
        else:
            if message is not None:
                batch.messages.append(message)
    return batch


#: The everyday update: a customer's plain text in a private chat, nothing else.
_PLAIN_MESSAGE = frozenset({"message_id", "from", "chat", "date", "text"})
_PLAIN_USER = frozenset({"id", "is_bot", "first_name", "last_name", "username",
                         "language_code", "is_premium"})


def _plain_private(item: Any) -> IncomingMessage | None:
    """What ``_parse_update`` makes of the everyday update, read in one pass;
    ``None`` for any other shape, which the general path then reads.

    Most updates a desk reads are this one shape, and the general path's
    checks for channels, edits, media, replies and service messages cost
    about half of its time. Only exact types and known keys qualify; a test
    holds this equal to the general path on every update it accepts."""
    if type(item) is not dict or len(item) != 2:
        return None
    update_id, message = item.get("update_id"), item.get("message")
    if type(update_id) is not int or update_id < 0 or type(message) is not dict \
            or not _PLAIN_MESSAGE.issuperset(message):
        return None
    chat, user = message.get("chat"), message.get("from")
    if type(chat) is not dict or type(user) is not dict or chat.get("type") != "private" \
            or not _PLAIN_USER.issuperset(user) or user.get("is_bot") is True:
        return None
    chat_id, user_id = chat.get("id"), user.get("id")
    message_id, date, text = message.get("message_id"), message.get("date"), message.get("text")
    if type(chat_id) is not int or type(user_id) is not int or type(message_id) is not int \
            or type(date) is not int or type(text) is not str:
        return None
    cleaned = clean_text(text)
    if not cleaned:
        return None
    try:
        created = datetime.fromtimestamp(date, UTC)
    except (ValueError, OverflowError, OSError):
        return None
    extra = {"chat_id": str(chat_id), "message_id": str(message_id), "chat_type": "private"}
    username = user.get("username")
    if isinstance(username, str) and username:
        extra["username"] = clean_text(username, 64)
    return IncomingMessage(
        external_id=f"{chat_id}:{message_id}", thread_key=f"dm:{chat_id}",
        direction=Direction.INBOUND, kind=MessageKind.DM, text=cleaned, created_at=created,
        author_id=str(user_id), author_name=_person_name(user, user_id), extra=extra,
    )


def _raw(item: Any) -> str:
    try:
        return json.dumps(item)
    except (TypeError, ValueError, RecursionError):
        return repr(item)[:100_000]


def _parse_update(item: Any, linked: Mapping[int, int | None]) -> IncomingMessage | None:
    if not isinstance(item, dict):
        raise Malformed("update is not a JSON object")
    update_id = int_of(item.get("update_id"))
    if update_id is None or update_id < 0:
        raise Malformed("update has no valid update_id")
    if "message" in item:
        key, edited = "message", False
    elif "edited_message" in item:
        key, edited = "edited_message", True
    else:
        return None  # an update type we do not turn into cases
    message = dict_of(item[key])
    if message is None:
        raise Malformed(f"{key} is not a JSON object")
    return _parse_message(message, linked, edited=edited)


def _parse_message(message: dict[str, Any], linked: Mapping[int, int | None], *,
                   edited: bool) -> IncomingMessage | None:
    chat = dict_of(message.get("chat"))
    if chat is None or int_of(chat.get("id")) is None:
        raise Malformed("message has no chat id")
    chat_id: int = chat["id"]
    message_id = int_of(message.get("message_id"))
    if message_id is None:
        raise Malformed("message has no message_id")
    created = time_of(message.get("edit_date")) if edited else None
    created = created or time_of(message.get("date"))
    if created is None:
        raise Malformed("message date is not a unix time")
    kind = chat.get("type")
    if kind == "private":
        return _direct_message(message, chat, chat_id, message_id, created, edited)
    if kind == "supergroup":
        return _group_message(message, chat, chat_id, message_id, created, edited, linked)
    return None  # basic groups and channels are not where customers talk to us


def _versioned(chat_id: int, message_id: int, message: Mapping[str, Any], created: datetime,
               edited: bool, text: str, extra: dict[str, str]) -> tuple[str, str, str | None]:
    """External id, text and parent for a message or an edit version of it."""
    external_id = f"{chat_id}:{message_id}"
    if edited:
        extra["edit_of"] = external_id
        return (f"{external_id}:edit:{int(created.timestamp())}", f"[edited] {text}",
                external_id)
    reply_to = dict_of(message.get("reply_to_message"))
    parent_id = int_of(reply_to.get("message_id")) if reply_to else None
    return external_id, text, f"{chat_id}:{parent_id}" if parent_id is not None else None


def _direct_message(message: dict[str, Any], chat: Mapping[str, Any], chat_id: int,
                    message_id: int, created: datetime, edited: bool) -> IncomingMessage | None:
    who = _who(message) or _Who(chat_id, _person_name(chat, chat_id))
    if who.is_bot:
        return None
    content = _text(message)
    if content is None:
        return None
    text, media = content
    extra = {"chat_id": str(chat_id), "message_id": str(message_id), "chat_type": "private"}
    if who.username:
        extra["username"] = clean_text(who.username, 64)
    if media:
        extra["media"] = media
    external_id, text, parent = _versioned(chat_id, message_id, message, created, edited,
                                             text, extra)
    return IncomingMessage(
        external_id=external_id, thread_key=f"dm:{chat_id}", direction=Direction.INBOUND,
        kind=MessageKind.DM, text=text, created_at=created, author_id=str(who.id),
        author_name=who.name, parent_external_id=parent, extra=extra,
    )


def _group_message(message: dict[str, Any], chat: Mapping[str, Any], chat_id: int,
                   message_id: int, created: datetime, edited: bool,
                   linked: Mapping[int, int | None]) -> IncomingMessage | None:
    if message.get("is_automatic_forward") is True:
        return None  # the channel post itself: the root of a comment thread
    reply_to = dict_of(message.get("reply_to_message"))
    to_post = reply_to is not None and reply_to.get("is_automatic_forward") is True
    channel_id = linked.get(chat_id)
    if to_post and reply_to is not None:
        post_chat = dict_of(reply_to.get("sender_chat"))
        if post_chat is not None and int_of(post_chat.get("id")) is not None:
            channel_id = post_chat["id"]
    if channel_id is None:
        return None  # not a channel's discussion group
    root = int_of(reply_to.get("message_id")) if to_post and reply_to else None
    if root is None:
        root = int_of(message.get("message_thread_id"))
    if root is None and reply_to is not None:
        root = int_of(reply_to.get("message_thread_id")) or int_of(reply_to.get("message_id"))
    if root is None:
        return None  # top-level chatter in the group, not under any post
    brand_ids = {channel_id, chat_id}
    who = _who(message)
    if who is None:
        raise Malformed("comment has no author")
    if who.is_bot and who.id not in brand_ids:
        return None
    outbound = who.id in brand_ids
    if outbound:
        if edited or reply_to is None or to_post:
            return None
        customer = _who(reply_to)
        if customer is None or customer.is_bot or customer.id in brand_ids:
            return None
    else:
        customer = who
    content = _text(message)
    if content is None:
        return None
    text, media = content
    extra = {"chat_id": str(chat_id), "message_id": str(message_id), "chat_type": "supergroup",
             "thread_root": str(root), "channel_id": str(channel_id)}
    if outbound:
        extra["customer_id"] = str(customer.id)
    elif who.username:
        extra["username"] = clean_text(who.username, 64)
    if media:
        extra["media"] = media
    external_id, text, parent = _versioned(chat_id, message_id, message, created, edited,
                                             text, extra)
    return IncomingMessage(
        external_id=external_id,
        thread_key=f"comment:{chat_id}:{root}:{customer.id}",
        direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
        kind=MessageKind.REPLY if outbound or not to_post else MessageKind.COMMENT,
        text=text, created_at=created, author_id=str(who.id), author_name=who.name,
        parent_external_id=parent, post_external_id=f"{chat_id}:{root}",
        permalink=_permalink(chat, chat_id, message_id), extra=extra,
    )
