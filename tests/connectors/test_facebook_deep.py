"""Facebook comments on posts past the newest page of the feed (the deep walk).

The feed is in order of creation; a comment bumps its post's ``updated_time``
but does not bring the post forward. Every 15 minutes the connector walks the
feed deeper and reads the older posts updated since its previous deep walk.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from smm_desk.connectors import facebook
from smm_desk.connectors.graph import DEEP_SCAN_KEY
from smm_desk.sim.transport import SimTransport
from tests.connectors.test_facebook import TOKEN, Env
from tests.support.connector_kit import Recorder, fetch_until_caught_up


def _posts(env: Env, count: int) -> None:
    """``count`` posts, p0 the oldest, each with one comment three weeks ago
    (before the first run's look-back: the first pass takes none of them)."""
    start = env.ago(days=21)
    for i in range(count):
        env.sim.inject_comment(TOKEN, f"p{i}", str(9000 + i), f"Old{i}", f"old {i}",
                               start + timedelta(minutes=i))


def _connected(conn: Any) -> str:
    """The first pass (nothing new in the last week) and the next, whose deep walk
    covers that week: the cursor of an account in everyday use."""
    texts, cursor = _pass(conn, None)
    assert texts == []
    texts, cursor = _pass(conn, cursor)
    assert texts == [] and DEEP_SCAN_KEY in json.loads(cursor)["counts"]
    return cursor


def _pass(conn: Any, cursor: str | None) -> tuple[list[str], str]:
    return fetch_until_caught_up(conn, "comments", cursor)


def test_a_comment_on_an_old_post_arrives_with_the_next_deep_walk_once() -> None:
    env = Env()
    _posts(env, 150)  # p0 … p49 are past the newest page of 100
    conn = env.connector()
    cursor = _connected(conn)
    env.clock.advance(minutes=1)
    env.sim.inject_comment(TOKEN, "p10", "501", "Ann", "is the promo still on?", env.clock.now)
    env.clock.advance(seconds=30)
    env.sim.inject_comment(TOKEN, "p149", "502", "Bob", "nice", env.clock.now)
    texts, cursor = _pass(conn, cursor)
    assert texts == ["nice"]  # the old post is not on the newest page
    env.clock.advance(minutes=5)
    assert _pass(conn, cursor)[0] == []  # the deep walk is not due yet
    env.clock.advance(minutes=10)
    texts, cursor = _pass(conn, cursor)
    # Below the high-water mark ("nice" came later): handed late, exactly once.
    assert texts == ["is the promo still on?"]
    assert json.loads(cursor)["counts"][DEEP_SCAN_KEY] == int(env.clock.now.timestamp())
    for _ in range(3):  # later passes, deep walks included, do not hand it again
        env.clock.advance(minutes=16)
        assert _pass(conn, cursor)[0] == []
        cursor = _pass(conn, cursor)[1]


def test_the_deep_walk_reaches_its_bound_of_posts_and_no_further(
        monkeypatch: pytest.MonkeyPatch) -> None:
    env = Env()
    _posts(env, 250)
    monkeypatch.setattr(facebook, "DEEP_SCAN_PAGES", 2)  # 200 posts: p0 … p49 out of reach
    conn = env.connector()
    cursor = _connected(conn)
    env.clock.advance(minutes=1)
    env.sim.inject_comment(TOKEN, "p5", "601", "Cid", "hello from far back", env.clock.now)
    env.sim.inject_comment(TOKEN, "p120", "602", "Dee", "hello from page two",
                           env.clock.now)
    _, cursor = _pass(conn, cursor)
    env.clock.advance(minutes=16)
    texts, cursor = _pass(conn, cursor)
    assert texts == ["hello from page two"]
    # The bound is the design, not a walk cut short: the next walk starts from now.
    assert json.loads(cursor)["counts"][DEEP_SCAN_KEY] == int(env.clock.now.timestamp())


def test_a_deep_walk_whose_comments_were_cut_short_is_done_again_from_the_same_time(
        monkeypatch: pytest.MonkeyPatch) -> None:
    env = Env()
    _posts(env, 150)
    conn = env.connector()
    cursor = _connected(conn)
    before = json.loads(cursor)["counts"][DEEP_SCAN_KEY]
    env.clock.advance(minutes=1)
    for i in range(150):  # more than one page of comments on an old post
        env.sim.inject_comment(TOKEN, "p7", str(7000 + i), f"V{i}", f"late {i}", env.clock.now)
    monkeypatch.setattr(facebook, "COMMENT_PAGES", 1)
    env.clock.advance(minutes=16)
    texts, cursor = _pass(conn, cursor)
    assert len(texts) == 100
    assert json.loads(cursor)["counts"][DEEP_SCAN_KEY] == before  # walked again next time
    monkeypatch.setattr(facebook, "COMMENT_PAGES", 500)
    texts, cursor = _pass(conn, cursor)
    assert len(texts) == 150  # all of them (the store keeps each comment id once)
    assert json.loads(cursor)["counts"][DEEP_SCAN_KEY] == int(env.clock.now.timestamp())


def test_deep_walk_requests_follow_the_feed_pages() -> None:
    env = Env()
    _posts(env, 230)
    recorder = Recorder(SimTransport(env.world))
    from tests.connectors.test_facebook import connector

    conn = connector(recorder, env.clock, env.page)
    cursor = _connected(conn)
    env.clock.advance(minutes=16)
    recorder.requests.clear()
    _pass(conn, cursor)
    feeds = [r for r in recorder.requests if r.url.path.endswith("/feed")]
    # The newest page (read until it holds still), then the deep walk: three pages of 100.
    deep = [r for r in feeds if "after" in r.url.params]
    assert len(deep) == 2 and all(r.url.params["limit"] == "100" for r in feeds)
