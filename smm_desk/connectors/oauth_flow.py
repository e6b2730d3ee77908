"""Browser sign-in for desktop apps: OAuth 2.0 for native apps (RFC 8252).

How a person connects an OAuth network (X, YouTube, Reddit, Instagram,
Facebook) the way desktop apps do it:

1. A one-shot HTTP listener opens on ``127.0.0.1`` with a port the OS picks
   (RFC 8252 §7.3: a loopback IP literal, any port; the network must accept
   any port for a loopback redirect, §7.3 last paragraph). Its redirect URI is
   ``http://127.0.0.1:<port>/callback``.
2. A fresh ``state`` (CSRF, RFC 6749 §10.12) and a PKCE pair (RFC 7636, S256)
   go into the authorize URL, which opens in the **system browser**
   (``webbrowser.open``; never an embedded web view, RFC 8252 §8.12). The URL
   is also handed to ``on_url`` so a person can paste it by hand.
3. The network's consent page redirects the browser to the listener with
   ``code`` and ``state`` — or with ``error=access_denied`` when the person
   declined (RFC 6749 §4.1.2.1). The browser gets a small page back saying it
   can close the tab.
4. The state is compared in constant time, the code is exchanged at the token
   endpoint with the PKCE verifier (:func:`~smm_desk.connectors.oauth.exchange_code`)
   and the tokens are stored in the account's credentials
   (:func:`~smm_desk.connectors.oauth.store_tokens`; the client secret too,
   when there is one, so the refresh can use it later).

Every way this can go wrong ends in :class:`SignInError` with a ``reason``
(``denied``, ``state``, ``timeout``, ``refused``, ``exchange``, ``network``,
``listener``) and a one-line message that never holds a code or a token.
Cancelling the awaiting task (the dialog's Cancel, Ctrl+C) closes the
listener; nothing is stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import html
import logging
import secrets as pysecrets
import urllib.parse
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from smm_desk.connectors.credentials import Credentials
from smm_desk.connectors.errors import AuthError, ConnectorError
from smm_desk.connectors.http import HttpClient
from smm_desk.connectors.oauth import (
    OAuthProvider,
    Pkce,
    TokenSet,
    authorize_url,
    exchange_code,
    store_tokens,
)

log = logging.getLogger("smm_desk.oauth")

CALLBACK_PATH = "/callback"
#: How long a person has to finish on the consent page.
DEFAULT_TIMEOUT_S = 300.0
#: A connection to the listener that sends no request line within this long is dropped
#: (browsers open speculative connections and leave them idle).
_READ_TIMEOUT_S = 10.0
_MAX_REQUEST_BYTES = 16_384

Opener = Callable[[str], object]


class SignInError(Exception):
    """The browser sign-in did not give tokens; ``str()`` is one line for a person."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        #: denied, state, timeout, refused, exchange, network, listener
        self.reason = reason


@dataclass(frozen=True)
class CallbackPages:
    """The words the browser tab shows after the redirect (the UI passes
    translated ones). ``{detail}`` in ``failure_text`` is the reason."""

    success_title: str = "Signed in to SMM Desk"
    success_text: str = "You can close this tab and return to SMM Desk."
    failure_title: str = "Sign-in did not complete"
    failure_text: str = "{detail} You can close this tab and try again in SMM Desk."


