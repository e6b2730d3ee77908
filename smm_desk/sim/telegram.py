"""Telegram Bot API, simulated: ``/bot<token>/<method>`` on the world's base URL.

Each bot (one per token) has a private chat with every customer who wrote to
it, a channel and that channel's linked discussion supergroup (the bot is an
admin of both, so it sees every group message). Served methods, with the real
API's parameter handling (query string, form or JSON body; method names are
case-insensitive) and error bodies ``{"ok": false, "error_code",
"description"}``:

* ``getUpdates`` — ``offset`` confirms (deletes) earlier updates, a negative
  offset keeps only the last N; ``limit`` 1–100; ``timeout`` long-polls on
  :meth:`SimWorld.wait_for` (clamped to 50 s); ``allowed_updates`` is sticky
  and filters updates created after it was set, as on Telegram. A second
  getUpdates for the same token ends the waiting one with 409 Conflict.
  Update ids are sequential per bot, from a large base.
* ``sendMessage`` — the chat must exist: a customer who never wrote gives 403
  "bot can't initiate conversation with a user", one who blocked the bot 403
  "bot was blocked by the user", anything else unknown 400 "chat not found";
  ``reply_parameters.message_id`` (or legacy ``reply_to_message_id``) must
  exist unless ``allow_sending_without_reply``. No idempotency: every accepted
  call posts (and is recorded) again. The bot gets no update for its own
  messages.
* ``getChat`` (``linked_chat_id`` between channel and group) and ``getMe``.
* Unknown token → 401 "Unauthorized"; unknown method → 404 "Not Found".
  Faults "rate_limit" → 429 with ``parameters.retry_after``; "auth" → 401.

Injection (the demo's traffic and the tests): the common API
(:meth:`add_account`, :meth:`inject_dm`, :meth:`inject_comment`,
:meth:`inject_brand_answer`, :meth:`posted`) plus Telegram extras
:meth:`inject_reply` (a customer answering a comment), :meth:`inject_edit`
and :meth:`block_bot`. Returned ids are ``<chat_id>:<message_id>``, the
connector's external ids; ``reply_to_id`` also takes a bare group message id.
Telegram bots have no native app, so a DM cannot get a brand answer from
elsewhere: :meth:`inject_brand_answer` on a DM raises ValueError.
"""

from __future__ import annotations

import json
import math
import re
import urllib.parse
import zlib
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import httpx

from smm_desk.sim.world import Delivered, Fault, SimWorld, json_response

NETWORK = "telegram"
_PATH = re.compile(r"/bot([^/]+)/([A-Za-z]+)$")
SERVICE_USER = {"id": 777000, "is_bot": False, "first_name": "Telegram"}
CHANNEL_BOT = {"id": 136817688, "is_bot": True, "first_name": "Channel",
               "username": "Channel_Bot"}
MAX_TEXT = 4096
_SURROGATE = re.compile("[\ud800-\udfff]")


def _error(code: int, description: str, **parameters: int) -> httpx.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return json_response(code, body)


def _ok(result: Any) -> httpx.Response:
    return json_response(200, {"ok": True, "result": result})


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,19}", value.strip()):
        return int(value.strip())
    return None


def _jsonish(value: Any) -> Any:
    """Structured parameters arrive as objects in JSON bodies, as JSON text otherwise."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("true", "1"))


def _stripped(message: dict[str, Any]) -> dict[str, Any]:
    """A message as it appears inside another's ``reply_to_message`` (no nesting)."""
    return {k: v for k, v in message.items() if k != "reply_to_message"}


