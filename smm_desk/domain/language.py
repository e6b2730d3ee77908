"""Reading a message's text: its words as people type them, patterns, links, language.

What routing rules and the tone lexicon share, kept in one place so that a
keyword and a tone term match exactly alike:

**Words and phrases** (:func:`compile_phrase`, :class:`Words`). A keyword
matches whole words, case-insensitively and across diacritics:

* *Words* are runs of letters, combining marks and digits (``_``, apostrophes,
  hyphens and all punctuation separate words); each emoji or other symbol is a
  word of its own, so ``"😡"`` can be a keyword (a phrase without emoji reads
  past them: "верните 😡 деньги" contains "верните деньги"). Whole words only: ``"ban"``
  does not match ``"banana"``, ``"refund"`` does not match ``"refunding"``.
* A trailing ``*`` on a word of a keyword makes it a *prefix*: ``"refund*"``
  matches refund, refunds, refunded; ``"мошенник*"`` matches мошенники,
  мошенников. Russian needs this (one noun has a dozen endings); it is explicit
  so a short keyword never swallows longer words by surprise. A prefix needs at
  least two letters, and ``*`` anywhere else in a word is refused.
* A *phrase* (several words) matches the same words consecutively, whatever
  punctuation or spacing lies between them: ``"верните деньги"`` matches
  "Верните, деньги!". Keywords are any-of: the caller decides.
* *Diacritics.* Each word is split into its base letters (case-folded, marks
  removed, ``đ`` -> ``d``) and its marks. Two words match when their bases are
  equal and either side has no marks at all, or both have the same marks. So
  "hoàn tiền" matches "hoan tien" and "HOÀN TIỀN" and vice versa, and Russian
  "ёлка" matches "елка" -- but "kiện" (to sue) does not match "kiến" (opinion),
  because a customer who typed the marks said which word they meant. Marks are
  compared as a set per word, not by position, so the two Vietnamese spellings
  "hòa"/"hoà" are equal. Marks are only stripped from Latin, Greek and Cyrillic
  letters, where they are diacritics; ``й`` and ``ў`` stay letters of their
  own (Russian does not write ``и`` for ``й`` the way it writes ``е`` for ``ё``).
  A word typed with only *some* of its marks ("tiên" for "tiền") does not
  match: it is a different word as far as anyone can tell.
* Text is NFC-normalised first and at most :data:`MAX_EXAMINED` characters of
  it are read, so one hostile comment cannot make routing slow.

**Patterns** (:func:`compile_pattern`, :func:`has_link`) run on RE2, whose
time is linear in the text, so a user's pattern can never freeze the app. RE2
is imported here and nowhere else.

**Language detection** (:func:`detect_language`) with py3langid, restricted to
:data:`SUPPORTED_LANGUAGES`. The model (a few MB, shipped inside the package,
about a second to load) is loaded on first use and kept; importing this module
does not load it. It returns ``None`` rather than guess:

* links and ``@mentions`` are removed first; fewer than :data:`MIN_LETTERS`
  letters left -> ``None`` ("ok", "hi", "👍");
* Cyrillic languages other than Russian are only considered when their own
  letters appear: Ukrainian needs one of ``і ї є ґ``, Belarusian ``ў`` or
  ``і``, Kazakh one of ``ә ғ қ ң ө ұ ү һ і``. On short texts the model splits
  its vote between Russian and Ukrainian ("Спасибо": 52% / 48%), while
  Ukrainian text practically always carries those letters. The cost: a short
  Ukrainian text without them ("дякую") reads as Russian;
* the best language must then have a probability of at least
  :data:`MIN_CONFIDENCE` among the remaining ones, else ``None``: "hello" (the
  model hesitates between Italian and English) and Vietnamese typed without
  any diacritics in a few words ("shop oi con hang ko") are ``None``, while
  "Где мой заказ?", "refund please" and "cảm ơn shop" are detected.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

__all__ = [
    "MAX_EXAMINED",
    "MIN_CONFIDENCE",
    "MIN_LETTERS",
    "SUPPORTED_LANGUAGES",
    "Phrase",
    "UserRegex",
    "Word",
    "Words",
    "compile_pattern",
    "compile_phrase",
    "detect_language",
    "fold_word",
    "has_link",
    "language_scores",
    "strip_diacritics",
]

#: Characters of a message that keyword, regex and tone matching read.
MAX_EXAMINED = 20_000

#: Languages detection chooses among. English, Russian and Vietnamese are the
#: product's own; the rest are common enough on social networks that leaving
#: them out would make the model force such texts into one of ours.
SUPPORTED_LANGUAGES: frozenset[str] = frozenset(
    {
        "en", "ru", "vi", "uk", "be", "kk", "de", "fr", "es", "it",
        "pt", "pl", "tr", "id", "th", "zh", "ja", "ko", "ar", "hi",
    }
)  # fmt: skip

#: Fewer letters than this (after removing links and mentions): no language.
MIN_LETTERS = 4
#: The best language's probability must reach this, else no language.
MIN_CONFIDENCE = 0.5
#: Characters of a text the language model reads; more adds time, not accuracy.
_DETECT_CHARS = 1_000

# -- RE2, in one place -------------------------------------------------------------------


class _Pattern(Protocol):
    def search(self, text: str) -> object | None: ...

    def findall(self, text: str) -> list[str]: ...


def _re2(pattern: str, *, case_sensitive: bool) -> _Pattern:
    """Compile with RE2, imported lazily and only here (it ships no type information).

    RE2's error becomes a ``ValueError`` carrying its reason as text.
    """
    import re2

    options = re2.Options()
    options.case_sensitive = case_sensitive
    options.log_errors = False  # RE2 would also print the reason to stderr
    try:
        compiled: _Pattern = re2.compile(pattern, options)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise ValueError(str(reason)) from None
    return compiled


@dataclass(frozen=True)
class UserRegex:
    """A user's pattern compiled by RE2: :meth:`search` takes time linear in the text."""

    pattern: str
    _compiled: _Pattern = field(repr=False, compare=False)

    def search(self, text: str) -> bool:
        """Whether the pattern occurs in the first :data:`MAX_EXAMINED` characters."""
        return self._compiled.search(text[:MAX_EXAMINED]) is not None


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> UserRegex:
    """Compile a user's pattern, case-insensitive unless it says ``(?-i)``.

    An invalid one (including Python-only syntax RE2 refuses: backreferences,
    look-around) raises ``ValueError`` with RE2's reason.
    """
    return UserRegex(pattern, _re2(pattern, case_sensitive=False))