def _page(title: str, text: str, ok: bool) -> bytes:
    colour = "#1e7b34" if ok else "#c5221f"
    body = (
        "<!doctype html><html><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title>"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<style>body{font-family:system-ui,sans-serif;margin:0;display:flex;"
        "align-items:center;justify-content:center;min-height:100vh;background:#f6f7f9}"
        "main{background:#fff;padding:2em 2.5em;border-radius:12px;max-width:30em;"
        "box-shadow:0 2px 12px rgba(0,0,0,.08)}"
        f"h1{{font-size:1.3em;color:{colour};margin-top:0}}"
        "@media (prefers-color-scheme: dark){body{background:#1d1f23}"
        "main{background:#2a2d33;color:#e8e8e8}}</style></head>"
        f"<body><main><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></main>"
        "</body></html>"
    )
    return body.encode("utf-8")


class LoopbackListener:
    """A one-answer HTTP server on 127.0.0.1 for the redirect.

    ``await start()`` → the redirect URI; ``await result()`` → the query
    parameters of the first ``GET /callback``; ``reply`` decides what page the
    browser gets for them. Other paths (``/favicon.ico``) get 404 and do not
    count. ``close()`` stops listening.
    """

    def __init__(self, reply: Callable[[dict[str, str]], tuple[bytes, int]],
                 host: str = "127.0.0.1", port: int = 0) -> None:
        self._reply = reply
        self._host = host
        self._port = port
        self._server: asyncio.Server | None = None
        self._result: asyncio.Future[dict[str, str]] | None = None
        self._connections: set[asyncio.Task[None]] = set()

    async def start(self) -> str:
        loop = asyncio.get_running_loop()
        self._result = loop.create_future()
        try:
            self._server = await asyncio.start_server(self._serve, self._host, self._port)
        except OSError as exc:
            where = f"{self._host}:{self._port}" if self._port else self._host
            raise SignInError("listener", f"Cannot listen on {where} for the browser's "
                                          f"answer ({exc.strerror or exc}).") from None
        port = self._server.sockets[0].getsockname()[1]
        return f"http://{self._host}:{port}{CALLBACK_PATH}"

    async def result(self) -> dict[str, str]:
        assert self._result is not None, "start() first"
        return await asyncio.shield(self._result)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            for task in list(self._connections):
                task.cancel()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None
        if self._result is not None and not self._result.done():
            self._result.cancel()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        try:
            await self._answer(reader, writer)
        except (ConnectionError, TimeoutError, asyncio.IncompleteReadError,
                asyncio.LimitOverrunError, ValueError):
            pass  # a client that went away or spoke nonsense: the flow keeps waiting
        finally:
            if task is not None:
                self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), _READ_TIMEOUT_S)
        if len(head) > _MAX_REQUEST_BYTES:
            raise ValueError("request too large")
        request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        method, _, rest = request_line.partition(" ")
        target = rest.rpartition(" ")[0] or rest
        parts = urllib.parse.urlsplit(target)
        if method != "GET" or parts.path != CALLBACK_PATH or self._result is None \
                or self._result.done():
            await self._send(writer, 404, b"Not found", "text/plain; charset=utf-8")
            return
        params = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
        body, status = self._reply(params)
        await self._send(writer, status, body, "text/html; charset=utf-8")
        if not self._result.done():
            self._result.set_result(params)

    @staticmethod
    async def _send(writer: asyncio.StreamWriter, status: int, body: bytes,
                    content_type: str) -> None:
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}.get(status, "OK")
        head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(body)}\r\nCache-Control: no-store\r\n"
                "Referrer-Policy: no-referrer\r\nConnection: close\r\n\r\n")
        writer.write(head.encode("latin-1") + body)
        await writer.drain()


def _check_callback(params: dict[str, str], state: str) -> str:
    """The code from the redirect's parameters, or SignInError (RFC 6749 §4.1.2)."""
    got_state = params.get("state", "")
    if not hmac.compare_digest(got_state.encode("utf-8", "replace"),
                               state.encode("utf-8")):
        raise SignInError("state", "The browser's answer did not belong to this sign-in "
                                   "(state mismatch); start the sign-in again.")
    error = params.get("error")
    if error:
        if error == "access_denied":
            raise SignInError("denied", "Access was declined on the network's consent page.")
        detail = params.get("error_description") or error
        raise SignInError("refused", f"The network refused the sign-in: {detail[:200]}")
    code = params.get("code", "")
    if not code:
        raise SignInError("refused", "The network's answer carried no authorization code.")
    return code


