"""A Mastodon instance in memory: the REST endpoints SMM Desk uses, in the
documented shapes (docs.joinmastodon.org, API v1).

One :class:`MastodonSim` is one instance; each token added with
:meth:`MastodonSim.add_account` is a brand's local account on it, and
customers are created on first use by the injection methods. Served:

* ``GET /api/v1/notifications`` — ``types[]``/``exclude_types[]``,
  ``max_id``/``since_id``/``min_id`` with Mastodon's semantics (``min_id`` =
  the page immediately above, ``since_id`` = the newest page above), ``limit``
  (default 40, max 80), newest first, ``Link`` header (rel next = older, rel
  prev = newer). Notification ids are a plain counter that starts just below
  a power of ten (99 990) so tests cross "99999" → "100000" and catch string
  comparison of ids.
* ``GET /api/v1/accounts/verify_credentials``, ``GET /api/v1/accounts/:id``,
  ``GET /api/v1/accounts/:id/statuses`` (default 20, max 40, same paging,
  ``exclude_reblogs``, ``exclude_replies``).
* ``GET /api/v1/statuses/:id`` and ``/context`` (ancestors capped at 40, the
  closest ones, as Mastodon does).
* ``POST /api/v1/statuses`` (JSON or form): 422 for a blank or too long text
  (500 characters; a link counts 23, a remote mention counts its username),
  404 ``Record not found`` for an unknown ``in_reply_to_id``; the
  ``Idempotency-Key`` header is honoured per account for one hour (a repeat
  returns the original status and posts nothing).
* ``GET /api/v2/instance`` (configuration.statuses.max_characters).

Beyond the injection API every simulator shares, ``inject_mention`` makes a
customer's top-level status that mentions the brand (no post to reply to).

Every authenticated answer carries ``X-RateLimit-Limit/-Remaining/-Reset``
(Reset in ISO 8601 with microseconds and Z), counted per token over periods
aligned to the clock (300 requests / 5 minutes by default); past the limit the
answer is 429 ``{"error": "Too many requests"}``. Faults "rate_limit" and
"auth" answer the same way (429 with Remaining 0, 401 ``{"error": "The
access token is invalid"}``).

Status ``content`` is HTML as Mastodon renders it: ``<p>`` paragraphs,
``<br />``, h-card mention spans, hashtag links, and links split into
invisible/ellipsis spans.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import html
import json
import re
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from smm_desk.sim.world import Delivered, Fault, SimWorld, json_response

NETWORK = "mastodon"
IDEMPOTENCY_TTL = timedelta(hours=1)
ANCESTORS_LIMIT = 40
DESCENDANTS_LIMIT = 60
REMOTE_DOMAIN = "social.example"
_VISIBILITIES = ("public", "unlisted", "private", "direct")
_URL = r"https?://[^\s<>\"]*[^\s<>\".,:;!?')\]]"
_MENTION = r"(?<![\w/@])@([A-Za-z0-9_]+(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?)"
_HASHTAG = r"(?<![\w/&#])#(\w+)"
_TOKENS = re.compile(f"(?P<url>{_URL})|(?P<mention>{_MENTION})|(?P<tag>{_HASHTAG})")
_ACCT = re.compile(r"[A-Za-z0-9_]{1,30}(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?")


def iso_ms(at: datetime) -> str:
    """Mastodon's entity times: "2025-01-02T10:00:01.940Z"."""
    at = at.astimezone(UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def iso_us(at: datetime) -> str:
    """The rate-limit reset header: iso8601(6), "2025-01-02T10:05:00.000000Z"."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _int_or_none(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())


@dataclass
class _Brand:
    token: str
    account_id: str
    #: Idempotency-Key -> (status id, first use).
    keys: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    period: int = -1
    used: int = 0


class MastodonSim:
    """The simulator's Mastodon instance (a :class:`NetworkHandler`)."""

    network = NETWORK

    def __init__(self, world: SimWorld, *, domain: str = "mastodon.example",
                 rate_limit: int = 300, period_seconds: int = 300,
                 first_notification_id: int = 99_990, max_characters: int = 500) -> None:
        self.world = world
        self.domain = domain
        self.rate_limit = rate_limit
        self.period_seconds = period_seconds
        self.max_characters = max_characters
        self._brands: dict[str, _Brand] = {}
        self._accounts: dict[str, dict[str, Any]] = {}
        self._statuses: dict[str, dict[str, Any]] = {}
        self._notifications: dict[str, list[dict[str, Any]]] = {}
        self._post_alias: dict[tuple[str, str], str] = {}
        self._next_notification = first_notification_id
        self._last_id = 0

    # -- injection API --------------------------------------------------------

    def add_account(self, token: str, name: str) -> None:
        with self.world.lock:
            if token in self._brands:
                return
            account = self._account(self._new_id(), name, name, local=True)
            self._brands[token] = _Brand(token, account["id"])
            self._notifications[account["id"]] = []

    def inject_dm(self, token: str, author_id: str, author_name: str, text: str,
                  at: datetime | None = None) -> str:
        with self.world.lock:
            brand = self._brand_account(token)
            customer = self._customer(author_id, author_name)
            previous = [s for s in self._statuses.values() if s["visibility"] == "direct"
                        and {s["account"]["id"], *(m["id"] for m in s["mentions"])}
                        >= {brand["id"], customer["id"]}]
            parent = max(previous, key=lambda s: int(s["id"]), default=None)
            status = self._post(customer, f"@{brand['acct']} {text}", "direct", parent, at)
        self.world.notify()
        return str(status["id"])

    def inject_comment(self, token: str, post_id: str | None, author_id: str,
                       author_name: str, text: str, at: datetime | None = None) -> str:
        with self.world.lock:
            brand = self._brand_account(token)
            parent = self._statuses.get(post_id or "")
            if parent is None:
                alias = self._post_alias.get((token, post_id or ""))
                parent = self._statuses.get(alias or "")
            if parent is None:
                parent = self._post(brand, f"News from {brand['display_name']}: what do you "
                                    "think? #update", "public", None, at)
                if post_id:
                    self._post_alias[(token, post_id)] = parent["id"]
            customer = self._customer(author_id, author_name)
            prefix = f"@{brand['acct']} "
            if parent["account"]["id"] not in (brand["id"], customer["id"]):
                prefix = f"@{parent['account']['acct']} {prefix}"
            status = self._post(customer, prefix + text, "public", parent, at)
        self.world.notify()
        return str(status["id"])

    def inject_mention(self, token: str, author_id: str, author_name: str, text: str,
                       at: datetime | None = None, *, visibility: str = "public") -> str:
        """A customer's own top-level status that mentions the brand."""
        with self.world.lock:
            brand = self._brand_account(token)
            customer = self._customer(author_id, author_name)
            status = self._post(customer, f"@{brand['acct']} {text}", visibility, None, at)
        self.world.notify()
        return str(status["id"])

    def inject_brand_answer(self, token: str, reply_to_id: str, text: str,
                            at: datetime | None = None) -> str:
        """The brand answering from Mastodon's own app: in its statuses only."""
        with self.world.lock:
            brand = self._brand_account(token)
            parent = self._statuses.get(reply_to_id)
            if parent is None:
                raise KeyError(f"no status {reply_to_id!r}")
            if parent["account"]["id"] != brand["id"]:
                text = f"@{parent['account']['acct']} {text}"
            status = self._post(brand, text, parent["visibility"], parent, at)
        self.world.notify()
        return str(status["id"])

    def posted(self, token: str) -> list[dict[str, Any]]:
        """Replies accepted through the API for this account, with their status."""
        with self.world.lock:
            name = self._brand_account(token)["acct"]
            out = []
            for delivered in self.world.deliveries:
                if delivered.network == NETWORK and delivered.account == name:
                    row = dataclasses.asdict(delivered)
                    status = self._statuses.get(delivered.external_id, {})
                    row["visibility"] = status.get("visibility")
                    row["in_reply_to_id"] = status.get("in_reply_to_id")
                    out.append(row)
            return out

    def status(self, status_id: str) -> dict[str, Any]:
        with self.world.lock:
            return copy.deepcopy(self._statuses[status_id])

    def brand_id(self, token: str) -> str:
        with self.world.lock:
            return str(self._brand_account(token)["id"])

    # -- NetworkHandler --------------------------------------------------------

    def matches(self, request: httpx.Request) -> bool:
        # Reddit's real paths share the prefix; Mastodon serves none of them.
        return request.url.path.startswith(("/api/v1/", "/api/v2/")) and request.url.path \
            not in ("/api/v1/me", "/api/v1/authorize", "/api/v1/access_token")

    def fault_response(self, fault: Fault, request: httpx.Request) -> httpx.Response | None:
        now = self.world.clock()
        if fault.kind == "rate_limit":
            reset = now + timedelta(seconds=fault.seconds) if fault.seconds else \
                self._period_end(now)
            return json_response(429, {"error": "Too many requests"}, {
                "X-RateLimit-Limit": str(self.rate_limit), "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": iso_us(reset)})
        if fault.kind == "auth":
            return json_response(401, {"error": "The access token is invalid"})
        return None

    def handle(self, request: httpx.Request, world: SimWorld) -> httpx.Response:
        del world  # the one given at construction
        path = request.url.path
        if path == "/api/v2/instance" and request.method == "GET":
            return json_response(200, self._instance())
        with self.world.lock:
            auth = request.headers.get("Authorization", "")
            if not auth.startswith("Bearer "):
                return json_response(401, {"error": "This method requires an authenticated user"})
            brand = self._brands.get(auth[len("Bearer "):].strip())
            if brand is None:
                return json_response(401, {"error": "The access token is invalid"})
            limits, over = self._count(brand)
            if over:
                return json_response(429, {"error": "Too many requests"}, limits)
            status, body, extra = self._route(request, brand)
            return json_response(status, body, {**limits, **extra})

    # -- routing -----------------------------------------------------------------

    def _route(self, request: httpx.Request,
               brand: _Brand) -> tuple[int, Any, dict[str, str]]:
        parts = request.url.path.strip("/").split("/")[2:]  # after api/v1
        get = request.method == "GET"
        if get and parts == ["notifications"]:
            return self._list(request, self._notifications[brand.account_id],
                              self._notification_filter(request), 40, 80)
        if get and parts == ["accounts", "verify_credentials"]:
            me = copy.deepcopy(self._accounts[brand.account_id])
            me["source"] = {"privacy": "public", "sensitive": False, "language": "",
                            "note": "", "fields": [], "follow_requests_count": 0}
            return 200, me, {}
        if get and len(parts) >= 2 and parts[0] == "accounts":
            account = self._accounts.get(parts[1])
            if account is None:
                return 404, {"error": "Record not found"}, {}
            if len(parts) == 2:
                return 200, copy.deepcopy(account), {}
            if parts[2:] == ["statuses"]:
                return self._account_statuses(request, brand, account)
        if get and len(parts) in (2, 3) and parts[0] == "statuses":
            status = self._statuses.get(parts[1])
            if status is None or not self._visible(status, brand.account_id):
                return 404, {"error": "Record not found"}, {}
            if len(parts) == 2:
                return 200, copy.deepcopy(status), {}
            if parts[2] == "context":
                return 200, self._context(status, brand.account_id), {}
        if request.method == "POST" and parts == ["statuses"]:
            return self._create(request, brand)
        return 404, {"error": "Not Found"}, {}

    def _notification_filter(self, request: httpx.Request) -> Any:
        query = request.url.params
        types = query.get_list("types[]")
        excluded = set(query.get_list("exclude_types[]"))
        account_id = query.get("account_id")

        def keep(item: dict[str, Any]) -> bool:
            return ((not types or item["type"] in types) and item["type"] not in excluded
                    and (account_id is None or item["account"]["id"] == account_id))
        return keep

    def _account_statuses(self, request: httpx.Request, brand: _Brand,
                          account: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        query = request.url.params
        no_reblogs = query.get("exclude_reblogs") in ("true", "1")
        no_replies = query.get("exclude_replies") in ("true", "1")
        mine = [s for s in self._statuses.values() if s["account"]["id"] == account["id"]]

        def keep(status: dict[str, Any]) -> bool:
            return (self._visible(status, brand.account_id)
                    and not (no_reblogs and status.get("reblog"))
                    and not (no_replies and status.get("in_reply_to_id")))
        return self._list(request, mine, keep, 20, 40)

    def _list(self, request: httpx.Request, items: list[dict[str, Any]], keep: Any,
              default_limit: int, max_limit: int) -> tuple[int, Any, dict[str, str]]:
        """Mastodon's id pagination (Paginable#to_a_paginated_by_id) + Link."""
        query = request.url.params
        raw_limit = query.get("limit")
        limit = default_limit if raw_limit is None else min(
            abs(_int_or_none(raw_limit.lstrip("-")) or 0), max_limit)
        max_id, since_id, min_id = (_int_or_none(query.get(k))
                                    for k in ("max_id", "since_id", "min_id"))
        pool = sorted((i for i in items if keep(i)), key=lambda i: int(i["id"]))
        if max_id is not None:
            pool = [i for i in pool if int(i["id"]) < max_id]
        if min_id is not None:
            page = [i for i in pool if int(i["id"]) > min_id][:limit][::-1]
        else:
            if since_id is not None:
                pool = [i for i in pool if int(i["id"]) > since_id]
            page = pool[::-1][:limit]
        headers: dict[str, str] = {}
        if page:
            headers["Link"] = self._link(request, page[-1]["id"], page[0]["id"])
        return 200, [copy.deepcopy(i) for i in page], headers

    def _link(self, request: httpx.Request, oldest: str, newest: str) -> str:
        kept = [(k, v) for k, v in request.url.params.multi_items()
                if k in ("limit", "types[]", "exclude_types[]", "account_id",
                         "exclude_reblogs", "exclude_replies")]
        base = str(request.url.copy_with(query=None))

        def url(key: str, value: str) -> str:
            return f"{base}?{urllib.parse.urlencode([*kept, (key, value)])}"
        return f'<{url("max_id", oldest)}>; rel="next", <{url("min_id", newest)}>; rel="prev"'

    def _context(self, status: dict[str, Any], viewer: str) -> dict[str, Any]:
        ancestors: list[dict[str, Any]] = []
        parent = self._statuses.get(status.get("in_reply_to_id") or "")
        while parent is not None and len(ancestors) < ANCESTORS_LIMIT:
            if self._visible(parent, viewer):
                ancestors.append(parent)
            parent = self._statuses.get(parent.get("in_reply_to_id") or "")
        descendants: list[dict[str, Any]] = []
        frontier = [status["id"]]
        while frontier and len(descendants) < DESCENDANTS_LIMIT:
            children = sorted((s for s in self._statuses.values()
                               if s.get("in_reply_to_id") in frontier
                               and self._visible(s, viewer)), key=lambda s: int(s["id"]))
            descendants.extend(children[:DESCENDANTS_LIMIT - len(descendants)])
            frontier = [s["id"] for s in children]
        return {"ancestors": copy.deepcopy(ancestors[::-1]),
                "descendants": copy.deepcopy(descendants)}

    def _create(self, request: httpx.Request, brand: _Brand) -> tuple[int, Any, dict[str, str]]:
        params = self._body(request)
        if params is None:
            return 400, {"error": "Unparseable body"}, {}
        now = self.world.clock()
        key = request.headers.get("Idempotency-Key")
        if key:
            seen = brand.keys.get(key)
            if seen is not None and now - seen[1] < IDEMPOTENCY_TTL:
                return 200, copy.deepcopy(self._statuses[seen[0]]), {}
        text = params.get("status")
        text = text if isinstance(text, str) else ""
        if not text.strip() and not params.get("media_ids[]") and not params.get("media_ids"):
            return 422, {"error": "Validation failed: Text can't be blank"}, {}
        if self._length(text) > self.max_characters:
            return 422, {"error": "Validation failed: Text character limit of "
                                  f"{self.max_characters} exceeded"}, {}
        visibility = params.get("visibility") or "public"
        if visibility not in _VISIBILITIES:
            return 422, {"error": "Validation failed: Visibility is not included in the list"}, {}
        reply_to = params.get("in_reply_to_id")
        parent = None
        if reply_to:
            parent = self._statuses.get(str(reply_to))
            if parent is None or not self._visible(parent, brand.account_id):
                return 404, {"error": "Record not found"}, {}
        spoiler = params.get("spoiler_text")
        author = self._accounts[brand.account_id]
        status = self._post(author, text, str(visibility), parent, None,
                            spoiler=spoiler if isinstance(spoiler, str) else "",
                            application={"name": "SMM Desk", "website": None})
        if key:
            brand.keys[key] = (status["id"], now)
        self.world.record(Delivered(
            network=NETWORK, account=author["acct"], method="POST /api/v1/statuses",
            target=str(reply_to or ""), text=text, external_id=status["id"], key=key, at=now))
        self.world.notify()
        return 200, copy.deepcopy(status), {}

    @staticmethod
    def _body(request: httpx.Request) -> dict[str, Any] | None:
        params: dict[str, Any] = dict(request.url.params.items())
        kind = request.headers.get("Content-Type", "").split(";")[0].strip()
        raw = request.content
        if kind == "application/json":
            try:
                body = json.loads(raw or b"{}")
            except (ValueError, UnicodeDecodeError):
                return None
            if not isinstance(body, dict):
                return None
            params.update(body)
        elif raw:
            try:
                params.update(urllib.parse.parse_qsl(raw.decode(), keep_blank_values=True))
            except UnicodeDecodeError:
                return None
        return params

    # -- state helpers ---------------------------------------------------------------

    def _brand_account(self, token: str) -> dict[str, Any]:
        brand = self._brands.get(token)
        if brand is None:
            raise KeyError("unknown token: call add_account first")
        return self._accounts[brand.account_id]

    def _new_id(self) -> str:
        """Snowflake-like: milliseconds << 16, strictly increasing."""
        ms = int(self.world.clock().timestamp() * 1000)
        self._last_id = max(self._last_id + 1, ms << 16)
        return str(self._last_id)

    def _account(self, account_id: str, name: str, display: str, *,
                 local: bool) -> dict[str, Any]:
        username, _, domain = name.partition("@")
        host = self.domain if local else (domain or REMOTE_DOMAIN)
        acct = username if local else f"{username}@{host}"
        url = f"https://{host}/@{username}"
        account = {
            "id": account_id, "username": username, "acct": acct, "display_name": display,
            "locked": False, "bot": False, "discoverable": True, "group": False,
            "created_at": iso_ms(self.world.clock()), "note": "", "url": url,
            "uri": f"https://{host}/users/{username}",
            "avatar": f"https://{self.domain}/avatars/original/missing.png",
            "avatar_static": f"https://{self.domain}/avatars/original/missing.png",
            "header": f"https://{self.domain}/headers/original/missing.png",
            "header_static": f"https://{self.domain}/headers/original/missing.png",
            "followers_count": 0, "following_count": 0, "statuses_count": 0,
            "last_status_at": None, "emojis": [], "fields": [],
        }
        self._accounts[account_id] = account
        return account

    def _customer(self, author_id: str, author_name: str) -> dict[str, Any]:
        account_id = author_id if author_id.isascii() and author_id.isdigit() else str(
            int(hashlib.sha256(author_id.encode("utf-8", "replace")).hexdigest()[:13], 16))
        existing = self._accounts.get(account_id)
        if existing is not None:
            return existing
        if _ACCT.fullmatch(author_name):
            name, display = author_name, author_name.split("@")[0]
        else:
            slug = re.sub(r"[^a-z0-9_]", "", author_name.lower().replace(" ", "_"))[:20]
            name, display = f"{slug or 'user'}{account_id[-4:]}", author_name
        if "@" not in name:
            name = f"{name}@{REMOTE_DOMAIN}"
        taken = {a["acct"].lower() for a in self._accounts.values()}
        if name.lower() in taken:
            user, _, host = name.partition("@")
            name = f"{user}{account_id[-6:]}@{host}"
        return self._account(account_id, name, display, local=False)

    def _resolve(self, acct: str) -> dict[str, Any] | None:
        wanted = acct.lower()
        for account in self._accounts.values():
            if account["acct"].lower() == wanted:
                return account
        return None

    def _post(self, author: dict[str, Any], text: str, visibility: str,
              parent: dict[str, Any] | None, at: datetime | None, *, spoiler: str = "",
              application: dict[str, Any] | None = None) -> dict[str, Any]:
        status_id = self._new_id()
        created = (at or self.world.clock()).astimezone(UTC)
        content, mentioned = self._render(text)
        status = {
            "id": status_id, "created_at": iso_ms(created),
            "in_reply_to_id": parent["id"] if parent else None,
            "in_reply_to_account_id": parent["account"]["id"] if parent else None,
            "sensitive": bool(spoiler), "spoiler_text": spoiler, "visibility": visibility,
            "language": "en", "uri": f"{author['uri']}/statuses/{status_id}",
            "url": f"{author['url']}/{status_id}", "replies_count": 0, "reblogs_count": 0,
            "favourites_count": 0, "edited_at": None, "favourited": False,
            "reblogged": False, "muted": False, "bookmarked": False, "pinned": False,
            "content": content, "filtered": [], "reblog": None, "application": application,
            "account": copy.deepcopy(author), "media_attachments": [],
            "mentions": [{"id": a["id"], "username": a["username"], "url": a["url"],
                          "acct": a["acct"]} for a in mentioned],
            "tags": [], "emojis": [], "card": None, "poll": None,
        }
        self._statuses[status_id] = status
        if parent is not None:
            parent["replies_count"] += 1
        self._accounts[author["id"]]["statuses_count"] += 1
        for account in mentioned:
            inbox = self._notifications.get(account["id"])
            if inbox is not None and account["id"] != author["id"]:
                self._next_notification += 1
                inbox.append({"id": str(self._next_notification), "type": "mention",
                              "created_at": iso_ms(created), "group_key":
                              f"ungrouped-{self._next_notification}",
                              "account": copy.deepcopy(author), "status": status})
        return status

    def _render(self, text: str) -> tuple[str, list[dict[str, Any]]]:
        """Mastodon's HTML for plain text, and the accounts it mentions."""
        mentioned: list[dict[str, Any]] = []

        def piece(match: re.Match[str]) -> str:
            if match.group("url"):
                url = match.group("url")
                scheme, rest = url.split("://", 1)
                shown = (f'<span class="ellipsis">{html.escape(rest[:30])}</span>'
                         f'<span class="invisible">{html.escape(rest[30:])}</span>'
                         if len(rest) > 30 else f'<span class="">{html.escape(rest)}</span>')
                return (f'<a href="{html.escape(url)}" target="_blank" rel="nofollow noopener" '
                        f'translate="no"><span class="invisible">{scheme}://</span>{shown}</a>')
            if match.group("mention"):
                account = self._resolve(match.group(3))
                if account is None:
                    return html.escape(match.group(0))
                if account not in mentioned:
                    mentioned.append(account)
                return (f'<span class="h-card" translate="no"><a href="{account["url"]}" '
                        f'class="u-url mention">@<span>{html.escape(account["username"])}'
                        "</span></a></span>")
            tag = match.group(5)
            return (f'<a href="https://{self.domain}/tags/{html.escape(tag.lower())}" '
                    f'class="mention hashtag" rel="tag">#<span>{html.escape(tag)}</span></a>')

        paragraphs = []
        for block in re.split(r"\n{2,}", text.replace("\r\n", "\n").strip()):
            out, last = [], 0
            for match in _TOKENS.finditer(block):
                out.append(html.escape(block[last:match.start()]))
                out.append(piece(match))
                last = match.end()
            out.append(html.escape(block[last:]))
            paragraphs.append("<p>" + "".join(out).replace("\n", "<br />") + "</p>")
        return "".join(paragraphs), mentioned

    def _length(self, text: str) -> int:
        """Mastodon's count: every link is 23, a remote mention counts its username."""
        text = re.sub(_URL, "x" * 23, text)
        return len(re.sub(_MENTION, lambda m: "@" + m.group(1).split("@")[0], text))

    def _visible(self, status: dict[str, Any], viewer: str) -> bool:
        if status["visibility"] in ("public", "unlisted") or status["account"]["id"] == viewer:
            return True
        return any(m["id"] == viewer for m in status["mentions"])

    def _period_end(self, now: datetime) -> datetime:
        start = int(now.timestamp()) // self.period_seconds * self.period_seconds
        return datetime.fromtimestamp(start + self.period_seconds, UTC)

    def _count(self, brand: _Brand) -> tuple[dict[str, str], bool]:
        now = self.world.clock()
        period = int(now.timestamp()) // self.period_seconds
        if period != brand.period:
            brand.period, brand.used = period, 0
        brand.used += 1
        headers = {"X-RateLimit-Limit": str(self.rate_limit),
                   "X-RateLimit-Remaining": str(max(0, self.rate_limit - brand.used)),
                   "X-RateLimit-Reset": iso_us(self._period_end(now))}
        return headers, brand.used > self.rate_limit

    def _instance(self) -> dict[str, Any]:
        return {"domain": self.domain, "title": "SMM Desk simulator", "version": "4.3.0",
                "configuration": {"statuses": {"max_characters": self.max_characters,
                                               "max_media_attachments": 4,
                                               "characters_reserved_per_url": 23}}}
