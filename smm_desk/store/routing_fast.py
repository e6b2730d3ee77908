"""Deciding routing rules fast: what :func:`smm_desk.domain.rules.evaluate`
decides, at a fraction of its cost on keyword-heavy rule sets.

Ingest routes every new case, and a sync batch may bring 30,000 of them
(``bench/bench_sync.py`` guards the cost), while the starter rules carry some
400 keywords and the tone lexicon 200 terms. The engine looks each one up in
every message; :class:`CompiledRules` turns that around:

* an inverted index from each keyword's (and lexicon term's) first word to the
  keywords finds the few that can occur in a message, then checks them with the
  engine's own folding (:func:`smm_desk.domain.language.fold_word`) and key
  matching (``Phrase.words[i].fits``), over words split exactly as the engine
  splits them (a Python ``re`` class built from the Unicode database, equal to
  the engine's RE2 ``[\\p{L}\\p{M}\\p{N}]+|\\p{So}``; a text holding a
  character this Python does not know goes to the engine as is);
* a rule whose keywords are absent is dropped, one whose keywords are present
  is evaluated without its keyword condition; the engine does the rest, and
  detects the language only when a rule still needs it;
* the tone lexicon runs (:func:`smm_desk.domain.tone.assess_tone`) only when
  one of its terms is in the text: without one only shouting can score, and it
  alone never reaches ``NEGATIVE_AT`` (a test holds that);
* when the rules still standing hold for every message up to the first that
  stops matching, their decision is the same for every message and is reused.

``tests/store/test_routing.py`` checks with hypothesis that the words and the
decisions equal the engine's.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from smm_desk.domain import language, tone
from smm_desk.domain.rules import Decision, MessageFacts, Rule, RuleContext, evaluate

__all__ = ["TONE", "CompiledRules", "FastJudge", "Text"]

_ASCII_WORDS = re.compile(r"[A-Za-z0-9]+")


def _class(code_points: list[int]) -> str:
    """A regex character class body for sorted ``code_points``, as ranges."""
    parts: list[str] = []
    start = previous = None
    for cp in [*code_points, -1]:
        if previous is not None and cp == previous + 1:
            previous = cp
            continue
        if start is not None and previous is not None:
            parts.append(f"\\U{start:08x}-\\U{previous:08x}")
        start = previous = cp
    return "".join(parts)


@lru_cache(maxsize=1)
def _tokenizer() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The engine's word pattern in Python ``re``, and a finder of unknown characters.

    ``[^\\W_]`` is exactly letters and numbers (checked over all of Unicode in
    the tests); marks and symbols are spelled out from ``unicodedata``. Built
    on the first non-ASCII text (a fraction of a second): ASCII words are
    ``[A-Za-z0-9]+``, as ASCII has no marks or ``So`` symbols.
    """
    marks: list[int] = []
    symbols: list[int] = []
    unknown: list[int] = []
    category = unicodedata.category
    for cp in range(0x110000):
        cat = category(chr(cp))
        if cat[0] == "M":
            marks.append(cp)
        elif cat == "So":
            symbols.append(cp)
        elif cat == "Cn":
            unknown.append(cp)
    return (re.compile(f"(?:[^\\W_]|[{_class(marks)}])+|[{_class(symbols)}]"),
            re.compile(f"[{_class(unknown)}]"))


@dataclass(frozen=True)
class _Key:
    """One keyword of one rule (or of the tone lexicon), for the inverted index."""

    rule: int
    phrase: language.Phrase
    has_symbols: bool
    #: One word without diacritics: found as soon as its first word is.
    simple: bool


