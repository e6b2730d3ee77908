"""Reddit in memory: the OAuth API endpoints SMM Desk uses, in Reddit's JSON
shapes (``Listing`` of ``t1`` comments / ``t3`` links / ``t4`` messages;
facts in /work/shared/networks/reddit.md).

One :class:`RedditSim` is reddit.com and oauth.reddit.com at once. Each account
added with :meth:`RedditSim.add_account` is a brand user whose static access
token is the one it was added with; the OAuth server
(:class:`~smm_desk.sim.oauth.SimOAuth`, client ``sim-reddit-client``, an
installed app with an empty secret, HTTP Basic auth) issues one-hour tokens
and rotating refresh tokens at the real paths ``/api/v1/authorize`` and
``/api/v1/access_token``. Served (``Authorization: bearer …``):

* ``GET /api/v1/me``;
* ``GET /message/inbox|unread|messages|comments|selfreply|mentions|sent`` and
  ``/user/<name>/comments`` — Listings newest first, ``limit`` (25, max 100),
  ``after``/``before`` fullnames (an unknown one gives an empty page, as on
  Reddit), ``mark`` (anything but ``false`` marks the listed inbox items
  read); like Reddit's, every listing holds only its newest 1,000 items
  (:data:`LISTING_CAP`, r/redditdev wiki "api/faq");
* ``GET /api/info?id=<fullnames>``;
* ``POST /api/comment`` (``thing_id``, ``text``, ``api_type=json``) on a
  ``t1``/``t3`` (a comment) or a ``t4`` (a private-message reply); errors come
  as ``json.errors`` with HTTP 200: ``NO_TEXT``, ``TOO_LONG`` (10 000),
  ``DELETED_COMMENT`` (unknown thing), ``THREAD_LOCKED`` (see :meth:`lock`).

Every API answer carries ``X-Ratelimit-Used/-Remaining/-Reset`` (Reset in
seconds to the end of a 600 s window; Remaining as a float, "994.0"); past the
limit → 429. Faults: "rate_limit" → 429 with Remaining 0 and the fault's wait
as Reset; "auth" → 401 ``{"message": "Unauthorized", "error": 401}``; a
RATELIMIT action limit is a "body" fault with Reddit's ``json.errors`` shape
(:func:`ratelimit_body`).
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import re
import urllib.parse
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from smm_desk.sim.oauth import SimOAuth
from smm_desk.sim.world import Delivered, Fault, SimWorld, json_response

NETWORK = "reddit"
CLIENT_ID = "sim-reddit-client"
_USER = re.compile(r"[A-Za-z0-9_-]{3,20}")
#: Reddit precomputes listings to this many items; older ones are not listed.
LISTING_CAP = 1000
#: The inbox's per-kind listings: the ``type`` of the comments they hold (None: messages).
_INBOX_KINDS = {"messages": None, "comments": "comment_reply", "selfreply": "post_reply",
                "mentions": "username_mention"}
_PATHS = ("/api/v1/me", "/api/v1/authorize", "/api/v1/access_token", "/api/comment",
          "/api/info")


def ratelimit_body(minutes: int) -> dict[str, Any]:
    """The answer to a comment over the action limit (HTTP 200)."""
    return {"json": {"errors": [[
        "RATELIMIT", "Looks like you've been doing that a lot. Take a break for "
        f"{minutes} minutes before trying again.", "ratelimit"]]}}


def _b36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


@dataclass
class _Brand:
    token: str
    name: str
    subreddit: str
    post: str | None = None
    period: int = -1
    used: int = 0


class RedditSim:
    """The simulator's Reddit (a :class:`~smm_desk.sim.world.NetworkHandler`)."""

    network = NETWORK

    def __init__(self, world: SimWorld, *, rate_limit: int = 1000,
                 period_seconds: int = 600) -> None:
        self.world = world
        self.rate_limit = rate_limit
        self.period_seconds = period_seconds
        self.oauth = SimOAuth(clock=world.clock, clients={CLIENT_ID: None})
        self._brands: dict[str, _Brand] = {}
        self._things: dict[str, dict[str, Any]] = {}  # fullname -> {"kind", "data", "_seq"}
        self._inbox: dict[str, list[str]] = {}  # username -> fullnames
        self._locked: set[str] = set()
        self._alias: dict[tuple[str, str], str] = {}
        self._seq = itertools.count(1)
        self._ids = {"t1": itertools.count(int("k9x7000", 36)),
                     "t3": itertools.count(int("1hq2000", 36)),
                     "t4": itertools.count(int("2abc000", 36)), "t2": itertools.count(5000)}
        self._users: dict[str, str] = {}  # author id -> username

    # -- injection API (catalog contract) ------------------------------------------

    def add_account(self, token: str, name: str) -> None:
        with self.world.lock:
            if token in self._brands:
                return
            self._brands[token] = _Brand(token, name, name.replace("_", "").capitalize())
            self._inbox[name.lower()] = []
            if not self.oauth.signed_in:
                self.oauth.signed_in = name

    def account_options(self, token: str) -> dict[str, str]:
        return {"username": self._brand(token).name, "client_id": CLIENT_ID}

    def inject_comment(self, token: str, post_id: str | None, author_id: str, author_name: str,
                       text: str, at: datetime | None = None) -> str:
        """A customer comments under ``post_id`` (a t3/t1 fullname or any label;
        None → the brand's own post). Returns the comment's fullname."""
        with self.world.lock:
            brand = self._brand(token)
            parent = self._things.get(post_id or "") or self._things.get(
                self._alias.get((token, post_id or ""), "") or (brand.post or "" if not post_id
                                                                 else ""))
            if parent is None:
                parent = self._link(brand, at)
                if post_id:
                    self._alias[(token, post_id)] = parent["data"]["name"]
                else:
                    brand.post = parent["data"]["name"]
            author = self._username(author_id, author_name)
            comment = self._comment(author, parent, text, at)
        self.world.notify()
        return str(comment["data"]["name"])

    def inject_dm(self, token: str, author_id: str, author_name: str, text: str,
                  at: datetime | None = None) -> str:
        """A private message to the brand; a follow-up continues the conversation."""
        with self.world.lock:
            brand = self._brand(token)
            author = self._username(author_id, author_name)
            previous = [t for t in self._things.values() if t["kind"] == "t4"
                        and {t["data"]["author"], t["data"]["dest"]} == {author, brand.name}]
            last = max(previous, key=lambda t: t["_seq"], default=None)
            message = self._message(author, brand.name, text, at, last,
                                    subject="Question" if last is None else None)
        self.world.notify()
        return str(message["data"]["name"])

    def inject_brand_answer(self, token: str, parent: str, text: str,
                            at: datetime | None = None) -> str:
        """The brand answering on reddit.com (its comment history shows it)."""
        with self.world.lock:
            brand = self._brand(token)
            comment = self._comment(brand.name, self._things[parent], text, at)
        return str(comment["data"]["name"])

    def lock(self, fullname: str) -> None:
        with self.world.lock:
            self._locked.add(fullname)

    def posted(self, token: str) -> list[dict[str, Any]]:
        with self.world.lock:
            name = self._brand(token).name
            return [dataclasses.asdict(d) for d in self.world.deliveries
                    if d.network == NETWORK and d.account == name]

    def thing(self, fullname: str) -> dict[str, Any]:
        with self.world.lock:
            return copy.deepcopy(self._things[fullname])

    # -- NetworkHandler -------------------------------------------------------------

    def matches(self, request: httpx.Request) -> bool:
        path = request.url.path.rstrip("/")
        return path in _PATHS or path.startswith(("/message/", "/user/"))

    def fault_response(self, fault: Fault, request: httpx.Request) -> httpx.Response | None:
        del request
        if fault.kind == "rate_limit":
            return json_response(429, {"message": "Too Many Requests", "error": 429}, {
                "X-Ratelimit-Used": str(self.rate_limit), "X-Ratelimit-Remaining": "0.0",
                "X-Ratelimit-Reset": str(int(max(fault.seconds, 1)))})
        if fault.kind == "auth":
            return json_response(401, {"message": "Unauthorized", "error": 401})
        return None

    def handle(self, request: httpx.Request, world: SimWorld) -> httpx.Response:
        del world
        path = request.url.path.rstrip("/")
        if path == "/api/v1/authorize":
            return self.oauth.authorize(request)
        if path == "/api/v1/access_token":
            return self.oauth.token(request)
        with self.world.lock:
            auth = request.headers.get("Authorization", "")
            token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
            brand = self._brands.get(token)
            if brand is None and token:
                owner = self.oauth.account_for(token)
                brand = next((b for b in self._brands.values() if b.name == owner), None)
            if brand is None:
                return json_response(401, {"message": "Unauthorized", "error": 401})
            headers, over = self._count(brand)
            if over:
                return json_response(429, {"message": "Too Many Requests", "error": 429},
                                     headers)
            status, body = self._route(request, path, brand)
            return json_response(status, body, headers)

    def _route(self, request: httpx.Request, path: str, brand: _Brand) -> tuple[int, Any]:
        get = request.method == "GET"
        me = brand.name.lower()
        if get and path == "/api/v1/me":
            return 200, {"name": brand.name, "id": "sim" + _b36(zlib.crc32(brand.name.encode())),
                         "created_utc": 1500000000.0, "is_suspended": False}
        if get and path == "/api/info":
            names = [n for n in request.url.params.get("id", "").split(",") if n]
            return 200, _listing([self._things[n] for n in names if n in self._things][:100],
                                 None, None)
        if get and path.startswith("/message/"):
            where = path.split("/")[2]
            if where == "sent":
                items = [t for t in self._things.values()
                         if t["kind"] == "t4" and t["data"]["author"].lower() == me]
            elif where in ("inbox", "unread", *_INBOX_KINDS):
                items = [self._things[n] for n in self._inbox[me]]
                if where == "unread":
                    items = [t for t in items if t["data"]["new"]]
                elif where == "messages":
                    items = [t for t in items if t["kind"] == "t4"]
                elif where in _INBOX_KINDS:
                    items = [t for t in items if t["kind"] == "t1"
                             and t["data"].get("type") == _INBOX_KINDS[where]]
            else:
                return 404, {"message": "Not Found", "error": 404}
            page = self._page(request, items)
            if where != "sent" and request.url.params.get("mark", "true") != "false":
                for child in page["data"]["children"]:
                    self._things[child["data"]["name"]]["data"]["new"] = False
            return 200, page
        parts = path.split("/")
        if get and len(parts) == 4 and parts[1] == "user" and parts[3] == "comments":
            who = parts[2].lower()
            items = [t for t in self._things.values()
                     if t["kind"] == "t1" and t["data"]["author"].lower() == who]
            return 200, self._page(request, items)
        if request.method == "POST" and path == "/api/comment":
            return 200, self._post_comment(request, brand)
        return 404, {"message": "Not Found", "error": 404}

    def _page(self, request: httpx.Request, items: list[dict[str, Any]]) -> dict[str, Any]:
        query = request.url.params
        try:
            limit = max(1, min(100, int(query.get("limit") or 25)))
        except ValueError:
            limit = 25
        ordered = sorted(items, key=lambda t: t["_seq"], reverse=True)[:LISTING_CAP]
        names = [t["data"]["name"] for t in ordered]
        after, before = query.get("after"), query.get("before")
        if after:
            if after not in names:
                return _listing([], None, None)
            ordered = ordered[names.index(after) + 1:]
            page = ordered[:limit]
        elif before:
            if before not in names:
                return _listing([], None, None)
            newer = ordered[:names.index(before)]
            page = newer[-limit:]
        else:
            page = ordered[:limit]
        more = bool(page) and page[-1] is not ordered[-1]
        return _listing(page, page[-1]["data"]["name"] if more else None,
                        page[0]["data"]["name"] if page and (after or before) else None)

    def _post_comment(self, request: httpx.Request, brand: _Brand) -> dict[str, Any]:
        try:
            form = dict(urllib.parse.parse_qsl(request.content.decode(), keep_blank_values=True))
        except UnicodeDecodeError:
            form = {}
        thing_id, text = form.get("thing_id", ""), form.get("text", "")
        if not text.strip():
            return _errors("NO_TEXT", "we need something here", "text")
        if len(text) > 10_000:
            return _errors("TOO_LONG", "this is too long (max: 10000)", "text")
        parent = self._things.get(thing_id)
        if parent is None:
            return _errors("DELETED_COMMENT", "that comment has been deleted", "parent")
        link = parent["data"].get("link_id") or thing_id
        if thing_id in self._locked or link in self._locked:
            return _errors("THREAD_LOCKED", "Comments are locked.", "parent")
        if parent["kind"] == "t4":
            other = parent["data"]["author"] if parent["data"]["author"] != brand.name \
                else parent["data"]["dest"]
            created = self._message(brand.name, other, text, None, parent, subject=None)
        else:
            created = self._comment(brand.name, parent, text, None)
        self.world.record(Delivered(
            network=NETWORK, account=brand.name, method="POST /api/comment", target=thing_id,
            text=text, external_id=created["data"]["name"], key=None, at=self.world.clock()))
        self.world.notify()
        return {"json": {"errors": [], "data": {"things": [_public(created)]}}}

    # -- state helpers (world lock held) -----------------------------------------------

    def _brand(self, token: str) -> _Brand:
        brand = self._brands.get(token)
        if brand is None:
            raise KeyError("unknown token: call add_account first")
        return brand

    def _username(self, author_id: str, author_name: str) -> str:
        if author_id in self._users:
            return self._users[author_id]
        slug = author_name if _USER.fullmatch(author_name) else re.sub(
            r"[^A-Za-z0-9_]", "", author_name.replace(" ", "_"))[:14] or "user"
        taken = {u.lower() for u in self._users.values()} | {b.name.lower()
                                                               for b in self._brands.values()}
        name = slug if len(slug) >= 3 and slug.lower() not in taken else \
            f"{slug}_{zlib.crc32(author_id.encode('utf-8', 'replace')) % 100000}"
        self._users[author_id] = name
        return name

    def _new(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        thing_id = _b36(next(self._ids[kind]))
        data.update({"id": thing_id, "name": f"{kind}_{thing_id}"})
        thing = {"kind": kind, "data": data, "_seq": next(self._seq)}
        self._things[data["name"]] = thing
        return thing

    def _when(self, at: datetime | None) -> float:
        return (at or self.world.clock()).astimezone(UTC).timestamp()

    def _link(self, brand: _Brand, at: datetime | None) -> dict[str, Any]:
        return self._new("t3", {
            "author": brand.name, "title": "What do you think of our new release?",
            "selftext": "Tell us below.", "subreddit": brand.subreddit,
            "subreddit_name_prefixed": f"r/{brand.subreddit}", "created_utc": self._when(at),
            "num_comments": 0, "locked": False, "permalink": ""})

    def _comment(self, author: str, parent: dict[str, Any], text: str,
                 at: datetime | None) -> dict[str, Any]:
        pdata = parent["data"]
        link = pdata["name"] if parent["kind"] == "t3" else pdata["link_id"]
        post = self._things[link]["data"]
        comment = self._new("t1", {
            "author": author,
            "author_fullname": "t2_" + _b36(zlib.crc32(author.encode("utf-8", "replace"))),
            "body": text, "body_html": None, "created_utc": self._when(at),
            "subreddit": post["subreddit"], "link_id": link, "parent_id": pdata["name"],
            "link_title": post["title"], "score": 1, "new": True, "was_comment": True,
            "distinguished": None, "replies": ""})
        data = comment["data"]
        data["permalink"] = f"/r/{post['subreddit']}/comments/{link[3:]}/_/{data['id']}/"
        data["context"] = data["permalink"] + "?context=3"
        post["num_comments"] += 1
        recipient = pdata["author"].lower()
        if recipient in self._inbox and recipient != author.lower():
            data["type"] = "post_reply" if parent["kind"] == "t3" else "comment_reply"
            data["subject"] = data["type"].replace("_", " ")
            self._inbox[recipient].append(data["name"])
        for brand in self._brands.values():
            who = brand.name.lower()
            if f"u/{who}" in text.lower() and who != recipient and who != author.lower():
                data["type"] = "username_mention"
                self._inbox[who].append(data["name"])
        return comment

    def _message(self, author: str, dest: str, text: str, at: datetime | None,
                 parent: dict[str, Any] | None, subject: str | None) -> dict[str, Any]:
        first = None
        if parent is not None:
            first = parent["data"]["first_message_name"] or parent["data"]["name"]
        message = self._new("t4", {
            "author": author, "dest": dest, "body": text, "body_html": None,
            "subject": subject or ("re: " + self._things[first]["data"]["subject"] if first
                                   else "(no subject)"),
            "created_utc": self._when(at), "new": True, "was_comment": False,
            "first_message": int(first[3:], 36) if first else None,
            "first_message_name": first, "parent_id": parent["data"]["name"] if parent else None,
            "context": "", "replies": "", "distinguished": None, "subreddit": None})
        if dest.lower() in self._inbox:
            self._inbox[dest.lower()].append(message["data"]["name"])
        return message

    def _count(self, brand: _Brand) -> tuple[dict[str, str], bool]:
        now = self.world.clock().timestamp()
        period = int(now) // self.period_seconds
        if period != brand.period:
            brand.period, brand.used = period, 0
        brand.used += 1
        reset = (period + 1) * self.period_seconds - int(now)
        return {"X-Ratelimit-Used": str(brand.used),
                "X-Ratelimit-Remaining": f"{max(0, self.rate_limit - brand.used):.1f}",
                "X-Ratelimit-Reset": str(reset)}, brand.used > self.rate_limit


def _public(thing: dict[str, Any]) -> dict[str, Any]:
    return {"kind": thing["kind"], "data": copy.deepcopy(thing["data"])}


def _listing(things: list[dict[str, Any]], after: str | None,
             before: str | None) -> dict[str, Any]:
    return {"kind": "Listing", "data": {
        "after": after, "before": before, "dist": len(things), "modhash": None,
        "geo_filter": "", "children": [_public(t) for t in things]}}


def _errors(code: str, message: str, field: str) -> dict[str, Any]:
    return {"json": {"errors": [[code, message, field]]}}
