"""OAuth: the core (PKCE, authorize URL, token parsing, TokenKeeper refresh)
and the RFC 8252 browser sign-in end to end.

The sign-in runs against the simulated authorization server
(smm_desk/sim/oauth.py) served over loopback by SimServer; the "browser" is an
httpx client that opens the authorize URL and follows the 302 to the loopback
listener, as a real browser does after the person consents. No internet.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import socket
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from smm_desk.connectors.credentials import MemoryCredentials
from smm_desk.connectors.errors import AuthError, BadPayload
from smm_desk.connectors.http import HttpClient
from smm_desk.connectors.oauth import (
    OAuthProvider,
    Pkce,
    TokenKeeper,
    authorize_url,
    parse_token_response,
)
from smm_desk.connectors.oauth_flow import CALLBACK_PATH, CallbackPages, SignInError, sign_in
from smm_desk.sim.oauth import SimOAuth
from smm_desk.sim.transport import SimServer, SimTransport
from smm_desk.sim.world import SimWorld, json_response
from tests.conftest import FakeClock

PROVIDER = OAuthProvider(
    authorize_url="https://auth.example.invalid/oauth2/authorize",
    token_url="https://api.example.invalid/oauth2/token",
    scopes=("read", "write", "offline.access"),
    authorize_params={"duration": "permanent"},
)


class OAuthSite:
    """A network handler with only the OAuth endpoints and one protected call."""

    network = "oauthsite"

    def __init__(self, oauth: SimOAuth) -> None:
        self.oauth = oauth
        self.pages: list[str] = []

    def matches(self, request: httpx.Request) -> bool:
        return request.url.path.startswith("/oauth2/") or request.url.path == "/api/me"

    def handle(self, request: httpx.Request, world: SimWorld) -> httpx.Response:
        del world
        path = request.url.path
        if path == "/oauth2/authorize":
            return self.oauth.authorize(request)
        if path == "/oauth2/token":
            return self.oauth.token(request)
        bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
        account = self.oauth.account_for(bearer)
        return json_response(200 if account else 401, {"account": account})

    def fault_response(self, fault: object, request: httpx.Request) -> None:
        del fault, request
        return None


@pytest.fixture
def oauth() -> SimOAuth:
    return SimOAuth(signed_in="acme_brand")


@pytest.fixture
def server(oauth: SimOAuth) -> Iterator[SimServer]:
    world = SimWorld()
    world.add(OAuthSite(oauth))
    with SimServer(world) as s:
        yield s


class Browser:
    """Stands in for the system browser: opens the URL, follows redirects."""

    def __init__(self) -> None:
        self.opened: list[str] = []
        self.landed: list[httpx.Response] = []

    def __call__(self, url: str) -> bool:
        self.opened.append(url)
        with httpx.Client(follow_redirects=True, timeout=10) as client:
            self.landed.append(client.get(url))
        return True


def query(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def port_is_closed(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    with socket.socket() as s:
        return s.connect_ex((parts.hostname or "", parts.port or 0)) != 0


# -- the browser sign-in ----------------------------------------------------------------


def test_sign_in_through_the_browser_stores_tokens_that_work(
        server: SimServer, oauth: SimOAuth) -> None:
    browser = Browser()
    shown: list[str] = []
    creds = MemoryCredentials()
    tokens = asyncio.run(sign_in(PROVIDER.at(server.url), "sim-client", creds,
                                 open_browser=browser, on_url=shown.append, give_up_after=20))

    (url,) = browser.opened
    assert shown == [url]
    params = query(url)
    assert url.startswith(server.url + "/oauth2/authorize?")
    redirect = urllib.parse.urlsplit(params["redirect_uri"])
    assert (redirect.scheme, redirect.hostname, redirect.path) == ("http", "127.0.0.1",
                                                                    CALLBACK_PATH)
    assert redirect.port and redirect.port > 0
    assert params["code_challenge_method"] == "S256" and len(params["state"]) >= 32
    assert params["scope"] == "read write offline.access" and params["duration"] == "permanent"
    # The browser followed the consent redirect to our listener and got a friendly page.
    (page,) = browser.landed
    assert page.status_code == 200 and "You can close this tab" in page.text
    assert str(page.url).startswith(params["redirect_uri"] + "?code=")
    # PKCE was checked by the server; the tokens are live and stored.
    assert oauth.grants == ["authorization_code"]
    assert creds.get("token") == tokens.access_token
    assert creds.get("refresh_token") == tokens.refresh_token
    expires = datetime.fromisoformat(creds.get("token_expires_at") or "")
    assert expires.tzinfo is not None and expires > datetime.now(UTC) + timedelta(minutes=50)
    assert oauth.account_for(tokens.access_token) == "acme_brand"
    me = httpx.get(server.url + "/api/me",
                   headers={"Authorization": f"Bearer {creds.get('token')}"})
    assert me.json() == {"account": "acme_brand"}
    assert port_is_closed(params["redirect_uri"])


def test_confidential_client_sends_basic_auth_and_keeps_the_secret(
        server: SimServer, oauth: SimOAuth) -> None:
    oauth.clients = {"web-app": "s3cret-client-value"}
    provider = OAuthProvider(PROVIDER.authorize_url, PROVIDER.token_url, ("read",),
                             client_auth="basic", pkce=False).at(server.url)
    creds = MemoryCredentials()
    browser = Browser()
    asyncio.run(sign_in(provider, "web-app", creds, client_secret="s3cret-client-value",
                        open_browser=browser, give_up_after=20))
    assert "code_challenge" not in query(browser.opened[0])
    assert creds.get("client_secret") == "s3cret-client-value"
    assert creds.get("token") and creds.get("refresh_token")


def test_declined_consent_is_a_clear_error_and_stores_nothing(server: SimServer) -> None:
    creds = MemoryCredentials()
    pages: list[httpx.Response] = []

    def declining_browser(url: str) -> bool:
        q = query(url)
        back = q["redirect_uri"] + "?" + urllib.parse.urlencode(
            {"error": "access_denied", "state": q["state"]})
        pages.append(httpx.get(back))
        return True

    with pytest.raises(SignInError) as info:
        asyncio.run(sign_in(PROVIDER.at(server.url), "sim-client", creds,
                            open_browser=declining_browser, give_up_after=20))
    assert info.value.reason == "denied"
    assert str(info.value) == "Access was declined on the network's consent page."
    assert creds.values == {}
    assert pages[0].status_code == 400
    assert "Sign-in did not complete" in pages[0].text and "declined" in pages[0].text


def test_a_foreign_state_ends_the_sign_in_without_exchanging(
        server: SimServer, oauth: SimOAuth) -> None:
    def forged(url: str) -> bool:
        q = query(url)
        httpx.get(q["redirect_uri"] + "?code=sim-code-1&state=forged")
        return True

    with pytest.raises(SignInError) as info:
        asyncio.run(sign_in(PROVIDER.at(server.url), "sim-client", MemoryCredentials(),
                            open_browser=forged, give_up_after=20))
    assert info.value.reason == "state" and "state mismatch" in str(info.value)
    assert oauth.grants == []  # the code was never sent to the token endpoint


def test_other_errors_from_the_network_are_shown(server: SimServer) -> None:
    def refusing(url: str) -> bool:
        q = query(url)
        httpx.get(q["redirect_uri"] + "?" + urllib.parse.urlencode(
            {"error": "invalid_scope", "error_description": "scope dm.write is not allowed",
             "state": q["state"]}))
        return True

    with pytest.raises(SignInError) as info:
        asyncio.run(sign_in(PROVIDER.at(server.url), "sim-client", MemoryCredentials(),
                            open_browser=refusing, give_up_after=20))
    assert info.value.reason == "refused"
    assert str(info.value) == "The network refused the sign-in: scope dm.write is not allowed"


def test_no_answer_times_out_and_closes_the_listener(server: SimServer) -> None:
    opened: list[str] = []
    with pytest.raises(SignInError) as info:
        asyncio.run(sign_in(PROVIDER.at(server.url), "sim-client", MemoryCredentials(),
                            open_browser=opened.append, give_up_after=0.3))
    assert info.value.reason == "timeout"
    assert str(info.value) == ("No answer from the browser within 0.3 seconds; "
                               "start the sign-in again.")
    assert port_is_closed(query(opened[0])["redirect_uri"])


def test_cancel_closes_the_listener(server: SimServer) -> None:
    urls: list[str] = []

    async def run() -> None:
        shown = asyncio.Event()

        def on_url(url: str) -> None:
            urls.append(url)
            shown.set()

        task = asyncio.ensure_future(sign_in(PROVIDER.at(server.url), "sim-client",
                                             MemoryCredentials(), open_browser=lambda _u: True,
                                             on_url=on_url))
        await shown.wait()
        assert not port_is_closed(query(urls[0])["redirect_uri"])
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(run())
    assert port_is_closed(query(urls[0])["redirect_uri"])


def test_stray_requests_do_not_end_the_sign_in(server: SimServer) -> None:
    creds = MemoryCredentials()
    browser = Browser()
    strays: list[int] = []

    def noisy_browser(url: str) -> bool:
        redirect = urllib.parse.urlsplit(query(url)["redirect_uri"])
        with socket.create_connection((redirect.hostname, redirect.port)):
            pass  # a speculative connection that never sends a request
        strays.append(httpx.get(f"http://127.0.0.1:{redirect.port}/favicon.ico").status_code)
        strays.append(httpx.post(query(url)["redirect_uri"]).status_code)
        return browser(url)

    asyncio.run(sign_in(PROVIDER.at(server.url), "sim-client", creds,
                        open_browser=noisy_browser, give_up_after=20))
    assert strays == [404, 404]
    assert creds.get("token")


def test_a_refused_code_exchange_is_a_clear_error(server: SimServer, oauth: SimOAuth) -> None:
    oauth.clients = {"sim-client": "needs-a-secret"}  # we send none: invalid_client
    creds = MemoryCredentials()
    with pytest.raises(SignInError) as info:
        asyncio.run(sign_in(PROVIDER.at(server.url), "sim-client", creds,
                            open_browser=Browser(), give_up_after=20))
    assert info.value.reason == "exchange"
    assert str(info.value) == "The network did not accept the sign-in: invalid_client"
    assert creds.values == {}


def test_unreachable_token_endpoint_is_a_network_error() -> None:
    world = SimWorld()
    world.add(OAuthSite(SimOAuth(signed_in="a")))
    with SimServer(world) as s:
        url = s.url
    # The authorize page is served in-process; the token endpoint's port is closed.
    oauth = world.handlers[0].oauth  # type: ignore[attr-defined]

    def browser(u: str) -> bool:
        request = httpx.Request("GET", u)
        location = oauth.authorize(request).headers["Location"]
        httpx.get(location)
        return True

    with pytest.raises(SignInError) as info:
        asyncio.run(sign_in(PROVIDER.at(url), "sim-client", MemoryCredentials(),
                            open_browser=browser, give_up_after=20))
    assert info.value.reason == "network" and "cannot connect" in str(info.value)


def test_missing_client_id_is_refused_before_anything_opens() -> None:
    opened: list[str] = []
    with pytest.raises(SignInError, match="client id"):
        asyncio.run(sign_in(PROVIDER, "", MemoryCredentials(), open_browser=opened.append))
    assert opened == []


def test_translated_pages_reach_the_browser(server: SimServer) -> None:
    browser = Browser()
    pages = CallbackPages(success_title="Đã đăng nhập", success_text="Bạn có thể đóng thẻ này.")
    asyncio.run(sign_in(PROVIDER.at(server.url), "sim-client", MemoryCredentials(),
                        open_browser=browser, give_up_after=20, pages=pages))
    assert "Bạn có thể đóng thẻ này." in browser.landed[0].text
    assert browser.landed[0].headers["content-type"] == "text/html; charset=utf-8"


# -- the core ---------------------------------------------------------------------------


def test_pkce_pair_is_s256_of_a_valid_verifier() -> None:
    seen = set()
    for _ in range(50):
        p = Pkce.new()
        assert 43 <= len(p.verifier) <= 128
        assert re.fullmatch(r"[A-Za-z0-9\-._~]+", p.verifier)
        digest = hashlib.sha256(p.verifier.encode()).digest()
        assert p.challenge == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        seen.add(p.verifier)
    assert len(seen) == 50


def test_provider_rebases_onto_a_proxy_keeping_paths() -> None:
    moved = PROVIDER.at("http://127.0.0.1:9000/prefix/")
    assert moved.authorize_url == "http://127.0.0.1:9000/prefix/oauth2/authorize"
    assert moved.token_url == "http://127.0.0.1:9000/prefix/oauth2/token"
    assert PROVIDER.at(None) is PROVIDER
    url = authorize_url(moved, "cid", "http://127.0.0.1:5/callback", "st", None)
    assert "code_challenge" not in query(url) and query(url)["client_id"] == "cid"


def test_token_keeper_refreshes_before_expiry_and_keeps_the_rotated_token(
        oauth: SimOAuth) -> None:
    clock = FakeClock(datetime(2026, 5, 1, 12, 0, tzinfo=UTC))
    oauth.clock = clock
    world = SimWorld()
    world.add(OAuthSite(oauth))
    access, refresh = oauth.issue("acme_brand")
    creds = MemoryCredentials({"token": access, "refresh_token": refresh,
                               "token_expires_at": (clock.now + timedelta(hours=1)).isoformat()})
    provider = PROVIDER.at("http://sim.invalid")

    async def run() -> list[str]:
        http = HttpClient("http://sim.invalid", transport=SimTransport(world))
        keeper = TokenKeeper(http, creds, provider, "sim-client", clock)
        try:
            got = [await keeper.token()]
            clock.advance(minutes=54)  # 6 min left: not yet due
            got.append(await keeper.token())
            clock.advance(minutes=2)  # 4 min left: refresh first
            got.append(await keeper.token())
            me = await http.request("GET", "/api/me", retry_safe=True)
            got.append(me.json()["account"])
            assert http.redact(f"x {got[2]} y") == "x *** y"
            return got
        finally:
            await http.aclose()

    first, second, third, account = asyncio.run(run())
    assert first == second == access and third != access and account == "acme_brand"
    assert oauth.grants == ["refresh_token"]
    assert creds.get("refresh_token") not in (None, refresh)  # rotated and kept
    # The old refresh token is spent: refreshing with it again is invalid_grant.
    creds.put("refresh_token", refresh)

    async def stale() -> None:
        http = HttpClient("http://sim.invalid", transport=SimTransport(world))
        try:
            await TokenKeeper(http, creds, provider, "sim-client", clock).refresh()
        finally:
            await http.aclose()

    with pytest.raises(AuthError, match="invalid_grant"):
        asyncio.run(stale())


def test_token_keeper_without_a_token_asks_for_a_new_sign_in() -> None:
    async def run() -> None:
        http = HttpClient("http://sim.invalid", transport=SimTransport(SimWorld()))
        try:
            await TokenKeeper(http, MemoryCredentials(), PROVIDER, "c",
                              lambda: datetime.now(UTC)).token()
        finally:
            await http.aclose()

    with pytest.raises(AuthError, match="connect the account again"):
        asyncio.run(run())


def test_token_response_fields() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    t = parse_token_response({"access_token": "a", "expires_in": 3600, "refresh_token": "r",
                              "scope": "read"}, now)
    assert (t.access_token, t.refresh_token, t.expires_at, t.scope) == (
        "a", "r", now + timedelta(hours=1), "read")
    t = parse_token_response({"access_token": "a", "expires_in": True, "refresh_token": ""}, now)
    assert (t.refresh_token, t.expires_at) == (None, None)
    for huge in (1e300, float("inf"), 10**20):
        assert parse_token_response({"access_token": "a", "expires_in": huge}, now
                                    ).expires_at is None
    bad: object
    for bad in (None, [], {}, {"access_token": ""}, {"access_token": 5}):
        with pytest.raises(BadPayload):
            parse_token_response(bad, now)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=12,
)


@given(st.one_of(_json, st.fixed_dictionaries(
    {"access_token": st.text()},
    optional={"expires_in": _json | st.integers(min_value=10**9) | st.floats(min_value=1e9),
              "refresh_token": _json, "scope": _json})))
def test_token_response_parser_never_crashes(body: object) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    try:
        t = parse_token_response(body, now)
    except BadPayload:
        return
    assert isinstance(t.access_token, str) and t.access_token
    assert t.expires_at is None or t.expires_at > now
