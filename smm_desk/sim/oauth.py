"""A simulated OAuth 2.0 authorization server, shared by the network simulators.

A network handler that offers OAuth owns one :class:`SimOAuth` and routes its
authorize and token paths to it:

* ``authorize(request)`` stands in for the consent page: the simulated user
  always consents, so it answers ``302`` to ``redirect_uri`` with ``code`` and
  the caller's ``state`` (a loopback redirect must be ``http://127.0.0.1:<port>``
  or ``http://localhost:<port>``, RFC 8252 §7.3; anything else is refused).
* ``token(request)`` handles ``authorization_code`` (checking the PKCE
  ``code_verifier`` against the challenge, S256) and ``refresh_token`` grants,
  with ``client_id`` in the form or in HTTP Basic auth. Access tokens last
  ``lifetime``; refresh tokens rotate on every use when ``rotate`` is set, and a
  used or unknown one gets ``400 {"error": "invalid_grant"}``.

The handler asks :meth:`SimOAuth.account_for` which account a bearer token
belongs to: the static token it was created with stays valid (what the tests
paste), and so does every live access token issued here.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx


def _json(status: int, body: object) -> httpx.Response:
    return httpx.Response(status, headers={"Content-Type": "application/json"},
                          content=json.dumps(body).encode())


@dataclass
class _Grant:
    account: str
    challenge: str | None
    method: str
    redirect_uri: str
    client_id: str


@dataclass
class SimOAuth:
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    lifetime: timedelta = timedelta(hours=1)
    rotate: bool = True
    #: client_id -> client_secret (None: a public client, PKCE only).
    clients: dict[str, str | None] = field(default_factory=lambda: {"sim-client": None})
    #: The account the simulated user signs in as, on the next authorize.
    signed_in: str = ""

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._seq = itertools.count(1)
        self._codes: dict[str, _Grant] = {}
        self._access: dict[str, tuple[str, datetime]] = {}
        self._refresh: dict[str, str] = {}
        #: Every token request's grant type, in order (tests read it).
        self.grants: list[str] = []

    # -- tokens a handler checks -------------------------------------------------------
    def issue(self, account: str) -> tuple[str, str]:
        """A fresh (access, refresh) pair for ``account``, as a sign-in would give."""
        with self._lock:
            n = next(self._seq)
            access, refresh = f"sim-at-{account}-{n}", f"sim-rt-{account}-{n}"
            self._access[access] = (account, self.clock() + self.lifetime)
            self._refresh[refresh] = account
        return access, refresh

    def account_for(self, access_token: str) -> str | None:
        """The account of a live issued access token (None: unknown or expired)."""
        with self._lock:
            found = self._access.get(access_token)
        if found is None or self.clock() >= found[1]:
            return None
        return found[0]

    # -- endpoints ---------------------------------------------------------------------
    def authorize(self, request: httpx.Request) -> httpx.Response:
        q = dict(request.url.params)
        redirect = q.get("redirect_uri", "")
        host = urllib.parse.urlsplit(redirect).hostname
        if host not in ("127.0.0.1", "localhost", "[::1]", "::1"):
            return _json(400, {"error": "invalid_request",
                               "error_description": "redirect_uri must be a loopback address"})
        if q.get("client_id") not in self.clients or q.get("response_type") != "code":
            return _json(400, {"error": "unauthorized_client"})
        with self._lock:
            code = f"sim-code-{next(self._seq)}"
            self._codes[code] = _Grant(self.signed_in, q.get("code_challenge"),
                                       q.get("code_challenge_method", "plain"), redirect,
                                       q["client_id"])
        params = {"code": code}
        if "state" in q:
            params["state"] = q["state"]
        return httpx.Response(302, headers={
            "Location": redirect + ("&" if "?" in redirect else "?")
            + urllib.parse.urlencode(params)})

    def token(self, request: httpx.Request) -> httpx.Response:
        form = dict(urllib.parse.parse_qsl(request.content.decode("utf-8", "replace")))
        client_id, secret = form.get("client_id"), form.get("client_secret")
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            try:
                client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            except ValueError:
                return _json(401, {"error": "invalid_client"})
        if client_id not in self.clients or (self.clients[client_id] or None) != (secret or None):
            return _json(401, {"error": "invalid_client"})
        grant = form.get("grant_type", "")
        self.grants.append(grant)
        if grant == "authorization_code":
            with self._lock:
                pending = self._codes.pop(form.get("code", ""), None)
            if pending is None or pending.redirect_uri != form.get("redirect_uri"):
                return _json(400, {"error": "invalid_grant"})
            if pending.challenge is not None and not _pkce_ok(
                    form.get("code_verifier", ""), pending.challenge, pending.method):
                return _json(400, {"error": "invalid_grant",
                                   "error_description": "code_verifier does not match"})
            account = pending.account
        elif grant == "refresh_token":
            with self._lock:
                account = self._refresh.get(form.get("refresh_token", ""), "")
                if account and self.rotate:
                    del self._refresh[form["refresh_token"]]
            if not account:
                return _json(400, {"error": "invalid_grant"})
        else:
            return _json(400, {"error": "unsupported_grant_type"})
        access, refresh = self.issue(account)
        body: dict[str, object] = {"access_token": access, "token_type": "bearer",
                                   "expires_in": int(self.lifetime.total_seconds())}
        if grant == "authorization_code" or self.rotate:
            body["refresh_token"] = refresh
        else:
            with self._lock:
                self._refresh.pop(refresh, None)
        return _json(200, body)


def _pkce_ok(verifier: str, challenge: str, method: str) -> bool:
    if method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == challenge
    return verifier == challenge
