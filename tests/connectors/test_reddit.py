"""Reddit connector against the simulator and against pinned request shapes.

Facts pinned here come from /work/shared/networks/reddit.md (OAuth2 wiki,
praw/prawcore): ``GET /message/inbox`` Listings of t1/t4 things newest first;
``POST /api/comment`` form ``thing_id``/``text``/``api_type=json``; token
refresh at ``/api/v1/access_token`` with HTTP Basic client auth;
``X-Ratelimit-Reset`` in seconds; ``RATELIMIT`` inside a 200 body.
"""

from __future__ import annotations

import base64
import json
import urllib.parse
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smm_desk.cli.main import main
from smm_desk.connectors import reddit as reddit_module
from smm_desk.connectors.base import AccountConfig, OutgoingReply, ReplyTarget, connector_class
from smm_desk.connectors.credentials import MemoryCredentials
from smm_desk.connectors.errors import (
    AuthError,
    BadPayload,
    PermanentError,
    RateLimited,
    TransientError,
)
from smm_desk.connectors.http import HttpClient, RetryPolicy
from smm_desk.connectors.reddit import (
    InboxCursor,
    RedditConnector,
    inbox_item,
    own_item,
    ratelimit_wait,
)
from smm_desk.domain.enums import Direction
from smm_desk.domain.records import MessageKind
from smm_desk.sim.reddit import CLIENT_ID, RedditSim, ratelimit_body
from smm_desk.sim.transport import SimTransport
from smm_desk.sim.world import Fault, SimWorld
from tests.support.connector_kit import Clock, OnRequest, no_sleep, run, until_idle
from tests.support.simulated import simulated_workspace

TOKEN = "reddit-static-access-token-Q1"
BASE = "https://oauth.reddit.com"
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
OPTIONS = {"username": "acme_support", "client_id": CLIENT_ID}


def make(transport: httpx.AsyncBaseTransport, clock: Clock, creds: MemoryCredentials | None = None,
         base_url: str | None = None) -> RedditConnector:
    creds = creds if creds is not None else MemoryCredentials({"token": TOKEN})
    http = HttpClient(base_url or BASE, secrets=[TOKEN], transport=transport,
                      retry=RetryPolicy(attempts=3), sleep=no_sleep)
    return RedditConnector(AccountConfig(1, "reddit", "acme_support", base_url, OPTIONS),
                           TOKEN, clock=clock, http=http, credentials=creds)


class Env:
    def __init__(self, **options: Any) -> None:
        self.clock = Clock()
        self.world = SimWorld(clock=self.clock)
        self.sim = RedditSim(self.world, **options)
        self.world.add(self.sim)
        self.sim.add_account(TOKEN, "acme_support")
        self.creds = MemoryCredentials({"token": TOKEN})

    def connector(self) -> RedditConnector:
        return make(SimTransport(self.world), self.clock, self.creds, base_url=BASE)


def reply_to(message: Any, text: str, reply_id: str = "5d1f0c3a-1111-4c55-9d1a-2f0d9a0e3b71"
             ) -> OutgoingReply:
    return OutgoingReply(reply_id=reply_id, text=text, target=ReplyTarget(
        thread_key=message.thread_key, case_kind=message.kind.value,
        external_id=message.external_id, author_id=message.author_id,
        author_name=message.author_name, post_external_id=message.post_external_id,
        extra=message.extra))


DOC_LISTING = {"kind": "Listing", "data": {
    "after": "t4_2abcd1", "before": None, "dist": 2, "children": [
        {"kind": "t1", "data": {
            "name": "t1_k9x7y2z", "id": "k9x7y2z", "type": "comment_reply", "was_comment": True,
            "new": True, "author": "anna_k", "body": "Is the discount still on?",
            "created_utc": 1735812000.0, "subreddit": "MyBrand", "parent_id": "t1_k9w1a2b",
            "link_id": "t3_1hq2xyz",
            "context": "/r/MyBrand/comments/1hq2xyz/launch/k9x7y2z/?context=3"}},
        {"kind": "t4", "data": {
            "name": "t4_2abcd1", "id": "2abcd1", "was_comment": False, "new": True,
            "author": "ivan_p", "subject": "Order question", "body": "Hi, my order hasn't shipped",
            "created_utc": 1735811000.0, "first_message_name": None, "parent_id": None}}]}}


