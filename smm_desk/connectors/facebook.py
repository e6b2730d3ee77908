"""Facebook Pages: Messenger conversations and page-post comments in, replies out.

Facts and sources: ``/work/shared/networks/facebook.md`` (Graph API, pinned to
``v25.0``; the ``api_version`` option changes it). Graph rules shared with
Instagram — errors, usage-header throttling, paging, the high-water cursor,
Messenger send/read and its 24 h / 7-day window — live in
:mod:`smm_desk.connectors.meta`.

Auth
    A **Page access token** (from a long-lived user token it does not expire;
    error 190 means revoked → the account goes to ``needs_auth``), sent as
    ``Authorization: Bearer``. Permissions: ``pages_messaging``,
    ``pages_manage_metadata``, ``pages_read_engagement``,
    ``pages_read_user_content``, ``pages_manage_engagement``.
    Browser sign-in: :data:`FACEBOOK_LOGIN` (Facebook Login; the user token it
    yields is exchanged for the Page token via ``/me/accounts``).

Options
    ``page_id`` (required: the Page's numeric id; if left out, ``GET /me`` with
    the Page token names the Page), ``api_version`` (default ``v25.0``).

Streams
``messenger``
    Conversations API with ``platform=messenger`` (see meta.py). Thread
    ``dm:<conversation id>``; ``extra``: ``conversation_id``, ``recipient_id``
    (the PSID), ``message_id``, ``created_time``.
``comments``
    ``GET /{page-id}/feed?fields=id,created_time,updated_time,permalink_url
    &limit=100`` — the newest :data:`POSTS_SCANNED` posts (a comment bumps its
    post's ``updated_time``, but the feed is in order of creation, so a comment
    on an older post does not bring it forward). Every :data:`DEEP_SCAN_EVERY`
    the walk goes deeper, :data:`DEEP_SCAN_PAGES` pages of the feed (1,000
    posts), and reads each older post updated since the previous deep walk
    began, its comments down to that time: a customer answering last month's
    promotion reaches the queue within a quarter of an hour (Meta's real-time
    path for them, the ``feed`` webhook, needs a public server; a desktop app
    polls). What the deep walk finds below the high-water mark is handed over
    as it is; the store keeps each comment id once. For each post updated at
    or after the high-water time: ``GET /{post-id}/comments?filter=stream
    &order=reverse_chronological&fields=id,message,from,created_time,
    parent{id,from},permalink_url,attachment&limit=100`` (every comment and
    reply, newest first) until older than the high-water time — every page, up
    to a safety bound (:data:`COMMENT_PAGES`; a walk that reaches it leaves the
    cursor as it was). The feed is then read again and any post whose
    ``updated_time`` moved meanwhile is read again (a comment written while
    other posts were read), until the feed holds still. A customer's
    comment threads as ``comment:<post id>:<customer id>`` (their replies under
    other people's comments included). The Page's own comments (answers written
    in Facebook itself, or ours) come back OUTBOUND in the thread of the
    customer whose comment they answer; a Page comment answering nobody is
    skipped. ``from`` is only returned to a Page token with the MODERATE task:
    a comment without it is quarantined with that reason. ``extra``:
    ``comment_id``, ``post_id``, ``reply_to`` (the top-level comment a reply
    goes under), ``from_id``, ``created_time``.

Replies
    Comment: ``POST /{comment-id}/comments`` (form ``message=``) under the
    top-level comment (Facebook shows one level of nesting, so an answer to a
    reply goes under its top-level comment); a reply to the case as a whole
    (no answered comment) becomes a comment on the post. Answer ``{"id"}``.
    Messenger: see meta.py (RESPONSE within 24 h, HUMAN_AGENT tag to 7 days).

Idempotency: none on the wire (``Idempotency.LOOKUP``). ``find_delivered``
reads ``GET /{comment-id}/comments?filter=stream`` (comments) or the
conversation's newest messages (DMs) for a Page-authored item with the same
text, written after the answered one.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from smm_desk.connectors.base import (
    Delivery,
    FetchResult,
    OutgoingReply,
    Quarantined,
    register,
)
from smm_desk.connectors.errors import BadPayload, PermanentError
from smm_desk.connectors.graph import (
    DEEP_SCAN_KEY,
    GRAPH_HOST,
    HighWater,
    Malformed,
    as_id,
    comparable,
    deep_walk_due,
    graph_time,
    items_of,
    parse_time,
    path_id,
    person,
    quarantine,
    second,
    split_late,
    take_new,
)
from smm_desk.connectors.meta import GraphConnector, Walk
from smm_desk.connectors.oauth import OAuthProvider
from smm_desk.domain.enums import Direction
from smm_desk.domain.records import IncomingMessage, MessageKind
from smm_desk.domain.text import clean_text

POSTS_SCANNED = 100
#: How far the feed is walked past its newest POSTS_SCANNED posts (every DEEP_SCAN_EVERY).
DEEP_SCAN_PAGES = 10
#: Safety bound of one post's comment walk per fetch.
COMMENT_PAGES = 500
FEED_ROUNDS = 4
FEED_FIELDS = "id,created_time,updated_time,permalink_url"
COMMENT_FIELDS = ("id,message,from,created_time,parent{id,from},permalink_url,"
                  "attachment")

#: Facebook Login (manual flow): www.facebook.com dialog, Graph token endpoint.
FACEBOOK_LOGIN = OAuthProvider(
    authorize_url="https://www.facebook.com/v25.0/dialog/oauth",
    token_url="https://graph.facebook.com/v25.0/oauth/access_token",
    scopes=("pages_show_list", "pages_messaging", "pages_manage_metadata",
            "pages_read_engagement", "pages_read_user_content", "pages_manage_engagement"),
    scope_separator=",",
    client_auth="body",
    pkce=False,
    console_url="https://developers.facebook.com/apps/",
)


def _comment_text(raw: dict[str, Any]) -> str:
    text = clean_text(raw.get("message")) if isinstance(raw.get("message"), str) else ""
    attachment = raw.get("attachment")
    if isinstance(attachment, dict):
        kind = attachment.get("type")
        label = f"[{kind}]" if isinstance(kind, str) and kind.isascii() and len(kind) < 40 \
            else "[attachment]"
        text = f"{text}\n{label}" if text else label
    return text or "[empty comment]"


def comment_message(raw: Any, post_id: str, page_id: str,
                    page_name: str) -> IncomingMessage | None:
    """A Graph comment as a record (None: a Page comment answering nobody).
    Raises :class:`Malformed`."""
    if not isinstance(raw, dict):
        raise Malformed("comment is not a JSON object")
    comment_id = as_id(raw.get("id"), "comment id", path=True)
    created = parse_time(raw.get("created_time"))
    if raw.get("from") is None:
        raise Malformed("comment has no author (from): the token needs the Page's "
                        "MODERATE task")
    author_id, author_name = person(raw.get("from"))
    parent = raw.get("parent")
    parent_id: str | None = None
    parent_author: str | None = None
    if isinstance(parent, dict):
        parent_id = as_id(parent.get("id"), "parent comment id", path=True)
        try:
            parent_author = person(parent.get("from"))[0]
        except Malformed:
            parent_author = None
    permalink = raw.get("permalink_url")
    link = permalink if isinstance(permalink, str) and permalink.startswith("https://") \
        and len(permalink) <= 2000 else None
    extra = {"comment_id": comment_id, "post_id": post_id,
             "reply_to": parent_id or comment_id, "created_time": graph_time(created)}
    if author_id == page_id:
        if parent_author is None or parent_author == page_id:
            return None
        extra["from_id"] = parent_author
        return IncomingMessage(
            external_id=comment_id, thread_key=f"comment:{post_id}:{parent_author}",
            direction=Direction.OUTBOUND, kind=MessageKind.REPLY, text=_comment_text(raw),
            created_at=created, author_id=author_id, author_name=author_name or page_name,
            parent_external_id=parent_id, post_external_id=post_id, permalink=link,
            extra=extra)
    extra["from_id"] = author_id
    return IncomingMessage(
        external_id=comment_id, thread_key=f"comment:{post_id}:{author_id}",
        direction=Direction.INBOUND, kind=MessageKind.COMMENT, text=_comment_text(raw),
        created_at=created, author_id=author_id, author_name=author_name or author_id,
        parent_external_id=parent_id, post_external_id=post_id, permalink=link, extra=extra)


def parse_feed(items: list[Any]) -> tuple[list[tuple[str, datetime]], list[Quarantined]]:
    """(post id, updated_time) of each post; bad posts quarantined."""
    posts: list[tuple[str, datetime]] = []
    bad: list[Quarantined] = []
    for item in items:
        try:
            if not isinstance(item, dict):
                raise Malformed("post is not a JSON object")
            post_id = as_id(item.get("id"), "post id", path=True)
            updated = parse_time(item.get("updated_time") or item.get("created_time"),
                                 "updated_time")
        except Malformed as exc:
            bad.append(quarantine(item, f"post skipped: {exc}"))
            continue
        posts.append((post_id, updated))
    return posts, bad


@register
class FacebookConnector(GraphConnector):
    network = "facebook"
    default_base_url = GRAPH_HOST
    streams = ("messenger", "comments")
    options_help = {
        "page_id": "the Facebook Page's numeric id (required; the Page token's own Page "
                   "if left out)",
        "api_version": "Graph API version, e.g. v25.0 (the default)",
    }
    oauth = FACEBOOK_LOGIN
    dm_platform = "messenger"
    window_name = "Messenger"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._page_id: str | None = None
        self._bad_option = ""
        raw = self.account.options.get("page_id", "").strip()
        if raw:
            try:
                self._page_id = as_id(raw, "page_id", path=True)
            except Malformed:
                self._bad_option = raw

    async def page_id(self) -> str:
        if self._bad_option:
            raise PermanentError(f"facebook: the page_id option {self._bad_option!r} is not "
                                 "a Page id")
        if self._page_id is None:
            body = await self.request("GET", self.url("me"), params={"fields": "id,name"})
            try:
                self._page_id = as_id(body.get("id") if isinstance(body, dict) else None,
                                      "page id", path=True)
            except Malformed:
                raise BadPayload("GET /me: the answer names no Page id") from None
        return self._page_id

    async def dm_owner(self) -> str:
        return await self.page_id()

    async def brand_ids(self) -> frozenset[str]:
        return frozenset({await self.page_id()})

    # -- fetch ----------------------------------------------------------------------------

    async def fetch(self, stream: str, cursor: str | None, *, wait: float) -> FetchResult:
        del wait  # Graph has no long poll; the engine's idle interval paces the polls
        if stream == "messenger":
            return await self.fetch_dms(cursor)
        if stream == "comments":
            return await self._fetch_comments(cursor)
        raise ValueError(f"facebook has no stream {stream!r}")

    async def _fetch_comments(self, cursor: str | None) -> FetchResult:
        hw = HighWater.load(cursor)
        now = self.clock()
        horizon = hw.horizon(now)
        page = await self.page_id()
        found: list[tuple[datetime, str, IncomingMessage]] = []
        bad: list[Quarantined] = []
        walk = Walk()
        read: dict[str, int] = {}  # post -> updated second when its comments were read
        settled = False
        for _ in range(1 + FEED_ROUNDS):
            body = await self.request("GET", self.url(page, "feed"), params={
                "fields": FEED_FIELDS, "limit": str(POSTS_SCANNED)})
            posts, rejected = parse_feed(items_of(body, "GET feed"))
            bad += [q for q in rejected if self.fresh_quarantine(q.raw[:300])]
            changed = [(post_id, second(updated)) for post_id, updated in posts
                       if second(updated) >= horizon and read.get(post_id) != second(updated)]
            if not changed:
                settled = True
                break
            for post_id, updated in changed:
                read[post_id] = updated
                await self._read_post(post_id, page, horizon, found, bad, walk)
        marks = dict(hw.extra)
        late: list[IncomingMessage] = []
        if hw.time is not None:
            deep_from = marks.get(DEEP_SCAN_KEY, hw.time)  # the first walk reads from the mark
            if deep_walk_due(deep_from, now):
                deep_walk = Walk()  # a post's comments cut short: walk again from the same time
                deep_found: list[tuple[datetime, str, IncomingMessage]] = []
                await self._deep_scan(page, deep_from, read, deep_found, bad, deep_walk)
                new, late = split_late(deep_found, hw, now)
                found += new
                if not deep_walk.truncated:
                    deep_from = second(now)
            marks[DEEP_SCAN_KEY] = deep_from
        taken = take_new(found, hw, now)
        if settled and not walk.truncated:
            new_hw = hw.advance((at, item_id) for at, item_id, _ in taken).settled(now)
        else:
            new_hw = hw  # read again next time; nothing above the mark is skipped
        new_hw = replace(new_hw, extra=tuple(sorted(marks.items())))
        return FetchResult(messages=[*late, *(m for _, _, m in taken)], cursor=new_hw.dump(),
                           quarantined=bad)

    async def _deep_scan(self, page: str, since: int, read: dict[str, int],
                         found: list[tuple[datetime, str, IncomingMessage]],
                         bad: list[Quarantined], walk: Walk) -> None:
        """Posts of the feed's first :data:`DEEP_SCAN_PAGES` pages updated at or
        after ``since``: their comments down to ``since`` (see the module doc).
        Posts past those pages are out of reach by design (the walk's bound, not
        a walk cut short); ``walk`` tells whether a post's comments were."""
        params = {"fields": FEED_FIELDS, "limit": str(POSTS_SCANNED)}
        async for items in self.pages(self.url(page, "feed"), params, DEEP_SCAN_PAGES):
            posts, rejected = parse_feed(items)
            bad += [q for q in rejected if self.fresh_quarantine(q.raw[:300])]
            for post_id, updated in posts:
                if second(updated) >= since and read.get(post_id) != second(updated):
                    read[post_id] = second(updated)
                    await self._read_post(post_id, page, since, found, bad, walk)

    async def _read_post(self, post_id: str, page: str, horizon: int,
                         found: list[tuple[datetime, str, IncomingMessage]],
                         bad: list[Quarantined], walk: Walk) -> None:
        """One post's comments and replies, newest first, down to ``horizon``."""
        params = {"filter": "stream", "order": "reverse_chronological",
                  "fields": COMMENT_FIELDS, "limit": "100"}
        async for items in self.pages(self.url(post_id, "comments"), params, COMMENT_PAGES,
                                      walk):
            reached_old = False
            for item in items:
                try:
                    message = comment_message(item, post_id, page, self.account.name)
                except (Malformed, ValueError) as exc:
                    entry = quarantine(item, f"comment skipped: {exc}")
                    if self.fresh_quarantine(entry.raw[:300]):
                        bad.append(entry)
                    continue
                if message is None:
                    continue
                if second(message.created_at) < horizon:
                    reached_old = True
                    continue
                found.append((message.created_at, message.external_id, message))
            if reached_old:
                break

    # -- send -----------------------------------------------------------------------------

    def _comment_target(self, reply: OutgoingReply) -> str:
        """The object a comment reply is posted under."""
        target = reply.target
        extra = target.extra
        if extra.get("reply_to"):
            return path_id(extra["reply_to"], "comment")
        if target.external_id and extra.get("comment_id"):
            return path_id(extra["comment_id"], "comment")
        parts = target.thread_key.split(":")
        post = target.post_external_id or (parts[1] if len(parts) == 3 else "")
        return path_id(post, "post")

    async def send(self, reply: OutgoingReply) -> Delivery:
        if reply.target.thread_key.startswith("dm:"):
            return await self.send_dm(reply)
        text = reply.text.strip()
        if not text:
            raise PermanentError("cannot send an empty reply")
        url = self.url(self._comment_target(reply), "comments")
        answer = await self.request("POST", url, data={"message": text})
        try:
            comment_id = as_id(answer.get("id") if isinstance(answer, dict) else None,
                               "comment id")
        except Malformed:
            raise BadPayload(f"POST {url}: the answer has no comment id") from None
        return Delivery(external_id=comment_id, delivered_at=self.clock())

    async def find_delivered(self, reply: OutgoingReply) -> Delivery | None:
        """The Page's comment (or message) with this text, if it was posted."""
        if reply.target.thread_key.startswith("dm:"):
            return await self.find_dm(reply)
        target = self._comment_target(reply)
        page = await self.page_id()
        wanted = comparable(reply.text)
        after = self._answered_at(reply)
        body = await self.request("GET", self.url(target, "comments"), params={
            "filter": "stream", "order": "reverse_chronological",
            "fields": "id,message,from,created_time", "limit": "100"})
        for item in items_of(body, "GET comments"):
            try:
                author = person(item.get("from") if isinstance(item, dict) else None)[0]
                created = parse_time(item.get("created_time"))
                item_id = as_id(item.get("id"), "comment id")
            except Malformed:
                continue
            if author == page and comparable(_comment_text(item)) == wanted and (
                    after is None or created >= after):
                return Delivery(external_id=item_id, delivered_at=created)
        return None
