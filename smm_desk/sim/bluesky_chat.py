"""The Bluesky simulator's sessions and chat: ``com.atproto.server``
createSession / refreshSession / getSession with JWT-shaped tokens, and the
``chat.bsky.convo`` methods (described in :mod:`smm_desk.sim.bluesky`).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

import httpx

from smm_desk.sim.bluesky_feed import (
    NETWORK,
    BlueskyFeeds,
    Brand,
    b32,
    iso,
    json_body,
    xrpc_error,
)
from smm_desk.sim.world import Delivered, SimWorld, json_response


class BlueskySessionsAndChat(BlueskyFeeds):
    """App-password sessions and direct-message conversations over the feeds'
    state. Every method expects the world lock to be held."""

    def __init__(self, world: SimWorld, *, access_lifetime: timedelta,
                 refresh_lifetime: timedelta) -> None:
        super().__init__(world)
        self.access_lifetime = access_lifetime
        self.refresh_lifetime = refresh_lifetime
        self._convos: dict[str, dict[str, Any]] = {}
        self._access: dict[str, tuple[str, datetime]] = {}
        self._refresh: dict[str, tuple[str, datetime]] = {}
        #: Every createSession / refreshSession call, in order (tests read it).
        self.sessions: list[str] = []

    # -- sessions ---------------------------------------------------------------------

    def _jwt(self, kind: str, did: str, lifetime: timedelta) -> tuple[str, datetime]:
        now = self.world.clock()
        exp = now + lifetime
        header = {"typ": "at+jwt" if kind == "access" else "refresh+jwt", "alg": "HS256"}
        claims = {"scope": "com.atproto.appPass" if kind == "access" else "com.atproto.refresh",
                  "sub": did, "aud": "did:web:bsky.social", "iat": int(now.timestamp()),
                  "exp": int(exp.timestamp()), "jti": f"sim-{next(self._seq)}"}
        head = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(claims).encode())
        return head + "." + _b64(hashlib.sha256(head.encode()).digest()), exp

    def _session_body(self, brand: Brand) -> dict[str, Any]:
        access, access_exp = self._jwt("access", brand.did, self.access_lifetime)
        refresh, refresh_exp = self._jwt("refresh", brand.did, self.refresh_lifetime)
        self._access[access] = (brand.did, access_exp)
        self._refresh[refresh] = (brand.did, refresh_exp)
        return {"accessJwt": access, "refreshJwt": refresh, "handle": brand.handle,
                "did": brand.did, "active": True,
                "didDoc": {"id": brand.did, "service": [{
                    "id": "#atproto_pds", "type": "AtprotoPersonalDataServer",
                    "serviceEndpoint": "https://pds.sim.example"}]}}

    def _create_session(self, request: httpx.Request) -> httpx.Response:
        body = json_body(request)
        identifier = body.get("identifier") if body else None
        password = body.get("password") if body else None
        if not isinstance(identifier, str) or not isinstance(password, str):
            return xrpc_error(400, "InvalidRequest", "Input must have the property \"identifier\"")
        brand = self._brands.get(password)
        if brand is None or identifier.lstrip("@").lower() not in (brand.handle.lower(),
                                                                    brand.did):
            return xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
        now = self.world.clock()
        brand.logins = [t for t in brand.logins if now - t < timedelta(minutes=5)]
        if len(brand.logins) >= 30:
            reset = int((brand.logins[0] + timedelta(minutes=5)).timestamp())
            return xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded", {
                "RateLimit-Limit": "30", "RateLimit-Remaining": "0",
                "RateLimit-Reset": str(reset), "RateLimit-Policy": "30;w=300"})
        brand.logins.append(now)
        self.sessions.append("createSession")
        return json_response(200, self._session_body(brand))

    def _refresh_session(self, request: httpx.Request) -> httpx.Response:
        token = _bearer(request)
        if token is None:
            return xrpc_error(401, "AuthMissing", "Authentication Required")
        found = self._refresh.pop(token, None)  # rotates: a used refresh JWT is gone
        if found is None:
            return xrpc_error(400, "InvalidToken", "Token could not be verified")
        did, exp = found
        if self.world.clock() >= exp:
            return xrpc_error(400, "ExpiredToken", "Token has expired")
        brand = next(b for b in self._brands.values() if b.did == did)
        self.sessions.append("refreshSession")
        return json_response(200, self._session_body(brand))

    def _authorize(self, request: httpx.Request) -> Brand | httpx.Response:
        token = _bearer(request)
        if token is None:
            return xrpc_error(401, "AuthMissing", "Authentication Required")
        found = self._access.get(token)
        if found is None:
            return xrpc_error(401, "InvalidToken", "Token could not be verified")
        did, exp = found
        if self.world.clock() >= exp:
            return xrpc_error(400, "ExpiredToken", "Token has expired")
        return next(b for b in self._brands.values() if b.did == did)

    def _get_session(self, request: httpx.Request, brand: Brand) -> tuple[int, Any]:
        del request
        return 200, {"handle": brand.handle, "did": brand.did, "active": True}

    # -- chat -------------------------------------------------------------------------

    def _get_log(self, request: httpx.Request, brand: Brand) -> tuple[int, Any]:
        cursor = request.url.params.get("cursor") or ""
        logs = [log for log in brand.logs if log["rev"] > cursor][:100]
        return 200, {"cursor": logs[-1]["rev"] if logs else cursor or None,
                     "logs": copy.deepcopy(logs)}

    def _convo_of(self, request: httpx.Request, brand: Brand) -> dict[str, Any] | None:
        convo_id = request.url.params.get("convoId")
        if convo_id is None:
            body = json_body(request) or {}
            convo_id = body.get("convoId")
        convo = self._convos.get(convo_id) if isinstance(convo_id, str) else None
        return convo if convo is not None and brand.did in convo["members"] else None

    def _convo_view(self, convo: dict[str, Any]) -> dict[str, Any]:
        return {"id": convo["id"], "rev": convo["rev"], "muted": False, "status": "accepted",
                "unreadCount": 0,
                "members": [self._basic(d) for d in convo["members"]],
                "lastMessage": copy.deepcopy(convo["messages"][-1]) if convo["messages"]
                else None}

    def _get_convo(self, request: httpx.Request, brand: Brand) -> tuple[int, Any]:
        convo = self._convo_of(request, brand)
        if convo is None:
            return 400, {"error": "InvalidRequest", "message": "Convo not found"}
        return 200, {"convo": self._convo_view(convo)}

    def _list_convos(self, request: httpx.Request, brand: Brand) -> tuple[int, Any]:
        """The brand's conversations, most recent activity first (``rev`` descending);
        the cursor is the last listed conversation's rev."""
        try:
            limit = min(100, max(1, int(request.url.params.get("limit") or 50)))
        except ValueError:
            return 400, {"error": "InvalidRequest", "message": "limit must be an integer"}
        cursor = request.url.params.get("cursor")
        mine = sorted((c for c in self._convos.values() if brand.did in c["members"]),
                      key=lambda c: c["rev"], reverse=True)
        if cursor:
            mine = [c for c in mine if c["rev"] < cursor]
        page = mine[:limit]
        body: dict[str, Any] = {"convos": [self._convo_view(c) for c in page]}
        if len(mine) > limit:
            body["cursor"] = page[-1]["rev"]
        return 200, body

    def _get_messages(self, request: httpx.Request, brand: Brand) -> tuple[int, Any]:
        convo = self._convo_of(request, brand)
        if convo is None:
            return 400, {"error": "InvalidRequest", "message": "Convo not found"}
        try:
            limit = min(100, max(1, int(request.url.params.get("limit") or 50)))
        except ValueError:
            return 400, {"error": "InvalidRequest", "message": "limit must be an integer"}
        return 200, {"messages": copy.deepcopy(convo["messages"][::-1][:limit])}

    def _send_message(self, request: httpx.Request, brand: Brand) -> tuple[int, Any]:
        convo = self._convo_of(request, brand)
        body = json_body(request) or {}
        message = body.get("message")
        text = message.get("text") if isinstance(message, dict) else None
        if convo is None:
            return 400, {"error": "InvalidRequest", "message": "Convo not found"}
        if not isinstance(text, str) or not text.strip() or len(text) > 1000:
            return 400, {"error": "InvalidRequest", "message": "Invalid message text"}
        sent = self._message(brand, convo, brand.did, text, None)
        self.world.record(Delivered(
            network=NETWORK, account=brand.handle, method="chat.bsky.convo.sendMessage",
            target=convo["id"], text=text, external_id=sent["id"], key=None,
            at=self.world.clock()))
        self.world.notify()
        return 200, copy.deepcopy(sent)

    # -- state helpers (world lock held) -----------------------------------------------

    def _convo(self, brand: Brand, customer: str) -> dict[str, Any]:
        for convo in self._convos.values():
            if set(convo["members"]) == {brand.did, customer}:
                return convo
        convo_id = b32(hashlib.sha256(f"{brand.did}|{customer}".encode()).digest(), 13)
        rev = self._next_tid()
        convo = {"id": convo_id, "rev": rev, "members": [brand.did, customer], "messages": []}
        self._convos[convo_id] = convo
        brand.logs.append({"$type": "chat.bsky.convo.defs#logBeginConvo", "rev": rev,
                           "convoId": convo_id})
        return convo

    def _message(self, brand: Brand, convo: dict[str, Any], sender: str, text: str,
                 at: datetime | None) -> dict[str, Any]:
        rev = self._next_tid()
        message = {"$type": "chat.bsky.convo.defs#messageView", "id": rev, "rev": rev,
                   "text": text, "sender": {"did": sender},
                   "sentAt": iso(at or self.world.clock())}
        convo["messages"].append(message)
        convo["rev"] = rev
        brand.logs.append({"$type": "chat.bsky.convo.defs#logCreateMessage", "rev": rev,
                           "convoId": convo["id"], "message": copy.deepcopy(message)})
        return message


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _bearer(request: httpx.Request) -> str | None:
    auth = request.headers.get("Authorization", "")
    if not auth.startswith("Bearer ") or not auth[7:].strip():
        return None
    return str(auth[7:]).strip()
