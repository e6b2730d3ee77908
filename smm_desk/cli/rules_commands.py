"""``smm-desk rules``: share, list and try the routing rules.

* ``rules export FILE`` writes the rule set as TOML (``-`` for stdout), in
  evaluation order (:mod:`smm_desk.domain.rules_format`).
* ``rules import FILE [--replace]`` reads a rule file; a bad file is refused
  whole with one line naming the rule and the field. Without ``--replace`` the
  file's rules are merged: a rule with a known id replaces that rule in place,
  a new one is appended. ``--replace`` makes the rule set exactly the file's.
* ``rules list [--json]`` shows the rules in order.
* ``rules test --network N --text TEXT [--kind K] [--author NAME] [--account ID]``
  prints what the enabled rules decide for such a message, with the desk's VIP
  and block lists and business hours (``--json`` for scripts).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from smm_desk.cli.output import table, to_json
from smm_desk.domain import rules_format
from smm_desk.domain.records import NETWORKS, MessageKind
from smm_desk.domain.rules import MessageFacts, Rule, evaluate

if TYPE_CHECKING:
    from smm_desk.store.api import Store

_KINDS = ("dm", "comment", "mention", "reply", "review")


class RulesCommandError(ValueError):
    """A failure with a one-line message (the CLI prints ``str(error)``)."""


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rules = sub.add_parser("rules", help="routing rules: export, import, list, test")
    actions = rules.add_subparsers(dest="action", metavar="ACTION", required=True)
    export = actions.add_parser("export", help="write the rules to a TOML file ('-': stdout)")
    export.add_argument("file")
    imp = actions.add_parser("import", help="read rules from a TOML file")
    imp.add_argument("file")
    imp.add_argument("--replace", action="store_true",
                     help="make the rule set exactly the file's (default: merge by id)")
    lists = actions.add_parser(
        "lists", help="the VIP list, the block list and extra negative-tone terms")
    lists.add_argument("kind", choices=["vip", "blocked", "negative_terms"])
    lists.add_argument("--add", action="append", default=[], metavar="VALUE")
    lists.add_argument("--remove", action="append", default=[], metavar="VALUE")
    lists.add_argument("--json", action="store_true")
    lst = actions.add_parser("list", help="the rules in evaluation order")
    lst.add_argument("--json", action="store_true")
    test = actions.add_parser("test", help="what the rules decide for a message")
    test.add_argument("--network", required=True, choices=NETWORKS, metavar="N",
                      help="one of: " + ", ".join(NETWORKS))
    test.add_argument("--text", required=True)
    test.add_argument("--kind", default="dm", choices=_KINDS)
    test.add_argument("--author", default="", metavar="NAME")
    test.add_argument("--account", default="", metavar="ID", help="the account id, if any")
    test.add_argument("--json", action="store_true")


def _read(path: str) -> str:
    try:
        return sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesCommandError(f"cannot read {path}: {exc}") from None


def _merge(current: list[Rule], incoming: list[Rule]) -> list[Rule]:
    by_id = {rule.id: rule for rule in incoming}
    merged = [by_id.pop(rule.id, rule) for rule in current]
    return merged + [rule for rule in incoming if rule.id in by_id]


def _summary(rule: Rule) -> str:
    c = rule.conditions
    parts: list[str] = []
    if c.keywords:
        shown = ", ".join(c.keywords[:3]) + (f" (+{len(c.keywords) - 3})"
                                             if len(c.keywords) > 3 else "")
        parts.append(f"keywords {shown}")
    for name in ("networks", "kinds", "languages", "account_ids"):
        values = getattr(c, name)
        if values:
            parts.append(f"{name} {','.join(sorted(str(v) for v in values))}")
    if c.regex:
        parts.append(f"regex {c.regex}")
    for flag in ("negative_tone", "author_vip", "author_blocked", "has_link",
                 "inside_business_hours"):
        value = getattr(c, flag)
        if value is not None:
            parts.append(flag if value else f"not {flag}")
    return "; ".join(parts) or "every message"


def _actions(rule: Rule) -> str:
    a = rule.actions
    parts = [f"→ {a.department}"] if a.department else []
    if a.priority:
        parts.append(a.priority.value)
    if a.tags:
        parts.append("#" + " #".join(a.tags))
    if a.assignee:
        parts.append(f"@{a.assignee}")
    if a.spam:
        parts.append("spam")
    if a.sla_policy:
        parts.append(f"SLA {a.sla_policy}")
    return " ".join(parts) or "-"


def cmd_lists(store: Store, args: argparse.Namespace) -> int:
    """Show or edit a routing list: author ids or names for VIP/blocked, words
    for negative tone (they extend the built-in multilingual lexicon)."""
    values = store.routing_list(args.kind)
    if args.add or args.remove:
        removed = {v.strip().casefold() for v in args.remove}
        values = [v for v in values if v.casefold() not in removed]
        values += [v.strip() for v in args.add if v.strip() and v.strip() not in values]
        values = store.set_routing_list(args.kind, values)
    if args.json:
        print(to_json(values))
    else:
        print("\n".join(values) if values else f"The {args.kind} list is empty.")
    return 0


def cmd_rules(store: Store, args: argparse.Namespace) -> int:
    if args.action == "lists":
        return cmd_lists(store, args)
    if args.action == "export":
        text = rules_format.dumps(store.rules())
        if args.file == "-":
            sys.stdout.write(text)
        else:
            try:
                Path(args.file).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise RulesCommandError(f"cannot write {args.file}: {exc}") from None
            print(f"exported {len(store.rules())} rules to {args.file}")
        return 0
    if args.action == "import":
        try:
            incoming = rules_format.loads(_read(args.file))
        except rules_format.RulesFormatError as exc:
            raise RulesCommandError(f"{args.file}: {exc}") from None
        rules = incoming if args.replace else _merge(store.rules(), incoming)
        store.save_rules(rules)
        print(f"imported {len(incoming)} rules; {len(rules)} in the rule set")
        return 0
    if args.action == "list":
        rules = store.rules()
        if args.json:
            print(to_json([{"position": i, **_rule_json(rule)}
                           for i, rule in enumerate(rules, start=1)]))
        else:
            print(table(["#", "ID", "NAME", "ON", "CONT", "WHEN", "THEN"],
                        [[i, r.id, r.name, r.enabled, r.continue_matching, _summary(r),
                          _actions(r)] for i, r in enumerate(rules, start=1)], max_width=60))
        return 0
    return _test(store, args)


def _rule_json(rule: Rule) -> dict[str, object]:
    table_ = rules_format._conditions_table(rule.conditions)
    return {"id": rule.id, "name": rule.name, "enabled": rule.enabled,
            "continue_matching": rule.continue_matching, "conditions": table_,
            "actions": rules_format._actions_table(rule.actions)}


def _test(store: Store, args: argparse.Namespace) -> int:
    author = args.author.strip()
    facts = MessageFacts(
        network=args.network, account_id=args.account, kind=MessageKind(args.kind),
        text=args.text, author_id=author, author_name=author, created_at=datetime.now(UTC),
    )
    decision = evaluate(store.rules(), facts, store.routing_context())
    if args.json:
        print(to_json(decision.to_dict()))
        return 0
    if not decision.matched:
        print("no rule matches: the case would stay unrouted")
        return 0
    print(f"department: {decision.department or '-'}")
    print(f"priority:   {decision.priority.value if decision.priority else '-'}")
    print(f"tags:       {', '.join(decision.tags) or '-'}")
    if decision.assignee:
        print(f"assignee:   {decision.assignee}")
    if decision.spam:
        print("spam:       yes")
    if decision.sla_policy:
        print(f"SLA policy: {decision.sla_policy}")
    print("matched:    " + "; ".join(f"{m.name} ({m.id})" for m in decision.matched))
    return 0
