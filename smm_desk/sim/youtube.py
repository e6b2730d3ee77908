"""YouTube Data API v3 in memory: the comment endpoints SMM Desk uses, in the
documented shapes (developers.google.com/youtube/v3/docs;
/work/shared/networks/youtube.md).

Served:

* ``GET /youtube/v3/commentThreads`` — ``part`` (required; ``snippet``,
  ``replies``, ``id``), exactly one filter of ``allThreadsRelatedToChannelId``
  / ``videoId`` / ``id``, ``order`` (``time`` newest first by the top-level
  comment, or ``relevance``), ``maxResults`` 1–100 (default 20), opaque
  ``pageToken``/``nextPageToken`` (an offset into the listing; a token the
  sim did not issue, or one older than ``page_token_ttl`` when set, is 400
  ``invalidPageToken``), ``textFormat`` (``html`` escapes the text).
  ``replies.comments`` embeds at most :data:`EMBEDDED_REPLIES` replies (the
  API's list "may not contain all replies"; ``totalReplyCount`` says how many
  there are).
* ``GET /youtube/v3/comments?part=snippet&parentId=…`` (all replies, paged).
* ``POST /youtube/v3/comments?part=snippet`` — ``{"snippet": {"parentId",
  "textOriginal"}}`` → the comment resource; 400 ``parentIdMissing``,
  ``commentTextRequired``, ``commentTextTooLong`` (over 10,000 characters),
  ``operationNotSupported`` (thread's ``canReply`` false), ``processingFailure``
  (unknown parent).
* Google OAuth (:class:`~smm_desk.sim.oauth.SimOAuth`, 1-hour tokens) at
  ``/o/oauth2/v2/auth`` and ``/token``; the static token an account was added
  with stays valid too.

Quota: every request, even a refused one, costs units (list 1, insert 50),
counted per channel per Pacific day; past ``daily_quota`` (10,000) the answer
is 403 ``quotaExceeded`` (domain ``youtube.quota``) until the Pacific
midnight. ``spent(token)`` tells tests what was charged. Faults:
"rate_limit" → 403 ``rateLimitExceeded`` (domain ``usageLimits``), "auth" →
401 ``authError`` ("Invalid Credentials"); a "status" fault with
``body=QUOTA_EXCEEDED`` (status 403) gives the quota answer at once.

YouTube has no DMs: ``inject_dm`` adds a top-level comment by the customer on
the channel's first video (creating it), so the demo and the end-to-end tests
can treat "a customer wrote to us" alike on every network.
``inject_comment(post_id=…)`` adds a top-level comment on that video;
``inject_reply`` a reply in a thread; ``inject_brand_reply`` the channel
answering in YouTube Studio.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import hashlib
import html
import itertools
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from smm_desk.sim.oauth import SimOAuth
from smm_desk.sim.world import Delivered, Fault, SimWorld, json_response

NETWORK = "youtube"
PACIFIC = ZoneInfo("America/Los_Angeles")
EMBEDDED_REPLIES = 5
MAX_TEXT = 10_000
COSTS = {("GET", "commentThreads"): 1, ("GET", "comments"): 1,
         ("POST", "comments"): 50, ("POST", "commentThreads"): 50}


def yt_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def google_error(status: int, reason: str, message: str, domain: str = "youtube.api",
                 ) -> dict[str, Any]:
    return {"error": {"code": status, "message": message,
                      "errors": [{"message": message, "domain": domain, "reason": reason}]}}


QUOTA_EXCEEDED = google_error(
    403, "quotaExceeded", "The request cannot be completed because you have exceeded your "
    "<a href=\"/youtube/v3/getting-started#quota\">quota</a>.", "youtube.quota")


class _BadPageToken(Exception):
    """A ``pageToken`` the sim did not issue, or one past ``page_token_ttl``."""


@dataclass
class _Channel:
    token: str
    channel_id: str
    title: str
    videos: list[str] = field(default_factory=list)
    #: Pacific date -> units spent.
    spent: dict[str, int] = field(default_factory=dict)


class YouTubeSim:
    """The simulator's YouTube (a :class:`~smm_desk.sim.world.NetworkHandler`)."""

    network = NETWORK

    def __init__(self, world: SimWorld, *, daily_quota: int = 10_000,
                 page_token_ttl: timedelta | None = None) -> None:
        self.world = world
        self.daily_quota = daily_quota
        #: How long a page token stays valid (None: for good).
        self.page_token_ttl = page_token_ttl
        self.oauth = SimOAuth(clock=world.clock, lifetime=timedelta(hours=1))
        self._channels: dict[str, _Channel] = {}
        self._threads: dict[str, dict[str, Any]] = {}
        self._replies: dict[str, list[dict[str, Any]]] = {}
        self._authors: dict[str, tuple[str, str]] = {}
        self._seq = itertools.count(1)

    # -- injection API -------------------------------------------------------------------

    def add_account(self, token: str, name: str) -> None:
        with self.world.lock:
            if token in self._channels:
                return
            channel_id = self._channel_id(f"brand:{name}")
            self._channels[token] = _Channel(token, channel_id, name)
            self._authors[channel_id] = (f"@{_slug(name)}", channel_id)
            self.oauth.signed_in = channel_id

    def account_options(self, token: str) -> dict[str, str]:
        return {"channel_id": self._channel(token).channel_id, "client_id": "sim-client"}

    def channel_id(self, token: str) -> str:
        return self._channel(token).channel_id

    def inject_dm(self, token: str, author_id: str, author_name: str, text: str,
                  at: datetime | None = None) -> str:
        """No DMs on YouTube: a top-level comment on the channel's first video."""
        return self.inject_comment(token, None, author_id, author_name, text, at)

    def inject_comment(self, token: str, post_id: str | None, author_id: str,
                       author_name: str, text: str, at: datetime | None = None) -> str:
        with self.world.lock:
            channel = self._channel(token)
            video = self._video(channel, post_id)
            author = self._author(author_id, author_name)
            comment = self._comment(author, text, at, channel.channel_id, video, None)
            self._threads[comment["id"]] = {
                "kind": "youtube#commentThread", "etag": _etag(comment["id"]),
                "id": comment["id"],
                "snippet": {"channelId": channel.channel_id, "videoId": video,
                            "topLevelComment": comment, "canReply": True,
                            "totalReplyCount": 0, "isPublic": True}}
            self._replies[comment["id"]] = []
        self.world.notify()
        return str(comment["id"])

    def inject_reply(self, token: str, thread_id: str, author_id: str, author_name: str,
                     text: str, at: datetime | None = None) -> str:
        with self.world.lock:
            channel = self._channel(token)
            reply = self._reply(self._threads[thread_id], self._author(author_id, author_name),
                                text, at, channel.channel_id)
        self.world.notify()
        return str(reply["id"])

    def inject_brand_reply(self, token: str, thread_id: str, text: str,
                           at: datetime | None = None) -> str:
        with self.world.lock:
            channel = self._channel(token)
            author = (self._authors[channel.channel_id][0], channel.channel_id)
            reply = self._reply(self._threads[thread_id], author, text, at, channel.channel_id)
        self.world.notify()
        return str(reply["id"])

    def close_replies(self, thread_id: str) -> None:
        with self.world.lock:
            self._threads[thread_id]["snippet"]["canReply"] = False

    def author_channel(self, author_id: str) -> str:
        return self._channel_id(author_id)

    def thread(self, thread_id: str) -> dict[str, Any]:
        with self.world.lock:
            return copy.deepcopy(self._threads[thread_id])

    def spent(self, token: str, at: datetime | None = None) -> int:
        with self.world.lock:
            return self._channel(token).spent.get(_day(at or self.world.clock()), 0)

    def posted(self, token: str) -> list[dict[str, Any]]:
        with self.world.lock:
            name = self._channel(token).title
            return [dataclasses.asdict(d) for d in self.world.deliveries
                    if d.network == NETWORK and d.account == name]

    # -- NetworkHandler --------------------------------------------------------------------

    def matches(self, request: httpx.Request) -> bool:
        path = request.url.path
        return path.startswith("/youtube/v3/") or path in ("/o/oauth2/v2/auth", "/token")

    def fault_response(self, fault: Fault, request: httpx.Request) -> httpx.Response | None:
        if fault.kind == "rate_limit":
            return json_response(403, google_error(
                403, "rateLimitExceeded", "The request cannot be completed because you have "
                "exceeded your rate limit.", "usageLimits"))
        if fault.kind == "auth":
            return json_response(401, google_error(
                401, "authError", "Invalid Credentials", "global"))
        return None

    def handle(self, request: httpx.Request, world: SimWorld) -> httpx.Response:
        del world
        path = request.url.path
        if path == "/o/oauth2/v2/auth":
            return self.oauth.authorize(request)
        if path == "/token":
            return self.oauth.token(request)
        with self.world.lock:
            auth = request.headers.get("Authorization", "")
            token = auth[len("Bearer "):].strip() if auth.startswith("Bearer ") else ""
            channel = self._channels.get(token)
            if channel is None and token:
                owner = self.oauth.account_for(token)
                channel = next((c for c in self._channels.values() if c.channel_id == owner),
                               None)
            if channel is None:
                return json_response(401, google_error(
                    401, "authError", "Request had invalid authentication credentials.",
                    "global"))
            resource = path.rsplit("/", 1)[-1]
            day = _day(self.world.clock())
            used = channel.spent.get(day, 0)
            if used >= self.daily_quota:
                channel.spent[day] = used + 1
                return json_response(403, QUOTA_EXCEEDED)
            channel.spent[day] = used + COSTS.get((request.method, resource), 1)
            try:
                status, body = self._route(request, channel, resource)
            except _BadPageToken:
                status, body = 400, google_error(400, "invalidPageToken", "The request "
                                                 "specifies an invalid page token.")
            return json_response(status, body)

    # -- routing -------------------------------------------------------------------------

    def _route(self, request: httpx.Request, channel: _Channel,
               resource: str) -> tuple[int, Any]:
        query = request.url.params
        if not query.get("part"):
            return 400, google_error(400, "required", "Required parameter: part", "global")
        if request.method == "GET" and resource == "commentThreads":
            return self._list_threads(query, channel)
        if request.method == "GET" and resource == "comments":
            parent = query.get("parentId") or ""
            if parent not in self._threads:
                return 404, google_error(404, "commentNotFound", "The comment identified by "
                                         "the request's parentId parameter could not be "
                                         "found.")
            size = _size(query, 20)
            if size is None:
                return 400, google_error(400, "invalidValue", "Invalid value for maxResults")
            body = self._page("youtube#commentListResponse", self._replies[parent], query, size)
            body["items"] = [self._render(c, query) for c in body["items"]]
            return 200, body
        if request.method == "POST" and resource == "comments":
            return self._insert(request, channel)
        return 404, google_error(404, "notFound", "Not Found", "global")

    def _list_threads(self, query: httpx.QueryParams, channel: _Channel) -> tuple[int, Any]:
        filters = [k for k in ("allThreadsRelatedToChannelId", "videoId", "id") if k in query]
        if len(filters) != 1:
            return 400, google_error(400, "incompatibleParameters", "Exactly one filter is "
                                     "required.")
        size = _size(query, 20)
        if size is None:
            return 400, google_error(400, "invalidValue", "Invalid value for maxResults")
        key = filters[0]
        value = query[key]
        if key == "allThreadsRelatedToChannelId":
            if value != channel.channel_id and value not in {
                    c.channel_id for c in self._channels.values()}:
                return 404, google_error(404, "channelNotFound", "The channel identified by "
                                         "the allThreadsRelatedToChannelId parameter could "
                                         "not be found.")
            pool = [t for t in self._threads.values() if t["snippet"]["channelId"] == value]
        elif key == "videoId":
            pool = [t for t in self._threads.values() if t["snippet"]["videoId"] == value]
        else:
            wanted = set(value.split(","))
            pool = [t for t in self._threads.values() if t["id"] in wanted]
        if query.get("order", "time") == "relevance":
            pool.sort(key=lambda t: t["snippet"]["totalReplyCount"], reverse=True)
        else:
            pool.sort(key=lambda t: (t["snippet"]["topLevelComment"]["snippet"]["publishedAt"],
                                     t["id"]), reverse=True)
        parts = set(query["part"].split(","))
        body = self._page("youtube#commentThreadListResponse", pool, query, size)
        items = []
        for thread in body["items"]:  # only the page's threads are rendered
            item: dict[str, Any] = {"kind": thread["kind"], "etag": thread["etag"],
                                    "id": thread["id"]}
            if "snippet" in parts:
                item["snippet"] = copy.deepcopy(thread["snippet"])
                item["snippet"]["topLevelComment"] = self._render(
                    thread["snippet"]["topLevelComment"], query)
            replies = self._replies[thread["id"]]
            if "replies" in parts and replies:
                # The newest few, as the API embeds them (not guaranteed complete).
                item["replies"] = {"comments": [self._render(c, query)
                                                for c in replies[-EMBEDDED_REPLIES:][::-1]]}
            items.append(item)
        body["items"] = items
        return 200, body

    def _page(self, kind: str, items: list[Any], query: httpx.QueryParams,
              size: int) -> dict[str, Any]:
        start = 0
        token = query.get("pageToken")
        if token:
            try:
                fields = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode(
                    ).removeprefix("offset:").split(":")
                start = int(fields[0])
                issued = datetime.fromtimestamp(int(fields[1]), UTC) if len(fields) > 1 \
                    else None
            except (ValueError, UnicodeDecodeError, OverflowError, OSError):
                raise _BadPageToken from None
            if self.page_token_ttl is not None and (
                    issued is None or self.world.clock() - issued > self.page_token_ttl):
                raise _BadPageToken
        page = items[start:start + size]
        body: dict[str, Any] = {"kind": kind, "etag": _etag(f"{kind}{start}{len(items)}")}
        if start + size < len(items):
            issued_at = int(self.world.clock().timestamp())
            body["nextPageToken"] = base64.urlsafe_b64encode(
                f"offset:{start + size}:{issued_at}".encode()).decode().rstrip("=")
        body["pageInfo"] = {"totalResults": len(items), "resultsPerPage": size}
        body["items"] = page
        return body

    def _insert(self, request: httpx.Request, channel: _Channel) -> tuple[int, Any]:
        try:
            body = json.loads(request.content or b"{}")
        except (ValueError, UnicodeDecodeError):
            body = None
        snippet = body.get("snippet") if isinstance(body, dict) else None
        if not isinstance(snippet, dict):
            return 400, google_error(400, "processingFailure", "The API server failed to "
                                     "successfully process the request.")
        parent = snippet.get("parentId")
        text = snippet.get("textOriginal")
        if not parent:
            return 400, google_error(400, "parentIdMissing", "The comment must be linked to "
                                     "a parent comment.")
        if not isinstance(text, str) or not text.strip():
            return 400, google_error(400, "commentTextRequired", "The comment resource that "
                                     "is being inserted must specify a value for the "
                                     "snippet.textOriginal property.")
        if len(text) > MAX_TEXT:
            return 400, google_error(400, "commentTextTooLong", "The comment resource that is "
                                     "being inserted contains too many characters.")
        thread = self._threads.get(str(parent))
        if thread is None:
            return 400, google_error(400, "processingFailure", "The API server failed to "
                                     "successfully process the request.")
        if not thread["snippet"]["canReply"]:
            return 400, google_error(400, "operationNotSupported", "The API user is not able "
                                     "to insert a comment in reply to the top-level comment.")
        author = (self._authors[channel.channel_id][0], channel.channel_id)
        reply = self._reply(thread, author, text, None, channel.channel_id)
        self.world.record(Delivered(NETWORK, channel.title, "POST /youtube/v3/comments",
                                    thread["id"], text, reply["id"], None, self.world.clock()))
        self.world.notify()
        return 200, copy.deepcopy(reply)

    # -- state helpers ------------------------------------------------------------------

    def _channel(self, token: str) -> _Channel:
        channel = self._channels.get(token)
        if channel is None:
            raise KeyError("unknown token: call add_account first")
        return channel

    @staticmethod
    def _channel_id(seed: str) -> str:
        digest = hashlib.sha256(seed.encode("utf-8", "replace")).digest()
        return "UC" + base64.urlsafe_b64encode(digest).decode()[:22]

    def _author(self, author_id: str, name: str) -> tuple[str, str]:
        channel_id = self._channel_id(author_id)
        if channel_id not in self._authors:
            # authorDisplayName is the name as given: "@handle" for the handles
            # YouTube shows today, a plain name for the demo's and tests' customers.
            self._authors[channel_id] = (name or f"@{_slug(author_id)}", channel_id)
        return self._authors[channel_id]

    def _video(self, channel: _Channel, post_id: str | None) -> str:
        if post_id and post_id in channel.videos:
            return post_id
        if post_id is None and channel.videos:
            return channel.videos[0]
        seed = f"{channel.channel_id}:{post_id or len(channel.videos)}"
        video = base64.urlsafe_b64encode(hashlib.sha256(seed.encode()).digest()).decode()[:11]
        if post_id and len(post_id) == 11:
            video = post_id
        channel.videos.append(video)
        return video

    def _comment(self, author: tuple[str, str], text: str, at: datetime | None,
                 channel_id: str, video: str, parent: str | None) -> dict[str, Any]:
        n = next(self._seq)
        suffix = base64.urlsafe_b64encode(hashlib.sha256(f"c{n}".encode()).digest()).decode()
        comment_id = f"{parent}.{suffix[:22]}" if parent else f"Ugz{suffix[:23]}"
        when = yt_time(at or self.world.clock())
        snippet: dict[str, Any] = {
            "channelId": channel_id, "videoId": video, "textDisplay": text,
            "textOriginal": text, "authorDisplayName": author[0],
            "authorProfileImageUrl": "https://yt3.ggpht.example/default.jpg",
            "authorChannelUrl": f"http://www.youtube.com/{author[0]}",
            "authorChannelId": {"value": author[1]}, "canRate": True, "viewerRating": "none",
            "likeCount": 0, "publishedAt": when, "updatedAt": when}
        if parent:
            snippet["parentId"] = parent
        return {"kind": "youtube#comment", "etag": _etag(comment_id), "id": comment_id,
                "snippet": snippet}

    def _reply(self, thread: dict[str, Any], author: tuple[str, str], text: str,
               at: datetime | None, channel_id: str) -> dict[str, Any]:
        reply = self._comment(author, text, at, channel_id, thread["snippet"]["videoId"],
                              thread["id"])
        self._replies[thread["id"]].append(reply)
        thread["snippet"]["totalReplyCount"] += 1
        return reply

    @staticmethod
    def _render(comment: dict[str, Any], query: httpx.QueryParams) -> dict[str, Any]:
        out = copy.deepcopy(comment)
        if query.get("textFormat", "html") == "html":
            out["snippet"]["textDisplay"] = html.escape(out["snippet"]["textDisplay"]).replace(
                "\n", "<br>")
        return out


def _day(at: datetime) -> str:
    return at.astimezone(PACIFIC).date().isoformat()


def _size(query: httpx.QueryParams, default: int) -> int | None:
    raw = query.get("maxResults")
    if raw is None:
        return default
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= 100 else None


def _slug(name: str) -> str:
    slug = "".join(ch for ch in name.lower().replace(" ", "") if ch.isascii() and ch.isalnum())
    return slug[:20] or "user"


def _etag(seed: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha1(seed.encode()).digest()).decode()[:27]


__all__ = ["QUOTA_EXCEEDED", "YouTubeSim", "google_error", "yt_time"]