def scripted(routes: dict[str, Any], calls: list[httpx.Request]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        answer = routes[request.url.path]
        if callable(answer):
            response: httpx.Response = answer(request)
            return response
        return httpx.Response(200, content=json.dumps(answer).encode(),
                              headers={"Content-Type": "application/json"})
    return httpx.MockTransport(handler)


# -- reading -------------------------------------------------------------------------------


def test_registered_with_oauth_options_and_lookup_idempotency() -> None:
    assert connector_class("reddit") is RedditConnector
    assert RedditConnector.streams == ("inbox", "own")
    assert RedditConnector.idempotency.value == "lookup"
    oauth = RedditConnector.oauth
    assert oauth is not None and oauth.client_auth == "basic"
    assert oauth.token_url == "https://www.reddit.com/api/v1/access_token"
    assert oauth.authorize_params == {"duration": "permanent"}
    assert {"identity", "privatemessages", "read", "submit"} <= set(oauth.scopes)
    assert set(RedditConnector.options_help) == {"username", "client_id"}


def test_documented_listing_parses_and_the_read_request_is_pinned() -> None:
    calls: list[httpx.Request] = []

    async def go() -> Any:
        conn = make(scripted({"/message/inbox": DOC_LISTING}, calls), Clock())
        try:
            return await conn.fetch("inbox", None, wait=0)
        finally:
            await conn.aclose()
    result = run(go())
    (read,) = calls
    assert read.method == "GET" and read.url.path == "/message/inbox"
    assert dict(read.url.params) == {"limit": "100", "raw_json": "1", "mark": "false"}
    assert read.headers["Authorization"] == f"Bearer {TOKEN}"
    assert read.headers["User-Agent"] == "desktop:smm-desk:v0.1 (by /u/acme_support)"
    pm, comment = result.messages  # oldest first
    assert comment.thread_key == "comment:t3_1hq2xyz:anna_k"
    assert comment.kind == MessageKind.COMMENT and comment.extra["thing_id"] == "t1_k9x7y2z"
    assert comment.created_at == datetime.fromtimestamp(1735812000, UTC)
    assert comment.permalink == ("https://www.reddit.com/r/MyBrand/comments/1hq2xyz/launch/"
                                 "k9x7y2z/?context=3")
    assert pm.thread_key == "dm:ivan_p" and pm.kind == MessageKind.DM
    assert pm.text == "Order question\nHi, my order hasn't shipped"
    assert json.loads(result.cursor)["seen"] == ["t1_k9x7y2z", "t4_2abcd1"]


def test_resume_stops_at_the_last_seen_fullname_across_pages() -> None:
    env = Env()
    env.sim.inject_comment(TOKEN, None, "1", "Anna", "first")

    async def go() -> None:
        conn = env.connector()
        try:
            first = await conn.fetch("inbox", None, wait=0)
            assert [m.text for m in first.messages] == ["first"]
            texts = [f"n{i}" for i in range(230)]
            for i, text in enumerate(texts):
                env.clock.now += timedelta(seconds=1)
                env.sim.inject_comment(TOKEN, None, str(i % 4), f"User{i % 4}", text)
            result = await conn.fetch("inbox", first.cursor, wait=0)
            assert sorted(m.text for m in result.messages) == sorted(texts)
            again = await conn.fetch("inbox", result.cursor, wait=0)
            assert again.messages == []
            mentions = env.sim.inject_comment(TOKEN, "t3_other", "9", "Lan",
                                              "hey u/acme_support look")
            latest = await conn.fetch("inbox", again.cursor, wait=0)
            assert [m.external_id for m in latest.messages] == [mentions]
        finally:
            await conn.aclose()
    run(go())
    pages = [p for _, _, p in env.world.requests if p == "/message/inbox"]
    assert len(pages) == 1 + 3 + 1 + 1  # 231 items on the second fetch: three pages


def test_mentions_dm_threads_and_own_comments_outbound() -> None:
    env = Env()
    comment = env.sim.inject_comment(TOKEN, None, "1", "Anna", "is it blue?")
    env.sim.inject_dm(TOKEN, "2", "Ivan", "order?")
    env.sim.inject_dm(TOKEN, "2", "Ivan", "hello?")
    env.sim.inject_brand_answer(TOKEN, comment, "Yes, blue!")

    async def go() -> tuple[list[Any], list[Any]]:
        conn = env.connector()
        try:
            return ((await conn.fetch("inbox", None, wait=0)).messages,
                    (await conn.fetch("own", None, wait=0)).messages)
        finally:
            await conn.aclose()
    inbox, own = run(go())
    threads = [m.thread_key for m in inbox]
    assert threads[1:] == ["dm:ivan", "dm:ivan"]
    assert inbox[1].text == "Question\norder?" and inbox[2].text == "hello?"
    (answer,) = own
    assert answer.direction == Direction.OUTBOUND and answer.thread_key == threads[0]
    assert answer.parent_external_id == comment


# -- replies ---------------------------------------------------------------------------------


def test_reply_request_shape_is_pinned() -> None:
    calls: list[httpx.Request] = []
    created = {"json": {"errors": [], "data": {"things": [{"kind": "t1", "data": {
        "name": "t1_new1", "id": "new1", "created_utc": 1735812100.0}}]}}}

    async def go() -> Any:
        conn = make(scripted({"/message/inbox": DOC_LISTING, "/api/comment": created}, calls),
                    Clock())
        try:
            messages = (await conn.fetch("inbox", None, wait=0)).messages
            return await conn.send(reply_to(messages[1], "Yes, until Sunday!"))
        finally:
            await conn.aclose()
    delivery = run(go())
    post = calls[-1]
    assert post.method == "POST" and post.url.path == "/api/comment"
    assert post.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert urllib.parse.parse_qs(post.content.decode()) == {
        "thing_id": ["t1_k9x7y2z"], "text": ["Yes, until Sunday!"], "api_type": ["json"]}
    assert delivery.external_id == "t1_new1"
    assert delivery.delivered_at == datetime.fromtimestamp(1735812100, UTC)


def test_replies_reach_comments_and_messages_and_api_errors_map() -> None:
    env = Env()
    env.sim.inject_comment(TOKEN, None, "1", "Anna", "is it blue?")
    env.sim.inject_dm(TOKEN, "2", "Ivan", "order?")

    async def go() -> None:
        conn = env.connector()
        try:
            comment, dm = sorted((await conn.fetch("inbox", None, wait=0)).messages,
                                 key=lambda m: m.thread_key)
            a = await conn.send(reply_to(comment, "Yes"))
            b = await conn.send(reply_to(dm, "Shipped today"))
            assert a.external_id.startswith("t1_") and b.external_id.startswith("t4_")
            env.world.inject(Fault("reddit", "body", match="/api/comment",
                                   body=ratelimit_body(5)))
            with pytest.raises(RateLimited) as info:
                await conn.send(reply_to(comment, "again"))
            assert info.value.retry_after == 300
            env.sim.lock(comment.extra["link_id"])
            with pytest.raises(PermanentError) as refused:
                await conn.send(reply_to(comment, "locked?"))
            assert refused.value.network_message == "Comments are locked."
            with pytest.raises(PermanentError):
                await conn.send(reply_to(dm, "x" * 10_001))
        finally:
            await conn.aclose()
    run(go())
    assert [p["target"] for p in env.sim.posted(TOKEN)] == ["t1_k9x7000", "t4_2abc000"]


@pytest.mark.parametrize(("message", "seconds"), [
    ("Looks like you've been doing that a lot. Take a break for 5 minutes before trying "
     "again.", 300), ("you are doing that too much. try again in 9 seconds.", 9),
    ("try again in 1 minute.", 60), ("slow down", 60), ("wait 99999 hours", 3600)])
def test_ratelimit_wait_is_parsed_from_the_words(message: str, seconds: float) -> None:
    assert ratelimit_wait(message) == seconds


def test_uncertain_send_is_settled_by_looking_it_up_before_any_retry() -> None:
    env = Env()
    env.sim.inject_comment(TOKEN, None, "1", "Anna", "is it blue?")
    env.sim.inject_dm(TOKEN, "2", "Ivan", "order?")

    async def go() -> None:
        conn = env.connector()
        try:
            for message in (await conn.fetch("inbox", None, wait=0)).messages:
                reply = reply_to(message, f"Answer for {message.author_name}",
                                 reply_id=message.external_id)
                assert await conn.find_delivered(reply) is None
                env.world.inject(Fault("reddit", "after", match="/api/comment"))
                with pytest.raises(TransientError) as info:
                    await conn.send(reply)
                assert info.value.maybe_delivered
                found = await conn.find_delivered(reply)
                assert found is not None and found.external_id[:3] == message.external_id[:3]
        finally:
            await conn.aclose()
    run(go())
    assert len(env.sim.posted(TOKEN)) == 2  # posted once each, never retried blindly


# -- auth and rate limits -------------------------------------------------------------------


def test_expiring_token_is_refreshed_with_basic_client_auth_and_stored_first() -> None:
    env = Env()
    access, refresh = env.sim.oauth.issue("acme_support")
    env.creds.values.update({"token": access, "refresh_token": refresh,
                             "token_expires_at": (START + timedelta(minutes=3)).isoformat()})
    seen: list[httpx.Request] = []
    sim_transport = SimTransport(env.world)

    class Spy(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return await sim_transport.handle_async_request(request)

    async def go() -> None:
        conn = make(Spy(), env.clock, env.creds, base_url=BASE)
        try:
            await conn.fetch("inbox", None, wait=0)
        finally:
            await conn.aclose()
    run(go())
    token_call = next(r for r in seen if r.url.path == "/api/v1/access_token")
    assert str(token_call.url).startswith(BASE)  # rebased with the account's base URL
    auth = base64.b64decode(token_call.headers["Authorization"].split()[1]).decode()
    assert auth == f"{CLIENT_ID}:"
    assert urllib.parse.parse_qs(token_call.content.decode())["grant_type"] == ["refresh_token"]
    assert env.sim.oauth.grants == ["refresh_token"]
    assert env.creds.values["token"] != access and env.creds.values["refresh_token"] != refresh
    assert seen[-1].headers["Authorization"] == f"Bearer {env.creds.values['token']}"


def test_401_refreshes_once_then_needs_auth() -> None:
    env = Env()
    access, refresh = env.sim.oauth.issue("acme_support")
    env.creds.values.update({"token": access, "refresh_token": refresh})

    async def go() -> None:
        conn = env.connector()
        try:
            env.world.inject(Fault("reddit", "auth", match="/message/inbox"))
            await conn.fetch("inbox", None, wait=0)  # refreshed and repeated
            env.world.inject(Fault("reddit", "auth", match="/message/inbox", times=5))
            with pytest.raises(AuthError):
                await conn.fetch("inbox", None, wait=0)
        finally:
            await conn.aclose()
    run(go())
    assert env.sim.oauth.grants == ["refresh_token", "refresh_token"]

    pasted = Env()  # a pasted token with no refresh token: straight to needs_auth

    async def no_refresh() -> None:
        conn = pasted.connector()
        try:
            pasted.world.inject(Fault("reddit", "auth"))
            with pytest.raises(AuthError) as info:
                await conn.fetch("inbox", None, wait=0)
            assert TOKEN not in str(info.value)
        finally:
            await conn.aclose()
    run(no_refresh())


def test_rate_limit_headers_block_before_sending_and_429_waits_for_reset() -> None:
    env = Env(rate_limit=2)

    async def go() -> None:
        conn = env.connector()
        try:
            await conn.fetch("inbox", None, wait=0)
            await conn.fetch("inbox", None, wait=0)  # Remaining 0.0, Reset 600 - elapsed
            before = len(env.world.requests)
            with pytest.raises(RateLimited) as info:
                await conn.fetch("inbox", None, wait=0)
            assert len(env.world.requests) == before
            assert info.value.retry_after == 600
            env.clock.now += timedelta(minutes=10)
            env.world.inject(Fault("reddit", "rate_limit", seconds=37))
            with pytest.raises(RateLimited) as info:
                await conn.fetch("inbox", None, wait=0)
            assert info.value.retry_after == 37
        finally:
            await conn.aclose()
    run(go())


@pytest.mark.parametrize(("status", "error"), [
    (403, PermanentError), (500, TransientError), (503, TransientError)])
def test_status_errors_and_malformed_answers(status: int, error: type[Exception]) -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            env.world.inject(Fault("reddit", "status", status=status, times=10))
            with pytest.raises(error):
                await conn.fetch("inbox", None, wait=0)
            env.world.faults.clear()
            env.world.inject(Fault("reddit", "malformed"))
            with pytest.raises(BadPayload):
                await conn.fetch("inbox", None, wait=0)
            env.world.inject(Fault("reddit", "body", body={"kind": "t1"}))
            with pytest.raises(BadPayload):
                await conn.fetch("inbox", None, wait=0)
        finally:
            await conn.aclose()
    run(go())


# -- fuzz -----------------------------------------------------------------------------------

HOSTILE = ["<script>alert(1)</script>", "\u202egnp.exe\u202c", "a\u200bb", "\ud800",
           "x" * 1_000_000, "", "\x00", "[deleted]"]
texts = st.one_of(st.text(max_size=30), st.sampled_from(HOSTILE))
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10, 10**20),
                    st.floats(allow_nan=True), st.text(max_size=8))
