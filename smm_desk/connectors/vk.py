"""VKontakte community connector: Bots Long Poll in, messages.send / wall.createComment out.

Facts and sources: ``/work/shared/networks/vk.md`` (API version 5.199).

Requests
    Every API call is ``POST /method/<name>``, form-encoded (VK does not read
    JSON bodies), with ``v=5.199``. The token travels as ``access_token`` in the
    form body, not in an ``Authorization`` header: a client-wide header would
    also reach the long-poll host, which needs no token, and the form body
    never shows up in a URL or a log line (the HTTP layer redacts it anyway).

Account options
    ``group_id`` — the community's numeric id (``123456``; ``-123456``,
    ``club123456`` and ``public123456`` are accepted too). When it is missing
    the connector asks ``groups.getById`` (a community token answers with its
    own community) once and keeps the answer in memory.

Stream ``longpoll`` and its cursor
    ``groups.getLongPollServer`` gives ``server``, ``key`` and ``ts``; then
    ``GET {server}?act=a_check&key=…&ts=…&wait=N``. The key is a session secret,
    so the cursor stored in the database is only ``{"ts": "<ts>"}``; ``server``
    and ``key`` live in memory (the key is registered with the redactor) and a
    fresh pair is fetched after a restart. A cursor of ``None`` starts at the
    server's current ``ts``: the long poll cannot reach back before the account
    was connected. ``failed: 1`` (history lost) continues from the ``ts`` VK
    gives, ``failed: 2`` renews the key and keeps our ``ts``, ``failed: 3``
    renews both; some events may be lost in the first and last case, which is
    logged. A long poll does not tell whether more is waiting, so ``more`` is
    True whenever an answer carried updates (the next poll returns at once if
    there is more).

Events read (everything else, e.g. ``message_edit`` or ``group_join``, is
skipped silently: it is not something a customer waits on)
    ``message_new``   — inbound message; thread ``dm:<peer_id>`` (a group chat
                        the community is in is one case, ``peer_id`` ≥ 2e9).
    ``message_reply`` — the community's own outgoing message, including an
                        admin answering in VK's interface → OUTBOUND in
                        ``dm:<peer_id>``.
    ``wall_reply_new`` — a wall comment. From ``-group_id`` it is the brand
                        answering → OUTBOUND in the thread of the customer it
                        answers (``reply_to_user``, else the remembered author
                        of ``reply_to_comment``); from anyone else it is
                        inbound in ``comment:<owner_id>_<post_id>:<from_id>``.
                        An admin commenting under their own name (not "from the
                        community") looks like a customer: VK cannot tell.

External ids (unique per account; a delivery gets the same id its event will)
    messages: ``msg:<peer_id>:<id>``; in group chats, where a community only
    gets ``conversation_message_id`` (``id`` is 0), ``msg:<peer_id>:c<cmid>``.
    comments: ``wall:<owner_id>_<post_id>:<comment id>``.
    posts (``post_external_id``): ``wall<owner_id>_<post_id>`` as VK writes it.
    VK's ``event_id`` is not needed: these ids make a repeated event a no-op.

``extra`` (all strings): messages ``peer_id``, ``message_id``,
``conversation_message_id``, ``from_id``; comments ``owner_id``, ``post_id``,
``comment_id``, ``from_id`` (and ``reply_to_comment`` when it is a reply).
``attachments`` lists attachment types when there are any; the text then ends
with ``[attachments: photo, …]`` so an image-only message is not blank.
Mention markup ``[id1|Name]`` becomes ``Name``. Author names come from one
``users.get`` per batch of new authors (cached); if that fails the name is
``id<N>`` and the fetch goes on.

Sending (``Idempotency.KEY``: both methods take a key, so sends are retried)
    DM: ``messages.send`` with ``peer_id``, ``random_id`` (derived from the
    reply's UUID: its top 63 bits, never 0), ``message`` and ``reply_to``; in
    a group chat ``peer_ids`` and ``forward`` (``is_reply``) instead, because
    only that form answers with the ``conversation_message_id``.
    Comment: ``wall.createComment`` with ``owner_id``, ``post_id``,
    ``from_group``, ``reply_to_comment``, ``message`` and ``guid`` = reply id.
    VK answers with an id only, so ``delivered_at`` is our clock at the answer.
    When the answered message's ``extra`` is empty (a reply to the case as a
    whole) the route comes from the thread key.

Errors (HTTP 200 with ``{"error": {"error_code", "error_msg"}}``)
    5 → AuthError; 6 (too many requests per second) → RateLimited 1 s;
    9 (flood control: too many identical actions) → RateLimited 60 s;
    29 (a method's daily quota) → RateLimited 1 h (VK does not say when the
    quota resets, so we probe hourly rather than wait for a guessed midnight);
    1 and 10 → TransientError; 14 (captcha) → PermanentError telling the person
    to slow down / answer in VK; everything else (15, 100, 203, 212, 213, 901,
    902, 914, …) → PermanentError with VK's own message.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, NoReturn

import httpx

from smm_desk.connectors.base import (
    Connector,
    Delivery,
    FetchResult,
    Idempotency,
    OutgoingReply,
    Quarantined,
    register,
)
from smm_desk.connectors.errors import (
    AuthError,
    BadPayload,
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
)
from smm_desk.connectors.http import decode_json
from smm_desk.connectors.vk_parse import (
    MEMORY_LIMIT,
    Malformed,
    Parser,
    comment_external_id,
    dump,
    is_int,
    message_external_id,
)
from smm_desk.domain.records import Direction, IncomingMessage
from smm_desk.domain.text import clean_text

log = logging.getLogger("smm_desk.connectors.vk")

API_VERSION = "5.199"
#: VK's upper bound for ``wait``; 25 is what it recommends (proxies cut at 30 s).
MAX_WAIT = 90
#: A peer id at or above this is a group chat (2e9 + chat id).
CHAT_PEER_BASE = 2_000_000_000
FLOOD_CONTROL_WAIT = 60.0
DAILY_QUOTA_WAIT = 3600.0
TOO_MANY_REQUESTS_WAIT = 1.0
#: users.get takes at most 1000 ids per call.
USERS_PER_CALL = 1000

# --------------------------------------------------------------------------- errors

def raise_for_vk_error(error: Mapping[str, Any], what: str) -> NoReturn:
    """Raise the project's error for VK's ``error`` object."""
    code = error.get("error_code")
    said = error.get("error_msg")
    said = clean_text(said, 300) if isinstance(said, str) else ""
    text = f"VK {what}: error {code}: {said}"
    if code == 5:
        raise AuthError(text, network_message=said)
    if code == 6:
        raise RateLimited(text, TOO_MANY_REQUESTS_WAIT, network_message=said)
    if code == 9:
        raise RateLimited(f"{text} (too many identical actions)", FLOOD_CONTROL_WAIT,
                          network_message=said)
    if code == 29:
        raise RateLimited(f"{text} (daily quota of this method)", DAILY_QUOTA_WAIT,
                          network_message=said)
    if code in (1, 10):
        raise TransientError(text, maybe_delivered=True, network_message=said)
    if code == 14:
        raise PermanentError(
            f"VK {what}: VK asks for a captcha (error 14): too many actions in a row; "
            "slow down or answer in VK itself", network_message=said)
    raise PermanentError(text, network_message=said)


def check_response(response: httpx.Response) -> None:
    """The ``check`` for :meth:`HttpClient.request`: VK's body errors on any status."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return  # not JSON: the status mapping or decode_json reports it
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        raise_for_vk_error(body["error"], response.request.url.path.rsplit("/", 1)[-1])


