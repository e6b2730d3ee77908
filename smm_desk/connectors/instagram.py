"""Instagram (professional accounts): comments on the account's media and DMs in,
replies, private replies and DM answers out.

Facts and sources: ``/work/shared/networks/instagram.md``; Graph rules shared
with Facebook (errors, usage-header throttling, paging, the high-water cursor,
the Conversations and Send APIs, the 24 h / 7-day window) are in
:mod:`smm_desk.connectors.meta`.

Two flavours (option ``login``)
    ``instagram`` (default): Instagram API with Instagram Login, host
    ``graph.instagram.com``, an Instagram user token (long-lived: 60 days).
    DMs are ``/{ig-user-id}/conversations`` and ``/{ig-user-id}/messages``.
    ``facebook``: Instagram API with Facebook Login, host ``graph.facebook.com``,
    the linked Page's token; DMs go through the Page: ``/{page-id}/conversations
    ?platform=instagram`` and ``/{page-id}/messages`` (option ``page_id``).

Options
    ``ig_user_id`` (the professional account's id; with Instagram Login it is
    asked from ``GET /me?fields=user_id,username`` when left out), ``login``,
    ``page_id`` (Facebook Login only), ``api_version`` (default ``v25.0``),
    ``private_prefix`` (default ``/dm``, see below; empty turns it off).

Token refresh (Instagram Login only)
    ``GET /refresh_access_token?grant_type=ig_refresh_token&access_token=…``
    (<https://developers.facebook.com/docs/instagram-platform/reference/refresh_access_token>)
    answers ``{access_token, token_type, expires_in}``; the token must be at
    least 24 h old and not expired. The connector refreshes once fewer than
    :data:`REFRESH_WHEN_LEFT` remain of the token's 60 days (a desktop app may
    be closed for weeks, so it refreshes early), through :class:`TokenKeeper`
    with this call as its ``refresher``: the new token and ``token_expires_at``
    are stored in the account's credentials before use. A token of unknown age
    is tried once per session; a refusal that is not a 190 is logged and
    retried after an hour.

Streams
``comments``
    ``GET /{ig-user-id}/media?fields=id,timestamp,comments_count,permalink
    &limit=50`` (the newest :data:`MEDIA_SCANNED`; IG comments have no ``since``).
    A media item is read when its ``comments_count`` differs from the count the
    cursor remembers (all of them on the first run): ``GET /{media-id}/comments
    ?fields=id,text,timestamp,username,from{id,username},parent_id,
    replies{…same…}`` (top-level comments with their replies; a reply list with
    more pages is read through ``GET /{comment-id}/replies``), every page up to
    a safety bound (a walk that reaches it leaves the cursor as it was). The
    media list is then read again and a media item whose count moved while the
    others were read is read again, until the counts hold still. The cursor is
    the high-water JSON of meta.py plus ``counts`` per media. The list is in
    order of creation, so every :data:`DEEP_SCAN_EVERY` the walk goes deeper,
    :data:`DEEP_SCAN_PAGES` pages (1,000 media): an older media item whose count
    moved since it was last listed is read, its comments down to the time the
    previous deep walk began; one never listed before only has its count noted
    (the first deep walk after an upgrade reads nothing old). What it finds below
    the high-water mark is handed as it is; the store keeps each comment id once.
    A customer's comment
    or reply threads as ``comment:<media id>:<customer id>``; the account's own
    replies (written in the Instagram app, or ours) come back OUTBOUND in the
    thread of the customer they answer (the top-level comment's author, or the
    ``@username`` they start with). ``extra``: ``comment_id``, ``media_id``,
    ``reply_to`` (the top-level comment), ``from_id``, ``username``,
    ``created_time``.
``dms``
    Conversations API with ``platform=instagram`` (meta.py); IGSIDs as
    recipients.

Replies
    Public: ``POST /{ig-comment-id}/replies`` (form ``message=``) — only
    top-level comments take replies, so an answer to a reply goes under its
    top-level comment, starting with ``@username`` so that person is notified.
    A reply to the case as a whole becomes a comment on the media
    (``POST /{media-id}/comments``).
    **Private reply rule**: a comment reply whose text starts with the
    ``private_prefix`` (``/dm`` followed by a space) is sent as a private reply —
    a DM to the commenter, ``POST /{owner}/messages`` with
    ``{"recipient": {"comment_id"}, "message": {"text"}}``, prefix removed —
    allowed once per comment within 7 days of it (refused locally past 7 days).
    DMs: RESPONSE within 24 h, HUMAN_AGENT tag to 7 days (meta.py).

Idempotency: none (``Idempotency.LOOKUP``): ``find_delivered`` reads
``GET /{comment-id}/replies`` (or the conversation's newest messages) for our
own item with the same text. A private reply's DM is not looked up (its
conversation is unknown before it exists): that send is settled by a person.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from smm_desk.connectors.base import (
    AccountConfig,
    Delivery,
    FetchResult,
    OutgoingReply,
    ReplyWindow,
    register,
)
from smm_desk.connectors.errors import AuthError, BadPayload, ConnectorError, PermanentError
from smm_desk.connectors.graph import (
    DEEP_SCAN_KEY,
    GRAPH_HOST,
    HUMAN_AGENT_WINDOW,
    HighWater,
    Malformed,
    as_id,
    comparable,
    deep_walk_due,
    graph_time,
    items_of,
    next_after,
    parse_time,
    path_id,
    quarantine,
    second,
    split_late,
    take_new,
)
from smm_desk.connectors.meta import GraphConnector, Walk
from smm_desk.connectors.oauth import (
    OAuthProvider,
    TokenKeeper,
    parse_token_response,
    store_tokens,
)
from smm_desk.domain.enums import Direction
from smm_desk.domain.records import IncomingMessage, MessageKind
from smm_desk.domain.text import clean_text

log = logging.getLogger("smm_desk.connectors.instagram")

IG_HOST = "https://graph.instagram.com"
MEDIA_SCANNED = 50
#: Safety bounds of one fetch (a walk that reaches them leaves the cursor as it was).
COMMENT_PAGES = 200
REPLY_PAGES = 100
MEDIA_ROUNDS = 4
#: How far the media list is walked past its newest MEDIA_SCANNED (every DEEP_SCAN_EVERY).
DEEP_SCAN_PAGES = 20
REFRESH_WHEN_LEFT = timedelta(days=30)
REFRESH_RETRY = timedelta(hours=1)
PRIVATE_REPLY_WINDOW = timedelta(days=7)
_REPLY_FIELDS = "id,text,timestamp,username,from{id,username},parent_id"
COMMENT_FIELDS = f"{_REPLY_FIELDS},replies{{{_REPLY_FIELDS}}}"

#: Business Login for Instagram (Instagram Login): the authorize window on
#: www.instagram.com, the code exchange on api.instagram.com (comma-separated scopes).
INSTAGRAM_LOGIN = OAuthProvider(
    authorize_url="https://www.instagram.com/oauth/authorize",
    token_url="https://api.instagram.com/oauth/access_token",
    scopes=("instagram_business_basic", "instagram_business_manage_messages",
            "instagram_business_manage_comments"),
    scope_separator=",",
    client_auth="body",
    pkce=False,
    console_url="https://developers.facebook.com/apps/",
)


def _author(raw: dict[str, Any]) -> tuple[str, str]:
    """(id, username) of a comment's author; the username stands in for a missing id."""
    source = raw.get("from")
    username = raw.get("username")
    if isinstance(source, dict):
        if isinstance(source.get("username"), str):
            username = source["username"]
        try:
            author_id = as_id(source.get("id"), "author id")
        except Malformed:
            author_id = ""
    else:
        author_id = ""
    name = clean_text(username, 100) if isinstance(username, str) else ""
    if not author_id:
        if not name or not name.replace(".", "").replace("_", "").isalnum():
            raise Malformed("comment has no author (from / username)")
        author_id = name
    return author_id, name