junk = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=6)
names = st.one_of(st.sampled_from(["t1_abc", "t4_2x", "t3_1hq", "t1_", "x_1"]), junk)
things = st.fixed_dictionaries({"kind": st.one_of(st.sampled_from(["t1", "t4", "t3"]), junk)},
                               optional={"data": st.one_of(st.fixed_dictionaries({}, optional={
                                   "name": names, "author": texts, "body": texts,
                                   "subject": texts, "created_utc": scalars,
                                   "link_id": names, "parent_id": names,
                                   "first_message_name": names, "type": texts,
                                   "context": texts, "subreddit": texts}), junk)})


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.data_too_large])
@given(st.one_of(things, junk))
def test_fuzz_item_parsers_never_raise(child: Any) -> None:
    for item in (inbox_item(child), own_item(child)):
        if item.message is not None:
            item.message.text.encode("utf-8")
            assert item.message.created_at.tzinfo is not None
            assert item.message.thread_key.split(":")[0] in ("comment", "dm")
        assert item.message is not None or item.bad is not None or item.data is not None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.data_too_large])
@given(st.lists(st.one_of(things, junk), max_size=4), st.one_of(st.text(max_size=20), junk))
def test_fuzz_fetch_quarantines_instead_of_raising(items: list[Any], cursor: Any) -> None:
    listing = {"kind": "Listing", "data": {"after": None, "children": items}}

    async def go() -> None:
        routes = {f"/message/{where}": listing for where in
                  ("inbox", "messages", "comments", "selfreply", "mentions")}
        conn = make(scripted(routes, []), Clock())
        try:
            raw = cursor if isinstance(cursor, str) else json.dumps(cursor)
            result = await conn.fetch("inbox", raw, wait=0)
            assert len(result.messages) + len(result.quarantined) <= len(items)
            InboxCursor.load(result.cursor)
        finally:
            await conn.aclose()
    run(go())


