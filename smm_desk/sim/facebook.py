"""A Facebook Page in memory: the Graph API endpoints SMM Desk uses.

Shapes from /work/shared/networks/facebook.md and the Graph API reference;
the conventions shared with Instagram (fields, paging, usage headers, errors,
faults, Messenger conversations and the Send API with its windows) are in
:mod:`smm_desk.sim.meta`. Served, under ``/v{N}.{M}/``:

* ``GET /me`` (the Page of a Page token), ``GET /me/accounts`` (Pages with
  their tokens, for a Facebook Login user token), ``GET /{page-id}``;
* ``GET /{page-id}/feed`` — posts newest first (``since``/``until`` on the
  creation time); a post's ``updated_time`` moves with each comment;
* ``GET /{post-id}/comments`` — ``filter=toplevel`` (default) or ``stream``
  (every comment and reply, flat), ``order=chronological`` (default) or
  ``reverse_chronological``; ``GET /{comment-id}/comments`` (its replies);
  ``GET /{comment-id}``; comment ids are ``{post number}_{comment number}``;
* ``POST /{post-id}/comments`` and ``POST /{comment-id}/comments``
  (``message``): the Page comments; an answer to a reply goes under the
  top-level comment (one level of nesting, as Facebook shows it);
* Messenger: ``/{page-id}/conversations?platform=messenger``,
  ``/{conversation}/messages``, ``POST /{page-id}/messages`` (see meta.py);
* Facebook Login: ``/v{N}/dialog/oauth`` and ``/v{N}/oauth/access_token``
  (``authorization_code`` through :class:`~smm_desk.sim.oauth.SimOAuth`, and
  ``fb_exchange_token`` for a long-lived user token).

Every accepted reply (comment or message) is recorded as a
:class:`~smm_desk.sim.world.Delivered`.
"""

from __future__ import annotations

import itertools
import re
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx

from smm_desk.sim.meta import (
    Account,
    Answer,
    GraphSim,
    graph_time,
    numeric_id,
    whole_second,
)
from smm_desk.sim.world import Delivered, SimWorld, json_response

NETWORK = "facebook"
_OAUTH = re.compile(r"^/v\d{1,3}\.\d{1,2}/(dialog/oauth|oauth/access_token)$")


@dataclass
class Post:
    id: str
    page: Account
    created: datetime
    message: str
    updated: datetime
    comments: list[str] = field(default_factory=list)


@dataclass
class Comment:
    id: str
    post: Post
    parent: str | None
    author: str
    message: str
    created: datetime


