"""An Instagram professional account in memory: the Instagram Platform endpoints
SMM Desk uses, for both flavours (Instagram Login on graph.instagram.com,
Facebook Login on graph.facebook.com — the paths are the same here).

Shapes from /work/shared/networks/instagram.md and the Instagram Platform
reference; what is shared with Facebook (fields, paging, usage headers with
``type: "instagram"`` and throttling code 80002, errors, faults, the
Conversations and Send APIs with the 24 h / 7-day windows) is in
:mod:`smm_desk.sim.meta`. Served, under ``/v{N}.{M}/``:

* ``GET /me`` (``id``, ``user_id``, ``username``), ``GET /{ig-user-id}``;
* ``GET /{ig-user-id}/media`` — newest first (``id``, ``caption``,
  ``timestamp``, ``comments_count`` — replies included —, ``permalink``);
* ``GET /{media-id}/comments`` — top-level comments, newest first, each with
  ``replies`` (oldest first, the first 50 and ``paging.next`` beyond);
  ``GET /{comment-id}/replies``; ``GET /{comment-id}``;
* ``POST /{comment-id}/replies`` (``message``): a reply to a reply goes under
  its top-level comment; hidden comments refuse replies (code 100);
  ``POST /{media-id}/comments``;
* DMs: ``/{ig-user-id or page-id}/conversations?platform=instagram``,
  ``/{conversation}/messages``, ``POST /{…}/messages`` including private
  replies (``recipient: {comment_id}``: once per comment, within 7 days);
* tokens: ``GET /refresh_access_token?grant_type=ig_refresh_token`` (the token
  must be ≥ 24 h old and unexpired; answers a new 60-day token),
  ``GET /access_token?grant_type=ig_exchange_token``; Instagram Login's
  ``/oauth/authorize`` and ``/oauth/access_token`` through SimOAuth. Tokens
  expire ``token_lifetime`` after issue (60 days) and then answer 190/463.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from smm_desk.sim.meta import (
    PRIVATE_REPLY_WINDOW,
    Account,
    Answer,
    GraphSim,
    graph_time,
    numeric_id,
    request_params,
    token_of,
    whole_second,
)
from smm_desk.sim.world import Delivered, SimWorld, json_response

NETWORK = "instagram"
LONG_LIVED = timedelta(days=60)
_USERNAME = re.compile(r"[\w.]{1,30}")
_OWN_PATHS = ("/refresh_access_token", "/access_token", "/oauth/authorize",
              "/oauth/access_token")


@dataclass
class Media:
    id: str
    account: Account
    created: datetime
    caption: str
    comments: list[str] = field(default_factory=list)


@dataclass
class IgComment:
    id: str
    media: Media
    parent: str | None
    author: str
    text: str
    created: datetime
    hidden: bool = False
    private_replied: bool = False


class InstagramSim(GraphSim):
    """The simulator's Instagram (a :class:`~smm_desk.sim.world.NetworkHandler`)."""

    network = NETWORK
    platform = "instagram"
    usage_type = "instagram"
    limit_code = 80002
    window_subcode = 2534022
    max_text = 1000

    def __init__(self, world: SimWorld, *, token_lifetime: timedelta = LONG_LIVED,
                 **kwargs: Any) -> None:
        super().__init__(world, **kwargs)
        self.token_lifetime = token_lifetime
        self.media: dict[str, Media] = {}
        self.comments: dict[str, IgComment] = {}
        self.pages: dict[str, str] = {}  # account id -> linked page id
        self.refreshes: list[str] = []  # grant types of token calls, in order
        self._aliases: dict[tuple[str, str], str] = {}
        self._numbers = itertools.count(17_873_440_459_141_021)
        self._token_seq = itertools.count(1)

    # -- catalog contract ---------------------------------------------------------------

    def add_account(self, token: str, name: str) -> None:
        with self.world.lock:
            if token in self._tokens:
                return
            ig_id = "178414" + numeric_id("ig:" + name + token, 11).rjust(11, "0")
            page_id = "1" + numeric_id("igpage:" + name + token, 14).rjust(14, "0")
            account = Account(token, name, ig_id, owners={ig_id, page_id})
            self.accounts[ig_id] = account
            self.pages[ig_id] = page_id
            self.register_token(token, account, self.world.clock() + self.token_lifetime)
            self.oauth.signed_in = ig_id

    def account_options(self, token: str) -> dict[str, str]:
        with self.world.lock:
            return {"ig_user_id": self.brand(token).id}

    def inject_dm(self, token: str, author_id: str, author_name: str, text: str,
                  at: datetime | None = None) -> str:
        with self.world.lock:
            account = self.brand(token)
            igsid = self._customer(account, author_id, author_name)
            message = self.add_message(account, igsid, True, text,
                                       whole_second(at, self.world.clock()))
        self.world.notify()
        return str(message["id"])

    def inject_comment(self, token: str, post_id: str | None, author_id: str,
                       author_name: str, text: str, at: datetime | None = None) -> str:
        with self.world.lock:
            account = self.brand(token)
            when = whole_second(at, self.world.clock())
            media = self._media_for(account, post_id, when)
            user = self._customer(account, author_id, author_name)
            comment = self._comment(media, None, user, text, when)
        self.world.notify()
        return comment.id

    def inject_reply(self, token: str, comment_id: str, author_id: str, author_name: str,
                     text: str, at: datetime | None = None) -> str:
        """A customer replying under a comment (attached to its top-level comment)."""
        with self.world.lock:
            account = self.brand(token)
            parent = self.comments[comment_id]
            user = self._customer(account, author_id, author_name)
            comment = self._comment(parent.media, parent.parent or parent.id, user, text,
                                    whole_second(at, self.world.clock()))
        self.world.notify()
        return comment.id

    def inject_brand_answer(self, token: str, answered_id: str, text: str,
                            at: datetime | None = None) -> str:
        """The account answering in the Instagram app: no API call, no delivery."""
        with self.world.lock:
            account = self.brand(token)
            when = whole_second(at, self.world.clock())
            if answered_id in self.comments:
                answered = self.comments[answered_id]
                comment = self._comment(answered.media, answered.parent or answered.id,
                                        account.id, text, when)
                self.world.notify()
                return comment.id
            for conv in account.conversations.values():
                if any(m["id"] == answered_id for m in conv.messages):
                    message = self.add_message(account, conv.customer, False, text, when)
                    self.world.notify()
                    return str(message["id"])
        raise KeyError(f"nothing with id {answered_id!r}")

    def hide(self, comment_id: str) -> None:
        with self.world.lock:
            self.comments[comment_id].hidden = True

    def posted(self, token: str) -> list[dict[str, Any]]:
        return [d.__dict__.copy() for d in self.deliveries(token)]

    def page_id(self, token: str) -> str:
        with self.world.lock:
            return self.pages[self.brand(token).id]

    def token_expiry(self, token: str) -> datetime | None:
        with self.world.lock:
            found = self._tokens.get(token)
            return found[1] if found else None

    # -- state -----------------------------------------------------------------------------

    def _customer(self, account: Account, author_id: str, author_name: str) -> str:
        user = numeric_id(author_id)
        if user not in account.customers:
            name = author_name if _USERNAME.fullmatch(author_name) else (
                re.sub(r"[^\w.]", "", author_name.lower().replace(" ", "_"))[:24]
                or "user") + user[-4:]
            account.customers[user] = name
        return user

    def _media_for(self, account: Account, media_id: str | None, when: datetime) -> Media:
        media = self.media.get(media_id or "")
        if media is None and media_id:
            media = self.media.get(self._aliases.get((account.id, media_id), ""))
        if media is None or media.account is not account:
            created = (min(when, self.world.clock()) - timedelta(hours=1)).replace(microsecond=0)
            media = Media(str(next(self._numbers) + 22_000_000_000_000), account, created,
                          f"New in at {account.name}! #new")
            self.media[media.id] = media
            if media_id:
                self._aliases[(account.id, media_id)] = media.id
        return media

    def _comment(self, media: Media, parent: str | None, author: str, text: str,
                 when: datetime) -> IgComment:
        comment = IgComment(str(next(self._numbers)), media, parent, author, text, when)
        self.comments[comment.id] = comment
        media.comments.append(comment.id)
        return comment

    def person(self, account: Account, person_id: str) -> dict[str, Any]:
        name = account.name if person_id == account.id else account.customers.get(person_id, "")
        return {"username": name, "id": person_id}

    def conversation_id(self, account: Account, customer: str) -> str:
        raw = f"ig_conversation:{account.id}:{customer}".encode()
        return "aWdfZAG06" + base64.urlsafe_b64encode(hashlib.sha256(raw).digest()[:24]).decode()

    def message_id(self) -> str:
        raw = f"ig-message-{next(self._seq)}".encode()
        return "aWdfZAGl0ZAW06" + base64.urlsafe_b64encode(
            hashlib.sha256(raw).digest()[:24]).decode()

    def _comment_json(self, comment: IgComment, request: httpx.Request | None = None
                      ) -> dict[str, Any]:
        account = comment.media.account
        username = self.person(account, comment.author)["username"]
        body: dict[str, Any] = {
            "id": comment.id, "text": comment.text, "timestamp": graph_time(comment.created),
            "username": username, "from": {"id": comment.author, "username": username},
            "like_count": 0, "hidden": comment.hidden, "media": {"id": comment.media.id}}
        if comment.parent is not None:
            body["parent_id"] = comment.parent
        else:
            replies = self._replies(comment.id)
            data = [self._comment_json(r) for r in replies[:50]]
            body["replies"] = {"data": data}
            if len(replies) > 50:
                body["replies"]["paging"] = {"next": f"https://graph.instagram.com/{comment.id}"
                                             f"/replies?after=sim", "cursors": {"after": "sim"}}
        return body

    def _replies(self, comment_id: str) -> list[IgComment]:
        media = self.comments[comment_id].media
        found = [self.comments[c] for c in media.comments
                 if self.comments[c].parent == comment_id]
        return sorted(found, key=lambda c: (c.created, c.id))

    def _media_json(self, media: Media) -> dict[str, Any]:
        return {"id": media.id, "caption": media.caption, "media_type": "IMAGE",
                "timestamp": graph_time(media.created), "comments_count": len(media.comments),
                "permalink": f"https://www.instagram.com/p/Sim{media.id[-8:]}/",
                "username": media.account.name}

    # -- routing ---------------------------------------------------------------------------------

    def own_path(self, request: httpx.Request) -> bool:
        return request.url.path in _OWN_PATHS

    def special(self, request: httpx.Request) -> httpx.Response | None:
        path = request.url.path
        if path == "/oauth/authorize":
            return self.oauth.authorize(request)
        if path == "/oauth/access_token":
            self.refreshes.append("authorization_code")
            return self.oauth.token(request)
        if path not in ("/refresh_access_token", "/access_token"):
            return None
        params = request_params(request) or {}
        grant = params.get("grant_type", "")
        expected = "ig_refresh_token" if path == "/refresh_access_token" else "ig_exchange_token"
        with self.world.lock:
            self.refreshes.append(str(grant))
            if grant != expected:
                return self.error(400, 100, f"(#100) grant_type must be {expected}",
                                  kind="IGApiException")
            token = params.get("access_token") or token_of(request)
            account, why = self._account_of(str(token))
            if account is None:
                return self.token_error(why)
            now = self.world.clock()
            issued = self._tokens.get(str(token), (account.id, None, now))[2]
            if grant == "ig_refresh_token" and now - issued < timedelta(hours=24):
                return self.error(400, 100, "(#100) The access token cannot be refreshed: it "
                                  "must be at least 24 hours old", kind="IGApiException")
            new = f"IGQsim{next(self._token_seq)}-{account.id[-6:]}-long-lived"
            self.register_token(new, account, now + self.token_lifetime)
        return json_response(200, {"access_token": new, "token_type": "bearer",
                                   "expires_in": int(self.token_lifetime.total_seconds())})

    def route(self, method: str, parts: list[str], params: dict[str, Any], account: Account,
              request: httpx.Request) -> Answer:
        head = parts[0] if parts else ""
        me = {"id": account.id, "user_id": account.id, "username": account.name,
              "name": account.name, "account_type": "BUSINESS"}
        if (head == "me" or head == account.id) and len(parts) == 1 and method == "GET":
            return self.single(params, me, ("id",))
        if head in ("me", account.id) and parts[1:] == ["media"] and method == "GET":
            media = sorted((m for m in self.media.values() if m.account is account),
                           key=lambda m: (m.created, m.id), reverse=True)
            return self.listing(request, params, [self._media_json(m) for m in media], ("id",))
        media_item = self.media.get(head)
        if media_item is not None and media_item.account is account:
            if len(parts) == 1 and method == "GET":
                return self.single(params, self._media_json(media_item), ("id",))
            if parts[1:] == ["comments"]:
                if method == "POST":
                    return self._create(account, media_item, None, params)
                top = [self.comments[c] for c in media_item.comments
                       if self.comments[c].parent is None]
                top.sort(key=lambda c: (c.created, c.id), reverse=True)
                return self.listing(request, params, top, ("id", "text", "timestamp"),
                                    render=self._comment_json)
        comment = self.comments.get(head)
        if comment is not None and comment.media.account is account:
            if len(parts) == 1 and method == "GET":
                return self.single(params, self._comment_json(comment),
                                   ("id", "text", "timestamp"))
            if parts[1:] == ["replies"]:
                if method == "POST":
                    return self._create(account, comment.media, comment, params)
                return self.listing(request, params, [self._comment_json(r) for r in
                                                      self._replies(comment.id)],
                                    ("id", "text", "timestamp"))
        return super().route(method, parts, params, account, request)

    def _create(self, account: Account, media: Media, target: IgComment | None,
                params: dict[str, Any]) -> Answer:
        text = params.get("message")
        if not isinstance(text, str) or not text.strip():
            return self.fail(100, "(#100) The parameter message is required")
        if len(text) > 2200:
            return self.fail(100, "(#100) The comment is too long")
        if target is not None and target.hidden:
            return self.fail(100, "(#100) Cannot reply to a hidden comment")
        now = whole_second(None, self.world.clock())
        parent = None if target is None else (target.parent or target.id)
        comment = self._comment(media, parent, account.id, text, now)
        where = target.id if target is not None else media.id
        method = f"POST /{where}/replies" if target is not None else f"POST /{where}/comments"
        self.world.record(Delivered(network=NETWORK, account=account.name, method=method,
                                    target=where, text=text, external_id=comment.id, key=None,
                                    at=now))
        self.world.notify()
        return 200, {"id": comment.id}

    def private_reply_target(self, account: Account, comment_id: str) -> tuple[str, str] | Answer:
        comment = self.comments.get(comment_id)
        if comment is None or comment.media.account is not account:
            return self.unknown(comment_id, "post")
        if comment.author == account.id:
            return self.fail(100, "(#100) Cannot send a private reply to your own comment")
        if self.world.clock() - comment.created >= PRIVATE_REPLY_WINDOW:
            return self.fail(10, "(#10) This message is sent outside of allowed window.",
                             self.window_subcode)
        if comment.private_replied:
            return self.fail(10, "(#10) A private reply has already been sent to this comment",
                             2534023)
        comment.private_replied = True
        return comment.author, "private reply"
