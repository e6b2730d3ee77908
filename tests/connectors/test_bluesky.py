"""Bluesky connector against the simulator and against pinned request shapes.

Facts pinned here come from /work/shared/networks/bluesky.md (atproto lexicons,
docs.bsky.app): ``listNotifications`` with repeated ``reasons`` and a cursor
that walks backwards; createSession / refreshSession (Bearer refreshJwt);
replies as ``createRecord`` with ``reply.root``/``reply.parent`` strong refs and
a client-chosen TID ``rkey``; ``getRecord`` → 400 ``RecordNotFound``;
``RateLimit-Reset`` in epoch seconds; chat through ``atproto-proxy``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smm_desk.cli.main import main
from smm_desk.connectors.base import AccountConfig, OutgoingReply, ReplyTarget, connector_class
from smm_desk.connectors.bluesky import BlueskyConnector
from smm_desk.connectors.bluesky_parse import (
    WalkCursor,
    chat_message,
    feed_entry,
    is_tid,
    notification_entry,
    tid_for,
)
from smm_desk.connectors.credentials import MemoryCredentials
from smm_desk.connectors.errors import (
    AuthError,
    BadPayload,
    PermanentError,
    RateLimited,
    TransientError,
)
from smm_desk.connectors.http import HttpClient, RetryPolicy
from smm_desk.domain.enums import Direction
from smm_desk.domain.records import MessageKind
from smm_desk.sim.bluesky import BlueskySim
from smm_desk.sim.transport import SimTransport
from smm_desk.sim.world import Fault, SimWorld
from tests.support.connector_kit import Clock, OnRequest, no_sleep, run, until_idle
from tests.support.simulated import simulated_workspace

APP_PASSWORD = "abcd-efgh-ijkl-mnop"
HANDLE = "acme.bsky.social"
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def make(transport: httpx.AsyncBaseTransport, clock: Clock,
         creds: MemoryCredentials | None = None) -> BlueskyConnector:
    creds = creds if creds is not None else MemoryCredentials({"token": APP_PASSWORD})
    http = HttpClient("https://bsky.social", secrets=[APP_PASSWORD], transport=transport,
                      retry=RetryPolicy(attempts=3), sleep=no_sleep)
    return BlueskyConnector(AccountConfig(1, "bluesky", HANDLE, None, {"handle": HANDLE}),
                            APP_PASSWORD, clock=clock, http=http, credentials=creds)


class Env:
    def __init__(self, **options: Any) -> None:
        self.clock = Clock()
        self.world = SimWorld(clock=self.clock)
        self.sim = BlueskySim(self.world, **options)
        self.world.add(self.sim)
        self.sim.add_account(APP_PASSWORD, HANDLE)
        self.creds = MemoryCredentials({"token": APP_PASSWORD})

    def connector(self) -> BlueskyConnector:
        return make(SimTransport(self.world), self.clock, self.creds)


def reply_to(message: Any, text: str, reply_id: str = "0b6e3f5e-9d1c-4a57-8c1e-5d2f6a7b8c9d"
             ) -> OutgoingReply:
    return OutgoingReply(reply_id=reply_id, text=text, target=ReplyTarget(
        thread_key=message.thread_key, case_kind=message.kind.value,
        external_id=message.external_id, author_id=message.author_id,
        author_name=message.author_name, post_external_id=message.post_external_id,
        extra=message.extra))


async def drain(conn: BlueskyConnector, stream: str, cursor: str | None
                ) -> tuple[list[Any], str | None]:
    out: list[Any] = []
    for _ in range(50):
        result = await conn.fetch(stream, cursor, wait=0)
        out.extend(result.messages)
        cursor = result.cursor if result.cursor is not None else cursor
        if not result.more:
            return out, cursor
    raise AssertionError("never caught up")


# -- sessions ------------------------------------------------------------------------------


def test_registered_with_streams_options_and_key_idempotency() -> None:
    assert connector_class("bluesky") is BlueskyConnector
    assert BlueskyConnector.streams == ("notifications", "own", "chat")
    assert set(BlueskyConnector.options_help) == {"handle", "did"}
    assert BlueskyConnector.idempotency.value == "key"


def test_app_password_signs_in_once_and_the_session_is_kept() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            cursor = None
            for _ in range(5):
                cursor = (await conn.fetch("notifications", cursor, wait=0)).cursor
        finally:
            await conn.aclose()
    run(go())
    assert env.sim.sessions == ["createSession"]  # never per poll (30 / 5 min limit)
    values = env.creds.values
    assert values["password"] == APP_PASSWORD
    assert values["token"].count(".") == 2 and values["token"] != APP_PASSWORD
    assert values["refresh_token"].count(".") == 2
    assert datetime.fromisoformat(values["token_expires_at"]) == START + timedelta(hours=2)

    async def again() -> None:  # a new connector (restart) reuses the stored session
        conn = env.connector()
        try:
            await conn.fetch("notifications", None, wait=0)
        finally:
            await conn.aclose()
    run(again())
    assert env.sim.sessions == ["createSession"]


def test_session_refreshes_before_expiry_with_the_refresh_jwt() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            await conn.fetch("notifications", None, wait=0)
            first = env.creds.values["refresh_token"]
            env.clock.now = START + timedelta(hours=1, minutes=56)
            await conn.fetch("notifications", None, wait=0)
            assert env.creds.values["refresh_token"] != first  # rotated and stored
        finally:
            await conn.aclose()
    run(go())
    assert env.sim.sessions == ["createSession", "refreshSession"]


def test_expired_token_answer_refreshes_and_repeats_the_call() -> None:
    env = Env()
    env.sim.inject_comment(APP_PASSWORD, None, "1", "Anna", "hello")

    async def go() -> None:
        conn = env.connector()
        try:
            await conn.fetch("own", None, wait=0)
            env.world.inject(Fault("bluesky", "auth", match="listNotifications"))
            result = await conn.fetch("notifications", None, wait=0)
            assert [m.text for m in result.messages] == ["hello"]
        finally:
            await conn.aclose()
    run(go())
    assert env.sim.sessions == ["createSession", "refreshSession"]


def test_refused_refresh_signs_in_again_and_a_refused_password_is_auth_error() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            await conn.fetch("notifications", None, wait=0)
            env.sim.expire_sessions()
            env.sim.revoke_refresh()
            await conn.fetch("notifications", None, wait=0)
            assert env.sim.sessions == ["createSession", "createSession"]
        finally:
            await conn.aclose()
    run(go())

    bad = Env()
    bad.creds.values["token"] = "wrong-pass-word1"

    async def refused() -> None:
        conn = bad.connector()
        try:
            with pytest.raises(AuthError) as info:
                await conn.fetch("notifications", None, wait=0)
            assert "wrong-pass-word1" not in str(info.value)
        finally:
            await conn.aclose()
    run(refused())


def test_create_session_limit_is_rate_limited() -> None:
    env = Env()
    for _ in range(30):
        response = env.world.handle(httpx.Request(
            "POST", "https://bsky.social/xrpc/com.atproto.server.createSession",
            json={"identifier": HANDLE, "password": APP_PASSWORD}))
        assert response.status_code == 200

    async def go() -> None:
        conn = env.connector()
        try:
            with pytest.raises(RateLimited) as info:
                await conn.fetch("notifications", None, wait=0)
            assert info.value.retry_after == 300
        finally:
            await conn.aclose()
    run(go())


# -- reading -------------------------------------------------------------------------------


DOC_EXAMPLE = {
    "cursor": "2025-01-02T10:00:00.123Z",
    "notifications": [{
        "uri": "at://did:plc:abc123/app.bsky.feed.post/3lf2qk7xyz22a",
        "cid": "bafyreiexamplecidreply",
        "author": {"did": "did:plc:abc123", "handle": "anna.bsky.social",
                   "displayName": "Anna"},
        "reason": "reply",
        "reasonSubject": "at://did:plc:mybrand/app.bsky.feed.post/3lf2pp1aaa11b",
        "record": {
            "$type": "app.bsky.feed.post", "text": "Does this come in blue?",
            "createdAt": "2025-01-02T09:59:58.000Z",
            "reply": {
                "root": {"uri": "at://did:plc:mybrand/app.bsky.feed.post/3lf2pp1aaa11b",
                         "cid": "bafyreiexamplecidroot"},
                "parent": {"uri": "at://did:plc:mybrand/app.bsky.feed.post/3lf2pp1aaa11b",
                           "cid": "bafyreiexamplecidroot"}}},
        "isRead": False, "indexedAt": "2025-01-02T10:00:00.123Z"}],
    "seenAt": "2025-01-02T09:00:00.000Z"}


def scripted(routes: dict[str, Any], calls: list[httpx.Request]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        nsid = request.url.path.removeprefix("/xrpc/")
        if nsid == "com.atproto.server.createSession":
            return httpx.Response(200, json={"accessJwt": "e30.eyJleHAiOjk5OTk5OTk5OTl9.sig",
                                             "refreshJwt": "e30.e30.refresh",
                                             "did": "did:plc:mybrand", "handle": HANDLE})
        answer = routes[nsid]
        if callable(answer):
            response: httpx.Response = answer(request)
            return response
        return httpx.Response(200, content=json.dumps(answer).encode(),
                              headers={"Content-Type": "application/json"})
    return httpx.MockTransport(handler)


def test_documented_notification_parses_and_the_read_request_is_pinned() -> None:
    calls: list[httpx.Request] = []
    transport = scripted({"app.bsky.notification.listNotifications": DOC_EXAMPLE}, calls)

    async def go() -> Any:
        conn = make(transport, Clock())
        try:
            return await conn.fetch("notifications", None, wait=0)
        finally:
            await conn.aclose()
    result = run(go())
    login, read = calls
    assert json.loads(login.content) == {"identifier": HANDLE, "password": APP_PASSWORD}
    assert read.method == "GET"
    assert read.url.path == "/xrpc/app.bsky.notification.listNotifications"
    assert read.url.params.get_list("reasons") == ["mention", "reply", "quote"]
    assert read.url.params["limit"] == "50" and "cursor" not in read.url.params
    assert read.headers["Authorization"] == "Bearer e30.eyJleHAiOjk5OTk5OTk5OTl9.sig"
    (message,) = result.messages
    root = "at://did:plc:mybrand/app.bsky.feed.post/3lf2pp1aaa11b"
    assert message.thread_key == f"comment:{root}:did:plc:abc123"
    assert message.kind == MessageKind.COMMENT and message.direction == Direction.INBOUND
    assert message.created_at == datetime(2025, 1, 2, 9, 59, 58, tzinfo=UTC)
    assert message.author_name == "Anna" and message.text == "Does this come in blue?"
    assert message.permalink == "https://bsky.app/profile/anna.bsky.social/post/3lf2qk7xyz22a"
    assert message.extra["root_cid"] == "bafyreiexamplecidroot"
    assert message.extra["cid"] == "bafyreiexamplecidreply"


def test_first_run_takes_newest_page_then_resumes_without_duplicates() -> None:
    env = Env()
    for i in range(60):
        env.sim.inject_comment(APP_PASSWORD, None, str(i % 7), f"User {i % 7}", f"old {i}")

    async def go() -> None:
        conn = env.connector()
        try:
            first = await conn.fetch("notifications", None, wait=0)
            assert len(first.messages) == 50 and first.more is False  # history not backfilled
            again, cursor = await drain(conn, "notifications", first.cursor)
            assert again == []
            env.clock.now += timedelta(minutes=1)
            new = [env.sim.inject_comment(APP_PASSWORD, None, "9", "Lan", f"new {i}")
                   for i in range(3)]
            later, cursor = await drain(conn, "notifications", cursor)
            assert sorted(m.external_id for m in later) == sorted(new)
            assert (await drain(conn, "notifications", cursor))[0] == []
        finally:
            await conn.aclose()
    run(go())


def test_pages_back_until_the_old_mark_when_a_gap_is_larger_than_a_page() -> None:
    env = Env()
    env.sim.inject_comment(APP_PASSWORD, None, "1", "Anna", "first")

    async def go() -> None:
        conn = env.connector()
        try:
            start = await conn.fetch("notifications", None, wait=0)
            env.clock.now += timedelta(hours=1)
            texts = []
            for i in range(137):
                env.clock.now += timedelta(seconds=1)
                texts.append(f"burst {i}")
                env.sim.inject_comment(APP_PASSWORD, None, str(i % 5), f"U{i % 5}", texts[-1])
            page = await conn.fetch("notifications", start.cursor, wait=0)
            assert page.more is True and len(page.messages) == 50
            state = WalkCursor.load(page.cursor)
            assert state.back and state.until is not None
            rest, cursor = await drain(conn, "notifications", page.cursor)
            got = [m.text for m in page.messages + rest]
            assert sorted(got) == sorted(texts) and len(got) == len(set(got))
            assert WalkCursor.load(cursor).back is None
        finally:
            await conn.aclose()
    run(go())


def test_threads_for_replies_mentions_quotes_and_future_clocks() -> None:
    env = Env()
    reply = env.sim.inject_comment(APP_PASSWORD, None, "1", "Anna", "reply")
    deeper = env.sim.inject_comment(APP_PASSWORD, reply, "2", "Ivan", "answering Anna")
    mention = env.sim.inject_mention(APP_PASSWORD, "3", "Lan", "hello", START + timedelta(
        days=3))
    quote = env.sim.inject_mention(APP_PASSWORD, "4", "Bob", "look", quote=True)

    async def go() -> list[Any]:
        conn = env.connector()
        try:
            return (await conn.fetch("notifications", None, wait=0)).messages
        finally:
            await conn.aclose()
    by_id = {m.external_id: m for m in run(go())}
    root = by_id[reply].extra["root_uri"]
    assert by_id[reply].thread_key == f"comment:{root}:{by_id[reply].author_id}"
    assert by_id[deeper].extra["root_uri"] == root  # root copied down the thread
    assert by_id[deeper].parent_external_id == reply
    assert by_id[deeper].kind == MessageKind.COMMENT  # replies under the brand's thread
    m = by_id[mention]
    assert m.kind == MessageKind.MENTION and m.thread_key == f"comment:{mention}:{m.author_id}"
    assert m.created_at == START  # createdAt in the future: indexedAt (Bluesky's sortAt)
    assert by_id[quote].extra["reason"] == "quote"
    assert by_id[quote].extra["root_uri"] == quote


def test_own_answers_made_in_the_app_come_back_outbound_in_the_customers_case() -> None:
    env = Env()
    reply = env.sim.inject_comment(APP_PASSWORD, None, "1", "Anna", "hi")
    env.sim.inject_brand_answer(APP_PASSWORD, reply, "hello Anna")

    async def go() -> tuple[list[Any], list[Any]]:
        conn = env.connector()
        try:
            inbound = (await conn.fetch("notifications", None, wait=0)).messages
            own = (await conn.fetch("own", None, wait=0)).messages
            return inbound, own
        finally:
            await conn.aclose()
    inbound, own = run(go())
    (answer,) = own  # the brand's top-level post answers nobody and is skipped
    assert answer.direction == Direction.OUTBOUND and answer.text == "hello Anna"
    assert answer.thread_key == inbound[0].thread_key


# -- replies and idempotency -------------------------------------------------------------


def test_tid_is_valid_deterministic_and_per_reply() -> None:
    a, b = tid_for("reply-1"), tid_for("reply-2")
    assert is_tid(a) and is_tid(b) and a != b and tid_for("reply-1") == a
    assert len(a) == 13


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_tid_for_any_reply_id_is_a_valid_tid(reply_id: str) -> None:
    assert is_tid(tid_for(reply_id))


def test_reply_request_shape_is_pinned() -> None:
    calls: list[httpx.Request] = []
    created = {"uri": "at://did:plc:mybrand/app.bsky.feed.post/x", "cid": "bafyreinew"}
    transport = scripted({"app.bsky.notification.listNotifications": DOC_EXAMPLE,
                          "com.atproto.repo.createRecord": {**created, "uri": created["uri"]
                                                            .replace("/x", "/3kaaaaaaaaaaa")}},
                         calls)
    clock = Clock()

    async def go() -> Any:
        conn = make(transport, clock)
        try:
            (message,) = (await conn.fetch("notifications", None, wait=0)).messages
            return await conn.send(reply_to(message, "Yes! Blue: https://acme.example/blue ✓",
                                            reply_id="r-42"))
        finally:
            await conn.aclose()
    delivery = run(go())
    post = calls[-1]
    assert post.method == "POST" and post.url.path == "/xrpc/com.atproto.repo.createRecord"
    body = json.loads(post.content)
    assert body["repo"] == "did:plc:mybrand" and body["collection"] == "app.bsky.feed.post"
    assert body["rkey"] == tid_for("r-42")
    record = body["record"]
    assert record["$type"] == "app.bsky.feed.post"
    assert record["text"] == "Yes! Blue: https://acme.example/blue ✓"
    assert record["createdAt"] == "2026-11-02T09:00:00.000Z"
    assert record["reply"] == {
        "root": {"uri": "at://did:plc:mybrand/app.bsky.feed.post/3lf2pp1aaa11b",
                 "cid": "bafyreiexamplecidroot"},
        "parent": {"uri": "at://did:plc:abc123/app.bsky.feed.post/3lf2qk7xyz22a",
                   "cid": "bafyreiexamplecidreply"}}
    (facet,) = record["facets"]
    assert facet["index"] == {"byteStart": 11, "byteEnd": 11 + len("https://acme.example/blue")}
    assert facet["features"][0]["uri"] == "https://acme.example/blue"
    assert delivery.external_id.endswith("/3kaaaaaaaaaaa")


def test_failure_after_apply_is_settled_by_the_record_key_without_a_second_post() -> None:
    env = Env()
    env.sim.inject_comment(APP_PASSWORD, None, "1", "Anna", "help")

    async def go() -> None:
        conn = env.connector()
        try:
            (message,) = (await conn.fetch("notifications", None, wait=0)).messages
            reply = reply_to(message, "on it")
            env.world.inject(Fault("bluesky", "after", match="createRecord"))
            delivery = await conn.send(reply)  # 502 after apply → getRecord finds it
            assert delivery.external_id.endswith("/" + tid_for(reply.reply_id))
            # A restart (fresh connector) resends the same reply: the PDS refuses the
            # repeat at that key (500) and the look-up returns the same post.
            fresh = env.connector()
            try:
                again = await fresh.send(reply)
                assert again.external_id == delivery.external_id
                assert await fresh.find_delivered(reply) is not None
            finally:
                await fresh.aclose()
            # The same process retrying asks first and does not write at all.
            before = len(env.world.requests)
            assert (await conn.send(reply)).external_id == delivery.external_id
            assert [p for _, _, p in env.world.requests[before:]
                    if p.endswith("createRecord")] == []
        finally:
            await conn.aclose()
    run(go())
    assert len(env.sim.posted(APP_PASSWORD)) == 1


def test_send_refuses_unknown_targets_and_invalid_records_permanently() -> None:
    env = Env()
    env.sim.inject_comment(APP_PASSWORD, None, "1", "Anna", "help")

    async def go() -> None:
        conn = env.connector()
        try:
            (message,) = (await conn.fetch("notifications", None, wait=0)).messages
            with pytest.raises(PermanentError):
                await conn.send(reply_to(message, "   "))
            broken = reply_to(message, "x")
            target = ReplyTarget(**{**broken.target.__dict__, "extra": {}})
            with pytest.raises(PermanentError):
                await conn.send(OutgoingReply("r1", "x", target))
            with pytest.raises(PermanentError) as info:
                await conn.send(reply_to(message, "y" * 301, reply_id="long"))
            assert "300 graphemes" in info.value.network_message
        finally:
            await conn.aclose()
    run(go())
    assert env.sim.posted(APP_PASSWORD) == []


# -- DMs ------------------------------------------------------------------------------------


def test_dms_are_read_from_the_log_and_answered_once() -> None:
    env = Env()
    env.sim.inject_dm(APP_PASSWORD, "1", "Anna", "Do you ship to Hanoi?")
    env.sim.inject_dm(APP_PASSWORD, "1", "Anna", "Hello?")

    async def go() -> None:
        conn = env.connector()
        try:
            messages, cursor = await drain(conn, "chat", None)
            assert [m.text for m in messages] == ["Do you ship to Hanoi?", "Hello?"]
            assert {m.thread_key for m in messages} == {f"dm:{messages[0].extra['convo_id']}"}
            assert messages[0].author_name == "Anna"
            reply = reply_to(messages[-1], "Yes, we do")
            env.world.inject(Fault("bluesky", "after", match="sendMessage"))
            with pytest.raises(TransientError) as info:
                await conn.send(reply)
            assert info.value.maybe_delivered
            first = await conn.send(reply)  # the retry finds it: no second message
            assert (await conn.find_delivered(reply)) == first
            back, cursor = await drain(conn, "chat", cursor)
            assert [(m.direction, m.external_id) for m in back] == [
                (Direction.OUTBOUND, first.external_id)]
        finally:
            await conn.aclose()
    run(go())
    assert [p["method"] for p in env.sim.posted(APP_PASSWORD)] == [
        "chat.bsky.convo.sendMessage"]


def test_chat_without_dm_access_is_skipped_quietly() -> None:
    env = Env()
    env.sim.add_account("no-dm-pass-1234", "shop.bsky.social", dm_access=False)
    env.sim.inject_dm("no-dm-pass-1234", "1", "Anna", "hi")
    creds = MemoryCredentials({"token": "no-dm-pass-1234"})

    async def go() -> None:
        http = HttpClient("https://bsky.social", transport=SimTransport(env.world))
        conn = BlueskyConnector(AccountConfig(2, "bluesky", "shop", None,
                                              {"handle": "shop.bsky.social"}),
                                "no-dm-pass-1234", http=http, credentials=creds,
                                clock=env.clock)
        try:
            assert (await conn.fetch("chat", None, wait=0)).messages == []
            assert (await conn.fetch("chat", None, wait=0)).messages == []
            await conn.fetch("notifications", None, wait=0)
        finally:
            await conn.aclose()
    run(go())
    getlogs = [p for _, _, p in env.world.requests if p.endswith("getLog")]
    assert len(getlogs) == 1


# -- errors and rate limits ------------------------------------------------------------------


def test_rate_limit_waits_until_the_epoch_reset_and_remaining_zero_blocks() -> None:
    env = Env(rate_limit=2)

    async def go() -> None:
        conn = env.connector()
        try:
            env.world.inject(Fault("bluesky", "rate_limit", match="listNotifications",
                                   seconds=42))
            with pytest.raises(RateLimited) as info:
                await conn.fetch("notifications", None, wait=0)
            assert info.value.retry_after == 42
            env.clock.now += timedelta(seconds=43)
            await conn.fetch("notifications", None, wait=0)  # 1 of 2
            await conn.fetch("notifications", None, wait=0)  # 2 of 2: Remaining 0
            before = len(env.world.requests)
            with pytest.raises(RateLimited) as info:
                await conn.fetch("notifications", None, wait=0)
            assert len(env.world.requests) == before  # nothing was sent
            period_end = (int(env.clock.now.timestamp()) // 300 + 1) * 300
            assert info.value.retry_after == pytest.approx(
                period_end - env.clock.now.timestamp(), abs=1)
        finally:
            await conn.aclose()
    run(go())


@pytest.mark.parametrize(("status", "body", "error"), [
    (400, {"error": "InvalidRequest", "message": "bad"}, PermanentError),
    (500, {"error": "InternalServerError", "message": "x"}, TransientError),
    (429, {"error": "RateLimitExceeded"}, RateLimited),
    (401, {"error": "AuthMissing"}, AuthError),
])
def test_status_errors_map_to_the_exception_tree(status: int, body: Any,
                                                 error: type[Exception]) -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            await conn.fetch("notifications", None, wait=0)
            env.world.inject(Fault("bluesky", "status", match="listNotifications",
                                   status=status, body=body, times=10))
            with pytest.raises(error):
                await conn.fetch("notifications", None, wait=0)
            env.world.faults.clear()
            env.clock.now += timedelta(minutes=2)  # past a 429's wait
            env.world.inject(Fault("bluesky", "malformed", match="listNotifications"))
            with pytest.raises(BadPayload):
                await conn.fetch("notifications", None, wait=0)
        finally:
            await conn.aclose()
    run(go())


# -- fuzz -----------------------------------------------------------------------------------

HOSTILE = ["<script>alert(1)</script>", "\u202egnp.exe\u202c", "a\u200bb\u200d", "\ud800",
           "x" * 1_000_000, "", "\x00\x07"]
texts = st.one_of(st.text(max_size=30), st.sampled_from(HOSTILE))
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10, 10**20),
                    st.floats(allow_nan=False), st.text(max_size=8))
junk = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=6)
uris = st.one_of(st.sampled_from(["at://did:plc:abc/app.bsky.feed.post/3lf2qk7xyz22a",
                                  "at://x", "https://bsky.app", ""]), junk)
times = st.one_of(st.sampled_from(["2025-01-02T10:00:00.123Z", "2025-01-02T10:00:00",
                                   "2025-01-02T10:00:00+03:00", "nope", "9999-99-99"]), junk)
refs = st.fixed_dictionaries({}, optional={"uri": uris, "cid": st.one_of(
    st.just("bafyreiexamplecid"), junk)})
records = st.fixed_dictionaries({}, optional={
    "text": st.one_of(texts, junk), "createdAt": times,
    "reply": st.one_of(st.fixed_dictionaries({}, optional={"root": refs, "parent": refs}), junk),
    "embed": st.one_of(st.fixed_dictionaries({}, optional={"images": st.lists(
        st.fixed_dictionaries({}, optional={"alt": texts}), max_size=2)}), junk)})
authors = st.fixed_dictionaries({}, optional={
    "did": st.one_of(st.just("did:plc:abc"), junk), "handle": texts, "displayName": texts})
notifications = st.fixed_dictionaries({}, optional={
    "uri": uris, "cid": st.one_of(st.just("bafyreiexamplecid"), junk), "author": authors,
    "reason": st.one_of(st.sampled_from(["reply", "mention", "quote", "like"]), junk),
    "record": st.one_of(records, junk), "indexedAt": times})


def _check(entry: Any) -> None:
    if entry is None:
        return
    if entry.message is not None:
        m = entry.message
        assert m.created_at.tzinfo is not None and len(m.text) <= 20_000
        m.text.encode("utf-8")
        m.author_name.encode("utf-8")
        assert m.thread_key.startswith("comment:at://")
    else:
        assert entry.bad is not None and entry.bad.reason


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.data_too_large])
@given(st.one_of(notifications, junk))
def test_fuzz_notification_parser_never_raises(item: Any) -> None:
    _check(notification_entry(item))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.data_too_large])
@given(st.one_of(st.fixed_dictionaries({}, optional={
    "post": st.one_of(st.fixed_dictionaries({}, optional={
        "uri": uris, "cid": st.just("bafyreiexamplecid"), "author": authors,
        "record": records, "indexedAt": times}), junk),
    "reply": st.one_of(st.fixed_dictionaries({}, optional={"parent": st.fixed_dictionaries(
        {}, optional={"author": authors})}), junk),
    "reason": st.one_of(st.none(), junk)}), junk))
def test_fuzz_feed_parser_never_raises(item: Any) -> None:
    _check(feed_entry(item, "did:plc:abc"))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.data_too_large])
@given(st.one_of(st.fixed_dictionaries({}, optional={
    "$type": st.one_of(st.just("chat.bsky.convo.defs#logCreateMessage"), junk),
    "convoId": st.one_of(st.just("3kconvo"), junk),
    "message": st.one_of(st.fixed_dictionaries({}, optional={
        "id": st.one_of(st.just("3kmsg"), junk), "rev": junk, "text": texts,
        "sender": st.one_of(st.fixed_dictionaries({}, optional={"did": st.one_of(
            st.just("did:plc:x"), junk)}), junk), "sentAt": times}), junk)}), junk),
       st.one_of(st.text(max_size=40), junk))
def test_fuzz_chat_parser_and_cursor_never_raise(log: Any, cursor: Any) -> None:
    item = chat_message(log, "did:plc:abc", {"3kconvo": {"did:plc:x": "X"}})
    if item is not None and hasattr(item, "reason"):
        assert item.reason
    WalkCursor.load(cursor if isinstance(cursor, str) else json.dumps(cursor))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.data_too_large])
@given(st.lists(st.one_of(notifications, junk), max_size=4))
def test_fuzz_fetch_quarantines_instead_of_raising(items: list[Any]) -> None:
    transport = scripted({"app.bsky.notification.listNotifications": {
        "notifications": items, "cursor": "c"}}, [])

    async def go() -> None:
        conn = make(transport, Clock())
        try:
            result = await conn.fetch("notifications", None, wait=0)
            assert len(result.messages) + len(result.quarantined) <= len(items)
        finally:
            await conn.aclose()
    run(go())


# -- the whole path: engine in-process, CLI over loopback ------------------------------------


def test_sync_engine_ingests_replies_and_settles_an_uncertain_send(tmp_path: Path) -> None:
    from smm_desk.store.api import Store
    from smm_desk.store.database import Database
    from smm_desk.sync.engine import SyncEngine, default_factory

    env = Env()
    env.clock.now = datetime.now(UTC).replace(microsecond=0)
    store = Store(Database.open(f"sqlite:///{tmp_path}/desk.db"), env.clock)
    account = store.add_account("bluesky", HANDLE, None, {"handle": HANDLE})
    creds = MemoryCredentials({"token": APP_PASSWORD})

    async def no_sleep(_: float) -> None:
        return None

    engine = SyncEngine(store, factory=default_factory(SimTransport(env.world), env.clock),
                        tokens=lambda _id: APP_PASSWORD, credentials=lambda _id: creds,
                        sleep=no_sleep)

    async def go() -> None:
        await engine.sync_once()
        env.sim.inject_comment(APP_PASSWORD, None, "1", "Anna", "Is it in stock?")
        env.sim.inject_dm(APP_PASSWORD, "2", "Ivan", "Где мой заказ?")
        await engine.sync_once()
        cases = store.queue()
        assert sorted(c.customer for c in cases) == ["Anna", "Ivan"]
        for case in cases:
            store.queue_reply(case.id, f"Hi {case.customer}", "kim")
        env.world.inject(Fault("bluesky", "after", match="createRecord"))
        env.world.inject(Fault("bluesky", "after", match="sendMessage"))
        await engine.sync_once()
        await engine.sync_once()
        await engine.aclose()
    try:
        run(go())
        posted = env.sim.posted(APP_PASSWORD)
        assert sorted(p["text"] for p in posted) == ["Hi Anna", "Hi Ivan"]
        assert all(c.sla_state is None for c in store.queue())
        assert store.account(account.id).status == "ok"
    finally:
        store.close()


# -- bursts: nothing is lost, whatever arrives between or during polls -------------------------


def burst(env: Env, count: int, start: int, at: datetime) -> list[str]:
    """Half DMs, half replies under posts "900".."904", all indexed in one second."""
    ids = []
    for i in range(start, start + count):
        customer = str(5_000_000 + i // 30)
        when = at + timedelta(seconds=(i - start) // 300)
        if i % 2:
            ids.append(env.sim.inject_comment(APP_PASSWORD, str(900 + i % 5), customer,
                                              f"Customer {customer}", f"comment {i}", when))
        else:
            ids.append(env.sim.inject_dm(APP_PASSWORD, customer, f"Customer {customer}",
                                         f"dm {i}", when))
    return ids


def synced(tmp_path: Path, env: Env, passes: Any,
           transport: httpx.AsyncBaseTransport | None = None) -> list[str]:
    """Runs ``passes(engine, store, account_id)`` with the real SyncEngine; stored ids."""
    import sqlite3

    from smm_desk.store.api import Store
    from smm_desk.sync.engine import SyncEngine, default_factory

    env.clock.now = datetime.now(UTC).replace(microsecond=0)
    store = Store.open(f"sqlite:///{tmp_path}/desk.db", env.clock)
    account = store.add_account("bluesky", HANDLE, None, {"handle": HANDLE})
    engine = SyncEngine(store, factory=default_factory(transport or SimTransport(env.world),
                                                       env.clock),
                        tokens=lambda _id: APP_PASSWORD, credentials=lambda _id: env.creds,
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
        await engine.sync_once()  # nothing yet: "from now" must still be recorded
        mark = WalkCursor.load(store.cursor(account_id, "notifications"))
        assert mark.started and mark.hw is None
        injected.extend(burst(env, 1500, 0, env.clock.now - timedelta(minutes=30)))
        await until_idle(engine, lambda: env.clock.advance(minutes=2))
    stored = synced(tmp_path, env, passes)
    assert len(stored) == len(set(stored)) == 1500
    assert set(stored) == set(injected)


def test_burst_in_the_middle_of_a_multi_page_walk_is_not_skipped(tmp_path: Path) -> None:
    env = Env()
    history = [env.sim.inject_comment(APP_PASSWORD, None, str(i), f"Old {i}", f"old {i}")
               for i in range(5)]
    injected: list[str] = []
    later: list[str] = []

    def paging_back(request: httpx.Request) -> bool:
        return request.url.path.endswith("listNotifications") \
            and bool(request.url.params.get("cursor"))

    def arrive() -> None:
        env.clock.now += timedelta(seconds=1)
        later.extend(burst(env, 400, 10_000, env.clock.now))

    transport = OnRequest(SimTransport(env.world), (paging_back, arrive))

    async def passes(engine: Any, store: Any, account_id: int) -> None:
        await engine.sync_once()  # the first run takes the newest page (the history)
        env.clock.now += timedelta(seconds=1)
        injected.extend(burst(env, 700, 0, env.clock.now))
        await until_idle(engine, lambda: env.clock.advance(minutes=2))
    stored = synced(tmp_path, env, passes, transport)
    assert not transport.steps and len(later) == 400
    assert len(stored) == len(set(stored)) == 5 + 700 + 400
    assert set(stored) == {*history, *injected, *later}


def test_cli_accounts_add_and_sync_once_over_loopback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMM_DESK_DB", f"sqlite:///{tmp_path}/desk.db")
    monkeypatch.setenv("SMM_DESK_AGENT", "kim")
    with simulated_workspace(("bluesky",)) as ws:
        for key, value in ws.env().items():
            monkeypatch.setenv(key, value)
        acc = ws.accounts["bluesky"]
        assert main(ws.cli_args("bluesky")) == 0
        assert main(["sync", "--once"]) == 0
        written = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=3)
        acc.handler.inject_dm(acc.token, "501", "Anna", "Do you deliver on Sunday?", written)
        acc.handler.inject_comment(acc.token, None, "502", "Ivan", "Когда поставка?", written)
        acc.handler.inject_comment(acc.token, None, "503", "Lan", "Còn hàng không?", written)
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
        assert len(acc.handler.posted(acc.token)) == 3
        assert main(["sync", "--once"]) == 0
        capsys.readouterr()
        assert main(["queue", "--json"]) == 0
        assert all(c["sla_state"] is None for c in json.loads(capsys.readouterr().out))
        assert main(["accounts", "list", "--json"]) == 0
        out = capsys.readouterr().out
        assert json.loads(out)[0]["status"] == "ok" and acc.token not in out
