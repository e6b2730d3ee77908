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

import logging
import math
import re
import urllib.parse
from datetime import datetime
from typing import Any

import httpx

from smm_desk.connectors.base import (
    Connector,
    Delivery,
    FetchResult,
    Idempotency,
    OutgoingReply,
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
from smm_desk.connectors.http import DEFAULT_RATE_LIMIT_WAIT, decode_json
from smm_desk.connectors.telegram_parse import (
    dict_of,
    int_from_text,
    int_of,
    parse_updates,
    time_of,
)
from smm_desk.domain.records import MessageKind

log = logging.getLogger("smm_desk.connectors.telegram")

STREAM = "updates"
#: Channel posts are not requested: the post reaches us as its auto-forward.
ALLOWED_UPDATES = ("message", "edited_message")
PAGE_LIMIT = 100
LONG_POLL_MAX = 50  # the official server clamps longer polls to this
MAX_SEND_LENGTH = 4096  # UTF-16 code units, after entity parsing

_RETRY_AFTER_TEXT = re.compile(r"retry after (\d+)", re.IGNORECASE)
_SURROGATE = re.compile("[\ud800-\udfff]")


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
    code = int_of(body.get("error_code")) or response.status_code
    said = body.get("description")
    said = said[:300] if isinstance(said, str) and said else f"error {code}"
    params = dict_of(body.get("parameters")) or {}
    kwargs: dict[str, Any] = {"network_message": said, "status": code}
    new_chat = int_of(params.get("migrate_to_chat_id"))
    if new_chat is not None:
        raise PermanentError(f"{where}: the group was upgraded to a supergroup with chat id "
                             f"{new_chat}; answer from the new group", **kwargs)
    if code in (401, 404):
        raise AuthError(f"{where}: the bot token was refused ({code}): {said}", **kwargs)
    if code == 429:
        wait = int_of(params.get("retry_after"))
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
    value = int_from_text(cursor)
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
                message = dict_of(item.get(key))
                chat = dict_of(message.get("chat")) if message else None
                if message is None or chat is None or chat.get("type") != "supergroup":
                    continue
                chat_id = int_of(chat.get("id"))
                if chat_id is None:
                    continue
                for seen in (message, dict_of(message.get("reply_to_message"))):
                    if seen and seen.get("is_automatic_forward") is True:
                        channel = dict_of(seen.get("sender_chat"))
                        if channel and int_of(channel.get("id")) is not None:
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
        linked = int_of(info.get("linked_chat_id")) if isinstance(info, dict) else None
        return linked

    async def send(self, reply: OutgoingReply) -> Delivery:
        extra = reply.target.extra
        chat_id = int_from_text(extra.get("chat_id"))
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
        reply_to = int_from_text(extra.get("message_id"))
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
        sent = dict_of(result) or {}
        chat = dict_of(sent.get("chat")) or {}
        sent_chat = int_of(chat.get("id"))
        if sent_chat is None:
            sent_chat = chat_id
        message_id = int_of(sent.get("message_id"))
        delivered_at = time_of(sent.get("date")) or self.clock()
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


__all__ = ["TelegramConnector", "check_response"]
