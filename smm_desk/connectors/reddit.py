"""Reddit: the inbox (comment replies, username mentions, private messages) in,
``/api/comment`` out (Reddit Data API over OAuth).

Facts: /work/shared/networks/reddit.md (reddit-archive OAuth2 wiki, r/redditdev
and r/modnews admin posts, praw/prawcore source). Every call goes to
``https://oauth.reddit.com`` with ``Authorization: bearer <token>`` and a
descriptive ``User-Agent`` naming the account (``desktop:smm-desk:v0.1 (by
/u/<username>)``) — generic agents get throttled.

Sign-in
=======

OAuth 2.0 authorization code (:attr:`RedditConnector.oauth`:
``/api/v1/authorize`` with ``duration=permanent``, token endpoint
``/api/v1/access_token`` with HTTP Basic ``client_id:client_secret``; an
installed app's secret is empty). Access tokens last one hour; the
:class:`~smm_desk.connectors.oauth.TokenKeeper` refreshes them 5 minutes early
with the refresh token, and a 401 refreshes once and repeats the call. A pasted
access token without a refresh token works until it expires, then the account
needs sign-in. Scopes: ``identity privatemessages read submit history`` —
``history`` because the own-comments listing, which settles an uncertain send,
needs it. Options: ``username`` (else asked once from ``/api/v1/me``) and
``client_id``.

Streams
=======

``inbox``
    ``GET /message/inbox?limit=100&raw_json=1&mark=false`` (``mark=false``: a
    poll must not mark items read for the person reading reddit.com). Newest
    first; the cursor is ours, JSON ``{"seen": [recent fullnames], "t": newest
    created_utc}``: a poll reads page after page (``after=``) until it meets a
    fullname it has seen, or an item older than ``t`` less 10 minutes (a
    deleted last-seen item must not make it read the whole inbox), up to 10
    pages. The first run takes the newest page only. ``before=`` is not used:
    it returns nothing once the named item is deleted.
``own``
    ``GET /user/<username>/comments?sort=new`` — the brand's comments, same
    walk. A comment answering a customer's comment comes back OUTBOUND in that
    customer's case (the parents' authors come from one ``GET /api/info?id=…``
    per page), so answers written on reddit.com stop the clock.

Threads: a comment reply, post reply or username mention (``t1``) threads as
``comment:<link_id>:<author>`` (the post's fullname, the author's username
lower-cased — Reddit names are case-insensitive); a private message (``t4``)
as ``dm:<author>``, one case per customer however many conversations they
start. ``extra``: ``thing_id`` (the fullname a reply answers), ``author``,
``link_id``/``subreddit`` (comments), ``first_message_name`` (messages).

Replies and idempotency (``Idempotency.LOOKUP``)
================================================

``POST /api/comment`` form ``thing_id=<t1_/t3_/t4_ fullname>&text=…
&api_type=json`` answers comments and private messages alike; the answer is
``{"json": {"errors": [], "data": {"things": [{"kind": "t1"|"t4", "data":
{…}}]}}}``. Reddit takes no idempotency key, so the request is never retried
blindly; an uncertain send is settled by :meth:`RedditConnector.find_delivered`:
our newest comments (``/user/<me>/comments``), or for a message our sent
messages (``/message/sent``), searched for one with the same parent and text.

Errors and rate limits
======================

``X-Ratelimit-Used/-Remaining/-Reset`` (Reset in **seconds** from now;
Remaining may be fractional): when Remaining drops below 1, no request leaves
before the reset. HTTP 429 → RateLimited for ``X-Ratelimit-Reset`` (else
Retry-After, else 60 s). The action limit on posting comes inside a 200:
``json.errors`` ``[["RATELIMIT", "… Take a break for 5 minutes …",
"ratelimit"]]`` → RateLimited with the wait parsed from the words (as PRAW
does); any other ``json.errors`` code (THREAD_LOCKED, DELETED_COMMENT,
TOO_LONG, USER_BLOCKED…) → PermanentError with Reddit's text. Waits are
clamped to 1 s – 1 h.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

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
from smm_desk.connectors.errors import AuthError, BadPayload, PermanentError, RateLimited
from smm_desk.connectors.http import (
    DEFAULT_RATE_LIMIT_WAIT,
    decode_json,
    parse_retry_after,
    utc_from_timestamp,
)
from smm_desk.connectors.oauth import OAuthProvider, TokenKeeper
from smm_desk.domain.enums import Direction
from smm_desk.domain.records import IncomingMessage, MessageKind
from smm_desk.domain.text import clean_text

PAGE_LIMIT = 100
MAX_PAGES = 10
SEEN_KEEP = 300
#: Items this much older than the newest seen one end a walk even if no seen name was met.
MARGIN = 600.0
MIN_WAIT, MAX_WAIT = 1.0, 3600.0
_FULLNAME = re.compile(r"t[1-6]_[a-z0-9]{1,16}")
_USER = re.compile(r"[A-Za-z0-9_-]{1,40}")
_WAIT_WORDS = re.compile(r"(\d+)\s*(hour|minute|min|second|sec)", re.IGNORECASE)


class _Malformed(ValueError):
    """An item that cannot become a message; the text is the quarantine reason."""


def _quarantine(item: Any, reason: str) -> Quarantined:
    try:
        raw = json.dumps(item, ensure_ascii=True)
    except (TypeError, ValueError):
        raw = repr(item)
    return Quarantined(raw=raw[:100_000], reason=reason)


def _fullname(value: Any, what: str) -> str:
    if isinstance(value, str) and _FULLNAME.fullmatch(value):
        return value
    raise _Malformed(f"{what} is missing or not a fullname")


def _user(value: Any) -> str:
    if isinstance(value, str) and _USER.fullmatch(value) and value != "[deleted]":
        return value
    raise _Malformed("author is missing or deleted")


def ratelimit_wait(message: str) -> float:
    """Seconds named by a RATELIMIT error ("Take a break for 5 minutes…")."""
    total = 0.0
    for number, unit in _WAIT_WORDS.findall(message):
        scale = {"h": 3600, "m": 60, "s": 1}[unit[0].lower()]
        total += int(number[:6]) * scale
    return min(MAX_WAIT, max(MIN_WAIT, total or DEFAULT_RATE_LIMIT_WAIT))


@dataclass(frozen=True)
class Item:
    """One child of a Listing: its fullname, time and what it became."""

    name: str
    created: float | None
    message: IncomingMessage | None = None
    bad: Quarantined | None = None
    #: Own comments: the fullname they answer (for the parents' authors).
    parent: str | None = None
    data: Mapping[str, Any] | None = None


def _created(data: Mapping[str, Any]) -> tuple[float, datetime]:
    value = data.get("created_utc")
    try:
        return float(value), utc_from_timestamp(value)  # type: ignore[arg-type]
    except (ValueError, OverflowError, OSError, TypeError):
        raise _Malformed("created_utc is missing or not a unix time") from None


def children(body: Any) -> tuple[list[Any], str | None]:
    """A Listing's children and its ``after``; BadPayload when it is no Listing."""
    data = body.get("data") if isinstance(body, dict) and body.get("kind") == "Listing" else None
    items = data.get("children") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise BadPayload("the answer is not a Listing")
    after = data.get("after") if isinstance(data, dict) else None
    return items, after if isinstance(after, str) and _FULLNAME.fullmatch(after) else None


