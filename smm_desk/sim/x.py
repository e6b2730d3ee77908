"""X (Twitter) API v2 in memory: the endpoints SMM Desk uses, in the documented
shapes (docs.x.com; /work/shared/networks/x.md).

Served:

* ``GET /2/users/me``; ``GET /2/users/:id/mentions`` and ``GET /2/users/:id/
  tweets`` (newest first; ``since_id``/``until_id``, ``max_results`` 5–100
  (default 10; else 400), opaque ``pagination_token``/``meta.next_token``,
  ``meta.newest_id``/``oldest_id``/``result_count``, ``tweet.fields``,
  ``expansions`` and ``user.fields`` honoured: a post carries only ``id``,
  ``text`` and ``edit_history_tweet_ids`` unless more fields are asked for,
  and ``includes`` only what the expansions name).
* ``GET /2/dm_events`` and ``GET /2/dm_conversations/:id/dm_events`` (newest
  first, ``max_results`` 1–100, paging, ``event_types``, ``dm_event.fields``,
  ``expansions=sender_id,participant_ids``).
* ``POST /2/tweets`` (``{"text", "reply": {"in_reply_to_tweet_id"}}`` →
  201; X's self-serve rule: a reply to a post whose author did not mention
  or quote the brand gets 403 with X's words), ``POST /2/dm_conversations/
  with/:participant_id/messages`` and ``POST /2/dm_conversations/:id/
  messages`` (→ 201 ``{"data": {"dm_conversation_id", "dm_event_id"}}``).
* OAuth 2.0 (:class:`~smm_desk.sim.oauth.SimOAuth`, 2-hour tokens) at
  ``/i/oauth2/authorize`` and ``/2/oauth2/token``; the static token an
  account was added with stays valid too.

Ids are snowflakes ((ms since X's epoch) << 22), strictly increasing in the
order things are posted — a post injected with an older ``at`` still gets a
new id, as a late-arriving post would. Rate limits are counted per user and
endpoint in 15-minute windows aligned to the clock (mentions 300, own posts
900, DM reads 15, posting 100, DM sends 15, users/me 75) and every answer
carries ``x-rate-limit-limit/-remaining/-reset`` (epoch seconds); past the
limit the answer is 429 with a problem body. Faults: "rate_limit" (429,
remaining 0, reset in ``seconds``), "auth" (401 problem).

Injection (catalog contract): ``inject_dm`` (a customer's DM),
``inject_comment`` (a customer's reply, mentioning the brand, under a brand
post); beyond it ``inject_mention`` (a top-level post, optionally quoting
another), ``inject_reply`` (a reply under any post, mentioning the brand or
not), ``inject_brand_reply``/``inject_brand_dm`` (the brand answering in X's
own app).
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from smm_desk.sim.oauth import SimOAuth
from smm_desk.sim.world import Delivered, Fault, SimWorld, json_response

NETWORK = "x"
TWEPOCH_MS = 1288834974657
WINDOW = 900
LIMITS = {"me": 75, "mentions": 300, "tweets": 900, "dm_read": 15, "post": 100, "dm_send": 15}
MAX_TEXT = 280
DEFAULT_TWEET_FIELDS = ("id", "text", "edit_history_tweet_ids")
NOT_ALLOWED = ("Reply to this conversation is not allowed because you have not been mentioned "
               "or otherwise engaged by the author of the post you are replying to.")
_MENTION = re.compile(r"(?<![\w@])@(\w{1,15})")


def x_time(at: datetime) -> str:
    at = at.astimezone(UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def problem(status: int, title: str, detail: str, kind: str = "about:blank") -> dict[str, Any]:
    return {"title": title, "detail": detail, "type": kind, "status": status}


@dataclass
class _Brand:
    token: str
    user_id: str
    name: str
    used: dict[tuple[str, int], int] = field(default_factory=dict)


class XSim:
    """The simulator's X (a :class:`~smm_desk.sim.world.NetworkHandler`)."""

    network = NETWORK

    def __init__(self, world: SimWorld, *, limits: dict[str, int] | None = None) -> None:
        self.world = world
        self.limits = {**LIMITS, **(limits or {})}
        self.oauth = SimOAuth(clock=world.clock, lifetime=timedelta(hours=2))
        self._brands: dict[str, _Brand] = {}
        self._users: dict[str, dict[str, str]] = {}
        self._by_name: dict[str, str] = {}  # casefolded username -> user id
        self._tweets: dict[str, dict[str, Any]] = {}
        self._events: list[dict[str, Any]] = []
        self._post_alias: dict[tuple[str, str], str] = {}
        self._last_id = 0

    # -- injection API ---------------------------------------------------------------

    def add_account(self, token: str, name: str) -> None:
        with self.world.lock:
            if token in self._brands:
                return
            user = self._user(f"brand:{name}", name, username=name.lstrip("@"))
            self._brands[token] = _Brand(token, user["id"], user["username"])
            self.oauth.signed_in = user["username"]

    def account_options(self, token: str) -> dict[str, str]:
        return {"user_id": self._brand(token).user_id, "client_id": "sim-client"}

    def brand_id(self, token: str) -> str:
        return self._brand(token).user_id

    def inject_dm(self, token: str, author_id: str, author_name: str, text: str,
                  at: datetime | None = None) -> str:
        with self.world.lock:
            brand = self._brand(token)
            customer = self._user(author_id, author_name)
            event = self._dm(customer["id"], brand.user_id, text, at)
        self.world.notify()
        return str(event["id"])

    def inject_comment(self, token: str, post_id: str | None, author_id: str,
                       author_name: str, text: str, at: datetime | None = None) -> str:
        with self.world.lock:
            brand = self._brand(token)
            parent = self._tweets.get(post_id or "") or self._tweets.get(
                self._post_alias.get((token, post_id or ""), ""))
            if parent is None:
                parent = self._post(brand.user_id, "Our new collection is out — what do you "
                                    "think?", None, None, at)
                if post_id:
                    self._post_alias[(token, post_id)] = parent["id"]
            customer = self._user(author_id, author_name)
            tweet = self._post(customer["id"], f"@{brand.name} {text}", parent, None, at)
        self.world.notify()
        return str(tweet["id"])

    def inject_mention(self, token: str, author_id: str, author_name: str, text: str,
                       at: datetime | None = None, *, quote_of: str | None = None,
                       mention: bool = True) -> str:
        """A customer's top-level post mentioning the brand (or quoting ``quote_of``)."""
        with self.world.lock:
            brand = self._brand(token)
            customer = self._user(author_id, author_name)
            quoted = self._tweets[quote_of] if quote_of else None
            body = f"@{brand.name} {text}" if mention else text
            tweet = self._post(customer["id"], body, None, quoted, at)
        self.world.notify()
        return str(tweet["id"])

    def inject_reply(self, token: str, in_reply_to: str, author_id: str, author_name: str,
                     text: str, at: datetime | None = None, *, mention: bool = True) -> str:
        """A customer's reply under any post, mentioning the brand or not."""
        with self.world.lock:
            brand = self._brand(token)
            customer = self._user(author_id, author_name)
            body = f"@{brand.name} {text}" if mention else text
            tweet = self._post(customer["id"], body, self._tweets[in_reply_to], None, at)
        self.world.notify()
        return str(tweet["id"])

    def inject_brand_reply(self, token: str, in_reply_to: str, text: str,
                           at: datetime | None = None) -> str:
        """The brand answering a post in X's own app."""
        with self.world.lock:
            brand = self._brand(token)
            tweet = self._post(brand.user_id, text, self._tweets[in_reply_to], None, at)
        self.world.notify()
        return str(tweet["id"])

    def inject_brand_dm(self, token: str, participant_id: str, text: str,
                        at: datetime | None = None) -> str:
        with self.world.lock:
            brand = self._brand(token)
            event = self._dm(brand.user_id, participant_id, text, at)
        self.world.notify()
        return str(event["id"])

    def user_id_of(self, author_id: str) -> str:
        return self._numeric(author_id)

    def tweet(self, tweet_id: str) -> dict[str, Any]:
        with self.world.lock:
            return copy.deepcopy(self._tweets[tweet_id])

    def posted(self, token: str) -> list[dict[str, Any]]:
        """Replies and DMs accepted through the API for this account."""
        with self.world.lock:
            name = self._brand(token).name
            return [dataclasses.asdict(d) for d in self.world.deliveries
                    if d.network == NETWORK and d.account == name]

    # -- NetworkHandler -------------------------------------------------------------------

    def matches(self, request: httpx.Request) -> bool:
        return request.url.path.startswith(("/2/", "/i/oauth2/"))

    def fault_response(self, fault: Fault, request: httpx.Request) -> httpx.Response | None:
        now = self.world.clock()
        if fault.kind == "rate_limit":
            reset = int(now.timestamp() + (fault.seconds or WINDOW))
            return json_response(429, problem(429, "Too Many Requests", "Too Many Requests"), {
                "x-rate-limit-limit": "15", "x-rate-limit-remaining": "0",
                "x-rate-limit-reset": str(reset)})
        if fault.kind == "auth":
            return json_response(401, problem(401, "Unauthorized", "Unauthorized"))
        return None

    def handle(self, request: httpx.Request, world: SimWorld) -> httpx.Response:
        del world
        path = request.url.path
        if path == "/i/oauth2/authorize":
            return self.oauth.authorize(request)
        if path == "/2/oauth2/token" and request.method == "POST":
            return self.oauth.token(request)
        with self.world.lock:
            auth = request.headers.get("Authorization", "")
            token = auth[len("Bearer "):].strip() if auth.startswith("Bearer ") else ""
            brand = self._brands.get(token)
            if brand is None and token:
                owner = self.oauth.account_for(token)
                brand = next((b for b in self._brands.values() if b.name == owner), None)
            if brand is None:
                return json_response(401, problem(401, "Unauthorized", "Unauthorized"))
            bucket = self._bucket(request)
            headers, over = self._count(brand, bucket)
            if over:
                return json_response(429, problem(429, "Too Many Requests",
                                                  "Too Many Requests"), headers)
            status, body = self._route(request, brand)
            return json_response(status, body, headers)

    # -- routing ----------------------------------------------------------------------------

    @staticmethod
    def _bucket(request: httpx.Request) -> str:
        parts = request.url.path.strip("/").split("/")
        if request.method == "POST":
            return "post" if parts[1:] == ["tweets"] else "dm_send"
        if parts[1:2] in (["dm_events"], ["dm_conversations"]):
            return "dm_read"
        if parts[1:] == ["users", "me"]:
            return "me"
        return parts[-1] if parts[-1] in ("mentions", "tweets") else "me"

    def _route(self, request: httpx.Request, brand: _Brand) -> tuple[int, Any]:
        parts = request.url.path.strip("/").split("/")[1:]
        query = request.url.params
        if request.method == "GET":
            if parts == ["users", "me"]:
                return 200, {"data": self._public_user(brand.user_id, query)}
            if len(parts) == 3 and parts[0] == "users" and parts[2] in ("mentions", "tweets"):
                if parts[1] not in self._users:
                    return 404, problem(404, "Not Found Error", "Could not find user",
                                        "https://api.x.com/2/problems/resource-not-found")
                if parts[2] == "mentions":
                    pool = [t for t in self._tweets.values() if parts[1] in t["_mentions"]
                            and t["author_id"] != parts[1]]
                else:
                    pool = [t for t in self._tweets.values() if t["author_id"] == parts[1]]
                return self._tweet_list(pool, query)
            if parts == ["dm_events"]:
                return self._dm_list([e for e in self._events
                                      if brand.user_id in e["_participants"]], query)
            if len(parts) == 3 and parts[0] == "dm_conversations" and parts[2] == "dm_events":
                return self._dm_list([e for e in self._events if e["dm_conversation_id"]
                                      == parts[1] and brand.user_id in e["_participants"]],
                                     query)
        if request.method == "POST":
            try:
                body = json.loads(request.content or b"{}")
            except (ValueError, UnicodeDecodeError):
                body = None
            if not isinstance(body, dict):
                return 400, problem(400, "Invalid Request", "Request body is not valid JSON",
                                    "https://api.x.com/2/problems/invalid-request")
            if parts == ["tweets"]:
                return self._create_tweet(brand, body)
            if parts[0] == "dm_conversations" and parts[-1] == "messages":
                return self._create_dm(brand, parts, body)
        return 404, problem(404, "Not Found", f"no route {request.url.path}")

    def _page_size(self, query: httpx.QueryParams, low: int, default: int) -> int | None:
        raw = query.get("max_results")
        if raw is None:
            return default
        if not raw.isdigit() or not low <= int(raw) <= 100:
            return None
        return int(raw)

    def _tweet_list(self, pool: list[dict[str, Any]],
                    query: httpx.QueryParams) -> tuple[int, Any]:
        size = self._page_size(query, 5, 10)
        if size is None:
            return 400, {"errors": [{"parameters": {"max_results": [query["max_results"]]},
                                     "message": "The `max_results` query parameter value "
                                                f"[{query['max_results']}] is not between 5 "
                                                "and 100"}],
                         "title": "Invalid Request", "detail": "One or more parameters to "
                         "your request was invalid.",
                         "type": "https://api.x.com/2/problems/invalid-request"}
        since, until = query.get("since_id"), query.get("until_id")
        if "exclude" in query and "replies" in query["exclude"]:
            pool = [t for t in pool if not t.get("in_reply_to_user_id")]
        items = sorted((t for t in pool if (not since or int(t["id"]) > int(since))
                        and (not until or int(t["id"]) < int(until))),
                       key=lambda t: int(t["id"]), reverse=True)
        page, token = self._paginate(items, query, size)
        if not page:
            return 200, {"meta": {"result_count": 0}}
        fields = set(DEFAULT_TWEET_FIELDS) | set(_split(query.get("tweet.fields")))
        expansions = set(_split(query.get("expansions")))
        data = [self._shape(t, fields) for t in page]
        includes: dict[str, list[Any]] = {}
        user_ids: list[str] = []
        tweets: list[dict[str, Any]] = []
        for tweet in page:
            if "author_id" in expansions:
                user_ids.append(tweet["author_id"])
            if "in_reply_to_user_id" in expansions and tweet.get("in_reply_to_user_id"):
                user_ids.append(tweet["in_reply_to_user_id"])
            if "entities.mentions.username" in expansions:
                user_ids.extend(tweet["_mentions"])
            if "referenced_tweets.id" in expansions:
                for ref in tweet.get("referenced_tweets", []):
                    if ref["id"] in self._tweets:
                        tweets.append(self._tweets[ref["id"]])
                        if "referenced_tweets.id.author_id" in expansions:
                            user_ids.append(self._tweets[ref["id"]]["author_id"])
        if user_ids:
            includes["users"] = [self._public_user(u, query) for u in dict.fromkeys(user_ids)]
        if tweets:
            includes["tweets"] = [self._shape(t, fields) for t in
                                  {t["id"]: t for t in tweets}.values()]
        meta: dict[str, Any] = {"result_count": len(page), "newest_id": page[0]["id"],
                                "oldest_id": page[-1]["id"]}
        if token:
            meta["next_token"] = token
        body: dict[str, Any] = {"data": data, "meta": meta}
        if includes:
            body["includes"] = includes
        return 200, body

    def _dm_list(self, pool: list[dict[str, Any]],
                 query: httpx.QueryParams) -> tuple[int, Any]:
        size = self._page_size(query, 1, 100)
        if size is None:
            return 400, problem(400, "Invalid Request", "max_results must be 1-100",
                                "https://api.x.com/2/problems/invalid-request")
        types = _split(query.get("event_types")) or ["MessageCreate"]
        items = sorted((e for e in pool if e["event_type"] in types),
                       key=lambda e: int(e["id"]), reverse=True)
        page, token = self._paginate(items, query, size)
        fields = {"id", "event_type", "text"} | set(_split(query.get("dm_event.fields")))
        data = [{k: v for k, v in e.items() if k in fields} for e in page]
        body: dict[str, Any] = {"meta": {"result_count": len(page)}}
        if data:
            body["data"] = data
        if token:
            body["meta"]["next_token"] = token
        expansions = set(_split(query.get("expansions")))
        users: list[str] = []
        for event in page:
            if "sender_id" in expansions:
                users.append(event["sender_id"])
            if "participant_ids" in expansions:
                users.extend(event["_participants"])
        if users:
            body["includes"] = {"users": [self._public_user(u, query)
                                          for u in dict.fromkeys(users)]}
        return 200, body

    @staticmethod
    def _paginate(items: list[dict[str, Any]], query: httpx.QueryParams,
                  size: int) -> tuple[list[dict[str, Any]], str | None]:
        start = 0
        raw = query.get("pagination_token")
        if raw:
            try:
                below = int(base64.b32decode(raw.upper() + "=" * (-len(raw) % 8)).decode())
            except (ValueError, UnicodeDecodeError):
                return [], None
            start = next((i for i, item in enumerate(items) if int(item["id"]) < below),
                         len(items))
        page = items[start:start + size]
        more = start + size < len(items)
        token = (base64.b32encode(page[-1]["id"].encode()).decode().rstrip("=").lower()
                 if more and page else None)
        return page, token

    def _create_tweet(self, brand: _Brand, body: dict[str, Any]) -> tuple[int, Any]:
        text = body.get("text")
        reply = body.get("reply")
        invalid = "https://api.x.com/2/problems/invalid-request"
        if not isinstance(text, str) or not text.strip():
            return 400, problem(400, "Invalid Request", "Post text is required", invalid)
        if len(text) > MAX_TEXT:
            return 403, problem(403, "Forbidden", "Your Post text is too long.")
        parent = None
        if reply is not None:
            target = reply.get("in_reply_to_tweet_id") if isinstance(reply, dict) else None
            parent = self._tweets.get(str(target)) if isinstance(target, str) else None
            if parent is None:
                return 400, problem(400, "Invalid Request", "The post you are replying to "
                                    "does not exist or has been deleted.", invalid)
            if parent["author_id"] != brand.user_id and not self._summons(parent, brand):
                return 403, problem(403, "Forbidden", NOT_ALLOWED)
        tweet = self._post(brand.user_id, text, parent, None, None)
        self.world.record(Delivered(NETWORK, brand.name, "POST /2/tweets",
                                    parent["id"] if parent else "", text, tweet["id"], None,
                                    self.world.clock()))
        self.world.notify()
        return 201, {"data": {"id": tweet["id"], "text": tweet["text"],
                              "edit_history_tweet_ids": [tweet["id"]]}}

    def _create_dm(self, brand: _Brand, parts: list[str],
                   body: dict[str, Any]) -> tuple[int, Any]:
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            return 400, problem(400, "Invalid Request", "text or attachments is required",
                                "https://api.x.com/2/problems/invalid-request")
        if len(parts) == 4 and parts[1] == "with":
            other = parts[2]
        else:
            ids = parts[1].split("-")
            other = next((i for i in ids if i != brand.user_id), "")
        if other not in self._users or other == brand.user_id:
            return 404, problem(404, "Not Found Error", "Could not find the conversation",
                                "https://api.x.com/2/problems/resource-not-found")
        event = self._dm(brand.user_id, other, text, None)
        self.world.record(Delivered(NETWORK, brand.name, "POST /2/dm_conversations/messages",
                                    event["dm_conversation_id"], text, event["id"], None,
                                    self.world.clock()))
        self.world.notify()
        return 201, {"data": {"dm_conversation_id": event["dm_conversation_id"],
                              "dm_event_id": event["id"]}}

    # -- state helpers -------------------------------------------------------------------

    def _brand(self, token: str) -> _Brand:
        brand = self._brands.get(token)
        if brand is None:
            raise KeyError("unknown token: call add_account first")
        return brand

    def _summons(self, tweet: dict[str, Any], brand: _Brand) -> bool:
        quoted = [r["id"] for r in tweet.get("referenced_tweets", []) if r["type"] == "quoted"]
        return brand.user_id in tweet["_mentions"] or any(
            self._tweets.get(q, {}).get("author_id") == brand.user_id for q in quoted)

    @staticmethod
    def _numeric(author_id: str) -> str:
        if author_id.isascii() and author_id.isdigit():
            return str(int(author_id))
        return str(int(hashlib.sha256(author_id.encode("utf-8", "replace")).hexdigest()[:15], 16))

    def _user(self, author_id: str, name: str, username: str = "") -> dict[str, str]:
        user_id = self._numeric(author_id)
        if user_id in self._users:
            return self._users[user_id]
        if not username:
            slug = re.sub(r"[^a-z0-9_]", "", name.lower().replace(" ", "_"))[:10] or "user"
            username = f"{slug}_{user_id[-4:]}"
        user = {"id": user_id, "name": name, "username": username}
        self._users[user_id] = user
        self._by_name[username.casefold()] = user_id
        return user

    def _public_user(self, user_id: str, query: httpx.QueryParams) -> dict[str, str]:
        user = self._users.get(user_id, {"id": user_id, "name": "", "username": ""})
        fields = {"id", "name", "username"} | set(_split(query.get("user.fields")))
        return {k: v for k, v in user.items() if k in fields}

    def _new_id(self) -> str:
        ms = int(self.world.clock().timestamp() * 1000) - TWEPOCH_MS
        self._last_id = max(self._last_id + 1, ms << 22)
        return str(self._last_id)

    def _post(self, author_id: str, text: str, parent: dict[str, Any] | None,
              quoted: dict[str, Any] | None, at: datetime | None) -> dict[str, Any]:
        tweet_id = self._new_id()
        mentions, ids = [], []
        for match in _MENTION.finditer(text):
            user_id = self._by_name.get(match.group(1).casefold())
            if user_id is not None:
                mentions.append({"start": match.start(), "end": match.end(),
                                 "username": match.group(1), "id": user_id})
                ids.append(user_id)
        refs = []
        if parent is not None:
            refs.append({"type": "replied_to", "id": parent["id"]})
        if quoted is not None:
            refs.append({"type": "quoted", "id": quoted["id"]})
        tweet: dict[str, Any] = {
            "id": tweet_id, "text": _escape(text), "edit_history_tweet_ids": [tweet_id],
            "author_id": author_id, "created_at": x_time(at or self.world.clock()),
            "conversation_id": parent["conversation_id"] if parent else tweet_id,
            "lang": "en", "reply_settings": "everyone", "_mentions": ids}
        if parent is not None:
            tweet["in_reply_to_user_id"] = parent["author_id"]
        if refs:
            tweet["referenced_tweets"] = refs
        if mentions:
            tweet["entities"] = {"mentions": mentions}
        self._tweets[tweet_id] = tweet
        return tweet

    def _dm(self, sender: str, other: str, text: str, at: datetime | None) -> dict[str, Any]:
        low, high = sorted((sender, other), key=int)
        event = {"id": self._new_id(), "event_type": "MessageCreate", "text": _escape(text),
                 "sender_id": sender, "dm_conversation_id": f"{low}-{high}",
                 "created_at": x_time(at or self.world.clock()),
                 "participant_ids": [low, high], "_participants": (low, high)}
        self._events.append(event)
        return event

    @staticmethod
    def _shape(tweet: dict[str, Any], fields: set[str]) -> dict[str, Any]:
        return {k: copy.deepcopy(v) for k, v in tweet.items() if k in fields}

    def _count(self, brand: _Brand, bucket: str) -> tuple[dict[str, str], bool]:
        now = int(self.world.clock().timestamp())
        window = now // WINDOW
        key = (bucket, window)
        brand.used[key] = brand.used.get(key, 0) + 1
        limit = self.limits[bucket]
        return ({"x-rate-limit-limit": str(limit),
                 "x-rate-limit-remaining": str(max(0, limit - brand.used[key])),
                 "x-rate-limit-reset": str((window + 1) * WINDOW)},
                brand.used[key] > limit)


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _escape(text: str) -> str:
    """X's v2 text escapes &, < and > as HTML entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


__all__ = ["XSim", "problem", "x_time"]
