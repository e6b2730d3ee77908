"""Near-duplicate texts (floods, copy-paste campaigns) and spikes of negative cases.

Pure functions over plain values; the store (:mod:`smm_desk.store.clusters`)
feeds them the recent cases and records what they find.

**Normalised text** (:func:`normalize`). What a flood varies to slip past a
filter does not count: case, diacritics ("hoàn tiền" = "hoan tien", "ё" = "е"),
punctuation and spacing, and the digits in order numbers or prices (every run
of digits becomes ``0``), and the path of a link (``bit.ly/3xYz`` reads as
``bit.ly``: a spam flood gives every copy its own tracking link). Words are read exactly as rule keywords read them
(:mod:`smm_desk.domain.language`). At most :data:`MAX_KEY_CHARS` characters are
kept; a text shorter than :data:`MIN_CHARS` once normalised ("ok", "thanks!",
a lone emoji) never clusters: twenty customers saying thanks are not a flood.

**Similarity** (:func:`similarity`) is the Jaccard index of the *multisets* of
character :data:`SHINGLE`-grams of the two normalised texts: ``Σ min / Σ max``
over the shingle counts. Multisets rather than sets, so that repeating a word
changes the score and one edit is bounded: an edit of one normalised character
removes at most ``SHINGLE`` shingles and adds at most ``SHINGLE``, so texts of
``m`` shingles stay at least ``(m - 2k) / (m + 2k)`` similar after two such
edits (k = 3): above 0.8 from about 56 characters. It is symmetric, 1.0 for a
text and itself, and 0.0 for texts without a shingle in common.

**Candidates** (:func:`fingerprint`). Comparing every new case with every
recent one costs ``new × recent`` exact comparisons; instead each text gets a
MinHash signature of its shingle multiset (:data:`BANDS` bands of
:data:`ROWS` hashes; the k-th occurrence of a shingle is its own element, so
the signature estimates the multiset Jaccard above) and only texts sharing a
band are compared exactly. Two texts 0.8 similar share a band with
probability ``1 - (1 - 0.8**4)**16`` > 0.9998; texts 0.3 similar with 0.12.
The hashes are seeded constants (blake2b, not Python's per-process ``hash``) so
signatures stored by one desk match those computed by another.

**Clusters** (:func:`match_new`, :func:`group`). A new text joins the cluster of
the most similar earlier text within ``window`` of it (similarity at least
``threshold``), across accounts and networks; matching a text that is not in a
cluster yet makes a new cluster of the two. Membership is single-link, so a
flood that goes on for an hour stays one cluster as long as no gap between its
texts is longer than the window.

**Crisis** (:func:`find_spikes`). A spike is ``threshold`` negative cases
(:func:`smm_desk.domain.tone.is_negative`) within ``window``. It is reported
once: after a spike at time T the next one counts only cases after
``T + window``, so a storm that lasts twenty minutes is one alert, and a new
storm after a quiet window is a new one.
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections import Counter, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from smm_desk.domain.language import strip_diacritics
from smm_desk.domain.tone import is_negative

__all__ = [
    "BANDS",
    "CLUSTERED_EVENT",
    "CRISIS_ALERT_EVENT",
    "DEFAULT_CRISIS_THRESHOLD",
    "DEFAULT_CRISIS_WINDOW",
    "DEFAULT_THRESHOLD",
    "DEFAULT_WINDOW",
    "MAX_KEY_CHARS",
    "MIN_CHARS",
    "ROWS",
    "SHINGLE",
    "ClusterView",
    "CrisisAlertView",
    "Fingerprint",
    "Item",
    "Match",
    "Spike",
    "examine",
    "find_spikes",
    "fingerprint",
    "group",
    "is_near_duplicate",
    "key_similarity",
    "match_new",
    "normalize",
    "similarity",
]

#: Event kinds this feature appends to a case's log (plain strings until
#: ``EventKind`` in :mod:`smm_desk.domain.records` names them).
CLUSTERED_EVENT = "clustered"
CRISIS_ALERT_EVENT = "crisis_alert"

DEFAULT_THRESHOLD = 0.8
DEFAULT_WINDOW = timedelta(minutes=30)
DEFAULT_CRISIS_THRESHOLD = 5
DEFAULT_CRISIS_WINDOW = timedelta(minutes=10)

#: Shorter normalised texts never cluster.
MIN_CHARS = 10
#: Characters of normalised text compared: the head of a 20,000-character text says enough.
MAX_KEY_CHARS = 1000
#: Characters per shingle.
SHINGLE = 3
BANDS = 16
ROWS = 4
#: Exact comparisons per new text at most, and per existing cluster at most.
_MAX_VERIFY = 32
_PER_CLUSTER = 3

_DIGITS = re.compile(r"\d+")
#: A link's host (kept) and path (dropped); the host needs a dot and a letter TLD.
_LINK = re.compile(r"(?:https?://)?((?:[\w-]+\.)+[^\W\d_]{2,})(?::\d+)?/[^\s]*", re.IGNORECASE)
_UNPACK = struct.Struct("<32H").unpack
#: One salt per 32 hashes; fixed, so every desk computes the same signatures.
_SALTS = tuple(f"smm-desk-mh{i}".encode() for i in range(BANDS * ROWS // 32))


def normalize(text: str) -> str:
    """``text`` as clustering compares it: folded words joined by one space,
    digit runs as ``0``, at most :data:`MAX_KEY_CHARS` characters."""
    text = _LINK.sub(r"\1", text[: MAX_KEY_CHARS * 4])
    return _DIGITS.sub("0", strip_diacritics(text))[:MAX_KEY_CHARS].strip()


@lru_cache(maxsize=4096)
def _shingles(key: str) -> Counter[str]:
    if len(key) <= SHINGLE:
        return Counter([key]) if key else Counter()
    return Counter(key[i : i + SHINGLE] for i in range(len(key) - SHINGLE + 1))


def key_similarity(a: str, b: str) -> float:
    """Multiset Jaccard of the shingles of two normalised texts (0.0–1.0)."""
    if a == b:
        return 1.0 if a else 0.0
    sa, sb = _shingles(a), _shingles(b)
    size_a, size_b = sa.total(), sb.total()
    if not size_a or not size_b:
        return 0.0
    if len(sa) > len(sb):
        sa, sb = sb, sa
    # Σ min over the shared shingles; Σ max = |a| + |b| - Σ min.
    common = 0
    for shingle, count in sa.items():
        other = sb.get(shingle)
        if other:
            common += count if count < other else other
    return common / (size_a + size_b - common)


def similarity(a: str, b: str) -> float:
    """How alike two texts are once normalised (see the module notes)."""
    return key_similarity(normalize(a), normalize(b))


def is_near_duplicate(a: str, b: str, threshold: float = DEFAULT_THRESHOLD) -> bool:
    """Whether two texts would share a cluster (time aside)."""
    ka, kb = normalize(a), normalize(b)
    if len(ka) < MIN_CHARS or len(kb) < MIN_CHARS:
        return False
    return key_similarity(ka, kb) >= threshold


@dataclass(frozen=True)
class Fingerprint:
    """A text's normalised form and its LSH band keys; both empty when the
    text is too short to cluster. ``negative`` is the tone verdict."""

    key: str
    bands: tuple[str, ...]
    negative: bool = False


def _element_hashes(element: bytes) -> tuple[int, ...]:
    """:data:`BANDS` × :data:`ROWS` independent 16-bit hashes of one element:
    keyed blake2b digests, 32 hashes per 64-byte digest (a chance 16-bit tie
    only makes a rare extra candidate, which the exact comparison drops)."""
    values: tuple[int, ...] = ()
    for salt in _SALTS:
        values += _UNPACK(hashlib.blake2b(element, digest_size=64, salt=salt).digest())
    return values


def _bands(key: str) -> tuple[str, ...]:
    counts: Counter[str] = Counter()
    rows = []
    for i in range(len(key) - SHINGLE + 1):
        shingle = key[i : i + SHINGLE]
        counts[shingle] += 1
        rows.append(_element_hashes(f"{shingle}\x00{counts[shingle]}".encode()))
    mins = list(map(min, zip(*rows, strict=True)))
    out = []
    for band in range(BANDS):
        part = ",".join(str(v) for v in mins[band * ROWS : (band + 1) * ROWS])
        digest = hashlib.blake2b(f"{band}:{part}".encode(), digest_size=6).hexdigest()
        out.append(f"{band:x}{digest}")
    return tuple(out)


def fingerprint(text: str) -> Fingerprint:
    """What clustering keeps of a text (tone not judged: see :func:`examine`)."""
    key = normalize(text)
    if len(key) < MIN_CHARS:
        return Fingerprint("", ())
    return Fingerprint(key, _bands(key))


def examine(text: str, negative_terms: Iterable[str] = ()) -> Fingerprint:
    """:func:`fingerprint` plus the negative-tone verdict, computed once per case."""
    found = fingerprint(text)
    return Fingerprint(found.key, found.bands, is_negative(text, negative_terms))


# -- clustering -------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """A case as clustering sees it: ``id``, its time, its fingerprint and the
    cluster it is already in (``None``: in none yet)."""

    id: int
    at: datetime
    key: str
    bands: tuple[str, ...]
    cluster: int | None = None


@dataclass(frozen=True)
class Match:
    """New item ``id`` is a near-duplicate of earlier item ``of``."""

    id: int
    of: int
    similarity: float


def match_new(
    existing: Sequence[Item], new: Sequence[Item], threshold: float = DEFAULT_THRESHOLD,
    window: timedelta = DEFAULT_WINDOW,
) -> list[Match]:
    """For each new item, in time order, the best near-duplicate among the
    existing items and the new ones before it (within ``window``), if any.

    The caller applies the matches in order: joining ``of``'s cluster, or
    making a new cluster of the two when ``of`` is in none yet.
    """
    by_band: dict[str, list[Item]] = {}
    cluster_of: dict[int, int | None] = {item.id: item.cluster for item in existing}
    # Only existing items that share a band with some new item can ever match.
    wanted = {band for item in new for band in item.bands}
    for item in existing:
        if item.key and not wanted.isdisjoint(item.bands):
            for band in item.bands:
                if band in wanted:
                    by_band.setdefault(band, []).append(item)
    matches: list[Match] = []
    for item in sorted(new, key=lambda i: (i.at, i.id)):
        if item.id in cluster_of:
            continue  # already placed (listed twice)
        best: Match | None = None
        if item.key:
            best = _best_match(item, by_band, cluster_of, threshold, window)
        if best is not None:
            matches.append(best)
            matched_cluster = cluster_of.get(best.of)
            # A stand-in cluster id for a cluster formed within this call.
            cluster_of[item.id] = matched_cluster if matched_cluster is not None else -best.of
            if matched_cluster is None:
                cluster_of[best.of] = -best.of
        else:
            cluster_of[item.id] = None
        if item.key:
            for band in item.bands:
                by_band.setdefault(band, []).append(
                    Item(item.id, item.at, item.key, item.bands, cluster_of[item.id]))
    return matches


def _best_match(
    item: Item, by_band: dict[str, list[Item]], cluster_of: dict[int, int | None],
    threshold: float, window: timedelta,
) -> Match | None:
    shared: Counter[int] = Counter()
    items: dict[int, Item] = {}
    for band in item.bands:
        for other in by_band.get(band, ()):
            if other.id != item.id and abs(other.at - item.at) <= window:
                shared[other.id] += 1
                items[other.id] = other
    best: Match | None = None
    checked = 0
    per_cluster: Counter[int] = Counter()
    # Most shared bands first: the MinHash estimate of similarity.
    for other_id, _count in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0])):
        if checked >= _MAX_VERIFY:
            break
        cluster = cluster_of.get(other_id)
        if cluster is not None:
            if per_cluster[cluster] >= _PER_CLUSTER:
                continue
            per_cluster[cluster] += 1
        other_key = items[other_id].key
        # Σ min / Σ max can never beat the ratio of the two sizes: skip cheaply.
        shorter, longer = sorted((len(item.key), len(other_key)))
        if shorter - SHINGLE + 1 < threshold * (longer - SHINGLE + 1):
            continue
        checked += 1
        score = key_similarity(item.key, other_key)
        if score >= threshold and (best is None or score > best.similarity):
            best = Match(item.id, other_id, score)
            if score == 1.0:
                break
    return best


def group(
    items: Sequence[Item], threshold: float = DEFAULT_THRESHOLD,
    window: timedelta = DEFAULT_WINDOW,
) -> list[list[int]]:
    """The clusters (two items or more, ids ascending) that ``items`` form
    from scratch: :func:`match_new` with nothing existing."""
    parent: dict[int, int] = {}
    for match in match_new((), items, threshold, window):
        root = parent.get(match.of, match.of)
        parent[match.of] = root
        parent[match.id] = root
    groups: dict[int, list[int]] = {}
    for member, root in parent.items():
        groups.setdefault(root, []).append(member)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])


# -- crisis -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Spike:
    """``case_ids`` (at least the threshold) were negative within one window
    ending at ``at``, the time the count was reached."""

    case_ids: tuple[int, ...]
    started_at: datetime
    at: datetime


def find_spikes(
    points: Iterable[tuple[int, datetime]], threshold: int = DEFAULT_CRISIS_THRESHOLD,
    window: timedelta = DEFAULT_CRISIS_WINDOW, quiet_until: datetime | None = None,
) -> list[Spike]:
    """Spikes among negative cases ``(case id, time)``, oldest first.

    Cases at or before ``quiet_until`` (the end of the previous alert's
    window) are not counted; each spike starts a new quiet window.
    """
    if threshold < 1:
        raise ValueError("a crisis needs a threshold of at least one case")
    spikes: list[Spike] = []
    recent: deque[tuple[int, datetime]] = deque()
    for case_id, at in sorted(points, key=lambda p: (p[1], p[0])):
        if quiet_until is not None and at <= quiet_until:
            continue
        recent.append((case_id, at))
        while at - recent[0][1] > window:
            recent.popleft()
        if len(recent) >= threshold:
            spikes.append(Spike(tuple(c for c, _ in recent), recent[0][1], at))
            quiet_until = at + window
            recent.clear()
    return spikes


# -- views ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClusterView:
    """One cluster as the panel lists it. ``size`` counts every member,
    ``open_count`` those still owed work; ``networks`` are network names."""

    id: int
    size: int
    open_count: int
    networks: tuple[str, ...]
    accounts: int
    sample_text: str
    first_at: datetime
    last_at: datetime


@dataclass(frozen=True)
class CrisisAlertView:
    """A recorded spike: ``key`` names it in every case's ``crisis_alert``
    event; ``at`` is when the count was reached, ``detected_at`` when the desk
    noticed."""

    key: str
    at: datetime
    started_at: datetime
    detected_at: datetime
    case_ids: tuple[int, ...]
    networks: tuple[str, ...]
    threshold: int
    window: timedelta