def _launched(task: asyncio.Future[object]) -> None:
    """A browser that failed to start is not fatal: ``on_url`` showed the link."""
    if task.cancelled():
        return
    exc = task.exception()
    if exc is not None or task.result() is False:
        log.warning("could not open the system browser (%s); the link was shown instead",
                    type(exc).__name__ if exc is not None else "no browser")


def default_opener(url: str) -> bool:
    """The system browser (a new tab where the browser allows)."""
    return webbrowser.open(url, new=2)


async def sign_in(
    provider: OAuthProvider,
    client_id: str,
    credentials: Credentials,
    *,
    client_secret: str | None = None,
    open_browser: Opener = default_opener,
    on_url: Callable[[str], None] | None = None,
    give_up_after: float = DEFAULT_TIMEOUT_S,
    port: int = 0,
    http: HttpClient | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    pages: CallbackPages | None = None,
) -> TokenSet:
    """Run the whole browser sign-in; the tokens end up in ``credentials``.

    ``open_browser`` runs in a worker thread (a browser launch may block);
    ``on_url`` hears the authorize URL first, for a person to open by hand.
    ``port`` 0 lets the OS pick the loopback port (RFC 8252 §7.3); a network
    that wants the exact redirect URI it registered (Reddit) needs a fixed one.
    ``http``/``transport`` replace the HTTP client of the code exchange (tests).
    """
    if not client_id:
        raise SignInError("refused", "No client_id: register an app with the network and "
                                     "give its client id.")
    pages = pages or CallbackPages()
    state = pysecrets.token_urlsafe(32)
    pkce = Pkce.new() if provider.pkce else None

    def reply(params: dict[str, str]) -> tuple[bytes, int]:
        try:
            _check_callback(params, state)
        except SignInError as exc:
            text = pages.failure_text.replace("{detail}", str(exc))
            return _page(pages.failure_title, text, ok=False), 400
        return _page(pages.success_title, pages.success_text, ok=True), 200

    listener = LoopbackListener(reply, port=port)
    redirect_uri = await listener.start()
    try:
        url = authorize_url(provider, client_id, redirect_uri, state, pkce)
        if on_url is not None:
            on_url(url)
        opener_task = asyncio.ensure_future(asyncio.to_thread(open_browser, url))
        opener_task.add_done_callback(_launched)
        try:
            params = await asyncio.wait_for(listener.result(), give_up_after)
        except TimeoutError:
            span = (f"{give_up_after / 60:g} minutes" if give_up_after >= 120
                    else f"{give_up_after:g} seconds")
            raise SignInError("timeout", f"No answer from the browser within {span}; "
                                         "start the sign-in again.") from None
        code = _check_callback(params, state)
        tokens = await _exchange(provider, code, redirect_uri, client_id, client_secret,
                                 pkce, http, transport, clock)
    finally:
        await listener.close()
    if client_secret:
        credentials.put("client_secret", client_secret)
    store_tokens(credentials, tokens)
    log.info("browser sign-in done (refresh token: %s)",
             "yes" if tokens.refresh_token else "no")
    return tokens


async def _exchange(provider: OAuthProvider, code: str, redirect_uri: str, client_id: str,
                    client_secret: str | None, pkce: Pkce | None, http: HttpClient | None,
                    transport: httpx.AsyncBaseTransport | None,
                    clock: Callable[[], datetime]) -> TokenSet:
    own = http is None
    if http is None:
        parts = urllib.parse.urlsplit(provider.token_url)
        http = HttpClient(f"{parts.scheme}://{parts.netloc}", transport=transport,
                          secrets=[s for s in (client_secret,) if s])
    http.add_secret(code)
    try:
        return await exchange_code(http, provider, code, redirect_uri, client_id,
                                   client_secret, pkce, clock())
    except AuthError as exc:
        said = http.redact(exc.network_message or exc)
        raise SignInError("exchange", f"The network did not accept the sign-in: {said}"
                          ) from None
    except ConnectorError as exc:
        raise SignInError("network", f"Could not finish the sign-in: {http.redact(exc)}"
                          ) from None
    finally:
        if own:
            await http.aclose()
