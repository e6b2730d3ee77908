"""Negative tone: anger, fraud accusations and legal threats, in English, Russian
and Vietnamese.

A case that accuses the company of fraud or threatens to sue is a PR risk and
must reach PR/Crisis before anyone answers it like a routine refund. This is a
lexicon, not a model: every verdict can be explained ("matched: scammers,
lawyer"), and a team extends it with its own terms (``extra_terms``, kept in
the workspace settings and passed in through the rule context).

Scoring, so that one rude word is not yet a crisis:

* a **strong** term (fraud accusation, legal or regulator threat: "scam",
  "lawyer", "мошенники", "суд", "lừa đảo", "khởi kiện") scores 2;
* a **weak** term (anger, insults, "worst", "ужас", "thất vọng", and a plain
  "верните деньги", which is as often a calm request as a furious one) scores 1;
* shouting scores 1: three exclamation marks in a row, or a text of at least
  :data:`SHOUT_LETTERS` cased letters of which 80% are capitals;
* each term counts once however often it occurs; a user's extra term is strong
  (the user added it because it alone should flag a case).

A text is negative when its score reaches :data:`NEGATIVE_AT` (2): one strong
term, or two weak signals ("worst service ever!!!").

Terms match exactly like rule keywords (:mod:`smm_desk.domain.language`):
whole words, case- and diacritic-insensitive, ``*`` for a prefix. Vietnamese
entries are written with their diacritics on purpose: "kiện" (to sue) must not
fire on "ý kiến" (opinion) when the customer typed the marks, while "kien"
typed without them still matches. Words that are also common innocent words
once their marks are gone ("lừa" ~ "lựa chọn" = choice), or even with them
("kiện" = to sue, but "kiện hàng" = a parcel), only appear inside phrases:
"lừa đảo", "sẽ kiện". English "sue" only appears as "sue you" / "suing" so
that a customer named Sue is not a crisis.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from smm_desk.domain.language import MAX_EXAMINED, Phrase, Words, compile_phrase

__all__ = [
    "NEGATIVE_AT",
    "SHOUT_LETTERS",
    "STRONG_TERMS",
    "WEAK_TERMS",
    "ToneReport",
    "assess_tone",
    "is_negative",
    "negative_score",
]

NEGATIVE_AT = 2
SHOUT_LETTERS = 12
_STRONG = 2
_WEAK = 1

STRONG_TERMS: tuple[str, ...] = (
    # English: fraud accusations
    "scam", "scams", "scammed", "scammer*", "scamming", "fraud*", "rip off", "ripoff",
    "ripped off", "thief", "thieves", "stole", "steal*", "crook*", "con artist*",
    # English: legal and regulator threats
    "lawyer*", "attorney*", "lawsuit*", "sue you", "sue your", "sue u", "suing", "sued",
    "legal action", "take you to court", "see you in court", "small claims",
    "consumer protection", "report you", "police",
    # Russian: fraud accusations
    "мошенник*", "мошенничеств*", "обман*", "развели", "разводят", "разводилово",
    "лохотрон*", "воры", "ворье", "ворюги", "украли", "кидала", "кидалы", "кидалово",
    "нас кинули",
    # Russian: legal and regulator threats
    "суд", "суда", "суде", "судом", "суду", "судебн*", "засужу", "иск", "иска", "иском",
    "юрист*", "адвокат*", "прокуратур*", "роспотребнадзор*", "полици*", "пожалуюсь в цб",
    "жалобу в цб", "напишу в цб", "центробанк*",
    # Vietnamese: fraud accusations
    "lừa đảo", "bị lừa", "lừa tiền", "lừa khách", "lừa người", "ăn cướp", "ăn cắp",
    "bọn lừa", "treo đầu dê bán thịt chó",
    # Vietnamese: legal and regulator threats
    "khởi kiện", "đi kiện", "sẽ kiện", "kiện ra tòa", "kiện shop", "kiện công ty",
    "kiện các bạn", "kiện bạn", "tố cáo", "công an", "luật sư", "ra tòa",
    "hội bảo vệ người tiêu dùng",
)  # fmt: skip

WEAK_TERMS: tuple[str, ...] = (
    # English
    "angry", "furious", "outraged", "disgusting", "disgraceful", "ridiculous",
    "unacceptable", "worst", "terrible", "horrible", "awful", "pathetic", "useless",
    "incompetent", "shame on you", "never again", "hate", "fed up", "wtf", "liar*", "lying",
    "boycott*", "garbage", "trash", "is a joke", "joke of a company", "money back",
    "chargeback*",
    # Russian
    "ужас*", "кошмар*", "отвратительн*", "безобрази*", "позор*", "бесит", "бесите", "достали",
    "надоело", "хамств*", "хамы", "худш*", "никогда больше", "отстой", "возмутительн*",
    "издевательств*", "разочарован*", "жалоб*", "претензи*", "верн* деньг*",
    "верните мои деньги", "беспредел*",
    # Vietnamese
    "thất vọng", "tức giận", "bực mình", "quá tệ", "tệ hại", "tồi tệ", "kinh khủng",
    "vô trách nhiệm", "coi thường khách", "làm ăn kiểu gì", "không bao giờ mua", "tẩy chay",
    "trả lại tiền", "hoàn tiền ngay", "đòi tiền",
)  # fmt: skip


@dataclass(frozen=True)
class ToneReport:
    """How negative a text reads, and why."""

    score: int
    matched: tuple[str, ...]

    @property
    def negative(self) -> bool:
        return self.score >= NEGATIVE_AT


@lru_cache(maxsize=1)
def _lexicon() -> tuple[tuple[Phrase, int], ...]:
    entries = [(compile_phrase(term), _STRONG) for term in STRONG_TERMS]
    entries += [(compile_phrase(term), _WEAK) for term in WEAK_TERMS]
    return tuple(entries)


def _shouting(text: str) -> str | None:
    text = text[:MAX_EXAMINED]
    if "!!!" in text or "！！！" in text:
        return "!!!"
    upper = lower = 0
    for char in text:
        if char.isupper():
            upper += 1
        elif char.islower():
            lower += 1
    if upper + lower >= SHOUT_LETTERS and upper >= 0.8 * (upper + lower):
        return "ALL CAPS"
    return None


def assess_tone(
    text: str, extra_terms: Iterable[str] = (), words: Words | None = None
) -> ToneReport:
    """Score ``text`` (see the module notes). ``words`` reuses an already-split text.

    A malformed extra term raises ``ValueError`` (validate them when the user
    saves them).
    """
    words = Words(text) if words is None else words
    entries = [*_lexicon(), *((compile_phrase(term), _STRONG) for term in extra_terms)]
    score = 0
    matched: list[str] = []
    seen: set[str] = set()
    for phrase, weight in entries:
        if phrase.source in seen:
            continue
        if words.contains(phrase):
            seen.add(phrase.source)
            score += weight
            matched.append(phrase.source)
    shout = _shouting(text)
    if shout is not None:
        score += _WEAK
        matched.append(shout)
    return ToneReport(score, tuple(matched))


def negative_score(text: str, extra_terms: Iterable[str] = ()) -> int:
    """The negative-tone score of ``text``; ``NEGATIVE_AT`` or more is negative."""
    return assess_tone(text, extra_terms).score


def is_negative(text: str, extra_terms: Iterable[str] = ()) -> bool:
    """Whether ``text`` reads as angry, accuses of fraud or threatens legal action."""
    return assess_tone(text, extra_terms).negative
