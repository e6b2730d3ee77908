"""Telegram Bot API: a bot's direct messages and the comments under a channel's posts.

One stream, ``updates``: ``getUpdates`` long polling (POST, JSON body) with
``offset`` = the stored cursor, ``limit`` 100, ``timeout`` = the sync engine's
``wait`` (clamped to Telegram's 50 s; 0 for ``sync --once``) and an HTTP read
timeout 15 s longer than the poll. Sending the next offset *confirms* every
earlier update on Telegram's side, so the cursor moves only once the sync
engine has stored the batch with it: a crash before that re-reads the same
updates and the unique external ids make the re-ingest a no-op.

Cursor: the next offset as a decimal string ("highest update_id + 1"). Updates
we skip or quarantine count too: they were read and are not wanted again.

What becomes a record
---------------------
* **Private chat** with the bot → inbound DM. Thread ``dm:<chat_id>``
  (the chat id is the customer's user id), external id
  ``<chat_id>:<message_id>`` (Telegram message ids are unique per chat only).
* **Channel comments** live in the channel's linked discussion supergroup:
  every post is auto-forwarded there (``is_automatic_forward``, ``sender_chat``
  = the channel) and comments are replies in that post's thread. A message in
  a discussion group that sits in a reply thread (``message_thread_id``, or a
  direct reply to the auto-forward) is a comment: thread
  ``comment:<group_chat_id>:<root_message_id>:<customer_id>``, post external id
  ``<group_chat_id>:<root_message_id>``. A thread rooted at a member's own
  top-level message is treated the same way (a reply alone does not say what
  its root is, and Telegram has no call to look it up).
* **The brand answering natively**: a message in the discussion group sent on
  behalf of the linked channel (``sender_chat`` = the channel, not an
  auto-forward) or by an anonymous group admin (``sender_chat`` = the group)
  is OUTBOUND in the thread of the customer it replies to. Brand messages that
  reply to nobody, to the post itself or to another brand message have no
  customer and are skipped. Admins answering from their personal accounts
  look like customers to the Bot API; ask them to answer as the channel.
* A customer may comment as one of their own channels: ``sender_chat`` is then
  a channel other than the linked one, and that chat is the customer.
* Not cases (skipped quietly): top-level chatter in the discussion group,
  every message in groups that are not a channel's discussion group, basic
  groups, service messages (joins, pins …), messages from other bots, the
  auto-forwarded posts themselves and update types we do not ask for.

Which supergroups are discussion groups is learnt from the updates (an
auto-forward names its channel) and otherwise asked once per group and process
with ``getChat`` (``linked_chat_id``), cached in memory. Setup: the bot must be
an admin of the discussion group (or have privacy mode off), else Telegram
only shows it replies to the bot. ``channel_post`` is not requested: a post
reaches us as its auto-forward, and the post itself is not a case.

Edits (``edited_message``): an inbound edit is ingested as a new version with
external id ``<chat_id>:<message_id>:edit:<edit_date>``, text prefixed
``[edited]`` and ``parent_external_id`` = the original, so the manager sees what
changed; an edit after our answer restarts the next-response clock, which is
what should happen when a customer changes the question. Edits of the brand's
own messages are skipped (an edited answer is not a new answer).

Text is ``text`` or ``caption``; media carries a marker (``[photo]``,
``[file: x.pdf]``, ``[sticker 😀]`` …) before its caption.

``ReplyTarget.extra`` keys (all strings): ``chat_id``, ``message_id`` (what
``sendMessage`` needs), ``chat_type`` (``private`` / ``supergroup``), for
comments ``thread_root`` and ``channel_id``, for outbound ``customer_id``,
``username`` when the author has one, ``media`` for media messages, and
``edit_of`` for edit versions.

Replies: ``sendMessage`` {chat_id, text, reply_parameters: {message_id,
allow_sending_without_reply: true}} — a deleted target still gets its answer.
Telegram has no idempotency key (``Idempotency.NONE``): a send is tried once
(``retry_safe=False``) and an unknown outcome is left to a person. Bots never
receive their own messages through getUpdates, so ``find_delivered`` cannot
look a reply up and returns None. Delivery id ``<chat_id>:<message_id>`` of
the sent message, time = its ``date``.

Reply window: a bot may only write to users who wrote to it first, so a DM is
open once the customer has written (a block shows up as a 403 on send);
comments are always open.

Errors (``{"ok": false, "error_code", "description", "parameters"}``):
401 and 404 (Telegram's answer to a malformed token) → AuthError; 429 →
RateLimited(``parameters.retry_after``); 409 from another getUpdates →
TransientError (only one poller per bot: two desks polling one bot keep
ending each other's polls); 409 because a webhook is set → PermanentError (we
do not delete someone else's webhook); 5xx → TransientError; 400/403 →
PermanentError with Telegram's words; ``parameters.migrate_to_chat_id``
(group upgraded to a supergroup) → PermanentError naming the new chat id.
The token is in the URL path; the shared client redacts it from every message.
"""

