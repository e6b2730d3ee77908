"""The Bluesky simulator's PDS and AppView half: repo records, posts,
profiles, notifications and feeds (the XRPC methods are described in
:mod:`smm_desk.sim.bluesky`), plus the small wire helpers (TIDs, CIDs,
timestamps, XRPC errors) the other halves share.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from smm_desk.sim.world import Delivered, SimWorld, json_response

NETWORK = "bluesky"
POST = "app.bsky.feed.post"
_B32 = "234567abcdefghijklmnopqrstuvwxyz"
_TID = re.compile(r"[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}")


def iso(at: datetime) -> str:
    at = at.astimezone(UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def b32(data: bytes, size: int) -> str:
    n = int.from_bytes(data, "big")
    return "".join(_B32[(n >> (5 * i)) & 31] for i in range(size))


def cid_for(content: Any) -> str:
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).digest()
    return "bafyrei" + b32(digest, 52)


def tid(micros: int, clock_id: int = 0) -> str:
    value = (micros << 10) | (clock_id & 0x3FF)
    return "".join(_B32[(value >> (5 * i)) & 31] for i in reversed(range(13)))


def xrpc_error(status: int, name: str, message: str,
               headers: dict[str, str] | None = None) -> httpx.Response:
    """An XRPC error answer: ``{"error": name, "message": message}``."""
    return json_response(status, {"error": name, "message": message}, headers)


@dataclass
class Brand:
    """A brand account: its app password, identity and per-account counters."""

    password: str
    did: str
    handle: str
    dm_access: bool = True
    post: str | None = None
    #: createSession calls (times), for the 30 / 5 min limit.
    logins: list[datetime] = field(default_factory=list)
    period: int = -1
    used: int = 0
    logs: list[dict[str, Any]] = field(default_factory=list)


class BlueskyFeeds:
    """Posts, profiles and notifications, and the XRPC methods that read and
    write them. Every method expects the world lock to be held."""

    def __init__(self, world: SimWorld) -> None:
        self.world = world
        self._brands: dict[str, Brand] = {}  # app password -> brand
        self._profiles: dict[str, dict[str, Any]] = {}
        self._posts: dict[str, dict[str, Any]] = {}
        self._notifications: dict[str, list[dict[str, Any]]] = {}
        self._alias: dict[tuple[str, str], str] = {}
        self._seq = itertools.count(1)
        self._last_tid = 0

    # -- reading ----------------------------------------------------------------------

    @staticmethod
    def _page(request: httpx.Request, items: list[dict[str, Any]],
              key: str) -> tuple[list[dict[str, Any]], str | None]:
        """Newest first by (``key``, seq); the cursor walks backwards."""
        query = request.url.params
        try:
            limit = int(query.get("limit") or 50)
        except ValueError:
            limit = -1
        if not 1 <= limit <= 100:
            raise Invalid("limit must be between 1 and 100")
        ordered = sorted(items, key=lambda i: (i[key], i["_seq"]), reverse=True)
        cursor = query.get("cursor")
        if cursor:
            at, _, seq = cursor.partition("::")
            if not seq.isdigit():
                raise Invalid("Malformed cursor")
            ordered = [i for i in ordered if (i[key], i["_seq"]) < (at, int(seq))]
        page = ordered[:limit]
        next_cursor = f"{page[-1][key]}::{page[-1]['_seq']}" if page else None
        return page, next_cursor

    def _list_notifications(self, request: httpx.Request, brand: Brand) -> tuple[int, Any]:
        reasons = request.url.params.get_list("reasons")
        items = [n for n in self._notifications[brand.did]
                 if not reasons or n["reason"] in reasons]
        try:
            page, cursor = self._page(request, items, "indexedAt")
        except Invalid as exc:
            return 400, {"error": "InvalidRequest", "message": str(exc)}
        out: dict[str, Any] = {"notifications": [_public(n) for n in page],
                               "seenAt": iso(self.world.clock())}
        if cursor:
            out["cursor"] = cursor
        return 200, out

    def _author_feed(self, request: httpx.Request, brand: Brand) -> tuple[int, Any]:
        del brand
        actor = request.url.params.get("actor", "")
        did = next((d for d, p in self._profiles.items() if actor in (d, p["handle"])), None)
        if did is None:
            return 400, {"error": "InvalidRequest", "message": "Profile not found"}
        posts = [p for p in self._posts.values() if p["author"] == did]
        try:
            page, cursor = self._page(request, posts, "indexedAt")
        except Invalid as exc:
            return 400, {"error": "InvalidRequest", "message": str(exc)}
        feed = []
        for post in page:
            item: dict[str, Any] = {"post": self._view(post)}
            reply = post["record"].get("reply")
            if reply:
                item["reply"] = {name: self._view_or_missing(reply[name]["uri"])
                                 for name in ("root", "parent")}
            feed.append(item)
        out: dict[str, Any] = {"feed": feed}
        if cursor:
            out["cursor"] = cursor
        return 200, out

    def _get_record(self, request: httpx.Request) -> httpx.Response:
        query = request.url.params
        repo = query.get("repo", "")
        did = next((d for d, p in self._profiles.items() if repo in (d, p["handle"])), repo)
        uri = f"at://{did}/{query.get('collection', '')}/{query.get('rkey', '')}"
        post = self._posts.get(uri)
        if post is None:
            return xrpc_error(400, "RecordNotFound", f"Could not locate record: {uri}")
        return json_response(200, {"uri": uri, "cid": post["cid"],
                                   "value": copy.deepcopy(post["record"])})

    # -- writing ----------------------------------------------------------------------

    def _create_record(self, request: httpx.Request, brand: Brand) -> tuple[int, Any]:
        body = json_body(request)
        if body is None:
            return 400, {"error": "InvalidRequest", "message": "Request body must be JSON"}
        if body.get("repo") not in (brand.did, brand.handle):
            return 403, {"error": "InvalidRequest", "message": "Invalid repo"}
        if body.get("collection") != POST:
            return 400, {"error": "InvalidRequest", "message": "simulator: only posts"}
        record = body.get("record")
        problem = _invalid_post(record)
        if problem:
            return 400, {"error": "InvalidRecord",
                         "message": f"Invalid app.bsky.feed.post record: {problem}"}
        assert isinstance(record, dict)
        rkey = body.get("rkey")
        if rkey is None:
            rkey = self._next_tid()
        if not isinstance(rkey, str) or not _TID.fullmatch(rkey):
            return 400, {"error": "InvalidRequest", "message": "Invalid record key"}
        uri = f"at://{brand.did}/{POST}/{rkey}"
        if uri in self._posts:  # the MST refuses a second value at one key
            return 500, {"error": "InternalServerError", "message": "Internal Server Error"}
        post = self._store_post(brand.did, uri, record)
        now = self.world.clock()
        self.world.record(Delivered(
            network=NETWORK, account=brand.handle, method="com.atproto.repo.createRecord",
            target=record.get("reply", {}).get("parent", {}).get("uri", ""),
            text=record["text"], external_id=uri, key=rkey, at=now))
        self.world.notify()
        return 200, {"uri": uri, "cid": post["cid"], "validationStatus": "valid",
                     "commit": {"cid": cid_for({"commit": uri}), "rev": self._next_tid()}}

    # -- state helpers (world lock held) -----------------------------------------------

    def _brand(self, token: str) -> Brand:
        brand = self._brands.get(token)
        if brand is None:
            raise KeyError("unknown token: call add_account first")
        return brand

    def _next_tid(self) -> str:
        micros = int(self.world.clock().timestamp() * 1_000_000)
        self._last_tid = max(self._last_tid + 1, micros)
        return tid(self._last_tid, 7)

    @staticmethod
    def _did_for(seed: str) -> str:
        return "did:plc:" + b32(hashlib.sha256(seed.encode("utf-8", "replace")).digest(), 24)

    def _profile(self, did: str, handle: str, name: str) -> dict[str, Any]:
        profile = {"did": did, "handle": handle, "displayName": name, "labels": [],
                   "avatar": f"https://cdn.bsky.app/img/avatar/plain/{did}/sim@jpeg",
                   "createdAt": "2024-01-01T00:00:00.000Z"}
        self._profiles[did] = profile
        return profile

    def _customer(self, author_id: str, author_name: str) -> str:
        did = self._did_for(f"customer:{author_id}")
        if did not in self._profiles:
            slug = re.sub(r"[^a-z0-9-]", "", author_name.lower().replace(" ", "-"))[:18]
            handle = f"{slug or 'user'}.bsky.social"
            if any(p["handle"] == handle for p in self._profiles.values()):
                handle = f"{slug or 'user'}-{did[-5:]}.bsky.social"
            self._profile(did, handle, author_name)
        return did

    def _basic(self, did: str) -> dict[str, Any]:
        p = self._profiles[did]
        return {"did": did, "handle": p["handle"], "displayName": p["displayName"],
                "avatar": p["avatar"], "labels": []}

    def _new_post(self, did: str, text: str, at: datetime | None,
                  parent: dict[str, Any] | None, *, mention: str | None = None,
                  quote: dict[str, Any] | None = None) -> dict[str, Any]:
        record: dict[str, Any] = {"$type": POST, "text": text,
                                  "createdAt": iso(at or self.world.clock()), "langs": ["en"]}
        if parent is not None:
            root = parent["record"].get("reply", {}).get("root") or {
                "uri": parent["uri"], "cid": parent["cid"]}
            record["reply"] = {"root": dict(root),
                               "parent": {"uri": parent["uri"], "cid": parent["cid"]}}
        if mention is not None:
            handle = self._profiles[mention]["handle"]
            end = len(f"@{handle}".encode())
            record["facets"] = [{"index": {"byteStart": 0, "byteEnd": end}, "features": [
                {"$type": "app.bsky.richtext.facet#mention", "did": mention}]}]
        if quote is not None:
            record["embed"] = {"$type": "app.bsky.embed.record",
                               "record": {"uri": quote["uri"], "cid": quote["cid"]}}
        return self._store_post(did, f"at://{did}/{POST}/{self._next_tid()}", record)

    def _store_post(self, did: str, uri: str, record: dict[str, Any]) -> dict[str, Any]:
        post = {"uri": uri, "cid": cid_for({"uri": uri, "record": record}), "author": did,
                "record": copy.deepcopy(record), "indexedAt": iso(self.world.clock()),
                "_seq": next(self._seq), "replyCount": 0}
        self._posts[uri] = post
        for brand in self._brands.values():
            if brand.did != did:
                reason = self._reason(brand.did, post)
                if reason is not None:
                    subject = (record.get("reply", {}).get("parent", {}).get("uri")
                               if reason == "reply" else None)
                    self._notifications[brand.did].append({
                        "uri": uri, "cid": post["cid"], "author": self._basic(did),
                        "reason": reason, "reasonSubject": subject,
                        "record": copy.deepcopy(record), "isRead": False,
                        "indexedAt": post["indexedAt"], "labels": [], "_seq": post["_seq"]})
        reply = record.get("reply")
        if reply and reply["parent"]["uri"] in self._posts:
            self._posts[reply["parent"]["uri"]]["replyCount"] += 1
        return post

    def _reason(self, brand_did: str, post: dict[str, Any]) -> str | None:
        record = post["record"]
        reply = record.get("reply")
        if reply:
            for ref in (reply["parent"], reply["root"]):
                target = self._posts.get(ref["uri"])
                if target is not None and target["author"] == brand_did:
                    return "reply"
        for facet in record.get("facets", []):
            for feature in facet.get("features", []):
                if feature.get("did") == brand_did:
                    return "mention"
        quoted = record.get("embed", {}).get("record", {}).get("uri")
        if quoted and self._posts.get(quoted, {}).get("author") == brand_did:
            return "quote"
        return None

    def _view(self, post: dict[str, Any]) -> dict[str, Any]:
        return {"uri": post["uri"], "cid": post["cid"], "author": self._basic(post["author"]),
                "record": copy.deepcopy(post["record"]), "replyCount": post["replyCount"],
                "repostCount": 0, "likeCount": 0, "quoteCount": 0,
                "indexedAt": post["indexedAt"], "labels": []}

    def _view_or_missing(self, uri: str) -> dict[str, Any]:
        post = self._posts.get(uri)
        if post is None:
            return {"$type": "app.bsky.feed.defs#notFoundPost", "uri": uri, "notFound": True}
        return self._view(post)


class Invalid(ValueError):
    pass


def _public(item: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in item.items() if not k.startswith("_")}


def json_body(request: httpx.Request) -> dict[str, Any] | None:
    try:
        body = json.loads(request.content or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def _invalid_post(record: Any) -> str:
    """Why ``record`` is not a valid app.bsky.feed.post ("" when it is)."""
    if not isinstance(record, dict) or record.get("$type") != POST:
        return "Record/$type must be app.bsky.feed.post"
    text = record.get("text")
    if not isinstance(text, str):
        return "Record must have the property \"text\""
    if len(text) > 300:
        return "Record/text must not be longer than 300 graphemes"
    if len(text.encode("utf-8", "surrogatepass")) > 3000:
        return "Record/text must not be longer than 3000 characters"
    if not isinstance(record.get("createdAt"), str):
        return "Record must have the property \"createdAt\""
    reply = record.get("reply")
    if reply is not None:
        for name in ("root", "parent"):
            ref = reply.get(name) if isinstance(reply, dict) else None
            if not (isinstance(ref, dict) and isinstance(ref.get("uri"), str)
                    and ref["uri"].startswith("at://") and isinstance(ref.get("cid"), str)):
                return f"Record/reply/{name} must be a strong ref (uri, cid)"
    return ""
