"""The one HTTP layer every connector uses.

One long-lived ``httpx.AsyncClient`` per account (connection reuse, one place
for limits), explicit timeouts, retries with exponential backoff and full
jitter for transient failures, and the single mapping from httpx exceptions
and HTTP status codes onto :mod:`smm_desk.connectors.errors`.

Retries happen here only when a repeat cannot post twice: reads, and writes
that carry a network-honoured idempotency key (``retry_safe=True``). A write
without one is tried once; if its outcome is unknown the error says
``maybe_delivered`` and the outbox settles it (DESIGN.md, "Sync and outbox").

Rate limits are not slept on here: ``RateLimited`` goes up with the network's
own wait (Retry-After, reset headers, body codes), so the sync engine can show
the account as rate limited and keep every other account moving.

Secrets: every URL, log line and error message passes through a
:class:`Redactor` built from the account's secrets, so a token in a URL path
(Telegram) or a form body (VK) never reaches a log or an exception.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import random
import re
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from smm_desk import redaction
from smm_desk.connectors.errors import (
    AuthError,
    BadPayload,
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
)

log = logging.getLogger("smm_desk.http")
# httpx logs every request URL at INFO, and Telegram's URL carries the bot
# token. Our own log lines are redacted; theirs cannot be, so keep them quiet.
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).setLevel(logging.WARNING)

#: Explicit everywhere: connect fast, allow slow reads (long polls add their own wait).
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=30.0, write=30.0, pool=10.0)
DEFAULT_LIMITS = httpx.Limits(max_connections=10, max_keepalive_connections=5)
#: When a 429 names no wait at all.
DEFAULT_RATE_LIMIT_WAIT = 60.0
USER_AGENT = "SMM-Desk/0.1 (community inbox; +https://smm-desk.invalid)"


class Redactor:
    """Replaces every known secret (and its URL-encoded form) with ``***``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._forms: list[str] = []
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        if not secret or len(secret) < 4:
            return  # too short to be a secret; replacing it would garble text
        redaction.remember(secret)  # the process-wide registry: log files, crash reports
        forms = {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)}
        # Longest first so a secret containing another is removed whole.
        self._forms = sorted(set(self._forms) | forms, key=len, reverse=True)

    def __call__(self, text: object) -> str:
        value = str(text)
        for form in self._forms:
            value = value.replace(form, "***")
        return value


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter (AWS architecture blog's variant)."""

    attempts: int = 4
    base: float = 0.5
    cap: float = 30.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        return rng.uniform(0, min(self.cap, self.base * (2 ** attempt)))


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now if now is not None else time.time()
    return max(0.0, when.timestamp() - current)


def network_message(response: httpx.Response) -> str:
    """The network's own error words, from the usual JSON fields, else the text."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return response.text[:300].strip()
    if isinstance(body, dict):
        for key in ("description", "error_description", "error_msg", "error", "message"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value[:300]
            if isinstance(value, dict):
                inner = value.get("error_msg") or value.get("message")
                if isinstance(inner, str):
                    return inner[:300]
    return response.text[:300].strip()


def map_status(response: httpx.Response, redact: Callable[[object], str],
               retry_after: float | None = None) -> None:
    """Raise the project's error for a non-2xx response; return for 2xx."""
    status = response.status_code
    if 200 <= status < 300:
        return
    said = redact(network_message(response))
    where = f"{response.request.method} {redact(response.request.url.copy_with(query=None))}"
    if status == 401:
        raise AuthError(f"{where}: not authorized ({status}): {said}",
                        network_message=said, status=status)
    if status == 429:
        wait = retry_after
        if wait is None:
            wait = parse_retry_after(response.headers.get("Retry-After"))
        if wait is None:
            wait = DEFAULT_RATE_LIMIT_WAIT
        raise RateLimited(f"{where}: rate limited, retry in {wait:.0f} s", wait,
                          network_message=said, status=status)
    if status in (408, 425) or status >= 500:
        raise TransientError(f"{where}: server trouble ({status}): {said}",
                             maybe_delivered=status != 503,
                             network_message=said, status=status)
    raise PermanentError(f"{where}: refused ({status}): {said}",
                         network_message=said, status=status)


ResponseCheck = Callable[[httpx.Response], None]

#: A path httpx would join to the base URL unchanged: no query, fragment,
#: percent sign, dot segment or character it would percent-encode.
_PLAIN_PATH = re.compile(r"(?:/(?!\.\.?(?:/|$))[A-Za-z0-9_~!$'()*+,;=:@.-]+)+")


class HttpClient:
    """One account's HTTP client. Close it with :meth:`aclose`."""

    def __init__(
        self,
        base_url: str,
        *,
        secrets: Iterable[str] = (),
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        headers: Mapping[str, str] | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.redact = Redactor(secrets)
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._client = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            transport=transport,
            timeout=timeout,
            limits=DEFAULT_LIMITS,
            headers={"User-Agent": USER_AGENT, **(headers or {})},
            follow_redirects=False,
        )
        base = str(self._client.base_url)
        base = base if base.endswith("/") else base + "/"  # str() drops a lone "/" path
        #: The base URL as text when requests may be built by :meth:`_lean_request`.
        self._prefix: str | None = base if "?" not in base and "#" not in base and \
            not self._client.params else None

    @property
    def base_url(self) -> str:
        return str(self._client.base_url)

    def set_header(self, name: str, value: str) -> None:
        """Change a default header (a refreshed access token)."""
        self._client.headers[name] = value

    def add_secret(self, secret: str) -> None:
        """Redact ``secret`` from now on (a token obtained mid-session)."""
        self.redact.add(secret)

    async def aclose(self) -> None:
        await self._client.aclose()

    def _lean_request(
        self, method: str, url: str, params: Mapping[str, Any] | None,
        data: Mapping[str, Any] | None, headers: Mapping[str, str] | None,
        kwargs: Mapping[str, Any],
    ) -> httpx.Request | None:
        """The request ``AsyncClient.build_request`` would build, for the usual
        call (a plain path under the base URL, no cookies held): the full URL
        is one string parsed once, where build_request parses the path, the
        joined URL and the URL with its query (~60 µs of ~130 µs a request).
        None for anything else, which takes httpx's own path. The same
        request either way (URL, headers, body, timeout; a property test in
        tests/connectors/test_http_lean.py holds them together)."""
        if self._prefix is None or not _PLAIN_PATH.fullmatch(url) or self._client.cookies:
            return None
        full = self._prefix + url.lstrip("/")
        if params:
            full += "?" + str(httpx.QueryParams(params))
        merged = httpx.Headers(self._client.headers)
        if headers:
            merged.update(headers)
        timeout = kwargs.get("timeout")
        timeout = self._client.timeout if timeout is None else httpx.Timeout(timeout)
        return httpx.Request(method, httpx.URL(full), content=kwargs.get("content"), data=data,
                             headers=merged, extensions={"timeout": timeout.as_dict()})

    async def request(
        self,
        method: str,
        url: str,
        *,
        retry_safe: bool,
        check: ResponseCheck | None = None,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        http_timeout: httpx.Timeout | float | None = None,
    ) -> httpx.Response:
        """Send, map errors, retry transient failures when ``retry_safe``.

        ``check`` inspects a 2xx response for errors the network reports in
        its body and raises the matching ConnectorError.
        """
        attempt = 0
        while True:
            try:
                return await self._once(method, url, check, params, data, json_body,
                                        headers, http_timeout)
            except TransientError as exc:
                attempt += 1
                if not retry_safe or attempt >= self.retry.attempts:
                    raise
                wait = self.retry.delay(attempt, self._rng)
                log.info("transient failure, retry %d in %.1fs: %s", attempt, wait, exc)
                await self._sleep(wait)

    async def _once(
        self, method: str, url: str, check: ResponseCheck | None,
        params: Mapping[str, Any] | None, data: Mapping[str, Any] | None, json_body: Any,
        headers: Mapping[str, str] | None, http_timeout: httpx.Timeout | float | None,
    ) -> httpx.Response:
        kwargs: dict[str, Any] = {}
        if http_timeout is not None:
            kwargs["timeout"] = http_timeout
        started = time.monotonic()
        try:
            if json_body is not None:
                # Encoded here, ASCII-escaped: a lone surrogate in a reply must not
                # crash the send (httpx's own json= encoder would raise on it).
                kwargs["content"] = json.dumps(json_body, ensure_ascii=True).encode()
                headers = {"Content-Type": "application/json", **(headers or {})}
            request = self._lean_request(method, url, params, data, headers, kwargs)
            if request is None:
                response = await self._client.request(
                    method, url, params=params, data=data, headers=headers, **kwargs
                )
            else:
                response = await self._client.send(request)
        except httpx.ConnectTimeout:
            raise TransientError(f"{method} {self.redact(url)}: connect timeout") from None
        except httpx.TimeoutException as exc:
            # The request may have reached the server before the answer timed out.
            raise TransientError(f"{method} {self.redact(url)}: timed out ({type(exc).__name__})",
                                 maybe_delivered=True) from None
        except httpx.ConnectError as exc:
            raise TransientError(f"{method} {self.redact(url)}: cannot connect "
                                 f"({self.redact(exc)})") from None
        except httpx.TransportError as exc:
            raise TransientError(f"{method} {self.redact(url)}: connection failed ({type(exc).__name__}: "
                                 f"{self.redact(exc)})", maybe_delivered=True) from None
        if log.isEnabledFor(logging.DEBUG):  # redacting a URL costs more than the log line
            log.debug("%s %s -> %d in %.2fs", method, self.redact(response.request.url),
                      response.status_code, time.monotonic() - started)
        try:
            # The connector reads its network's body errors first (Telegram's
            # parameters.retry_after on a 429, VK's error codes on a 200);
            # whatever it leaves is mapped by status here.
            if check is not None:
                check(response)
            map_status(response, self.redact)
        except ConnectorError as exc:
            if exc.args:
                exc.args = (self.redact(exc.args[0]),)
            exc.network_message = self.redact(exc.network_message)
            raise
        return response


def decode_json(response: httpx.Response, redact: Callable[[object], str]) -> Any:
    """The body as JSON, or BadPayload naming what was wrong (never the secret)."""
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError) as exc:
        raise BadPayload(
            f"{response.request.method} {redact(response.request.url)}: "
            f"not JSON ({type(exc).__name__} at {getattr(exc, 'pos', '?')})"
        ) from None


def utc_from_timestamp(value: Any) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"not a unix time: {value!r}")
    return datetime.fromtimestamp(value, UTC)
