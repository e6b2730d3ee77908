"""A VK community as the simulator serves it: API methods and a Bots Long Poll.

Endpoints (same origin as the connector's base URL):

* ``POST|GET /method/<name>`` — ``groups.getById``, ``groups.getLongPollServer``,
  ``users.get``, ``messages.send``, ``wall.createComment``. Parameters come from
  the query and a form-encoded body; the token from ``access_token`` or an
  ``Authorization: Bearer`` header; ``v`` is required. Errors are VK's own:
  HTTP 200 with ``{"error": {"error_code", "error_msg", "request_params"}}``
  (the token is never echoed). Unknown or missing token → 5; a JSON body → 8
  (VK reads only form and multipart bodies, so it would find no parameters;
  the simulator says so outright); missing or bad parameters → 100; unknown
  method → 3; a user who never wrote to the community → 901.
* ``GET /vk-lp/<group_id>?act=a_check&key=…&ts=…&wait=N`` — the long-poll
  server ``groups.getLongPollServer`` names (``server`` is built on the origin
  the request came to, so a loopback or in-process base URL keeps working).
  Events are numbered; ``ts`` is the number of the next event wanted. It
  answers ``{"ts", "updates"}`` (at most 100 updates), waits up to ``wait``
  seconds when there is nothing, ``{"failed": 1, "ts"}`` when ``ts`` is older
  than the retained window (``retain`` events) or ahead of the counter (a
  stale cursor from another simulator run), and ``{"failed": 2}`` for an
  unknown or expired key (:meth:`VkSim.expire_keys`).

Idempotency as VK does it: ``messages.send`` requires ``random_id`` and a
repeat returns the first message's id and posts nothing; ``wall.createComment``
does the same on ``guid``. Both emit the community's own event
(``message_reply``, ``wall_reply_new`` from ``-group_id``) and record a
:class:`Delivered`. Faults: ``rate_limit`` → error 6, ``auth`` → error 5
(``{"failed": 2}`` on the long-poll path); ``body`` faults force any answer.

Messages and comments share one id counter per community, so
:meth:`VkSim.inject_brand_answer` can tell from an id alone what it answers.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import urllib.parse
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from smm_desk.sim.world import Delivered, Fault, SimWorld, json_response

API_VERSION = "5.199"
LP_PREFIX = "/vk-lp/"
METHOD_PREFIX = "/method/"
FIRST_GROUP_ID = 210_001
FIRST_USER_ID = 5_100_001
MAX_UPDATES = 100
MAX_MESSAGE = 9000

_ERRORS = {
    3: "Unknown method passed",
    5: "User authorization failed: invalid access_token (4).",
    6: "Too many requests per second",
    8: "Invalid request",
    15: "Access denied",
    100: "One of the parameters specified was missing or invalid",
    901: "Can't send messages for users without permission",
    914: "Message is too long",
}


class _VkError(Exception):
    def __init__(self, code: int, detail: str = "") -> None:
        super().__init__(code, detail)
        self.code = code
        self.detail = detail

    @property
    def message(self) -> str:
        base = _ERRORS.get(self.code, "Unknown error occurred")
        return f"{base}: {self.detail}" if self.detail else base


def vk_error(code: int, detail: str = "", params: dict[str, str] | None = None,
             method: str = "", *, text: str = "") -> httpx.Response:
    """VK's error answer: HTTP 200, the parameters echoed without the token."""
    shown = [{"key": "method", "value": method}] if method else []
    shown += [{"key": k, "value": v} for k, v in (params or {}).items() if k != "access_token"]
    return _json(200, {"error": {"error_code": code,
                                 "error_msg": text or _VkError(code, detail).message,
                                 "request_params": shown}})


def _json(status: int, body: Any) -> httpx.Response:
    """VK sends UTF-8; text with a lone surrogate (hostile test input) travels
    \\u-escaped instead, as a JSON encoder must."""
    try:
        return json_response(status, body)
    except UnicodeEncodeError:
        return httpx.Response(status, headers={"Content-Type": "application/json"},
                              content=json.dumps(body).encode())


