"""Condition checks of routing rules: what each condition of a rule finds in one message.

:class:`Examined` derives what conditions look at from one message (its words,
language, tone, links, the business-hours state), each at most once; one
``_check_*`` function per condition tells whether it held and why, and
:func:`holds` / :func:`run_checks` apply them in order, cheapest first. The
semantics of every condition are described in :mod:`smm_desk.domain.rules`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from smm_desk.domain import language, tone

if TYPE_CHECKING:
    from smm_desk.domain.rules import Conditions, MessageFacts, RuleContext

__all__ = ["CHECKS", "ConditionCheck", "Examined", "holds", "person_key", "run_checks"]


def person_key(value: str) -> str:
    """How an author id or name is compared with the VIP and block lists."""
    return value.strip().lstrip("@").casefold()


class Examined:
    """What conditions derive from one message, each computed at most once."""

    def __init__(self, facts: MessageFacts, context: RuleContext) -> None:
        self.facts = facts
        self.context = context

    @cached_property
    def words(self) -> language.Words:
        return language.Words(self.facts.text)

    @cached_property
    def detected_language(self) -> str | None:
        return self.context.detect_language(self.facts.text[: language.MAX_EXAMINED])

    @cached_property
    def tone_report(self) -> tone.ToneReport | None:
        """The lexicon's report, or ``None`` when the context overrides the judge."""
        if self.context.is_negative is not None:
            return None
        return tone.assess_tone(self.facts.text, self.context.negative_terms, self.words)

    @cached_property
    def negative(self) -> bool:
        judge = self.context.is_negative
        if judge is not None:
            return judge(self.facts.text)
        report = self.tone_report
        return report is not None and report.negative

    @cached_property
    def link(self) -> bool:
        return language.has_link(self.facts.text)

    @cached_property
    def open_now(self) -> bool | None:
        calendar = self.context.calendar
        return None if calendar is None else calendar.is_open(self.facts.created_at)

    def on_list(self, people: frozenset[str]) -> str | None:
        for value in (self.facts.author_id, self.facts.author_name):
            key = person_key(value)
            if key and key in people:
                return value
        return None


@dataclass(frozen=True)
class ConditionCheck:
    """One condition of a rule applied to one message, for the rule editor."""

    condition: str
    held: bool
    detail: str


def _quoted(values: Iterable[str]) -> str:
    return ", ".join(repr(v) for v in sorted(values))


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


if TYPE_CHECKING:
    _Check = Callable[[Conditions, Examined, bool], ConditionCheck | None]
    """A condition's test: ``None`` when the rule does not give that condition. With
    ``verbose`` False (evaluation) the detail may be left empty."""


def _check_network(c: Conditions, e: Examined, verbose: bool) -> ConditionCheck | None:
    if not c.networks:
        return None
    network = e.facts.network.lower()
    detail = f"network is {network!r}; rule wants {_quoted(c.networks)}"
    return ConditionCheck("networks", network in c.networks, detail)


def _check_account(c: Conditions, e: Examined, verbose: bool) -> ConditionCheck | None:
    if not c.account_ids:
        return None
    account = e.facts.account_id
    detail = f"account is {account!r}; rule wants {_quoted(c.account_ids)}"
    return ConditionCheck("account_ids", account in c.account_ids, detail)


def _check_kind(c: Conditions, e: Examined, verbose: bool) -> ConditionCheck | None:
    if not c.kinds:
        return None
    kind = e.facts.kind
    detail = f"kind is {kind.value!r}; rule wants {_quoted(k.value for k in c.kinds)}"
    return ConditionCheck("kinds", kind in c.kinds, detail)


def _check_list(
    name: str, wanted: bool | None, people: frozenset[str], what: str, e: Examined
) -> ConditionCheck | None:
    if wanted is None:
        return None
    who = e.on_list(people)
    state = f"author {who!r} is on the {what} list" if who else f"author is not on the {what} list"
    detail = f"{state}; rule wants {'on' if wanted else 'not on'} it"
    return ConditionCheck(name, (who is not None) == wanted, detail)


