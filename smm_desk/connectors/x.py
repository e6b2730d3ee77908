"""X (Twitter) API v2: mentions, direct messages and the brand's own posts in,
replies and DMs out.

Wire facts (docs.x.com, openapi 2.167; /work/shared/networks/x.md):

Auth
    OAuth 2.0 Authorization Code with PKCE, a *user* token of the brand
    account (app-only Bearer cannot read DMs or post). Scopes ``tweet.read
    tweet.write users.read dm.read dm.write offline.access``; access tokens
    live 2 hours, ``offline.access`` brings a refresh token that rotates on
    every use (https://docs.x.com/fundamentals/authentication/oauth-2-0/
    authorization-code). :class:`~smm_desk.connectors.oauth.TokenKeeper`
    refreshes 5 minutes before expiry and stores the new pair first; a 401 on
    an API call refreshes once and repeats the call. Account options:
    ``user_id`` (the brand's numeric id, ``GET /2/users/me``) and
    ``client_id`` (the app's OAuth client id, needed to refresh).

Streams
    ``mentions`` — ``GET /2/users/:id/mentions`` (https://docs.x.com/x-api/
    users/get-users-mentions), newest first, ``max_results=100``. A walk
    keeps ``since_id`` fixed, pages down with ``until_id`` = the oldest id read
    so far (documented beside ``since_id``; unlike ``pagination_token`` it
    never expires, so a walk may span passes) while ``meta.next_token`` says
    there is more, and only at its end moves ``since_id`` to the
    ``meta.newest_id`` of its *first* page (https://docs.x.com/x-api/
    fundamentals/pagination). A pass reads :data:`MAX_PAGES` pages at most;
    the walk goes on in the next pass from the stored cursor, JSON
    ``{"since_id", "newest", "until"}`` (the last two only mid-walk). The very
    first poll (no cursor) takes the newest page only: older mentions are
    history; if it finds nothing it stores ``since_id`` "0" ("from now":
    everything later is new), so a later poll is never a first poll again.
    Ids are snowflakes and are compared as integers.
    ``dms`` — ``GET /2/dm_events`` (https://docs.x.com/x-api/direct-messages/
    lookup/integrate): newest first and no ``since_id``, so a walk pages
    (``pagination_token``) until it reaches the last event id already seen,
    :data:`MAX_DM_PAGES` pages a pass, the rest in later passes (cursor
    ``{"last", "newest", "low", "token"}``; ``low`` is the oldest id read, so
    a refused token restarts the walk from the top without re-reading). An
    empty first poll stores ``last`` "0". The read limit is 15 requests / 15
    minutes per user, so DMs are polled at most once a minute: the time of the
    last DM pass is kept in the connector (a pass that comes too early returns
    nothing and spends no request). It is not in the cursor on purpose — a
    ``sync --once`` from cron is a fresh process per pass, and what bounds it
    is the server's own ``x-rate-limit-*`` answer, honoured below: while the
    DM window is used up, DM passes return nothing (the account's other
    streams go on).
    ``own`` — ``GET /2/users/:id/tweets``: the brand's answers written in X's
    own app come in OUTBOUND so they stop the SLA clock (same cursor rules as
    ``mentions``). The brand's own DMs come OUTBOUND on ``dms``.

Threads
    A post threads as ``comment:<conversation_id>:<author id>`` (the
    conversation id is the root post's id: one case per customer per
    conversation). A DM threads as ``dm:<dm_conversation_id>``. Requested
    with ``expansions=author_id,referenced_tweets.id,referenced_tweets.id.
    author_id,entities.mentions.username,in_reply_to_user_id`` so authors'
    names, the posts a mention answers or quotes, and the brand's username
    arrive in ``includes``.

Who may be answered
    Self-serve X apps may reply only where the post's author *summoned* the
    account: @mentioned it (a reply to the brand's post carries the mention)
    or quoted one of its posts (https://docs.x.com/x-api/posts/manage-tweets/
    introduction). Such posts are MENTION messages with ``extra["summoned"]
    = "1"``. A third party's post that a mention answers or quotes ("@brand
    look at this" under someone's complaint) is ingested too, as a COMMENT
    with ``summoned = "0"``: the agent sees the complaint, and the case says
    why it cannot be answered on X (:meth:`XConnector.reply_window`);
    :meth:`XConnector.send` refuses such a target without any request.

Replies
    ``POST /2/tweets`` JSON ``{"text", "reply": {"in_reply_to_tweet_id"}}`` →
    ``201 {"data": {"id", "text"}}``; X adds the leading @mention itself.
    DMs: ``POST /2/dm_conversations/with/:participant_id/messages`` JSON
    ``{"text"}`` → ``201 {"data": {"dm_conversation_id", "dm_event_id"}}``
    (group conversations: ``POST /2/dm_conversations/:id/messages``).
    There is no idempotency key (``Idempotency.LOOKUP``): writes are never
    retried blindly, and an unknown outcome is settled by
    :meth:`XConnector.find_delivered`, which looks through the brand's recent
    posts (a reply to the same post with the same words) or the DM
    conversation's events (our event with the same words).

Rate limits and errors
    Every answer carries ``x-rate-limit-limit/-remaining/-reset`` (reset in
    epoch seconds) per endpoint (https://docs.x.com/x-api/fundamentals/
    rate-limits). A 429 waits until the reset; an answer with ``remaining:
    0`` makes the next call to that endpoint raise ``RateLimited`` before any
    request. Errors are RFC 7807 problems (``title``, ``detail``, ``type``)
    or the legacy ``{"errors": [{"code", "message"}]}``; a 403 of type
    ``usage-capped`` waits an hour, ``client-forbidden`` /
    ``unsupported-authentication`` is an AuthError (the app or token lacks
    access), any other 403 (the reply restriction) is a PermanentError with
    X's own words.

Payload parsing (posts, DM events, the summoned test) is in
:mod:`smm_desk.connectors.x_parse`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from smm_desk.connectors.base import (
    Connector,
    Delivery,
    FetchResult,
    Idempotency,
    OutgoingReply,
    ReplyWindow,
    register,
)
from smm_desk.connectors.errors import AuthError, BadPayload, PermanentError, RateLimited
from smm_desk.connectors.http import DEFAULT_RATE_LIMIT_WAIT, decode_json
from smm_desk.connectors.oauth import OAuthProvider, TokenKeeper
from smm_desk.connectors.x_parse import (
    DmEvent,
    Tweet,
    comparable,
    dm_message,
    id_key,
    other_participant,
    page_meta,
    parse_dm_page,
    parse_tweet,
    parse_tweet_page,
    summoned,
)
from smm_desk.connectors.x_parse import Malformed as _Malformed
from smm_desk.connectors.x_parse import opt_id as _opt_id
from smm_desk.connectors.x_parse import quarantine as _quarantine
from smm_desk.domain.records import MessageKind

log = logging.getLogger("smm_desk.connectors.x")

PAGE_SIZE = 100
#: Pages one pass reads of a timeline walk (only the 800 newest mentions are reachable).
MAX_PAGES = 8
#: DM reads: 15 requests / 15 minutes per user → one pass a minute, 3 pages at most.
DM_INTERVAL = timedelta(minutes=1)
MAX_DM_PAGES = 3
MIN_WAIT, MAX_WAIT = 1.0, 3600.0
#: The cursor's id for "nothing seen yet, but not the first poll": the first poll of an
#: empty timeline stores it, so everything that comes after it is new.
NO_ID = "0"
#: Posts find_delivered looks through (pages of PAGE_SIZE).
LOOKUP_PAGES = 2

TWEET_FIELDS = ("created_at,author_id,conversation_id,in_reply_to_user_id,"
                "referenced_tweets,entities")
TWEET_EXPANSIONS = ("author_id,referenced_tweets.id,referenced_tweets.id.author_id,"
                    "entities.mentions.username,in_reply_to_user_id")
USER_FIELDS = "username,name"
DM_FIELDS = ("id,text,event_type,created_at,dm_conversation_id,sender_id,participant_ids,"
             "referenced_tweets,attachments")
DM_EXPANSIONS = "sender_id,participant_ids"


def _problem(response: httpx.Response) -> tuple[str, str]:
    """(type, words) of an RFC 7807 problem or a legacy ``errors`` list."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        return "", response.text[:300].strip()
    if not isinstance(body, dict):
        return "", ""
    def text(value: Any) -> str:
        return value[:300] if isinstance(value, str) else ""

    kind = text(body.get("type"))
    if text(body.get("detail")):
        return kind, text(body.get("detail"))
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        words = text(first.get("message")) or text(first.get("detail")) or text(
            first.get("title"))
        if words:
            return kind or text(first.get("type")), words
    for key in ("title", "error_description", "error"):
        if text(body.get(key)):
            return kind, text(body.get(key))
    return kind, ""


