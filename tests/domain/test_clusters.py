"""Near-duplicate detection and crisis spikes: properties and examples."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smm_desk.domain.clusters import (
    MIN_CHARS,
    Item,
    examine,
    find_spikes,
    fingerprint,
    group,
    is_near_duplicate,
    match_new,
    normalize,
    similarity,
)

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZабвгдежзиклмнопрстуфхцчшщэюя"
TEXT_CHARS = LETTERS + " ,.!?-"
texts = st.text(alphabet=TEXT_CHARS + "0123456789ăâêôơưđàáạảã😡", max_size=200)
long_texts = st.text(alphabet=TEXT_CHARS, min_size=60, max_size=300).filter(
    lambda t: len(normalize(t)) >= 60)


@given(texts, texts)
def test_similarity_is_symmetric_and_bounded(a: str, b: str) -> None:
    assert similarity(a, b) == similarity(b, a)
    assert 0.0 <= similarity(a, b) <= 1.0
    assert is_near_duplicate(a, b) == is_near_duplicate(b, a)


@given(texts)
def test_a_text_clusters_with_itself(text: str) -> None:
    long_enough = len(normalize(text)) >= MIN_CHARS
    assert is_near_duplicate(text, text) == long_enough
    if long_enough:
        assert similarity(text, text) == 1.0
        assert fingerprint(text) == fingerprint(text)


@given(long_texts, st.data())
def test_a_one_character_edit_stays_in_the_cluster(text: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(text)), label="position")
    char = data.draw(st.sampled_from(LETTERS), label="char")
    kind = data.draw(st.sampled_from(["insert", "replace", "delete"]), label="kind")
    if kind == "insert":
        edited = text[:position] + char + text[position:]
    elif kind == "replace":
        edited = text[:position] + char + text[position + 1:]
    else:
        edited = text[:position] + text[position + 1:]
    assert is_near_duplicate(text, edited), (text, edited, similarity(text, edited))


@given(st.text(alphabet="abcdefghij ", min_size=MIN_CHARS, max_size=120),
       st.text(alphabet="klmnopqrst ", min_size=MIN_CHARS, max_size=120))
def test_texts_without_shared_letters_never_cluster(a: str, b: str) -> None:
    assert similarity(a, b) == 0.0
    assert not is_near_duplicate(a, b)


@pytest.mark.parametrize(("a", "b"), [
    ("REFUND MY ORDER #12345 NOW!!!", "refund my order 98765 now"),
    ("Hoàn tiền cho tôi ngay bây giờ đi", "hoan tien cho toi ngay bay gio di"),
    ("Ёлки-палки, где мой заказ??", "елки палки где мой заказ"),
    ("Win an iPhone: https://bit.ly/3xYz now", "WIN an iphone https://bit.ly/9QqQ now!"),
    ("Your service is terrible, waiting for my refund for two weeks",
     "Your service is terrible, waiting for my refund for three weeks"),
])
def test_what_a_flood_varies_does_not_count(a: str, b: str) -> None:
    assert is_near_duplicate(a, b)


@pytest.mark.parametrize(("a", "b"), [
    ("Where is my order? It was due yesterday", "Can I pay for delivery with a card?"),
    ("The app crashes when I log in", "The app is great, thanks for the update"),
    ("Thanks!", "Thanks!"),  # too short to be a flood
])
def test_different_or_short_texts_do_not_cluster(a: str, b: str) -> None:
    assert not is_near_duplicate(a, b)


def item(i: int, text: str, minutes: float = 0, cluster: int | None = None) -> Item:
    found = fingerprint(text)
    return Item(i, T0 + timedelta(minutes=minutes), found.key, found.bands, cluster)


def test_grouping_across_time_window() -> None:
    spam = "Earn $500 a day from home, join now at bit.ly/abc"
    items = [
        item(1, spam), item(2, spam.upper(), 5), item(3, "Where is my parcel number 5?", 6),
        item(4, spam.replace("500", "900"), 20),
        item(5, spam, 200),  # long after: not the same flood
    ]
    assert group(items) == [[1, 2, 4]]
    assert group(items, window=timedelta(days=1)) == [[1, 2, 4, 5]]


def test_new_items_join_an_existing_cluster_or_pair_with_a_singleton() -> None:
    spam = "Earn $500 a day from home, join now at bit.ly/abc"
    other = "My card was charged twice for the same order"
    existing = [item(1, spam, cluster=7), item(2, other)]
    matches = match_new(existing, [item(3, spam, 1), item(4, other + "!", 2), item(5, "hi", 3)])
    assert [(m.id, m.of) for m in matches] == [(3, 1), (4, 2)]
    assert all(m.similarity == 1.0 for m in matches)


@given(st.lists(st.sampled_from([
    "Earn $500 a day from home, join now at bit.ly/abc",
    "Where is my parcel? It was due yesterday",
    "The app crashes every time I log in",
]), min_size=1, max_size=12), st.randoms(use_true_random=False))
@settings(max_examples=50)
def test_grouping_ignores_arrival_order_for_identical_texts(
    picks: list[str], rnd: object,
) -> None:
    items = [item(i, text, i) for i, text in enumerate(picks)]
    shuffled = list(items)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    expected = [sorted(i.id for i in items if i.key == key) for key in {i.key for i in items}]
    expected = sorted((g for g in expected if len(g) > 1), key=lambda g: g[0])
    assert group(shuffled) == group(items) == expected


def test_examine_judges_the_tone() -> None:
    assert examine("You are scammers, see you in court").negative
    assert not examine("Where is my parcel?").negative
    assert examine("the shop is a racket", ["racket"]).negative


# -- crisis -------------------------------------------------------------------------------


def points(minutes: list[float], first_id: int = 1) -> list[tuple[int, datetime]]:
    return [(first_id + i, T0 + timedelta(minutes=m)) for i, m in enumerate(minutes)]


def test_five_within_ten_minutes_is_one_spike_and_four_is_none() -> None:
    spikes = find_spikes(points([0, 2, 4, 6, 9]))
    assert len(spikes) == 1
    assert spikes[0].case_ids == (1, 2, 3, 4, 5)
    assert spikes[0].started_at == T0 and spikes[0].at == T0 + timedelta(minutes=9)
    assert find_spikes(points([0, 2, 4, 6])) == []
    assert find_spikes(points([0, 3, 6, 9, 12])) == []  # never five within ten minutes


def test_a_spike_is_reported_once_and_a_later_one_again() -> None:
    storm = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]  # one storm, one alert
    assert len(find_spikes(points(storm))) == 1
    later = points([0, 1, 2, 3, 4]) + points([30, 31, 32, 33, 34], first_id=100)
    spikes = find_spikes(later)
    assert [s.case_ids[0] for s in spikes] == [1, 100]
    quiet = T0 + timedelta(minutes=14)
    assert [s.case_ids[0] for s in find_spikes(later, quiet_until=quiet)] == [100]


@given(st.lists(st.floats(0, 600, allow_nan=False), max_size=60),
       st.integers(1, 8), st.integers(1, 30))
def test_spikes_respect_threshold_window_and_quiet_time(
    minutes: list[float], threshold: int, window_min: int,
) -> None:
    window = timedelta(minutes=window_min)
    spikes = find_spikes(points(minutes), threshold, window)
    for spike in spikes:
        assert len(spike.case_ids) >= threshold
        assert spike.at - spike.started_at <= window
    for earlier, later in zip(spikes, spikes[1:], strict=False):
        assert later.started_at > earlier.at + window
    if len(minutes) < threshold:
        assert spikes == []


def test_threshold_must_be_positive() -> None:
    with pytest.raises(ValueError):
        find_spikes([], threshold=0)
