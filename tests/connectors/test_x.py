"""X connector against the simulator and against pinned request shapes.

Facts pinned here come from /work/shared/networks/x.md (docs.x.com, openapi 2.167):
mentions resumed with ``since_id`` = the first page's ``meta.newest_id``, paged down with
``until_id`` (since_id fixed through the walk); DM events newest first with no
``since_id`` (stop at the last seen id), 15 reads / 15 min; replies ``POST /2/tweets
{"text", "reply": {"in_reply_to_tweet_id"}}`` only where the author summoned the account;
DMs ``POST /2/dm_conversations/with/:id/messages``; ``x-rate-limit-*`` headers in epoch
seconds; RFC 7807 problem errors.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smm_desk.connectors.base import (
    AccountConfig,
    OutgoingReply,
    ReplyTarget,
    connector_class,
)
from smm_desk.connectors.credentials import MemoryCredentials
from smm_desk.connectors.errors import (
    AuthError,
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
)
from smm_desk.connectors.http import HttpClient, RetryPolicy
from smm_desk.connectors.x import XConnector, parse_dm_page, parse_tweet_page
from smm_desk.domain.enums import Direction
from smm_desk.domain.records import MessageKind
from smm_desk.sim.transport import SimServer, SimTransport
from smm_desk.sim.world import Fault, SimWorld
from smm_desk.sim.x import XSim
from tests.support.connector_kit import Clock, Recorder, no_sleep, run

TOKEN = "x-user-token-Qm7rT2vW9"
BRAND = "2244994945"
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def connector(transport: httpx.AsyncBaseTransport, clock: Any, *, user_id: str = BRAND,
              credentials: MemoryCredentials | None = None, base_url: str | None = None,
              name: str = "acme_shop") -> XConnector:
    http = HttpClient(base_url or XConnector.default_base_url, secrets=[TOKEN],
                      transport=transport, headers={"Authorization": f"Bearer {TOKEN}"},
                      retry=RetryPolicy(attempts=3), sleep=no_sleep)
    return XConnector(AccountConfig(1, "x", name, base_url,
                                    {"user_id": user_id, "client_id": "sim-client"}),
                      TOKEN, clock=clock, http=http, credentials=credentials)


class Env:
    def __init__(self, **limits: int) -> None:
        self.clock = Clock()
        self.world = SimWorld(clock=self.clock)
        self.sim = XSim(self.world, limits=limits or None)
        self.world.add(self.sim)
        self.sim.add_account(TOKEN, "acme_shop")
        self.brand = self.sim.brand_id(TOKEN)
        self.recorder = Recorder(SimTransport(self.world))

    def connector(self, **kwargs: Any) -> XConnector:
        return connector(self.recorder, self.clock, user_id=self.brand, **kwargs)


async def drain(conn: XConnector, stream: str, cursor: str | None) -> tuple[list[Any], str]:
    messages: list[Any] = []
    for _ in range(50):
        result = await conn.fetch(stream, cursor, wait=0)
        messages.extend(result.messages)
        cursor = result.cursor if result.cursor is not None else cursor
        if not result.more:
            break
    assert cursor is not None
    return messages, cursor


def reply_to(message: Any, text: str, kind: str | None = None) -> OutgoingReply:
    target = ReplyTarget(thread_key=message.thread_key, case_kind=kind or message.kind.value,
                         external_id=message.external_id, author_id=message.author_id,
                         author_name=message.author_name,
                         post_external_id=message.post_external_id, extra=message.extra)
    return OutgoingReply(reply_id="0b6a3c7e-5b8e-4f1e-9b0a-7c2d1e4f5a6b", text=text,
                         target=target)


# -- registry and documented shapes -----------------------------------------------------------


def test_registered_with_oauth_facts() -> None:
    assert connector_class("x") is XConnector
    assert XConnector.streams == ("mentions", "dms", "own")
    assert set(XConnector.options_help) >= {"user_id", "client_id"}
    oauth = XConnector.oauth
    assert oauth is not None
    assert oauth.authorize_url == "https://x.com/i/oauth2/authorize"
    assert oauth.token_url == "https://api.x.com/2/oauth2/token"
    assert set(oauth.scopes) == {"tweet.read", "tweet.write", "users.read", "dm.read",
                                 "dm.write", "offline.access"}
    assert oauth.at("http://127.0.0.1:9").token_url == "http://127.0.0.1:9/2/oauth2/token"


def test_documented_mentions_example_parses() -> None:
    body = {
        "data": [{"id": "1876543210987654321", "text": "@mybrand my order #123 hasn't arrived",
                  "author_id": "2244994946", "created_at": "2025-01-02T10:00:00.000Z",
                  "conversation_id": "1876543210987654321",
                  "edit_history_tweet_ids": ["1876543210987654321"],
                  "entities": {"mentions": [{"start": 0, "end": 8, "username": "mybrand"}]}}],
        "includes": {"users": [{"id": "2244994946", "name": "Anna", "username": "anna_k"},
                               {"id": BRAND, "name": "My Brand", "username": "mybrand"}]},
        "meta": {"result_count": 1, "newest_id": "1876543210987654321",
                 "oldest_id": "1876543210987654321",
                 "next_token": "7140dibdnow9c7btw3w29grvxfcgvpb9n9coehpk7xz5i"}}
    page = parse_tweet_page(body, "mentions", BRAND, "someone_else")
    (message,) = page.messages
    assert page.quarantined == [] and page.next_token.startswith("7140dib")  # type: ignore[union-attr]
    assert page.newest_id == "1876543210987654321" and page.brand_name == "mybrand"
    assert message.thread_key == "comment:1876543210987654321:2244994946"
    assert message.kind is MessageKind.MENTION and message.direction is Direction.INBOUND
    assert message.text == "@mybrand my order #123 hasn't arrived"
    assert message.author_name == "Anna"
    assert message.created_at == datetime(2025, 1, 2, 10, 0, tzinfo=UTC)
    assert message.permalink == "https://x.com/anna_k/status/1876543210987654321"
    assert message.extra == {"tweet_id": "1876543210987654321", "author_id": "2244994946",
                             "conversation_id": "1876543210987654321", "summoned": "1",
                             "username": "anna_k"}


def test_documented_dm_example_parses() -> None:
    body = {"data": [{"id": "1876600000000000001", "event_type": "MessageCreate",
                      "text": "Hi, can you help? &amp; thanks", "sender_id": "1111111111",
                      "dm_conversation_id": f"1111111111-{BRAND}",
                      "created_at": "2025-01-02T10:05:00.000Z"},
                     {"id": "1876600000000000000", "event_type": "ParticipantsJoin",
                      "dm_conversation_id": "x"}],
            "meta": {"result_count": 2, "next_token": "18LAA581J5II7LA00C00ZZZZ"}}
    page = parse_dm_page(body)
    assert page.next_token == "18LAA581J5II7LA00C00ZZZZ" and page.quarantined == []
    (event,) = page.events
    assert event.text == "Hi, can you help? & thanks"
    assert event.conversation_id == f"1111111111-{BRAND}"


# -- mentions ---------------------------------------------------------------------------------


def test_mentions_first_run_then_since_id_paging_without_duplicates() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            early = [env.sim.inject_comment(TOKEN, "p1", str(700 + i), f"Early {i}", f"hi {i}")
                     for i in range(3)]
            first = await conn.fetch("mentions", None, wait=0)
            assert [m.external_id for m in first.messages] == early
            assert json.loads(first.cursor or "") == {"since_id": early[-1]}
            sent = [env.sim.inject_comment(TOKEN, "p1", str(800 + i % 9), f"User {i % 9}",
                                           f"comment {i}") for i in range(250)]
            env.recorder.requests.clear()
            messages, cursor = await drain(conn, "mentions", first.cursor)
            assert sorted(m.external_id for m in messages) == sorted(sent)
            assert json.loads(cursor) == {"since_id": sent[-1]}
            pages = env.recorder.requests
            assert len(pages) == 3
            assert all(r.url.params["since_id"] == early[-1] for r in pages)  # fixed in a pass
            assert "until_id" not in pages[0].url.params
            # each next page lies below the oldest post read so far
            assert [r.url.params.get("until_id") for r in pages[1:]] == [
                sorted(sent, key=int)[150], sorted(sent, key=int)[50]]
            again, _ = await drain(conn, "mentions", cursor)
            assert again == []
        finally:
            await conn.aclose()
    run(go())


def test_read_request_shapes_are_pinned() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            await conn.fetch("mentions", json.dumps({"since_id": "1876543210987654321"}),
                             wait=0)
            await conn.fetch("dms", None, wait=0)
            await conn.fetch("own", None, wait=0)
        finally:
            await conn.aclose()
    run(go())
    mentions, dms, own = env.recorder.requests
    assert mentions.method == "GET" and mentions.url.path == f"/2/users/{env.brand}/mentions"
    params = mentions.url.params
    assert params["since_id"] == "1876543210987654321" and params["max_results"] == "100"
    assert set(params["tweet.fields"].split(",")) >= {"created_at", "author_id",
                                                      "conversation_id", "referenced_tweets",
                                                      "in_reply_to_user_id", "entities"}
    assert set(params["expansions"].split(",")) >= {"author_id", "referenced_tweets.id",
                                                    "entities.mentions.username"}
    assert dms.url.path == "/2/dm_events"
    assert dms.url.params["event_types"] == "MessageCreate"
    assert "sender_id" in dms.url.params["dm_event.fields"]
    assert "since_id" not in dms.url.params  # DM lookup has none
    assert own.url.path == f"/2/users/{env.brand}/tweets"
    for request in env.recorder.requests:
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"


# -- DMs ----------------------------------------------------------------------------------------


def test_dms_stop_at_last_seen_and_are_polled_at_most_once_a_minute() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            d1 = env.sim.inject_dm(TOKEN, "501", "Anna", "Do you deliver on Sunday?")
            first = await conn.fetch("dms", None, wait=0)
            assert [m.external_id for m in first.messages] == [d1]
            anna = first.messages[0]
            assert anna.thread_key == f"dm:{anna.extra['dm_conversation_id']}"
            assert anna.kind is MessageKind.DM and anna.author_name == "Anna"
            assert anna.extra["participant_id"] == env.sim.user_id_of("501")
            d2 = env.sim.inject_dm(TOKEN, "501", "Anna", "Hello?")
            before = len(env.recorder.requests)
            early = await conn.fetch("dms", first.cursor, wait=0)
            assert early.messages == [] and early.cursor is None
            assert len(env.recorder.requests) == before  # no request spent
            env.clock.now += timedelta(minutes=1)
            many = [env.sim.inject_dm(TOKEN, str(600 + i), f"C{i}", f"m{i}") for i in range(150)]
            messages, cursor = await drain(conn, "dms", first.cursor)
            assert sorted((m.external_id for m in messages), key=int) == sorted(
                [d2, *many], key=int)
            assert json.loads(cursor) == {"last": many[-1]}
            env.clock.now += timedelta(minutes=1)
            assert (await conn.fetch("dms", cursor, wait=0)).messages == []
        finally:
            await conn.aclose()
    run(go())


def test_brand_answers_made_in_the_app_come_back_outbound() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            own_start = (await conn.fetch("own", None, wait=0)).cursor
            c1 = env.sim.inject_comment(TOKEN, None, "502", "Ivan", "Когда поставка?")
            env.sim.inject_dm(TOKEN, "501", "Anna", "hi")
            mention = (await conn.fetch("mentions", None, wait=0)).messages[0]
            dm = (await conn.fetch("dms", None, wait=0)).messages[0]
            a1 = env.sim.inject_brand_reply(TOKEN, c1, "Tomorrow!")
            a2 = env.sim.inject_brand_dm(TOKEN, env.sim.user_id_of("501"), "On it")
            own = await conn.fetch("own", own_start, wait=0)
            assert [m.external_id for m in own.messages] == [a1]
            assert own.messages[0].direction is Direction.OUTBOUND
            assert own.messages[0].thread_key == mention.thread_key
            env.clock.now += timedelta(minutes=1)
            dms = await conn.fetch("dms", json.dumps({"last": dm.external_id}), wait=0)
            assert [(m.external_id, m.direction) for m in dms.messages] == [
                (a2, Direction.OUTBOUND)]
            assert dms.messages[0].thread_key == dm.thread_key
        finally:
            await conn.aclose()
    run(go())


# -- the reply rule -------------------------------------------------------------------------


def test_reply_only_where_the_author_summoned_us() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            complaint = env.sim.inject_mention(TOKEN, "503", "Lan", "this shop lost my parcel",
                                               mention=False)
            tag = env.sim.inject_reply(TOKEN, complaint, "504", "Bo", "look at this")
            quote = env.sim.inject_mention(TOKEN, "505", "Kim", "see", quote_of=complaint,
                                           mention=True)
            result = await conn.fetch("mentions", None, wait=0)
            by_id = {m.external_id: m for m in result.messages}
            assert set(by_id) == {complaint, tag, quote}
            lan = by_id[complaint]
            assert lan.kind is MessageKind.COMMENT and lan.extra["summoned"] == "0"
            assert lan.thread_key == f"comment:{complaint}:503"
            assert by_id[tag].kind is MessageKind.MENTION
            assert by_id[tag].thread_key == f"comment:{complaint}:504"

            window = conn.reply_window("comment", lan.created_at, env.clock.now)
            assert window.open is False
            assert window.note.startswith("X only lets us reply where the author mentioned "
                                          "@acme_shop")
            assert conn.reply_window("mention", lan.created_at, env.clock.now).open
            assert conn.reply_window("dm", lan.created_at, env.clock.now).open
            before = len(env.recorder.requests)
            with pytest.raises(PermanentError, match="X only lets us reply"):
                await conn.send(reply_to(lan, "Sorry to hear that"))
            assert len(env.recorder.requests) == before  # nothing attempted

            # If the flag were wrong, X itself refuses, in its own words.
            forged = reply_to(lan, "Sorry", kind="mention")
            forged = OutgoingReply(forged.reply_id, forged.text, ReplyTarget(
                **{**forged.target.__dict__, "extra": {**lan.extra, "summoned": "1"}}))
            with pytest.raises(PermanentError) as caught:
                await conn.send(forged)
            assert "not been mentioned" in caught.value.network_message
            assert env.sim.posted(TOKEN) == []
            delivery = await conn.send(reply_to(by_id[tag], "Thanks, we'll look into it"))
            (posted,) = env.sim.posted(TOKEN)
            assert posted["external_id"] == delivery.external_id and posted["target"] == tag
        finally:
            await conn.aclose()
    run(go())


def test_send_request_shapes_are_pinned() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/2/tweets":
            return httpx.Response(201, json={"data": {
                "id": "1876544000000000000", "text": "Sorry about that",
                "edit_history_post_ids": ["1876544000000000000"]}})
        return httpx.Response(201, json={"data": {"dm_conversation_id": f"1111111111-{BRAND}",
                                                  "dm_event_id": "1876600000000000002"}})

    async def go() -> None:
        conn = connector(httpx.MockTransport(handler), Clock())
        try:
            mention = ReplyTarget("comment:1876543210987654321:1111111111", "mention",
                                  "1876543210987654321", "1111111111", "Anna",
                                  "1876543210987654321",
                                  {"tweet_id": "1876543210987654321", "summoned": "1"})
            d1 = await conn.send(OutgoingReply("r1", "Sorry about that", mention))
            dm = ReplyTarget(f"dm:1111111111-{BRAND}", "dm", "1876600000000000001",
                             "1111111111", "Anna", None,
                             {"dm_conversation_id": f"1111111111-{BRAND}"})
            d2 = await conn.send(OutgoingReply("r2", "Thanks! Order number?", dm))
        finally:
            await conn.aclose()
        assert (d1.external_id, d2.external_id) == ("1876544000000000000",
                                                    "1876600000000000002")
    run(go())
    post, message = seen
    assert post.method == "POST" and post.url.path == "/2/tweets"
    assert json.loads(post.content) == {"text": "Sorry about that",
                                        "reply": {"in_reply_to_tweet_id": "1876543210987654321"}}
    assert message.url.path == "/2/dm_conversations/with/1111111111/messages"
    assert json.loads(message.content) == {"text": "Thanks! Order number?"}
    for request in seen:
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        assert request.headers["Content-Type"] == "application/json"


# -- idempotency by look-up ----------------------------------------------------------------


def test_uncertain_send_is_settled_by_look_up_not_by_a_second_post() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            env.sim.inject_comment(TOKEN, None, "502", "Ivan", "price?")
            env.sim.inject_dm(TOKEN, "501", "Anna", "hi")
            mention = (await conn.fetch("mentions", None, wait=0)).messages[0]
            dm = (await conn.fetch("dms", None, wait=0)).messages[0]
            found_ids = []
            for message, path in ((mention, "/2/tweets"), (dm, "/messages")):
                reply = reply_to(message, "10 EUR incl. VAT")
                env.world.inject(Fault("x", "after", match=path))
                with pytest.raises(TransientError) as caught:
                    await conn.send(reply)
                assert caught.value.maybe_delivered  # never retried blindly
                found = await conn.find_delivered(reply)
                assert found is not None
                found_ids.append(found.external_id)
                assert await conn.find_delivered(reply_to(message, "something else")) is None
            posted = env.sim.posted(TOKEN)
            assert [p["external_id"] for p in posted] == found_ids
        finally:
            await conn.aclose()
    run(go())


# -- rate limits, auth, errors ---------------------------------------------------------------


def test_429_waits_until_the_reset_header_and_remaining_zero_blocks_early() -> None:
    env = Env(dm_read=2, mentions=1)

    async def go() -> None:
        conn = env.connector()
        try:
            await conn.fetch("dms", None, wait=0)
            env.clock.now += timedelta(minutes=1)
            await conn.fetch("dms", None, wait=0)  # remaining now 0
            env.clock.now += timedelta(minutes=1)
            before = len(env.recorder.requests)
            # The DM window is used up: DMs wait quietly (no request, no account pause) …
            waited = await conn.fetch("dms", None, wait=0)
            assert waited.messages == [] and waited.cursor is None and not waited.more
            assert len(env.recorder.requests) == before
            assert conn._blocked["GET dm_events"] == START + timedelta(minutes=15)
            assert (await conn.fetch("mentions", None, wait=0)).cursor  # other endpoints go on
            # … while a timeline whose window is used up stops the account until the reset.
            with pytest.raises(RateLimited) as caught:
                await conn.fetch("mentions", None, wait=0)
            assert caught.value.retry_after == pytest.approx(13 * 60)  # window ends 09:15
            assert len(env.recorder.requests) == before + 1
            env.clock.now += timedelta(minutes=13)
            env.world.inject(Fault("x", "rate_limit", seconds=42, match="/mentions"))
            with pytest.raises(RateLimited) as limited:
                await conn.fetch("mentions", None, wait=0)
            assert limited.value.retry_after == pytest.approx(42)
            assert TOKEN not in str(limited.value)
        finally:
            await conn.aclose()
    run(go())


def test_sim_counts_the_dm_read_limit_and_answers_429() -> None:
    env = Env()
    request = httpx.Request("GET", "https://api.x.com/2/dm_events",
                            headers={"Authorization": f"Bearer {TOKEN}"})
    answers = [env.world.handle(request) for _ in range(16)]
    assert [a.status_code for a in answers[:15]] == [200] * 15
    assert answers[15].status_code == 429
    assert answers[0].headers["x-rate-limit-limit"] == "15"
    assert answers[14].headers["x-rate-limit-remaining"] == "0"
    assert int(answers[0].headers["x-rate-limit-reset"]) == int(START.timestamp()) + 900
    assert answers[15].json()["title"] == "Too Many Requests"


@pytest.mark.parametrize(("status", "body", "error", "said"), [
    (401, {"title": "Unauthorized", "type": "about:blank", "status": 401,
           "detail": "Unauthorized"}, AuthError, "Unauthorized"),
    (403, {"title": "Forbidden", "detail": "You are not permitted to use this endpoint",
           "type": "https://api.x.com/2/problems/client-forbidden"}, AuthError,
     "You are not permitted to use this endpoint"),
    (403, {"title": "UsageCapExceeded", "detail": "Usage cap exceeded: Monthly product cap",
           "type": "https://api.x.com/2/problems/usage-capped"}, RateLimited,
     "Usage cap exceeded: Monthly product cap"),
    (400, {"errors": [{"message": "The `since_id` query parameter value is invalid"}],
           "title": "Invalid Request"}, PermanentError,
     "The `since_id` query parameter value is invalid"),
    (429, {"errors": [{"code": 88, "message": "Rate limit exceeded"}]}, RateLimited,
     "Rate limit exceeded"),
    (503, {"title": "Service Unavailable"}, TransientError, "Service Unavailable"),
])
def test_errors_map_to_the_exception_tree(status: int, body: Any, error: type[ConnectorError],
                                          said: str) -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(status, json=body))

    async def go() -> None:
        conn = connector(transport, Clock())
        try:
            with pytest.raises(error) as caught:
                await conn.fetch("mentions", None, wait=0)
        finally:
            await conn.aclose()
        if status != 503:
            assert caught.value.network_message == said
        assert TOKEN not in str(caught.value)
    run(go())


def test_expired_token_is_refreshed_before_use_and_after_a_401() -> None:
    env = Env()
    access, refresh = env.sim.oauth.issue("acme_shop")
    creds = MemoryCredentials({"token": access, "refresh_token": refresh,
                               "token_expires_at": (START + timedelta(minutes=3)).isoformat()})

    async def go() -> None:
        conn = env.connector(credentials=creds)
        try:
            await conn.fetch("mentions", None, wait=0)  # due: refreshed first
            assert env.sim.oauth.grants == ["refresh_token"]
            assert creds.values["token"] != access and creds.values["refresh_token"] != refresh
            token_request = next(r for r in env.recorder.requests
                                 if r.url.path == "/2/oauth2/token")
            assert token_request.url.host == "api.x.com"
            env.world.inject(Fault("x", "auth", match="/mentions"))
            await conn.fetch("mentions", None, wait=0)  # 401 → refresh → asked again
            assert env.sim.oauth.grants == ["refresh_token"] * 2
            env.world.inject(Fault("x", "auth", match="/mentions", times=2))
            with pytest.raises(AuthError):
                await conn.fetch("mentions", None, wait=0)
            assert creds.values["refresh_token"] not in str(env.recorder.requests[-1].url)
        finally:
            await conn.aclose()
    run(go())


def test_missing_user_id_is_a_clear_error() -> None:
    async def go() -> None:
        conn = connector(httpx.MockTransport(lambda r: httpx.Response(500)), Clock(),
                         user_id="")
        try:
            with pytest.raises(PermanentError, match="user_id"):
                await conn.fetch("mentions", None, wait=0)
        finally:
            await conn.aclose()
    run(go())


# -- whole path: engine in-process, CLI over loopback ---------------------------------------


def test_engine_in_process_through_the_simulator(tmp_path: Any) -> None:
    from smm_desk.store.api import Store
    from smm_desk.store.database import Database
    from smm_desk.sync.engine import SyncEngine, default_factory

    env = Env()
    store = Store(Database.open(f"sqlite:///{tmp_path}/x.db"), env.clock)
    account = store.add_account("x", "acme_shop", None, env.sim.account_options(TOKEN))

    async def no_sleep(_: float) -> None:
        return None

    async def go() -> None:
        engine = SyncEngine(store, factory=default_factory(SimTransport(env.world), env.clock),
                            tokens=lambda _: TOKEN, sleep=no_sleep)
        try:
            await engine.sync_once()
            env.sim.inject_dm(TOKEN, "501", "Anna", "Do you deliver?")
            env.sim.inject_comment(TOKEN, None, "502", "Ivan", "Когда?")
            complaint = env.sim.inject_mention(TOKEN, "503", "Lan", "lost parcel",
                                               mention=False)
            env.sim.inject_reply(TOKEN, complaint, "504", "Bo", "look")
            env.clock.now += timedelta(minutes=1)
            await engine.sync_once()
            cases = {c.customer: c for c in store.queue()}
            assert set(cases) == {"Anna", "Ivan", "Lan", "Bo"}
            assert cases["Lan"].kind == "comment" and cases["Anna"].kind == "dm"
            for name in ("Anna", "Ivan", "Lan"):
                store.queue_reply(cases[name].id, f"Hi {name}", "kim")
            report = await engine.sync_once()
            assert report.delivered == 2
            failed = store.replies(store_state("failed"))
            assert len(failed) == 1 and "X only lets us reply" in (failed[0].error or "")
            assert len(env.sim.posted(TOKEN)) == 2
            env.clock.now += timedelta(minutes=1)
            await engine.sync_once()  # our posts and DM come back: no duplicates
            assert len(env.sim.posted(TOKEN)) == 2
            anna = store.case(cases["Anna"].id)
            assert [m.direction for m in anna.messages] == ["inbound", "outbound"]
        finally:
            await engine.aclose()
    try:
        run(go())
        assert store.accounts()[0].status == "ok"
        assert store.cursor(account.id, "mentions")
    finally:
        store.close()


class BurstTransport(httpx.AsyncBaseTransport):
    """The simulator, plus a hook run before the n-th request whose path contains
    ``match`` — to make a burst arrive in the middle of a multi-page walk."""

    def __init__(self, world: SimWorld) -> None:
        self.inner = SimTransport(world)
        self.hooks: list[tuple[str, int, Any]] = []
        self.seen: dict[str, int] = {}
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        for match, nth, hook in self.hooks:
            if match in request.url.path:
                self.seen[match] = self.seen.get(match, 0) + 1
                if self.seen[match] == nth:
                    hook()
        return await self.inner.handle_async_request(request)


def burst(env: Env, dms: int, comments: int, at: datetime, start: int = 0) -> set[str]:
    """``dms`` DMs and ``comments`` comments on posts 900..904, half of them written in
    the same second ``at``, customers writing 30 items each."""
    made = set()
    for i in range(start, start + dms + comments):
        when = at if i % 2 else at - timedelta(seconds=i)
        customer = str(5_000_000 + i // 30)
        if i - start < dms:
            made.add(env.sim.inject_dm(TOKEN, customer, f"Customer {customer}", f"dm {i}", when))
        else:
            made.add(env.sim.inject_comment(TOKEN, str(900 + i % 5), customer,
                                            f"Customer {customer}", f"comment {i}", when))
    return made


def sync_to_completion(env: Env, tmp_path: Any, transport: httpx.AsyncBaseTransport,
                       before: Any = None) -> tuple[set[str], int, int, Any]:
    """Connect (an empty first poll), run ``before``, then SyncEngine passes two minutes
    apart until five bring nothing. Returns the inbound external ids stored, their row
    count, the items inserted, and the last report."""
    import sqlite3

    from smm_desk.store.api import Store
    from smm_desk.store.database import Database
    from smm_desk.sync.engine import SyncEngine, default_factory

    store = Store(Database.open(f"sqlite:///{tmp_path}/burst.db"), env.clock)
    store.add_account("x", "acme_shop", None, env.sim.account_options(TOKEN))
    inserted = 0
    report: Any = None

    async def go() -> None:
        nonlocal inserted, report
        engine = SyncEngine(store, factory=default_factory(transport, env.clock),
                            tokens=lambda _: TOKEN, sleep=no_sleep)
        try:
            first = await engine.sync_once()
            assert first.inserted == 0 and not first.errors
            if before is not None:
                before()
            idle = 0
            while idle < 5:
                env.clock.now += timedelta(minutes=2)
                report = await engine.sync_once()
                assert not report.errors, report.errors
                inserted += report.inserted
                idle = 0 if report.inserted else idle + 1
        finally:
            await engine.aclose()
    try:
        run(go())
    finally:
        store.close()
    with sqlite3.connect(f"{tmp_path}/burst.db") as db:
        rows = db.execute("SELECT external_id FROM messages WHERE direction = 'inbound'")
        stored = [r[0] for r in rows]
    return set(stored), len(stored), inserted, report


def test_burst_after_an_empty_first_poll_is_stored_exactly_once(tmp_path: Any) -> None:
    """An empty first poll records "from now"; then 1,500 items (half in one second)
    are read over several capped passes — mentions past MAX_PAGES, DMs past
    MAX_DM_PAGES — and every one is stored once."""
    from smm_desk.connectors import x as xmod

    env = Env()
    transport = BurstTransport(env.world)
    made: set[str] = set()

    def inject() -> None:
        made.update(burst(env, 600, 900, env.clock.now - timedelta(minutes=1)))

    stored, rows, inserted, _ = sync_to_completion(env, tmp_path, transport, inject)
    assert len(made) == 1500
    assert stored == made and rows == 1500 and inserted == 1500
    mentions = [p for p in transport.paths if p.endswith("/mentions")]
    assert len(mentions) > xmod.MAX_PAGES + 1  # the walk went on past one pass's cap
    dm_reads = [p for p in transport.paths if p == "/2/dm_events"]
    assert len(dm_reads) <= 15 + 1  # the 15 / 15 min budget held (plus the first poll)


def test_burst_in_the_middle_of_a_multi_page_pass_is_not_lost(tmp_path: Any) -> None:
    env = Env()
    transport = BurstTransport(env.world)
    made: set[str] = set()
    # While the second page of each walk is read, 400 more arrive (newer than the walk's
    # first page: they belong to the next walk, not lost between the two).
    transport.hooks = [
        ("/mentions", 3, lambda: made.update(burst(env, 0, 400, env.clock.now, 10_000))),
        ("/dm_events", 3, lambda: made.update(burst(env, 400, 0, env.clock.now, 20_000))),
    ]
    stored, rows, inserted, _ = sync_to_completion(
        env, tmp_path, transport,
        lambda: made.update(burst(env, 350, 350, env.clock.now - timedelta(minutes=1))))
    assert len(made) == 1500
    assert stored == made and rows == 1500 and inserted == 1500


def test_a_restart_between_any_two_pages_loses_nothing() -> None:
    """Each page's cursor alone (a fresh connector per fetch, as after a crash) carries
    the walk on: every item once, none skipped."""
    env = Env()

    async def go() -> None:
        cursors: dict[str, str | None] = {"mentions": None, "dms": None}
        for stream in cursors:  # connect: the first polls find nothing
            conn = env.connector()
            try:
                result = await conn.fetch(stream, None, wait=0)
            finally:
                await conn.aclose()
            assert result.messages == [] and result.cursor
            cursors[stream] = result.cursor
        assert json.loads(cursors["mentions"] or "") == {"since_id": "0"}
        assert json.loads(cursors["dms"] or "") == {"last": "0"}
        made = burst(env, 450, 450, env.clock.now)
        got: list[str] = []
        for _ in range(60):
            env.clock.now += timedelta(minutes=1)
            for stream, cursor in cursors.items():
                conn = env.connector()  # a new process each time
                try:
                    result = await conn.fetch(stream, cursor, wait=0)
                finally:
                    await conn.aclose()
                got += [m.external_id for m in result.messages]
                cursors[stream] = result.cursor or cursor
        assert len(got) == len(set(got)) == 900
        assert set(got) == made
    run(go())


def store_state(name: str) -> Any:
    from smm_desk.domain.records import ReplyState
    return ReplyState(name)


def test_cli_round_trip_over_loopback(tmp_path: Any, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from smm_desk.cli.main import main

    world = SimWorld()
    sim = XSim(world)
    world.add(sim)
    sim.add_account(TOKEN, "acme_shop")
    monkeypatch.setenv("SMM_DESK_DB", f"sqlite:///{tmp_path}/desk.db")
    monkeypatch.setenv("SIM_TOKEN_X", TOKEN)

    def cli(*argv: str) -> tuple[int, str]:
        code = main(list(argv))
        return code, capsys.readouterr().out

    with SimServer(world) as server:
        options = [a for k, v in sim.account_options(TOKEN).items()
                   for a in ("--option", f"{k}={v}")]
        assert cli("accounts", "add", "x", "--name", "acme_shop", "--base-url", server.url,
                   "--token-env", "SIM_TOKEN_X", *options)[0] == 0
        assert cli("sync", "--once")[0] == 0
        written = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=3)
        sim.inject_comment(TOKEN, None, "502", "Ivan", "Когда поставка?", written)
        sim.inject_dm(TOKEN, "501", "Anna", "Do you deliver on Sunday?", written)
        assert cli("sync", "--once")[0] == 0
        cases = json.loads(cli("queue", "--json")[1])
        assert sorted(c["customer"] for c in cases) == ["Anna", "Ivan"]
        for case in cases:
            assert datetime.fromisoformat(case["waiting_since"]) == written
            assert cli("reply", str(case["id"]), "--text", f"Thanks {case['customer']}")[0] == 0
        code, out = cli("outbox", "flush")
        assert code == 0 and out.startswith("delivered 2")
        assert sorted(p["text"] for p in sim.posted(TOKEN)) == ["Thanks Anna", "Thanks Ivan"]
        code, out = cli("accounts", "list", "--json")
        assert json.loads(out)[0]["status"] == "ok" and TOKEN not in out


# -- fuzz ---------------------------------------------------------------------------------------

HOSTILE = ["<script>alert(1)</script>", "\u202egnp.exe\u202c", "a\u200bb\u200d", "\ud800",
           "x" * 1_000_000, "&amp;&lt;&#0;", "\x00\x07", "@acme_shop hi", ""]
texts = st.one_of(st.text(max_size=30), st.sampled_from(HOSTILE))
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10, 10**20),
                    st.floats(allow_nan=False), st.text(max_size=8))
junk = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=6)
ids = st.one_of(st.sampled_from(["1", "99", "100", "1876543210987654321", BRAND, "a b", "",
                                 "-1", "1" * 40]), junk)
times = st.one_of(st.sampled_from(["2025-01-02T10:00:00.000Z", "2025-01-02T10:00:00",
                                   "nope", ""]), junk)
tweets = st.fixed_dictionaries({}, optional={
    "id": ids, "text": st.one_of(texts, junk), "author_id": ids, "created_at": times,
    "conversation_id": ids, "in_reply_to_user_id": ids,
    "referenced_tweets": st.one_of(st.lists(st.fixed_dictionaries(
        {}, optional={"type": st.sampled_from(["replied_to", "quoted", "x"]), "id": ids}),
        max_size=2), junk),
    "entities": st.one_of(st.fixed_dictionaries({}, optional={"mentions": st.one_of(
        st.lists(st.fixed_dictionaries({}, optional={"username": texts, "id": ids}),
                 max_size=2), junk)}), junk)})
users = st.lists(st.fixed_dictionaries({}, optional={"id": ids, "username": texts,
                                                     "name": texts}), max_size=3)
tweet_pages = st.fixed_dictionaries({}, optional={
    "data": st.one_of(st.lists(st.one_of(tweets, junk), max_size=4), junk),
    "includes": st.one_of(st.fixed_dictionaries({}, optional={
        "users": st.one_of(users, junk), "tweets": st.lists(tweets, max_size=2)}), junk),
    "meta": st.one_of(st.fixed_dictionaries({}, optional={"newest_id": ids, "oldest_id": ids,
                                                          "next_token": texts}), junk)})
events = st.fixed_dictionaries({}, optional={
    "id": ids, "event_type": st.one_of(st.just("MessageCreate"), junk), "text": texts,
    "sender_id": ids, "dm_conversation_id": st.one_of(st.just(f"1-{BRAND}"), texts, junk),
    "created_at": times, "participant_ids": st.one_of(st.lists(ids, max_size=3), junk),
    "attachments": junk})
dm_pages = st.fixed_dictionaries({}, optional={
    "data": st.one_of(st.lists(st.one_of(events, junk), max_size=4), junk),
    "includes": st.fixed_dictionaries({}, optional={"users": users}),
    "meta": st.fixed_dictionaries({}, optional={"next_token": texts})})


def _check_messages(messages: list[Any]) -> None:
    for message in messages:
        assert message.created_at.tzinfo is not None
        message.text.encode("utf-8")  # no lone surrogates
        assert len(message.text) <= 20_000
        assert message.thread_key.split(":")[0] in ("comment", "dm")


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.one_of(tweet_pages, junk), st.sampled_from(["mentions", "own"]))
def test_fuzz_tweet_parser_never_raises(body: Any, stream: str) -> None:
    page = parse_tweet_page(body, stream, BRAND, "acme_shop")
    _check_messages(page.messages)
    assert all(q.reason for q in page.quarantined)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.one_of(dm_pages, junk))
def test_fuzz_dm_parser_never_raises(body: Any) -> None:
    from smm_desk.connectors.x import dm_message
    page = parse_dm_page(body)
    _check_messages([dm_message(e, BRAND, page.users) for e in page.events])
    assert all(q.reason for q in page.quarantined)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.one_of(tweet_pages, dm_pages, junk), st.sampled_from(["mentions", "dms", "own"]),
       st.sampled_from([None, '{"since_id": "0", "last": "0"}',
                        '{"since_id": "5", "newest": "90", "until": "40", "last": "3",'
                        ' "low": "40", "token": "t"}', "[1]", "{bad"]))
def test_fuzz_fetch_quarantines_instead_of_raising(body: Any, stream: str,
                                                   cursor: str | None) -> None:
    transport = httpx.MockTransport(
        lambda r: httpx.Response(200, content=json.dumps(body).encode()))

    async def go() -> None:
        conn = connector(transport, Clock())
        try:
            result = await conn.fetch(stream, cursor, wait=0)
        finally:
            await conn.aclose()
        _check_messages(result.messages)
        assert result.cursor is not None
    run(go())
