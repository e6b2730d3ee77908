"""``smm-desk report``: the KPI figures of the reports screen, as text or JSON.

``--since`` and ``--until`` are UTC calendar dates (YYYY-MM-DD), both inclusive:
``--since 2026-11-01 --until 2026-11-07`` covers 2026-11-01T00:00Z up to, not
including, 2026-11-08T00:00Z. Without them the report covers the last seven UTC
days, today included. UTC rather than the machine's zone so that every desk of
a team sharing one database prints the same figures (definitions of every
figure: :mod:`smm_desk.domain.kpi`).

Also the XLSX export of the reply log used by ``smm-desk log --xlsx FILE``.
"""

from __future__ import annotations

import argparse
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from smm_desk.cli.output import plain, table, to_json
from smm_desk.domain.kpi import UNROUTED, KpiReport, utc_day_range
from smm_desk.store.exports import write_reply_log_xlsx

if TYPE_CHECKING:
    from smm_desk.store.api import Store

#: Days covered when no --since is given.
DEFAULT_DAYS = 7


def _utc_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def add_parsers(sub: Any) -> None:
    rep = sub.add_parser("report", help="KPI figures: incoming, handled, response time, SLA")
    rep.add_argument("--since", type=_utc_date, metavar="YYYY-MM-DD",
                     help=f"first UTC day (default: {DEFAULT_DAYS} days ago, with --until)")
    rep.add_argument("--until", type=_utc_date, metavar="YYYY-MM-DD",
                     help="last UTC day, inclusive (default: today)")
    rep.add_argument("--department", metavar="D",
                     help="only cases of this department ('Unrouted' for none)")
    rep.add_argument("--json", action="store_true")


def report_range(since: date | None, until: date | None,
                 today: date) -> tuple[datetime, datetime]:
    """Aware UTC bounds ``[since 00:00Z, until+1 00:00Z)`` for inclusive dates."""
    last = until or today
    first = since or (last - timedelta(days=DEFAULT_DAYS - 1))
    if first > last:
        raise ValueError(f"--since {first} is after --until {last}")
    return utc_day_range(first, last)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m {secs:02d}s"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def report_text(report: KpiReport) -> str:
    last_day = (report.until - timedelta(microseconds=1)).date()
    scope = report.department or "all departments"
    sla = ("-" if report.sla_met_percent is None
           else f"{report.sla_met_percent:.1f}% ({report.sla_met} of {report.sla_judged})")
    lines = [
        f"KPI report {report.since.date()} .. {last_day} (UTC days), {scope}",
        "",
        f"Incoming messages  {report.totals.incoming_messages}",
        f"New cases          {report.totals.new_cases}",
        f"Resolved cases     {report.totals.resolved_cases}",
        f"Replies delivered  {report.totals.replies_delivered}",
        f"First response     median {_duration(report.first_response_median_s)}, "
        f"p90 {_duration(report.first_response_p90_s)} "
        f"(over {report.first_responses} cases)",
        f"SLA met            {sla}",
        f"Backlog now        {report.backlog_total} open cases",
        "",
    ]
    heads = ["INCOMING", "NEW CASES", "RESOLVED", "REPLIES"]
    lines.append(table(["DAY", *heads],
                       [[d.label, d.incoming_messages, d.new_cases, d.resolved_cases,
                         d.replies_delivered] for d in report.days]))
    if report.departments:
        lines += ["", table(["DEPARTMENT", *heads],
                            [[d.label, d.incoming_messages, d.new_cases, d.resolved_cases,
                              d.replies_delivered] for d in report.departments])]
    for title, rows in (("BY DEPARTMENT", report.backlog_by_department),
                        ("BY NETWORK", report.backlog_by_network),
                        ("BY AGENT", report.backlog_by_agent)):
        if rows:
            lines += ["", table([f"BACKLOG {title}", "OPEN"], [[r.label, r.count] for r in rows])]
    return "\n".join(lines)


def report_json(report: KpiReport) -> str:
    data = plain(report)
    data["until_inclusive_day"] = (report.until - timedelta(microseconds=1)).date().isoformat()
    return to_json(data)


def cmd_report(store: Store, args: argparse.Namespace) -> int:
    since, until = report_range(args.since, args.until, store.clock().date())
    if args.department is not None:
        known = [d.name for d in store.departments()] + [UNROUTED]
        if args.department.casefold() not in {k.casefold() for k in known}:
            raise ValueError(f"no department {args.department!r} (known: {', '.join(known)})")
    report = store.kpi_report(since, until, args.department)
    print(report_json(report) if args.json else report_text(report))
    return 0


def export_log_xlsx(store: Store, path: str) -> int:
    """``log --xlsx FILE``: write the reply log, print how many rows went out."""
    try:
        count = write_reply_log_xlsx(store.reply_log(), path)
    except OSError as exc:
        raise ValueError(f"cannot write {path}: {exc.strerror or exc}") from None
    print(f"{count} replies written to {path}")
    return 0
