"""What every connector test needs: a settable clock, a sleep that does not
wait, a way to run a coroutine, and a transport that records requests."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


class Clock:
    """A clock a test moves by setting ``now``."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


async def no_sleep(_: float) -> None:
    return None


def run(coro: Any) -> Any:
    return asyncio.run(coro)


class Recorder(httpx.AsyncBaseTransport):
    """Forwards to another transport and keeps every request."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await self.inner.handle_async_request(request)
