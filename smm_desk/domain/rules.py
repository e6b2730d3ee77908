"""Routing rules: ordered conditions -> actions, evaluated over one message.

A community manager's job is to get each case to the department that can solve
it; rules do the obvious part of that the moment a case arrives. This module is
pure: :func:`evaluate` takes rules, the facts of one message and a context
(VIP and block lists, business hours, the tone lexicon's extra terms) and
returns a :class:`Decision` the store applies and records as one ``routed``
event naming the rule(s). :func:`explain` and :func:`check` tell the rule
editor which conditions held, for "try a rule on any text".

Semantics, including the decisions the issue left open:

* **Conditions** are all optional; a rule holds when every condition it gives
  holds, and a rule with no condition holds for every message (the catch-all).
  An empty collection means "not given", not "nothing matches". Tri-state
  flags (``negative_tone``, ``author_vip``, ``author_blocked``, ``has_link``,
  ``inside_business_hours``) are ``None`` = don't care, ``True`` = must be so,
  ``False`` = must not be so.
* **Keywords** are any-of, matched as whole words, case- and
  diacritic-insensitively, phrases as consecutive words, ``*`` at the end of a
  word for a prefix -- the rules are in :mod:`smm_desk.domain.language`.
* **Regex** is the user's pattern run by RE2, which guarantees time linear in
  the text, so no pattern can freeze the app ("(a+)+$" on 100 KB takes
  microseconds). It is searched (not anchored) in the first
  :data:`~smm_desk.domain.language.MAX_EXAMINED` characters, case-
  insensitively by default (write ``(?-i)`` to opt out), on the text as the
  customer wrote it (diacritics kept). RE2 syntax differs from Python's: no
  backreferences or look-around (such a pattern is refused when the rule is
  built, with RE2's reason), and ``\\w``, ``\\d``, ``\\b`` are ASCII-only -- use
  ``\\p{L}`` for a letter of any alphabet. Patterns are limited to
  :data:`MAX_PATTERN` characters.
* **Languages** compare with :func:`smm_desk.domain.language.detect_language`
  (or the context's detector); an undetermined language matches no language.
* **Authors** are on a list when their id or their display name is, compared
  case-insensitively and without a leading ``@``.
* **Business hours** use the context's calendar at the message's network time;
  without a calendar the desk counts as always open (as an SLA policy without
  a calendar does), so ``inside_business_hours=True`` always holds.
* **Links**: ``http(s)://``, ``www.``, a domain followed by a path
  (``t.me/x``, ``bit.ly/x``) or a bare domain with a common TLD (``shop.ru``).
* **Evaluation** walks the rules in order, skipping disabled ones. The first
  rule that holds is applied; evaluation stops there unless that rule says
  ``continue_matching``, in which case the next rule that holds is applied
  too, and so on until one that holds does not continue.
* **Merging** what several matched rules say: the department, assignee and SLA
  policy are the first matched rule's that sets them (a later rule only fills
  what is still unset); the priority is the highest any matched rule sets;
  tags accumulate in order without duplicates; spam if any says spam.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from smm_desk.domain import language
from smm_desk.domain.business_hours import BusinessCalendar, as_utc
from smm_desk.domain.records import NETWORKS, IncomingMessage, MessageKind, Priority
from smm_desk.domain.rule_checks import ConditionCheck, Examined, holds, person_key, run_checks

__all__ = [
    "DEFAULT_CONTEXT",
    "MAX_PATTERN",
    "PRIORITY_ORDER",
    "Actions",
    "ConditionCheck",
    "Conditions",
    "Decision",
    "MatchedRule",
    "MessageFacts",
    "Rule",
    "RuleContext",
    "RuleError",
    "check",
    "compile_user_regex",
    "conditions_hold",
    "evaluate",
    "explain",
]

#: Longest regex a rule may carry.
MAX_PATTERN = 1_000
#: Priorities from lowest to highest, for "the highest wins".
PRIORITY_ORDER: tuple[Priority, ...] = (
    Priority.LOW,
    Priority.NORMAL,
    Priority.HIGH,
    Priority.URGENT,
)


class RuleError(ValueError):
    """A rule that cannot be built; ``field`` names the offending part, e.g. ``regex``."""

    def __init__(self, field_name: str, problem: str) -> None:
        super().__init__(f"{field_name}: {problem}")
        self.field = field_name
        self.problem = problem


# -- validation helpers ------------------------------------------------------------------


def compile_user_regex(pattern: str) -> language.UserRegex:
    """Compile a rule's pattern; an invalid or over-long one raises ``RuleError``."""
    if not isinstance(pattern, str):
        raise RuleError("regex", f"must be text, got {pattern!r}")
    if len(pattern) > MAX_PATTERN:
        raise RuleError("regex", f"pattern is longer than {MAX_PATTERN} characters")
    try:
        return language.compile_pattern(pattern)
    except ValueError as exc:
        raise RuleError("regex", f"invalid pattern {pattern!r}: {exc}") from None