def inbox_item(child: Any) -> Item:
    """An inbox child (t1 comment reply/mention, t4 private message)."""
    data = child.get("data") if isinstance(child, dict) else None
    if not isinstance(data, dict):
        return Item("", None, bad=_quarantine(child, "inbox item has no data"))
    raw_name = data.get("name")
    try:
        name = _fullname(raw_name, "name")
        created, at = _created(data)
    except _Malformed as exc:
        return Item(raw_name[:40] if isinstance(raw_name, str) else "", None,
                    bad=_quarantine(child, f"inbox item skipped: {exc}"))
    try:
        author = _user(data.get("author"))
        key = author.lower()
        body = data.get("body")
        text = body if isinstance(body, str) else ""
        kind = child.get("kind")
        if kind == "t1":
            link = _fullname(data.get("link_id"), "link_id")
            parent = data.get("parent_id")
            sub = data.get("subreddit")
            extra = {"thing_id": name, "author": author, "link_id": link,
                     "subreddit": sub if isinstance(sub, str) and _USER.fullmatch(sub) else ""}
            context = data.get("context")
            message = IncomingMessage(
                external_id=name, thread_key=f"comment:{link}:{key}",
                direction=Direction.INBOUND,
                kind=MessageKind.MENTION if data.get("type") == "username_mention"
                else MessageKind.COMMENT,
                text=clean_text(text), created_at=at, author_id=key, author_name=author,
                parent_external_id=parent if isinstance(parent, str)
                and _FULLNAME.fullmatch(parent) else None,
                post_external_id=link,
                permalink="https://www.reddit.com" + context if isinstance(context, str)
                and context.startswith("/") and len(context) < 2000 else None, extra=extra)
        elif kind == "t4":
            first = data.get("first_message_name")
            first = first if isinstance(first, str) and _FULLNAME.fullmatch(first) else ""
            subject = data.get("subject")
            if not first and isinstance(subject, str) and subject.strip():
                text = f"{subject.strip()}\n{text}"
            message = IncomingMessage(
                external_id=name, thread_key=f"dm:{key}", direction=Direction.INBOUND,
                kind=MessageKind.DM, text=clean_text(text), created_at=at, author_id=key,
                author_name=author, extra={"thing_id": name, "author": author,
                                           "first_message_name": first or name})
        else:
            raise _Malformed(f"unknown kind {str(kind)[:20]!r}")
    except (_Malformed, ValueError) as exc:
        return Item(name, created, bad=_quarantine(child, f"inbox item skipped: {exc}"))
    return Item(name, created, message)


