"""Routing rules in the database, and routing each new case as it arrives.

**Storage.** The ``rules`` table holds :class:`smm_desk.domain.rules.Rule` in
evaluation order (``position``), its stable string id in ``key``, and its
conditions and actions as JSON in exactly the tables a rule file uses
(:mod:`smm_desk.domain.rules_format`), so a stored rule, an exported one and an
imported one are read by the same strict reader. ``routing_lists`` holds the
VIP list, the block list and the extra negative-tone terms, one entry a row.

**Routing at ingest** (:class:`Router`). Each *new* case is decided once, on its
first inbound message, by :func:`smm_desk.domain.rules.evaluate`; the decision
sets the case's department (by name; an unknown name leaves the case unrouted
and says why in the event), priority, tags, assignee, spam status and SLA
policy *before* its SLA snapshot is computed, so the clock is the routed
department's from the first second. One ``routed`` event (actor ``rules``)
names the first matched rule and lists every matched one. No match: no event.

Routing costs little per case (``bench/bench_sync.py`` guards it): the rule set
and the lists are read once per batch with plain statements, the rules are
compiled once per distinct rule set (cached by content, so an edit is seen at
the next batch) and decided by :mod:`smm_desk.store.routing_fast`, and a
decision that recurs in a batch is worked out once.

``tests/store/test_routing.py`` checks with hypothesis that the router decides
exactly what :func:`~smm_desk.domain.rules.evaluate` decides.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from smm_desk.domain.business_hours import BusinessCalendar
from smm_desk.domain.enums import CaseStatus, Direction
from smm_desk.domain.records import EventKind, IncomingMessage
from smm_desk.domain.rules import (
    Decision,
    MessageFacts,
    Rule,
    RuleContext,
    conditions_hold,
)
from smm_desk.domain.rules_format import _actions_table, _conditions_table, _Reader
from smm_desk.domain.sla import MessagePoint, SlaPolicy, StatusChange
from smm_desk.domain.sla import evaluate as sla_evaluate
from smm_desk.store.bulk import insert_rows, run
from smm_desk.store.errors import Conflict, NotFound
from smm_desk.store.models import Base
from smm_desk.store.routing_fast import CompiledRules, FastJudge
from smm_desk.store.sla_state import SNAPSHOT_COLUMNS, PolicyBook, snapshot_values

__all__ = [
    "LIST_KINDS",
    "PreviewMatch",
    "RoutePreview",
    "Routed",
    "Router",
    "Rule",
    "RuleContext",
    "add_rule",
    "delete_rule",
    "get_list",
    "list_rules",
    "move_rule",
    "preview",
    "replace_rules",
    "routing_context",
    "rule_columns",
    "rule_from_columns",
    "set_enabled",
    "set_list",
    "update_rule",
]

RULES = Base.metadata.tables["rules"]
LISTS = Base.metadata.tables["routing_lists"]
CASES = Base.metadata.tables["cases"]
MESSAGES = Base.metadata.tables["messages"]
DEPARTMENTS = Base.metadata.tables["departments"]
EVENTS = Base.metadata.tables["events"]

#: The lists ``routing_lists`` holds: VIP authors, blocked authors, extra tone terms.
LIST_KINDS = ("vip", "blocked", "negative_terms")
ACTOR = "rules"

# -- rows <-> rules ------------------------------------------------------------------------


def rule_columns(rule: Rule) -> dict[str, Any]:
    """The ``rules`` row of ``rule`` (without ``position``)."""
    return {
        "key": rule.id,
        "name": rule.name,
        "enabled": rule.enabled,
        "continue_matching": rule.continue_matching,
        "conditions": _conditions_table(rule.conditions),
        "actions": _actions_table(rule.actions),
    }


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def rule_from_columns(index: int, key: str, name: str, enabled: Any, continue_matching: Any,
                      conditions: Any, actions: Any) -> Rule:
    """A stored rule, read as strictly as a rule file (``RulesFormatError`` names it)."""
    table = {
        "id": key, "name": name, "enabled": bool(enabled),
        "continue_matching": bool(continue_matching),
        "conditions": _json(conditions) or {}, "actions": _json(actions) or {},
    }
    return _Reader(index, table).rule()


_RULE_ROWS = select(
    RULES.c.key, RULES.c.name, RULES.c.enabled, RULES.c.continue_matching,
    RULES.c.conditions, RULES.c.actions,
).order_by(RULES.c.position, RULES.c.id)


def list_rules(session: Session) -> list[Rule]:
    """Every rule, in evaluation order."""
    return [rule_from_columns(i, *row) for i, row in enumerate(session.execute(_RULE_ROWS), 1)]


def _check_unique(rules: Sequence[Rule]) -> None:
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise Conflict(f"two rules have the id {rule.id!r}")
        seen.add(rule.id)


def replace_rules(session: Session, rules: Sequence[Rule]) -> None:
    """Make the stored rule set exactly ``rules``, in this order."""
    _check_unique(rules)
    session.execute(delete(RULES))
    if rules:
        session.execute(insert(RULES), [
            {**rule_columns(rule), "position": position}
            for position, rule in enumerate(rules, start=1)
        ])


def _position_of(session: Session, rule_id: str) -> int:
    position = session.scalar(select(RULES.c.position).where(RULES.c.key == rule_id))
    if position is None:
        raise NotFound(f"no rule {rule_id!r}")
    return int(position)


def add_rule(session: Session, rule: Rule, position: int | None = None) -> None:
    """Insert ``rule`` at 1-based ``position`` (default: last)."""
    rules = list_rules(session)
    if any(r.id == rule.id for r in rules):
        raise Conflict(f"a rule with the id {rule.id!r} already exists")
    index = len(rules) if position is None else max(0, min(len(rules), position - 1))
    rules.insert(index, rule)
    replace_rules(session, rules)


def update_rule(session: Session, rule: Rule) -> None:
    """Replace the stored rule with the same id, keeping its place."""
    _position_of(session, rule.id)
    columns = rule_columns(rule)
    session.execute(update(RULES).where(RULES.c.key == rule.id).values(**columns))


def move_rule(session: Session, rule_id: str, position: int) -> None:
    """Move a rule to 1-based ``position`` (clamped to the list)."""
    rules = list_rules(session)
    index = next((i for i, r in enumerate(rules) if r.id == rule_id), None)
    if index is None:
        raise NotFound(f"no rule {rule_id!r}")
    rule = rules.pop(index)
    rules.insert(max(0, min(len(rules), position - 1)), rule)
    replace_rules(session, rules)


def set_enabled(session: Session, rule_id: str, enabled: bool) -> None:
    _position_of(session, rule_id)
    session.execute(update(RULES).where(RULES.c.key == rule_id).values(enabled=enabled))


def delete_rule(session: Session, rule_id: str) -> None:
    _position_of(session, rule_id)
    session.execute(delete(RULES).where(RULES.c.key == rule_id))


# -- lists -------------------------------------------------------------------------------


def _kind(kind: str) -> str:
    if kind not in LIST_KINDS:
        raise ValueError(f"unknown list {kind!r}; known: {', '.join(LIST_KINDS)}")
    return kind


def get_list(session: Session, kind: str) -> list[str]:
    return list(session.scalars(
        select(LISTS.c.value).where(LISTS.c.kind == _kind(kind)).order_by(LISTS.c.position)
    ))


def set_list(session: Session, kind: str, values: Iterable[str]) -> list[str]:
    """Replace a list; blank and repeated entries are dropped. Returns what was kept."""
    kept = list(dict.fromkeys(v.strip() for v in values if v.strip()))
    if _kind(kind) == "negative_terms":
        RuleContext(negative_terms=tuple(kept))  # a malformed term raises RuleError here
    session.execute(delete(LISTS).where(LISTS.c.kind == kind))
    if kept:
        session.execute(insert(LISTS), [
            {"kind": kind, "value": value, "position": i} for i, value in enumerate(kept)
        ])
    return kept


def _lists(session: Session) -> dict[str, list[str]]:
    lists: dict[str, list[str]] = {kind: [] for kind in LIST_KINDS}
    for kind, value in run(session, "SELECT kind, value FROM routing_lists "
                                    "ORDER BY kind, position", ()):
        lists.setdefault(kind, []).append(value)
    return lists


def routing_context(session: Session, calendar: BusinessCalendar | None = None) -> RuleContext:
    """The context rules see: the lists, and the desk's hours (the default SLA policy's)."""
    lists = _lists(session)
    if calendar is None:
        calendar = PolicyBook(session).default.calendar
    return RuleContext(vip=frozenset(lists["vip"]), blocked=frozenset(lists["blocked"]),
                       calendar=calendar, negative_terms=tuple(lists["negative_terms"]))


# -- preview -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewMatch:
    """A recent case a rule would catch, judged on its first inbound message."""

    case_id: int
    network: str
    customer: str
    text: str
    department: str | None
    opened_at: datetime


@dataclass(frozen=True)
class RoutePreview:
    """Of the ``examined`` most recent cases, those the rule's conditions catch."""

    examined: int
    matches: tuple[PreviewMatch, ...]