class Text:
    """A text's words, split and folded exactly as ``language.Words`` does; the
    positions of each base (among all words, and among non-symbols) on demand.

    An ASCII text's words are ``[A-Za-z0-9]+`` lower-cased: ``fold_word`` of an
    ASCII token is exactly that, without marks (ASCII has no ``So`` symbols).
    """

    __slots__ = ("_positions", "_spoken_positions", "_tokens", "bases", "has_symbols",
                 "spoken", "words")

    def __init__(self, tokens: list[str], words: tuple[language.Word, ...] | None) -> None:
        self._tokens = tokens
        self.words = words
        self.has_symbols = words is not None
        self.bases = set(tokens) if words is None else {w.base for w in words}
        self._positions: dict[str, list[int]] | None = None
        self._spoken_positions: dict[str, list[int]] | None = None

    @staticmethod
    def _index(words: tuple[language.Word, ...]) -> dict[str, list[int]]:
        positions: dict[str, list[int]] = {}
        for index, word in enumerate(words):
            positions.setdefault(word.base, []).append(index)
        return positions

    def _starts(self, base: str, symbols: bool) -> tuple[tuple[language.Word, ...], list[int]]:
        assert self.words is not None
        if self._positions is None:
            self._positions = self._spoken_positions = self._index(self.words)
            self.spoken = self.words
            if self.has_symbols:
                self.spoken = tuple(w for w in self.words if not _is_symbol(w.base))
                if len(self.spoken) != len(self.words):
                    self._spoken_positions = self._index(self.spoken)
        if symbols:
            return self.words, self._positions.get(base, [])
        assert self._spoken_positions is not None
        return self.spoken, self._spoken_positions.get(base, [])

    @classmethod
    def of(cls, text: str) -> Text | None:
        """``None`` when the text holds a character this Python's Unicode lacks."""
        text = text[: language.MAX_EXAMINED]
        if text.isascii():
            return cls(_ASCII_WORDS.findall(text.lower()), None)
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        words_pattern, unknown = _tokenizer()
        if unknown.search(text):
            return None
        words = tuple(w for w in map(language.fold_word, words_pattern.findall(text)) if w.base)
        return cls([], words)

    def contains(self, key: _Key, base: str) -> bool:
        """``language.Words.contains`` for a key whose first word has matched ``base``."""
        if key.simple:
            return True
        if self.words is None:  # ASCII: no marks, so a key fits a word by its base alone
            tokens = self._tokens
            needed = key.phrase.words
            size = len(needed)
            start = -1
            while True:
                try:
                    start = tokens.index(base, start + 1)
                except ValueError:
                    return False
                if start + size > len(tokens):
                    return False
                for i in range(1, size):
                    k, token = needed[i], tokens[start + i]
                    if not (token.startswith(k.base) if k.prefix else token == k.base):
                        break
                else:
                    return True
        words, starts = self._starts(base, key.has_symbols)
        needed = key.phrase.words
        size = len(needed)
        for start in starts:
            if start + size <= len(words) and all(
                k.fits(words[start + i]) for i, k in enumerate(needed)
            ):
                return True
        return False


def _is_symbol(base: str) -> bool:
    return unicodedata.category(base[0]) == "So"


#: The ``rule`` of a tone-lexicon entry in a :class:`_KeywordIndex`.
TONE = -1


class _KeywordIndex:
    """First word of every keyword -> the keywords: exact words by their base,
    prefixes by their first two letters (then ``startswith``)."""

    def __init__(self, phrases: Iterable[tuple[int, language.Phrase]]) -> None:
        exact: dict[str, list[_Key]] = {}
        stems: dict[str, list[_Key]] = {}
        for rule, phrase in phrases:
            has_symbols = any(_is_symbol(w.base) for w in phrase.words)
            first = phrase.words[0]
            simple = len(phrase.words) == 1 and not first.marks
            key = _Key(rule, phrase, has_symbols, simple)
            (stems if first.prefix else exact).setdefault(first.base, []).append(key)
        #: base -> (rules whose keyword is that very word, keys still to check)
        self.exact = {base: self._split(keys) for base, keys in exact.items()}
        self.prefix: dict[str, list[tuple[str, frozenset[int], tuple[_Key, ...]]]] = {}
        for stem, keys in stems.items():
            self.prefix.setdefault(stem[:2], []).append((stem, *self._split(keys)))
        self._short_stems = any(len(stem) < 2 for stem in stems)

    @staticmethod
    def _split(keys: list[_Key]) -> tuple[frozenset[int], tuple[_Key, ...]]:
        return (frozenset(k.rule for k in keys if k.simple),
                tuple(k for k in keys if not k.simple))

    def found(self, text: Text) -> set[int]:
        """The rules (``TONE`` for the lexicon) with a keyword in ``text``."""
        present: set[int] = set()
        exact, prefix, short = self.exact.get, self.prefix.get, self._short_stems
        for base in text.bases:
            entry = exact(base)
            if entry is not None:
                present |= entry[0]
                for key in entry[1]:
                    if key.rule not in present and text.contains(key, base):
                        present.add(key.rule)
            bucket = prefix(base[:2])
            if short:
                bucket = [*(bucket or ()), *prefix(base[:1], ())]
            if bucket:
                for stem, simple, others in bucket:
                    if base.startswith(stem):
                        present |= simple
                        for key in others:
                            if key.rule not in present and text.contains(key, base):
                                present.add(key.rule)
        return present