# --------------------------------------------------------------------------- helpers

def random_id_for(reply_id: str) -> int:
    """A positive int64 derived from the reply id, the same on every attempt."""
    try:
        number = uuid.UUID(reply_id).int
    except ValueError:
        number = int.from_bytes(hashlib.sha256(reply_id.encode("utf-8", "replace")).digest()[:16])
    value = number >> 65  # top 63 bits: 0 <= value < 2**63
    return value or 1  # 0 would switch VK's duplicate check off


def parse_group_id(value: str) -> int:
    text = value.strip().lower()
    for prefix in ("club", "public", "-"):
        if text.startswith(prefix):
            text = text[len(prefix):]
            break
    if not (text.isascii() and text.isdigit()) or int(text) <= 0:
        raise PermanentError(f"VK: group_id option {value!r} is not a community id "
                             "(expected a number such as 123456)")
    return int(text)


def _cursor_ts(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        value = json.loads(cursor)
    except ValueError:
        value = None
    if isinstance(value, dict):
        value = value.get("ts")
    if is_int(value):
        return str(value)
    if isinstance(value, str) and value:
        return value
    log.warning("VK cursor is unreadable; starting from the long poll's current position")
    return None


@dataclass
class _Session:
    server: str
    key: str
    ts: str


# --------------------------------------------------------------------------- connector

@register
class VkConnector(Connector):
    network = "vk"
    default_base_url = "https://api.vk.com"
    idempotency = Idempotency.KEY
    streams = ("longpoll",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._group_id: int | None = None
        self._session: _Session | None = None
        self._parser: Parser | None = None
        self._names: dict[str, str] = {}

    # ----- API calls

    async def call(self, method: str, params: Mapping[str, Any] | None = None, *,
                   retry_safe: bool = True) -> Any:
        """``POST /method/<method>`` and return VK's ``response``."""
        data = {**(params or {}), "access_token": self._token, "v": API_VERSION}
        response = await self.http.request("POST", f"/method/{method}", data=data,
                                           retry_safe=retry_safe, check=check_response)
        body = decode_json(response, self.redact)
        if not isinstance(body, dict) or "response" not in body:
            raise BadPayload(f"VK {method}: answer has no 'response'")
        return body["response"]

    async def group_id(self) -> int:
        if self._group_id is not None:
            return self._group_id
        configured = self.account.options.get("group_id")
        if configured:
            self._group_id = parse_group_id(str(configured))
            return self._group_id
        found = await self.call("groups.getById")
        groups = found.get("groups") if isinstance(found, dict) else found
        first = groups[0] if isinstance(groups, list) and groups else None
        gid = first.get("id") if isinstance(first, dict) else None
        if not is_int(gid) or gid <= 0:
            raise PermanentError(
                "VK: the account has no group_id and groups.getById did not name the "
                "community (is this a community access key?); set group_id in the account")
        self._group_id = gid
        return gid

    async def _parser_for(self) -> Parser:
        if self._parser is None:
            self._parser = Parser(await self.group_id(), self.account.name)
        return self._parser

    async def _new_session(self) -> _Session:
        found = await self.call("groups.getLongPollServer", {"group_id": await self.group_id()})
        if not isinstance(found, dict):
            raise BadPayload("VK groups.getLongPollServer: answer is not an object")
        server, key, ts = found.get("server"), found.get("key"), found.get("ts")
        if not isinstance(server, str) or not server or not isinstance(key, str) or not key:
            raise BadPayload("VK groups.getLongPollServer: answer lacks 'server' or 'key'")
        if is_int(ts):
            ts = str(ts)
        if not isinstance(ts, str) or not ts:
            raise BadPayload("VK groups.getLongPollServer: answer lacks 'ts'")
        self.http.redact.add(key)
        if "://" not in server:
            server = "https://" + server  # older versions answer without a scheme
        self._session = _Session(server, key, ts)
        return self._session

    # ----- reading

    async def fetch(self, stream: str, cursor: str | None, *, wait: float) -> FetchResult:
        if stream != "longpoll":
            raise PermanentError(f"VK has no stream {stream!r}")
        parser = await self._parser_for()
        session = self._session or await self._new_session()
        ts = _cursor_ts(cursor) or session.ts
        seconds = max(0, min(MAX_WAIT, int(wait)))
        for _ in range(4):
            body = await self._poll(session, ts, seconds)
            failed = body.get("failed")
            if failed is None:
                break
            if failed == 1 and isinstance(body.get("ts"), str | int):
                log.warning("VK long poll history lost (failed 1); some events may be missing")
                ts = str(body["ts"])
            elif failed == 2:
                session = await self._new_session()
            elif failed == 3:
                log.warning("VK long poll lost its state (failed 3); some events may be missing")
                session = await self._new_session()
                ts = session.ts
            else:
                raise TransientError(f"VK long poll failed ({dump(failed)[:40]})")
        else:
            raise TransientError("VK long poll keeps asking for a new session")
        new_ts = body.get("ts")
        if is_int(new_ts):
            new_ts = str(new_ts)
        if not isinstance(new_ts, str) or not new_ts:
            raise BadPayload("VK long poll: answer has no 'ts'")
        session.ts = new_ts
        updates = body.get("updates", [])
        quarantined: list[Quarantined] = []
        if not isinstance(updates, list):
            quarantined.append(Quarantined(dump(updates), "long poll 'updates' is not a list"))
            updates = []
        messages, bad = parser.parse(updates)
        quarantined.extend(bad)
        messages = await self._with_names(messages)
        return FetchResult(messages=messages, cursor=json.dumps({"ts": new_ts}),
                           quarantined=quarantined, more=bool(updates))

    async def _poll(self, session: _Session, ts: str, wait: int) -> dict[str, Any]:
        response = await self.http.request(
            "GET", session.server, retry_safe=True, check=check_response,
            params={"act": "a_check", "key": session.key, "ts": ts, "wait": wait},
            http_timeout=httpx.Timeout(connect=10.0, read=wait + 15.0, write=30.0, pool=10.0),
        )
        body = decode_json(response, self.redact)
        if not isinstance(body, dict):
            raise BadPayload("VK long poll: answer is not a JSON object")
        return body

    async def _with_names(self, messages: list[IncomingMessage]) -> list[IncomingMessage]:
        wanted = {m.author_id for m in messages
                  if m.direction == Direction.INBOUND and m.author_id.isdigit()
                  and m.author_id not in self._names}
        if len(self._names) + len(wanted) > MEMORY_LIMIT:
            self._names.clear()
        ordered = sorted(wanted, key=int)
        for start in range(0, len(ordered), USERS_PER_CALL):
            try:
                found = await self.call("users.get", {
                    "user_ids": ",".join(ordered[start:start + USERS_PER_CALL])})
            except AuthError:
                raise
            except ConnectorError as exc:
                log.info("VK users.get failed, names stay ids: %s", exc)
                break
            for user in found if isinstance(found, list) else []:
                if isinstance(user, dict) and isinstance(user.get("id"), int):
                    parts = [user.get("first_name"), user.get("last_name")]
                    name = " ".join(p for p in parts if isinstance(p, str) and p)
                    if name:
                        self._names[str(user["id"])] = clean_text(name, 200)
        result = []
        for m in messages:
            if m.direction == Direction.INBOUND and not m.author_name:
                name = self._names.get(m.author_id) or (
                    f"id{m.author_id}" if m.author_id.isdigit() else f"club{m.author_id[1:]}")
                m = replace(m, author_name=name)
            result.append(m)
        return result

    # ----- sending

    async def send(self, reply: OutgoingReply) -> Delivery:
        target = reply.target
        extra = dict(target.extra)
        text = clean_text(reply.text, max(len(reply.text), 1))
        key = target.thread_key
        if "peer_id" in extra or (key.startswith("dm:") and "post_id" not in extra):
            peer = extra.get("peer_id") or key[3:]
            external_id = await self._send_message(reply, peer, extra, text)
        elif "post_id" in extra or key.startswith("comment:"):
            external_id = await self._send_comment(reply, extra, text)
        else:
            raise PermanentError(f"VK: cannot tell where to send a reply in {key!r}")
        return Delivery(external_id=external_id, delivered_at=self.clock())

    async def _send_message(self, reply: OutgoingReply, peer_text: str,
                            extra: Mapping[str, str], text: str) -> str:
        peer = _route_int(peer_text, "peer_id")
        params: dict[str, Any] = {"random_id": random_id_for(reply.reply_id), "message": text}
        message_id = _route_int(extra.get("message_id", "0") or "0", "message_id")
        cmid = _route_int(extra.get("conversation_message_id", "0") or "0",
                          "conversation_message_id")
        if peer < CHAT_PEER_BASE:
            params["peer_id"] = peer
            if message_id > 0:
                params["reply_to"] = message_id
            found = await self.call("messages.send", params)
            if not is_int(found) or found <= 0:
                raise BadPayload("VK messages.send: answer is not a message id")
            return f"msg:{peer}:{found}"
        # A group chat: only peer_ids answers with the conversation_message_id.
        params["peer_ids"] = peer
        if cmid > 0:
            params["forward"] = json.dumps({"peer_id": peer, "conversation_message_ids": [cmid],
                                            "is_reply": True})
        found = await self.call("messages.send", params)
        item = found[0] if isinstance(found, list) and found else None
        if not isinstance(item, dict):
            raise BadPayload("VK messages.send: answer is not a list of results")
        if isinstance(item.get("error"), dict):
            raise_for_vk_error(item["error"], "messages.send")
        sent_cmid = item.get("conversation_message_id")
        sent_id = item.get("message_id")
        try:
            return message_external_id(peer, sent_id if isinstance(sent_id, int) else None,
                                       sent_cmid if isinstance(sent_cmid, int) else None)
        except Malformed:
            raise BadPayload("VK messages.send: answer names no message") from None

    async def _send_comment(self, reply: OutgoingReply, extra: Mapping[str, str],
                            text: str) -> str:
        owner_text, post_text = extra.get("owner_id"), extra.get("post_id")
        if not owner_text or not post_text:
            # comment:<owner>_<post>:<customer>
            parts = reply.target.thread_key.split(":")
            owner_text, _, post_text = (parts[1] if len(parts) == 3 else "").partition("_")
        owner = _route_int(owner_text, "owner_id")
        post = _route_int(post_text, "post_id")
        params: dict[str, Any] = {"owner_id": owner, "post_id": post,
                                  "from_group": await self.group_id(),
                                  "message": text, "guid": reply.reply_id}
        comment = extra.get("comment_id")
        if comment:
            params["reply_to_comment"] = _route_int(comment, "comment_id")
        found = await self.call("wall.createComment", params)
        new_id = found.get("comment_id") if isinstance(found, dict) else None
        if not is_int(new_id) or new_id <= 0:
            raise BadPayload("VK wall.createComment: answer has no 'comment_id'")
        return comment_external_id(owner, post, new_id)


def _route_int(value: str | None, name: str) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise PermanentError(f"VK: the reply target's {name} {value!r} is not a number") from None