def preview(session: Session, rule: Rule, last_n: int, context: RuleContext) -> RoutePreview:
    """Which of the ``last_n`` most recent cases ``rule`` would catch (enabled or not)."""
    rows = session.execute(
        select(CASES.c.id, CASES.c.network, CASES.c.account_id, CASES.c.customer_name, CASES.c.customer_id, CASES.c.opened_at,
               DEPARTMENTS.c.name)
        .outerjoin(DEPARTMENTS, DEPARTMENTS.c.id == CASES.c.department_id)
        .order_by(CASES.c.opened_at.desc(), CASES.c.id.desc()).limit(max(0, last_n))
    ).all()
    ids = [row[0] for row in rows]
    first: dict[int, Any] = {}
    for start in range(0, len(ids), 500):
        for message in session.execute(
            select(MESSAGES.c.case_id, MESSAGES.c.kind, MESSAGES.c.text, MESSAGES.c.author_id,
                   MESSAGES.c.author_name, MESSAGES.c.created_at)
            .where(MESSAGES.c.case_id.in_(ids[start:start + 500]),
                   MESSAGES.c.direction == Direction.INBOUND.value)
            .order_by(MESSAGES.c.created_at, MESSAGES.c.id)
        ):
            first.setdefault(message.case_id, message)
    matches: list[PreviewMatch] = []
    for case_id, network, account_id, name, customer_id, opened_at, dept in rows:
        if case_id not in first:
            continue
        message = first[case_id]
        facts = MessageFacts(network, str(account_id), message.kind, message.text,
                             message.author_id, message.author_name, message.created_at)
        if conditions_hold(rule, facts, context):
            matches.append(PreviewMatch(case_id, network, name or customer_id, message.text,
                                        dept, opened_at))
    return RoutePreview(len(rows), tuple(matches))


