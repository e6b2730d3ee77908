"""OAuth 2.0 for networks that offer it: the provider facts, PKCE, the code
exchange and refresh (RFC 6749, RFC 7636, RFC 8252 for native apps).

Each OAuth network's connector declares an :class:`OAuthProvider` (its
authorize and token endpoints, scopes, how the client authenticates). The
browser sign-in itself (system browser → consent page → loopback redirect with
PKCE) lives in :mod:`smm_desk.connectors.oauth_flow`; this module is the part a
running connector needs: :class:`TokenKeeper` hands out an access token that
is refreshed shortly before it expires, stores every new token in the
account's :class:`~smm_desk.connectors.credentials.Credentials` *before* using
it (a rotated refresh token must never be lost to a crash), and teaches the
HTTP client to redact it.

Endpoints are absolute URLs of the real network. An account added with
``--base-url`` (a proxy, the simulator) sends them to that host instead, path
kept: :meth:`OAuthProvider.at`.

Client identity: ``client_id`` is an account option (not secret); a
``client_secret`` — where the network's app type has one (Reddit "web" apps,
Google desktop clients) — is a keyring secret. Public clients (PKCE, no secret)
are preferred wherever the network allows them.
"""

from __future__ import annotations

import base64
import hashlib
import secrets as pysecrets
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

import httpx

from smm_desk.connectors.errors import AuthError, BadPayload

if TYPE_CHECKING:
    from smm_desk.connectors.credentials import Credentials
    from smm_desk.connectors.http import HttpClient

#: Refresh this long before the network's expiry, so a slow request never
#: carries a token that lapses in flight.
REFRESH_MARGIN = timedelta(minutes=5)


@dataclass(frozen=True)
class OAuthProvider:
    """One network's OAuth facts."""

    authorize_url: str
    token_url: str
    scopes: tuple[str, ...]
    #: How scopes are joined in the authorize URL (space for most; Reddit takes commas too).
    scope_separator: str = " "
    #: "basic": client_id:client_secret in an Authorization header (Reddit, X
    #: confidential clients); "body": client_id (and secret) as form fields.
    client_auth: Literal["basic", "body"] = "body"
    pkce: bool = True
    #: Extra authorize parameters (Google: access_type=offline, prompt=consent;
    #: Reddit: duration=permanent).
    authorize_params: Mapping[str, str] = field(default_factory=dict)
    #: Where the developer registers the app, for the connect dialog's guide.
    console_url: str = ""

    def at(self, base_url: str | None) -> OAuthProvider:
        """The same provider with its endpoints moved to ``base_url``'s host."""
        if not base_url:
            return self
        return replace(self, authorize_url=_rebase(self.authorize_url, base_url),
                       token_url=_rebase(self.token_url, base_url))


