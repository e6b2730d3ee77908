"""Sync ingest throughput: 100,000 simulated Telegram items through the real
connector (HTTP client, wire parsing, normalization), threading into cases,
SLA snapshots and the store — against a raw SQLite ``executemany`` + FTS insert
of the same rows measured in the same run.

    python bench/bench_sync.py [--items 100000] [--db URL]

The simulator renders the wire pages (``getUpdates``, 100 updates each) before
timing starts and an ``httpx.MockTransport`` replays them, so the figure is the
desk's own cost per item, not the simulator's. Target (issue #3): ≥ 30k items/s
and ≥ 0.25× the raw figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--db")
    args = parser.parse_args()
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
