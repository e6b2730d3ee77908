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
* ``chat.bsky.convo.getLog`` / ``getConvo`` / ``listConvos`` / ``getMessages`` /
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

import copy
import dataclasses
from datetime import datetime, timedelta
from typing import Any

import httpx

from smm_desk.sim.bluesky_chat import BlueskySessionsAndChat
from smm_desk.sim.bluesky_feed import NETWORK, Brand, xrpc_error
from smm_desk.sim.world import Fault, SimWorld, json_response

CHAT_PROXY = "did:web:api.bsky.chat#bsky_chat"


class BlueskySim(BlueskySessionsAndChat):
    """The simulator's Bluesky (a :class:`~smm_desk.sim.world.NetworkHandler`)."""

    network = NETWORK

    def __init__(self, world: SimWorld, *, rate_limit: int = 3000, period_seconds: int = 300,
                 access_lifetime: timedelta = timedelta(hours=2),
                 refresh_lifetime: timedelta = timedelta(days=90)) -> None:
        super().__init__(world, access_lifetime=access_lifetime,
                         refresh_lifetime=refresh_lifetime)
        self.rate_limit = rate_limit
        self.period_seconds = period_seconds

    # -- injection API (catalog contract) ------------------------------------------

    def add_account(self, token: str, name: str, *, dm_access: bool = True) -> None:
        with self.world.lock:
            if token in self._brands:
                return
            handle = name.lstrip("@")
            did = self._did_for(f"brand:{handle}")
            self._profile(did, handle, handle.split(".")[0].capitalize())
            self._brands[token] = Brand(token, did, handle, dm_access)
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
            return xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded", {
                "RateLimit-Limit": str(self.rate_limit), "RateLimit-Remaining": "0",
                "RateLimit-Reset": str(reset),
                "RateLimit-Policy": f"{self.rate_limit};w={self.period_seconds}"})
        if fault.kind == "auth":
            return xrpc_error(400, "ExpiredToken", "Token has expired")
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
                return xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded", headers)
            if nsid.startswith("chat.bsky."):
                if request.headers.get("atproto-proxy") != CHAT_PROXY:
                    return xrpc_error(501, "MethodNotImplemented", "Method Not Implemented", headers)
                if not brand.dm_access:
                    return xrpc_error(400, "InvalidToken", "Bad token method", headers)
            route = {
                "com.atproto.server.getSession": self._get_session,
                "app.bsky.notification.listNotifications": self._list_notifications,
                "app.bsky.feed.getAuthorFeed": self._author_feed,
                "com.atproto.repo.createRecord": self._create_record,
                "chat.bsky.convo.getLog": self._get_log,
                "chat.bsky.convo.getConvo": self._get_convo,
                "chat.bsky.convo.listConvos": self._list_convos,
                "chat.bsky.convo.getMessages": self._get_messages,
                "chat.bsky.convo.sendMessage": self._send_message,
            }.get(nsid)
            if route is None:
                return xrpc_error(501, "MethodNotImplemented", "Method Not Implemented", headers)
            status, body = route(request, brand)
            return json_response(status, body, headers)

    def _count(self, brand: Brand) -> tuple[dict[str, str], bool]:
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


__all__ = ["BlueskySim"]