def _rebase(url: str, base_url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    base = urllib.parse.urlsplit(base_url)
    path = base.path.rstrip("/") + parts.path
    return urllib.parse.urlunsplit((base.scheme, base.netloc, path, parts.query, ""))


@dataclass(frozen=True)
class Pkce:
    verifier: str
    challenge: str
    method: str = "S256"

    @classmethod
    def new(cls) -> Pkce:
        verifier = pysecrets.token_urlsafe(64)[:96]  # 43..128 chars of [A-Za-z0-9-._~]
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        return cls(verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii"))


def authorize_url(provider: OAuthProvider, client_id: str, redirect_uri: str, state: str,
                  pkce: Pkce | None) -> str:
    params = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
              "scope": provider.scope_separator.join(provider.scopes), "state": state,
              **provider.authorize_params}
    if pkce is not None:
        params["code_challenge"] = pkce.challenge
        params["code_challenge_method"] = pkce.method
    sep = "&" if "?" in provider.authorize_url else "?"
    return provider.authorize_url + sep + urllib.parse.urlencode(params)


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    refresh_token: str | None
    expires_at: datetime | None
    scope: str = ""


def parse_token_response(body: Any, now: datetime) -> TokenSet:
    """RFC 6749 §5.1 (``access_token``, ``expires_in``, ``refresh_token``)."""
    if not isinstance(body, dict) or not isinstance(body.get("access_token"), str) \
            or not body["access_token"]:
        raise BadPayload("token endpoint: no access_token in the answer")
    expires_in = body.get("expires_in")
    expires_at = None
    # Whole seconds by the RFC; less than one is no usable lifetime (treated as none).
    if isinstance(expires_in, int | float) and not isinstance(expires_in, bool) \
            and expires_in >= 1:
        try:
            expires_at = now + timedelta(seconds=float(expires_in))
        except (OverflowError, ValueError):  # inf, 1e300: no usable expiry
            expires_at = None
    refresh = body.get("refresh_token")
    scope = body.get("scope")
    return TokenSet(body["access_token"], refresh if isinstance(refresh, str) and refresh
                    else None, expires_at, scope if isinstance(scope, str) else "")


async def token_request(http: HttpClient, provider: OAuthProvider, form: dict[str, str],
                        client_id: str, client_secret: str | None, now: datetime) -> TokenSet:
    """POST ``form`` to the token endpoint with the provider's client auth."""
    headers: dict[str, str] = {"Accept": "application/json"}
    form = dict(form)
    if provider.client_auth == "basic":
        pair = f"{client_id}:{client_secret or ''}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
    else:
        form["client_id"] = client_id
        if client_secret:
            form["client_secret"] = client_secret
    for name in ("client_secret", "code", "refresh_token", "code_verifier"):
        if form.get(name):
            http.add_secret(form[name])
    if client_secret:
        http.add_secret(client_secret)
    response = await http.request("POST", provider.token_url, retry_safe=False, data=form,
                                  headers=headers, check=_token_errors)
    body = _json(response)
    if isinstance(body, dict) and body.get("error"):
        # invalid_grant: the refresh token was revoked or already rotated.
        raise AuthError(f"token endpoint refused: {body.get('error')}",
                        network_message=str(body.get("error_description") or body["error"]))
    tokens = parse_token_response(body, now)
    http.add_secret(tokens.access_token)
    if tokens.refresh_token:
        http.add_secret(tokens.refresh_token)
    return tokens


def _token_errors(response: httpx.Response) -> None:
    """RFC 6749 §5.2: a 400/401 with ``error`` (invalid_grant, invalid_client…)
    means only a new sign-in helps."""
    if response.status_code in (400, 401):
        try:
            body = response.json()
        except ValueError:
            return
        if isinstance(body, dict) and isinstance(body.get("error"), str):
            raise AuthError(f"token endpoint refused: {body['error']}",
                            network_message=str(body.get("error_description") or body["error"]),
                            status=response.status_code)


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        raise BadPayload("token endpoint: the answer is not JSON") from None


async def exchange_code(http: HttpClient, provider: OAuthProvider, code: str,
                        redirect_uri: str, client_id: str, client_secret: str | None,
                        pkce: Pkce | None, now: datetime) -> TokenSet:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if pkce is not None:
        form["code_verifier"] = pkce.verifier
    return await token_request(http, provider, form, client_id, client_secret, now)


def store_tokens(credentials: Credentials, tokens: TokenSet) -> None:
    """Keep a new token set: refresh token first (it may have rotated), then
    the access token and its expiry."""
    if tokens.refresh_token:
        credentials.put("refresh_token", tokens.refresh_token)
    credentials.put("token", tokens.access_token)
    if tokens.expires_at is not None:
        credentials.put("token_expires_at", tokens.expires_at.isoformat())


class TokenKeeper:
    """A connector's access token, refreshed before it expires.

    ``await keeper.token()`` before each request (cheap when nothing is due);
    ``await keeper.refresh()`` after a 401 that says the token expired. The
    header is set on the HTTP client by ``apply`` (default: ``Authorization:
    Bearer``). A network with its own refresh call (Instagram-login's
    ``refresh_access_token``, Bluesky's ``refreshSession``) passes ``refresher``.
    """

    def __init__(self, http: HttpClient, credentials: Credentials,
                 provider: OAuthProvider | None, client_id: str,
                 clock: Callable[[], datetime],
                 apply: Callable[[str], None] | None = None,
                 refresher: Callable[[], Any] | None = None) -> None:
        self.http = http
        self.credentials = credentials
        self.provider = provider
        self.client_id = client_id
        self.clock = clock
        self._apply = apply or (lambda t: http.set_header("Authorization", f"Bearer {t}"))
        self._refresher = refresher
        self._current: str | None = None

    def expires_at(self) -> datetime | None:
        raw = self.credentials.get("token_expires_at")
        if not raw:
            return None
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            return None
        return value if value.tzinfo is not None else None

    def due(self) -> bool:
        expires = self.expires_at()
        return expires is not None and self.clock() >= expires - REFRESH_MARGIN

    async def token(self) -> str:
        if self.due() and self.can_refresh():
            await self.refresh()
        token = self.credentials.get("token")
        if not token:
            raise AuthError("no access token: connect the account again")
        if token != self._current:
            self.http.add_secret(token)
            self._apply(token)
            self._current = token
        return token

    def can_refresh(self) -> bool:
        return self._refresher is not None or bool(
            self.provider is not None and self.credentials.get("refresh_token"))

    async def refresh(self) -> None:
        if self._refresher is not None:
            await self._refresher()
            return
        refresh_token = self.credentials.get("refresh_token")
        if self.provider is None or not refresh_token:
            raise AuthError("the access token expired and there is no refresh token: "
                            "connect the account again")
        tokens = await token_request(
            self.http, self.provider,
            {"grant_type": "refresh_token", "refresh_token": refresh_token},
            self.client_id, self.credentials.get("client_secret"), self.clock())
        store_tokens(self.credentials, tokens)
