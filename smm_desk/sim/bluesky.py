"""A Bluesky PDS (with its AppView and chat service) in memory: the XRPC
methods SMM Desk uses, in the lexicons' shapes (bluesky-social/atproto
``lexicons/``; facts in /work/shared/networks/bluesky.md).

One :class:`BlueskySim` serves ``/xrpc/<nsid>`` on any host. Each account
added with :meth:`BlueskySim.add_account` is a brand whose **app password** is
the token it was added with; customers are created on first use by the
injection methods. Served:

* ``com.atproto.server.createSession`` (identifier = handle or DID + app
  password → JWT-shaped ``accessJwt``/``refreshJwt`` with ``exp``; limited to
  30 per 5 minutes per account, as on bsky.social), ``refreshSession`` (Bearer
  refreshJwt; both rotate, a used refresh JWT is refused), ``getSession``.
* ``app.bsky.notification.listNotifications`` — ``reasons`` (repeated),
  ``limit`` 1–100 (50), ``cursor`` walking backwards, newest first by
  ``indexedAt``; each notification carries the full post record.
* ``app.bsky.feed.getAuthorFeed`` — feedViewPosts with ``reply.root``/
  ``reply.parent`` post views, same paging.
* ``com.atproto.repo.createRecord`` (``app.bsky.feed.post`` only): the record is
  validated (text ≤ 300 graphemes — counted as code points here — and 3000
  bytes, createdAt, strong refs), a client ``rkey`` must be a TID, and a second
  record at an existing key fails with ``500 InternalServerError`` as the PDS's
  MST does ("There is already a value at key"). ``getRecord`` answers
  ``400 RecordNotFound`` for a missing key.
* ``chat.bsky.convo.getLog`` / ``getConvo`` / ``getMessages`` /
  ``sendMessage`` — only with ``atproto-proxy: did:web:api.bsky.chat#bsky_chat``
  (else 501 ``MethodNotImplemented``), and only for an app password with DM
  access (else 400 ``InvalidToken`` "Bad token method").

Tokens: a missing Authorization header → 401 ``AuthMissing``; an unknown JWT →
401 ``InvalidToken``; an expired one → 400 ``ExpiredToken``. Every
authenticated answer carries ``RateLimit-Limit/-Remaining/-Reset`` (epoch
seconds) and ``RateLimit-Policy`` (3000 per 300 s per account by default);
past the limit → 429 ``RateLimitExceeded``. Faults: "rate_limit" answers that
429 with the fault's wait in ``RateLimit-Reset``; "auth" answers 400
``ExpiredToken``.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import hashlib
import itertools
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from smm_desk.sim.world import Delivered, Fault, SimWorld, json_response

NETWORK = "bluesky"
POST = "app.bsky.feed.post"
CHAT_PROXY = "did:web:api.bsky.chat#bsky_chat"
_B32 = "234567abcdefghijklmnopqrstuvwxyz"
_TID = re.compile(r"[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}")


def iso(at: datetime) -> str:
    at = at.astimezone(UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b32(data: bytes, size: int) -> str:
    n = int.from_bytes(data, "big")
    return "".join(_B32[(n >> (5 * i)) & 31] for i in range(size))


def cid_for(content: Any) -> str:
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).digest()
    return "bafyrei" + _b32(digest, 52)


def tid(micros: int, clock_id: int = 0) -> str:
    value = (micros << 10) | (clock_id & 0x3FF)
    return "".join(_B32[(value >> (5 * i)) & 31] for i in reversed(range(13)))


def _err(status: int, name: str, message: str,
         headers: dict[str, str] | None = None) -> httpx.Response:
    return json_response(status, {"error": name, "message": message}, headers)


@dataclass
class _Brand:
    password: str
    did: str
    handle: str
    dm_access: bool = True
    post: str | None = None
    #: createSession calls (times), for the 30 / 5 min limit.
    logins: list[datetime] = field(default_factory=list)
    period: int = -1
    used: int = 0
    logs: list[dict[str, Any]] = field(default_factory=list)


class BlueskySim:
    """The simulator's Bluesky (a :class:`~smm_desk.sim.world.NetworkHandler`)."""

    network = NETWORK

    def __init__(self, world: SimWorld, *, rate_limit: int = 3000, period_seconds: int = 300,
                 access_lifetime: timedelta = timedelta(hours=2),
                 refresh_lifetime: timedelta = timedelta(days=90)) -> None:
        self.world = world
        self.rate_limit = rate_limit
        self.period_seconds = period_seconds
        self.access_lifetime = access_lifetime
        self.refresh_lifetime = refresh_lifetime
        self._brands: dict[str, _Brand] = {}  # app password -> brand
        self._profiles: dict[str, dict[str, Any]] = {}
        self._posts: dict[str, dict[str, Any]] = {}
        self._notifications: dict[str, list[dict[str, Any]]] = {}
        self._convos: dict[str, dict[str, Any]] = {}
        self._access: dict[str, tuple[str, datetime]] = {}
        self._refresh: dict[str, tuple[str, datetime]] = {}
        self._alias: dict[tuple[str, str], str] = {}
        self._seq = itertools.count(1)
        self._last_tid = 0
        #: Every createSession / refreshSession call, in order (tests read it).
        self.sessions: list[str] = []

    # -- injection API (catalog contract) ------------------------------------------

    def add_account(self, token: str, name: str, *, dm_access: bool = True) -> None:
        with self.world.lock:
            if token in self._brands:
                return
            handle = name.lstrip("@")
            did = self._did_for(f"brand:{handle}")
            self._profile(did, handle, handle.split(".")[0].capitalize())
            self._brands[token] = _Brand(token, did, handle, dm_access)
            self._notifications[did] = []

    def account_options(self, token: str) -> dict[str, str]:
        return {"handle": self._brand(token).handle}

    def did_of(self, token: str) -> str:
        return self._brand(token).did

    def inject_comment(self, token: str, post_id: str | None, author_id: str, author_name: str,
                       text: str, at: datetime | None = None) -> str:
        """A customer replies under ``post_id`` (a post uri or any label; None → the
        brand's post). Returns the reply's at-uri."""
        with self.world.lock:
            brand = self._brand(token)
            parent = self._posts.get(post_id or "")
            if parent is None:
                uri = self._alias.get((token, post_id or "")) or (brand.post if not post_id
                                                                 else None)
                parent = self._posts.get(uri or "")
            if parent is None:
                parent = self._new_post(brand.did, "News from us: what do you think?", at, None)
                if post_id:
                    self._alias[(token, post_id)] = parent["uri"]
                else:
                    brand.post = parent["uri"]
            customer = self._customer(author_id, author_name)
            post = self._new_post(customer, text, at, parent)
        self.world.notify()
        return str(post["uri"])

    def inject_mention(self, token: str, author_id: str, author_name: str, text: str,
                       at: datetime | None = None, *, quote: bool = False) -> str:
        """A customer's top-level post that mentions (or quotes) the brand."""
        with self.world.lock:
            brand = self._brand(token)
            customer = self._customer(author_id, author_name)
            if quote:
                if brand.post is None:
                    brand.post = self._new_post(brand.did, "Our news", at, None)["uri"]
                post = self._new_post(customer, text, at, None, quote=self._posts[brand.post])
            else:
                post = self._new_post(customer, f"@{brand.handle} {text}", at, None,
                                      mention=brand.did)
        self.world.notify()
        return str(post["uri"])

    def inject_brand_answer(self, token: str, parent_uri: str, text: str,
                            at: datetime | None = None) -> str:
        """The brand answering in the Bluesky app (only its feed shows it)."""
        with self.world.lock:
            brand = self._brand(token)
            post = self._new_post(brand.did, text, at, self._posts[parent_uri])
        self.world.notify()
        return str(post["uri"])

    def inject_dm(self, token: str, author_id: str, author_name: str, text: str,
                  at: datetime | None = None) -> str:
        with self.world.lock:
            brand = self._brand(token)
            customer = self._customer(author_id, author_name)
            convo = self._convo(brand, customer)
            message = self._message(brand, convo, customer, text, at)
        self.world.notify()
        return str(message["id"])

    def posted(self, token: str) -> list[dict[str, Any]]:
        with self.world.lock:
            handle = self._brand(token).handle
            return [dataclasses.asdict(d) for d in self.world.deliveries
                    if d.network == NETWORK and d.account == handle]

    def post(self, uri: str) -> dict[str, Any]:
        with self.world.lock:
            return copy.deepcopy(self._posts[uri])

    def expire_sessions(self) -> None:
        """Every access JWT lapses now (refresh JWTs stay valid)."""
        with self.world.lock:
            past = self.world.clock() - timedelta(seconds=1)
            self._access = {k: (did, past) for k, (did, _) in self._access.items()}

    def revoke_refresh(self) -> None:
        with self.world.lock:
            self._refresh.clear()

    # -- NetworkHandler -------------------------------------------------------------

    def matches(self, request: httpx.Request) -> bool:
        return request.url.path.startswith("/xrpc/")

    def fault_response(self, fault: Fault, request: httpx.Request) -> httpx.Response | None:
        now = self.world.clock()
        if fault.kind == "rate_limit":
            reset = int(now.timestamp() + max(fault.seconds, 1))
            return _err(429, "RateLimitExceeded", "Rate Limit Exceeded", {
                "RateLimit-Limit": str(self.rate_limit), "RateLimit-Remaining": "0",
                "RateLimit-Reset": str(reset),
                "RateLimit-Policy": f"{self.rate_limit};w={self.period_seconds}"})
        if fault.kind == "auth":
            return _err(400, "ExpiredToken", "Token has expired")
        return None

    def handle(self, request: httpx.Request, world: SimWorld) -> httpx.Response:
        del world
        nsid = request.url.path[len("/xrpc/"):]
        with self.world.lock:
            if nsid == "com.atproto.server.createSession":
                return self._create_session(request)
            if nsid == "com.atproto.server.refreshSession":
                return self._refresh_session(request)
            if nsid == "com.atproto.repo.getRecord":
                return self._get_record(request)
            brand = self._authorize(request)
            if isinstance(brand, httpx.Response):
                return brand
            headers, over = self._count(brand)
            if over:
                return _err(429, "RateLimitExceeded", "Rate Limit Exceeded", headers)
            if nsid.startswith("chat.bsky."):
                if request.headers.get("atproto-proxy") != CHAT_PROXY:
                    return _err(501, "MethodNotImplemented", "Method Not Implemented", headers)
                if not brand.dm_access:
                    return _err(400, "InvalidToken", "Bad token method", headers)
            route = {
                "com.atproto.server.getSession": self._get_session,
                "app.bsky.notification.listNotifications": self._list_notifications,
                "app.bsky.feed.getAuthorFeed": self._author_feed,
                "com.atproto.repo.createRecord": self._create_record,
                "chat.bsky.convo.getLog": self._get_log,
                "chat.bsky.convo.getConvo": self._get_convo,
                "chat.bsky.convo.getMessages": self._get_messages,
                "chat.bsky.convo.sendMessage": self._send_message,
            }.get(nsid)
            if route is None:
                return _err(501, "MethodNotImplemented", "Method Not Implemented", headers)
            status, body = route(request, brand)
            return json_response(status, body, headers)

    # -- sessions ---------------------------------------------------------------------

    def _jwt(self, kind: str, did: str, lifetime: timedelta) -> tuple[str, datetime]:
        now = self.world.clock()
        exp = now + lifetime
        header = {"typ": "at+jwt" if kind == "access" else "refresh+jwt", "alg": "HS256"}
        claims = {"scope": "com.atproto.appPass" if kind == "access" else "com.atproto.refresh",
                  "sub": did, "aud": "did:web:bsky.social", "iat": int(now.timestamp()),
                  "exp": int(exp.timestamp()), "jti": f"sim-{next(self._seq)}"}
        head = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(claims).encode())
        return head + "." + _b64(hashlib.sha256(head.encode()).digest()), exp

    def _session_body(self, brand: _Brand) -> dict[str, Any]:
        access, access_exp = self._jwt("access", brand.did, self.access_lifetime)
        refresh, refresh_exp = self._jwt("refresh", brand.did, self.refresh_lifetime)
        self._access[access] = (brand.did, access_exp)
        self._refresh[refresh] = (brand.did, refresh_exp)
        return {"accessJwt": access, "refreshJwt": refresh, "handle": brand.handle,
                "did": brand.did, "active": True,
                "didDoc": {"id": brand.did, "service": [{
                    "id": "#atproto_pds", "type": "AtprotoPersonalDataServer",
                    "serviceEndpoint": "https://pds.sim.example"}]}}

    def _create_session(self, request: httpx.Request) -> httpx.Response:
        body = _json_body(request)
        identifier = body.get("identifier") if body else None
        password = body.get("password") if body else None
        if not isinstance(identifier, str) or not isinstance(password, str):
            return _err(400, "InvalidRequest", "Input must have the property \"identifier\"")
        brand = self._brands.get(password)
        if brand is None or identifier.lstrip("@").lower() not in (brand.handle.lower(),
                                                                    brand.did):
            return _err(401, "AuthenticationRequired", "Invalid identifier or password")
        now = self.world.clock()
        brand.logins = [t for t in brand.logins if now - t < timedelta(minutes=5)]
        if len(brand.logins) >= 30:
            reset = int((brand.logins[0] + timedelta(minutes=5)).timestamp())
            return _err(429, "RateLimitExceeded", "Rate Limit Exceeded", {
                "RateLimit-Limit": "30", "RateLimit-Remaining": "0",
                "RateLimit-Reset": str(reset), "RateLimit-Policy": "30;w=300"})
        brand.logins.append(now)
        self.sessions.append("createSession")
        return json_response(200, self._session_body(brand))

    def _refresh_session(self, request: httpx.Request) -> httpx.Response:
        token = _bearer(request)
        if token is None:
            return _err(401, "AuthMissing", "Authentication Required")
        found = self._refresh.pop(token, None)  # rotates: a used refresh JWT is gone
        if found is None:
            return _err(400, "InvalidToken", "Token could not be verified")
        did, exp = found
        if self.world.clock() >= exp:
            return _err(400, "ExpiredToken", "Token has expired")
        brand = next(b for b in self._brands.values() if b.did == did)
        self.sessions.append("refreshSession")
        return json_response(200, self._session_body(brand))

    def _authorize(self, request: httpx.Request) -> _Brand | httpx.Response:
        token = _bearer(request)
        if token is None:
            return _err(401, "AuthMissing", "Authentication Required")
        found = self._access.get(token)
        if found is None:
            return _err(401, "InvalidToken", "Token could not be verified")
        did, exp = found
        if self.world.clock() >= exp:
            return _err(400, "ExpiredToken", "Token has expired")
        return next(b for b in self._brands.values() if b.did == did)

    def _get_session(self, request: httpx.Request, brand: _Brand) -> tuple[int, Any]:
        del request
        return 200, {"handle": brand.handle, "did": brand.did, "active": True}

    # -- reading ----------------------------------------------------------------------

    @staticmethod
    def _page(request: httpx.Request, items: list[dict[str, Any]],
              key: str) -> tuple[list[dict[str, Any]], str | None]:
        """Newest first by (``key``, seq); the cursor walks backwards."""
        query = request.url.params
        try:
            limit = int(query.get("limit") or 50)
        except ValueError:
            limit = -1
        if not 1 <= limit <= 100:
            raise _Invalid("limit must be between 1 and 100")
        ordered = sorted(items, key=lambda i: (i[key], i["_seq"]), reverse=True)
        cursor = query.get("cursor")
        if cursor:
            at, _, seq = cursor.partition("::")
            if not seq.isdigit():
                raise _Invalid("Malformed cursor")
            ordered = [i for i in ordered if (i[key], i["_seq"]) < (at, int(seq))]
        page = ordered[:limit]
        next_cursor = f"{page[-1][key]}::{page[-1]['_seq']}" if page else None
        return page, next_cursor

    def _list_notifications(self, request: httpx.Request, brand: _Brand) -> tuple[int, Any]:
        reasons = request.url.params.get_list("reasons")
        items = [n for n in self._notifications[brand.did]
                 if not reasons or n["reason"] in reasons]
        try:
            page, cursor = self._page(request, items, "indexedAt")
        except _Invalid as exc:
            return 400, {"error": "InvalidRequest", "message": str(exc)}
        out: dict[str, Any] = {"notifications": [_public(n) for n in page],
                               "seenAt": iso(self.world.clock())}
        if cursor:
            out["cursor"] = cursor
        return 200, out

    def _author_feed(self, request: httpx.Request, brand: _Brand) -> tuple[int, Any]:
        del brand
        actor = request.url.params.get("actor", "")
        did = next((d for d, p in self._profiles.items() if actor in (d, p["handle"])), None)
        if did is None:
            return 400, {"error": "InvalidRequest", "message": "Profile not found"}
        posts = [p for p in self._posts.values() if p["author"] == did]
        try:
            page, cursor = self._page(request, posts, "indexedAt")
        except _Invalid as exc:
            return 400, {"error": "InvalidRequest", "message": str(exc)}
        feed = []
        for post in page:
            item: dict[str, Any] = {"post": self._view(post)}
            reply = post["record"].get("reply")
            if reply:
                item["reply"] = {name: self._view_or_missing(reply[name]["uri"])
                                 for name in ("root", "parent")}
            feed.append(item)
        out: dict[str, Any] = {"feed": feed}
        if cursor:
            out["cursor"] = cursor
        return 200, out

    def _get_record(self, request: httpx.Request) -> httpx.Response:
        query = request.url.params
        repo = query.get("repo", "")
        did = next((d for d, p in self._profiles.items() if repo in (d, p["handle"])), repo)
        uri = f"at://{did}/{query.get('collection', '')}/{query.get('rkey', '')}"
        post = self._posts.get(uri)
        if post is None:
            return _err(400, "RecordNotFound", f"Could not locate record: {uri}")
        return json_response(200, {"uri": uri, "cid": post["cid"],
                                   "value": copy.deepcopy(post["record"])})

    # -- writing ----------------------------------------------------------------------

    def _create_record(self, request: httpx.Request, brand: _Brand) -> tuple[int, Any]:
        body = _json_body(request)
        if body is None:
            return 400, {"error": "InvalidRequest", "message": "Request body must be JSON"}
        if body.get("repo") not in (brand.did, brand.handle):
            return 403, {"error": "InvalidRequest", "message": "Invalid repo"}
        if body.get("collection") != POST:
            return 400, {"error": "InvalidRequest", "message": "simulator: only posts"}
        record = body.get("record")
        problem = _invalid_post(record)
        if problem:
            return 400, {"error": "InvalidRecord",
                         "message": f"Invalid app.bsky.feed.post record: {problem}"}
        assert isinstance(record, dict)
        rkey = body.get("rkey")
        if rkey is None:
            rkey = self._next_tid()
        if not isinstance(rkey, str) or not _TID.fullmatch(rkey):
            return 400, {"error": "InvalidRequest", "message": "Invalid record key"}
        uri = f"at://{brand.did}/{POST}/{rkey}"
        if uri in self._posts:  # the MST refuses a second value at one key
            return 500, {"error": "InternalServerError", "message": "Internal Server Error"}
        post = self._store_post(brand.did, uri, record)
        now = self.world.clock()
        self.world.record(Delivered(
            network=NETWORK, account=brand.handle, method="com.atproto.repo.createRecord",
            target=record.get("reply", {}).get("parent", {}).get("uri", ""),
            text=record["text"], external_id=uri, key=rkey, at=now))
        self.world.notify()
        return 200, {"uri": uri, "cid": post["cid"], "validationStatus": "valid",
                     "commit": {"cid": cid_for({"commit": uri}), "rev": self._next_tid()}}

    # -- chat -------------------------------------------------------------------------

    def _get_log(self, request: httpx.Request, brand: _Brand) -> tuple[int, Any]:
        cursor = request.url.params.get("cursor") or ""
        logs = [log for log in brand.logs if log["rev"] > cursor][:100]
        return 200, {"cursor": logs[-1]["rev"] if logs else cursor or None,
                     "logs": copy.deepcopy(logs)}

    def _convo_of(self, request: httpx.Request, brand: _Brand) -> dict[str, Any] | None:
        convo_id = request.url.params.get("convoId")
        if convo_id is None:
            body = _json_body(request) or {}
            convo_id = body.get("convoId")
        convo = self._convos.get(convo_id) if isinstance(convo_id, str) else None
        return convo if convo is not None and brand.did in convo["members"] else None

    def _convo_view(self, convo: dict[str, Any]) -> dict[str, Any]:
        return {"id": convo["id"], "rev": convo["rev"], "muted": False, "status": "accepted",
                "unreadCount": 0,
                "members": [self._basic(d) for d in convo["members"]],
                "lastMessage": copy.deepcopy(convo["messages"][-1]) if convo["messages"]
                else None}

    def _get_convo(self, request: httpx.Request, brand: _Brand) -> tuple[int, Any]:
        convo = self._convo_of(request, brand)
        if convo is None:
            return 400, {"error": "InvalidRequest", "message": "Convo not found"}
        return 200, {"convo": self._convo_view(convo)}

    def _get_messages(self, request: httpx.Request, brand: _Brand) -> tuple[int, Any]:
        convo = self._convo_of(request, brand)
        if convo is None:
            return 400, {"error": "InvalidRequest", "message": "Convo not found"}
        try:
            limit = min(100, max(1, int(request.url.params.get("limit") or 50)))
        except ValueError:
            return 400, {"error": "InvalidRequest", "message": "limit must be an integer"}
        return 200, {"messages": copy.deepcopy(convo["messages"][::-1][:limit])}

    def _send_message(self, request: httpx.Request, brand: _Brand) -> tuple[int, Any]:
        convo = self._convo_of(request, brand)
        body = _json_body(request) or {}
        message = body.get("message")
        text = message.get("text") if isinstance(message, dict) else None
        if convo is None:
            return 400, {"error": "InvalidRequest", "message": "Convo not found"}
        if not isinstance(text, str) or not text.strip() or len(text) > 1000:
            return 400, {"error": "InvalidRequest", "message": "Invalid message text"}
        sent = self._message(brand, convo, brand.did, text, None)
        self.world.record(Delivered(
            network=NETWORK, account=brand.handle, method="chat.bsky.convo.sendMessage",
            target=convo["id"], text=text, external_id=sent["id"], key=None,
            at=self.world.clock()))
        self.world.notify()
        return 200, copy.deepcopy(sent)

    # -- state helpers (world lock held) -----------------------------------------------

    def _brand(self, token: str) -> _Brand:
        brand = self._brands.get(token)
        if brand is None:
            raise KeyError("unknown token: call add_account first")
        return brand

    def _next_tid(self) -> str:
        micros = int(self.world.clock().timestamp() * 1_000_000)
        self._last_tid = max(self._last_tid + 1, micros)
        return tid(self._last_tid, 7)

    @staticmethod
    def _did_for(seed: str) -> str:
        return "did:plc:" + _b32(hashlib.sha256(seed.encode("utf-8", "replace")).digest(), 24)

    def _profile(self, did: str, handle: str, name: str) -> dict[str, Any]:
        profile = {"did": did, "handle": handle, "displayName": name, "labels": [],
                   "avatar": f"https://cdn.bsky.app/img/avatar/plain/{did}/sim@jpeg",
                   "createdAt": "2024-01-01T00:00:00.000Z"}
        self._profiles[did] = profile
        return profile

    def _customer(self, author_id: str, author_name: str) -> str:
        did = self._did_for(f"customer:{author_id}")
        if did not in self._profiles:
            slug = re.sub(r"[^a-z0-9-]", "", author_name.lower().replace(" ", "-"))[:18]
            handle = f"{slug or 'user'}.bsky.social"
            if any(p["handle"] == handle for p in self._profiles.values()):
                handle = f"{slug or 'user'}-{did[-5:]}.bsky.social"
            self._profile(did, handle, author_name)
        return did

    def _basic(self, did: str) -> dict[str, Any]:
        p = self._profiles[did]
        return {"did": did, "handle": p["handle"], "displayName": p["displayName"],
                "avatar": p["avatar"], "labels": []}

    def _new_post(self, did: str, text: str, at: datetime | None,
                  parent: dict[str, Any] | None, *, mention: str | None = None,
                  quote: dict[str, Any] | None = None) -> dict[str, Any]:
        record: dict[str, Any] = {"$type": POST, "text": text,
                                  "createdAt": iso(at or self.world.clock()), "langs": ["en"]}
        if parent is not None:
            root = parent["record"].get("reply", {}).get("root") or {
                "uri": parent["uri"], "cid": parent["cid"]}
            record["reply"] = {"root": dict(root),
                               "parent": {"uri": parent["uri"], "cid": parent["cid"]}}
        if mention is not None:
            handle = self._profiles[mention]["handle"]
            end = len(f"@{handle}".encode())
            record["facets"] = [{"index": {"byteStart": 0, "byteEnd": end}, "features": [
                {"$type": "app.bsky.richtext.facet#mention", "did": mention}]}]
        if quote is not None:
            record["embed"] = {"$type": "app.bsky.embed.record",
                               "record": {"uri": quote["uri"], "cid": quote["cid"]}}
        return self._store_post(did, f"at://{did}/{POST}/{self._next_tid()}", record)

    def _store_post(self, did: str, uri: str, record: dict[str, Any]) -> dict[str, Any]:
        post = {"uri": uri, "cid": cid_for({"uri": uri, "record": record}), "author": did,
                "record": copy.deepcopy(record), "indexedAt": iso(self.world.clock()),
                "_seq": next(self._seq), "replyCount": 0}
        self._posts[uri] = post
        for brand in self._brands.values():
            if brand.did != did:
                reason = self._reason(brand.did, post)
                if reason is not None:
                    subject = (record.get("reply", {}).get("parent", {}).get("uri")
                               if reason == "reply" else None)
                    self._notifications[brand.did].append({
                        "uri": uri, "cid": post["cid"], "author": self._basic(did),
                        "reason": reason, "reasonSubject": subject,
                        "record": copy.deepcopy(record), "isRead": False,
                        "indexedAt": post["indexedAt"], "labels": [], "_seq": post["_seq"]})
        reply = record.get("reply")
        if reply and reply["parent"]["uri"] in self._posts:
            self._posts[reply["parent"]["uri"]]["replyCount"] += 1
        return post

    def _reason(self, brand_did: str, post: dict[str, Any]) -> str | None:
        record = post["record"]
        reply = record.get("reply")
        if reply:
            for ref in (reply["parent"], reply["root"]):
                target = self._posts.get(ref["uri"])
                if target is not None and target["author"] == brand_did:
                    return "reply"
        for facet in record.get("facets", []):
            for feature in facet.get("features", []):
                if feature.get("did") == brand_did:
                    return "mention"
        quoted = record.get("embed", {}).get("record", {}).get("uri")
        if quoted and self._posts.get(quoted, {}).get("author") == brand_did:
            return "quote"
        return None

    def _view(self, post: dict[str, Any]) -> dict[str, Any]:
        return {"uri": post["uri"], "cid": post["cid"], "author": self._basic(post["author"]),
                "record": copy.deepcopy(post["record"]), "replyCount": post["replyCount"],
                "repostCount": 0, "likeCount": 0, "quoteCount": 0,
                "indexedAt": post["indexedAt"], "labels": []}

    def _view_or_missing(self, uri: str) -> dict[str, Any]:
        post = self._posts.get(uri)
        if post is None:
            return {"$type": "app.bsky.feed.defs#notFoundPost", "uri": uri, "notFound": True}
        return self._view(post)

    def _convo(self, brand: _Brand, customer: str) -> dict[str, Any]:
        for convo in self._convos.values():
            if set(convo["members"]) == {brand.did, customer}:
                return convo
        convo_id = _b32(hashlib.sha256(f"{brand.did}|{customer}".encode()).digest(), 13)
        rev = self._next_tid()
        convo = {"id": convo_id, "rev": rev, "members": [brand.did, customer], "messages": []}
        self._convos[convo_id] = convo
        brand.logs.append({"$type": "chat.bsky.convo.defs#logBeginConvo", "rev": rev,
                           "convoId": convo_id})
        return convo

    def _message(self, brand: _Brand, convo: dict[str, Any], sender: str, text: str,
                 at: datetime | None) -> dict[str, Any]:
        rev = self._next_tid()
        message = {"$type": "chat.bsky.convo.defs#messageView", "id": rev, "rev": rev,
                   "text": text, "sender": {"did": sender},
                   "sentAt": iso(at or self.world.clock())}
        convo["messages"].append(message)
        convo["rev"] = rev
        brand.logs.append({"$type": "chat.bsky.convo.defs#logCreateMessage", "rev": rev,
                           "convoId": convo["id"], "message": copy.deepcopy(message)})
        return message

    def _count(self, brand: _Brand) -> tuple[dict[str, str], bool]:
        now = self.world.clock()
        period = int(now.timestamp()) // self.period_seconds
        if period != brand.period:
            brand.period, brand.used = period, 0
        brand.used += 1
        return {"RateLimit-Limit": str(self.rate_limit),
                "RateLimit-Remaining": str(max(0, self.rate_limit - brand.used)),
                "RateLimit-Reset": str((period + 1) * self.period_seconds),
                "RateLimit-Policy": f"{self.rate_limit};w={self.period_seconds}"}, \
            brand.used > self.rate_limit


