"""Rule files a team can read, edit by hand and share: TOML, one ``[[rule]]`` each.

``smm-desk rules export FILE`` writes :func:`dumps`; ``rules import FILE``
reads with :func:`loads`. Example::

    version = 1

    [[rule]]
    id = "crisis-fraud-legal"
    name = "Fraud accusations and legal threats"
    enabled = true
    continue_matching = true

    [rule.conditions]
    keywords = ["scam*", "lawyer*", "мошенник*", "lừa đảo"]
    networks = ["facebook", "vk"]

    [rule.actions]
    department = "PR/Crisis"
    priority = "high"
    tags = ["crisis"]

Rules are evaluated in file order. ``id`` and ``name`` are required;
``enabled`` defaults to true and ``continue_matching`` to false; a missing
``[rule.conditions]`` table is a catch-all, a missing ``[rule.actions]`` does
nothing. Condition and action fields are those of
:class:`~smm_desk.domain.rules.Conditions` and
:class:`~smm_desk.domain.rules.Actions`: lists of text for ``networks``,
``account_ids``, ``kinds``, ``keywords``, ``languages`` and ``tags``; text
for ``regex``, ``department``, ``priority``, ``assignee`` and ``sla_policy``;
true/false for the flags and ``spam``.

Reading is strict, because a typo that silently drops a condition would route
cases wrongly without anyone noticing: an unknown field, a wrong type, a bad
regex, an unknown priority, network, kind or language, or two rules with the
same id raise :class:`RulesFormatError`, whose message names the rule (its
position and id) and the field, e.g. ``rule 2 ("vip"): conditions.keyword:
unknown field (did you mean 'keywords'?)``. ``version`` may be omitted in a
hand-written file; a file from a newer SMM Desk (``version`` > 1) is refused
rather than half-read.

Writing is canonical: sets sorted, unset fields left out, keywords and tags in
their order, so exporting twice gives the same bytes and diffs stay readable;
``loads(dumps(rules)) == rules``.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import fields

import tomli_w

from smm_desk.domain.rules import Actions, Conditions, Rule, RuleError

__all__ = ["VERSION", "RulesFormatError", "dumps", "loads"]

VERSION = 1

_HEADER = """\
# SMM Desk routing rules (smm-desk rules import FILE).
# Evaluated top to bottom: the first rule whose conditions all hold routes the
# case; matching goes on only after a rule with continue_matching = true.
"""

_CONDITION_FIELDS = {f.name for f in fields(Conditions) if f.init}
_ACTION_FIELDS = {f.name for f in fields(Actions) if f.init}
_LIST_FIELDS = {"networks", "account_ids", "kinds", "keywords", "languages", "tags"}
_BOOL_FIELDS = {
    "negative_tone", "author_vip", "author_blocked", "has_link", "inside_business_hours",
    "spam", "enabled", "continue_matching",
}  # fmt: skip
_RULE_FIELDS = ("id", "name", "enabled", "continue_matching", "conditions", "actions")


class RulesFormatError(ValueError):
    """A rule file that cannot be read; the message names the rule and the field."""

    def __init__(
        self, problem: str, *, rule_index: int | None = None, rule_id: str | None = None,
        field: str | None = None,
    ) -> None:  # fmt: skip
        where = ""
        if rule_index is not None:
            where = f"rule {rule_index}" + (f" ({rule_id!r})" if rule_id else "") + ": "
        if field:
            where += f"{field}: "
        super().__init__(where + problem)
        self.rule_index = rule_index
        self.rule_id = rule_id
        self.field = field


# -- writing -----------------------------------------------------------------------------


def _conditions_table(conditions: Conditions) -> dict[str, object]:
    table: dict[str, object] = {}
    for name in ("networks", "account_ids", "languages"):
        values: frozenset[str] = getattr(conditions, name)
        if values:
            table[name] = sorted(values)
    if conditions.kinds:
        table["kinds"] = sorted(kind.value for kind in conditions.kinds)
    if conditions.keywords:
        table["keywords"] = list(conditions.keywords)
    if conditions.regex is not None:
        table["regex"] = conditions.regex
    for name in ("negative_tone", "author_vip", "author_blocked", "has_link",
                 "inside_business_hours"):  # fmt: skip
        flag: bool | None = getattr(conditions, name)
        if flag is not None:
            table[name] = flag
    return table


def _actions_table(actions: Actions) -> dict[str, object]:
    table: dict[str, object] = {}
    if actions.department is not None:
        table["department"] = actions.department
    if actions.priority is not None:
        table["priority"] = actions.priority.value
    if actions.tags:
        table["tags"] = list(actions.tags)
    if actions.assignee is not None:
        table["assignee"] = actions.assignee
    if actions.spam:
        table["spam"] = True
    if actions.sla_policy is not None:
        table["sla_policy"] = actions.sla_policy
    return table


def dumps(rules: Sequence[Rule]) -> str:
    """The rule file for ``rules``, in order; duplicate ids raise ``ValueError``."""
    seen: set[str] = set()
    tables: list[dict[str, object]] = []
    for rule in rules:
        if rule.id in seen:
            raise ValueError(f"two rules have the id {rule.id!r}")
        seen.add(rule.id)
        table: dict[str, object] = {
            "id": rule.id,
            "name": rule.name,
            "enabled": rule.enabled,
            "continue_matching": rule.continue_matching,
        }
        conditions = _conditions_table(rule.conditions)
        if conditions:
            table["conditions"] = conditions
        actions = _actions_table(rule.actions)
        if actions:
            table["actions"] = actions
        tables.append(table)
    document: dict[str, object] = {"version": VERSION}
    if tables:
        document["rule"] = tables
    return _HEADER + "\n" + tomli_w.dumps(document)


# -- reading -----------------------------------------------------------------------------


def _unknown(name: str, known: Sequence[str] | set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return "unknown field" + (f" (did you mean {close[0]!r}?)" if close else "")


class _Reader:
    """Reads one ``[[rule]]`` table, raising errors that say where."""

    def __init__(self, index: int, table: Mapping[str, object]) -> None:
        self.index = index
        raw_id = table.get("id")
        self.rule_id = (raw_id.strip() or None) if isinstance(raw_id, str) else None
        self.table = table

    def error(self, problem: str, field: str | None = None) -> RulesFormatError:
        return RulesFormatError(problem, rule_index=self.index, rule_id=self.rule_id, field=field)

    def value(self, prefix: str, name: str, value: object) -> object:
        """Type-check one field of a sub-table (before the rule's own validation)."""
        where = f"{prefix}.{name}"
        if name in _LIST_FIELDS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise self.error(f"must be a list of text, got {value!r}", where)
        elif name in _BOOL_FIELDS:
            if not isinstance(value, bool):
                raise self.error(f"must be true or false, got {value!r}", where)
        elif not isinstance(value, str):
            raise self.error(f"must be text, got {value!r}", where)
        return value

    def sub_table(self, prefix: str, known: set[str]) -> dict[str, object]:
        raw = self.table.get(prefix, {})
        if not isinstance(raw, Mapping):
            raise self.error(f"must be a table ([rule.{prefix}]), got {raw!r}", prefix)
        out: dict[str, object] = {}
        for name, value in raw.items():
            if name not in known:
                raise self.error(_unknown(name, known), f"{prefix}.{name}")
            out[name] = self.value(prefix, name, value)
        return out

    def rule(self) -> Rule:
        for name in self.table:
            if name not in _RULE_FIELDS:
                raise self.error(_unknown(name, _RULE_FIELDS), name)
        for name in ("id", "name"):
            if name not in self.table:
                raise self.error("is required", name)
            if not isinstance(self.table[name], str):
                raise self.error(f"must be text, got {self.table[name]!r}", name)
        for name in ("enabled", "continue_matching"):
            if name in self.table and not isinstance(self.table[name], bool):
                raise self.error(f"must be true or false, got {self.table[name]!r}", name)
        # The values are type-checked above; the constructors validate the rest.
        condition_values = self.sub_table("conditions", _CONDITION_FIELDS)
        action_values = self.sub_table("actions", _ACTION_FIELDS)
        try:
            conditions = Conditions(**condition_values)  # type: ignore[arg-type]
        except RuleError as exc:
            raise self.error(exc.problem, f"conditions.{exc.field}") from None
        try:
            actions = Actions(**action_values)  # type: ignore[arg-type]
        except RuleError as exc:
            raise self.error(exc.problem, f"actions.{exc.field}") from None
        try:
            return Rule(
                id=str(self.table["id"]),
                name=str(self.table["name"]),
                enabled=bool(self.table.get("enabled", True)),
                conditions=conditions,
                actions=actions,
                continue_matching=bool(self.table.get("continue_matching", False)),
            )
        except RuleError as exc:
            raise self.error(exc.problem, exc.field) from None


def loads(text: str) -> list[Rule]:
    """The rules of a rule file, in order; a bad file raises :class:`RulesFormatError`."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesFormatError(f"not a valid TOML file: {exc}") from None
    for name in document:
        if name not in ("version", "rule"):
            hint = " (rules are [[rule]] tables)" if name == "rules" else ""
            raise RulesFormatError(f"unknown top-level field {name!r}{hint}")
    version = document.get("version", VERSION)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise RulesFormatError(f"version must be a positive whole number, got {version!r}")
    if version > VERSION:
        raise RulesFormatError(
            f"file version {version} is newer than this SMM Desk understands ({VERSION})"
        )
    raw_rules = document.get("rule", [])
    if not isinstance(raw_rules, list):
        raise RulesFormatError("'rule' must be an array of tables: write each as [[rule]]")
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for index, table in enumerate(raw_rules, start=1):
        if not isinstance(table, dict):
            raise RulesFormatError("must be a table: write it as [[rule]]", rule_index=index)
        rule = _Reader(index, table).rule()
        if rule.id in seen:
            raise RulesFormatError(
                f"the same id as rule {seen[rule.id]}", rule_index=index, rule_id=rule.id,
                field="id",
            )  # fmt: skip
        seen[rule.id] = index
        rules.append(rule)
    return rules