from __future__ import annotations

import json
import logging
import math
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

import httpx

from smm_desk.connectors.base import (
    Connector,
    Delivery,
    FetchResult,
    Idempotency,
    OutgoingReply,
    Quarantined,
    ReplyWindow,
    register,
)
from smm_desk.connectors.errors import (
    AuthError,
    BadPayload,
    PermanentError,
    RateLimited,
    TransientError,
)
from smm_desk.connectors.http import DEFAULT_RATE_LIMIT_WAIT, decode_json, utc_from_timestamp
from smm_desk.domain.records import Direction, IncomingMessage, MessageKind
from smm_desk.domain.text import clean_text

log = logging.getLogger("smm_desk.connectors.telegram")

STREAM = "updates"
#: Channel posts are not requested: the post reaches us as its auto-forward.
ALLOWED_UPDATES = ("message", "edited_message")
PAGE_LIMIT = 100
LONG_POLL_MAX = 50  # the official server clamps longer polls to this
MAX_SEND_LENGTH = 4096  # UTF-16 code units, after entity parsing

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
_RETRY_AFTER_TEXT = re.compile(r"retry after (\d+)", re.IGNORECASE)
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Malformed(Exception):
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


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _int_text(value: object) -> int | None:
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,19}", value.strip()):
        return int(value.strip())
    return _int(value)