def _wire(text: str) -> str:
    """What survives Telegram's UTF-8 wire: lone surrogates cannot be sent."""
    return _SURROGATE.sub("\ufffd", str(text))


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@dataclass
class _Bot:
    token: str
    name: str
    user: dict[str, Any]
    channel: dict[str, Any]
    group: dict[str, Any]
    next_update: int
    updates: list[dict[str, Any]] = field(default_factory=list)
    allowed: set[str] | None = None
    messages: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    last_id: dict[int, int] = field(default_factory=dict)
    users: dict[int, dict[str, Any]] = field(default_factory=dict)
    wrote: set[int] = field(default_factory=set)
    blocked: set[int] = field(default_factory=set)
    posts: dict[str, int] = field(default_factory=dict)  # key -> auto-forward id in group
    poll_gen: int = 0


class TelegramSim:
    """Handler for :class:`SimWorld`: ``world.add(TelegramSim(world))``."""

    network = NETWORK

    def __init__(self, world: SimWorld) -> None:
        self.world = world
        self._bots: dict[str, _Bot] = {}

    # -- accounts and traffic -------------------------------------------------

    def add_account(self, token: str, name: str) -> None:
        with self.world.lock:
            if token in self._bots:
                return
            n = len(self._bots)
            prefix = token.split(":", 1)[0]
            bot_id = int(prefix) if prefix.isdigit() else 8_000_000_000 + zlib.crc32(
                token.encode()) % 1_000_000_000
            channel_id = -(1_000_000_000_000 + 5_000_000 + 2 * n)
            handle = re.sub(r"\W", "_", name, flags=re.ASCII) or "bot"
            self._bots[token] = _Bot(
                token=token, name=name,
                user={"id": bot_id, "is_bot": True, "first_name": _wire(name),
                      "username": handle},
                channel={"id": channel_id, "type": "channel", "title": _wire(name),
                         "username": f"{handle}_news"},
                group={"id": channel_id - 1, "type": "supergroup",
                       "title": f"{_wire(name)} chat", "username": f"{handle}_chat"},
                next_update=700_000_000 + zlib.crc32(token.encode()) % 1_000_000,
            )

    def inject_dm(self, token: str, author_id: str, author_name: str, text: str,
                  at: datetime | None = None) -> str:
        with self.world.lock:
            bot = self._bot(token)
            user = self._user(bot, author_id, author_name)
            chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
            if "username" in user:
                chat["username"] = user["username"]
            bot.wrote.add(user["id"])
            bot.blocked.discard(user["id"])
            message = self._new(bot, chat, at, text, sender=user)
            self._enqueue(bot, "message", message)
        self.world.notify()
        return f"{chat['id']}:{message['message_id']}"

    def inject_comment(self, token: str, post_id: str | None, author_id: str,
                       author_name: str, text: str, at: datetime | None = None) -> str:
        with self.world.lock:
            bot = self._bot(token)
            root = self._post(bot, post_id, at)
            user = self._user(bot, author_id, author_name)
            message = self._new(bot, bot.group, at, text, sender=user, reply_to=root)
            self._enqueue(bot, "message", message)
        self.world.notify()
        return f"{bot.group['id']}:{message['message_id']}"

    def inject_reply(self, token: str, reply_to_id: str, author_id: str, author_name: str,
                     text: str, at: datetime | None = None) -> str:
        """A customer answering a message in the discussion group (a deep reply)."""
        with self.world.lock:
            bot = self._bot(token)
            target = self._resolve(bot, reply_to_id)
            if target["chat"]["id"] != bot.group["id"]:
                raise ValueError("inject_reply answers messages in the discussion group")
            user = self._user(bot, author_id, author_name)
            message = self._new(bot, bot.group, at, text, sender=user, reply_to=target)
            self._enqueue(bot, "message", message)
        self.world.notify()
        return f"{bot.group['id']}:{message['message_id']}"

    def inject_brand_answer(self, token: str, reply_to_id: str, text: str,
                            at: datetime | None = None) -> str:
        """The brand answering as its channel in the discussion group."""
        with self.world.lock:
            bot = self._bot(token)
            target = self._resolve(bot, reply_to_id)
            if target["chat"]["id"] != bot.group["id"]:
                raise ValueError("a Telegram bot has no native app: its DMs can only be "
                                 "answered through the Bot API")
            message = self._new(bot, bot.group, at, text, sender=CHANNEL_BOT,
                                sender_chat=bot.channel, reply_to=target)
            self._enqueue(bot, "message", message)
        self.world.notify()
        return f"{bot.group['id']}:{message['message_id']}"

    def inject_edit(self, token: str, message_ref: str, text: str,
                    at: datetime | None = None) -> None:
        with self.world.lock:
            bot = self._bot(token)
            target = self._resolve(bot, message_ref)
            edited = {**target, "text": _wire(text), "edit_date": self._date(at)}
            bot.messages[(target["chat"]["id"], target["message_id"])] = edited
            self._enqueue(bot, "edited_message", edited)
        self.world.notify()

    def block_bot(self, token: str, author_id: str) -> None:
        with self.world.lock:
            bot = self._bot(token)
            bot.blocked.add(self._user(bot, author_id, "")["id"])

    def posted(self, token: str) -> list[dict[str, Any]]:
        with self.world.lock:
            name = self._bot(token).name
            return [asdict(d) for d in self.world.deliveries
                    if d.network == NETWORK and d.account == name]

    def pending_updates(self, token: str) -> int:
        with self.world.lock:
            return len(self._bot(token).updates)

    # -- state helpers (call with the world lock held) ------------------------

    def _bot(self, token: str) -> _Bot:
        try:
            return self._bots[token]
        except KeyError:
            raise KeyError("no simulated Telegram bot with that token") from None

    def _date(self, at: datetime | None) -> int:
        return int((at or self.world.clock()).timestamp())

    def _user(self, bot: _Bot, author_id: str, author_name: str) -> dict[str, Any]:
        key = str(author_id)
        if re.fullmatch(r"\d{1,15}", key) and int(key) > 0:
            user_id = int(key)
        else:
            user_id = 6_000_000_000 + zlib.crc32(key.encode("utf-8", "replace")) % 1_000_000_000
        user = bot.users.setdefault(user_id, {"id": user_id, "is_bot": False,
                                              "first_name": _wire(author_name or key)})
        if author_name:
            user["first_name"] = _wire(author_name)
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{4,31}", key):
            user["username"] = key
        return dict(user)

    def _new(self, bot: _Bot, chat: dict[str, Any], at: datetime | None, text: str, *,
             sender: dict[str, Any] | None = None, sender_chat: dict[str, Any] | None = None,
             reply_to: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
        """Create, store and return a message in ``chat``."""
        chat_id = chat["id"]
        message_id = bot.last_id.get(chat_id, 0) + 1
        bot.last_id[chat_id] = message_id
        message: dict[str, Any] = {"message_id": message_id}
        if sender is not None:
            message["from"] = dict(sender)
        if sender_chat is not None:
            message["sender_chat"] = dict(sender_chat)
        message.update({"chat": dict(chat), "date": self._date(at)})
        if reply_to is not None and chat["type"] == "supergroup":
            message["message_thread_id"] = reply_to.get("message_thread_id",
                                                        reply_to["message_id"])
        message.update(fields)
        if reply_to is not None:
            message["reply_to_message"] = _stripped(reply_to)
        message["text"] = _wire(text)
        bot.messages[(chat_id, message_id)] = message
        return message

    def _post(self, bot: _Bot, post_id: str | None, at: datetime | None) -> dict[str, Any]:
        """The auto-forwarded copy in the group of post ``post_id`` (created if new)."""
        if post_id is not None and post_id in bot.posts:
            return bot.messages[(bot.group["id"], bot.posts[post_id])]
        text = f"{bot.name}: post {bot.last_id.get(bot.channel['id'], 0) + 1}"
        post = self._new(bot, bot.channel, at, text, sender_chat=bot.channel)
        self._enqueue(bot, "channel_post", post)
        origin = {"type": "channel", "chat": dict(bot.channel),
                  "message_id": post["message_id"], "date": post["date"]}
        copy = self._new(bot, bot.group, at, text, sender=SERVICE_USER,
                         sender_chat=bot.channel, is_automatic_forward=True,
                         forward_origin=origin)
        self._enqueue(bot, "message", copy)
        keys = [str(post["message_id"]), f"{bot.group['id']}:{copy['message_id']}"]
        for key in ([post_id] if post_id is not None else []) + keys:
            bot.posts[key] = copy["message_id"]
        return copy

    def _resolve(self, bot: _Bot, ref: str) -> dict[str, Any]:
        chat_part, _, id_part = str(ref).rpartition(":")
        chat_id = _as_int(chat_part) if chat_part else bot.group["id"]
        message_id = _as_int(id_part)
        found = bot.messages.get((chat_id, message_id)) if chat_id and message_id else None
        if found is None:
            raise ValueError(f"no simulated Telegram message {ref!r}")
        return found

    def _enqueue(self, bot: _Bot, kind: str, message: dict[str, Any]) -> None:
        if bot.allowed is not None and kind not in bot.allowed:
            return
        bot.updates.append({"update_id": bot.next_update, kind: message})
        bot.next_update += 1

    # -- the HTTP side ----------------------------------------------------------

    def matches(self, request: httpx.Request) -> bool:
        return _PATH.search(request.url.path) is not None

    def fault_response(self, fault: Fault, request: httpx.Request) -> httpx.Response | None:
        del request
        if fault.kind == "rate_limit":
            wait = max(1, math.ceil(fault.seconds))
            return _error(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        if fault.kind == "auth":
            return _error(401, "Unauthorized")
        return None

    def handle(self, request: httpx.Request, world: SimWorld) -> httpx.Response:
        found = _PATH.search(request.url.path)
        if found is None:
            return _error(404, "Not Found")
        token = urllib.parse.unquote(found.group(1))
        method = found.group(2).lower()
        with world.lock:
            bot = self._bots.get(token)
        if bot is None:
            return _error(401, "Unauthorized")
        try:
            params = self._params(request)
        except ValueError:
            return _error(400, "Bad Request: can't parse request JSON object")
        if method == "getupdates":
            return self._get_updates(bot, params, world)
        if method == "sendmessage":
            return self._send_message(bot, params, world)
        if method == "getchat":
            return self._get_chat(bot, params, world)
        if method == "getme":
            return _ok({**bot.user, "can_join_groups": True,
                        "can_read_all_group_messages": False, "supports_inline_queries": False})
        return _error(404, "Not Found")

    @staticmethod
    def _params(request: httpx.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.url.params)
        body = request.content
        if not body:
            return params
        ctype = request.headers.get("content-type", "")
        if "application/json" in ctype:
            data = json.loads(body)
            if not isinstance(data, dict):
                raise ValueError("not an object")
            params.update(data)
        elif "application/x-www-form-urlencoded" in ctype:
            params.update(urllib.parse.parse_qsl(body.decode("utf-8", "replace")))
        else:
            raise ValueError("unsupported body")
        return params

    def _get_updates(self, bot: _Bot, params: dict[str, Any], world: SimWorld) -> httpx.Response:
        offset = _as_int(params.get("offset")) or 0
        limit = min(100, max(1, _as_int(params.get("limit")) or 100))
        timeout = min(50, max(0, _as_int(params.get("timeout")) or 0))
        allowed = _jsonish(params.get("allowed_updates"))
        with world.lock:
            if isinstance(allowed, list):
                bot.allowed = {str(a) for a in allowed} or None
            if offset > 0:
                bot.updates = [u for u in bot.updates if u["update_id"] >= offset]
            elif offset < 0:
                bot.updates = bot.updates[offset:]
            bot.poll_gen += 1
            generation = bot.poll_gen
        world.notify()  # ends a getUpdates already waiting for this bot
        world.wait_for(lambda: bool(bot.updates) or bot.poll_gen != generation, timeout)
        with world.lock:
            if bot.poll_gen != generation:
                return _error(409, "Conflict: terminated by other getUpdates request; make "
                                   "sure that only one bot instance is running")
            return _ok(bot.updates[:limit])

    def _chat(self, bot: _Bot, value: Any) -> dict[str, Any] | httpx.Response:
        if isinstance(value, str) and value.startswith("@"):
            for chat in (bot.channel, bot.group):
                if chat["username"].lower() == value[1:].lower():
                    return chat
            return _error(400, "Bad Request: chat not found")
        chat_id = _as_int(value)
        if chat_id is None:
            return _error(400, "Bad Request: chat_id is empty" if value in (None, "")
                          else "Bad Request: chat not found")
        for chat in (bot.channel, bot.group):
            if chat["id"] == chat_id:
                return chat
        user = bot.users.get(chat_id)
        if user is None:
            return _error(400, "Bad Request: chat not found")
        if chat_id in bot.blocked:
            return _error(403, "Forbidden: bot was blocked by the user")
        if chat_id not in bot.wrote:
            return _error(403, "Forbidden: bot can't initiate conversation with a user")
        chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
        if "username" in user:
            chat["username"] = user["username"]
        return chat

    def _send_message(self, bot: _Bot, params: dict[str, Any],
                      world: SimWorld) -> httpx.Response:
        text = params.get("text")
        options = _jsonish(params.get("reply_parameters"))
        if options is not None and not isinstance(options, dict):
            return _error(400, "Bad Request: can't parse reply parameters JSON object")
        if options:
            reply_id = _as_int(options.get("message_id"))
            lenient = _truthy(options.get("allow_sending_without_reply"))
        else:
            reply_id = _as_int(params.get("reply_to_message_id"))
            lenient = _truthy(params.get("allow_sending_without_reply"))
        with world.lock:
            chat = self._chat(bot, params.get("chat_id"))
            if isinstance(chat, httpx.Response):
                return chat
            if not isinstance(text, str) or not text.strip():
                return _error(400, "Bad Request: message text is empty")
            if _SURROGATE.search(text):
                return _error(400, "Bad Request: text must be encoded in UTF-8")
            if _utf16_len(text) > MAX_TEXT:
                return _error(400, "Bad Request: message is too long")
            target = bot.messages.get((chat["id"], reply_id)) if reply_id else None
            if reply_id and target is None and not lenient:
                return _error(400, "Bad Request: message to be replied not found")
            if chat["type"] == "channel":
                sent = self._new(bot, chat, None, text, sender_chat=chat, reply_to=target)
            else:
                sent = self._new(bot, chat, None, text, sender=bot.user, reply_to=target)
            external_id = f"{chat['id']}:{sent['message_id']}"
            world.record(Delivered(
                network=NETWORK, account=bot.name, method="sendMessage", target=str(chat["id"]),
                text=text, external_id=external_id, key=None, at=world.clock(),
            ))
            return _ok(sent)

    def _get_chat(self, bot: _Bot, params: dict[str, Any], world: SimWorld) -> httpx.Response:
        with world.lock:
            value = params.get("chat_id")
            chat_id = _as_int(value)
            if chat_id is not None and chat_id in bot.users:
                user = bot.users[chat_id]
                return _ok({"id": chat_id, "type": "private", "first_name": user["first_name"],
                            "accent_color_id": 0, "max_reaction_count": 11})
            chat = self._chat(bot, value)
            if isinstance(chat, httpx.Response):
                return chat
            other = bot.channel if chat is bot.group else bot.group
            return _ok({**chat, "linked_chat_id": other["id"], "accent_color_id": 0,
                        "max_reaction_count": 11})
