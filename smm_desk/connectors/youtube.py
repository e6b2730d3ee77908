"""YouTube Data API v3: comments on the channel's videos in, replies out.

YouTube has no DM API: the inbox is the channel's comment threads
(/work/shared/networks/youtube.md).

Auth
    Google OAuth 2.0 user token of the channel owner, scope
    ``https://www.googleapis.com/auth/youtube.force-ssl``; authorize at
    ``https://accounts.google.com/o/oauth2/v2/auth`` with
    ``access_type=offline&prompt=consent`` (so a refresh token comes back),
    tokens at ``https://oauth2.googleapis.com/token``; access tokens last about
    an hour and :class:`~smm_desk.connectors.oauth.TokenKeeper` refreshes them
    5 minutes early (https://developers.google.com/identity/protocols/oauth2).
    A 401 refreshes once and repeats the call. Options: ``channel_id``
    (``UC…``), ``client_id``; optional ``daily_quota`` (default 10000) and
    ``reply_reserve`` (units kept for replies, default 2500 = 50 replies).

Reading (one stream, ``comments``)
    ``GET /youtube/v3/commentThreads?part=snippet,replies&allThreadsRelatedTo
    ChannelId=<UC…>&order=time&maxResults=100&textFormat=plainText``
    (https://developers.google.com/youtube/v3/docs/commentThreads/list).
    There is no ``since``: threads come newest first by their top-level
    comment, so a *walk* pages (``pageToken``) until it meets a thread at or
    below the stored high-water mark (``hw``: a ``publishedAt`` and the ids
    read in that very second, as many threads share one), and only then moves
    the mark up to the newest thread it read (``pass_hw``). A pass reads
    :data:`MAX_PAGES` pages at most and stops early when the day's quota pace
    (below) says so; the walk then goes on from its cursor in the next pass:
    the page token, and ``low`` — how far down it has read. Google may refuse
    a kept token (400 ``invalidPageToken``, https://developers.google.com/
    youtube/v3/docs/errors): the walk then lists from the top again and skips
    every thread at or above ``low``, so nothing is read twice or skipped. The
    first poll of a new account (no cursor) takes the newest page only; even
    when it finds nothing it stores ``start``, so a later poll is never a
    first poll again (with no ``hw`` yet, every thread is new).

    A new reply does not move its thread up, so late replies are caught two
    ways: every listed thread whose ``totalReplyCount`` grew since we saw it
    has its replies read (the embedded ``replies.comments`` when they are all
    there, else ``GET /youtube/v3/comments?part=snippet&parentId=<thread>``,
    https://developers.google.com/youtube/v3/docs/comments/list); and every
    30 minutes (:data:`DEEP_SCAN_EVERY`) a *deep* pass lists up to
    :data:`DEEP_PAGES` pages without stopping at the high-water mark, so
    threads up to a few hundred deep are rechecked (a thread never seen before,
    older than what the first run read, gives only the replies written since
    the account was first synced: ``start`` in the cursor). The reply counts
    of threads from the last :data:`KNOWN_DAYS` days live in the cursor.

    Threads: a customer's comments on one video are one case,
    ``comment:<videoId>:<authorChannelId>`` (a reply in someone else's thread
    too: its author is the customer). The channel's own replies come in
    OUTBOUND, in the case of the replier they @name, else of the thread's
    top-level author; the channel's own top-level comments answer nobody and
    are skipped. ``extra``: ``thread_id`` (the parent a reply must name),
    ``comment_id``, ``video_id``, ``can_reply``.

Replying
    ``POST /youtube/v3/comments?part=snippet`` with ``{"snippet": {"parentId":
    <thread id>, "textOriginal": …}}`` (https://developers.google.com/youtube/
    v3/docs/comments/insert); replies are one level deep, so the parent is
    always the thread's top-level comment. No idempotency key exists
    (``Idempotency.LOOKUP``): an unknown outcome is settled by
    :meth:`YouTubeConnector.find_delivered`, which lists the thread's replies
    and looks for the channel's reply with the same words.

Quota (https://developers.google.com/youtube/v3/determine_quota_cost)
    10,000 units a day per Google Cloud project, reset at midnight Pacific
    time (``America/Los_Angeles``); a list costs 1 unit, an insert 50, and
    even a refused request costs. The connector counts what it spends (count
    and day in the cursor, so it survives restarts; sends made since the last
    fetch are added to the next cursor) and paces itself:

    * at most one pass a minute (:data:`MIN_PASS_INTERVAL`, in the connector),
    * no faster than the day's polling budget accrues (``BURST`` plus the
      budget times the share of the Pacific day gone; checked before every
      page, so a burst spreads over passes instead of over-spending),
    * no polling at all once only ``reply_reserve`` units are left, so
      replies can still go out that day.

    :meth:`YouTubeConnector.quota_status` gives the figures and
    :meth:`YouTubeConnector.status_note` one line for the account status.
    The count is an estimate: the real quota is per Google Cloud project, so
    other apps or accounts sharing the ``client_id`` spend from it too.

Errors (https://developers.google.com/youtube/v3/docs/errors)
    Google's ``{"error": {"code", "message", "errors": [{"reason",
    "domain"}]}}``. ``quotaExceeded`` (403, domain ``youtube.quota``) →
    ``RateLimited`` until the next Pacific midnight (the account pauses until
    the reset and no request is made before it); ``rateLimitExceeded`` /
    ``userRateLimitExceeded`` → a one-minute ``RateLimited``; 401 →
    ``AuthError`` (after one refresh); ``insufficientPermissions`` → AuthError;
    other 4xx (``commentsDisabled``, ``operationNotSupported``,
    ``commentTextTooLong``, ``commentNotFound``…) → PermanentError with
    Google's words.

Payload parsing (threads, comments, errors) is in
:mod:`smm_desk.connectors.youtube_parse`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

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
from smm_desk.connectors.http import decode_json
from smm_desk.connectors.oauth import OAuthProvider, TokenKeeper
from smm_desk.connectors.youtube_parse import (
    Comment,
    Malformed,
    Thread,
    google_error,
    iso,
    mark,
    opt_iso,
    parse_comment,
    parse_comment_page,
    parse_thread_page,
    parse_time,
    text_field,
    thread_messages,
    widen,
)
from smm_desk.domain.records import IncomingMessage
from smm_desk.domain.text import clean_text

PACIFIC = ZoneInfo("America/Los_Angeles")
DAILY_QUOTA = 10_000
REPLY_RESERVE = 2_500
LIST_COST, INSERT_COST = 1, 50
#: Units the pacing lets a fresh day (or a fresh install) spend at once.
BURST = 100
MIN_PASS_INTERVAL = timedelta(minutes=1)
DEEP_SCAN_EVERY = timedelta(minutes=30)
DEEP_PAGES = 3
MAX_PAGES = 10
#: Reply pages read for one grown thread (100 replies a page), and how many
#: threads may have their replies listed in one pass (each costs a unit).
REPLY_PAGES = 3
REPLY_LISTS_PER_PASS = 20
KNOWN_DAYS = 14
KNOWN_MAX = 1_000
SHORT_WAIT = 60.0


def pacific_day(now: datetime) -> date:
    return now.astimezone(PACIFIC).date()


def next_reset(now: datetime) -> datetime:
    """The next midnight in Pacific time, as aware UTC."""
    tomorrow = pacific_day(now) + timedelta(days=1)
    return datetime.combine(tomorrow, time(0), tzinfo=PACIFIC).astimezone(UTC)


@dataclass(frozen=True)
class QuotaStatus:
    day: date
    spent: int
    limit: int
    reserve: int
    resets_at: datetime

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.spent)

    @property
    def polling_paused(self) -> bool:
        return self.remaining <= self.reserve

    def note(self) -> str:
        text = (f"YouTube quota: {self.spent:,} of {self.limit:,} units used today, "
                f"{self.remaining:,} left (resets {self.resets_at:%Y-%m-%d %H:%M} UTC)")
        if self.remaining == 0:
            return text + "; paused until the reset"
        if self.polling_paused:
            return text + "; polling paused, the rest is kept for replies"
        return text


#: Cursor keys of a walk under way (dropped when it ends).
_WALK_KEYS = ("mode", "token", "pages", "pass_hw", "pass_ids", "low", "low_ids")


class _InvalidPageToken(PermanentError):
    """400 ``invalidPageToken``: a kept page token is no longer accepted."""


def _prune(known: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """Reply counts of the threads of the last KNOWN_DAYS days, KNOWN_MAX newest at most.
    Times are :func:`iso` strings, so they compare as text (no parsing per thread)."""
    horizon = iso(now - timedelta(days=KNOWN_DAYS))
    kept = [(value[1], thread_id, value) for thread_id, value in known.items()
            if isinstance(value, list) and len(value) == 2 and isinstance(value[1], str)
            and value[1] >= horizon]
    if len(kept) > KNOWN_MAX:
        kept.sort(reverse=True)
        del kept[KNOWN_MAX:]
    return {thread_id: value for _, thread_id, value in kept}


def _comparable(text: str) -> str:
    return " ".join(clean_text(text).split()).casefold()


def _int_option(options: Mapping[str, str], key: str, default: int) -> int:
    raw = str(options.get(key, "")).strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else default


@register
class YouTubeConnector(Connector):
    network = "youtube"
    default_base_url = "https://www.googleapis.com"
    idempotency = Idempotency.LOOKUP
    streams = ("comments",)
    options_help = {
        "channel_id": "the channel's id (UC…), from YouTube Studio → Settings → Channel",
        "client_id": "the Google OAuth client id (desktop app) used to refresh tokens",
        "daily_quota": f"the project's daily quota in units (default {DAILY_QUOTA})",
        "reply_reserve": f"units kept for replies; polling stops below it (default "
                         f"{REPLY_RESERVE})",
    }
    oauth = OAuthProvider(
        authorize_url="https://accounts.google.com/o/oauth2/v2/auth",
        token_url="https://oauth2.googleapis.com/token",
        scopes=("https://www.googleapis.com/auth/youtube.force-ssl",),
        client_auth="body",
        authorize_params={"access_type": "offline", "prompt": "consent"},
        console_url="https://console.cloud.google.com/apis/credentials",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = self.account.options
        self.channel_id = str(options.get("channel_id", "")).strip()
        self.limit = _int_option(options, "daily_quota", DAILY_QUOTA)
        self.reserve = min(_int_option(options, "reply_reserve", REPLY_RESERVE), self.limit)
        self.keeper = TokenKeeper(self.http, self.credentials,
                                  self.oauth.at(self.account.base_url) if self.oauth else None,
                                  str(options.get("client_id", "")), self.clock)
        self._day = pacific_day(self.clock())
        self._spent = 0
        self._loaded = False
        self._blocked_until: datetime | None = None
        self._last_pass: datetime | None = None
        self._reply_lists = 0
        #: True while the engine pages through a pass (the last answer said ``more``).
        self._in_pass = False
        self._pass_pages = 0

    def auth_headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    # -- quota ------------------------------------------------------------------------------

    def _roll(self) -> None:
        today = pacific_day(self.clock())
        if today != self._day:
            self._day, self._spent = today, 0

    def quota_status(self) -> QuotaStatus:
        self._roll()
        return QuotaStatus(self._day, self._spent, self.limit, self.reserve,
                           next_reset(self.clock()))

    def status_note(self) -> str:
        """One line for the account status (spent / left / reset)."""
        return self.quota_status().note()

    def _load_quota(self, state: Mapping[str, Any]) -> None:
        if self._loaded:
            return
        self._loaded = True
        self._roll()
        spent = state.get("spent")
        if state.get("day") == self._day.isoformat() and isinstance(spent, int) and spent > 0:
            self._spent += spent

    def _may_poll(self, now: datetime) -> bool:
        status = self.quota_status()
        if status.remaining - LIST_COST < self.reserve:
            return False
        start = datetime.combine(status.day, time(0), tzinfo=PACIFIC)
        share = min(1.0, max(0.0, (now - start).total_seconds() / 86_400))
        return status.spent < BURST + (self.limit - self.reserve) * share

    # -- HTTP ---------------------------------------------------------------------------------

    def _check(self, response: httpx.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        reason, domain, said = google_error(response)
        where = f"{response.request.method} {response.request.url.path}"
        if reason == "quotaExceeded" or domain == "youtube.quota":
            now = self.clock()
            self._roll()
            self._spent = max(self._spent, self.limit)
            self._blocked_until = next_reset(now)
            wait = (self._blocked_until - now).total_seconds()
            raise RateLimited(f"{where}: daily quota used up, paused until the Pacific "
                              f"midnight reset ({wait:.0f} s)", wait, network_message=said,
                              status=status)
        if reason in ("rateLimitExceeded", "userRateLimitExceeded") or status == 429:
            raise RateLimited(f"{where}: rate limited: {said}", SHORT_WAIT,
                              network_message=said, status=status)
        if status == 401:
            raise AuthError(f"{where}: not authorized: {said}", network_message=said,
                            status=401)
        if status == 403 and reason in ("insufficientPermissions", "authError"):
            raise AuthError(f"{where}: forbidden: {said}", network_message=said, status=403)
        if reason == "invalidPageToken":
            raise _InvalidPageToken(f"{where}: the page token is no longer valid: {said}",
                                    network_message=said or reason, status=status)
        if status < 500 and status not in (408, 425):
            raise PermanentError(f"{where}: refused ({status} {reason}): {said}",
                                 network_message=said or reason, status=status)

    async def _call(self, method: str, url: str, cost: int, *, retry_safe: bool,
                    **kwargs: Any) -> Any:
        if self._blocked_until is not None:
            left = (self._blocked_until - self.clock()).total_seconds()
            if left > 0:
                raise RateLimited(f"{method} {url}: daily quota used up, retry in {left:.0f} s",
                                  left, network_message="quotaExceeded")
            self._blocked_until = None
        for attempt in (1, 2):
            await self.keeper.token()
            self._roll()
            self._spent += cost  # Google counts refused requests too
            try:
                response = await self.http.request(method, url, retry_safe=retry_safe,
                                                   check=self._check, **kwargs)
            except AuthError as exc:
                if attempt == 1 and exc.status == 401 and self.keeper.can_refresh():
                    await self.keeper.refresh()
                    continue
                raise
            return decode_json(response, self.redact)
        raise AssertionError("unreachable")

    # -- fetch ------------------------------------------------------------------------------

    def _state_out(self, state: Mapping[str, Any]) -> str:
        self._roll()
        out = {k: v for k, v in state.items() if v is not None}
        out["day"], out["spent"] = self._day.isoformat(), self._spent
        return json.dumps(out, sort_keys=True)

    async def fetch(self, stream: str, cursor: str | None, *, wait: float) -> FetchResult:
        del wait
        if stream != "comments":
            raise ValueError(f"youtube has no stream {stream!r}")
        if not self.channel_id:
            raise PermanentError("the YouTube account needs --option channel_id=UC…")
        try:
            state = json.loads(cursor) if cursor else {}
        except ValueError:
            state = {}
        state = state if isinstance(state, dict) else {}
        self._load_quota(state)
        now = self.clock()
        in_pass, self._in_pass = self._in_pass, False
        if not in_pass:  # a new pass: pace it
            if self._blocked_until is not None and self._blocked_until > now:
                left = (self._blocked_until - now).total_seconds()
                raise RateLimited(f"daily quota used up, retry in {left:.0f} s", left,
                                  network_message="quotaExceeded")
            too_soon = self._last_pass is not None and now - self._last_pass < MIN_PASS_INTERVAL
            if too_soon or not self._may_poll(now):
                out = self._state_out(state)
                return FetchResult([], out if out != cursor else None)
            self._last_pass = now
            self._reply_lists = 0
            self._pass_pages = 0
            if not isinstance(state.get("mode"), str):  # no walk under way: start one
                deep_at = state.get("deep_at")
                deep = bool(state.get("hw")) and (
                    not isinstance(deep_at, str) or now - parse_time(deep_at) >= DEEP_SCAN_EVERY)
                state = {k: v for k, v in state.items() if k not in _WALK_KEYS}
                state["mode"] = "deep" if deep else "new"
        elif not self._may_poll(now):
            # Spending ahead of the day's pace: the walk stops here and goes on (from its
            # cursor) in a later pass.
            return FetchResult([], None)
        return await self._pass(state, now)

    async def _list_threads(self, token: str | None) -> tuple[Any, str | None]:
        """One commentThreads page, and the page token that gave it."""
        params = {"part": "snippet,replies", "allThreadsRelatedToChannelId": self.channel_id,
                  "order": "time", "maxResults": "100", "textFormat": "plainText"}
        if token:
            params["pageToken"] = token
        try:
            return await self._call("GET", "/youtube/v3/commentThreads", LIST_COST,
                                    retry_safe=True, params=params), token
        except _InvalidPageToken:
            if not token:
                raise
        # A page token kept from an earlier pass is no longer accepted: list from the
        # top again; the walk skips what it already read (``low``).
        del params["pageToken"]
        return await self._call("GET", "/youtube/v3/commentThreads", LIST_COST,
                                retry_safe=True, params=params), None

    async def _pass(self, state: dict[str, Any], now: datetime) -> FetchResult:
        """One page of the walk under way (see the module docstring)."""
        token = text_field(state.get("token"), 1000) or None
        body, used = await self._list_threads(token)
        threads, bad, next_token = parse_thread_page(body)
        hw, hw_ids = mark(state, "hw")
        low, low_ids = mark(state, "low")
        top, top_ids = mark(state, "pass_hw")
        known: dict[str, Any] = dict(state.get("known") or {})
        first_run = hw is None and "start" not in state
        watching = parse_time(state["start"]) if isinstance(state.get("start"), str) else None
        deep = state.get("mode") == "deep"
        messages: list[IncomingMessage] = []
        reached = False
        stopped = False
        skipped = 0
        for thread in threads:
            published = thread.top.published
            if low is not None and (published > low or (published == low
                                                        and thread.id in low_ids)):
                skipped += 1
                continue  # read earlier in this walk (or newer than it: the next walk's)
            new = hw is None or published > hw or (published == hw and thread.id not in hw_ids)
            seen = known.get(thread.id)
            seen_count = seen[0] if isinstance(seen, list) and seen and isinstance(
                seen[0], int) else None
            counted = thread.reply_count
            grown = seen_count is not None and thread.reply_count > seen_count
            # A thread we never saw (older than what the first run read) with replies:
            # only replies written since we started watching are news.
            unseen = seen_count is None and not new and thread.reply_count > 0 and watching
            if ((new or grown or unseen) and not first_run
                    and thread.reply_count > len(thread.replies)
                    and self._reply_lists >= REPLY_LISTS_PER_PASS):
                # Its replies need a listing and this pass has spent its share: the walk
                # stops at this thread and takes it up again (same page) next pass.
                stopped = True
                break
            if not new:
                reached = True
            top, top_ids = widen(top, top_ids, published, thread.id, newest=True)
            low, low_ids = widen(low, low_ids, published, thread.id, newest=False)
            if new or grown or unseen:
                # The first run reads what is embedded only: history is not backfilled.
                replies = list(thread.replies) if first_run else await self._replies(
                    thread, bad)
                if unseen:
                    replies = [r for r in replies if watching and r.published > watching]
                messages += thread_messages(thread, replies, self.channel_id, with_top=new)
                if not first_run and len(replies) < thread.reply_count:
                    counted = seen_count or 0  # not all read: look again next pass
            known[thread.id] = [counted, iso(published)]
        pages = int(state.get("pages") or 0) + (0 if stopped else 1)
        if skipped < len(threads) or not threads:
            # A page it had read already (listing again from the top after a refused
            # token) costs a unit but does not count against the pass's pages.
            self._pass_pages += 1
        out = dict(state)
        out["known"] = _prune(known, now)
        go_on = stopped or (not first_run and next_token is not None
                            and (not reached or (deep and pages < DEEP_PAGES)))
        if go_on:
            out.update(token=used if stopped else next_token, pages=pages,
                       pass_hw=opt_iso(top), pass_ids=sorted(top_ids),
                       low=opt_iso(low), low_ids=sorted(low_ids))
            # A pass reads MAX_PAGES pages at most (and stops early to keep the day's
            # quota pace, see fetch); the walk then goes on from this cursor next pass.
            self._in_pass = not stopped and self._pass_pages < MAX_PAGES
            return FetchResult(messages, self._state_out(out), bad, more=self._in_pass)
        for key in _WALK_KEYS:
            out.pop(key, None)
        if top is not None and (hw is None or top >= hw):
            ids = top_ids | (hw_ids if hw == top else set())
            out["hw"], out["hw_ids"] = iso(top), sorted(ids)
        if deep or first_run:
            out["deep_at"] = iso(now)
        out.setdefault("start", iso(now))
        return FetchResult(messages, self._state_out(out), bad)

    async def _replies(self, thread: Thread, bad: list[Quarantined]) -> list[Comment]:
        """Every reply of a thread: the embedded ones when complete, else comments.list."""
        if thread.reply_count <= len(thread.replies) or \
                self._reply_lists >= REPLY_LISTS_PER_PASS:
            return list(thread.replies)
        self._reply_lists += 1
        found: dict[str, Comment] = {c.id: c for c in thread.replies}
        token: str | None = None
        for _ in range(REPLY_PAGES):
            params = {"part": "snippet", "parentId": thread.id, "maxResults": "100",
                      "textFormat": "plainText"}
            if token:
                params["pageToken"] = token
            body = await self._call("GET", "/youtube/v3/comments", LIST_COST, retry_safe=True,
                                    params=params)
            comments, skipped, token = parse_comment_page(body)
            bad.extend(skipped)
            found.update((c.id, c) for c in comments)
            if token is None:
                break
        return list(found.values())

    # -- send -------------------------------------------------------------------------------

    def _parent(self, reply: OutgoingReply) -> str:
        extra = reply.target.extra
        if extra.get("can_reply") == "0":
            raise PermanentError("YouTube does not allow replies in this thread "
                                 "(replies are turned off for it)")
        parent = extra.get("thread_id") or reply.target.external_id or ""
        parent = parent.split(".", 1)[0]  # a reply's id is "<thread id>.<suffix>"
        if not parent:
            raise PermanentError("cannot reply: the YouTube comment thread is unknown")
        return parent

    @staticmethod
    def _text(reply: OutgoingReply) -> str:
        """The reply's words; answering a reply (not the thread's top comment)
        starts with that replier's @handle, as YouTube's own UI does, so they
        are notified and the answer is threaded to them when read back."""
        text = reply.text.strip()
        if not text:
            raise PermanentError("cannot send an empty reply")
        target = reply.target
        handle = target.author_name.strip()
        comment = target.extra.get("comment_id") or target.external_id or ""
        if ("." in comment and handle.startswith("@") and " " not in handle
                and not text.casefold().startswith(handle.casefold())):
            text = f"{handle} {text}"
        return text

    async def send(self, reply: OutgoingReply) -> Delivery:
        text = self._text(reply)
        parent = self._parent(reply)
        body = await self._call("POST", "/youtube/v3/comments", INSERT_COST, retry_safe=False,
                                params={"part": "snippet"},
                                json_body={"snippet": {"parentId": parent,
                                                       "textOriginal": text}})
        try:
            comment = parse_comment(body)
        except Malformed:
            raise BadPayload("POST /youtube/v3/comments: answer is not a comment") from None
        return Delivery(comment.id, comment.published, raw={"id": comment.id})

    async def find_delivered(self, reply: OutgoingReply) -> Delivery | None:
        """The channel's reply under the same thread with the same words, if any."""
        parent = self._parent(reply)
        wanted = _comparable(self._text(reply))
        token: str | None = None
        for _ in range(REPLY_PAGES):
            params = {"part": "snippet", "parentId": parent, "maxResults": "100",
                      "textFormat": "plainText"}
            if token:
                params["pageToken"] = token
            body = await self._call("GET", "/youtube/v3/comments", LIST_COST, retry_safe=True,
                                    params=params)
            comments, _, token = parse_comment_page(body)
            for comment in comments:
                if comment.author_id == self.channel_id and _comparable(comment.text) == wanted:
                    return Delivery(comment.id, comment.published)
            if token is None:
                return None
        return None


__all__ = ["QuotaStatus", "YouTubeConnector", "next_reset", "parse_comment_page",
           "parse_thread_page", "thread_messages"]