def _leading_handle(text: str) -> str:
    if not text.startswith("@"):
        return ""
    handle = text[1:].split(maxsplit=1)[0] if len(text) > 1 else ""
    return handle.rstrip(".,:;!?").casefold()


def comment_record(raw: Any, media_id: str, parent: tuple[str, str] | None, brand_id: str,
                   brand_username: str, handles: dict[str, str], permalink: str | None,
                   brand_name: str) -> IncomingMessage | None:
    """An IG comment (``parent``: (top-level id, its author id) for a reply) as a
    record; None for our own comment that answers nobody. Raises Malformed."""
    if not isinstance(raw, dict):
        raise Malformed("comment is not a JSON object")
    comment_id = as_id(raw.get("id"), "comment id", path=True)
    created = parse_time(raw.get("timestamp"), "timestamp")
    author_id, username = _author(raw)
    text = clean_text(raw.get("text")) if isinstance(raw.get("text"), str) else ""
    text = text or "[empty comment]"
    ours = author_id == brand_id or (bool(brand_username) and username.casefold()
                                     == brand_username.casefold())
    extra = {"comment_id": comment_id, "media_id": media_id,
             "reply_to": parent[0] if parent else comment_id, "created_time": graph_time(created)}
    if ours:
        if parent is None:
            return None
        customer = handles.get(_leading_handle(text)) or parent[1]
        if customer == brand_id or customer == username:
            return None
        extra["from_id"] = customer
        return IncomingMessage(
            external_id=comment_id, thread_key=f"comment:{media_id}:{customer}",
            direction=Direction.OUTBOUND, kind=MessageKind.REPLY, text=text,
            created_at=created, author_id=author_id, author_name=username or brand_name,
            parent_external_id=parent[0], post_external_id=media_id, permalink=permalink,
            extra=extra)
    extra["from_id"] = author_id
    if username:
        extra["username"] = username
    return IncomingMessage(
        external_id=comment_id, thread_key=f"comment:{media_id}:{author_id}",
        direction=Direction.INBOUND, kind=MessageKind.COMMENT, text=text, created_at=created,
        author_id=author_id, author_name=username or author_id,
        parent_external_id=parent[0] if parent else None, post_external_id=media_id,
        permalink=permalink, extra=extra)