@dataclass
class _Group:
    token: str
    group_id: int
    name: str
    events: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    next_ts: int = 1
    keys: set[str] = field(default_factory=set)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    comments: dict[int, dict[str, Any]] = field(default_factory=dict)
    random_ids: dict[int, int] = field(default_factory=dict)
    guids: dict[str, dict[str, Any]] = field(default_factory=dict)
    posts: set[int] = field(default_factory=set)
    post_aliases: dict[str, int] = field(default_factory=dict)
    next_post: int = 1
    peers: set[int] = field(default_factory=set)
    cmids: dict[int, int] = field(default_factory=dict)

    @property
    def oldest_ts(self) -> int:
        return self.events[0][0] if self.events else self.next_ts


class VkSim:
    """The VK handler for :class:`SimWorld`; ``world.add(VkSim(world))``."""

    network = "vk"

    def __init__(self, world: SimWorld, *, retain: int = 1000) -> None:
        self.world = world
        self.retain = retain
        self._groups: dict[str, _Group] = {}
        self._by_id: dict[int, _Group] = {}
        self._users: dict[int, tuple[str, str]] = {}
        self._user_ids: dict[str, int] = {}

    # ------------------------------------------------------------ injection API

    def add_account(self, token: str, name: str) -> None:
        with self.world.lock:
            if token in self._groups:
                self._groups[token].name = name
                return
            group = _Group(token=token, group_id=FIRST_GROUP_ID + len(self._groups), name=name)
            self._groups[token] = group
            self._by_id[group.group_id] = group

    def group_id(self, token: str) -> int:
        return self._group(token).group_id

    def account_options(self, token: str) -> dict[str, str]:
        return {"group_id": str(self.group_id(token))}

    def inject_dm(self, token: str, author_id: str, author_name: str, text: str,
                  at: datetime | None = None) -> str:
        with self.world.lock:
            group = self._group(token)
            user = self._user(author_id, author_name)
            group.peers.add(user)
            message = self._new_message(group, user, user, text, at, out=False)
            self._emit(group, "message_new", {"message": message, "client_info": {
                "button_actions": ["text", "vkpay", "open_app", "location", "open_link",
                                   "callback", "intent_subscribe", "intent_unsubscribe"],
                "keyboard": True, "inline_keyboard": True, "carousel": True, "lang_id": 0}})
        self.world.notify()
        return str(message["id"])

    def inject_comment(self, token: str, post_id: str | None, author_id: str,
                       author_name: str, text: str, at: datetime | None = None) -> str:
        with self.world.lock:
            group = self._group(token)
            user = self._user(author_id, author_name)
            post = self._post(group, post_id)
            comment = self._new_comment(group, post, user, text, at, parent=None)
        self.world.notify()
        return str(comment["id"])

    def inject_brand_answer(self, token: str, reply_to_id: str, text: str,
                            at: datetime | None = None) -> str:
        """An admin answering in VK's own interface (not through our API calls)."""
        with self.world.lock:
            group = self._group(token)
            tail = reply_to_id.rsplit(":", 1)[-1]  # a plain id or our external id
            target = int(tail) if tail.isascii() and tail.isdigit() else 0
            if target in group.messages:
                original = group.messages[target]
                message = self._new_message(group, original["peer_id"], -group.group_id, text,
                                            at, out=True, reply_to=original)
                message["admin_author_id"] = 1
                self._emit(group, "message_reply", message)
                new_id = message["id"]
            elif target in group.comments:
                original = group.comments[target]
                comment = self._new_comment(group, original["post_id"], -group.group_id, text,
                                            at, parent=original)
                new_id = comment["id"]
            else:
                raise KeyError(f"no message or comment {reply_to_id!r} in {group.name}")
        self.world.notify()
        return str(new_id)

    def posted(self, token: str) -> list[dict[str, Any]]:
        name = self._group(token).name
        with self.world.lock:
            return [{"method": d.method, "target": d.target, "text": d.text,
                     "external_id": d.external_id, "key": d.key, "at": d.at}
                    for d in self.world.deliveries if d.network == "vk" and d.account == name]

    def expire_keys(self, token: str) -> None:
        """Every long-poll key of the account stops working (→ ``failed: 2``)."""
        with self.world.lock:
            self._group(token).keys.clear()

    # ------------------------------------------------------------ NetworkHandler

    def matches(self, request: httpx.Request) -> bool:
        path = request.url.path
        return path.startswith(METHOD_PREFIX) or path.startswith(LP_PREFIX)

    def fault_response(self, fault: Fault, request: httpx.Request) -> httpx.Response | None:
        long_poll = request.url.path.startswith(LP_PREFIX)
        if fault.kind == "auth":
            return _json(200, {"failed": 2}) if long_poll else vk_error(5)
        if fault.kind == "rate_limit":
            return vk_error(6)
        return None

    def handle(self, request: httpx.Request, world: SimWorld) -> httpx.Response:
        if request.url.path.startswith(LP_PREFIX):
            return self._long_poll(request, world)
        method = request.url.path[len(METHOD_PREFIX):]
        params = dict(request.url.params)
        ctype = request.headers.get("content-type", "").lower()
        if request.content:
            if "json" in ctype:
                return vk_error(8, "application/json bodies are not read; "
                                   "send application/x-www-form-urlencoded", method=method)
            if not ctype.startswith("application/x-www-form-urlencoded"):
                return vk_error(8, f"unsupported content type {ctype!r}", method=method)
            try:
                params.update(urllib.parse.parse_qsl(request.content.decode("utf-8"),
                                                     keep_blank_values=True))
            except UnicodeDecodeError:
                return vk_error(8, "body is not UTF-8", method=method)
        token = params.get("access_token", "")
        auth = request.headers.get("authorization", "")
        if not token and auth.lower().startswith("bearer "):
            token = auth[7:].strip()
        with world.lock:
            group = self._groups.get(token)
            if not token:
                return vk_error(5, params=params, method=method,
                                text="User authorization failed: no access_token passed.")
            if group is None:
                return vk_error(5, "", params, method)
            if not params.get("v"):
                return vk_error(8, "v (version) is required", params, method)
            serve = self._methods.get(method)
            if serve is None:
                return vk_error(3, f"{method} is not known", params, method)
            try:
                result = serve(self, group, params, request)
            except _VkError as exc:
                return vk_error(exc.code, exc.detail, params, method)
        world.notify()
        return _json(200, {"response": result})

    # ------------------------------------------------------------ methods

    def _get_by_id(self, group: _Group, params: dict[str, str],
                   request: httpx.Request) -> Any:
        return {"groups": [{"id": group.group_id, "name": group.name,
                            "screen_name": group.name.lower().replace(" ", "_"),
                            "is_closed": 0, "type": "group"}], "profiles": []}

    def _get_long_poll_server(self, group: _Group, params: dict[str, str],
                              request: httpx.Request) -> Any:
        gid = _int_param(params, "group_id")
        if gid != group.group_id:
            raise _VkError(15, "no access to this group")
        key = uuid.uuid4().hex + uuid.uuid4().hex[:8]
        group.keys.add(key)
        origin = f"{request.url.scheme}://{request.url.netloc.decode('ascii')}"
        return {"key": key, "server": f"{origin}{LP_PREFIX}{group.group_id}",
                "ts": str(group.next_ts)}

    def _users_get(self, group: _Group, params: dict[str, str],
                   request: httpx.Request) -> Any:
        raw = params.get("user_ids", "")
        if not raw:
            raise _VkError(100, "user_ids is undefined")
        found = []
        for part in raw.split(","):
            try:
                uid = int(part)
            except ValueError:
                raise _VkError(100, f"invalid user id {part!r}") from None
            if uid in self._users:
                first, last = self._users[uid]
                found.append({"id": uid, "first_name": first, "last_name": last,
                              "can_access_closed": True, "is_closed": False})
            else:
                found.append({"id": uid, "first_name": "DELETED", "last_name": "",
                              "deactivated": "deleted"})
        return found

    def _messages_send(self, group: _Group, params: dict[str, str],
                       request: httpx.Request) -> Any:
        if "random_id" not in params:
            raise _VkError(100, "random_id is a required parameter")
        random_id = _int_param(params, "random_id")
        if "peer_ids" in params or "user_ids" in params:
            raise _VkError(100, "the simulator serves peer_id only")
        peer = _int_param(params, "user_id" if "user_id" in params else "peer_id")
        text = params.get("message", "")
        if not text.strip() and not params.get("attachment"):
            raise _VkError(100, "message is empty or invalid")
        if len(text) > MAX_MESSAGE:
            raise _VkError(914)
        if random_id and random_id in group.random_ids:
            return group.random_ids[random_id]
        if peer not in group.peers:
            raise _VkError(901)
        original = None
        if params.get("reply_to"):
            original = group.messages.get(_int_param(params, "reply_to"))
            if original is None or original["peer_id"] != peer:
                raise _VkError(100, "reply_to is invalid")
        message = self._new_message(group, peer, -group.group_id, text, None, out=True,
                                    reply_to=original)
        message["random_id"] = random_id
        if random_id:
            group.random_ids[random_id] = message["id"]
        self._emit(group, "message_reply", message)
        self.world.record(Delivered(
            network="vk", account=group.name, method="messages.send", target=f"dm:{peer}",
            text=text, external_id=f"msg:{peer}:{message['id']}", key=str(random_id),
            at=self.world.clock()))
        return message["id"]

    def _create_comment(self, group: _Group, params: dict[str, str],
                        request: httpx.Request) -> Any:
        owner = _int_param(params, "owner_id")
        post = _int_param(params, "post_id")
        if owner != -group.group_id or post not in group.posts:
            raise _VkError(100, "post_id is invalid")
        if "from_group" in params and _int_param(params, "from_group") not in (
                1, group.group_id):
            raise _VkError(15, "cannot comment on behalf of this group")
        text = params.get("message", "")
        if not text.strip() and not params.get("attachments"):
            raise _VkError(100, "message is undefined")
        guid = params.get("guid") or None
        if guid and guid in group.guids:
            return group.guids[guid]
        parent = None
        if params.get("reply_to_comment"):
            parent = group.comments.get(_int_param(params, "reply_to_comment"))
            if parent is None or parent["post_id"] != post:
                raise _VkError(100, "reply_to_comment is invalid")
        comment = self._new_comment(group, post, -group.group_id, text, None, parent=parent)
        answer = {"comment_id": comment["id"], "parents_stack": comment["parents_stack"]}
        if guid:
            group.guids[guid] = answer
        self.world.record(Delivered(
            network="vk", account=group.name, method="wall.createComment",
            target=f"wall{owner}_{post}", text=text,
            external_id=f"wall:{owner}_{post}:{comment['id']}", key=guid,
            at=self.world.clock()))
        return answer

    _methods = {
        "groups.getById": _get_by_id,
        "groups.getLongPollServer": _get_long_poll_server,
        "users.get": _users_get,
        "messages.send": _messages_send,
        "wall.createComment": _create_comment,
    }

    # ------------------------------------------------------------ long poll

    def _long_poll(self, request: httpx.Request, world: SimWorld) -> httpx.Response:
        params = dict(request.url.params)
        tail = request.url.path[len(LP_PREFIX):]
        group = self._by_id.get(int(tail)) if tail.isascii() and tail.isdigit() else None
        if group is None:
            return _json(404, {"error": "no such long-poll server"})
        if params.get("act") != "a_check":
            return _json(400, {"error": "act must be a_check"})
        try:
            wait = max(0, min(90, int(params.get("wait") or 0)))
        except ValueError:
            wait = 0
        with world.lock:
            if params.get("key") not in group.keys:
                return _json(200, {"failed": 2})
            raw_ts = params.get("ts", "")
            ts = int(raw_ts) if raw_ts.isascii() and raw_ts.isdigit() else -1
            if ts < group.oldest_ts or ts > group.next_ts:
                return _json(200, {"failed": 1, "ts": str(group.next_ts)})
        if wait:
            world.wait_for(lambda: group.next_ts > ts, wait)
        with world.lock:
            if ts < group.oldest_ts:  # trimmed while we waited
                return _json(200, {"failed": 1, "ts": str(group.next_ts)})
            updates = [event for number, event in group.events if number >= ts][:MAX_UPDATES]
            return _json(200, {"ts": str(ts + len(updates)), "updates": updates})

    # ------------------------------------------------------------ state (lock held)

    def _group(self, token: str) -> _Group:
        try:
            return self._groups[token]
        except KeyError:
            raise KeyError("no VK account with that token in the simulator") from None

    def _user(self, author_id: str, author_name: str) -> int:
        if author_id.isascii() and author_id.isdigit() and int(author_id) > 0:
            uid = int(author_id)
        else:
            uid = self._user_ids.setdefault(author_id, FIRST_USER_ID + len(self._user_ids))
        first, _, last = author_name.partition(" ")
        self._users[uid] = (first, last)
        return uid

    def _post(self, group: _Group, post_id: str | None) -> int:
        if post_id is not None and post_id.isascii() and post_id.isdigit() and int(post_id) > 0:
            post = int(post_id)
        elif post_id is not None and post_id in group.post_aliases:
            post = group.post_aliases[post_id]
        else:
            while group.next_post in group.posts:
                group.next_post += 1
            post = group.next_post
            if post_id is not None:
                group.post_aliases[post_id] = post
        group.posts.add(post)
        return post

    def _date(self, at: datetime | None) -> int:
        return int((at or self.world.clock()).timestamp())

    def _new_message(self, group: _Group, peer: int, sender: int, text: str,
                     at: datetime | None, *, out: bool,
                     reply_to: dict[str, Any] | None = None) -> dict[str, Any]:
        cmid = group.cmids.get(peer, 0) + 1
        group.cmids[peer] = cmid
        message: dict[str, Any] = {
            "id": next(group.ids), "date": self._date(at), "peer_id": peer, "from_id": sender,
            "text": text, "out": int(out), "conversation_message_id": cmid,
            "attachments": [], "fwd_messages": [], "important": False, "is_hidden": False,
            "version": group.next_ts,
        }
        if reply_to is not None:
            message["reply_message"] = {k: reply_to[k] for k in (
                "id", "date", "peer_id", "from_id", "text", "conversation_message_id")}
        group.messages[message["id"]] = message
        return message

    def _new_comment(self, group: _Group, post: int, sender: int, text: str,
                     at: datetime | None, *, parent: dict[str, Any] | None) -> dict[str, Any]:
        comment: dict[str, Any] = {
            "id": next(group.ids), "from_id": sender, "date": self._date(at), "text": text,
            "post_id": post, "owner_id": -group.group_id, "post_owner_id": -group.group_id,
            "parents_stack": [], "thread": {"count": 0},
        }
        if parent is not None:
            comment["reply_to_comment"] = parent["id"]
            comment["reply_to_user"] = parent["from_id"]
            comment["parents_stack"] = list(parent["parents_stack"]) or [parent["id"]]
        group.comments[comment["id"]] = comment
        self._emit(group, "wall_reply_new", comment)
        return comment

    def _emit(self, group: _Group, kind: str, obj: dict[str, Any]) -> None:
        number = group.next_ts
        group.next_ts += 1
        group.events.append((number, {
            "type": kind, "object": obj, "group_id": group.group_id, "v": API_VERSION,
            "event_id": hashlib.sha1(f"{group.group_id}:{number}".encode()).hexdigest(),
        }))
        if len(group.events) > self.retain:
            del group.events[: len(group.events) - self.retain]


def _int_param(params: dict[str, str], name: str) -> int:
    value = params.get(name)
    if value is None or value == "":
        raise _VkError(100, f"{name} is undefined")
    try:
        return int(value)
    except ValueError:
        raise _VkError(100, f"{name} not integer") from None