def _load(cursor: str | None) -> dict[str, Any]:
    if not cursor:
        return {}
    if cursor.isdigit():
        return {"since_id": cursor, "last": cursor}
    try:
        value = json.loads(cursor)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _dump(state: Mapping[str, Any]) -> str:
    return json.dumps({k: v for k, v in state.items() if v is not None}, sort_keys=True)


@register
class XConnector(Connector):
    network = "x"
    default_base_url = "https://api.x.com"
    idempotency = Idempotency.LOOKUP
    streams = ("mentions", "dms", "own")
    options_help = {
        "user_id": "the brand account's numeric X user id (GET /2/users/me)",
        "client_id": "the X app's OAuth 2.0 client id (to refresh the 2-hour token)",
    }
    oauth = OAuthProvider(
        authorize_url="https://x.com/i/oauth2/authorize",
        token_url="https://api.x.com/2/oauth2/token",
        scopes=("tweet.read", "tweet.write", "users.read", "dm.read", "dm.write",
                "offline.access"),
        client_auth="body",
        console_url="https://developer.x.com/en/portal/dashboard",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user_id = str(self.account.options.get("user_id", "")).strip()
        self.handle = self.account.name.strip().lstrip("@")
        self.keeper = TokenKeeper(self.http, self.credentials,
                                  self.oauth.at(self.account.base_url) if self.oauth else None,
                                  str(self.account.options.get("client_id", "")), self.clock)
        #: endpoint bucket -> when its window resets, while remaining is 0.
        self._blocked: dict[str, datetime] = {}
        self._dm_polled_at: datetime | None = None
        #: stream -> pages read in the pass under way (0: the next fetch starts a pass).
        self._pages: dict[str, int] = {}

    def auth_headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def _brand(self) -> str:
        if not self.user_id.isdigit():
            raise PermanentError("the X account needs --option user_id=<numeric user id>")
        return self.user_id

    # -- HTTP ---------------------------------------------------------------------------

    def _check(self, bucket: str, response: httpx.Response) -> None:
        now = self.clock()
        reset_raw = response.headers.get("x-rate-limit-reset", "").strip()
        remaining = response.headers.get("x-rate-limit-remaining", "").strip()
        reset = (datetime.fromtimestamp(int(reset_raw), UTC)
                 if reset_raw.isdigit() and len(reset_raw) < 12 else None)
        status = response.status_code
        kind, said = _problem(response)
        where = f"{response.request.method} {response.request.url.path}"
        if status == 429:
            wait = (reset - now).total_seconds() if reset else DEFAULT_RATE_LIMIT_WAIT
            wait = min(MAX_WAIT, max(MIN_WAIT, wait))
            self._blocked[bucket] = now + timedelta(seconds=wait)
            raise RateLimited(f"{where}: rate limited, retry in {wait:.0f} s", wait,
                              network_message=said or "Too Many Requests", status=429)
        if remaining.isdigit():
            if int(remaining) == 0 and reset is not None and reset > now:
                self._blocked[bucket] = min(reset, now + timedelta(seconds=MAX_WAIT))
            else:
                self._blocked.pop(bucket, None)
        if status == 401:
            raise AuthError(f"{where}: not authorized: {said}", network_message=said,
                            status=401)
        if status == 403:
            if kind.endswith("usage-capped"):
                raise RateLimited(f"{where}: usage cap reached: {said}", MAX_WAIT,
                                  network_message=said, status=403)
            if kind.endswith(("client-forbidden", "unsupported-authentication")):
                raise AuthError(f"{where}: forbidden: {said}", network_message=said,
                                status=403)
            raise PermanentError(f"{where}: refused: {said}", network_message=said, status=403)
        if 400 <= status < 500 and status not in (408, 425):
            raise PermanentError(f"{where}: refused ({status}): {said}", network_message=said,
                                 status=status)

    async def _call(self, method: str, url: str, bucket: str, *, retry_safe: bool,
                    **kwargs: Any) -> Any:
        blocked = self._blocked.get(bucket)
        if blocked is not None:
            left = (blocked - self.clock()).total_seconds()
            if left > 0:
                raise RateLimited(f"{method} {url}: rate limit used up, retry in {left:.0f} s",
                                  max(MIN_WAIT, left), network_message="x-rate-limit-remaining: 0")
            del self._blocked[bucket]
        for attempt in (1, 2):
            await self.keeper.token()
            try:
                response = await self.http.request(
                    method, url, retry_safe=retry_safe,
                    check=lambda r: self._check(bucket, r), **kwargs)
            except AuthError as exc:
                # An expired token is refused before anything happens: refresh, ask again.
                if attempt == 1 and exc.status == 401 and self.keeper.can_refresh():
                    await self.keeper.refresh()
                    continue
                raise
            return decode_json(response, self.redact)
        raise AssertionError("unreachable")

    # -- fetch ---------------------------------------------------------------------------

    async def fetch(self, stream: str, cursor: str | None, *, wait: float) -> FetchResult:
        del wait  # no long poll: the engine's idle interval paces the timelines
        if stream in ("mentions", "own"):
            return await self._fetch_timeline(stream, cursor)
        if stream == "dms":
            return await self._fetch_dms(cursor)
        raise ValueError(f"x has no stream {stream!r}")

    async def _fetch_timeline(self, stream: str, cursor: str | None) -> FetchResult:
        brand = self._brand()
        state = _load(cursor)
        since = _opt_id(state.get("since_id"))  # None only before the very first poll
        until = _opt_id(state.get("until"))
        token = state.get("token") if isinstance(state.get("token"), str) else None
        walking = since is not None and (until is not None or token is not None)
        params: dict[str, str] = {"max_results": str(PAGE_SIZE), "tweet.fields": TWEET_FIELDS,
                                  "expansions": TWEET_EXPANSIONS, "user.fields": USER_FIELDS}
        if since and since != NO_ID:
            params["since_id"] = since
        if walking and token:
            params["pagination_token"] = token  # after a page with no readable id
        elif walking and until:
            params["until_id"] = until
        if stream == "own":
            params["exclude"] = "retweets"
        path = "mentions" if stream == "mentions" else "tweets"
        body = await self._call("GET", f"/2/users/{brand}/{path}", f"GET {path}",
                                retry_safe=True, params=params)
        page = parse_tweet_page(body, stream, brand, self.handle)
        if page.brand_name and page.brand_name != self.handle:
            self.handle = page.brand_name
        newest = _opt_id(state.get("newest")) if walking else page.newest_id
        pages = self._pages.pop(stream, 0) + 1
        if since is None or not page.next_token:
            # The walk is over (or this was the first poll, which takes the newest page
            # only): the next pass starts above the newest post it saw — or, where it saw
            # nothing at all, from the beginning of what comes next ("0").
            best = max((i for i in (newest, since) if i), key=id_key, default=NO_ID)
            return FetchResult(page.messages, _dump({"since_id": best}), page.quarantined)
        lowest = min((i for i in (page.oldest_id, until) if i), key=id_key, default=None)
        new_state = {"since_id": since, "newest": newest, "until": lowest,
                     "token": None if page.oldest_id else page.next_token}
        # A pass reads MAX_PAGES pages at most; the walk then goes on in the next pass
        # from the same cursor (until_id never expires), skipping nothing.
        more = pages < MAX_PAGES
        if more:
            self._pages[stream] = pages
        return FetchResult(page.messages, _dump(new_state), page.quarantined, more=more)

    async def _fetch_dms(self, cursor: str | None) -> FetchResult:
        brand = self._brand()
        state = _load(cursor)
        last = _opt_id(state.get("last"))  # None only before the very first poll
        newest = _opt_id(state.get("newest"))  # set while a walk is under way
        low = _opt_id(state.get("low"))
        token = state.get("token") if isinstance(state.get("token"), str) else None
        walking = last is not None and newest is not None
        now = self.clock()
        pages = self._pages.pop("dms", 0)
        if pages == 0:  # a new pass
            if self._dm_polled_at is not None and now - self._dm_polled_at < DM_INTERVAL:
                return FetchResult([], None)  # 15 reads / 15 min: not yet
            self._dm_polled_at = now
        blocked = self._blocked.get("GET dm_events")
        if blocked is not None and blocked > now:
            # The 15-minute read window is used up: DMs wait for it (and this pass ends)
            # without pausing the account's other streams.
            return FetchResult([], None)
        params = {"event_types": "MessageCreate", "dm_event.fields": DM_FIELDS,
                  "expansions": DM_EXPANSIONS, "user.fields": USER_FIELDS,
                  "max_results": str(PAGE_SIZE)}
        if walking and token:
            params["pagination_token"] = token
        try:
            body = await self._call("GET", "/2/dm_events", "GET dm_events", retry_safe=True,
                                    params=params)
        except PermanentError as exc:
            if not (walking and token and exc.status == 400):
                raise
            # The stored pagination token is no longer accepted: walk again from the
            # top, skipping what this walk already read (ids >= low, or above newest:
            # those come with the next walk).
            log.info("x: DM pagination token refused (%s); walking again from the top", exc)
            del params["pagination_token"]
            body = await self._call("GET", "/2/dm_events", "GET dm_events", retry_safe=True,
                                    params=params)
        page = parse_dm_page(body)
        if not walking:
            newest = max(page.ids, key=id_key) if page.ids else None

        def fresh(event_id: str) -> bool:
            key = id_key(event_id)
            return (last is None or key > id_key(last)) and (low is None or key < id_key(low))

        reached = last is not None and any(id_key(i) <= id_key(last) for i in page.ids)
        messages = []
        bad = list(page.quarantined)
        for event in reversed(page.events):  # oldest first
            if not fresh(event.id):
                continue
            try:
                messages.append(dm_message(event, brand, page.users))
            except ValueError as exc:
                bad.append(_quarantine({"id": event.id}, f"DM event skipped: {exc}"))
        below = [i for i in page.ids if low is None or id_key(i) < id_key(low)]
        if below:
            low = min(below, key=id_key)
        pages += 1
        if last is not None and not reached and page.next_token:
            # More to read down to ``last``: on in this pass, or (past MAX_DM_PAGES) from
            # the same cursor in the next one — never by moving ``last`` past unread events.
            more = pages < MAX_DM_PAGES
            if more:
                self._pages["dms"] = pages
            new_state = {"last": last, "newest": newest, "low": low, "token": page.next_token}
            return FetchResult(messages, _dump(new_state), bad, more=more)
        best = max((i for i in (newest, last) if i), key=id_key, default=NO_ID)
        return FetchResult(messages, _dump({"last": best}), bad)

    # -- send ----------------------------------------------------------------------------

    def refusal(self, extra: Mapping[str, str], case_kind: str) -> str | None:
        """Why a public reply to this target would break X's rule, if it would."""
        flag = extra.get("summoned")
        if flag == "1" or (flag is None and case_kind != MessageKind.COMMENT.value):
            return None
        return (f"X only lets us reply where the author mentioned @{self.handle} or quoted "
                "one of our posts, and this customer did not: a public reply would be "
                "refused. Answer by DM if they accept messages, or wait until they mention us.")

    def reply_window(self, case_kind: str, last_inbound_at: datetime | None,
                     now: datetime) -> ReplyWindow:
        del last_inbound_at, now
        if case_kind == MessageKind.COMMENT.value:
            return ReplyWindow(open=False, note=self.refusal({"summoned": "0"}, case_kind) or "")
        if case_kind == MessageKind.DM.value:
            return ReplyWindow(open=True, note="Open while the customer accepts our DMs.")
        return ReplyWindow(open=True)

    def _dm_route(self, reply: OutgoingReply) -> tuple[str, str]:
        extra = reply.target.extra
        conversation = str(extra.get("dm_conversation_id") or reply.target.thread_key[3:])
        participant = extra.get("participant_id") or other_participant(conversation,
                                                                        self._brand())
        if participant and participant.isdigit():
            return conversation, f"/2/dm_conversations/with/{participant}/messages"
        if conversation and conversation.replace("-", "").isalnum():
            return conversation, f"/2/dm_conversations/{conversation}/messages"
        raise PermanentError("cannot reply: the X DM conversation is unknown")

    def _tweet_target(self, reply: OutgoingReply) -> str:
        target = reply.target
        why = self.refusal(target.extra, target.case_kind)
        if why is not None:
            raise PermanentError(why, network_message=why)
        tweet_id = target.extra.get("tweet_id") or target.external_id or ""
        if not tweet_id.isdigit():
            raise PermanentError("cannot reply: the answered X post is unknown")
        return tweet_id

    async def send(self, reply: OutgoingReply) -> Delivery:
        text = reply.text.strip()
        if not text:
            raise PermanentError("cannot send an empty reply")
        if reply.target.thread_key.startswith("dm:"):
            _, url = self._dm_route(reply)
            body = await self._call("POST", url, "POST dm", retry_safe=False,
                                    json_body={"text": text})
            data = body.get("data") if isinstance(body, dict) else None
            event_id = _opt_id(data.get("dm_event_id")) if isinstance(data, dict) else None
            if event_id is None:
                raise BadPayload(f"POST {url}: answer has no dm_event_id")
            return Delivery(event_id, self.clock(), raw=data or {})
        tweet_id = self._tweet_target(reply)
        body = await self._call("POST", "/2/tweets", "POST tweets", retry_safe=False,
                                json_body={"text": text,
                                           "reply": {"in_reply_to_tweet_id": tweet_id}})
        data = body.get("data") if isinstance(body, dict) else None
        post_id = _opt_id(data.get("id")) if isinstance(data, dict) else None
        if post_id is None:
            raise BadPayload("POST /2/tweets: answer has no post id")
        return Delivery(post_id, self.clock(), raw={"id": post_id})

    async def find_delivered(self, reply: OutgoingReply) -> Delivery | None:
        """Our post answering the same post (or our DM event in the same
        conversation) with the same words, if X already has it."""
        wanted = comparable(reply.text)
        brand = self._brand()
        if reply.target.thread_key.startswith("dm:"):
            conversation, _ = self._dm_route(reply)
            body = await self._call(
                "GET", f"/2/dm_conversations/{conversation}/dm_events", "GET dm_events",
                retry_safe=True, params={"dm_event.fields": DM_FIELDS, "max_results": "100",
                                         "event_types": "MessageCreate"})
            for event in parse_dm_page(body).events:
                if event.sender_id == brand and comparable(event.text) == wanted:
                    return Delivery(event.id, event.created_at)
            return None
        tweet_id = self._tweet_target(reply)
        params = {"max_results": str(PAGE_SIZE), "tweet.fields": TWEET_FIELDS,
                  "exclude": "retweets"}
        for _ in range(LOOKUP_PAGES):
            body = await self._call("GET", f"/2/users/{brand}/tweets", "GET tweets",
                                    retry_safe=True, params=params)
            data = body.get("data") if isinstance(body, dict) else None
            for raw in data if isinstance(data, list) else ():
                try:
                    tweet = parse_tweet(raw)
                except _Malformed:
                    continue
                if tweet.replied_to == tweet_id and comparable(tweet.text) == wanted:
                    return Delivery(tweet.id, tweet.created_at)
            _, token = page_meta(body) if isinstance(body, dict) else (None, None)
            if not token:
                return None
            params["pagination_token"] = token
        return None


__all__ = ["DmEvent", "Tweet", "XConnector", "dm_message", "parse_dm_page", "parse_tweet_page",
           "summoned"]