class FastJudge:
    """``is_negative`` for the rule context: runs the lexicon only when
    :meth:`CompiledRules.decide` found one of its terms in the text."""

    def __init__(self, extra_terms: tuple[str, ...]) -> None:
        self.extra_terms = extra_terms
        self.term_found = True  # unknown: run the lexicon

    def __call__(self, text: str) -> bool:
        if not self.term_found:
            return False  # shouting alone scores below NEGATIVE_AT
        return tone.assess_tone(text, self.extra_terms).negative


class CompiledRules:
    """Enabled rules with their keywords (and the tone lexicon with ``extra_terms``)
    indexed; :meth:`decide` decides what ``evaluate`` decides."""

    def __init__(self, rules: Sequence[Rule], extra_terms: tuple[str, ...] = ()) -> None:
        self.rules = [rule for rule in rules if rule.enabled]
        keywords = [(i, language.compile_phrase(keyword))
                    for i, rule in enumerate(self.rules) for keyword in rule.conditions.keywords]
        terms = (*tone.STRONG_TERMS, *tone.WEAK_TERMS, *extra_terms)
        keywords += [(TONE, language.compile_phrase(term)) for term in terms]
        self.index = _KeywordIndex(keywords)
        self.has_keywords = [bool(rule.conditions.keywords) for rule in self.rules]
        # Without a lexicon term the tone is not negative: such rules cannot hold.
        self.wants_negative = [rule.conditions.negative_tone is True for rule in self.rules]
        # The rule as evaluated once its keywords are known to be present.
        self.without_keywords = [
            replace(rule, conditions=replace(rule.conditions, keywords=()))
            if rule.conditions.keywords else rule
            for rule in self.rules
        ]
        self.unconditional = [rule.conditions.is_empty for rule in self.without_keywords]
        self._decided: dict[tuple[int, ...], Decision] = {}

    def decide(self, text: str, facts: Callable[[], MessageFacts], context: RuleContext,
               judge: FastJudge) -> Decision:
        """What ``evaluate(rules, facts(), context)`` decides for a message with ``text``."""
        words = Text.of(text)
        if words is None:  # characters unknown to this Python: the engine alone
            judge.term_found = True
            return evaluate(self.rules, facts(), context)
        present = self.index.found(words)
        judge.term_found = negative = TONE in present
        candidates = [
            i for i, keyed in enumerate(self.has_keywords)
            if (not keyed or i in present) and (negative or not self.wants_negative[i])
        ]
        # Rules left without conditions hold for any message: when they alone
        # decide (up to the first that stops matching), the decision is theirs.
        prefix: list[int] = []
        for i in candidates:
            if not self.unconditional[i]:
                break
            prefix.append(i)
            if not self.rules[i].continue_matching:
                key = tuple(prefix)
                decision = self._decided.get(key)
                if decision is None:
                    decision = self._decided[key] = evaluate(
                        [self.without_keywords[j] for j in key], facts(), context)
                return decision
        return evaluate([self.without_keywords[i] for i in candidates], facts(), context)
