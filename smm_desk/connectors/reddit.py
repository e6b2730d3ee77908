"""Reddit: the inbox (comment replies, username mentions, private messages) in,
``/api/comment`` out (Reddit Data API over OAuth).

Facts: /work/shared/networks/reddit.md (reddit-archive OAuth2 wiki, r/redditdev
and r/modnews admin posts, praw/prawcore source). Every call goes to
``https://oauth.reddit.com`` with ``Authorization: bearer <token>`` and a
descriptive ``User-Agent`` naming the account (``desktop:smm-desk:v0.1 (by
/u/<username>)``) — generic agents get throttled.
Parsers and the walk's cursor live in :mod:`smm_desk.connectors.reddit_parse`.

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
    first, paged back with ``after=<fullname>``; ``before=`` is not used: it
    returns nothing once the named item is deleted. The cursor is ours, JSON
    ``{"seen": [newest fullnames read], "t": newest created_utc, "walk": {…}}``.
    The first run takes the newest page only ("start from now"); a first run
    that finds nothing still stores a cursor, so everything listed later is new.
    Afterwards each poll walks back from the top until it meets a fullname
    read before (``walk.stop``: the ``seen`` of when the walk began), or a page
    entirely older than ``walk.t`` less 10 minutes (so deleted seen items do
    not make it read the whole inbox). A walk reads up to 10 pages per fetch
    and is kept in the cursor (``walk.after``) with its own stop marks while
    ``seen``/``t`` already name the new top, so a long burst goes on in the next
    fetch (``more``) and nothing below the marks is skipped, however many items
    arrive meanwhile. When the ``after`` item vanishes (deleted), the walk
    starts again from the top with the same stop marks.

    **Reddit's own limit**: every listing holds only the newest ~1,000 items
    ("the precompute limit is hardcoded to 1000 items", r/redditdev wiki
    https://www.reddit.com/r/redditdev/wiki/api/faq). When the inbox walk
    reaches the listing's end without meeting its marks (a gap over 1,000, a
    burst pushing the listing down while it is paged, or the first walk after
    an empty first run), it goes on through the per-kind inbox listings with
    the same marks, each with its own 1,000: ``/message/messages``
    (private messages), ``/message/comments`` (comment replies),
    ``/message/selfreply`` (post replies), ``/message/mentions``. More than
    1,000 new items *of one kind* between two polls cannot be read at all; the
    account's status note then says so (:meth:`RedditConnector.status_note`).
``own``
    ``GET /user/<username>/comments?sort=new`` — the brand's comments, same
    walk (and the same 1,000-item limit, with no per-kind listings to go on). A comment answering a customer's comment comes back OUTBOUND in that
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
from smm_desk.connectors.errors import AuthError, BadPayload, PermanentError, RateLimited
from smm_desk.connectors.http import DEFAULT_RATE_LIMIT_WAIT, decode_json, parse_retry_after
from smm_desk.connectors.oauth import OAuthProvider, TokenKeeper
from smm_desk.connectors.reddit_parse import (
    _FULLNAME,
    _USER,
    INBOX_PARTS,
    LISTING_CAP,
    LISTINGS,
    MARGIN,
    MAX_RESTARTS,
    MAX_WAIT,
    MIN_WAIT,
    PAGE_LIMIT,
    SEEN_KEEP,
    InboxCursor,
    Item,
    Walk,
    _created,
    _Malformed,
    _user,
    children,
    comparable,
    inbox_item,
    own_item,
    own_message,
    ratelimit_wait,
)
from smm_desk.domain.records import IncomingMessage

#: Pages read in one fetch; a longer walk goes on in the next fetch (``more``).
MAX_PAGES = 10

__all__ = ["InboxCursor", "RedditConnector", "Walk", "inbox_item", "own_item",
           "ratelimit_wait", "raise_api_errors"]

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
        #: The listing whose 1,000-item limit a walk ran into (see status_note).
        self._capped = ""
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
        if stream not in self.streams:
            raise ValueError(f"reddit has no stream {stream!r}")
        state = InboxCursor.load(cursor)
        parse = inbox_item if stream == "inbox" else own_item
        seen, newest = list(state.seen), state.newest
        fresh: list[Item] = []
        taken: set[str] = set()
        walk = state.walk
        if state.started and walk is None:
            walk = Walk(stream, stop=state.seen, t=state.newest)
        pages = 0
        while pages < MAX_PAGES:
            pages += 1
            listing = walk.listing if walk is not None else stream
            after = walk.after if walk is not None else None
            items, next_after = await self._page(listing, after)
            parsed = [parse(child) for child in items]
            stop = set(walk.stop) if walk is not None else set()
            reached = False
            new: list[Item] = []
            for item in parsed:
                if item.name and item.name in stop:
                    reached = True
                    break
                key = item.name or (item.bad.raw if item.bad is not None else "")
                if key not in taken:  # listed again by a restart or a per-kind listing
                    new.append(item)
                    taken.add(key)
            if walk is not None and walk.t is not None and not reached and parsed and all(
                    i.created is not None and i.created < walk.t - MARGIN for i in parsed):
                reached, new = True, []  # all older than the mark: its seen items are gone
            fresh += new
            if after is None and listing == stream:  # the top of the listing: the new marks
                names = [i.name for i in new if i.name]
                fresh_names = set(names)
                seen = names + [n for n in seen if n not in fresh_names]
                times = [i.created for i in new if i.created is not None]
                newest = max([*times, *([newest] if newest is not None else [])], default=None)
            if walk is None:  # the first run: the newest page only
                break
            walk.read += len(items)
            if reached:
                walk = self._next_walk(walk)
            elif not items and walk.after is not None:
                # The item we paged after has vanished: from the top again, same marks.
                if walk.restarts >= MAX_RESTARTS:
                    walk = self._next_walk(walk)
                else:
                    walk.after, walk.read, walk.restarts = None, 0, walk.restarts + 1
            elif next_after is None or len(items) < PAGE_LIMIT:  # the end, marks not met
                if walk.listing == "inbox":
                    # Items may have dropped off the end of Reddit's 1,000 (a long gap,
                    # or a burst pushing the listing down while we page it): the
                    # per-kind listings, with the same marks, still list them.
                    walk.queue = INBOX_PARTS
                elif walk.read >= LISTING_CAP:
                    self._capped = LISTINGS[walk.listing] or "the brand's own comments"
                walk = self._next_walk(walk)
            else:
                walk.after = next_after
            if walk is None:
                break
        messages = [i.message for i in fresh if i.message is not None]
        if stream == "own":
            messages = await self._own_messages(fresh)
        done = InboxCursor(tuple(seen[:SEEN_KEEP]), newest, walk, True)
        return FetchResult(
            messages=sorted(reversed(messages), key=lambda m: m.created_at),  # oldest first
            cursor=done.dump(), more=walk is not None,
            quarantined=[i.bad for i in fresh if i.bad is not None])

    @staticmethod
    def _next_walk(walk: Walk) -> Walk | None:
        """The next listing to walk with the same marks, if any."""
        if not walk.queue:
            return None
        return Walk(walk.queue[0], stop=walk.stop, t=walk.t, queue=walk.queue[1:])

    async def _page(self, listing: str, after: str | None) -> tuple[list[Any], str | None]:
        params = {"limit": str(PAGE_LIMIT), "raw_json": "1"}
        if listing == "own":
            url = f"/user/{await self.me()}/comments"
            params["sort"] = "new"
        else:
            url = LISTINGS[listing]
            params["mark"] = "false"
        if after:
            params["after"] = after
        return children(await self._request("GET", url, params=params))

    def status_note(self) -> str:
        if self._capped:
            return (f"Reddit lists only the newest {LISTING_CAP:,} items of {self._capped}: "
                    "if more arrived between two polls, the older ones could not be read")
        return ""

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