class _Invalid(ValueError):
    pass


def _public(item: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in item.items() if not k.startswith("_")}


def _bearer(request: httpx.Request) -> str | None:
    auth = request.headers.get("Authorization", "")
    if not auth.startswith("Bearer ") or not auth[7:].strip():
        return None
    return str(auth[7:]).strip()


def _json_body(request: httpx.Request) -> dict[str, Any] | None:
    try:
        body = json.loads(request.content or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def _invalid_post(record: Any) -> str:
    """Why ``record`` is not a valid app.bsky.feed.post ("" when it is)."""
    if not isinstance(record, dict) or record.get("$type") != POST:
        return "Record/$type must be app.bsky.feed.post"
    text = record.get("text")
    if not isinstance(text, str):
        return "Record must have the property \"text\""
    if len(text) > 300:
        return "Record/text must not be longer than 300 graphemes"
    if len(text.encode("utf-8", "surrogatepass")) > 3000:
        return "Record/text must not be longer than 3000 characters"
    if not isinstance(record.get("createdAt"), str):
        return "Record must have the property \"createdAt\""
    reply = record.get("reply")
    if reply is not None:
        for name in ("root", "parent"):
            ref = reply.get(name) if isinstance(reply, dict) else None
            if not (isinstance(ref, dict) and isinstance(ref.get("uri"), str)
                    and ref["uri"].startswith("at://") and isinstance(ref.get("cid"), str)):
                return f"Record/reply/{name} must be a strong ref (uri, cid)"
    return ""


__all__ = ["BlueskySim", "cid_for", "iso", "tid"]