_COMPILED: dict[tuple[Any, ...], CompiledRules] = {}

_BATCH_NAMES = (
    "SELECT 'department', id, name, sla_policy_id FROM departments "
    "UNION ALL SELECT 'policy', id, name, NULL FROM sla_policies "
    "UNION ALL SELECT kind, position, value, NULL FROM routing_lists "
    "ORDER BY 1, 2"
)


def _batch_context(vip: frozenset[str], blocked: frozenset[str],
                   calendar: BusinessCalendar | None, terms: tuple[str, ...],
                   judge: FastJudge) -> RuleContext:
    return RuleContext(vip=vip, blocked=blocked, calendar=calendar, negative_terms=terms,
                       is_negative=judge)


def _compiled(rows: Sequence[Sequence[Any]], extra_terms: tuple[str, ...]) -> CompiledRules:
    fingerprint = (extra_terms, *(
        tuple(v if isinstance(v, str | int | float | type(None)) else
              json.dumps(v, sort_keys=True) for v in row)
        for row in rows
    ))
    compiled = _COMPILED.get(fingerprint)
    if compiled is None:
        rules = [rule_from_columns(i, *row) for i, row in enumerate(rows, start=1)]
        compiled = CompiledRules(rules, extra_terms)
        if len(_COMPILED) >= 8:
            _COMPILED.clear()
        _COMPILED[fingerprint] = compiled
    return compiled


# -- routing new cases ---------------------------------------------------------------------


@dataclass(frozen=True)
class Routed:
    """What routing does to a new case: its row's columns, its SLA policy and its
    ``routed`` event's data (shared by the cases of a batch with the same decision)."""

    decision: Decision
    columns: dict[str, Any]
    policy: SlaPolicy
    event: dict[str, Any]
    spam_event: dict[str, Any]

    @property
    def spam(self) -> bool:
        return self.decision.spam


