"""``smm-desk``: the command line beside the GUI.

Stable on purpose: scripts, headless team workers and later features rely on
these verbs and their JSON. Every failure a user can cause (unknown case, bad
URL, locked database, failed migration, missing token) prints one line on
stderr and exits non-zero — never a traceback. An unexpected error's traceback
goes to the log file (``smm_desk.app.logs``: ``<data dir>/logs/cli.log``, secrets
masked), which the message names; ``SMM_DESK_DEBUG=1`` prints it too.

Exit codes: 0 ok, 1 a failure the message explains, 2 a usage error (argparse).
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from smm_desk import __version__, redaction
from smm_desk.app import logs
from smm_desk.cli import (
    account_commands,
    handoff_commands,
    report_commands,
    rules_commands,
    sync_commands,
)
from smm_desk.cli.output import table, to_csv, to_json
from smm_desk.secrets import SecretStoreError
from smm_desk.store.location import resolve_url

if TYPE_CHECKING:
    from smm_desk.store.api import Store
from smm_desk.store.errors import StoreError

log = logging.getLogger("smm_desk.cli")


class CliError(Exception):
    """A failure with a message for the user; exit code 1."""


def _default_agent() -> str:
    name = os.environ.get("SMM_DESK_AGENT")
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (containers)
        return "agent"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="smm-desk",
        description="A desktop inbox for community managers. Without a command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"smm-desk {__version__}")
    parser.add_argument(
        "--db", default=os.environ.get("SMM_DESK_DB"), metavar="URL",
        help="database URL (sqlite:///FILE or postgresql://…); env SMM_DESK_DB",
    )
    parser.add_argument(
        "--data-dir", default=os.environ.get("SMM_DESK_DATA_DIR"), metavar="DIR",
        help="where the default SQLite database lives; env SMM_DESK_DATA_DIR",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    account_commands.add_parsers(sub)

    q = sub.add_parser("queue", help="the open cases, most urgent first")
    q.add_argument("--json", action="store_true")
    q.add_argument("--status", action="append", metavar="S",
                   help="only cases in this status; repeatable (default: all open)")
    q.add_argument("--department", metavar="D")

    show = sub.add_parser("show", help="one case with its messages and events")
    show.add_argument("case", type=int)
    show.add_argument("--json", action="store_true")

    route = sub.add_parser("route", help="send a case to a department")
    route.add_argument("case", type=int)
    route.add_argument("department")
    route.add_argument("--agent", default=None)

    assign = sub.add_parser("assign", help="give a case to an agent")
    assign.add_argument("case", type=int)
    assign.add_argument("agent_name", metavar="AGENT")
    assign.add_argument("--agent", default=None, help="who does the assigning")

    resolve = sub.add_parser("resolve", help="mark a case resolved")
    resolve.add_argument("case", type=int)
    resolve.add_argument("--agent", default=None)

    reply = sub.add_parser("reply", help="put a reply in the outbox; prints its id")
    reply.add_argument("case", type=int)
    reply.add_argument("--text", required=True)
    reply.add_argument("--agent", default=None)

    log = sub.add_parser("log", help="the reply log")
    fmt = log.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true")
    fmt.add_argument("--csv", action="store_true")
    fmt.add_argument("--xlsx", metavar="FILE", help="write the log to an Excel workbook")

    dep = sub.add_parser("departments", help="departments and their SLA").add_subparsers(
        dest="action", metavar="ACTION", required=True
    )
    dl = dep.add_parser("list")
    dl.add_argument("--json", action="store_true")
    da = dep.add_parser("add")
    da.add_argument("name")
    da.add_argument("--first-response", type=float, metavar="MINUTES",
                    help="first-response target in minutes (default: the workspace's)")

    sync_commands.add_parsers(sub)
    report_commands.add_parsers(sub)
    handoff_commands.add_parsers(sub)
    rules_commands.add_parsers(sub)
    demo = sub.add_parser("demo", help="open the app on a demo workspace (its own database)")
    demo.add_argument("--screenshot", metavar="FILE",
                      help="save a 1280x800 picture of the window to FILE, then exit")
    demo.add_argument("--after", type=float, default=1.0, metavar="SECONDS",
                      help="with --screenshot: how long the app runs first (default 1)")
    return parser


# --- commands ---------------------------------------------------------------

def _agent(args: argparse.Namespace) -> str:
    return str(args.agent) if getattr(args, "agent", None) else _default_agent()


def cmd_queue(store: Store, args: argparse.Namespace) -> int:
    cases = store.queue(statuses=args.status, department=args.department)
    if args.json:
        fields = ["id", "network", "account", "status", "department", "priority", "assignee",
                  "customer", "last_inbound_text", "waiting_since", "response_due_at",
                  "sla_state"]
        print(to_json([{f: getattr(c, f) for f in fields} for c in cases]))
        return 0
    if not cases:
        print("The queue is empty.")
        return 0
    print(table(
        ["ID", "SLA", "DUE", "NETWORK", "CUSTOMER", "TEXT", "DEPARTMENT", "STATUS", "ASSIGNEE"],
        [[c.id, c.sla_state, c.response_due_at, c.network, c.customer, c.last_inbound_text,
          c.department, c.status, c.assignee] for c in cases],
    ))
    return 0


def cmd_show(store: Store, args: argparse.Namespace) -> int:
    detail = store.case(args.case)
    if args.json:
        print(to_json(detail))
        return 0
    c = detail.case
    print(f"Case {c.id} · {c.network} · {c.account} · {c.kind} · {c.status}")
    print(f"Customer: {c.customer}   Department: {c.department or '-'}   "
          f"Assignee: {c.assignee or '-'}   Priority: {c.priority}")
    print(f"SLA: {c.sla_state or '-'} ({c.sla_target or 'no clock'}), due {c.response_due_at}")
    print()
    for m in detail.messages:
        arrow = "<-" if m.direction == "inbound" else "->"
        print(f"{m.created_at:%Y-%m-%d %H:%M:%SZ} {arrow} {m.author_name or m.author_id}: {m.text}")
    if detail.events:
        print()
        print(table(["AT", "EVENT", "BY", "DETAILS"],
                    [[e.at, e.kind, e.actor, to_json(e.data).replace("\n", "")]
                     for e in detail.events], max_width=80))
    return 0


def cmd_route(store: Store, args: argparse.Namespace) -> int:
    name = store.route(args.case, args.department, _agent(args))
    print(f"case {args.case} routed to {name}")
    return 0


def cmd_assign(store: Store, args: argparse.Namespace) -> int:
    store.assign(args.case, args.agent_name, _agent(args))
    print(f"case {args.case} assigned to {args.agent_name}")
    return 0


def cmd_resolve(store: Store, args: argparse.Namespace) -> int:
    store.resolve(args.case, _agent(args))
    print(f"case {args.case} resolved")
    return 0


def cmd_reply(store: Store, args: argparse.Namespace) -> int:
    reply = store.queue_reply(args.case, args.text, _agent(args))
    print(reply.id)
    return 0


LOG_FIELDS = ["case", "network", "customer", "agent", "composed_at", "delivered_at",
              "response_seconds", "sla_met", "department", "state", "reply_id"]


def cmd_log(store: Store, args: argparse.Namespace) -> int:
    if args.xlsx:
        return report_commands.export_log_xlsx(store, args.xlsx)
    rows = store.reply_log()
    records = [[r.case_id, r.network, r.customer, r.agent, r.composed_at, r.delivered_at,
                r.response_seconds, r.sla_met, r.department, r.state, r.reply_id] for r in rows]
    if args.json:
        print(to_json([dict(zip(LOG_FIELDS, rec, strict=True)) for rec in records]))
    elif args.csv:
        sys.stdout.write(to_csv(LOG_FIELDS, records))
    else:
        print(table([f.upper() for f in LOG_FIELDS[:-1]], [rec[:-1] for rec in records]))
    return 0


def cmd_departments(store: Store, args: argparse.Namespace) -> int:
    if args.action == "add":
        minutes = args.first_response
        if minutes is not None and minutes <= 0:
            raise CliError("--first-response must be a positive number of minutes")
        dept = store.add_department(
            args.name, timedelta(minutes=minutes) if minutes is not None else None
        )
        print(dept.id)
        return 0
    rows = store.departments()
    if args.json:
        print(to_json(rows))
    else:
        print(table(["ID", "NAME", "SLA POLICY", "FIRST RESPONSE"],
                    [[d.id, d.name, d.sla_policy or "Default",
                      f"{d.first_response_s // 60} min" if d.first_response_s else "default"]
                     for d in rows]))
    return 0


COMMANDS: dict[str, Callable[[Store, argparse.Namespace], int]] = {
    "accounts": account_commands.cmd_accounts,
    "queue": cmd_queue,
    "show": cmd_show,
    "route": cmd_route,
    "assign": cmd_assign,
    "resolve": cmd_resolve,
    "reply": cmd_reply,
    "log": cmd_log,
    "departments": cmd_departments,
    "sync": sync_commands.cmd_sync,
    "outbox": sync_commands.cmd_outbox,
    "report": report_commands.cmd_report,
    handoff_commands.DEPARTMENT_HANDOFF: handoff_commands.cmd_department_handoff,
    "handoff": handoff_commands.cmd_handoff,
    "handoffs": handoff_commands.cmd_handoffs,
    "note": handoff_commands.cmd_note,
    "rules": rules_commands.cmd_rules,
}


def _fail(message: str) -> int:
    message = redaction.redact(message)  # no secret reaches the terminal either
    log.info("failed: %s", message)
    print(f"smm-desk: error: {message}", file=sys.stderr)
    return 1


#: The log file of each kind of process (see smm_desk.app.logs): the app, the demo, the rest.
LOG_KINDS = {None: "desk", "demo": "demo"}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    store: Store | None = None
    log_file = logs.configure(logs.log_dir(args.db, args.data_dir),
                              LOG_KINDS.get(args.command, "cli"))
    try:
        if args.command is None:  # the GUI opens its own store; Qt is imported only here
            from smm_desk.app.gui import run as run_gui
            return run_gui(args)
        if args.command == "demo":
            from smm_desk.app.demo import run as run_demo
            return run_demo(args)
        from smm_desk.store.api import Store  # SQLAlchemy: not for the app's first window

        store = Store.open(resolve_url(args.db, args.data_dir))
        return COMMANDS[args.command](store, args)
    except (CliError, StoreError, SecretStoreError, ValueError) as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return _fail("interrupted")
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - the promise: one line, never a traceback
        log.exception("unexpected error in %s", args.command or "the app")
        if os.environ.get("SMM_DESK_DEBUG"):
            sys.stderr.write(redaction.redact(traceback.format_exc()))
        where = f"details in {log_file}" if log_file else "run with SMM_DESK_DEBUG=1 for details"
        return _fail(f"unexpected {type(exc).__name__}; {where}")
    finally:
        if store is not None:
            store.close()
        logs.shutdown()
