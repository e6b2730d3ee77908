"""Mastodon: mentions and direct messages in, replies out (REST API v1).

Every instance is its own API host, so an account must be added with
``--base-url https://<instance>``; ``default_base_url`` (mastodon.social) is
only a fallback. Auth is a never-expiring OAuth user token sent as
``Authorization: Bearer``; scopes ``read:notifications read:statuses
read:accounts write:statuses`` (or ``read write``).

Streams
=======

``mentions``
    ``GET /api/v1/notifications?types[]=mention&limit=80&min_id=<cursor>``.
    The cursor is the highest notification id seen (a plain id string, "0"
    when the account had no mention on its first run). Each poll walks
    forward: ``min_id`` returns the page immediately above the cursor, and
    ``more`` is True while a page comes back full. Ids are compared as
    integers ("100" > "99"), never as strings. The very first run (no cursor)
    takes the newest page only: older mentions are history, not backfilled.
``own``
    The brand's own statuses, so answers written in Mastodon's own app stop
    the SLA clock: ``GET /api/v1/accounts/verify_credentials`` once (the id is
    cached), then ``GET /api/v1/accounts/:id/statuses?min_id=<cursor>&limit=40
    &exclude_reblogs=true``, same cursor rules. Statuses that answer a
    customer come back OUTBOUND; posts that answer nobody are skipped.

Mastodon has no long poll in its REST API, so ``wait`` is ignored and every
fetch returns at once; the sync engine's idle interval paces the polls (two
streams every 10 s is a fifth of the default 300 requests / 5 min). The
streaming API could replace polling later.

Threads
=======

* A direct status (``visibility: "direct"``, a "private mention") threads as
  ``dm:<customer account id>``: one DM case per customer. Mastodon itself
  threads DMs by reply chains, but those split the moment someone starts a
  fresh DM instead of replying, and a person reads a DM exchange as one talk.
  The brand's direct answer threads by the account it answers
  (``in_reply_to_account_id``, or the first mentioned non-brand account).
* Any other mention threads as ``mention:<root status id>:<customer account
  id>``: the root is the top of the reply chain (a customer's top-level
  mention is its own root; a reply under the brand's post has that post as
  root), so every customer under one post is its own case, like comments
  elsewhere. The root comes from ``GET /api/v1/statuses/:id/context``
  (``ancestors[0]``) and is cached per status id for the connector's life:
  the brand's answer gets the root of the status it answers, so inbound and
  outbound land in the same case. A status whose context cannot be read
  (deleted, hidden) takes its parent as root.

``external_id`` is the status id (unique per instance), so a reply we post
dedups against the same status fetched back on the ``own`` stream.

``IncomingMessage.extra`` keys: ``status_id`` (what a reply answers),
``account_id`` and ``acct`` (the customer; ``acct`` is the handle a reply
must start with so the customer is notified), ``visibility`` (the answered
status's), ``root_id`` (mentions), ``notification_id`` (inbound only).

Replies and idempotency
=======================

``POST /api/v1/statuses`` JSON ``{"status": "@acct text", "in_reply_to_id",
"visibility"}`` with ``Idempotency-Key: <reply id>``: Mastodon returns the
original status for a repeated key, so sends are retried safely
(``Idempotency.KEY``). The key is only remembered for one hour
(``key_lifetime``); for an older unknown outcome :meth:`MastodonConnector.find_delivered` looks for a status of
ours answering the same status with the same text. Visibility is never wider
than the answered status: direct stays direct, private stays private, and a
public mention is answered unlisted (visible in the thread, not spammed on
the brand's public timeline).

Errors
======

HTTP statuses are mapped by the shared client (401 → AuthError, 404/422 →
PermanentError with Mastodon's ``error`` text, 5xx → TransientError). A 403
naming scopes or a disabled/suspended login is an AuthError here: only a new
authorization fixes it.

Rate limits
===========

A 429 waits until ``X-RateLimit-Reset`` (ISO 8601) minus ``self.clock()``,
else ``Retry-After``, else 60 s. When a successful answer says
``X-RateLimit-Remaining: 0``, the connector remembers the reset time and
raises ``RateLimited`` *before* sending anything until then, rather than
spending a request on a certain 429. A wait is clamped to 1 s – 1 h, so a
badly skewed local clock cannot park an account for a day.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import httpx

from smm_desk.connectors.base import (
    Connector,
    Delivery,
    FetchResult,
    Idempotency,
    OutgoingReply,
    register,
)
from smm_desk.connectors.errors import (
    AuthError,
    BadPayload,
    PermanentError,
    RateLimited,
)
from smm_desk.connectors.http import (
    DEFAULT_RATE_LIMIT_WAIT,
    decode_json,
    network_message,
    parse_retry_after,
)
from smm_desk.connectors.mastodon_parse import (
    ACCT_RE,
    ID_RE,
    Malformed,
    Status,
    as_id,
    build_messages,
    item_id_of,
    newest,
    parse_notifications,
    parse_statuses,
    parse_time,
)
from smm_desk.domain.text import clean_text

NOTIFICATIONS_LIMIT = 80
STATUSES_LIMIT = 40
#: Roots remembered per connector (status id -> root id); old entries drop first.
ROOT_CACHE_SIZE = 50_000
MIN_WAIT, MAX_WAIT = 1.0, 3600.0
#: Own statuses find_delivered looks through (pages of STATUSES_LIMIT).
LOOKUP_PAGES = 3

_LEADING_MENTIONS = re.compile(r"^(?:@[\w.-]+(?:@[\w.-]+)?\s*)+")
#: The answer's visibility for each visibility of the answered status.
_REPLY_VISIBILITY = {"public": "unlisted", "unlisted": "unlisted",
                     "private": "private", "direct": "direct"}


def _reset_time(response: httpx.Response) -> datetime | None:
    value = response.headers.get("X-RateLimit-Reset")
    if not value:
        return None
    try:
        return parse_time(value)
    except Malformed:
        return None


@register
class MastodonConnector(Connector):
    network = "mastodon"
    default_base_url = "https://mastodon.social"
    idempotency = Idempotency.KEY
    streams = ("mentions", "own")
    #: Mastodon remembers an Idempotency-Key for one hour.
    key_lifetime = timedelta(hours=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._brand_id: str | None = None
        self._roots: OrderedDict[str, str] = OrderedDict()
        self._blocked_until: datetime | None = None

    def auth_headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    # -- HTTP -------------------------------------------------------------

    def _check(self, response: httpx.Response) -> None:
        """Track the rate-limit headers; turn a 429 into the right wait."""
        now = self.clock()
        reset = _reset_time(response)
        remaining = response.headers.get("X-RateLimit-Remaining", "").strip()
        if response.status_code == 429:
            if reset is not None:
                wait = (reset - now).total_seconds()
            else:
                wait = parse_retry_after(response.headers.get("Retry-After"),
                                         now.timestamp()) or DEFAULT_RATE_LIMIT_WAIT
            wait = min(MAX_WAIT, max(MIN_WAIT, wait))
            self._blocked_until = now + timedelta(seconds=wait)
            raise RateLimited(
                f"{response.request.method} {response.request.url.path}: "
                f"rate limited, retry in {wait:.0f} s", wait,
                network_message=network_message(response), status=429)
        if response.status_code == 403:
            said = network_message(response)
            if any(word in said.lower() for word in ("scope", "disabled", "suspended")):
                raise AuthError(f"{response.request.method} {response.request.url.path}: "
                                f"forbidden: {said}", network_message=said, status=403)
        if remaining.isdigit():
            if int(remaining) == 0 and reset is not None and reset > now:
                self._blocked_until = min(reset, now + timedelta(seconds=MAX_WAIT))
            elif int(remaining) > 0:
                self._blocked_until = None

    async def _request(self, method: str, url: str, *, retry_safe: bool,
                       **kwargs: Any) -> httpx.Response:
        if self._blocked_until is not None:
            left = (self._blocked_until - self.clock()).total_seconds()
            if left > 0:
                raise RateLimited(f"{method} {url}: rate limit used up, retry in {left:.0f} s",
                                  max(MIN_WAIT, left), network_message="X-RateLimit-Remaining: 0")
            self._blocked_until = None
        return await self.http.request(method, url, retry_safe=retry_safe, check=self._check,
                                       **kwargs)

    async def _get_json(self, url: str, params: Any = None) -> Any:
        response = await self._request("GET", url, retry_safe=True, params=params)
        return decode_json(response, self.redact)

    async def brand_id(self) -> str:
        """The token's own account id (verify_credentials, asked once)."""
        if self._brand_id is None:
            body = await self._get_json("/api/v1/accounts/verify_credentials")
            try:
                self._brand_id = as_id(body.get("id") if isinstance(body, dict) else None,
                                        "account id")
            except Malformed:
                raise BadPayload("GET /api/v1/accounts/verify_credentials: "
                                 "answer has no account id") from None
        return self._brand_id

    # -- roots --------------------------------------------------------------

    def _remember(self, status_id: str, root: str) -> None:
        self._roots[status_id] = root
        self._roots.move_to_end(status_id)
        while len(self._roots) > ROOT_CACHE_SIZE:
            self._roots.popitem(last=False)

    async def _resolve_roots(self, statuses: Iterable[Status]) -> None:
        """Fill the root cache for every non-direct status in a page."""
        for status in statuses:
            if status.visibility == "direct" or status.id in self._roots:
                continue
            if status.in_reply_to_id is None:
                self._remember(status.id, status.id)
                continue
            known = self._roots.get(status.in_reply_to_id)
            if known is None:
                known = await self._root_from_context(status)
            self._remember(status.id, known)

    async def _root_from_context(self, status: Status) -> str:
        fallback = status.in_reply_to_id or status.id
        try:
            body = await self._get_json(f"/api/v1/statuses/{status.id}/context")
        except (PermanentError, BadPayload):
            return fallback  # deleted or hidden since: the parent is the best root we have
        ancestors = body.get("ancestors") if isinstance(body, dict) else None
        if not isinstance(ancestors, list) or not ancestors:
            return fallback
        root = item_id_of(ancestors[0])
        if root is None:
            return fallback
        for ancestor in ancestors:
            ancestor_id = item_id_of(ancestor)
            if ancestor_id is not None and ancestor_id not in self._roots:
                self._remember(ancestor_id, root)
        return root

    # -- fetch --------------------------------------------------------------

    async def fetch(self, stream: str, cursor: str | None, *, wait: float) -> FetchResult:
        del wait  # no long poll in Mastodon's REST API: the engine's idle interval paces us
        return await self._fetch_page(stream, cursor)

    async def _fetch_page(self, stream: str, cursor: str | None) -> FetchResult:
        if stream == "mentions":
            limit = NOTIFICATIONS_LIMIT
            url = "/api/v1/notifications"
            params: list[tuple[str, str]] = [("types[]", "mention"), ("limit", str(limit))]
        elif stream == "own":
            limit = STATUSES_LIMIT
            url = f"/api/v1/accounts/{await self.brand_id()}/statuses"
            params = [("limit", str(limit)), ("exclude_reblogs", "true")]
        else:
            raise ValueError(f"mastodon has no stream {stream!r}")
        if cursor:
            params.append(("min_id", cursor))
        body = await self._get_json(url, params)
        if not isinstance(body, list):
            raise BadPayload(f"GET {url}: expected a JSON list, got {type(body).__name__}")
        brand = await self.brand_id()
        page = parse_notifications(body) if stream == "mentions" else parse_statuses(body)
        await self._resolve_roots(status for _, status in page.entries)
        messages, bad = build_messages(page, stream, brand, self._roots)
        new_cursor = newest([page.newest_id] if page.newest_id else [], cursor) or "0"
        return FetchResult(messages=messages, cursor=new_cursor, quarantined=bad,
                           more=bool(cursor) and page.size >= limit)

    # -- send ---------------------------------------------------------------

    def _reply_body(self, reply: OutgoingReply) -> dict[str, str]:
        target = reply.target
        extra = target.extra
        status_id = extra.get("status_id") or target.external_id
        if not status_id or not ID_RE.fullmatch(status_id):
            raise PermanentError("cannot reply: the answered Mastodon status is unknown")
        text = reply.text.strip()
        if not text:
            raise PermanentError("cannot send an empty reply")
        acct = extra.get("acct", "")
        if not ACCT_RE.fullmatch(acct):
            raise PermanentError("cannot reply: the customer's Mastodon handle is unknown, "
                                 "so they would never see the answer")
        mention = f"@{acct}"
        if not (text.lower().startswith(mention.lower())
                and text[len(mention):len(mention) + 1] in ("", " ", "\n", "\t")):
            text = f"{mention} {text}"
        if target.thread_key.startswith("dm:"):
            visibility = "direct"
        else:
            visibility = _REPLY_VISIBILITY.get(extra.get("visibility", ""), "private")
        return {"status": text, "in_reply_to_id": status_id, "visibility": visibility}

    async def send(self, reply: OutgoingReply) -> Delivery:
        body = self._reply_body(reply)
        response = await self._request(
            "POST", "/api/v1/statuses", retry_safe=True, json_body=body,
            headers={"Idempotency-Key": reply.reply_id})
        created = decode_json(response, self.redact)
        try:
            status_id = as_id(created.get("id") if isinstance(created, dict) else None,
                               "status id")
        except Malformed:
            raise BadPayload("POST /api/v1/statuses: answer has no status id") from None
        try:
            delivered_at = parse_time(created.get("created_at"))
        except Malformed:
            delivered_at = self.clock()
        self._remember_thread(status_id, reply.target.thread_key, body["in_reply_to_id"])
        return Delivery(external_id=status_id, delivered_at=delivered_at)

    def _remember_thread(self, status_id: str, thread_key: str, answered: str) -> None:
        # The answer belongs to the case it was written in, whatever context says later.
        parts = thread_key.split(":")
        if parts[0] == "mention" and len(parts) == 3 and parts[1]:
            self._remember(answered, self._roots.get(answered, parts[1]))
            self._remember(status_id, parts[1])

    async def find_delivered(self, reply: OutgoingReply) -> Delivery | None:
        """Our status answering the same status with the same words, if any.

        Idempotency keys last one hour; after that a reply whose outcome is
        unknown is settled by looking through the newest own statuses."""
        body = self._reply_body(reply)
        wanted = _comparable(body["status"])
        url = f"/api/v1/accounts/{await self.brand_id()}/statuses"
        max_id: str | None = None
        for _ in range(LOOKUP_PAGES):
            params = [("limit", str(STATUSES_LIMIT)), ("exclude_reblogs", "true")]
            if max_id:
                params.append(("max_id", max_id))
            page = parse_statuses(await self._get_json(url, params))
            for _, status in page.entries:
                if (status.in_reply_to_id == body["in_reply_to_id"]
                        and _comparable(status.text) == wanted):
                    return Delivery(external_id=status.id, delivered_at=status.created_at)
            if page.size < STATUSES_LIMIT or not page.entries:
                return None
            max_id = page.entries[0][0]
        return None


def _comparable(text: str) -> str:
    """Text without its leading @mentions, whitespace folded (Mastodon renders
    "@anna@other.social" as "@anna" in HTML)."""
    return " ".join(_LEADING_MENTIONS.sub("", clean_text(text)).split()).casefold()