class Router:
    """Routes the new cases of one ingest batch (built by :meth:`for_batch`)."""

    def __init__(self, session: Session, rows: Sequence[Sequence[Any]],
                 book: PolicyBook) -> None:
        self.book = book
        lists: dict[str, list[str]] = {kind: [] for kind in LIST_KINDS}
        self.departments: dict[str, tuple[int, str]] = {}
        self.policies: dict[str, int] = {}
        department_policy: dict[int, int | None] = {}
        # One round trip for the lists, the departments and the policies.
        for what, number, name, policy_id in run(session, _BATCH_NAMES, ()):
            if what == "department":
                self.departments.setdefault(name, (number, name))
                self.departments.setdefault(name.casefold(), (number, name))
                department_policy[number] = policy_id
            elif what == "policy":
                self.policies.setdefault(name.casefold(), number)
            else:
                lists.setdefault(what, []).append(name)
        if book._department_policy is None:
            # Spares the book its own query (the cases of this batch, and the
            # routed ones of every later batch, ask for their department's policy).
            book._department_policy = department_policy
        terms = tuple(lists["negative_terms"])
        self.compiled = _compiled(rows, terms)
        self.judge = FastJudge(terms)
        self.context = _batch_context(frozenset(lists["vip"]), frozenset(lists["blocked"]),
                                      book.default.calendar, terms, self.judge)
        self._outcomes: dict[Decision, Routed] = {}
        self._by_identity: dict[int, Routed] = {}

    @classmethod
    def for_batch(cls, session: Session, book: PolicyBook) -> Router | None:
        """The router for this batch, or ``None`` when no rule is enabled."""
        rows = run(session, "SELECT key, name, enabled, continue_matching, conditions, "
                            "actions FROM rules WHERE enabled = ? ORDER BY position, id", (True,))
        if not rows:
            return None
        return cls(session, rows, book)

    def _department(self, name: str) -> tuple[int, str] | None:
        return self.departments.get(name) or self.departments.get(name.casefold())

    def route(self, network: str, account_id: int, thread: Sequence[IncomingMessage],
              now: datetime) -> Routed | None:
        """The decision for a new case whose messages are ``thread`` (oldest first)."""
        first = next((m for m in thread if m.direction == Direction.INBOUND), None)
        if first is None:
            return None
        def facts() -> MessageFacts:
            assert first is not None
            return MessageFacts(network, str(account_id), first.kind, first.text,
                                first.author_id, first.author_name, first.created_at)

        decision = self.compiled.decide(first.text, facts, self.context, self.judge)
        if not decision.matched:
            return None
        # A batch repeats a few decisions many times: work each out once. The
        # compiled rules hand out the same object for a recurring decision, so
        # look it up by identity first (the cache keeps it alive: ids stay unique).
        routed = self._by_identity.get(id(decision))
        if routed is not None and routed.decision is decision:
            return routed
        routed = self._outcomes.get(decision)
        if routed is None:
            routed = self._outcomes[decision] = self._outcome(decision, now)
        self._by_identity[id(routed.decision)] = routed
        return routed

    def _outcome(self, decision: Decision, now: datetime) -> Routed:
        columns: dict[str, Any] = {"tags": list(decision.tags)}
        rule = decision.matched[0]
        event: dict[str, Any] = {"rule": rule.name, "rule_id": rule.id,
                                 "matched": [m.id for m in decision.matched]}
        problems: list[str] = []
        department = None
        if decision.department is not None:
            found = self._department(decision.department)
            if found is None:
                event["wanted_department"] = decision.department
                problems.append(f"no department named {decision.department!r}: "
                                "the case stays unrouted")
            else:
                columns["department_id"], department = found
        event["department"] = department
        if decision.priority is not None:
            columns["priority"] = event["priority"] = decision.priority.value
        if decision.tags:
            event["tags"] = list(decision.tags)
        if decision.assignee is not None:
            columns["assignee"] = event["assignee"] = decision.assignee
        if decision.sla_policy is not None:
            event["sla_policy"] = decision.sla_policy
            policy_id = self.policies.get(decision.sla_policy.casefold())
            if policy_id is None:
                problems.append(f"no SLA policy named {decision.sla_policy!r}: "
                                "the department's policy applies")
            else:
                columns["sla_policy_id"] = policy_id
        if decision.spam:
            event["spam"] = True
            columns["status"] = CaseStatus.SPAM.value
            columns["resolved_at"] = now
        if problems:
            event["problems"] = problems
        policy = self.book.for_case(columns.get("sla_policy_id"), columns.get("department_id"))
        spam_event = {"from": CaseStatus.NEW.value, "to": CaseStatus.SPAM.value,
                      "reason": f"rule {rule.name!r}"}
        return Routed(decision, columns, policy, event, spam_event)


def apply(routed: Routed, row: list[Any], position: Mapping[str, int],
          thread: Sequence[IncomingMessage], now: datetime) -> list[Any]:
    """``row`` (a new case as ingest builds it, its columns at ``position``) with
    the decision applied; a spam case's clock stops at ``now``."""
    for column, value in routed.columns.items():
        row[position[column]] = value
    if routed.spam:
        snapshot = sla_evaluate(
            routed.policy, [MessagePoint(m.direction, m.created_at) for m in thread],
            [StatusChange(row[position["opened_at"]], CaseStatus.NEW),
             StatusChange(now, CaseStatus.SPAM)],
            now,
        )
        for column, value in zip(SNAPSHOT_COLUMNS, snapshot_values(snapshot), strict=True):
            row[position[column]] = value
    return row


def record(session: Session, routed: dict[str, Routed], cases: dict[str, tuple[int, str]],
           now: datetime) -> None:
    """The ``routed`` events (and the status change of spam) of this batch's new cases.
    A batch shares a few payloads: ``insert_rows`` encodes each once."""
    rows: list[tuple[Any, ...]] = []
    routed_kind, changed = EventKind.ROUTED.value, EventKind.STATUS_CHANGED.value
    for key, outcome in routed.items():
        case_id = cases[key][0]
        rows.append((case_id, now, routed_kind, ACTOR, outcome.event))
        if outcome.spam:
            rows.append((case_id, now, changed, ACTOR, outcome.spam_event))
    insert_rows(session, EVENTS, ("case_id", "at", "kind", "actor", "data"), rows)
