"""Ingest throughput: the store's set-based batch path against a row-by-row
baseline measured in the same run, on the same engine.

    python bench/bench_ingest.py [--rows 100000] [--baseline-rows 10000] [--db URL]

Without --db it uses a fresh SQLite file (the desk's default). It prints rows per
second for both paths and the ratio, plus the queue read time for the first 200
rows at that size (what the GUI's first screen costs).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select  # noqa: E402

from smm_desk.domain.enums import Direction  # noqa: E402
from smm_desk.domain.records import IncomingMessage, MessageKind  # noqa: E402
from smm_desk.store.api import Store  # noqa: E402
from smm_desk.store.models import Case, Message  # noqa: E402


def batch(n: int, prefix: str) -> list[IncomingMessage]:
    start = datetime(2026, 11, 1, 9, tzinfo=UTC)
    return [
        IncomingMessage(
            external_id=f"{prefix}{i}", thread_key=f"{prefix}dm:{i // 3}",
            direction=Direction.INBOUND, kind=MessageKind.DM,
            text=f"Customer message number {i}: my order has not arrived",
            created_at=start + timedelta(seconds=i), author_id=f"u{i // 3}",
            author_name=f"Customer {i // 3}",
        )
        for i in range(n)
    ]


def row_by_row(store: Store, account_id: int, messages: list[IncomingMessage]) -> None:
    """What a straightforward ORM loop does: one look-up and insert per message."""
    now = datetime.now(UTC)
    with store.db.transaction() as s:
        for m in messages:
            if s.scalars(select(Message.id).where(Message.account_id == account_id,
                                                  Message.external_id == m.external_id)).first():
                continue
            case = s.scalars(select(Case).where(Case.account_id == account_id,
                                                Case.thread_key == m.thread_key)).first()
            if case is None:
                case = Case(account_id=account_id, network="vk", thread_key=m.thread_key,
                            kind="dm", status="new", priority="normal", tags=[],
                            customer_id=m.author_id, customer_name=m.author_name,
                            last_inbound_text=m.text, opened_at=m.created_at, updated_at=now,
                            sla_stopped=False)
                s.add(case)
                s.flush()
            s.add(Message(account_id=account_id, case_id=case.id, external_id=m.external_id,
                          direction=m.direction.value, kind=m.kind.value, author_id=m.author_id,
                          author_name=m.author_name, text=m.text, created_at=m.created_at,
                          received_at=now, extra={}))
            s.flush()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline-rows", type=int, default=10_000)
    parser.add_argument("--db")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{tmp}/bench.db"
        store = Store.open(url)
        account = store.add_account("vk", f"bench-{time.time_ns()}")
        base = batch(args.baseline_rows, "b")
        t0 = time.perf_counter()
        row_by_row(store, account.id, base)
        baseline_s = time.perf_counter() - t0
        bulk = batch(args.rows, "x")
        t0 = time.perf_counter()
        result = store.ingest(account.id, "bench", bulk, cursor="end")
        bulk_s = time.perf_counter() - t0
        assert result.inserted == args.rows
        t0 = time.perf_counter()
        first = store.queue(limit=200)
        queue_s = time.perf_counter() - t0
        assert len(first) == 200
        store.close()
    base_rate = args.baseline_rows / baseline_s
    bulk_rate = args.rows / bulk_s
    print(f"engine: {url.split(':', 1)[0]}")
    print(f"baseline row-by-row: {args.baseline_rows} messages in {baseline_s:.2f} s "
          f"= {base_rate:,.0f} msg/s")
    print(f"store.ingest batch:  {args.rows} messages in {bulk_s:.2f} s "
          f"= {bulk_rate:,.0f} msg/s (threads, events, SLA snapshots, cursor included)")
    print(f"ratio: {bulk_rate / base_rate:.1f}x the baseline rate")
    print(f"queue first 200 of {args.rows // 3:,} cases: {queue_s * 1000:.0f} ms")


if __name__ == "__main__":
    main()