_LINK_PATTERN = (
    r"(?:https?://|www\.)[^\s]"
    r"|[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.(?:[a-z]{2,}|рф)/"
    r"|[\p{L}\p{N}-]+\.(?:com|net|org|ru|su|рф|ua|by|kz|vn|me|ly|io|gl|link|shop|store|site"
    r"|online|xyz|top|info|biz)(?:$|[^\p{L}\p{N}.-])"
)


@lru_cache(maxsize=1)
def _link_regex() -> _Pattern:
    return _re2(_LINK_PATTERN, case_sensitive=False)


def has_link(text: str) -> bool:
    """Whether ``text`` contains a link: ``http(s)://``, ``www.``, a domain with a
    path (``t.me/x``, ``bit.ly/x``) or a bare domain with a common TLD (``shop.ru``)."""
    return _link_regex().search(text[:MAX_EXAMINED]) is not None


# -- words ----------------------------------------------------------------------------

#: Word = letters/marks/digits; every symbol (emoji, ©) is a word by itself. RE2
#: (not ``re``) because Python's ``\w`` excludes combining marks and would split
#: "hoàn" typed in decomposed form.
_WORD_PATTERN = r"[\p{L}\p{M}\p{N}]+|\p{So}"
_DIACRITIC_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")
#: Letters that do not decompose under NFD but are a base letter with a mark.
_STROKED = {"đ": ("d", "\u0335"), "ø": ("o", "\u0338"), "ł": ("l", "\u0335"), "ħ": ("h", "\u0335")}
#: Emoji variation selectors and joiners: part of how a symbol is drawn, not of a word.
_INVISIBLE = frozenset(["\u200c", "\u200d", *map(chr, range(0xFE00, 0xFE10))])
#: Cyrillic letters kept whole although NFD splits them (base, breve).
_KEEP_BREVE = {"и": "й", "у": "ў"}


