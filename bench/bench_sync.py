"""Sync ingest throughput: 100,000 simulated Telegram items through the real
connector (HTTP client, wire parsing, normalization), threading into cases,
SLA snapshots and the store — against a raw SQLite ``executemany`` + FTS insert
of the same rows measured in the same run.

    python bench/bench_sync.py [--items 100000] [--db URL] [--networks all|telegram,vk,…]

Telegram alone (the default): the wire pages (``getUpdates``, 100 updates
each) are rendered before timing starts and an ``httpx.MockTransport`` replays
them, so the figure is the desk's own cost per item, not the simulator's.

``--networks all`` mixes every network that has a simulator (issue #6): the
items are spread over them as DMs and comments, one untimed pass of the real
sync engine records every answer the simulator gives, and the timed pass — a
fresh store, the same accounts — replays those answers by request (method, URL,
body) through the real engine, connectors, threading, SLA, routing and store.
Email is not HTTP: its connector reads the simulator's loopback IMAP server in
the timed pass too (the one network whose figure includes its simulator).

Target (issues #3 and #6): ≥ 30k items/s and ≥ 0.25× the raw figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import sys
import tempfile
import time
from collections import deque
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from smm_desk.connectors.base import AccountConfig  # noqa: E402
from smm_desk.connectors.telegram import TelegramConnector  # noqa: E402
from smm_desk.store.api import Store  # noqa: E402

TOKEN = "7000001:AAE-bench-token"


def wire_pages(items: int, per_page: int = 100) -> list[bytes]:
    """getUpdates answers in the documented shape: DMs from 1/3 as many customers."""
    start = int(datetime(2026, 11, 2, 9, tzinfo=UTC).timestamp())
    pages = []
    for first in range(0, items, per_page):
        updates = []
        for i in range(first, min(items, first + per_page)):
            user = 5_000_000 + i // 3
            updates.append({
                "update_id": 100_000 + i,
                "message": {
                    "message_id": 10 + i,
                    "from": {"id": user, "is_bot": False, "first_name": f"Customer {i // 3}"},
                    "chat": {"id": user, "type": "private", "first_name": f"Customer {i // 3}"},
                    "date": start + i,
                    "text": f"Customer message number {i}: my order has not arrived",
                },
            })
        pages.append(json.dumps({"ok": True, "result": updates}).encode())
    return pages


async def run_desk(store: Store, account_id: int, pages: list[bytes]) -> tuple[int, float]:
    """Items stored, and the seconds of that spent in ``Store.ingest``."""
    served = iter(pages)

    def handler(request: httpx.Request) -> httpx.Response:
        try:
            return httpx.Response(200, content=next(served),
                                  headers={"Content-Type": "application/json"})
        except StopIteration:
            return httpx.Response(200, json={"ok": True, "result": []})

    connector = TelegramConnector(
        AccountConfig(account_id, "telegram", "bench_bot", "https://api.telegram.org"), TOKEN,
        transport=httpx.MockTransport(handler))
    stored = 0
    in_store = 0.0
    cursor = None
    try:
        while True:
            result = await connector.fetch("updates", cursor, wait=0)
            if not result.messages:
                break
            cursor = result.cursor
            t0 = time.perf_counter()
            stored += store.ingest(account_id, "updates", result.messages, cursor).inserted
            in_store += time.perf_counter() - t0
    finally:
        await connector.aclose()
    return stored, in_store


def raw_baseline(items: int, path: str) -> float:
    """The same rows, inserted with no desk at all: one executemany + FTS."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(
        "CREATE TABLE messages (id INTEGER PRIMARY KEY, account_id INT, case_id INT, "
        "external_id TEXT, direction TEXT, kind TEXT, author_id TEXT, author_name TEXT, "
        "text TEXT, created_at TEXT, received_at TEXT, extra TEXT, "
        "UNIQUE (account_id, external_id))")
    conn.execute("CREATE VIRTUAL TABLE messages_fts USING fts5(text, content='messages', "
                 "content_rowid='id', tokenize='unicode61 remove_diacritics 2')")
    conn.execute("CREATE TRIGGER ai AFTER INSERT ON messages BEGIN "
                 "INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text); END")
    start = datetime(2026, 11, 2, 9, tzinfo=UTC)
    rows = [(1, i // 3, f"{5_000_000 + i // 3}:{10 + i}", "inbound", "dm", str(5_000_000 + i // 3),
             f"Customer {i // 3}", f"Customer message number {i}: my order has not arrived",
             (start + timedelta(seconds=i)).isoformat(), start.isoformat(), "{}")
            for i in range(items)]
    t0 = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO messages (account_id, case_id, external_id, direction, kind, "
                     "author_id, author_name, text, created_at, received_at, extra) "
                     "VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    conn.close()
    return items / elapsed


# -- every network, mixed ----------------------------------------------------------------


class Recorder(httpx.AsyncBaseTransport):
    """Answers from the simulator and keeps every answer, by request."""

    def __init__(self, world: Any) -> None:
        self.world = world
        self.answers: dict[tuple[str, str, bytes], deque[tuple[int, list[Any], bytes]]] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        response = self.world.handle(request)
        content = response.read()
        key = (request.method, str(request.url), body)
        self.answers.setdefault(key, deque()).append(
            (response.status_code, list(response.headers.multi_items()), content))
        return httpx.Response(response.status_code, headers=response.headers, content=content,
                              request=request)


class Replayer(httpx.AsyncBaseTransport):
    """The recorded answers again, in order, per request; misses go to the simulator."""

    def __init__(self, recorder: Recorder) -> None:
        self.answers = {k: deque(v) for k, v in recorder.answers.items()}
        self.world = recorder.world
        self.misses = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        queue = self.answers.get((request.method, str(request.url), body))
        if queue:
            status, headers, content = queue.popleft()
            return httpx.Response(status, headers=headers, content=content, request=request)
        self.misses += 1
        response = self.world.handle(request)
        return httpx.Response(response.status_code, headers=response.headers,
                              content=response.read(), request=request)


async def drain(store: Store, transport: httpx.AsyncBaseTransport,
                tokens: dict[int, str]) -> int:
    """Sync passes until nothing new arrives; returns the items stored."""
    from smm_desk.sync.engine import SyncEngine, default_factory

    engine = SyncEngine(store, factory=default_factory(transport=transport),
                        tokens=tokens.get)
    inserted = 0
    try:
        while True:
            report = await engine.sync_once()
            inserted += report.inserted
            if report.errors:
                print(f"  (errors: {report.errors})")
            if report.fetched == 0:
                return inserted
    finally:
        await engine.aclose()


def mixed(items: int, networks: tuple[str, ...], tmp: str) -> tuple[float, int, int]:
    """Items/s of the timed replay pass, items stored, replay misses."""
    from smm_desk.sim import catalog
    from smm_desk.sim.world import SimWorld

    world = SimWorld(max_poll_wait=0.0)
    handlers = {n: catalog.build(world, n) for n in networks}
    for handler in handlers.values():
        if hasattr(handler, "retain"):  # VK's long-poll history: keep the whole run
            handler.retain = max(handler.retain, items)

    def workspace(path: str) -> tuple[Store, dict[int, str]]:
        store = Store.open(f"sqlite:///{path}")
        tokens = {}
        for network, handler in handlers.items():
            spec = catalog.SPECS[network]
            account = store.add_account(network, spec.handle, base_url="http://sim.invalid",
                                        options=catalog.account_options(handler, spec.token))
            tokens[account.id] = spec.token
        return store, tokens
    try:
        recorder = Recorder(world)
        record_store, record_tokens = workspace(f"{tmp}/record.db")
        # Networks that start "from now" take their starting position first.
        asyncio.run(drain(record_store, recorder, record_tokens))
        now = datetime.now(UTC) - timedelta(minutes=30)
        for i in range(items):
            network = networks[i % len(networks)]
            token = catalog.SPECS[network].token
            customer = 5_000_000 + i // (3 * len(networks))
            text = f"Customer message number {i}: my order has not arrived"
            at = now + timedelta(milliseconds=i)
            if i % 2:
                handlers[network].inject_comment(token, str(900 + i % 5), str(customer),
                                                 f"Customer {customer}", text, at)
            else:
                handlers[network].inject_dm(token, str(customer), f"Customer {customer}",
                                            text, at)
        recorded = asyncio.run(drain(record_store, recorder, record_tokens))
        record_store.close()
        replayer = Replayer(recorder)
        store, tokens = workspace(f"{tmp}/replay.db")
        asyncio.run(drain(store, replayer, tokens))  # the starting position, untimed
        profile = None
        if os.environ.get("BENCH_PROFILE"):  # where the timed pass spends its time
            import cProfile

            profile = cProfile.Profile()
            profile.enable()
        t0 = time.perf_counter()
        stored = asyncio.run(drain(store, replayer, tokens))
        elapsed = time.perf_counter() - t0
        if profile is not None:
            profile.disable()
            profile.dump_stats(os.environ["BENCH_PROFILE"])
        store.close()
        if stored != recorded:
            print(f"  (replay stored {stored:,}, recording {recorded:,})")
        return stored / elapsed, stored, replayer.misses
    finally:
        for handler in handlers.values():
            close = getattr(handler, "close", None)
            if close is not None:
                close()


def main_mixed(items: int, networks: tuple[str, ...]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        raw_rate = raw_baseline(items, f"{tmp}/raw.db")
        rate, stored, misses = mixed(items, networks, tmp)
    print(f"raw sqlite executemany + FTS: {raw_rate:,.0f} rows/s")
    print(f"desk sync ingest, {len(networks)} networks mixed ({', '.join(networks)}): "
          f"{stored:,} items = {rate:,.0f} items/s (replayed wire; {misses} requests "
          f"not recorded went to the simulator)")
    print(f"ratio to raw: {rate / raw_rate:.2f}x (target >= 0.25x); "
          f"absolute target 30,000 items/s: {'met' if rate >= 30_000 else 'not met'}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--db")
    parser.add_argument("--networks", default="telegram",
                        help="'telegram' (default), 'all', or a comma-separated list")
    args = parser.parse_args()
    if args.networks != "telegram":
        from smm_desk.sim import catalog

        chosen = catalog.available() if args.networks == "all" else tuple(
            n.strip() for n in args.networks.split(","))
        main_mixed(args.items, chosen)
        return
    pages = wire_pages(args.items)
    with tempfile.TemporaryDirectory() as tmp:
        raw_rate = raw_baseline(args.items, f"{tmp}/raw.db")
        store = Store.open(args.db or f"sqlite:///{tmp}/desk.db")
        account = store.add_account("telegram", f"bench-{time.time_ns()}")
        t0 = time.perf_counter()
        stored, in_store = asyncio.run(run_desk(store, account.id, pages))
        elapsed = time.perf_counter() - t0
        cases = len(store.queue(limit=None))
        store.close()
    assert stored == args.items, stored
    rate = args.items / elapsed
    print(f"raw sqlite executemany + FTS: {raw_rate:,.0f} rows/s")
    print(f"desk sync ingest: {args.items:,} items in {elapsed:.2f} s = {rate:,.0f} items/s "
          f"({len(pages)} pages, {cases:,} cases; connector parsing, threading, SLA, store)")
    print(f"  of which store ingest {in_store:.2f} s ({len(pages)} transactions), "
          f"connector fetch and parse {elapsed - in_store:.2f} s")
    print(f"ratio to raw: {rate / raw_rate:.2f}x (target >= 0.25x); "
          f"absolute target 30,000 items/s: {'met' if rate >= 30_000 else 'not met'}")


if __name__ == "__main__":
    main()