def own_item(child: Any) -> Item:
    """One of the brand's comments: its message is built once the parent's author is known."""
    data = child.get("data") if isinstance(child, dict) else None
    if not isinstance(data, dict) or child.get("kind") != "t1":
        return Item("", None, bad=_quarantine(child, "own comment is not a t1"))
    raw_name = data.get("name")
    try:
        name = _fullname(raw_name, "name")
        created, _ = _created(data)
        parent = _fullname(data.get("parent_id"), "parent_id")
        _fullname(data.get("link_id"), "link_id")
    except _Malformed as exc:
        return Item(raw_name[:40] if isinstance(raw_name, str) else "", None,
                    bad=_quarantine(child, f"own comment skipped: {exc}"))
    return Item(name, created, parent=parent, data=data)


def own_message(item: Item, parent_author: str | None, me: str) -> IncomingMessage | None:
    """The brand's comment as OUTBOUND in the case of the customer it answers."""
    if item.data is None or parent_author is None or parent_author.lower() == me.lower():
        return None
    data = item.data
    link = str(data["link_id"])
    body = data.get("body")
    permalink = data.get("permalink")
    return IncomingMessage(
        external_id=item.name, thread_key=f"comment:{link}:{parent_author.lower()}",
        direction=Direction.OUTBOUND, kind=MessageKind.REPLY,
        text=clean_text(body if isinstance(body, str) else ""),
        created_at=utc_from_timestamp(item.created), author_id=me.lower(), author_name=me,
        parent_external_id=item.parent, post_external_id=link,
        permalink="https://www.reddit.com" + permalink if isinstance(permalink, str)
        and permalink.startswith("/") and len(permalink) < 2000 else None,
        extra={"thing_id": item.name, "author": parent_author, "link_id": link})


@dataclass
class InboxCursor:
    seen: tuple[str, ...] = ()
    newest: float | None = None

    @classmethod
    def load(cls, raw: str | None) -> InboxCursor:
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        seen = data.get("seen")
        newest = data.get("t")
        return cls(tuple(s for s in seen if isinstance(s, str)) if isinstance(seen, list)
                   else (), float(newest) if isinstance(newest, int | float)
                   and not isinstance(newest, bool) else None)

    def dump(self) -> str:
        return json.dumps({"seen": list(self.seen[:SEEN_KEEP]), "t": self.newest},
                          separators=(",", ":"))


def comparable(text: str) -> str:
    return " ".join(clean_text(text).split()).casefold()