class FacebookSim(GraphSim):
    """The simulator's Facebook (a :class:`~smm_desk.sim.world.NetworkHandler`)."""

    network = NETWORK
    platform = "messenger"
    usage_type = "pages"
    limit_code = 80001
    window_subcode = 2018278
    max_text = 2000

    def __init__(self, world: SimWorld, **kwargs: Any) -> None:
        super().__init__(world, **kwargs)
        self.posts: dict[str, Post] = {}
        self.comments: dict[str, Comment] = {}
        self._aliases: dict[tuple[str, str], str] = {}
        self._numbers = itertools.count(998_877_665_544)

    # -- catalog contract ---------------------------------------------------------------

    def add_account(self, token: str, name: str) -> None:
        with self.world.lock:
            if token in self._tokens:
                return
            page_id = "1" + numeric_id("page:" + name + token, 14).rjust(14, "0")
            account = Account(token, name, page_id, owners={page_id})
            self.accounts[page_id] = account
            self.register_token(token, account)
            self.oauth.signed_in = page_id

    def account_options(self, token: str) -> dict[str, str]:
        with self.world.lock:
            return {"page_id": self.brand(token).id}

    def inject_dm(self, token: str, author_id: str, author_name: str, text: str,
                  at: datetime | None = None) -> str:
        with self.world.lock:
            account = self.brand(token)
            psid = numeric_id(author_id)
            account.customers[psid] = author_name
            message = self.add_message(account, psid, True, text,
                                       whole_second(at, self.world.clock()))
        self.world.notify()
        return str(message["id"])

    def inject_comment(self, token: str, post_id: str | None, author_id: str,
                       author_name: str, text: str, at: datetime | None = None) -> str:
        with self.world.lock:
            account = self.brand(token)
            when = whole_second(at, self.world.clock())
            post = self._post_for(account, post_id, when)
            user = numeric_id(author_id)
            account.customers[user] = author_name
            comment = self._comment(post, None, user, text, when)
        self.world.notify()
        return comment.id

    def inject_reply(self, token: str, comment_id: str, author_id: str, author_name: str,
                     text: str, at: datetime | None = None) -> str:
        """A customer replying under an existing comment."""
        with self.world.lock:
            account = self.brand(token)
            parent = self.comments[comment_id]
            user = numeric_id(author_id)
            account.customers[user] = author_name
            comment = self._comment(parent.post, parent.parent or parent.id, user, text,
                                    whole_second(at, self.world.clock()))
        self.world.notify()
        return comment.id

    def inject_brand_answer(self, token: str, answered_id: str, text: str,
                            at: datetime | None = None) -> str:
        """The Page answering in Facebook itself (a comment reply or a Messenger
        message to the author of ``answered_id``): no API call, no delivery."""
        with self.world.lock:
            account = self.brand(token)
            when = whole_second(at, self.world.clock())
            if answered_id in self.comments:
                answered = self.comments[answered_id]
                comment = self._comment(answered.post, answered.parent or answered.id,
                                        account.id, text, when)
                self.world.notify()
                return comment.id
            for conv in account.conversations.values():
                if any(m["id"] == answered_id for m in conv.messages):
                    message = self.add_message(account, conv.customer, False, text, when)
                    self.world.notify()
                    return str(message["id"])
        raise KeyError(f"nothing with id {answered_id!r}")

    def posted(self, token: str) -> list[dict[str, Any]]:
        """Replies accepted through the API for this Page (like MastodonSim.posted)."""
        return [d.__dict__.copy() for d in self.deliveries(token)]

    # -- state -----------------------------------------------------------------------------

    def _post_for(self, account: Account, post_id: str | None, when: datetime) -> Post:
        post = self.posts.get(post_id or "")
        if post is None and post_id:
            post = self.posts.get(self._aliases.get((account.id, post_id), ""))
        if post is None or post.page is not account:
            created = min(when, self.world.clock()) - timedelta(hours=1)
            number = next(self._numbers)
            post = Post(f"{account.id}_{number}", account, created.replace(microsecond=0),
                        f"News from {account.name}: what do you think?", created)
            self.posts[post.id] = post
            if post_id:
                self._aliases[(account.id, post_id)] = post.id
        return post

    def _comment(self, post: Post, parent: str | None, author: str, text: str,
                 when: datetime) -> Comment:
        number = post.id.split("_")[1]
        comment = Comment(f"{number}_{next(self._numbers)}", post, parent, author, text, when)
        self.comments[comment.id] = comment
        post.comments.append(comment.id)
        post.updated = max(post.updated, when)
        return comment

    def person(self, account: Account, person_id: str) -> dict[str, Any]:
        name = account.name if person_id == account.id else account.customers.get(person_id, "")
        return {"name": name, "email": f"{person_id}@facebook.com", "id": person_id}

    def _comment_json(self, comment: Comment) -> dict[str, Any]:
        account = comment.post.page
        body: dict[str, Any] = {
            "id": comment.id, "created_time": graph_time(comment.created),
            "from": {"name": self.person(account, comment.author)["name"], "id": comment.author},
            "message": comment.message, "can_reply_privately": comment.author != account.id,
            "can_comment": comment.parent is None,
            "comment_count": sum(1 for c in comment.post.comments
                                 if self.comments[c].parent == comment.id),
            "permalink_url": f"https://www.facebook.com/{comment.post.id}?comment_id={comment.id}",
        }
        if comment.parent is not None:
            parent = self.comments[comment.parent]
            body["parent"] = {"id": parent.id, "created_time": graph_time(parent.created),
                              "from": {"name": self.person(account, parent.author)["name"],
                                       "id": parent.author},
                              "message": parent.message}
        return body

    def _post_json(self, post: Post) -> dict[str, Any]:
        page, number = post.id.split("_")
        return {"id": post.id, "created_time": graph_time(post.created),
                "updated_time": graph_time(post.updated), "message": post.message,
                "permalink_url": f"https://www.facebook.com/{page}/posts/{number}",
                "from": {"name": post.page.name, "id": post.page.id}}

    # -- routing ---------------------------------------------------------------------------------

    def own_path(self, request: httpx.Request) -> bool:
        return bool(_OAUTH.match(request.url.path))

    def special(self, request: httpx.Request) -> httpx.Response | None:
        match = _OAUTH.match(request.url.path)
        if match is None:
            return None
        if match.group(1) == "dialog/oauth":
            return self.oauth.authorize(request)
        form = dict(request.url.params.items())
        if request.content:
            form.update(urllib.parse.parse_qsl(request.content.decode("utf-8", "replace")))
        if form.get("grant_type") == "fb_exchange_token":
            account = self.oauth.account_for(form.get("fb_exchange_token", ""))
            if account is None:
                return self.error(400, 190, "Invalid OAuth access token - Cannot parse "
                                  "access token")
            access, _ = self.oauth.issue(account)
            return json_response(200, {"access_token": access, "token_type": "bearer",
                                       "expires_in": 5_183_944})
        # Facebook documents the code exchange as a GET; SimOAuth reads a form body.
        as_form = httpx.Request("POST", request.url.copy_with(query=None),
                                headers={"Content-Type": "application/x-www-form-urlencoded",
                                         **({"Authorization": request.headers["Authorization"]}
                                            if "Authorization" in request.headers else {})},
                                content=urllib.parse.urlencode(form).encode())
        return self.oauth.token(as_form)

    def route(self, method: str, parts: list[str], params: dict[str, Any], account: Account,
              request: httpx.Request) -> Answer:
        head = parts[0] if parts else ""
        if head == "me" and len(parts) == 1 and method == "GET":
            return self.single(params, {"id": account.id, "name": account.name}, ("id", "name"))
        if parts == ["me", "accounts"] and method == "GET":
            pages = [{"id": account.id, "name": account.name, "access_token": account.token,
                      "category": "Shopping & retail",
                      "tasks": ["ANALYZE", "ADVERTISE", "MESSAGING", "MODERATE", "CREATE_CONTENT",
                                "MANAGE"]}]
            return self.listing(request, params, pages, ("id", "name", "access_token"))
        if head == account.id:
            if len(parts) == 1 and method == "GET":
                return self.single(params, {"id": account.id, "name": account.name,
                                            "access_token": account.token}, ("id", "name"))
            if parts[1:] == ["feed"] and method == "GET":
                return self._feed(request, params, account)
        post = self.posts.get(head)
        if post is not None and post.page is account:
            if len(parts) == 1 and method == "GET":
                return self.single(params, self._post_json(post), ("id", "created_time",
                                                                   "message"))
            if parts[1:] == ["comments"]:
                if method == "POST":
                    return self._create(account, post, None, params)
                return self._comments(request, params, post, None)
        comment = self.comments.get(head)
        if comment is not None and comment.post.page is account:
            if len(parts) == 1 and method == "GET":
                return self.single(params, self._comment_json(comment),
                                   ("id", "created_time", "from", "message"))
            if parts[1:] == ["comments"]:
                if method == "POST":
                    return self._create(account, comment.post, comment, params)
                return self._comments(request, params, comment.post, comment.id)
        return super().route(method, parts, params, account, request)

    def _feed(self, request: httpx.Request, params: dict[str, Any], account: Account) -> Answer:
        posts = [p for p in self.posts.values() if p.page is account]
        for key in ("since", "until"):
            if params.get(key):
                try:
                    limit = float(params[key])
                except ValueError:
                    return self.fail(100, f"(#100) Param {key} must be a unix time")
                later = key == "since"
                posts = [p for p in posts if (p.created.timestamp() >= limit) == later
                         or p.created.timestamp() == limit]
        posts.sort(key=lambda p: (p.created, p.id), reverse=True)
        return self.listing(request, params, posts, ("id", "created_time", "message"),
                            render=self._post_json)

    def _comments(self, request: httpx.Request, params: dict[str, Any], post: Post,
                  parent: str | None) -> Answer:
        chosen = [self.comments[c] for c in post.comments]
        if parent is not None:
            chosen = [c for c in chosen if c.parent == parent]
        elif params.get("filter", "toplevel") != "stream":
            chosen = [c for c in chosen if c.parent is None]
        chosen.sort(key=lambda c: (c.created, c.id),
                    reverse=params.get("order") == "reverse_chronological")
        return self.listing(request, params, chosen, ("id", "created_time", "from", "message"),
                            render=self._comment_json)

    def _create(self, account: Account, post: Post, target: Comment | None,
                params: dict[str, Any]) -> Answer:
        text = params.get("message")
        if not isinstance(text, str) or not text.strip():
            return self.fail(100, "(#100) Missing message or attachment")
        if len(text) > 8000:
            return self.fail(100, "(#100) The message is too long")
        now = whole_second(None, self.world.clock())
        parent = None if target is None else (target.parent or target.id)
        comment = self._comment(post, parent, account.id, text, now)
        where = target.id if target is not None else post.id
        self.world.record(Delivered(network=NETWORK, account=account.name,
                                    method=f"POST /{where}/comments", target=where, text=text,
                                    external_id=comment.id, key=None, at=now))
        self.world.notify()
        return 200, {"id": comment.id}
