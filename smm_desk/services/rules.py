"""``RulesService``: what the rule editor reads and changes.

The editor works on a copy of the rule list and saves it whole
(:meth:`save_rules`), so "Cancel" really cancels; everything it shows before
saving -- "try on text" and the preview over recent cases -- is computed here
from the rule being edited, not from the stored one. A save is announced once
with ``changed`` (``RulesChange``).

Rules and decisions are the plain domain objects (:mod:`smm_desk.domain.rules`);
:class:`RoutePreview` and :class:`PreviewMatch` are re-exported for the UI,
which may not import the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from smm_desk.domain import rules_format
from smm_desk.domain.records import MessageKind
from smm_desk.domain.rules import (
    Decision,
    MessageFacts,
    Rule,
    RuleContext,
    conditions_hold,
    evaluate,
    explain,
)

if TYPE_CHECKING:
    from smm_desk.store.api import Store
    from smm_desk.store.routing import PreviewMatch, RoutePreview


def __getattr__(name: str) -> object:
    """The preview views, re-exported for the UI, imported on first use: this
    module is built with the window, before SQLAlchemy is loaded (cold start)."""
    if name in ("PreviewMatch", "RoutePreview"):
        from smm_desk.store import routing

        return getattr(routing, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["PreviewMatch", "RoutePreview", "RulesChange", "RulesService", "TryResult"]

#: How many recent cases the preview examines.
PREVIEW_CASES = 1000


@dataclass(frozen=True)
class RulesChange:
    """``what`` changed ("rules", "vip", "blocked"), ``count`` entries it now has."""

    what: str
    count: int


@dataclass(frozen=True)
class TryResult:
    """A rule tried on a text: whether it matches, why (``explain``), and what
    the whole rule set (with this rule in place) would decide."""

    matches: bool
    lines: tuple[str, ...]
    decision: Decision


class RulesService(QObject):
    changed = Signal(object)  # RulesChange

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store

    # reading -----------------------------------------------------------------------------
    def rules(self) -> list[Rule]:
        return self._store.rules()

    def departments(self) -> list[str]:
        return [d.name for d in self._store.departments()]

    def context(self) -> RuleContext:
        return self._store.routing_context()

    # trying ------------------------------------------------------------------------------
    def try_text(
        self, rule: Rule, text: str, *, network: str = "telegram", kind: str = "dm",
        author: str = "", rules: Sequence[Rule] | None = None,
    ) -> TryResult:
        """``rule`` on a message with ``text``; ``rules`` is the list it sits in
        (default: the stored rules with ``rule`` replacing its namesake or last)."""
        facts = MessageFacts(network=network, account_id="", kind=MessageKind(kind), text=text,
                             author_id=author, author_name=author, created_at=datetime.now(UTC))
        context = self.context()
        lines = explain(rule, facts, context)
        if rules is None:
            stored = self.rules()
            rules = [rule if r.id == rule.id else r for r in stored]
            if all(r.id != rule.id for r in stored):
                rules.append(rule)
        decision = evaluate(rules, facts, context)
        return TryResult(conditions_hold(rule, facts, context), tuple(lines), decision)

    def preview(self, rule: Rule, last_n: int = PREVIEW_CASES) -> RoutePreview:
        """Which of the ``last_n`` most recent cases ``rule`` would catch."""
        return self._store.route_preview(rule, last_n)

    # changing ----------------------------------------------------------------------------
    def save_rules(self, rules: Sequence[Rule]) -> None:
        self._store.save_rules(list(rules))
        self.changed.emit(RulesChange("rules", len(rules)))

    def vip_list(self) -> list[str]:
        return self._store.vip_list()

    def set_vip_list(self, values: Sequence[str]) -> list[str]:
        kept = self._store.set_vip_list(values)
        self.changed.emit(RulesChange("vip", len(kept)))
        return kept

    def blocked_list(self) -> list[str]:
        return self._store.blocked_list()

    def set_blocked_list(self, values: Sequence[str]) -> list[str]:
        kept = self._store.set_blocked_list(values)
        self.changed.emit(RulesChange("blocked", len(kept)))
        return kept

    # files -------------------------------------------------------------------------------
    def export_text(self) -> str:
        return rules_format.dumps(self.rules())

    @staticmethod
    def parse(text: str) -> list[Rule]:
        """Rules from a rule file; ``RulesFormatError`` names the rule and field."""
        return rules_format.loads(text)
