"""Handing cases to departments from the command line.

* ``departments handoff DEPARTMENT --email TO … | --webhook URL … | --clear``
  sets where the department's handoffs go; with no option it shows the target.
  A password (``--password-env``) or signing secret (``--secret-env``) goes to
  the OS keyring only, read from an environment variable so it never appears
  in the shell history or the process list.
* ``handoff CASE [--department D] [--note TEXT]`` queues a handoff in the
  outbox (prints its id); ``sync``/``outbox flush`` deliver it.
* ``handoffs [--case N] [--open] [--json]`` lists handoffs with the
  department's own clock.
* ``note CASE --text TEXT [--from-department]`` records an internal note; with
  ``--from-department`` it is the department's answer: the handoff's clock
  stops and the case is open again.

``departments handoff`` hangs under the existing ``departments`` verb; its
parser sets ``command`` to ``departments-handoff`` so ``main`` dispatches it
to this module without the ``departments`` handler knowing about it.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from typing import TYPE_CHECKING

from smm_desk.cli.output import table, to_json

if TYPE_CHECKING:
    from smm_desk.store.api import Store
    from smm_desk.store.handoffs import EmailTarget, HandoffTarget, SmtpSecurity
    from smm_desk.sync.handoff import SecretPurpose

DEPARTMENT_HANDOFF = "departments-handoff"


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    departments = sub.choices.get("departments")
    if departments is not None:
        actions = next(a for a in departments._actions
                       if isinstance(a, argparse._SubParsersAction))
        _add_target_parser(actions)

    handoff = sub.add_parser("handoff", help="hand a case to its department (email or webhook)")
    handoff.add_argument("case", type=int)
    handoff.add_argument("--department", metavar="D",
                         help="the department (default: the case's own); routes the case")
    handoff.add_argument("--note", default="", metavar="TEXT",
                         help="the summary the department reads first")
    handoff.add_argument("--agent", default=None)

    handoffs = sub.add_parser("handoffs", help="handoffs with the department's clock")
    handoffs.add_argument("--case", type=int, metavar="N")
    handoffs.add_argument("--open", action="store_true", help="only those not answered yet")
    handoffs.add_argument("--json", action="store_true")

    note = sub.add_parser("note", help="an internal note on a case (never sent to the customer)")
    note.add_argument("case", type=int)
    note.add_argument("--text", required=True)
    note.add_argument("--from-department", action="store_true",
                      help="the department's answer: stops its clock, reopens the case")
    note.add_argument("--agent", default=None)


def _add_target_parser(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = actions.add_parser("handoff", help="where the department's handoffs go")
    p.set_defaults(command=DEPARTMENT_HANDOFF)
    p.add_argument("department")
    kind = p.add_mutually_exclusive_group()
    kind.add_argument("--email", action="append", metavar="TO",
                      help="send handoffs to this address; repeatable")
    kind.add_argument("--webhook", metavar="URL", help="POST handoffs as JSON to this URL")
    kind.add_argument("--clear", action="store_true", help="forget the target and its secrets")
    p.add_argument("--smtp-host", metavar="H")
    p.add_argument("--smtp-port", type=int, metavar="P",
                   help="default: 587 (STARTTLS), 465 (TLS), 25 (plain)")
    p.add_argument("--smtp-user", metavar="U")
    p.add_argument("--password-env", metavar="VAR",
                   help="read the SMTP password from this variable (kept in the keyring)")
    p.add_argument("--from", dest="sender", metavar="ADDR", help="the sender address")
    security = p.add_mutually_exclusive_group()
    security.add_argument("--starttls", dest="security", action="store_const",
                          const="starttls", help="STARTTLS (the default)")
    security.add_argument("--tls", dest="security", action="store_const", const="tls",
                          help="implicit TLS")
    security.add_argument("--plain", dest="security", action="store_const", const="plain",
                          help="no encryption (a local relay)")
    p.add_argument("--secret-env", metavar="VAR",
                   help="sign webhook bodies with the secret in this variable (keyring)")
    p.add_argument("--json", action="store_true")


def _agent(args: argparse.Namespace) -> str:
    from smm_desk.cli.main import _default_agent  # main imports this module

    return str(args.agent) if getattr(args, "agent", None) else _default_agent()


def _env_secret(var: str, what: str) -> str:
    value = os.environ.get(var)
    if not value:
        raise ValueError(f"missing {what}: environment variable {var} is not set")
    return value


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _email_target(args: argparse.Namespace) -> EmailTarget:
    from smm_desk.store.handoffs import DEFAULT_PORTS, EmailTarget

    if not args.smtp_host:
        raise ValueError("--email needs --smtp-host")
    if args.secret_env:
        raise ValueError("--secret-env is for --webhook")
    security: SmtpSecurity = args.security or "starttls"
    if args.password_env and not args.smtp_user:
        raise ValueError("--password-env needs --smtp-user")
    if args.smtp_user and not args.password_env:
        raise ValueError("--smtp-user needs --password-env (the password goes to the keyring)")
    if args.smtp_user and security == "plain" and not _loopback(args.smtp_host):
        raise ValueError("refusing to send an SMTP password unencrypted to "
                         f"{args.smtp_host}: use --starttls or --tls")
    sender = args.sender or (args.smtp_user if args.smtp_user and "@" in args.smtp_user
                             else f"smm-desk@{args.smtp_host}")
    to = tuple(a.strip() for value in args.email for a in value.split(",") if a.strip())
    return EmailTarget(to=to, smtp_host=args.smtp_host,
                       smtp_port=args.smtp_port or DEFAULT_PORTS[security], sender=sender,
                       security=security, smtp_user=args.smtp_user)


def _show(target: HandoffTarget | None, name: str, as_json: bool) -> None:
    if as_json:
        print(to_json({"department": name,
                       "target": target.to_dict() if target is not None else None}))
    else:
        print(f"{name}: {target.describe() if target is not None else 'no handoff target'}")


def cmd_department_handoff(store: Store, args: argparse.Namespace) -> int:
    # The handoff senders (smtplib, httpx) only for this command, not at every start.
    from smm_desk.sync.handoff import delete_department_secret, set_department_secret

    dept = next((d for d in store.handoff_departments()
                 if d.name.casefold() == args.department.casefold()
                 or str(d.id) == args.department), None)
    if dept is None:
        known = ", ".join(d.name for d in store.handoff_departments())
        raise ValueError(f"no department {args.department!r} (known: {known or 'none'})")
    if args.clear:
        store.set_handoff_target(dept.id, None)
        delete_department_secret(dept.id, "smtp")
        delete_department_secret(dept.id, "webhook")
        print(f"{dept.name}: no handoff target")
        return 0
    if not args.email and not args.webhook:
        _show(dept.target, dept.name, args.json)
        return 0
    target: HandoffTarget
    purpose: SecretPurpose
    other: SecretPurpose
    if args.email:
        target = _email_target(args)
        secret = _env_secret(args.password_env, "SMTP password") if args.password_env else None
        purpose, other = "smtp", "webhook"
    else:
        if any((args.smtp_host, args.smtp_port, args.smtp_user, args.password_env,
                args.sender, args.security)):
            raise ValueError("the SMTP options are for --email")
        from smm_desk.store.handoffs import WebhookTarget

        target = WebhookTarget(args.webhook, signed=bool(args.secret_env))
        secret = _env_secret(args.secret_env, "webhook secret") if args.secret_env else None
        purpose, other = "webhook", "smtp"
        if args.webhook.startswith("http://") and not _loopback(
                args.webhook.split("/")[2].rsplit(":", 1)[0].strip("[]")):
            print("smm-desk: warning: the webhook URL is not encrypted (http://); case "
                  "texts will cross the network in clear", file=sys.stderr)
    # The secret first: a target that expects a secret the keyring lacks would fail.
    if secret is not None:
        set_department_secret(dept.id, purpose, secret)
    else:
        delete_department_secret(dept.id, purpose)
    delete_department_secret(dept.id, other)
    view = store.set_handoff_target(dept.id, target)
    _show(view.target, view.name, args.json)
    return 0


def cmd_handoff(store: Store, args: argparse.Namespace) -> int:
    handoff = store.queue_handoff(args.case, args.note, _agent(args), args.department)
    print(handoff.id)
    return 0


def cmd_handoffs(store: Store, args: argparse.Namespace) -> int:
    now = store.clock()
    rows = store.handoffs(args.case, args.open)
    fields = ["id", "case_id", "department", "state", "queued_at", "delivered_at", "due_at",
              "answered_at", "attempts", "error", "summary"]
    if args.json:
        print(to_json([{**{f: getattr(h, f) for f in fields}, "clock": h.clock_state(now)}
                       for h in rows]))
        return 0
    if not rows:
        print("No handoffs.")
        return 0
    print(table(["ID", "CASE", "DEPARTMENT", "STATE", "CLOCK", "DUE", "ANSWERED", "ERROR"],
                [[h.id, h.case_id, h.department, h.state, h.clock_state(now), h.due_at,
                  h.answered_at, h.error] for h in rows]))
    return 0


def cmd_note(store: Store, args: argparse.Namespace) -> int:
    agent = _agent(args)
    if not args.text.strip():
        raise ValueError("a note needs some text")
    if args.from_department:
        answered = store.record_department_answer(args.case, args.text, agent)
        status = store.case(args.case).case.status
        who = answered.department if answered else "the department"
        print(f"note from {who} recorded on case {args.case}; status {status}")
        return 0
    store.add_note(args.case, args.text.strip(), agent)
    print(f"note recorded on case {args.case}")
    return 0


__all__ = [
    "DEPARTMENT_HANDOFF",
    "add_parsers",
    "cmd_department_handoff",
    "cmd_handoff",
    "cmd_handoffs",
    "cmd_note",
]
