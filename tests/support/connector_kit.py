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


def synced_inbound_ids(db_url: str, clock: Any, transport: httpx.AsyncBaseTransport,
                       burst: Any, *, network: str, name: str, base_url: str,
                       options: dict[str, str], token: str,
                       streams: tuple[str, ...]) -> list[str]:
    """Connect an account (an empty first poll, whose "from now" high-water mark
    each stream must still record), ``burst()``, sync until five passes bring
    nothing (the clock two minutes on after each): the external ids of every
    stored inbound message."""
    import json

    from smm_desk.store.api import Store
    from smm_desk.store.database import Database
    from smm_desk.sync.engine import SyncEngine, default_factory

    store = Store(Database.open(db_url), clock)
    engine = SyncEngine(store, factory=default_factory(transport, clock),
                        tokens=lambda _: token)
    try:
        account = store.add_account(network, name, base_url=base_url, options=options)
        assert run(engine.sync_once()).inserted == 0
        for stream in streams:
            assert json.loads(store.cursor(account.id, stream) or "{}").get("hw") is not None
        burst()
        run(until_idle(engine, lambda: clock.advance(minutes=2)))
        return [m.external_id for case in store.queue(limit=None)
                for m in store.case(case.id).messages if m.direction == "inbound"]
    finally:
        run(engine.aclose())
        store.close()


def fetch_until_caught_up(conn: Any, stream: str, cursor: str | None) -> tuple[list[str], str]:
    """One poll of ``stream``: fetch while the connector says more is ready; the
    texts handed over and the cursor left."""
    texts: list[str] = []
    while True:
        result = run(conn.fetch(stream, cursor, wait=0))
        texts += [m.text for m in result.messages]
        assert result.cursor is not None
        cursor = result.cursor
        if not result.more:
            return texts, cursor