def _check_vip(c: Conditions, e: Examined, verbose: bool) -> ConditionCheck | None:
    return _check_list("author_vip", c.author_vip, e.context.vip, "VIP", e)


def _check_blocked(c: Conditions, e: Examined, verbose: bool) -> ConditionCheck | None:
    return _check_list("author_blocked", c.author_blocked, e.context.blocked, "block", e)


def _check_hours(c: Conditions, e: Examined, verbose: bool) -> ConditionCheck | None:
    if c.inside_business_hours is None:
        return None
    open_now = e.open_now
    if open_now is None:
        state, is_open = "no business-hours calendar: always open", True
    else:
        state, is_open = f"{'inside' if open_now else 'outside'} business hours", open_now
    wants = "inside" if c.inside_business_hours else "outside"
    detail = f"{state}; rule wants {wants}"
    return ConditionCheck("inside_business_hours", is_open == c.inside_business_hours, detail)


def _check_link(c: Conditions, e: Examined, verbose: bool) -> ConditionCheck | None:
    if c.has_link is None:
        return None
    detail = f"contains a link: {_yes_no(e.link)}; rule wants {_yes_no(c.has_link)}"
    return ConditionCheck("has_link", e.link == c.has_link, detail)


def _check_keywords(c: Conditions, e: Examined, verbose: bool) -> ConditionCheck | None:
    if not c.keywords:
        return None
    if not verbose:
        held = any(e.words.contains(p) for p in c._phrases)
        return ConditionCheck("keywords", held, "")
    found = [p.source for p in e.words.found(c._phrases)]
    detail = f"found {', '.join(map(repr, found))}" if found else "none of the keywords found"
    return ConditionCheck("keywords", bool(found), detail)


def _check_regex(c: Conditions, e: Examined, verbose: bool) -> ConditionCheck | None:
    if c._regex is None:
        return None
    held = c._regex.search(e.facts.text)
    detail = f"pattern {c._regex.pattern!r} {'found' if held else 'not found'}"
    return ConditionCheck("regex", held, detail)


def _check_tone(c: Conditions, e: Examined, verbose: bool) -> ConditionCheck | None:
    if c.negative_tone is None:
        return None
    negative = e.negative
    state = f"tone is {'negative' if negative else 'not negative'}"
    report = e.tone_report if verbose else None
    if report is not None and report.matched:
        state += f" (score {report.score}: {', '.join(report.matched)})"
    wants = "negative" if c.negative_tone else "not negative"
    detail = f"{state}; rule wants {wants}"
    return ConditionCheck("negative_tone", negative == c.negative_tone, detail)


def _check_language(c: Conditions, e: Examined, verbose: bool) -> ConditionCheck | None:
    if not c.languages:
        return None
    lang = e.detected_language
    state = f"language is {lang!r}" if lang else "language could not be determined"
    detail = f"{state}; rule wants {_quoted(c.languages)}"
    return ConditionCheck("languages", lang in c.languages, detail)


#: Cheapest first, so evaluation stops before the costly ones when it can.
CHECKS: tuple[_Check, ...] = (
    _check_network, _check_account, _check_kind, _check_vip, _check_blocked, _check_hours,
    _check_link, _check_keywords, _check_regex, _check_tone, _check_language,
)  # fmt: skip


def holds(conditions: Conditions, examined: Examined) -> bool:
    for run in CHECKS:
        result = run(conditions, examined, False)
        if result is not None and not result.held:
            return False
    return True


def run_checks(conditions: Conditions, examined: Examined) -> list[ConditionCheck]:
    """Every condition ``conditions`` gives, applied with details (none skipped)."""
    results = (run(conditions, examined, True) for run in CHECKS)
    return [result for result in results if result is not None]