@dataclass(frozen=True, slots=True)
class Word:
    """A word as matching sees it: case-folded base letters and its marks.

    ``marks`` is the sorted tuple of diacritics removed from ``base``; empty
    when the word was typed without any.
    """

    base: str
    marks: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _KeyWord:
    base: str
    marks: tuple[str, ...]
    prefix: bool

    def fits(self, word: Word) -> bool:
        if self.prefix:
            if not word.base.startswith(self.base):
                return False
            return not self.marks or not word.marks or _sub_multiset(self.marks, word.marks)
        if word.base != self.base:
            return False
        return not self.marks or not word.marks or self.marks == word.marks


def _sub_multiset(small: tuple[str, ...], big: tuple[str, ...]) -> bool:
    rest = list(big)
    for mark in small:
        if mark not in rest:
            return False
        rest.remove(mark)
    return True


@lru_cache(maxsize=4096)
def _takes_diacritics(char: str) -> bool:
    return unicodedata.name(char, "").startswith(_DIACRITIC_SCRIPTS)


@lru_cache(maxsize=65_536)
def fold_word(token: str) -> Word:
    """Split one word into its case-folded base letters and its diacritics."""
    base: list[str] = []
    marks: list[str] = []
    foldable = False  # does the previous base letter take diacritics?
    for char in unicodedata.normalize("NFD", token.casefold()):
        if char in _INVISIBLE:
            continue
        if unicodedata.combining(char):
            if foldable:
                if char == "\u0306" and base and base[-1] in _KEEP_BREVE:
                    base[-1] = _KEEP_BREVE[base[-1]]
                else:
                    marks.append(char)
                continue
            base.append(char)
        elif char in _STROKED:
            letter, mark = _STROKED[char]
            base.append(letter)
            marks.append(mark)
            foldable = True
        else:
            base.append(char)
            foldable = _takes_diacritics(char)
    return Word(unicodedata.normalize("NFC", "".join(base)), tuple(sorted(marks)))


def strip_diacritics(text: str) -> str:
    """``text`` case-folded with the diacritics matching ignores removed (for display/tests)."""
    return " ".join(word.base for word in _fold_all(text))


@lru_cache(maxsize=1)
def _word_regex() -> _Pattern:
    return _re2(_WORD_PATTERN, case_sensitive=True)


def _is_symbol(base: str) -> bool:
    return unicodedata.category(base[0]) == "So"


def _tokens(text: str) -> list[str]:
    text = text[:MAX_EXAMINED]
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return _word_regex().findall(text)


def _fold_all(text: str) -> Iterator[Word]:
    for token in _tokens(text):
        word = fold_word(token)
        if word.base:  # a lone variation selector or mark is not a word
            yield word


@dataclass(frozen=True)
class Phrase:
    """A compiled keyword or phrase; build it with :func:`compile_phrase`."""

    source: str
    words: tuple[_KeyWord, ...]

    @property
    def has_symbols(self) -> bool:
        return any(_is_symbol(word.base) for word in self.words)


@lru_cache(maxsize=8192)
def compile_phrase(keyword: str) -> Phrase:
    """Compile a user's keyword or phrase; a malformed one raises ``ValueError``.

    The message says what is wrong in words a user can act on.
    """
    if not isinstance(keyword, str):
        raise ValueError(f"a keyword must be text, got {keyword!r}")
    words: list[_KeyWord] = []
    for part in keyword.split():
        prefix = part.endswith("*")
        stem = part.rstrip("*") if prefix else part
        if "*" in stem:
            raise ValueError(f"keyword {keyword!r}: '*' is only allowed at the end of a word")
        folded = list(_fold_all(stem))
        if not folded:
            if prefix:
                raise ValueError(f"keyword {keyword!r}: '*' must follow a word, as in 'refund*'")
            continue  # punctuation between words, e.g. "refund - please"
        if prefix and len(folded[-1].base) < 2:
            raise ValueError(f"keyword {keyword!r}: a prefix needs at least two letters before '*'")
        for index, word in enumerate(folded):
            is_prefix = prefix and index == len(folded) - 1
            words.append(_KeyWord(word.base, word.marks, is_prefix))
    if not words:
        raise ValueError(f"keyword {keyword!r} has no letters, digits or emoji to match")
    return Phrase(keyword, tuple(words))