@register
class RedditConnector(Connector):
    network = "reddit"
    default_base_url = "https://oauth.reddit.com"
    idempotency = Idempotency.LOOKUP
    streams = ("inbox", "own")
    options_help = {
        "username": "the Reddit account's username (without u/): User-Agent and own comments",
        "client_id": "the id of the Reddit app (reddit.com/prefs/apps) used to sign in",
    }
    oauth = OAuthProvider(
        authorize_url="https://www.reddit.com/api/v1/authorize",
        token_url="https://www.reddit.com/api/v1/access_token",
        scopes=("identity", "privatemessages", "read", "submit", "history"),
        client_auth="basic", authorize_params={"duration": "permanent"},
        console_url="https://www.reddit.com/prefs/apps")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = self.account.options
        self._me: str | None = options.get("username") or None
        self._blocked_until: datetime | None = None
        provider = self.oauth.at(self.account.base_url) if self.oauth else None
        self.keeper = TokenKeeper(self.http, self.credentials, provider,
                                  options.get("client_id", ""), self.clock)
        self._agent()

    def _agent(self) -> None:
        who = f" (by /u/{self._me})" if self._me else ""
        self.http.set_header("User-Agent", f"desktop:smm-desk:v0.1{who}")

    # -- HTTP ---------------------------------------------------------------------

    def _check(self, response: httpx.Response) -> None:
        now = self.clock()
        reset = _seconds(response.headers.get("X-Ratelimit-Reset"))
        remaining = _seconds(response.headers.get("X-Ratelimit-Remaining"))
        if response.status_code == 429:
            wait = reset if reset is not None else parse_retry_after(
                response.headers.get("Retry-After"), now.timestamp())
            wait = min(MAX_WAIT, max(MIN_WAIT, wait if wait is not None
                                     else DEFAULT_RATE_LIMIT_WAIT))
            self._blocked_until = now + timedelta(seconds=wait)
            raise RateLimited(f"{response.request.url.path}: rate limited, retry in {wait:.0f} s",
                              wait, network_message="429 Too Many Requests", status=429)
        if remaining is not None:
            if remaining < 1 and reset is not None and reset > 0:
                self._blocked_until = now + timedelta(seconds=min(MAX_WAIT, reset))
            elif remaining >= 1:
                self._blocked_until = None

    async def _request(self, method: str, url: str, *, retry_safe: bool = True,
                       params: Any = None, data: Any = None) -> Any:
        if self._blocked_until is not None:
            left = (self._blocked_until - self.clock()).total_seconds()
            if left > 0:
                raise RateLimited(f"{method} {url}: rate limit used up, retry in {left:.0f} s",
                                  max(MIN_WAIT, left),
                                  network_message="X-Ratelimit-Remaining: 0")
            self._blocked_until = None
        await self.keeper.token()
        try:
            response = await self.http.request(method, url, retry_safe=retry_safe,
                                               check=self._check, params=params, data=data)
        except AuthError as exc:
            if exc.status != 401 or not self.keeper.can_refresh():
                raise
            await self.keeper.refresh()  # revoked early or expired in flight: once more
            await self.keeper.token()
            response = await self.http.request(method, url, retry_safe=retry_safe,
                                               check=self._check, params=params, data=data)
        return decode_json(response, self.redact)

    async def me(self) -> str:
        if self._me is None:
            body = await self._request("GET", "/api/v1/me", params={"raw_json": "1"})
            name = body.get("name") if isinstance(body, dict) else None
            if not (isinstance(name, str) and _USER.fullmatch(name)):
                raise BadPayload("GET /api/v1/me: the answer has no name")
            self._me = name
            self._agent()
        return self._me

    # -- fetch --------------------------------------------------------------------

    async def fetch(self, stream: str, cursor: str | None, *, wait: float) -> FetchResult:
        del wait  # no long poll on Reddit: the engine's idle interval paces us
        if stream == "inbox":
            url = "/message/inbox"
        elif stream == "own":
            url = f"/user/{await self.me()}/comments"
        else:
            raise ValueError(f"reddit has no stream {stream!r}")
        state = InboxCursor.load(cursor)
        known = set(state.seen)
        fresh: list[Item] = []
        after: str | None = None
        newest = state.newest
        for _ in range(MAX_PAGES if cursor else 1):
            params = {"limit": str(PAGE_LIMIT), "raw_json": "1"}
            params.update({"mark": "false"} if stream == "inbox" else {"sort": "new"})
            if after:
                params["after"] = after
            items, after = children(await self._request("GET", url, params=params))
            reached = False
            for child in items:
                item = inbox_item(child) if stream == "inbox" else own_item(child)
                if item.name and item.name in known:
                    reached = True
                    break
                if item.created is not None:
                    if state.newest is not None and item.created < state.newest - MARGIN:
                        reached = True
                        break
                    newest = max(newest or item.created, item.created)
                if item.name:
                    known.add(item.name)
                fresh.append(item)
            if reached or after is None or len(items) < PAGE_LIMIT:
                break
        messages = [i.message for i in fresh if i.message is not None]
        if stream == "own":
            messages = await self._own_messages(fresh)
        seen = [i.name for i in fresh if i.name] + list(state.seen)
        return FetchResult(
            messages=sorted(reversed(messages), key=lambda m: m.created_at),  # oldest first
            cursor=InboxCursor(tuple(seen[:SEEN_KEEP]), newest).dump(),
            quarantined=[i.bad for i in fresh if i.bad is not None])

    async def _own_messages(self, items: list[Item]) -> list[IncomingMessage]:
        parents = sorted({i.parent for i in items if i.parent and i.parent.startswith("t1_")})
        authors: dict[str, str] = {}
        for start in range(0, len(parents), 100):
            body = await self._request("GET", "/api/info", params={
                "id": ",".join(parents[start:start + 100]), "raw_json": "1"})
            found, _ = children(body)
            for child in found:
                data = child.get("data") if isinstance(child, dict) else None
                if isinstance(data, dict) and isinstance(data.get("name"), str):
                    try:
                        authors[data["name"]] = _user(data.get("author"))
                    except _Malformed:
                        continue
        me = await self.me()
        out = []
        for item in items:
            message = own_message(item, authors.get(item.parent or ""), me)
            if message is not None:
                out.append(message)
        return out

    # -- send ---------------------------------------------------------------------

    def _thing(self, reply: OutgoingReply) -> str:
        thing = reply.target.extra.get("thing_id") or reply.target.external_id or ""
        if not _FULLNAME.fullmatch(thing) or thing[:3] not in ("t1_", "t3_", "t4_"):
            raise PermanentError("cannot reply: the answered Reddit comment or message "
                                 "is unknown")
        return thing

    async def send(self, reply: OutgoingReply) -> Delivery:
        thing = self._thing(reply)
        text = reply.text.strip()
        if not text:
            raise PermanentError("cannot send an empty reply")
        body = await self._request("POST", "/api/comment", retry_safe=False,
                                   data={"thing_id": thing, "text": text, "api_type": "json"})
        outer = body.get("json") if isinstance(body, dict) else None
        if not isinstance(outer, dict):
            raise BadPayload("POST /api/comment: the answer has no json object")
        raise_api_errors(outer.get("errors"))
        data = outer.get("data")
        things = data.get("things") if isinstance(data, dict) else None
        first = things[0] if isinstance(things, list) and things else None
        created = first.get("data") if isinstance(first, dict) else None
        if not isinstance(created, dict) or not isinstance(created.get("name"), str) \
                or not _FULLNAME.fullmatch(created["name"]):
            # Reddit may post and return nothing (quarantined subreddits): settle by look-up.
            raise BadPayload("POST /api/comment: the answer names no new comment")
        try:
            at = _created(created)[1]
        except _Malformed:
            at = self.clock()
        return Delivery(external_id=created["name"], delivered_at=at)

    async def find_delivered(self, reply: OutgoingReply) -> Delivery | None:
        """Our comment (or sent message) answering the same thing with the same text."""
        thing = self._thing(reply)
        url = "/message/sent" if thing.startswith("t4_") else f"/user/{await self.me()}/comments"
        body = await self._request("GET", url, params={"limit": "100", "raw_json": "1"})
        items, _ = children(body)
        wanted = comparable(reply.text)
        for child in items:
            data = child.get("data") if isinstance(child, dict) else None
            if not isinstance(data, dict) or data.get("parent_id") != thing:
                continue
            text = data.get("body")
            name = data.get("name")
            if isinstance(text, str) and comparable(text) == wanted and isinstance(name, str) \
                    and _FULLNAME.fullmatch(name):
                try:
                    at = _created(data)[1]
                except _Malformed:
                    at = self.clock()
                return Delivery(external_id=name, delivered_at=at)
        return None


def raise_api_errors(errors: Any) -> None:
    """``json.errors`` of an ``api_type=json`` answer → the project's errors."""
    if not isinstance(errors, list) or not errors:
        return
    first = errors[0]
    parts = [str(p)[:300] for p in first] if isinstance(first, list) else [str(first)[:300]]
    code = parts[0] if parts else "ERROR"
    said = parts[1] if len(parts) > 1 else code
    if code == "RATELIMIT":
        wait = ratelimit_wait(said)
        raise RateLimited(f"POST /api/comment: RATELIMIT, retry in {wait:.0f} s", wait,
                          network_message=said)
    raise PermanentError(f"POST /api/comment: {code}: {said}", network_message=said)


def _seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if 0 <= number < 1e9 else None
