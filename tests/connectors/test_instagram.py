"""Instagram connector against the simulator and against pinned request shapes.

Facts pinned here come from /work/shared/networks/instagram.md: media →
comments with ``replies``, ``POST /{ig-comment-id}/replies`` on top-level
comments only, private replies (``recipient: {comment_id}``, 7 days), DMs via
the Conversations API (``platform=instagram``), Instagram-login token refresh
(``GET /refresh_access_token?grant_type=ig_refresh_token``), throttling code
80002 and usage headers, error 190.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smm_desk.connectors import graph
from smm_desk.connectors.base import AccountConfig, OutgoingReply, ReplyTarget, connector_class
from smm_desk.connectors.credentials import MemoryCredentials
from smm_desk.connectors.errors import AuthError, PermanentError, RateLimited
from smm_desk.connectors.instagram import InstagramConnector, comment_record
from smm_desk.domain.enums import Direction
from smm_desk.domain.records import MessageKind
from smm_desk.sim.facebook import FacebookSim
from smm_desk.sim.instagram import InstagramSim
from smm_desk.sim.transport import SimServer, SimTransport
from smm_desk.sim.world import Fault, SimWorld
from tests.support.connector_kit import Clock, OnRequest, run, synced_inbound_ids

TOKEN = "IGQsim-instagram-user-token-Xk3"
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
IG = "17841400000000009"


class Env:
    def __init__(self, **sim: Any) -> None:
        self.clock = Clock()
        self.world = SimWorld(clock=self.clock)
        self.sim = InstagramSim(self.world, **sim)
        self.world.add(self.sim)
        self.sim.add_account(TOKEN, "acme.shop")
        self.ig = self.sim.account_options(TOKEN)["ig_user_id"]
        self.credentials = MemoryCredentials({"token": TOKEN})

    def connector(self, **options: str) -> InstagramConnector:
        config = AccountConfig(1, "instagram", "acme.shop", "http://ig.sim",
                               {"ig_user_id": self.ig, **options})
        return InstagramConnector(config, TOKEN, transport=SimTransport(self.world),
                                  clock=self.clock, credentials=self.credentials)

    def ago(self, **delta: float) -> datetime:
        return self.clock.now - timedelta(**delta)


def reply_to(message: Any, text: str, reply_id: str = "r-1") -> OutgoingReply:
    return OutgoingReply(reply_id, text, ReplyTarget(
        message.thread_key, message.kind.value, message.external_id, message.author_id,
        message.author_name, message.post_external_id, message.extra))


def mock(handler: Any, **options: str) -> InstagramConnector:
    config = AccountConfig(1, "instagram", "acme.shop", None, {"ig_user_id": IG, **options})
    return InstagramConnector(config, TOKEN, transport=httpx.MockTransport(handler),
                              clock=Clock())


def test_registered_with_options_and_instagram_login() -> None:
    assert connector_class("instagram") is InstagramConnector
    assert set(InstagramConnector.options_help) >= {"ig_user_id", "login", "page_id",
                                                    "private_prefix"}
    oauth = InstagramConnector.oauth
    assert oauth is not None and oauth.authorize_url == "https://www.instagram.com/oauth/authorize"
    assert oauth.token_url == "https://api.instagram.com/oauth/access_token"
    assert "instagram_business_manage_comments" in oauth.scopes and oauth.scope_separator == ","


def test_documented_comment_payload_and_hosts_per_login() -> None:
    raw = {"id": "17873440459141021", "text": "Is this available in blue?",
           "timestamp": "2025-01-02T10:00:30+0000", "username": "anna.k",
           "from": {"id": "17841400000000001", "username": "anna.k"}, "like_count": 0,
           "hidden": False, "replies": {"data": []}}
    record = comment_record(raw, "17895695668004550", None, IG, "acme.shop", {}, None, "acme")
    assert record is not None
    assert record.thread_key == "comment:17895695668004550:17841400000000001"
    assert record.created_at == datetime(2025, 1, 2, 10, 0, 30, tzinfo=UTC)
    assert record.extra["reply_to"] == "17873440459141021"
    assert record.author_name == "anna.k" and record.kind is MessageKind.COMMENT
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"data": []})

    async def go() -> None:
        for options in ({}, {"login": "facebook", "page_id": "1122334455"}):
            conn = mock(handler, **options)
            try:
                await conn.fetch("dms", None, wait=0)
                await conn.fetch("comments", None, wait=0)
            finally:
                await conn.aclose()
    run(go())
    urls = [str(r.url.copy_with(query=None)) for r in seen if "refresh" not in r.url.path]
    assert urls == [f"https://graph.instagram.com/v25.0/{IG}/conversations",
                    f"https://graph.instagram.com/v25.0/{IG}/media",
                    "https://graph.facebook.com/v25.0/1122334455/conversations",
                    f"https://graph.facebook.com/v25.0/{IG}/media"]
    dms = next(r for r in seen if r.url.path.endswith("/conversations"))
    assert dms.url.params["platform"] == "instagram"


def test_comments_replies_threads_and_resume() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            top = env.sim.inject_comment(TOKEN, None, "602", "mai", "blue?", env.ago(minutes=9))
            nested = env.sim.inject_reply(TOKEN, top, "603", "bob", "me too", env.ago(minutes=8))
            answer = env.sim.inject_brand_answer(TOKEN, nested, "@bob yes, Friday",
                                                 env.ago(minutes=2))
            first = await conn.fetch("comments", None, wait=0)
            got = {m.external_id: m for m in first.messages}
            assert got[top].thread_key.endswith(":602")
            assert got[nested].thread_key.endswith(":603")
            assert got[nested].extra["reply_to"] == top and got[nested].parent_external_id == top
            assert got[answer].direction is Direction.OUTBOUND
            assert got[answer].thread_key == got[nested].thread_key  # by its @username
            before = len(env.world.requests)
            again = await conn.fetch("comments", first.cursor, wait=0)
            assert again.messages == []
            # comments_count did not move: the media list only, no comment reads
            assert len(env.world.requests) - before == 1
        finally:
            await conn.aclose()
    run(go())


def test_reply_to_a_reply_goes_under_the_top_level_comment_with_a_mention() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            top = env.sim.inject_comment(TOKEN, None, "602", "mai", "blue?", env.ago(minutes=9))
            env.sim.inject_reply(TOKEN, top, "603", "bob", "me too", env.ago(minutes=8))
            messages = (await conn.fetch("comments", None, wait=0)).messages
            by_author = {m.author_id: m for m in messages}
            await conn.send(reply_to(by_author["602"], "Yes, in blue", "a"))
            await conn.send(reply_to(by_author["603"], "Friday", "b"))
            env.sim.hide(top)
            with pytest.raises(PermanentError, match="hidden"):
                await conn.send(reply_to(by_author["602"], "again", "c"))
        finally:
            await conn.aclose()
    run(go())
    posted = env.sim.posted(TOKEN)
    assert [(p["method"], p["text"]) for p in posted] == [
        (f"POST /{posted[0]['target']}/replies", "Yes, in blue"),
        (f"POST /{posted[0]['target']}/replies", "@bob Friday")]


def test_private_reply_rule_once_within_seven_days() -> None:
    env = Env()
    bodies: list[Any] = []

    async def go() -> None:
        conn = env.connector()
        try:
            env.sim.inject_comment(TOKEN, None, "602", "mai", "price?", env.ago(hours=2))
            (comment,) = (await conn.fetch("comments", None, wait=0)).messages
            sent = await conn.send(reply_to(comment, "/dm 25 EUR, sent you the link", "a"))
            assert sent.external_id.startswith("aWdf")
            with pytest.raises(PermanentError, match="already"):
                await conn.send(reply_to(comment, "/DM again", "b"))
            env.clock.now += timedelta(days=7)
            before = len(env.world.requests)
            with pytest.raises(PermanentError, match="7 days"):
                await conn.send(reply_to(comment, "/dm late", "c"))
            assert len(env.world.requests) == before  # refused here, nothing sent
            note = conn.reply_window("comment", env.ago(days=1), env.clock.now).note
            assert "/dm" in note
            dms = (await conn.fetch("dms", None, wait=0)).messages
            assert [(m.direction, m.text) for m in dms] == [
                (Direction.OUTBOUND, "25 EUR, sent you the link")]
        finally:
            await conn.aclose()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":  # the token refresh, refused: the send goes on
            return httpx.Response(400, json={"error": {"message": "too young", "code": 100}})
        bodies.append((request.url.path, json.loads(request.content)))
        return httpx.Response(200, json={"recipient_id": "1", "message_id": "aWdf1"})

    run(go())
    (posted,) = env.sim.posted(TOKEN)
    assert posted["method"] == f"POST /{env.ig}/messages"
    assert posted["text"] == "25 EUR, sent you the link"

    async def shape() -> None:
        conn = mock(handler)
        try:
            target = ReplyTarget("comment:1:2", "comment", "178", "2", "mai", "1",
                                 {"comment_id": "178", "reply_to": "178"})
            await conn.send(OutgoingReply("k", "/dm hello there", target))
        finally:
            await conn.aclose()
    run(shape())
    assert bodies == [(f"/v25.0/{IG}/messages", {"recipient": {"comment_id": "178"},
                                                  "message": {"text": "hello there"}})]


def test_dm_window_and_lookup_before_retry() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            env.sim.inject_dm(TOKEN, "601", "lan", "hi", env.ago(hours=30))
            (dm,) = (await conn.fetch("dms", None, wait=0)).messages
            assert conn.reply_window("dm", dm.created_at, env.clock.now).open
            env.world.inject(Fault("instagram", "after", match="/messages"))
            reply = reply_to(dm, "Sorry for the wait")
            with pytest.raises(Exception, match="502"):
                await conn.send(reply)
            found = await conn.find_delivered(reply)
            assert found is not None
            (posted,) = env.sim.posted(TOKEN)
            assert found.external_id == posted["external_id"]
        finally:
            await conn.aclose()
    run(go())


def test_token_refresh_stores_the_new_token_before_use() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            await conn.fetch("dms", None, wait=0)  # unknown age: tried once, too young
            assert env.sim.refreshes == ["ig_refresh_token"]
            assert env.credentials.get("token") == TOKEN
            env.credentials.put("token_expires_at",
                                (START + timedelta(days=60)).isoformat())
            env.clock.now += timedelta(days=20)
            await conn.fetch("dms", None, wait=0)  # 40 days left: no refresh yet
            assert env.sim.refreshes == ["ig_refresh_token"]
            env.clock.now += timedelta(days=15)
            await conn.fetch("dms", None, wait=0)
            new = env.credentials.get("token")
            assert new and new != TOKEN and env.sim.refreshes[-1] == "ig_refresh_token"
            assert env.credentials.get("token_expires_at") == (
                env.clock.now + timedelta(days=60)).isoformat()
            env.clock.now += timedelta(days=30)  # the first token has expired by now
            result = await conn.fetch("comments", None, wait=0)
            assert result.cursor is not None
        finally:
            await conn.aclose()
    run(go())


def test_expired_token_and_throttling() -> None:
    env = Env()

    async def go() -> None:
        env.clock.now += timedelta(days=61)
        conn = env.connector()
        try:
            with pytest.raises(AuthError, match="190"):
                await conn.fetch("dms", None, wait=0)
        finally:
            await conn.aclose()
    run(go())
    env = Env(budget=2)

    async def throttled() -> None:
        conn = env.connector(private_prefix="")
        try:
            with pytest.raises(RateLimited) as caught:
                for _ in range(5):
                    await conn.fetch("comments", None, wait=0)
            assert caught.value.retry_after >= 60
        finally:
            await conn.aclose()
    run(throttled())
    env = Env()

    async def fault() -> None:
        env.world.inject(Fault("instagram", "rate_limit", seconds=300, body=80002))
        conn = env.connector()
        try:
            with pytest.raises(RateLimited) as caught:
                await conn.fetch("comments", None, wait=0)
            assert caught.value.retry_after == pytest.approx(300)
        finally:
            await conn.aclose()
    run(fault())


def test_facebook_and_instagram_sims_share_one_loopback_server() -> None:
    clock = Clock()
    world = SimWorld(clock=clock)
    fb = FacebookSim(world)
    world.add(fb)
    fb.add_account("EAA-page-token-1", "Acme")
    ig = InstagramSim(world)
    world.add(ig)
    ig.add_account(TOKEN, "acme.shop")
    ig.inject_comment(TOKEN, "launch", "602", "mai", "blue?", clock.now)
    fb.inject_comment("EAA-page-token-1", "launch", "502", "Ivan", "price?", clock.now)

    async def go(url: str) -> None:
        conn = InstagramConnector(
            AccountConfig(1, "instagram", "acme.shop", url, ig.account_options(TOKEN)),
            TOKEN, clock=clock)
        try:
            (message,) = (await conn.fetch("comments", None, wait=0)).messages
            assert message.text == "blue?"
            await conn.send(reply_to(message, "yes"))
        finally:
            await conn.aclose()

    with SimServer(world) as server:
        run(go(server.url))
    assert [d.network for d in world.deliveries] == ["instagram"]


# -- fuzz ------------------------------------------------------------------------------------------

texts = st.one_of(st.text(max_size=30), st.sampled_from(
    ["<b>x</b>", "\u202eabc", "\ud800", "x" * 1_000_000, "", "@bob hi", "a\u200bb"]))
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10, 10**20), st.floats(), texts)
junk = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=6)
ids = st.one_of(st.sampled_from(["17873440459141021", IG, "a b", "", "x/y"]), scalars)
comments = st.fixed_dictionaries({}, optional={
    "id": ids, "text": st.one_of(texts, junk), "username": st.one_of(texts, junk),
    "timestamp": st.one_of(st.sampled_from(["2025-01-02T10:00:30+0000", "bad"]), scalars),
    "from": st.one_of(st.fixed_dictionaries({}, optional={"id": ids, "username": texts}), junk),
    "parent_id": ids,
    "replies": st.one_of(st.fixed_dictionaries({"data": st.lists(junk, max_size=2)}), junk)})


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.one_of(comments, junk), st.booleans())
def test_fuzz_comment_parser(raw: Any, nested: bool) -> None:
    try:
        record = comment_record(raw, "1789", ("1787", "602") if nested else None, IG,
                                "acme.shop", {"bob": "603"}, None, "acme")
    except graph.Malformed as exc:
        assert str(exc)
        return
    if record is not None:
        record.text.encode("utf-8")
        assert record.thread_key.startswith("comment:1789:")


@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(st.one_of(comments, junk), max_size=4), junk)
def test_fuzz_fetch_never_escapes(page: list[Any], count: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/media"):
            media = {"data": [{"id": "1789", "comments_count": count}]}
            return httpx.Response(200, content=json.dumps(media, default=str).encode())
        return httpx.Response(200, content=json.dumps({"data": page}, default=str).encode())

    async def go() -> None:
        conn = mock(handler, private_prefix="")
        try:
            result = await conn.fetch("comments", None, wait=0)
            assert result.cursor is not None
        finally:
            await conn.aclose()
    run(go())


# -- bursts through the real sync engine ---------------------------------------------------------


def synced_ids(db_url: str, env: Env, transport: httpx.AsyncBaseTransport,
               burst: Any) -> list[str]:
    return synced_inbound_ids(db_url, env.clock, transport, burst, network="instagram",
                              name="acme.shop", base_url="http://ig.sim",
                              options={"ig_user_id": env.ig}, token=TOKEN,
                              streams=("dms", "comments"))


def test_a_burst_of_1500_items_many_in_one_second_is_stored_exactly_once(
        db_url: str) -> None:
    env = Env()
    injected: list[str] = []
    one_second = env.ago(minutes=20)

    def burst() -> None:
        for i in range(1500):
            # half in one second (past any cap of ids kept at the high-water second)
            at = one_second if i % 2 else env.ago(minutes=40, seconds=-i)
            if i < 600:  # 600 conversations: more than any page cap of the listing
                injected.append(env.sim.inject_dm(TOKEN, str(10_000 + i), f"c{i}", f"m{i}", at))
            elif i < 750:  # one conversation with 150 new messages
                injected.append(env.sim.inject_dm(TOKEN, "7777", "chatty", f"m{i}", at))
            else:  # 600 comments on one media (more than a 500-comment walk), 150 on another
                media = "big" if i < 1350 else "other"
                injected.append(env.sim.inject_comment(TOKEN, media, str(20_000 + i % 97),
                                                       f"u{i % 97}", f"c{i}", at))
    stored = synced_ids(db_url, env, SimTransport(env.world), burst)
    assert len(injected) == 1500 and len(stored) == len(set(stored))
    assert sorted(stored) == sorted(injected)


def test_a_burst_in_the_middle_of_a_multi_page_pass_is_not_skipped(db_url: str) -> None:
    env = Env()
    injected: list[str] = []

    def before() -> None:
        for i in range(120):  # five pages of conversations, 250 comments on one media
            injected.append(env.sim.inject_dm(TOKEN, str(30_000 + i), f"c{i}", f"old {i}",
                                              env.ago(minutes=30, seconds=-i)))
        for i in range(250):
            injected.append(env.sim.inject_comment(TOKEN, "launch", str(40_000 + i % 7),
                                                   f"u{i % 7}", f"old c{i}",
                                                   env.ago(minutes=30, seconds=-i)))

    def dms_during() -> None:
        now = env.clock.now
        # the oldest conversation (not walked yet) jumps to the top of the list
        injected.append(env.sim.inject_dm(TOKEN, "30000", "c0", "me again", now))
        for i in range(60):
            injected.append(env.sim.inject_dm(TOKEN, str(50_000 + i), f"n{i}", f"new {i}", now))

    def comments_during() -> None:
        for i in range(60):
            injected.append(env.sim.inject_comment(TOKEN, "launch", str(60_000 + i), f"v{i}",
                                                   f"new c{i}", env.clock.now))

    def second_page(edge: str) -> Any:
        return lambda r: r.url.path.endswith(edge) and "after" in r.url.params

    transport = OnRequest(SimTransport(env.world), (second_page("/conversations"), dms_during),
                      (second_page("/comments"), comments_during))
    stored = synced_ids(db_url, env, transport, before)
    assert transport.steps == []  # both bursts landed mid-walk
    assert len(stored) == len(set(stored)) == len(injected) == 491
    assert sorted(stored) == sorted(injected)