def _dict(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def _time(value: Any) -> datetime | None:
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
    sender_chat = _dict(message.get("sender_chat"))
    if sender_chat is not None and _int(sender_chat.get("id")) is not None:
        chat_id = sender_chat["id"]
        username = sender_chat.get("username")
        return _Who(chat_id, _person_name(sender_chat, chat_id),
                    username=username if isinstance(username, str) else "")
    user = _dict(message.get("from"))
    if user is not None and _int(user.get("id")) is not None:
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
            raise _Malformed("message text is not a string")
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
    detail = _dict(message.get(key)) or {}
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
            update_id = _int(item.get("update_id"))
            if update_id is not None and update_id >= 0:
                batch.next_offset = max(batch.next_offset or 0, update_id + 1)
        try:
            message = _parse_update(item, linked)
        except _Malformed as exc:
            batch.quarantined.append(Quarantined(_raw(item), exc.reason))
        except Exception as exc:  # one strange item must never stop the batch
            batch.quarantined.append(Quarantined(
                _raw(item), f"unexpected update shape ({type(exc).__name__})"))
        else:
            if message is not None:
                batch.messages.append(message)
    return batch


def _raw(item: Any) -> str:
    try:
        return json.dumps(item)
    except (TypeError, ValueError, RecursionError):
        return repr(item)[:100_000]


def _parse_update(item: Any, linked: Mapping[int, int | None]) -> IncomingMessage | None:
    if not isinstance(item, dict):
        raise _Malformed("update is not a JSON object")
    update_id = _int(item.get("update_id"))
    if update_id is None or update_id < 0:
        raise _Malformed("update has no valid update_id")
    if "message" in item:
        key, edited = "message", False
    elif "edited_message" in item:
        key, edited = "edited_message", True
    else:
        return None  # an update type we do not turn into cases
    message = _dict(item[key])
    if message is None:
        raise _Malformed(f"{key} is not a JSON object")
    return _parse_message(message, linked, edited=edited)


def _parse_message(message: dict[str, Any], linked: Mapping[int, int | None], *,
                   edited: bool) -> IncomingMessage | None:
    chat = _dict(message.get("chat"))
    if chat is None or _int(chat.get("id")) is None:
        raise _Malformed("message has no chat id")
    chat_id: int = chat["id"]
    message_id = _int(message.get("message_id"))
    if message_id is None:
        raise _Malformed("message has no message_id")
    created = _time(message.get("edit_date")) if edited else None
    created = created or _time(message.get("date"))
    if created is None:
        raise _Malformed("message date is not a unix time")
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
    reply_to = _dict(message.get("reply_to_message"))
    parent_id = _int(reply_to.get("message_id")) if reply_to else None
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
    reply_to = _dict(message.get("reply_to_message"))
    to_post = reply_to is not None and reply_to.get("is_automatic_forward") is True
    channel_id = linked.get(chat_id)
    if to_post and reply_to is not None:
        post_chat = _dict(reply_to.get("sender_chat"))
        if post_chat is not None and _int(post_chat.get("id")) is not None:
            channel_id = post_chat["id"]
    if channel_id is None:
        return None  # not a channel's discussion group
    root = _int(reply_to.get("message_id")) if to_post and reply_to else None
    if root is None:
        root = _int(message.get("message_thread_id"))
    if root is None and reply_to is not None:
        root = _int(reply_to.get("message_thread_id")) or _int(reply_to.get("message_id"))
    if root is None:
        return None  # top-level chatter in the group, not under any post
    brand_ids = {channel_id, chat_id}
    who = _who(message)
    if who is None:
        raise _Malformed("comment has no author")
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


def check_response(response: httpx.Response) -> None:
    """Raise the project's error for Telegram's ``{"ok": false, ...}`` bodies."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        return  # not JSON: the status mapping and decode_json say what is wrong
    if not isinstance(body, dict) or body.get("ok") is not False:
        return
    method = response.request.url.path.rsplit("/", 1)[-1]
    where = f"Telegram {method}"
    code = _int(body.get("error_code")) or response.status_code
    said = body.get("description")
    said = said[:300] if isinstance(said, str) and said else f"error {code}"
    params = _dict(body.get("parameters")) or {}
    kwargs: dict[str, Any] = {"network_message": said, "status": code}
    new_chat = _int(params.get("migrate_to_chat_id"))
    if new_chat is not None:
        raise PermanentError(f"{where}: the group was upgraded to a supergroup with chat id "
                             f"{new_chat}; answer from the new group", **kwargs)
    if code in (401, 404):
        raise AuthError(f"{where}: the bot token was refused ({code}): {said}", **kwargs)
    if code == 429:
        wait = _int(params.get("retry_after"))
        if wait is None:
            found = _RETRY_AFTER_TEXT.search(said)
            wait = int(found.group(1)) if found else None
        seconds = float(wait) if wait is not None else DEFAULT_RATE_LIMIT_WAIT
        raise RateLimited(f"{where}: flood control, retry in {seconds:.0f} s", seconds, **kwargs)
    if code == 409 and "webhook" in said.lower():
        raise PermanentError(f"{where}: a webhook is set for this bot, so it cannot be polled; "
                             f"remove the webhook or connect another bot ({said})", **kwargs)
    if code == 409:  # another poller took over; it may be gone by the next try
        raise TransientError(f"{where}: conflict ({said})", **kwargs)
    if code >= 500:
        raise TransientError(f"{where}: Telegram trouble ({code}): {said}",
                             maybe_delivered=code != 503, **kwargs)
    raise PermanentError(f"{where}: refused ({code}): {said}", **kwargs)


def _result(payload: Any, method: str) -> Any:
    if not isinstance(payload, dict) or payload.get("ok") is not True or "result" not in payload:
        raise BadPayload(f"Telegram {method}: the answer is not a Telegram response object")
    return payload["result"]


def _poll_seconds(wait: float) -> int:
    if not isinstance(wait, int | float) or not math.isfinite(wait) or wait <= 0:
        return 0
    return int(min(wait, LONG_POLL_MAX))


def _offset(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    value = _int_text(cursor)
    if value is None or value <= 0:  # never send a negative offset: it drops updates
        log.warning("ignoring an unusable Telegram cursor")
        return None
    return value


@register
class TelegramConnector(Connector):
    network = "telegram"
    default_base_url = "https://api.telegram.org"
    idempotency = Idempotency.NONE
    streams = (STREAM,)
    confirms_on_fetch = True  # the next offset confirms every earlier update

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._path_token = urllib.parse.quote(self._token, safe=":")
        self.http.redact.add(self._path_token)
        #: supergroup id -> linked channel id (None: not a discussion group)
        self._linked: dict[int, int | None] = {}

    def _url(self, method: str) -> str:
        if not self._token:
            raise AuthError("Telegram: no bot token is set for this account")
        return f"/bot{self._path_token}/{method}"

    async def fetch(self, stream: str, cursor: str | None, *, wait: float) -> FetchResult:
        if stream != STREAM:
            raise ValueError(f"Telegram has no stream {stream!r}")
        offset = _offset(cursor)
        poll = _poll_seconds(wait)
        body: dict[str, Any] = {"timeout": poll, "limit": PAGE_LIMIT,
                                "allowed_updates": list(ALLOWED_UPDATES)}
        if offset is not None:
            body["offset"] = offset
        response = await self.http.request(
            "POST", self._url("getUpdates"), retry_safe=True, check=check_response,
            json_body=body,
            http_timeout=httpx.Timeout(connect=10.0, read=poll + 15.0, write=30.0, pool=10.0),
        )
        items = _result(decode_json(response, self.redact), "getUpdates")
        if not isinstance(items, list):
            raise BadPayload("Telegram getUpdates: result is not a list")
        await self._learn_groups(items)
        batch = parse_updates(items, self._linked)
        moved = batch.next_offset is not None and (offset is None or batch.next_offset > offset)
        return FetchResult(
            messages=batch.messages,
            cursor=str(batch.next_offset) if moved else None,
            quarantined=batch.quarantined,
            more=len(items) >= PAGE_LIMIT,
        )

    async def _learn_groups(self, items: list[Any]) -> None:
        """Know, for every supergroup in the batch, whether it is a channel's
        discussion group: from auto-forwards in the batch, else ``getChat``."""
        unknown: set[int] = set()
        for item in items:
            if not isinstance(item, dict):
                continue
            for key in ("message", "edited_message"):
                message = _dict(item.get(key))
                chat = _dict(message.get("chat")) if message else None
                if message is None or chat is None or chat.get("type") != "supergroup":
                    continue
                chat_id = _int(chat.get("id"))
                if chat_id is None:
                    continue
                for seen in (message, _dict(message.get("reply_to_message"))):
                    if seen and seen.get("is_automatic_forward") is True:
                        channel = _dict(seen.get("sender_chat"))
                        if channel and _int(channel.get("id")) is not None:
                            self._linked[chat_id] = channel["id"]
                if "message_thread_id" in message or "reply_to_message" in message:
                    unknown.add(chat_id)
        for chat_id in sorted(unknown - self._linked.keys()):
            self._linked[chat_id] = await self._linked_channel(chat_id)

    async def _linked_channel(self, chat_id: int) -> int | None:
        try:
            response = await self.http.request(
                "POST", self._url("getChat"), retry_safe=True, check=check_response,
                json_body={"chat_id": chat_id},
            )
        except PermanentError as exc:  # the bot left or was removed: nothing to read there
            log.info("Telegram getChat %s refused: %s", chat_id, exc.network_message)
            return None
        info = _result(decode_json(response, self.redact), "getChat")
        linked = _int(info.get("linked_chat_id")) if isinstance(info, dict) else None
        return linked

    async def send(self, reply: OutgoingReply) -> Delivery:
        extra = reply.target.extra
        chat_id = _int_text(extra.get("chat_id"))
        if chat_id is None:
            raise PermanentError("Telegram: the case has no chat id to answer in "
                                 "(its messages were not read by the Telegram connector)")
        text = reply.text
        if not text.strip():
            raise PermanentError("Telegram: the reply is empty")
        if _SURROGATE.search(text):
            raise PermanentError("Telegram: the reply contains broken characters (unpaired "
                                 "UTF-16 surrogates) that cannot be sent")
        length = len(text.encode("utf-16-le")) // 2
        if length > MAX_SEND_LENGTH:
            raise PermanentError(f"Telegram: the reply has {length} characters; "
                                 f"Telegram takes at most {MAX_SEND_LENGTH}")
        body: dict[str, Any] = {"chat_id": chat_id, "text": text}
        reply_to = _int_text(extra.get("message_id"))
        if reply_to is not None:
            body["reply_parameters"] = {"message_id": reply_to,
                                        "allow_sending_without_reply": True}
        response = await self.http.request(
            "POST", self._url("sendMessage"), retry_safe=False, check=check_response,
            json_body=body,
        )
        try:
            result = _result(decode_json(response, self.redact), "sendMessage")
        except BadPayload as exc:
            raise TransientError(f"{exc}; the reply may have been posted",
                                 maybe_delivered=True) from None
        return self._delivery(result, chat_id, reply.reply_id)

    def _delivery(self, result: Any, chat_id: int, reply_id: str) -> Delivery:
        sent = _dict(result) or {}
        chat = _dict(sent.get("chat")) or {}
        sent_chat = _int(chat.get("id"))
        if sent_chat is None:
            sent_chat = chat_id
        message_id = _int(sent.get("message_id"))
        delivered_at = _time(sent.get("date")) or self.clock()
        if message_id is None:
            # ok: true means it was posted; only its id is missing. A bot never
            # reads its own messages back, so no fetched id can clash with this.
            log.warning("Telegram sendMessage answered ok without a message id")
            return Delivery(f"{sent_chat}:sent:{reply_id}", delivered_at)
        return Delivery(f"{sent_chat}:{message_id}", delivered_at,
                        raw={"chat_id": str(sent_chat), "message_id": str(message_id)})

    def reply_window(self, case_kind: str, last_inbound_at: datetime | None,
                     now: datetime) -> ReplyWindow:
        del now
        if case_kind == MessageKind.DM.value:
            if last_inbound_at is None:
                return ReplyWindow(open=False, note="A Telegram bot can only write to people "
                                                    "who wrote to it first.")
            return ReplyWindow(open=True, note="Open unless the customer blocked the bot.")
        return ReplyWindow(open=True)


__all__ = ["ParsedBatch", "TelegramConnector", "check_response", "parse_updates"]
