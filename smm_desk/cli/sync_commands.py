"""``smm-desk sync`` and ``smm-desk outbox``: the headless worker's verbs.

``sync --once`` makes one pass over every account (a long poll asks with no
wait), settles replies a crash left in ``sending``, delivers the outbox and
exits; plain ``sync`` runs until interrupted. ``outbox`` lists replies that
have not been delivered; ``outbox flush`` delivers every queued reply now;
``outbox retry ID`` puts a failed or uncertain reply back in the queue (a
person's decision, after checking the network).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from smm_desk.app.logs import RedactingFilter
from smm_desk.cli.output import table, to_json
from smm_desk.domain.records import ReplyState

if TYPE_CHECKING:
    from smm_desk.store.api import Store
    from smm_desk.sync.engine import SyncReport

WAITING_STATES = (ReplyState.QUEUED, ReplyState.SENDING, ReplyState.FAILED, ReplyState.UNCERTAIN)


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sync = sub.add_parser("sync", help="fetch from every account and deliver the outbox")
    sync.add_argument("--once", action="store_true", help="one pass, then exit")
    sync.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                      help="with --once: how long a long poll may hold (default 0)")
    sync.add_argument("-v", "--verbose", action="store_true")
    outbox = sub.add_parser("outbox", help="replies waiting to leave")
    outbox.add_argument("action", nargs="?", choices=["list", "flush", "retry"], default="list")
    outbox.add_argument("reply_id", nargs="?")
    outbox.add_argument("--json", action="store_true")


def _logging(verbose: bool) -> Callable[[], None]:
    """The terminal's log handler for this command; returns what puts the
    ``smm_desk`` logger back as it was (the handler holds this command's stderr)."""
    handler = logging.StreamHandler(sys.stderr)
    # Every secret the process knows (the engine's tokens among them), also in tracebacks.
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    handler.setLevel(logging.INFO if verbose else logging.WARNING)
    root = logging.getLogger("smm_desk")
    before = (list(root.handlers), root.level)
    root.handlers[:] = [handler]
    # The terminal shows warnings (or -v: more); the log file keeps its own level.
    root.setLevel(min(root.getEffectiveLevel(), handler.level))

    def restore() -> None:
        root.handlers[:] = before[0]
        root.setLevel(before[1])

    return restore


def _print_report(report: SyncReport) -> None:
    print(f"fetched {report.fetched}, new {report.inserted}, quarantined {report.quarantined}, "
          f"delivered {report.delivered}")
    for account_id, reason in sorted(report.errors.items()):
        print(f"account {account_id}: {reason}", file=sys.stderr)


async def _sync(store: Store, args: argparse.Namespace) -> int:
    from smm_desk.sync.engine import SyncEngine  # the engine and httpx: only for sync

    engine = SyncEngine(store)
    restore_logging = _logging(args.verbose)
    try:
        if args.once:
            report = await engine.sync_once(wait=args.wait)
            _print_report(report)
            return 0
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        await engine.run(stop)
        return 0
    finally:
        await engine.aclose()
        restore_logging()


def cmd_sync(store: Store, args: argparse.Namespace) -> int:
    return asyncio.run(_sync(store, args))


async def _flush(store: Store) -> int:
    from smm_desk.sync.engine import SyncEngine  # the engine and httpx: only for sync

    engine = SyncEngine(store)
    try:
        await engine.refresh_accounts()
        await engine.delivery.settle_all()
        return await engine.delivery.deliver_due(force=True)
    finally:
        await engine.aclose()


def cmd_outbox(store: Store, args: argparse.Namespace) -> int:
    if args.action == "flush":
        delivered = asyncio.run(_flush(store))
        left = store.outbox_count()
        print(f"delivered {delivered}; {left} still waiting")
        return 0
    if args.action == "retry":
        if not args.reply_id:
            raise ValueError("outbox retry needs a reply id")
        store.retry_reply(args.reply_id)
        print(f"reply {args.reply_id} queued again")
        return 0
    rows = [r for state in WAITING_STATES for r in store.replies(state)]
    rows.sort(key=lambda r: r.composed_at)
    if args.json:
        print(to_json(rows))
    elif not rows:
        print("The outbox is empty.")
    else:
        print(table(["ID", "CASE", "STATE", "ATTEMPTS", "COMPOSED", "AGENT", "TEXT", "ERROR"],
                    [[r.id, r.case_id, r.state, r.attempts, r.composed_at, r.agent, r.text,
                      r.error] for r in rows]))
    return 0