# -- bursts: nothing is lost, whatever arrives between or during polls -------------------------


def burst(env: Env, count: int, start: int, at: datetime) -> list[str]:
    """Half DMs, half comments under posts "900".."904"; 300 share each second."""
    ids = []
    for i in range(start, start + count):
        customer = str(5_000_000 + i // 30)
        when = at + timedelta(seconds=(i - start) // 300)
        if i % 2:
            ids.append(env.sim.inject_comment(TOKEN, str(900 + i % 5), customer,
                                              f"Customer {customer}", f"comment {i}", when))
        else:
            ids.append(env.sim.inject_dm(TOKEN, customer, f"Customer {customer}", f"dm {i}",
                                         when))
    return ids


def synced(tmp_path: Path, env: Env, passes: Any,
           transport: httpx.AsyncBaseTransport | None = None) -> list[str]:
    """Runs ``passes(engine, account_id)`` with the real SyncEngine; the stored external ids."""
    import sqlite3

    from smm_desk.store.api import Store
    from smm_desk.sync.engine import SyncEngine, default_factory

    env.clock.now = datetime.now(UTC).replace(microsecond=0)
    store = Store.open(f"sqlite:///{tmp_path}/desk.db", env.clock)
    account = store.add_account("reddit", "acme_support", BASE, OPTIONS)
    engine = SyncEngine(store, factory=default_factory(transport or SimTransport(env.world),
                                                       env.clock),
                        tokens=lambda _id: TOKEN, credentials=lambda _id: env.creds,
                        sleep=no_sleep)

    async def go() -> None:
        try:
            await passes(engine, store, account.id)
        finally:
            await engine.aclose()
    try:
        run(go())
    finally:
        store.close()
    with sqlite3.connect(f"{tmp_path}/desk.db") as db:
        return [row[0] for row in db.execute(
            "SELECT external_id FROM messages WHERE account_id = ?", (account.id,))]


def test_burst_after_an_empty_first_poll_is_stored_whole(tmp_path: Path) -> None:
    env = Env()
    injected: list[str] = []

    async def passes(engine: Any, store: Any, account_id: int) -> None:
        await engine.sync_once()  # an empty inbox: "from now" must still be recorded
        assert store.cursor(account_id, "inbox") is not None
        # 1,500 items, backdated past the first poll, beyond Reddit's 1,000-item inbox limit.
        injected.extend(burst(env, 1500, 0, env.clock.now - timedelta(minutes=30)))
        await until_idle(engine, lambda: env.clock.advance(minutes=2))
    stored = synced(tmp_path, env, passes)
    assert len(stored) == len(set(stored)) == 1500
    assert set(stored) == set(injected)
    # The inbox listing ran out at its limit; the per-kind listings held the rest.
    paths = {p for _, _, p in env.world.requests}
    assert {"/message/inbox", "/message/messages", "/message/selfreply"} <= paths


def test_burst_in_the_middle_of_a_multi_page_walk_is_not_skipped(tmp_path: Path) -> None:
    env = Env()
    history = [env.sim.inject_comment(TOKEN, None, str(i), f"Old {i}", f"old {i}")
               for i in range(5)]
    injected: list[str] = []
    later: list[str] = []

    def third_page(request: httpx.Request) -> bool:
        return request.url.path == "/message/inbox" and bool(request.url.params.get("after")) \
            and len([p for _, _, p in env.world.requests if p == "/message/inbox"]) >= 3

    def arrive() -> None:
        later.extend(burst(env, 400, 10_000, env.clock.now))

    transport = OnRequest(SimTransport(env.world), (third_page, arrive))

    async def passes(engine: Any, store: Any, account_id: int) -> None:
        await engine.sync_once()  # the first run takes the newest page (the history)
        injected.extend(burst(env, 700, 0, env.clock.now))
        await until_idle(engine, lambda: env.clock.advance(minutes=2))
    stored = synced(tmp_path, env, passes, transport)
    assert not transport.steps and len(later) == 400
    assert len(stored) == len(set(stored)) == 5 + 700 + 400
    assert set(stored) == {*history, *injected, *later}


async def walk_on(conn: RedditConnector, cursor: str | None) -> tuple[set[str], str | None]:
    got: set[str] = set()
    for _ in range(30):
        result = await conn.fetch("inbox", cursor, wait=0)
        got |= {m.external_id for m in result.messages}
        cursor = result.cursor
        if not result.more:
            return got, cursor
    raise AssertionError("never caught up")


def test_a_walk_cut_short_keeps_its_place_and_marks_in_the_cursor(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reddit_module, "MAX_PAGES", 3)  # a pass cap: quota, rate limit
    env = Env()
    history = [env.sim.inject_comment(TOKEN, None, str(i), f"Old {i}", f"old {i}")
               for i in range(5)]

    async def go() -> None:
        conn = env.connector()
        try:
            first = await conn.fetch("inbox", None, wait=0)
            assert {m.external_id for m in first.messages} == set(history)
            ids = burst(env, 700, 0, env.clock.now)
            page = await conn.fetch("inbox", first.cursor, wait=0)
            assert page.more and len(page.messages) == 300
            state = json.loads(page.cursor or "{}")
            walk = state["walk"]
            assert walk["l"] == "inbox" and walk["after"] and walk["read"] == 300
            assert sorted(walk["stop"]) == sorted(history)  # the marks of when it began
            assert state["seen"][0] == ids[-1]  # while "seen" already names the new top
            ids += burst(env, 50, 1000, env.clock.now)  # more arrive mid-walk
            got, cursor = await walk_on(conn, page.cursor)
            assert "walk" not in json.loads(cursor or "{}")
            assert got | {m.external_id for m in page.messages} == set(ids[:700])
            newer, cursor = await walk_on(conn, cursor)  # the next poll reads the top
            assert newer == set(ids[700:])
            again = await conn.fetch("inbox", cursor, wait=0)
            assert again.messages == [] and not again.more
        finally:
            await conn.aclose()
    run(go())


def test_more_of_one_kind_than_reddit_lists_is_reported_in_the_status() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            first = await conn.fetch("inbox", None, wait=0)
            ids = [env.sim.inject_dm(TOKEN, str(i), f"User {i}", f"dm {i}")
                   for i in range(1100)]
            got, _ = await walk_on(conn, first.cursor)
            assert got == set(ids[-1000:])  # Reddit's own limit: the oldest 100 are unlisted
            assert "1,000" in conn.status_note() and "/message/messages" in conn.status_note()
        finally:
            await conn.aclose()
    run(go())


def test_a_vanished_after_item_restarts_the_walk_from_the_top(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reddit_module, "MAX_PAGES", 2)
    env = Env()
    env.sim.inject_comment(TOKEN, None, "1", "Old", "old")

    async def go() -> None:
        conn = env.connector()
        try:
            first = await conn.fetch("inbox", None, wait=0)
            ids = burst(env, 600, 0, env.clock.now)
            page = await conn.fetch("inbox", first.cursor, wait=0)
            after = json.loads(page.cursor or "{}")["walk"]["after"]
            with env.world.lock:  # the customer deletes the item the walk stopped at
                env.sim._inbox["acme_support"].remove(after)
            got, _ = await walk_on(conn, page.cursor)
            assert got | {m.external_id for m in page.messages} == set(ids)
        finally:
            await conn.aclose()
    run(go())


# -- the whole path over loopback -------------------------------------------------------------


def test_cli_accounts_add_and_sync_once_over_loopback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMM_DESK_DB", f"sqlite:///{tmp_path}/desk.db")
    monkeypatch.setenv("SMM_DESK_AGENT", "kim")
    with simulated_workspace(("mastodon", "reddit")) as ws:  # shared /api/v1/ prefix
        for key, value in ws.env().items():
            monkeypatch.setenv(key, value)
        acc = ws.accounts["reddit"]
        assert main(ws.cli_args("reddit")) == 0
        assert main(["sync", "--once"]) == 0
        written = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=3)
        acc.handler.inject_dm(acc.token, "501", "Anna", "Do you deliver on Sunday?", written)
        acc.handler.inject_comment(acc.token, None, "502", "Ivan", "Когда поставка?", written)
        acc.handler.inject_comment(acc.token, None, "503", "Lan", "Còn hàng không?", written)
        acc.handler.inject_dm(acc.token, "501", "Anna", "Hello?", written + timedelta(minutes=1))
        assert main(["sync", "--once"]) == 0
        capsys.readouterr()
        assert main(["queue", "--json"]) == 0
        cases = json.loads(capsys.readouterr().out)
        assert sorted(c["customer"] for c in cases) == ["Anna", "Ivan", "Lan"]
        for case in cases:
            assert datetime.fromisoformat(case["waiting_since"]) == written
            assert main(["reply", str(case["id"]), "--text", f"Thanks {case['customer']}"]) == 0
        capsys.readouterr()
        assert main(["outbox", "flush"]) == 0
        assert capsys.readouterr().out.startswith("delivered 3")
        posted = acc.handler.posted(acc.token)
        assert len(posted) == 3 and {p["method"] for p in posted} == {"POST /api/comment"}
        assert main(["sync", "--once"]) == 0
        capsys.readouterr()
        assert main(["queue", "--json"]) == 0
        assert all(c["sla_state"] is None for c in json.loads(capsys.readouterr().out))
        assert main(["accounts", "list", "--json"]) == 0
        out = capsys.readouterr().out
        assert json.loads(out)[0]["status"] == "ok" and acc.token not in out