class _Index:
    """Consecutive words with a lookup from base letters to positions."""

    __slots__ = ("_positions", "_sorted", "words")

    def __init__(self, words: tuple[Word, ...]) -> None:
        self.words = words
        positions: dict[str, list[int]] = {}
        for index, word in enumerate(words):
            positions.setdefault(word.base, []).append(index)
        self._positions = positions
        self._sorted = sorted(positions)

    def _starts(self, first: _KeyWord) -> Iterable[int]:
        if not first.prefix:
            return self._positions.get(first.base, ())
        starts: list[int] = []
        index = bisect.bisect_left(self._sorted, first.base)
        while index < len(self._sorted) and self._sorted[index].startswith(first.base):
            starts.extend(self._positions[self._sorted[index]])
            index += 1
        return starts

    def contains(self, needed: tuple[_KeyWord, ...]) -> bool:
        size = len(needed)
        for start in self._starts(needed[0]):
            if start + size > len(self.words):
                continue
            if all(key.fits(self.words[start + i]) for i, key in enumerate(needed)):
                return True
        return False


class Words:
    """The words of one text, indexed so that many phrases can be looked up fast.

    A phrase without emoji skips the text's emoji: "верните 😡 деньги" still
    contains "верните деньги".
    """

    __slots__ = ("_all", "_spoken")

    def __init__(self, text: str) -> None:
        words = tuple(_fold_all(text))
        self._all = _Index(words)
        spoken = tuple(word for word in words if not _is_symbol(word.base))
        self._spoken = self._all if len(spoken) == len(words) else _Index(spoken)

    @property
    def words(self) -> tuple[Word, ...]:
        return self._all.words

    def contains(self, phrase: Phrase) -> bool:
        """Whether ``phrase`` occurs in the text as consecutive words."""
        index = self._all if phrase.has_symbols else self._spoken
        return index.contains(phrase.words)

    def found(self, phrases: Iterable[Phrase]) -> list[Phrase]:
        """The phrases that occur in the text, in the order given."""
        return [phrase for phrase in phrases if self.contains(phrase)]


# -- language detection ----------------------------------------------------------------

_NOISE = re.compile(r"(?:https?://|www\.)\S*|@\w+", re.IGNORECASE)
#: Letters without which a minority Cyrillic language is not considered (see above).
_CYRILLIC_MARKERS = {"uk": set("іїєґ"), "be": set("ўі"), "kk": set("әғқңөұүһі")}


class _Identifier(Protocol):
    def rank(self, text: str) -> list[tuple[str, float]]: ...


@lru_cache(maxsize=1)
def _identifier() -> _Identifier:
    """The py3langid model restricted to our languages, loaded once (about a second)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    model: Any = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    model.set_languages(sorted(SUPPORTED_LANGUAGES))
    identifier: _Identifier = model
    return identifier


def _clean_for_detection(text: str) -> str:
    return _NOISE.sub(" ", text[: _DETECT_CHARS * 4])[:_DETECT_CHARS]


def language_scores(text: str) -> list[tuple[str, float]]:
    """Probabilities of each candidate language, best first, after the rules above.

    Empty when the text has too few letters. Useful to show why a text was (not)
    detected; :func:`detect_language` is what rules use.
    """
    cleaned = _clean_for_detection(text)
    letters = {char for char in cleaned.lower() if char.isalpha()}
    if sum(char.isalpha() for char in cleaned) < MIN_LETTERS:
        return []
    ranked = _identifier().rank(cleaned)
    excluded = {lang for lang, markers in _CYRILLIC_MARKERS.items() if not markers & letters}
    kept = [(lang, float(score)) for lang, score in ranked if lang not in excluded]
    total = sum(score for _, score in kept)
    if total <= 0:
        return []
    return [(lang, score / total) for lang, score in kept]


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text``'s language, or ``None`` when too short or unsure."""
    scores = language_scores(text)
    if not scores:
        return None
    lang, probability = scores[0]
    return lang if probability >= MIN_CONFIDENCE else None