@register
class InstagramConnector(GraphConnector):
    network = "instagram"
    default_base_url = IG_HOST
    streams = ("dms", "comments")
    options_help = {
        "ig_user_id": "the Instagram professional account's id (asked from /me with "
                      "Instagram Login when left out)",
        "login": "'instagram' (Instagram Login token, the default) or 'facebook' "
                 "(the linked Page's token)",
        "page_id": "with login=facebook: the linked Facebook Page's id (DMs go through it)",
        "api_version": "Graph API version, e.g. v25.0 (the default)",
        "private_prefix": "a comment reply starting with this goes as a private reply "
                          "(DM) instead (default '/dm'; empty turns it off)",
    }
    oauth = INSTAGRAM_LOGIN
    dm_platform = "instagram"
    window_name = "Instagram"

    def __init__(self, account: AccountConfig, token: str, **kwargs: Any) -> None:
        login = account.options.get("login", "").strip().lower() or "instagram"
        if login == "facebook" and not account.base_url:
            account = replace(account, base_url=GRAPH_HOST)
        super().__init__(account, token, **kwargs)
        self.login = login
        options = self.account.options
        self.private_prefix = options.get("private_prefix", "/dm").strip()
        self._ig_user_id = options.get("ig_user_id", "").strip() or None
        self._username = ""
        self._page_id = options.get("page_id", "").strip() or None
        self.keeper = TokenKeeper(self.http, self.credentials, None, "", self.clock,
                                  refresher=self._refresh if login == "instagram" else None)
        self._refresh_tried_at: datetime | None = None
        self._refreshing = False

    # -- token ----------------------------------------------------------------------------

    def _refresh_due(self) -> bool:
        if self.login != "instagram":
            return False
        now = self.clock()
        if self._refresh_tried_at is not None and now - self._refresh_tried_at < REFRESH_RETRY:
            return False
        expires = self.keeper.expires_at()
        if expires is None:
            return self._refresh_tried_at is None
        return now < expires and expires - now < REFRESH_WHEN_LEFT

    async def before_request(self) -> None:
        if self._refreshing:
            return
        if self._refresh_due():
            self._refresh_tried_at = self.clock()
            try:
                await self.keeper.refresh()
            except AuthError:
                raise
            except ConnectorError as exc:
                log.info("instagram: token refresh refused, going on with the current "
                         "token: %s", self.redact(exc))
        await self.keeper.token()

    async def _refresh(self) -> None:
        """Instagram Login's own refresh call; stores the new token before use."""
        current = self.credentials.get("token") or ""
        if not current:
            raise AuthError("no access token: connect the account again")
        self.http.add_secret(current)
        self._refreshing = True
        try:
            response = await self.http.request(
                "GET", "/refresh_access_token", retry_safe=True, check=self._checker(False),
                params={"grant_type": "ig_refresh_token", "access_token": current})
        finally:
            self._refreshing = False
        try:
            body = response.json()
        except ValueError:
            raise BadPayload("GET /refresh_access_token: the answer is not JSON") from None
        tokens = parse_token_response(body, self.clock())
        self.http.add_secret(tokens.access_token)
        store_tokens(self.credentials, replace(tokens, refresh_token=None))

    # -- ids ------------------------------------------------------------------------------

    async def ig_user_id(self) -> str:
        if self._ig_user_id is None:
            if self.login != "instagram":
                raise PermanentError("instagram: the ig_user_id option is required with "
                                     "login=facebook")
            body = await self.request("GET", self.url("me"),
                                      params={"fields": "user_id,username"})
            raw = body.get("user_id") or body.get("id") if isinstance(body, dict) else None
            try:
                self._ig_user_id = as_id(raw, "ig user id", path=True)
            except Malformed:
                raise BadPayload("GET /me: the answer names no Instagram account id") from None
            name = body.get("username") if isinstance(body, dict) else None
            self._username = name if isinstance(name, str) else ""
        return path_id(self._ig_user_id, "ig_user_id option")

    async def dm_owner(self) -> str:
        if self.login == "facebook":
            if not self._page_id:
                raise PermanentError("instagram: DMs with Facebook login need the page_id "
                                     "option (the linked Page)")
            return path_id(self._page_id, "page_id option")
        return await self.ig_user_id()

    async def brand_ids(self) -> frozenset[str]:
        return frozenset({await self.ig_user_id()})

    # -- fetch ----------------------------------------------------------------------------

    async def fetch(self, stream: str, cursor: str | None, *, wait: float) -> FetchResult:
        del wait  # no long poll in the Graph API
        if stream == "dms":
            return await self.fetch_dms(cursor)
        if stream == "comments":
            return await self._fetch_comments(cursor)
        raise ValueError(f"instagram has no stream {stream!r}")

    async def _fetch_comments(self, cursor: str | None) -> FetchResult:
        hw = HighWater.load(cursor)
        now = self.clock()
        horizon = hw.horizon(now)
        me = await self.ig_user_id()
        known = dict(hw.extra)  # comment counts by media id, and the deep walk's mark
        deep_from = known.pop(DEEP_SCAN_KEY, None)
        read: dict[str, int] = {}  # media -> comments_count listed when it was read
        bad: list[Any] = []
        found: list[tuple[datetime, str, IncomingMessage]] = []
        walk = Walk()
        counts: dict[str, int] = {}
        settled = False
        for _ in range(1 + MEDIA_ROUNDS):
            counts, media = await self._list_media(me, bad)
            todo = [(media_id, count, link) for media_id, count, link in media
                    if count != 0 and (media_id not in read if count < 0 else
                                       read.get(media_id, known.get(media_id)) != count)]
            if not todo:
                settled = True
                break
            for media_id, count, link in todo:
                read[media_id] = count
                await self._read_media(media_id, link, me, horizon, found, bad, walk)
        late: list[IncomingMessage] = []
        media_counts = {**known, **counts}
        if settled and not walk.truncated and hw.time is not None:
            deep_from = hw.time if deep_from is None else deep_from
            if deep_walk_due(deep_from, now):
                deep_walk = Walk()  # comments cut short: walked again from the same time
                deep_found: list[tuple[datetime, str, IncomingMessage]] = []
                listed = await self._deep_walk(me, deep_from, known, set(counts), deep_found,
                                               bad, deep_walk)
                new, late = split_late(deep_found, hw, now)
                found += new
                if not deep_walk.truncated:
                    media_counts = {**listed, **counts}  # media past the walk are let go
                    deep_from = second(now)
        taken = take_new(found, hw, now)
        if settled and not walk.truncated:
            new_hw = hw.advance((at, item_id) for at, item_id, _ in taken).settled(now)
            marks = media_counts if deep_from is None else {**media_counts,
                                                            DEEP_SCAN_KEY: deep_from}
            new_hw = replace(new_hw, extra=tuple(sorted(marks.items())))
        else:
            new_hw = hw  # read again next time; nothing above the mark is skipped
        return FetchResult(messages=[*late, *(m for _, _, m in taken)], cursor=new_hw.dump(),
                           quarantined=bad)

    async def _deep_walk(self, me: str, since: int, known: dict[str, int],
                         newest: set[str], found: list[tuple[datetime, str, IncomingMessage]],
                         bad: list[Any], walk: Walk) -> dict[str, int]:
        """Media past the newest page whose comment count moved since they were last
        listed: their comments down to ``since``. Returns the counts listed."""
        listed: dict[str, int] = {}
        params = {"fields": "id,timestamp,comments_count,permalink",
                  "limit": str(MEDIA_SCANNED)}
        async for items in self.pages(self.url(me, "media"), params, DEEP_SCAN_PAGES):
            for media_id, count, link in self._media_entries(items, bad):
                listed[media_id] = count
                before = known.get(media_id)
                if media_id in newest or count <= 0 or before is None or before == count:
                    continue  # read above, nothing to read, never listed, or unchanged
                await self._read_media(media_id, link, me, since, found, bad, walk)
        return listed

    async def _list_media(self, me: str, bad: list[Any]
                          ) -> tuple[dict[str, int], list[tuple[str, int, str | None]]]:
        """The newest media: (counts by id, [(id, comments_count or -1, permalink)])."""
        body = await self.request("GET", self.url(me, "media"), params={
            "fields": "id,timestamp,comments_count,permalink", "limit": str(MEDIA_SCANNED)})
        media = self._media_entries(items_of(body, "GET media"), bad)
        return {media_id: count for media_id, count, _ in media}, media

    def _media_entries(self, items: list[Any], bad: list[Any]
                       ) -> list[tuple[str, int, str | None]]:
        """(id, comments_count or -1, permalink) of each media item; bad ones quarantined."""
        media: list[tuple[str, int, str | None]] = []
        for item in items:
            try:
                if not isinstance(item, dict):
                    raise Malformed("media is not a JSON object")
                media_id = as_id(item.get("id"), "media id", path=True)
            except Malformed as exc:
                entry = quarantine(item, f"media skipped: {exc}")
                if self.fresh_quarantine(entry.raw[:300]):
                    bad.append(entry)
                continue
            count = item.get("comments_count")
            count = count if isinstance(count, int) and not isinstance(count, bool) else -1
            link = item.get("permalink")
            media.append((media_id, count, link if isinstance(link, str)
                          and link.startswith("https://") and len(link) < 2000 else None))
        return media

    async def _read_media(self, media_id: str, link: str | None, me: str, horizon: int,
                          found: list[tuple[datetime, str, IncomingMessage]],
                          bad: list[Any], walk: Walk) -> None:
        params = {"fields": COMMENT_FIELDS, "limit": "50"}
        async for items in self.pages(self.url(media_id, "comments"), params, COMMENT_PAGES,
                                      walk):
            for item in items:
                try:
                    top = comment_record(item, media_id, None, me, self._username, {}, link,
                                         self.account.name)
                    top_id = as_id(item.get("id"), "comment id", path=True)
                    top_author = _author(item)[0]
                except (Malformed, ValueError) as exc:
                    entry = quarantine(item, f"comment skipped: {exc}")
                    if self.fresh_quarantine(entry.raw[:300]):
                        bad.append(entry)
                    continue
                replies = await self._replies(item, top_id, walk)
                handles: dict[str, str] = {}
                for reply in replies:
                    try:
                        author_id, name = _author(reply)
                    except Malformed:
                        continue
                    if name and author_id != me:
                        handles[name.casefold()] = author_id
                records = [top]
                for reply in replies:
                    try:
                        records.append(comment_record(reply, media_id, (top_id, top_author), me,
                                                      self._username, handles, link,
                                                      self.account.name))
                    except (Malformed, ValueError) as exc:
                        entry = quarantine(reply, f"reply skipped: {exc}")
                        if self.fresh_quarantine(entry.raw[:300]):
                            bad.append(entry)
                for record in records:
                    if record is not None and second(record.created_at) >= horizon:
                        found.append((record.created_at, record.external_id, record))

    async def _replies(self, comment: dict[str, Any], comment_id: str,
                       walk: Walk | None = None) -> list[Any]:
        embedded = comment.get("replies")
        data = embedded.get("data") if isinstance(embedded, dict) else None
        if not isinstance(data, list):
            return []
        if next_after(embedded) is None:
            return list(data)
        replies: list[Any] = []
        async for items in self.pages(self.url(comment_id, "replies"),
                                      {"fields": _REPLY_FIELDS, "limit": "50"}, REPLY_PAGES,
                                      walk):
            replies.extend(items)
        return replies

    # -- send -----------------------------------------------------------------------------

    def _private_text(self, text: str) -> str | None:
        """The text without the private-reply prefix, or None for a public reply."""
        prefix = self.private_prefix
        if not prefix or not text[:len(prefix)].casefold() == prefix.casefold():
            return None
        rest = text[len(prefix):]
        if rest and not rest[0].isspace():
            return None
        return rest.strip()

    def _public_reply(self, reply: OutgoingReply) -> tuple[str, str, str]:
        """(url, text, replied comment id or "") of a public comment reply."""
        target = reply.target
        extra = target.extra
        text = reply.text.strip()
        top = extra.get("reply_to") or extra.get("comment_id")
        if top:
            top = path_id(top, "comment")
            username = extra.get("username", "")
            if extra.get("comment_id") not in (None, top) and username and \
                    _leading_handle(text) != username.casefold():
                text = f"@{username} {text}"
            return self.url(top, "replies"), text, top
        parts = target.thread_key.split(":")
        media = target.post_external_id or (parts[1] if len(parts) == 3 else "")
        return self.url(path_id(media, "media"), "comments"), text, ""

    async def send(self, reply: OutgoingReply) -> Delivery:
        if reply.target.thread_key.startswith("dm:"):
            return await self.send_dm(reply)
        private = self._private_text(reply.text.strip())
        if private is not None:
            return await self._private_reply(reply, private)
        url, text, _ = self._public_reply(reply)
        if not text:
            raise PermanentError("cannot send an empty reply")
        answer = await self.request("POST", url, data={"message": text})
        try:
            comment_id = as_id(answer.get("id") if isinstance(answer, dict) else None,
                               "comment id")
        except Malformed:
            raise BadPayload(f"POST {url}: the answer has no comment id") from None
        return Delivery(external_id=comment_id, delivered_at=self.clock())

    async def _private_reply(self, reply: OutgoingReply, text: str) -> Delivery:
        extra = reply.target.extra
        comment = path_id(extra.get("comment_id") or reply.target.external_id, "comment")
        if not text:
            raise PermanentError("cannot send an empty private reply")
        answered = self._answered_at(reply)
        if answered is not None and self.clock() - answered >= PRIVATE_REPLY_WINDOW:
            raise PermanentError("Instagram allows a private reply only within 7 days of the "
                                 "comment: answer publicly instead")
        return await self.send_dm(reply, recipient={"comment_id": comment}, text=text)

    async def find_delivered(self, reply: OutgoingReply) -> Delivery | None:
        if reply.target.thread_key.startswith("dm:"):
            return await self.find_dm(reply)
        if self._private_text(reply.text.strip()) is not None:
            return None
        _, text, top = self._public_reply(reply)
        if not top:
            return None
        me = await self.ig_user_id()
        wanted = comparable(text)
        after = self._answered_at(reply)
        body = await self.request("GET", self.url(top, "replies"),
                                  params={"fields": _REPLY_FIELDS, "limit": "50"})
        for item in items_of(body, "GET replies"):
            try:
                author_id, name = _author(item if isinstance(item, dict) else {})
                created = parse_time(item.get("timestamp"), "timestamp")
                item_id = as_id(item.get("id"), "comment id")
            except Malformed:
                continue
            ours = author_id == me or (self._username and name == self._username)
            said = item.get("text") if isinstance(item.get("text"), str) else ""
            if ours and comparable(said) == wanted and (after is None or created >= after):
                return Delivery(external_id=item_id, delivered_at=created)
        return None

    def reply_window(self, case_kind: str, last_inbound_at: datetime | None,
                     now: datetime) -> ReplyWindow:
        window = super().reply_window(case_kind, last_inbound_at, now)
        if case_kind == MessageKind.DM.value or not self.private_prefix:
            return window
        if last_inbound_at is not None and now < last_inbound_at + HUMAN_AGENT_WINDOW:
            return replace(window, note=f"Start the reply with {self.private_prefix} to send "
                           "it as a private message (allowed once per comment, within 7 days).")
        return window
