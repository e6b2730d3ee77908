"""Instagram comments on media past the newest page of the list (the deep walk).

The media list is in order of creation; IG comments have no ``since``, so a
media item is read when its comment count moved. Every 15 minutes the
connector walks the list deeper and reads older media whose count moved.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from smm_desk.connectors.graph import DEEP_SCAN_KEY
from tests.connectors.test_instagram import TOKEN, Env
from tests.support.connector_kit import fetch_until_caught_up


def _media(env: Env, count: int) -> None:
    """``count`` media, m0 the oldest, each with one comment three weeks ago."""
    start = env.ago(days=21)
    for i in range(count):
        env.sim.inject_comment(TOKEN, f"m{i}", str(9000 + i), f"old{i}", f"old {i}",
                               start + timedelta(minutes=i))


def _pass(conn: Any, cursor: str | None) -> tuple[list[str], str]:
    return fetch_until_caught_up(conn, "comments", cursor)


def _marks(cursor: str) -> dict[str, int]:
    return dict(json.loads(cursor).get("counts", {}))


def test_a_comment_on_old_media_arrives_with_the_next_deep_walk_once() -> None:
    env = Env()
    _media(env, 120)  # m0 … m69 are past the newest page of 50
    conn = env.connector()
    texts, cursor = _pass(conn, None)
    assert texts == []  # older than the first run's look-back
    texts, cursor = _pass(conn, cursor)  # the first deep walk: notes the old media's counts
    assert texts == [] and DEEP_SCAN_KEY in _marks(cursor)
    assert len(_marks(cursor)) == 121  # 120 media and the mark
    env.clock.advance(minutes=1)
    env.sim.inject_comment(TOKEN, "m10", "501", "ann", "is this back in stock?", env.clock.now)
    env.clock.advance(seconds=30)
    env.sim.inject_comment(TOKEN, "m119", "502", "bob", "love it", env.clock.now)
    texts, cursor = _pass(conn, cursor)
    assert texts == ["love it"]  # the old media item is not on the newest page
    env.clock.advance(minutes=14)
    texts, cursor = _pass(conn, cursor)
    # Below the high-water mark ("love it" came later): handed late, exactly once.
    assert texts == ["is this back in stock?"]
    assert _marks(cursor)[DEEP_SCAN_KEY] == int(env.clock.now.timestamp())
    for _ in range(3):
        env.clock.advance(minutes=16)
        texts, cursor = _pass(conn, cursor)
        assert texts == []


def test_media_never_listed_before_only_have_their_count_noted() -> None:
    """An upgraded desk's first deep walk reads no old media: their counts were
    never noted, so nothing tells an old comment from a new one there."""
    env = Env()
    _media(env, 80)
    conn = env.connector()
    _, cursor = _pass(conn, None)
    env.clock.advance(minutes=1)
    env.sim.inject_comment(TOKEN, "m3", "601", "cid", "before the first deep walk",
                           env.clock.now)
    env.clock.advance(seconds=10)
    texts, cursor = _pass(conn, cursor)
    assert texts == []  # the cost of not reading 1,000 media at once: documented
    assert _marks(cursor)[next(iter(env.sim.media))] == 1  # m0's count noted
    env.clock.advance(minutes=16)
    env.sim.inject_comment(TOKEN, "m3", "602", "dee", "after it", env.clock.now)
    texts, cursor = _pass(conn, cursor)
    assert texts == ["after it"]
