"""What every connector test needs: a settable clock, a sleep that does not
wait, a way to run a coroutine, and a transport that records requests."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


class Clock:
    """A clock a test moves by setting ``now``."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


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


class OnRequest(httpx.AsyncBaseTransport):
    """Forwards to ``inner``; each ``(when, action)`` step runs once, just before
    the first request ``when`` accepts — items arriving while a pass walks its pages."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *steps: tuple[Any, Any]) -> None:
        self.inner = inner
        self.steps = list(steps)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        for step in list(self.steps):
            if step[0](request):
                self.steps.remove(step)
                step[1]()
        return await self.inner.handle_async_request(request)


async def until_idle(engine: Any, tick: Any, idle_passes: int = 5) -> tuple[int, int]:
    """SyncEngine passes, ``tick()`` after each (the clock moves on), until
    ``idle_passes`` in a row insert nothing; no pass may report an error.
    Returns the items inserted and fetched (re-reads included)."""
    inserted = fetched = idle = 0
    while idle < idle_passes:
        report = await engine.sync_once()
        assert not report.errors, report.errors
        inserted += report.inserted
        fetched += report.fetched
        idle = 0 if report.inserted else idle + 1
        tick()
    return inserted, fetched