def _names(field_name: str, value: object, *, lower: bool = False) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise RuleError(field_name, f"must be a list of names, got {value!r}")
    out: set[str] = set()
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise RuleError(field_name, f"every entry must be non-empty text, got {item!r}")
        out.add(item.strip().lower() if lower else item.strip())
    return frozenset(out)


def _flag(field_name: str, value: object) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise RuleError(field_name, f"must be true, false or absent, got {value!r}")


def _optional_name(field_name: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise RuleError(field_name, f"must be text, got {value!r}")
    return value.strip() or None


# -- rules -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Conditions:
    """What a message must look like for a rule to hold (see the module notes)."""

    networks: frozenset[str] = frozenset()
    account_ids: frozenset[str] = frozenset()
    kinds: frozenset[MessageKind] = frozenset()
    keywords: tuple[str, ...] = ()
    regex: str | None = None
    languages: frozenset[str] = frozenset()
    negative_tone: bool | None = None
    author_vip: bool | None = None
    author_blocked: bool | None = None
    has_link: bool | None = None
    inside_business_hours: bool | None = None
    _phrases: tuple[language.Phrase, ...] = field(init=False, repr=False, compare=False)
    _regex: language.UserRegex | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        networks = _names("networks", self.networks, lower=True)
        unknown = sorted(networks - set(NETWORKS))
        if unknown:
            raise RuleError(
                "networks", f"unknown network {unknown[0]!r}; known: {', '.join(NETWORKS)}"
            )
        kinds: set[MessageKind] = set()
        for kind in _names("kinds", self.kinds, lower=True):
            try:
                kinds.add(MessageKind(kind))
            except ValueError:
                known = ", ".join(k.value for k in MessageKind)
                raise RuleError("kinds", f"unknown kind {kind!r}; known: {known}") from None
        languages = _names("languages", self.languages, lower=True)
        unsupported = sorted(languages - language.SUPPORTED_LANGUAGES)
        if unsupported:
            known = ", ".join(sorted(language.SUPPORTED_LANGUAGES))
            raise RuleError(
                "languages", f"language {unsupported[0]!r} is not detected; known: {known}"
            )
        if isinstance(self.keywords, str) or not isinstance(self.keywords, Iterable):
            raise RuleError(
                "keywords", f"must be a list of words or phrases, got {self.keywords!r}"
            )
        keywords: list[str] = []
        phrases: list[language.Phrase] = []
        for keyword in self.keywords:
            if not isinstance(keyword, str):
                raise RuleError("keywords", f"every keyword must be text, got {keyword!r}")
            try:
                phrase = language.compile_phrase(keyword)
            except ValueError as exc:
                raise RuleError("keywords", str(exc)) from None
            if phrase.source.strip() not in keywords:
                keywords.append(phrase.source.strip())
                phrases.append(phrase)
        regex = None if self.regex is None or self.regex == "" else compile_user_regex(self.regex)
        set_ = object.__setattr__
        set_(self, "networks", networks)
        set_(self, "account_ids", _names("account_ids", self.account_ids))
        set_(self, "kinds", frozenset(kinds))
        set_(self, "keywords", tuple(keywords))
        set_(self, "regex", None if regex is None else regex.pattern)
        set_(self, "languages", languages)
        for name in ("negative_tone", "author_vip", "author_blocked", "has_link",
                     "inside_business_hours"):  # fmt: skip
            set_(self, name, _flag(name, getattr(self, name)))
        set_(self, "_phrases", tuple(phrases))
        set_(self, "_regex", regex)

    @property
    def is_empty(self) -> bool:
        """No condition given: holds for every message."""
        return self == _NO_CONDITIONS


_NO_CONDITIONS = Conditions()


@dataclass(frozen=True)
class Actions:
    """What a matched rule does to the case. ``None``/empty means "leave as is"."""

    department: str | None = None
    priority: Priority | None = None
    tags: tuple[str, ...] = ()
    assignee: str | None = None
    spam: bool = False
    sla_policy: str | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        for name in ("department", "assignee", "sla_policy"):
            set_(self, name, _optional_name(name, getattr(self, name)))
        if self.priority is not None:
            try:
                set_(self, "priority", Priority(self.priority))
            except ValueError:
                known = ", ".join(p.value for p in PRIORITY_ORDER)
                raise RuleError(
                    "priority", f"unknown priority {self.priority!r}; known: {known}"
                ) from None
        if isinstance(self.tags, str) or not isinstance(self.tags, Iterable):
            raise RuleError("tags", f"must be a list of tags, got {self.tags!r}")
        tags: list[str] = []
        for tag in self.tags:
            if not isinstance(tag, str) or not tag.strip():
                raise RuleError("tags", f"every tag must be non-empty text, got {tag!r}")
            if tag.strip() not in tags:
                tags.append(tag.strip())
        set_(self, "tags", tuple(tags))
        if not isinstance(self.spam, bool):
            raise RuleError("spam", f"must be true or false, got {self.spam!r}")


@dataclass(frozen=True)
class Rule:
    """One routing rule; its position in the list is its order."""

    id: str
    name: str
    enabled: bool = True
    conditions: Conditions = field(default_factory=Conditions)
    actions: Actions = field(default_factory=Actions)
    continue_matching: bool = False

    def __post_init__(self) -> None:
        for name in ("id", "name"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise RuleError(name, f"must be non-empty text, got {value!r}")
            object.__setattr__(self, name, value.strip())
        for name in ("enabled", "continue_matching"):
            if not isinstance(getattr(self, name), bool):
                raise RuleError(name, f"must be true or false, got {getattr(self, name)!r}")
        if not isinstance(self.conditions, Conditions):
            raise RuleError("conditions", "must be a Conditions")
        if not isinstance(self.actions, Actions):
            raise RuleError("actions", "must be an Actions")


# -- inputs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MessageFacts:
    """The message a decision is about; ``created_at`` is the network's time, UTC."""

    network: str
    account_id: str
    kind: MessageKind
    text: str
    author_id: str
    author_name: str
    created_at: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", MessageKind(self.kind))
        object.__setattr__(self, "created_at", as_utc(self.created_at, "created_at"))

    @classmethod
    def of(cls, message: IncomingMessage, network: str, account_id: str) -> MessageFacts:
        """The facts of a message as a connector produced it."""
        return cls(
            network=network,
            account_id=account_id,
            kind=message.kind,
            text=message.text,
            author_id=message.author_id,
            author_name=message.author_name,
            created_at=message.created_at,
        )


@dataclass(frozen=True)
class RuleContext:
    """Everything besides the message that conditions look at.

    ``vip`` and ``blocked`` hold author ids or names. ``negative_terms`` extend
    the tone lexicon (each counts as a strong term). ``detect_language`` and
    ``is_negative`` replace language detection and the tone lexicon, for tests
    or another model; by default :func:`smm_desk.domain.language.detect_language`
    and :mod:`smm_desk.domain.tone` with ``negative_terms`` are used.
    """

    vip: frozenset[str] = frozenset()
    blocked: frozenset[str] = frozenset()
    calendar: BusinessCalendar | None = None
    negative_terms: tuple[str, ...] = ()
    detect_language: Callable[[str], str | None] = language.detect_language
    is_negative: Callable[[str], bool] | None = None

    def __post_init__(self) -> None:
        for name in ("vip", "blocked"):
            people = _names(name, getattr(self, name))
            object.__setattr__(self, name, frozenset(person_key(p) for p in people) - {""})
        if isinstance(self.negative_terms, str):
            raise RuleError("negative_terms", "must be a list of terms, not one string")
        terms = tuple(self.negative_terms)
        for term in terms:
            try:
                language.compile_phrase(term)
            except ValueError as exc:
                raise RuleError("negative_terms", str(exc)) from None
        object.__setattr__(self, "negative_terms", terms)
        if self.calendar is not None and not isinstance(self.calendar, BusinessCalendar):
            raise RuleError("calendar", "must be a BusinessCalendar or None")


DEFAULT_CONTEXT = RuleContext()


# -- decisions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchedRule:
    id: str
    name: str


@dataclass(frozen=True)
class Decision:
    """What the matched rules say about a case; ``matched`` is empty when none held."""

    matched: tuple[MatchedRule, ...] = ()
    department: str | None = None
    priority: Priority | None = None
    tags: tuple[str, ...] = ()
    assignee: str | None = None
    spam: bool = False
    sla_policy: str | None = None

    @property
    def rule(self) -> MatchedRule | None:
        """The first matched rule: the one a "routed" event names."""
        return self.matched[0] if self.matched else None

    def to_dict(self) -> dict[str, object]:
        """JSON-safe form for an event payload or ``rules test --json``."""
        return {
            "matched": [{"id": m.id, "name": m.name} for m in self.matched],
            "department": self.department,
            "priority": None if self.priority is None else self.priority.value,
            "tags": list(self.tags),
            "assignee": self.assignee,
            "spam": self.spam,
            "sla_policy": self.sla_policy,
        }


def _merge(matched: Sequence[Rule]) -> Decision:
    department = assignee = sla_policy = None
    priority: Priority | None = None
    tags: list[str] = []
    spam = False
    for rule in matched:
        actions = rule.actions
        department = department or actions.department
        assignee = assignee or actions.assignee
        sla_policy = sla_policy or actions.sla_policy
        if actions.priority is not None and (
            priority is None
            or PRIORITY_ORDER.index(actions.priority) > PRIORITY_ORDER.index(priority)
        ):
            priority = actions.priority
        tags.extend(tag for tag in actions.tags if tag not in tags)
        spam = spam or actions.spam
    return Decision(
        matched=tuple(MatchedRule(rule.id, rule.name) for rule in matched),
        department=department,
        priority=priority,
        tags=tuple(tags),
        assignee=assignee,
        spam=spam,
        sla_policy=sla_policy,
    )


def evaluate(
    rules: Sequence[Rule], facts: MessageFacts, context: RuleContext = DEFAULT_CONTEXT
) -> Decision:
    """Apply ``rules`` in order to one message (see the module notes for the merge)."""
    examined = Examined(facts, context)
    matched: list[Rule] = []
    for rule in rules:
        if not rule.enabled or not holds(rule.conditions, examined):
            continue
        matched.append(rule)
        if not rule.continue_matching:
            break
    return _merge(matched)


def conditions_hold(
    rule: Rule, facts: MessageFacts, context: RuleContext = DEFAULT_CONTEXT
) -> bool:
    """Whether every condition of ``rule`` holds, whether or not the rule is enabled."""
    return holds(rule.conditions, Examined(facts, context))


def check(
    rule: Rule, facts: MessageFacts, context: RuleContext = DEFAULT_CONTEXT
) -> list[ConditionCheck]:
    """Every condition ``rule`` gives, applied to ``facts`` (none skipped)."""
    return run_checks(rule.conditions, Examined(facts, context))


def explain(rule: Rule, facts: MessageFacts, context: RuleContext = DEFAULT_CONTEXT) -> list[str]:
    """Lines telling which conditions held and which failed, then the verdict."""
    checks = check(rule, facts, context)
    lines = [f"{'✓' if c.held else '✗'} {c.condition}: {c.detail}" for c in checks]
    failed = sum(not c.held for c in checks)
    if not checks:
        verdict = "matches: the rule has no conditions, so it matches every message"
    elif failed:
        verdict = f"does not match: {failed} of {len(checks)} conditions failed"
    else:
        verdict = f"matches: all {len(checks)} conditions hold"
    lines.append(verdict)
    if not rule.enabled:
        lines.append("the rule is disabled: routing skips it until it is enabled")
    return lines
