"""Bluesky (AT Protocol): mentions, replies, quotes and chat in; replies out (XRPC).

Every call is ``GET|POST <PDS>/xrpc/<nsid>`` (queries: GET + query string,
procedures: POST + JSON). ``default_base_url`` is the bsky.social entryway,
which serves every Bluesky-hosted account; an account on another PDS is added
with ``--base-url https://<its PDS>``. Options: ``handle`` (or ``did``) — the
sign-in identifier; the account name is used when both are missing.
Parsers live in :mod:`smm_desk.connectors.bluesky_parse`.
Facts: /work/shared/networks/bluesky.md (lexicons in bluesky-social/atproto,
docs.bsky.app "rate-limits", "posts", "api-directory").

Sign-in and the secrets
=======================

An **app password** signs in: ``com.atproto.server.createSession``
``{"identifier", "password"}`` → ``{accessJwt, refreshJwt, did, handle}``.
``accounts add bluesky --token-env VAR`` stores what it is given as the
account's ``token``; the connector recognises an app password there (it is
not a JWT), moves it to the ``password`` secret and keeps the session as
``token`` (accessJwt) + ``refresh_token`` (refreshJwt) + ``token_expires_at``
(the JWT's ``exp``, read without verification, only to refresh in time).
Giving a new app password later (same command) is recognised the same way.

createSession is limited to 30 / 5 min and 300 / day per account, so it is
never called per poll: :class:`~smm_desk.connectors.oauth.TokenKeeper`
refreshes the session 5 minutes before it expires with
``com.atproto.server.refreshSession`` (``Authorization: Bearer <refreshJwt>``,
both JWTs rotate and are stored before use); a 400 ``ExpiredToken`` /
``InvalidToken`` or a 401 from any call refreshes once and repeats the call.
Only when the refresh itself is refused does the connector sign in again with
the app password; when that is refused too, ``AuthError`` (needs_auth).

Streams
=======

``notifications``
    ``GET app.bsky.notification.listNotifications?reasons=mention&reasons=reply
    &reasons=quote&limit=50``. Its cursor only walks **backwards** (older), so
    the stored cursor is ours, JSON ``{"hw": <newest indexedAt seen>, "seen":
    [recent uris]}``: each poll reads the newest page and stops at the first
    notification older than the high-water mark (less a 5-minute margin; uris
    already seen are skipped, so the margin never duplicates). When a whole
    page is new, the cursor also keeps the network's backward cursor (``back``)
    and the old mark (``until``), and the next fetches (``more``) page back
    until they reach it. The first run takes the newest page only; a first
    run that finds nothing still stores a cursor (``WalkCursor.started``), so
    what is listed later is all read, down to the listing's end.
``own``
    The brand's own posts (``app.bsky.feed.getAuthorFeed?filter=
    posts_with_replies``), same backward walk: a reply the brand wrote in the
    Bluesky app comes back OUTBOUND and stops the clock of the customer's case
    (the feed item names the parent post's author). Replies sent from here come
    back with the same at-uri, so they dedup against the outbox copy.
``chat``
    Direct messages: ``GET chat.bsky.convo.getLog?cursor=`` through the PDS
    with ``atproto-proxy: did:web:api.bsky.chat#bsky_chat``; the cursor walks
    forward and is stored as the network gives it. Authors' names: the members
    of a new conversation's ``convoView``, for several at once from one
    ``listConvos?limit=100`` page (lexicons/chat/bsky/convo/listConvos.json), else ``getConvo``. Messages by the brand come
    back OUTBOUND. The app password needs "Allow access to your direct
    messages"; without it the chat service answers 401/403 and only this
    stream is skipped (quietly, once per connector).

Threads: a reply, mention or quote threads as ``comment:<root post uri>:<author
did>`` (the root is ``record.reply.root``; a top-level mention or quote is its
own root); a DM as ``dm:<convoId>``. ``created_at`` is ``min(record.createdAt,
indexedAt)`` — Bluesky's own ``sortAt`` rule — so a customer's clock set in the
future cannot hide lateness. ``extra``: ``uri``, ``cid``, ``root_uri``,
``root_cid``, ``did``, ``handle`` for posts; ``convo_id``, ``message_id``,
``rev`` for DMs.

Replies and idempotency (``Idempotency.KEY``)
=============================================

A reply is ``POST com.atproto.repo.createRecord`` of an ``app.bsky.feed.post``
with ``reply.root``/``reply.parent`` strong refs (uri + cid; root copied from
the answered post's own root) and a **client-chosen record key**: a TID
derived deterministically from the outbox reply id (sha-256 of it → 53-bit
microsecond part inside a fixed window in 2024–2025, 10-bit clock id), so
every retry of one reply uses the same rkey and the PDS cannot store two. A
repeat at an existing key is refused by the PDS (MST "There is already a value
at key", not a clean typed error), so the connector never relies on that
answer: **before any retry** — a second attempt in this process, or after any
failed createRecord — it asks ``com.atproto.repo.getRecord`` for that rkey and
returns the existing post as the delivery. That is why the outbox may resend
an uncertain reply with the same key (KEY) instead of asking a person.
Links in the text get ``app.bsky.richtext.facet#link`` facets (UTF-8 byte
offsets), as posts.md requires for them to be clickable.

A DM is ``POST chat.bsky.convo.sendMessage`` ``{"convoId", "message":
{"text"}}``, which has no key: every DM send first reads the conversation's
newest messages (``getMessages``) and treats a message of ours with the same
text, newer than the message answered, as already delivered — so the KEY
contract holds for DMs too (two identical answers to one message are
deliberately folded into one).

Errors and rate limits
======================

XRPC errors are ``{"error": "<Name>", "message": "…"}``: 400 names other than
the token ones → PermanentError with both; 5xx → TransientError. Every answer
carries ``RateLimit-Limit/-Remaining/-Reset`` (Reset = Unix epoch seconds);
``Remaining: 0`` blocks further calls until the reset, and a 429
(``RateLimitExceeded``) → RateLimited until ``RateLimit-Reset``, else
``Retry-After``, else 60 s, clamped to 1 s – 1 h.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
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
from smm_desk.connectors.bluesky_parse import (
    _AT_URI,
    _CID,
    _DID,
    _ID,
    _JWT,
    CHAT_PROXY,
    CONVO_PAGE,
    DEFAULT_SESSION,
    MAX_WAIT,
    MIN_WAIT,
    PAGE_LIMIT,
    POST,
    REASONS,
    WalkCursor,
    _Malformed,
    _member_names,
    chat_message,
    feed_entry,
    iso,
    jwt_expiry,
    link_facets,
    notification_entry,
    parse_time,
    tid_for,
    walk,
)
from smm_desk.connectors.errors import (
    AuthError,
    BadPayload,
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
)
from smm_desk.connectors.http import DEFAULT_RATE_LIMIT_WAIT, decode_json, parse_retry_after
from smm_desk.connectors.oauth import TokenKeeper
from smm_desk.domain.records import IncomingMessage

_TOKEN_ERRORS = ("ExpiredToken", "InvalidToken")


class _SessionExpired(AuthError):
    """The access JWT was refused: refresh the session and repeat once."""


@register
class BlueskyConnector(Connector):
    network = "bluesky"
    default_base_url = "https://bsky.social"
    idempotency = Idempotency.KEY
    streams = ("notifications", "own", "chat")
    options_help = {
        "handle": "the account's handle (e.g. acme.bsky.social): the sign-in identifier",
        "did": "the account's DID (did:plc:…), an alternative sign-in identifier",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._did: str | None = self.account.options.get("did") or None
        self._blocked_until: datetime | None = None
        self._attempted: set[str] = set()
        self._names: dict[str, dict[str, str]] = {}
        self._chat_off = False
        self._signed_in = False
        self.keeper = TokenKeeper(self.http, self.credentials, None, "", self.clock,
                                  refresher=self._renew)

    # -- session ------------------------------------------------------------------

    def _identifier(self) -> str:
        options = self.account.options
        return (options.get("handle") or options.get("did") or self.account.name).lstrip("@")

    async def _session(self) -> None:
        if not self._signed_in:
            token = self.credentials.get("token")
            if not token or not _JWT.fullmatch(token):
                if token:  # an app password, as `accounts add` stored it
                    self.credentials.put("password", token)
                await self._create_session()
            self._signed_in = True
        await self.keeper.token()

    def _keep(self, body: Any, what: str) -> None:
        if not isinstance(body, dict) or not all(
                isinstance(body.get(k), str) and body[k] for k in ("accessJwt", "refreshJwt")):
            raise BadPayload(f"{what}: the answer has no session")
        access, refresh = body["accessJwt"], body["refreshJwt"]
        self.http.add_secret(access)
        self.http.add_secret(refresh)
        self.credentials.put("refresh_token", refresh)
        self.credentials.put("token", access)
        expires = jwt_expiry(access) or self.clock() + DEFAULT_SESSION
        self.credentials.put("token_expires_at", expires.isoformat())
        did = body.get("did")
        if isinstance(did, str) and _DID.fullmatch(did):
            self._did = did

    async def _create_session(self) -> None:
        password = self.credentials.get("password")
        if not password:
            raise AuthError("no Bluesky app password: connect the account again")
        self.http.add_secret(password)
        response = await self.http.request(
            "POST", "/xrpc/com.atproto.server.createSession", retry_safe=False,
            check=self._session_check,
            json_body={"identifier": self._identifier(), "password": password})
        self._keep(decode_json(response, self.redact), "createSession")

    async def _renew(self) -> None:
        """refreshSession with the refresh JWT; if that is refused, sign in again."""
        refresh = self.credentials.get("refresh_token")
        if refresh:
            self.http.add_secret(refresh)
            try:
                response = await self.http.request(
                    "POST", "/xrpc/com.atproto.server.refreshSession", retry_safe=False,
                    check=self._session_check, headers={"Authorization": f"Bearer {refresh}"})
                self._keep(decode_json(response, self.redact), "refreshSession")
                return
            except AuthError:
                pass  # refresh JWT expired or revoked: the app password can start a new one
        await self._create_session()

    def _session_check(self, response: httpx.Response) -> None:
        if response.status_code == 429:
            self._rate_check(response)
        if response.status_code in (400, 401):
            name, said = _xrpc_error(response)
            if response.status_code == 401 or name in (*_TOKEN_ERRORS, "AccountTakedown",
                                                       "AuthFactorTokenRequired"):
                raise AuthError(f"Bluesky refused the sign-in: {name or response.status_code}",
                                network_message=said, status=response.status_code)

    # -- HTTP ---------------------------------------------------------------------

    def _rate_check(self, response: httpx.Response) -> None:
        now = self.clock()
        reset = _epoch(response.headers.get("RateLimit-Reset"))
        if response.status_code == 429:
            if reset is not None:
                wait = (reset - now).total_seconds()
            else:
                wait = parse_retry_after(response.headers.get("Retry-After"),
                                         now.timestamp()) or DEFAULT_RATE_LIMIT_WAIT
            wait = min(MAX_WAIT, max(MIN_WAIT, wait))
            self._blocked_until = now + timedelta(seconds=wait)
            raise RateLimited(f"{response.request.url.path}: rate limited, retry in {wait:.0f} s",
                              wait, network_message=_xrpc_error(response)[1], status=429)
        remaining = response.headers.get("RateLimit-Remaining", "").strip()
        if remaining.isdigit():
            if int(remaining) == 0 and reset is not None and reset > now:
                self._blocked_until = min(reset, now + timedelta(seconds=MAX_WAIT))
            elif int(remaining) > 0:
                self._blocked_until = None

    def _check(self, response: httpx.Response) -> None:
        self._rate_check(response)
        status = response.status_code
        if status == 501:  # MethodNotImplemented: this PDS does not serve it
            raise PermanentError(f"{response.request.url.path}: not implemented here",
                                 network_message=_xrpc_error(response)[1], status=status)
        if status in (400, 401, 403):
            name, said = _xrpc_error(response)
            where = response.request.url.path
            if name == "InvalidToken" and any(w in said.lower() for w in ("method", "scope")):
                # "Bad token method/scope": the app password lacks DM access; a new
                # session would not help, and the rest of the account works.
                raise PermanentError(f"{where}: not allowed for this app password: {said}",
                                     network_message=said, status=403)
            if status == 401 or name in _TOKEN_ERRORS:
                raise _SessionExpired(f"{where}: session refused ({name or status})",
                                      network_message=said, status=status)
            if name:
                raise PermanentError(f"{where}: {name}: {said}", network_message=said,
                                     status=status)

    async def _call(self, method: str, nsid: str, *, retry_safe: bool = True,
                    params: Any = None, json_body: Any = None) -> Any:
        """One XRPC call; ``chat.bsky.*`` goes through the PDS to the chat service
        (the ``atproto-proxy`` header names it)."""
        headers = {"atproto-proxy": CHAT_PROXY} if nsid.startswith("chat.bsky.") else None
        if self._blocked_until is not None:
            left = (self._blocked_until - self.clock()).total_seconds()
            if left > 0:
                raise RateLimited(f"{nsid}: rate limit used up, retry in {left:.0f} s",
                                  max(MIN_WAIT, left), network_message="RateLimit-Remaining: 0")
            self._blocked_until = None
        await self._session()
        for attempt in (1, 2):
            try:
                response = await self.http.request(
                    method, f"/xrpc/{nsid}", retry_safe=retry_safe, check=self._check,
                    params=params, json_body=json_body, headers=headers)
                return decode_json(response, self.redact)
            except _SessionExpired as exc:
                if attempt == 2:
                    raise AuthError(f"{nsid}: Bluesky refused a fresh session",
                                    network_message=exc.network_message) from None
                await self.keeper.refresh()
                await self.keeper.token()
        raise AssertionError("unreachable")

    async def brand_did(self) -> str:
        if self._did is None:
            body = await self._call("GET", "com.atproto.server.getSession")
            did = body.get("did") if isinstance(body, dict) else None
            if not (isinstance(did, str) and _DID.fullmatch(did)):
                raise BadPayload("getSession: the answer has no did")
            self._did = did
        return self._did

    # -- fetch --------------------------------------------------------------------

    async def fetch(self, stream: str, cursor: str | None, *, wait: float) -> FetchResult:
        del wait  # XRPC has no long poll: the engine's idle interval paces us
        if stream == "notifications":
            return await self._walk(cursor, self._notifications_page)
        if stream == "own":
            return await self._walk(cursor, self._own_page)
        if stream == "chat":
            return await self._chat(cursor)
        raise ValueError(f"bluesky has no stream {stream!r}")

    async def _notifications_page(self, back: str | None) -> tuple[Any, str]:
        params: list[tuple[str, str]] = [("reasons", r) for r in REASONS]
        params.append(("limit", str(PAGE_LIMIT)))
        if back:
            params.append(("cursor", back))
        return await self._call("GET", "app.bsky.notification.listNotifications",
                                params=params), "notifications"

    async def _own_page(self, back: str | None) -> tuple[Any, str]:
        params = [("actor", await self.brand_did()), ("filter", "posts_with_replies"),
                  ("limit", str(PAGE_LIMIT))]
        if back:
            params.append(("cursor", back))
        return await self._call("GET", "app.bsky.feed.getAuthorFeed", params=params), "feed"

    async def _walk(self, cursor: str | None,
                    page: Callable[[str | None], Awaitable[tuple[Any, str]]]) -> FetchResult:
        state = WalkCursor.load(cursor)
        body, field = await page(state.back)
        items = body.get(field) if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise BadPayload(f"{field}: the answer has no list")
        brand = await self.brand_did()
        parsed = [notification_entry(i) if field == "notifications" else feed_entry(i, brand)
                  for i in items]
        entries = [e for e in parsed if e is not None]
        next_cursor = body.get("cursor")
        new, after, more = walk(state, entries,
                                next_cursor if isinstance(next_cursor, str) else None,
                                len(items) >= PAGE_LIMIT)
        messages = sorted((e.message for e in reversed(new) if e.message is not None),
                          key=lambda m: m.created_at)  # oldest first, ties as listed
        return FetchResult(messages=messages, cursor=after.dump(), more=more,
                           quarantined=[e.bad for e in new if e.bad is not None])

    async def _chat(self, cursor: str | None) -> FetchResult:
        if self._chat_off:
            return FetchResult([], None)
        params = {"cursor": cursor} if cursor else None
        try:
            body = await self._call("GET", "chat.bsky.convo.getLog", params=params)
        except PermanentError as exc:
            if exc.status in (401, 403, 501):
                self._chat_off = True  # the app password has no DM access
                return FetchResult([], None)
            raise
        logs = body.get("logs") if isinstance(body, dict) else None
        if not isinstance(logs, list):
            raise BadPayload("getLog: the answer has no logs list")
        brand = await self.brand_did()
        unknown: list[str] = []
        for log in logs:
            convo = log.get("convoId") if isinstance(log, dict) else None
            if isinstance(convo, str) and convo not in self._names and \
                    convo not in unknown and _ID.fullmatch(convo):
                unknown.append(convo)
        if len(unknown) > 1:
            await self._learn_listed(unknown)
        for convo in unknown:
            if convo not in self._names:
                await self._learn_convo(convo)
        messages: list[IncomingMessage] = []
        bad: list[Quarantined] = []
        for log in logs:
            item = chat_message(log, brand, self._names)
            if isinstance(item, IncomingMessage):
                messages.append(item)
            elif item is not None:
                bad.append(item)
        new_cursor = body.get("cursor")
        new_cursor = new_cursor if isinstance(new_cursor, str) and new_cursor else None
        return FetchResult(messages, new_cursor or cursor, bad,
                           more=bool(logs) and new_cursor not in (None, cursor))

    async def _learn_convo(self, convo: str) -> None:
        """Member names of a conversation (getConvo), for the DM's author names."""
        try:
            body = await self._call("GET", "chat.bsky.convo.getConvo", params={"convoId": convo})
        except (PermanentError, BadPayload):
            body = None
        view = body.get("convo") if isinstance(body, dict) else None
        self._names[convo] = _member_names(view)

    async def _learn_listed(self, wanted: list[str]) -> None:
        """Member names of several new conversations from one ``listConvos`` page
        (the most recently active conversations, where new ones are), instead of
        one ``getConvo`` each: both answer the same ``convoView``. Those not on
        the page (or any, if the page fails) are left to ``getConvo``."""
        try:
            body = await self._call("GET", "chat.bsky.convo.listConvos",
                                    params={"limit": str(CONVO_PAGE)})
        except (PermanentError, BadPayload):
            return
        views = body.get("convos") if isinstance(body, dict) else None
        pending = set(wanted)
        for view in views if isinstance(views, list) else []:
            convo = view.get("id") if isinstance(view, dict) else None
            if isinstance(convo, str) and convo in pending:
                pending.discard(convo)
                self._names[convo] = _member_names(view)

    # -- send ---------------------------------------------------------------------

    async def send(self, reply: OutgoingReply) -> Delivery:
        text = reply.text.strip()
        if not text:
            raise PermanentError("cannot send an empty reply")
        if reply.target.thread_key.startswith("dm:"):
            return await self._send_dm(reply, text)
        repo = await self.brand_did()
        rkey = tid_for(reply.reply_id)
        if reply.reply_id in self._attempted:
            found = await self._record_at(repo, rkey)
            if found is not None:
                return found
        body = {"repo": repo, "collection": POST, "rkey": rkey,
                "record": self._post_record(reply, text)}
        self._attempted.add(reply.reply_id)
        try:
            created = await self._call("POST", "com.atproto.repo.createRecord",
                                       retry_safe=False, json_body=body)
        except (TransientError, PermanentError) as exc:
            # The PDS refuses a repeat at an existing key: ask before giving up.
            try:
                found = await self._record_at(repo, rkey)
            except ConnectorError:
                found = None
            if found is not None:
                return found
            raise exc from None
        uri = created.get("uri") if isinstance(created, dict) else None
        if not (isinstance(uri, str) and _AT_URI.fullmatch(uri)):
            raise BadPayload("createRecord: the answer has no uri")
        return Delivery(external_id=uri, delivered_at=self.clock(), raw={"cid": created.get(
            "cid")})

    def _post_record(self, reply: OutgoingReply, text: str) -> dict[str, Any]:
        extra = reply.target.extra
        parent_uri = extra.get("uri") or reply.target.external_id or ""
        parent_cid = extra.get("cid", "")
        if not (_AT_URI.fullmatch(parent_uri) and _CID.fullmatch(parent_cid)):
            raise PermanentError("cannot reply: the answered Bluesky post is unknown")
        root_uri, root_cid = extra.get("root_uri", ""), extra.get("root_cid", "")
        if not (_AT_URI.fullmatch(root_uri) and _CID.fullmatch(root_cid)):
            root_uri, root_cid = parent_uri, parent_cid
        record: dict[str, Any] = {
            "$type": POST, "text": text, "createdAt": iso(self.clock()),
            "reply": {"root": {"uri": root_uri, "cid": root_cid},
                      "parent": {"uri": parent_uri, "cid": parent_cid}}}
        facets = link_facets(text)
        if facets:
            record["facets"] = facets
        return record

    async def _record_at(self, repo: str, rkey: str) -> Delivery | None:
        """``com.atproto.repo.getRecord`` of our post at ``rkey`` (None: not there)."""
        try:
            body = await self._call("GET", "com.atproto.repo.getRecord",
                                    params={"repo": repo, "collection": POST, "rkey": rkey})
        except PermanentError as exc:
            if "RecordNotFound" in str(exc) or exc.status == 404:
                return None
            raise
        uri = body.get("uri") if isinstance(body, dict) else None
        if not (isinstance(uri, str) and _AT_URI.fullmatch(uri)):
            raise BadPayload("getRecord: the answer has no uri")
        value = body.get("value")
        at = self._time_or_now(value.get("createdAt") if isinstance(value, dict) else None)
        return Delivery(external_id=uri, delivered_at=at, raw={"cid": body.get("cid")})

    async def _send_dm(self, reply: OutgoingReply, text: str) -> Delivery:
        convo = reply.target.extra.get("convo_id", "")
        if not _ID.fullmatch(convo):
            raise PermanentError("cannot reply: the Bluesky conversation is unknown")
        found = await self._dm_sent(convo, text, reply.target.extra.get("rev", ""))
        if found is not None:
            return found
        body = await self._call("POST", "chat.bsky.convo.sendMessage", retry_safe=False,
                                json_body={"convoId": convo, "message": {"text": text}})
        message_id = body.get("id") if isinstance(body, dict) else None
        if not (isinstance(message_id, str) and _ID.fullmatch(message_id)):
            raise BadPayload("sendMessage: the answer has no message id")
        return Delivery(external_id=message_id, delivered_at=self._time_or_now(body.get("sentAt")))

    async def _dm_sent(self, convo: str, text: str, after_rev: str) -> Delivery | None:
        """Our message with this text after the answered one, if the convo has it."""
        body = await self._call("GET", "chat.bsky.convo.getMessages",
                                params={"convoId": convo, "limit": "50"})
        messages = body.get("messages") if isinstance(body, dict) else None
        brand = await self.brand_did()
        wanted = " ".join(text.split())
        for message in messages if isinstance(messages, list) else []:
            if not isinstance(message, dict):
                continue
            sender = message.get("sender")
            rev, body_text, message_id = message.get("rev"), message.get("text"), message.get("id")
            if (isinstance(sender, dict) and sender.get("did") == brand
                    and isinstance(body_text, str) and " ".join(body_text.split()) == wanted
                    and isinstance(rev, str) and rev > after_rev
                    and isinstance(message_id, str) and _ID.fullmatch(message_id)):
                return Delivery(external_id=message_id,
                                delivered_at=self._time_or_now(message.get("sentAt")))
        return None

    def _time_or_now(self, value: Any) -> datetime:
        """The network's time of what it answered, or ours when it gives none we read."""
        try:
            return parse_time(value)
        except _Malformed:
            return self.clock()

    async def find_delivered(self, reply: OutgoingReply) -> Delivery | None:
        """The post at the reply's record key, or (DMs) our same text after the message."""
        if reply.target.thread_key.startswith("dm:"):
            convo = reply.target.extra.get("convo_id", "")
            if not _ID.fullmatch(convo):
                return None
            return await self._dm_sent(convo, reply.text.strip(),
                                       reply.target.extra.get("rev", ""))
        return await self._record_at(await self.brand_did(), tid_for(reply.reply_id))


def _xrpc_error(response: httpx.Response) -> tuple[str, str]:
    """(error name, message) of an XRPC error body."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        return "", response.text[:300].strip()
    if not isinstance(body, dict):
        return "", ""
    name, message = body.get("error"), body.get("message")
    name = name if isinstance(name, str) and len(name) < 100 else ""
    message = message[:300] if isinstance(message, str) else name
    return name, message


def _epoch(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    if not 0 < seconds < 1e11:
        return None
    return datetime.fromtimestamp(seconds, UTC)

