"""YouTube connector against the simulator and against pinned request shapes.

Facts pinned here come from /work/shared/networks/youtube.md (developers.google.com/
youtube/v3): ``commentThreads.list?part=snippet,replies&allThreadsRelatedToChannelId=…
&order=time`` resumed from a high-water ``publishedAt`` (a walk stopped early by the
pass cap or the quota pace goes on from its page token and ``low`` mark, never by moving
the mark past unread threads; a refused token lists from the top again); late replies via
``comments.list?parentId=``; ``comments.insert?part=snippet`` with ``parentId`` and
``textOriginal``; 10,000 units a day (list 1, insert 50) reset at Pacific midnight;
``quotaExceeded`` / ``rateLimitExceeded`` in Google's JSON error.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smm_desk.connectors.base import AccountConfig, OutgoingReply, ReplyTarget, connector_class
from smm_desk.connectors.credentials import MemoryCredentials
from smm_desk.connectors.errors import (
    AuthError,
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
)
from smm_desk.connectors.http import HttpClient, RetryPolicy
from smm_desk.connectors.youtube import (
    DEEP_SCAN_EVERY,
    YouTubeConnector,
    next_reset,
    parse_comment_page,
    parse_thread_page,
    thread_messages,
)
from smm_desk.domain.enums import Direction
from smm_desk.sim.transport import SimServer, SimTransport
from smm_desk.sim.world import Fault, SimWorld
from smm_desk.sim.youtube import QUOTA_EXCEEDED, YouTubeSim
from tests.support.connector_kit import Clock, Recorder, no_sleep, run

TOKEN = "ya29.youtube-user-token-Hq4"
#: 09:00 in Los Angeles (PST, UTC-8): the next quota reset is 2026-11-03 08:00 UTC.
START = datetime(2026, 11, 2, 17, 0, tzinfo=UTC)
RESET = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)


def connector(transport: httpx.AsyncBaseTransport, clock: Any, channel_id: str = "UCabc123",
              credentials: MemoryCredentials | None = None, **options: str) -> YouTubeConnector:
    http = HttpClient(YouTubeConnector.default_base_url, secrets=[TOKEN], transport=transport,
                      headers={"Authorization": f"Bearer {TOKEN}"},
                      retry=RetryPolicy(attempts=3), sleep=no_sleep)
    return YouTubeConnector(
        AccountConfig(1, "youtube", "Acme Shop", None,
                      {"channel_id": channel_id, "client_id": "sim-client", **options}),
        TOKEN, clock=clock, http=http, credentials=credentials)


class Env:
    def __init__(self, **sim_options: Any) -> None:
        self.clock = Clock(START)
        self.world = SimWorld(clock=self.clock)
        self.sim = YouTubeSim(self.world, **sim_options)
        self.world.add(self.sim)
        self.sim.add_account(TOKEN, "Acme Shop")
        self.channel = self.sim.channel_id(TOKEN)
        self.recorder = Recorder(SimTransport(self.world))

    def connector(self, **kwargs: Any) -> YouTubeConnector:
        return connector(self.recorder, self.clock, self.channel, **kwargs)

    def tick(self, minutes: float = 1.0) -> None:
        self.clock.now += timedelta(minutes=minutes)

    def at(self, minutes: float) -> datetime:
        return START + timedelta(minutes=minutes)


async def drain(conn: YouTubeConnector, cursor: str | None) -> tuple[list[Any], str | None]:
    messages: list[Any] = []
    for _ in range(30):
        result = await conn.fetch("comments", cursor, wait=0)
        messages.extend(result.messages)
        cursor = result.cursor if result.cursor is not None else cursor
        if not result.more:
            break
    return messages, cursor


def reply_to(message: Any, text: str) -> OutgoingReply:
    target = ReplyTarget(message.thread_key, "comment", message.external_id, message.author_id,
                         message.author_name, message.post_external_id, message.extra)
    return OutgoingReply("6f1c2c1e-8d7b-4c55-9d1a-2f0d9a0e3b71", text, target)


# -- registry and documented shapes --------------------------------------------------------


def test_registered_with_google_oauth_facts() -> None:
    assert connector_class("youtube") is YouTubeConnector
    assert YouTubeConnector.streams == ("comments",)
    assert set(YouTubeConnector.options_help) >= {"channel_id", "client_id"}
    oauth = YouTubeConnector.oauth
    assert oauth is not None
    assert oauth.authorize_url == "https://accounts.google.com/o/oauth2/v2/auth"
    assert oauth.token_url == "https://oauth2.googleapis.com/token"
    assert oauth.scopes == ("https://www.googleapis.com/auth/youtube.force-ssl",)
    assert dict(oauth.authorize_params) == {"access_type": "offline", "prompt": "consent"}


def test_documented_thread_example_parses() -> None:
    body = {"kind": "youtube#commentThreadListResponse", "nextPageToken": "QURTSl9pMlQ",
            "pageInfo": {"totalResults": 20, "resultsPerPage": 20},
            "items": [{"kind": "youtube#commentThread", "id": "UgzX9a1b2c3d4e5f6g7h8",
                       "snippet": {
                           "channelId": "UCabc123", "videoId": "dQw4w9WgXcQ", "canReply": True,
                           "totalReplyCount": 1, "isPublic": True,
                           "topLevelComment": {
                               "kind": "youtube#comment", "id": "UgzX9a1b2c3d4e5f6g7h8",
                               "snippet": {
                                   "videoId": "dQw4w9WgXcQ",
                                   "textDisplay": "Where can I buy this?",
                                   "textOriginal": "Where can I buy this?",
                                   "authorDisplayName": "@anna_k",
                                   "authorChannelId": {"value": "UCxyz789"}, "likeCount": 0,
                                   "publishedAt": "2025-01-02T10:00:00Z",
                                   "updatedAt": "2025-01-02T10:00:00Z"}}},
                       "replies": {"comments": [{
                           "kind": "youtube#comment", "id": "UgzX9a1b2c3d4e5f6g7h8.9zYx8wV7u6T",
                           "snippet": {"parentId": "UgzX9a1b2c3d4e5f6g7h8",
                                       "textOriginal": "Same question!",
                                       "authorDisplayName": "@ivan",
                                       "authorChannelId": {"value": "UCivan"},
                                       "publishedAt": "2025-01-02T10:30:00Z",
                                       "updatedAt": "2025-01-02T10:30:00Z"}}]}}]}
    threads, bad, token = parse_thread_page(body)
    assert bad == [] and token == "QURTSl9pMlQ"
    (thread,) = threads
    top, reply = thread_messages(thread, thread.replies, "UCabc123", with_top=True)
    assert top.thread_key == "comment:dQw4w9WgXcQ:UCxyz789"
    assert top.text == "Where can I buy this?" and top.author_name == "@anna_k"
    assert top.created_at == datetime(2025, 1, 2, 10, 0, tzinfo=UTC)
    assert top.permalink == "https://www.youtube.com/watch?v=dQw4w9WgXcQ&lc=UgzX9a1b2c3d4e5f6g7h8"
    assert top.extra == {"thread_id": "UgzX9a1b2c3d4e5f6g7h8", "video_id": "dQw4w9WgXcQ",
                         "can_reply": "1", "comment_id": "UgzX9a1b2c3d4e5f6g7h8"}
    assert reply.thread_key == "comment:dQw4w9WgXcQ:UCivan"
    assert reply.parent_external_id == "UgzX9a1b2c3d4e5f6g7h8"
    assert reply.text == "Same question!"


# -- reading -----------------------------------------------------------------------------------


def test_first_run_then_high_water_resume_with_paging_and_no_duplicates() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            old = [env.sim.inject_comment(TOKEN, "vid00000001", f"u{i}", f"Old {i}", f"q {i}",
                                          env.at(-60 + i)) for i in range(3)]
            first = await conn.fetch("comments", None, wait=0)
            assert sorted(m.external_id for m in first.messages) == sorted(old)
            env.tick()
            # 250 new threads, two of them in the same second as each other.
            new = [env.sim.inject_comment(TOKEN, "vid00000001", f"n{i % 7}", f"New {i % 7}",
                                          f"c {i}", env.at(i // 2 / 10)) for i in range(250)]
            env.recorder.requests.clear()
            messages, cursor = await drain(conn, first.cursor)
            assert sorted(m.external_id for m in messages) == sorted(new)
            lists = [r for r in env.recorder.requests if r.url.path.endswith("commentThreads")]
            assert len(lists) == 3  # 100 + 100 + 50
            assert "pageToken" not in lists[0].url.params
            env.tick()
            same_second = env.sim.inject_comment(TOKEN, "vid00000001", "late", "Late", "also",
                                                 env.at(249 // 2 / 10))
            again, _ = await drain(conn, cursor)
            assert [m.external_id for m in again] == [same_second]  # equal time, new id
        finally:
            await conn.aclose()
    run(go())


def test_read_request_shape_is_pinned() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            await conn.fetch("comments", None, wait=0)
        finally:
            await conn.aclose()
    run(go())
    (request,) = env.recorder.requests
    assert request.method == "GET" and request.url.path == "/youtube/v3/commentThreads"
    assert dict(request.url.params) == {
        "part": "snippet,replies", "allThreadsRelatedToChannelId": env.channel,
        "order": "time", "maxResults": "100", "textFormat": "plainText"}
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_late_replies_on_visible_threads_and_in_the_deep_scan() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            buried = env.sim.inject_comment(TOKEN, None, "anna", "Anna", "old question",
                                            env.at(-600))
            for i in range(150):  # pushes the old thread past the first page
                env.sim.inject_comment(TOKEN, None, f"x{i}", f"X{i}", f"n{i}",
                                       env.at(-500 + i))
            recent = env.sim.inject_comment(TOKEN, None, "bob", "Bob", "recent", env.at(-1))
            cursor = (await conn.fetch("comments", None, wait=0)).cursor
            env.tick()
            cursor = (await drain(conn, cursor))[1]  # a deep scan is not due yet
            # Six replies on the recent thread: more than the five embedded ones.
            replies = [env.sim.inject_reply(TOKEN, recent, f"r{i}", f"R{i}", f"+{i}")
                       for i in range(6)]
            late = env.sim.inject_reply(TOKEN, buried, "carl", "Carl", "me too")
            env.tick()
            env.recorder.requests.clear()
            messages, cursor = await drain(conn, cursor)
            assert sorted(m.external_id for m in messages) == sorted(replies)
            assert any(r.url.path.endswith("/comments") and r.url.params["parentId"] == recent
                       for r in env.recorder.requests)
            env.clock.now += DEEP_SCAN_EVERY
            messages, cursor = await drain(conn, cursor)
            assert [m.external_id for m in messages] == [late]
            assert messages[0].thread_key.endswith(":" + env.sim.author_channel("carl"))
            env.tick()
            assert (await drain(conn, cursor))[0] == []
        finally:
            await conn.aclose()
    run(go())


def test_channel_answers_made_in_studio_come_back_outbound_in_the_right_case() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            cursor = (await conn.fetch("comments", None, wait=0)).cursor
            thread = env.sim.inject_comment(TOKEN, None, "anna", "Anna", "price?")
            env.sim.inject_reply(TOKEN, thread, "ivan", "@ivan_k", "and shipping?")
            env.tick()
            inbound, cursor = await drain(conn, cursor)
            ivan = next(m for m in inbound if m.author_id == env.sim.author_channel("ivan"))
            assert ivan.author_name == "@ivan_k"
            env.sim.inject_brand_reply(TOKEN, thread, "10 EUR")
            env.sim.inject_brand_reply(TOKEN, thread, f"{ivan.author_name} 5 EUR shipping")
            env.tick()
            messages, _ = await drain(conn, cursor)  # the grown count is noticed
            outbound = {m.text: m for m in messages if m.direction is Direction.OUTBOUND}
            video = env.sim.thread(thread)["snippet"]["videoId"]
            assert outbound["10 EUR"].thread_key == (
                f"comment:{video}:{env.sim.author_channel('anna')}")
            assert outbound[f"{ivan.author_name} 5 EUR shipping"].thread_key == ivan.thread_key
            # Inbound ones in this pass were seen before (the store drops the repeat).
            assert {m.external_id for m in messages if m.direction is Direction.INBOUND} <= {
                m.external_id for m in inbound}
        finally:
            await conn.aclose()
    run(go())


# -- replying --------------------------------------------------------------------------------


def test_send_request_shape_is_pinned() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={
            "kind": "youtube#comment", "id": "UgzX9a1b2c3d4e5f6g7h8.AbCdEf",
            "snippet": {"parentId": "UgzX9a1b2c3d4e5f6g7h8", "textOriginal": "x",
                        "authorChannelId": {"value": "UCabc123"},
                        "publishedAt": "2025-01-02T11:00:00Z"}})

    async def go() -> None:
        conn = connector(httpx.MockTransport(handler), Clock(START))
        try:
            top = ReplyTarget("comment:dQw4w9WgXcQ:UCxyz789", "comment", "UgzX9a1b2c3d4e5f6g7h8",
                              "UCxyz789", "@anna_k", "dQw4w9WgXcQ",
                              {"thread_id": "UgzX9a1b2c3d4e5f6g7h8",
                               "comment_id": "UgzX9a1b2c3d4e5f6g7h8"})
            delivery = await conn.send(OutgoingReply("r1", "Link is in the description!", top))
            reply = ReplyTarget("comment:dQw4w9WgXcQ:UCivan", "comment",
                                "UgzX9a1b2c3d4e5f6g7h8.9zYx8wV7u6T", "UCivan", "@ivan",
                                "dQw4w9WgXcQ", {"thread_id": "UgzX9a1b2c3d4e5f6g7h8",
                                                "comment_id": "UgzX9a1b2c3d4e5f6g7h8.9zYx8wV7u6T"})
            await conn.send(OutgoingReply("r2", "Same link!", reply))
        finally:
            await conn.aclose()
        assert delivery.external_id == "UgzX9a1b2c3d4e5f6g7h8.AbCdEf"
        assert delivery.delivered_at == datetime(2025, 1, 2, 11, 0, tzinfo=UTC)
    run(go())
    first, second = seen
    assert first.method == "POST" and first.url.path == "/youtube/v3/comments"
    assert dict(first.url.params) == {"part": "snippet"}
    assert json.loads(first.content) == {"snippet": {"parentId": "UgzX9a1b2c3d4e5f6g7h8",
                                                     "textOriginal": "Link is in the "
                                                                     "description!"}}
    # Answering a reply: still under the thread, addressed to the replier.
    assert json.loads(second.content) == {"snippet": {"parentId": "UgzX9a1b2c3d4e5f6g7h8",
                                                      "textOriginal": "@ivan Same link!"}}


def test_closed_threads_and_sim_refusals_are_permanent() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            thread = env.sim.inject_comment(TOKEN, None, "anna", "Anna", "hi")
            message = (await conn.fetch("comments", None, wait=0)).messages[0]
            env.sim.close_replies(thread)
            with pytest.raises(PermanentError) as caught:
                await conn.send(reply_to(message, "hello"))
            assert caught.value.network_message.startswith("The API user is not able")
            closed = reply_to(message, "hello")
            closed = OutgoingReply("k", "hello", ReplyTarget(**{
                **closed.target.__dict__, "extra": {**message.extra, "can_reply": "0"}}))
            before = len(env.recorder.requests)
            with pytest.raises(PermanentError, match="replies are turned off"):
                await conn.send(closed)
            assert len(env.recorder.requests) == before
            with pytest.raises(PermanentError, match="empty"):
                await conn.send(reply_to(message, "  "))
            assert env.sim.posted(TOKEN) == []
        finally:
            await conn.aclose()
    run(go())


def test_uncertain_send_is_settled_by_look_up() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            env.sim.inject_comment(TOKEN, None, "anna", "Anna", "price?")
            message = (await conn.fetch("comments", None, wait=0)).messages[0]
            reply = reply_to(message, "10 EUR")
            assert await conn.find_delivered(reply) is None
            env.world.inject(Fault("youtube", "after", match="/youtube/v3/comments"))
            with pytest.raises(TransientError) as caught:
                await conn.send(reply)
            assert caught.value.maybe_delivered
            found = await conn.find_delivered(reply)
            (posted,) = env.sim.posted(TOKEN)
            assert found is not None and found.external_id == posted["external_id"]
            assert posted["target"] == message.extra["thread_id"]
        finally:
            await conn.aclose()
    run(go())


# -- quota -----------------------------------------------------------------------------------------


def test_units_are_counted_like_google_and_shown() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            env.sim.inject_comment(TOKEN, None, "anna", "Anna", "price?")
            result = await conn.fetch("comments", None, wait=0)
            await conn.send(reply_to(result.messages[0], "10 EUR"))
            status = conn.quota_status()
            assert (status.spent, status.remaining) == (51, 9_949)
            assert status.spent == env.sim.spent(TOKEN)
            assert status.resets_at == RESET == next_reset(START)
            assert conn.status_note() == ("YouTube quota: 51 of 10,000 units used today, "
                                          "9,949 left (resets 2026-11-03 08:00 UTC)")
            env.tick()
            later = await conn.fetch("comments", result.cursor, wait=0)
            assert json.loads(later.cursor or "")["spent"] == 52  # the send is persisted
            fresh = env.connector()  # a restart keeps the day's count
            try:
                await fresh.fetch("comments", later.cursor, wait=0)
                assert fresh.quota_status().spent == 53 == env.sim.spent(TOKEN)
            finally:
                await fresh.aclose()
            env.clock.now = RESET + timedelta(minutes=5)  # a new Pacific day
            assert conn.quota_status().spent == 0
        finally:
            await conn.aclose()
    run(go())


def test_polling_is_paced_and_stops_before_the_reply_reserve() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector(daily_quota="3000", reply_reserve="2900")
        try:
            env.sim.inject_comment(TOKEN, None, "anna", "Anna", "price?")
            first = await conn.fetch("comments", None, wait=0)
            before = len(env.recorder.requests)
            soon = await conn.fetch("comments", first.cursor, wait=0)  # within a minute
            assert soon.messages == [] and len(env.recorder.requests) == before
            cursor = first.cursor
            polls = 0
            for _ in range(200):
                env.tick()
                result = await conn.fetch("comments", cursor, wait=0)
                cursor = result.cursor or cursor
                polls += 1
                if conn.quota_status().remaining <= 2900:
                    break
            assert conn.quota_status().remaining == 2900
            before = len(env.recorder.requests)
            env.tick()
            paused = await conn.fetch("comments", cursor, wait=0)
            assert paused.messages == [] and len(env.recorder.requests) == before
            assert "polling paused" in conn.status_note()
            await conn.send(reply_to(first.messages[0], "10 EUR"))  # the reserve is for this
            assert conn.quota_status().remaining == 2850
        finally:
            await conn.aclose()
    run(go())


def test_spending_faster_than_the_day_allows_waits() -> None:
    env = Env()
    # 00:30 in Los Angeles: the day's polling allowance is 100 + 7,500 × 30/1440 ≈ 256.
    env.clock.now = datetime(2026, 11, 2, 8, 30, tzinfo=UTC)

    async def go() -> None:
        conn = env.connector()
        try:
            env.sim.inject_comment(TOKEN, None, "anna", "Anna", "price?")
            first = await conn.fetch("comments", None, wait=0)
            for i in range(6):  # 300 units of replies: ahead of the day's pace
                await conn.send(reply_to(first.messages[0], f"answer {i}"))
            env.tick()
            before = len(env.recorder.requests)
            held = await conn.fetch("comments", first.cursor, wait=0)
            assert held.messages == [] and len(env.recorder.requests) == before
            env.tick(10)  # ~52 more units accrued
            await conn.fetch("comments", first.cursor, wait=0)
            assert env.recorder.requests[before].url.path.endswith("/commentThreads")
        finally:
            await conn.aclose()
    run(go())


def test_quota_exceeded_pauses_until_the_pacific_midnight() -> None:
    env = Env(daily_quota=60)

    async def go() -> None:
        conn = env.connector()
        try:
            env.sim.inject_comment(TOKEN, None, "anna", "Anna", "price?")
            result = await conn.fetch("comments", None, wait=0)
            await conn.send(reply_to(result.messages[0], "10 EUR"))  # 51 of 60
            env.world.inject(Fault("youtube", "status", status=403, body=QUOTA_EXCEEDED))
            with pytest.raises(RateLimited) as caught:
                await conn.send(reply_to(result.messages[0], "again"))
            assert caught.value.retry_after == (RESET - START).total_seconds()
            assert "quota" in caught.value.network_message
            before = len(env.recorder.requests)
            env.tick(60)
            with pytest.raises(RateLimited) as waiting:
                await conn.fetch("comments", result.cursor, wait=0)
            assert waiting.value.retry_after == (RESET - env.clock.now).total_seconds()
            assert len(env.recorder.requests) == before
            assert conn.quota_status().remaining == 0
            assert "paused until the reset" in conn.status_note()
            env.clock.now = RESET + timedelta(seconds=1)
            assert (await conn.fetch("comments", result.cursor, wait=0)).cursor
        finally:
            await conn.aclose()
    run(go())


def test_sim_charges_units_and_refuses_past_the_quota() -> None:
    env = Env(daily_quota=3)
    request = httpx.Request("GET", "https://www.googleapis.com/youtube/v3/commentThreads?"
                            f"part=snippet&allThreadsRelatedToChannelId={env.channel}",
                            headers={"Authorization": f"Bearer {TOKEN}"})
    answers = [env.world.handle(request) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 403]
    error = answers[3].json()["error"]
    assert error["errors"][0] == {"message": error["message"], "domain": "youtube.quota",
                                  "reason": "quotaExceeded"}
    env.clock.now = RESET
    assert env.world.handle(request).status_code == 200


@pytest.mark.parametrize(("status", "reason", "domain", "error", "wait"), [
    (403, "rateLimitExceeded", "usageLimits", RateLimited, 60.0),
    (429, "userRateLimitExceeded", "usageLimits", RateLimited, 60.0),
    (401, "authError", "global", AuthError, None),
    (403, "insufficientPermissions", "global", AuthError, None),
    (403, "commentsDisabled", "youtube.commentThread", PermanentError, None),
    (404, "channelNotFound", "youtube.commentThread", PermanentError, None),
    (500, "backendError", "global", TransientError, None),
])
def test_google_errors_map_to_the_exception_tree(status: int, reason: str, domain: str,
                                                 error: type[ConnectorError],
                                                 wait: float | None) -> None:
    body = {"error": {"code": status, "message": f"it failed: {reason}",
                      "errors": [{"message": "x", "domain": domain, "reason": reason}]}}
    transport = httpx.MockTransport(lambda r: httpx.Response(status, json=body))

    async def go() -> None:
        conn = connector(transport, Clock(START))
        try:
            with pytest.raises(error) as caught:
                await conn.fetch("comments", None, wait=0)
        finally:
            await conn.aclose()
        if wait is not None:
            assert caught.value.retry_after == wait  # type: ignore[attr-defined]
        assert TOKEN not in str(caught.value)
    run(go())


def test_token_refresh_before_expiry_and_after_a_401() -> None:
    env = Env()
    access, refresh = env.sim.oauth.issue(env.channel)
    creds = MemoryCredentials({"token": access, "refresh_token": refresh,
                               "token_expires_at": (START + timedelta(minutes=2)).isoformat()})

    async def go() -> None:
        conn = env.connector(credentials=creds)
        try:
            await conn.fetch("comments", None, wait=0)
            assert env.sim.oauth.grants == ["refresh_token"]
            token_call = next(r for r in env.recorder.requests if r.url.path == "/token")
            assert token_call.url.host == "oauth2.googleapis.com"
            assert creds.values["token"] != access
            env.tick()
            env.world.inject(Fault("youtube", "auth", match="commentThreads"))
            await conn.fetch("comments", None, wait=0)
            assert env.sim.oauth.grants == ["refresh_token"] * 2
        finally:
            await conn.aclose()
    run(go())


# -- whole path -------------------------------------------------------------------------------


def test_engine_in_process_through_the_simulator(tmp_path: Any) -> None:
    from smm_desk.store.api import Store
    from smm_desk.store.database import Database
    from smm_desk.sync.engine import SyncEngine, default_factory

    env = Env()
    store = Store(Database.open(f"sqlite:///{tmp_path}/yt.db"), env.clock)
    store.add_account("youtube", "Acme Shop", None, env.sim.account_options(TOKEN))

    async def no_sleep(_: float) -> None:
        return None

    async def go() -> None:
        engine = SyncEngine(store, factory=default_factory(SimTransport(env.world), env.clock),
                            tokens=lambda _: TOKEN, sleep=no_sleep)
        try:
            await engine.sync_once()
            t1 = env.sim.inject_dm(TOKEN, "anna", "Anna", "Do you deliver?", env.at(0))
            env.sim.inject_dm(TOKEN, "anna", "Anna", "Hello?", env.at(0.5))
            env.sim.inject_reply(TOKEN, t1, "ivan", "@ivan", "+1")
            env.tick()
            await engine.sync_once()
            cases = {c.customer: c for c in store.queue()}
            assert set(cases) == {"Anna", "@ivan"}
            for case in cases.values():
                store.queue_reply(case.id, "Thanks!", "kim")
            report = await engine.sync_once()
            assert report.delivered == 2
            posted = env.sim.posted(TOKEN)
            assert sorted(p["text"] for p in posted)[0].startswith("@ivan")
            env.clock.now += DEEP_SCAN_EVERY
            await engine.sync_once()
            assert len(env.sim.posted(TOKEN)) == 2
            assert all(c.sla_state is None for c in store.queue())
        finally:
            await engine.aclose()
    try:
        run(go())
        assert store.accounts()[0].status == "ok"
    finally:
        store.close()


class Hooked(httpx.AsyncBaseTransport):
    """The simulator, recording (path, pageToken, status) of every request, with
    optional hooks run before the n-th commentThreads list."""

    def __init__(self, world: SimWorld) -> None:
        self.inner = SimTransport(world)
        self.hooks: dict[int, Any] = {}
        self.log: list[tuple[str, str | None, int]] = []
        self.lists = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/commentThreads"):
            self.lists += 1
            if self.lists in self.hooks:
                self.hooks[self.lists]()
        response = await self.inner.handle_async_request(request)
        self.log.append((request.url.path, request.url.params.get("pageToken"),
                         response.status_code))
        return response


def burst(env: Env, threads: int, with_replies: int, at: datetime,
          start: int = 0) -> set[str]:
    """``threads`` top-level comments (half as "DMs" on the channel's first video, half
    on posts 900..904), the first ``with_replies`` of them answered by 8 customers each
    (more than the 5 embedded: their replies need comments.list); half of everything
    written in the same second ``at``."""
    made: set[str] = set()
    for i in range(start, start + threads):
        when = at if i % 2 else at - timedelta(seconds=i)
        customer = f"c{5_000_000 + i // 30}"
        if i % 2:
            tid = env.sim.inject_dm(TOKEN, customer, f"Customer {customer}", f"dm {i}", when)
        else:
            tid = env.sim.inject_comment(TOKEN, str(900 + i % 5), customer,
                                         f"Customer {customer}", f"comment {i}", when)
        made.add(tid)
        if i - start < with_replies:
            made.update(env.sim.inject_reply(TOKEN, tid, f"r{j}", f"@r{j}", f"+{i}.{j}", when)
                        for j in range(8))
    return made


def sync_to_completion(env: Env, tmp_path: Any, transport: httpx.AsyncBaseTransport,
                       before: Any) -> tuple[set[str], int, int, int]:
    """Connect (an empty first poll), run ``before``, then SyncEngine passes two minutes
    apart until five bring nothing: the inbound ids stored, their rows, the items
    inserted and the items fetched (re-reads included)."""
    import sqlite3

    from smm_desk.store.api import Store
    from smm_desk.store.database import Database
    from smm_desk.sync.engine import SyncEngine, default_factory

    store = Store(Database.open(f"sqlite:///{tmp_path}/burst.db"), env.clock)
    store.add_account("youtube", "Acme Shop", None, env.sim.account_options(TOKEN))
    totals = {"inserted": 0, "fetched": 0}

    async def go() -> None:
        engine = SyncEngine(store, factory=default_factory(transport, env.clock),
                            tokens=lambda _: TOKEN, sleep=no_sleep)
        try:
            first = await engine.sync_once()
            assert first.inserted == 0 and not first.errors
            before()
            idle = 0
            while idle < 5:
                env.tick(2)
                report = await engine.sync_once()
                assert not report.errors, report.errors
                totals["inserted"] += report.inserted
                totals["fetched"] += report.fetched
                idle = 0 if report.inserted else idle + 1
        finally:
            await engine.aclose()
    try:
        run(go())
    finally:
        store.close()
    with sqlite3.connect(f"{tmp_path}/burst.db") as db:
        stored = [r[0] for r in db.execute(
            "SELECT external_id FROM messages WHERE direction = 'inbound'")]
    return set(stored), len(stored), totals["inserted"], totals["fetched"]


def test_burst_after_an_empty_first_poll_is_stored_exactly_once(tmp_path: Any) -> None:
    """An empty first poll is not a first poll again: 1,500 items (1,300 threads, 25 of
    them with 8 replies, half in one second) are all stored once, over passes capped at
    MAX_PAGES pages and REPLY_LISTS_PER_PASS reply listings, within the quota pace."""
    from smm_desk.connectors import youtube as yt

    env = Env()
    transport = Hooked(env.world)
    made: set[str] = set()
    stored, rows, inserted, fetched = sync_to_completion(
        env, tmp_path, transport,
        lambda: made.update(burst(env, 1300, 25, env.clock.now - timedelta(minutes=1))))
    assert len(made) == 1500
    assert stored == made and rows == inserted == fetched == 1500
    lists = [path for path, _, _ in transport.log if path.endswith("/commentThreads")]
    assert len(lists) < 13 + 12  # 13 pages of threads, one relisting per stop, idle polls
    assert yt.MAX_PAGES < 13
    assert env.sim.spent(TOKEN) == len(transport.log) < 80


def test_burst_in_the_middle_of_a_multi_page_pass_is_read_once(tmp_path: Any) -> None:
    env = Env()
    transport = Hooked(env.world)
    made: set[str] = set()
    # 300 threads arrive while the walk reads its second page: the sim's offset tokens
    # then show page-one threads again (skipped as read), and the newcomers, above the
    # walk's top, come with the next walk.
    transport.hooks[3] = lambda: made.update(burst(env, 300, 0, env.clock.now, 50_000))
    stored, rows, inserted, fetched = sync_to_completion(
        env, tmp_path, transport,
        lambda: made.update(burst(env, 1200, 0, env.clock.now - timedelta(minutes=1))))
    assert len(made) == 1500
    assert stored == made and rows == inserted == fetched == 1500


@pytest.mark.parametrize("case", ["pace", "refused-token"])
def test_a_walk_stopped_early_goes_on_later_and_loses_nothing(case: str) -> None:
    """"pace": near the Pacific midnight the day's pace allows few units, so the walk
    stops mid-way, keeps its place, and goes on as the allowance accrues (spending never
    runs ahead of the pace). "refused-token": Google no longer accepts the page token
    the walk kept from the last pass, so it lists from the top again and skips what it
    read. A new connector each pass (a fresh process). Every thread comes exactly once."""
    pace = case == "pace"
    env = Env(page_token_ttl=None if pace else timedelta(seconds=30))
    if pace:
        env.clock.now = datetime(2026, 11, 2, 8, 1, tzinfo=UTC)  # 00:01 in Los Angeles
    day_start = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    hooked = Hooked(env.world)

    async def go() -> None:
        conn = connector(hooked, env.clock, env.channel)
        try:
            first = await conn.fetch("comments", None, wait=0)
        finally:
            await conn.aclose()
        assert first.messages == [] and first.cursor
        state = json.loads(first.cursor)
        assert "start" in state and "hw" not in state
        if pace:
            state["spent"] = 95  # earlier today most of the allowance went on replies
        cursor: str | None = json.dumps(state)
        made = burst(env, 2500, 0, env.clock.now)
        got: list[str] = []
        passes = 0
        while len(got) < len(made) and passes < 200:
            env.tick()
            conn = connector(hooked, env.clock, env.channel)
            try:
                messages, cursor = await drain(conn, cursor)
            finally:
                await conn.aclose()
            got += [m.external_id for m in messages]
            passes += 1
            share = (env.clock.now - day_start).total_seconds() / 86_400
            assert conn.quota_status().spent <= 100 + 7_500 * share + 1  # the pace held
        assert len(got) == len(set(got)) == 2500 and set(got) == made
        assert passes >= 3  # the walk was spread over passes
        refused = [token for _, token, status in hooked.log if status == 400]
        if not pace:
            assert refused and all(refused)  # kept tokens were refused, and it went on
        else:
            assert not refused
    run(go())


def test_cli_round_trip_over_loopback(tmp_path: Any, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from smm_desk.cli.main import main

    world = SimWorld()
    sim = YouTubeSim(world)
    world.add(sim)
    sim.add_account(TOKEN, "Acme Shop")
    monkeypatch.setenv("SMM_DESK_DB", f"sqlite:///{tmp_path}/desk.db")
    monkeypatch.setenv("SIM_TOKEN_YT", TOKEN)

    def cli(*argv: str) -> tuple[int, str]:
        code = main(list(argv))
        return code, capsys.readouterr().out

    with SimServer(world) as server:
        options = [a for k, v in sim.account_options(TOKEN).items()
                   for a in ("--option", f"{k}={v}")]
        assert cli("accounts", "add", "youtube", "--name", "Acme Shop", "--base-url",
                   server.url, "--token-env", "SIM_TOKEN_YT", *options)[0] == 0
        assert cli("sync", "--once")[0] == 0
        written = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=3)
        sim.inject_comment(TOKEN, None, "lan", "Lan", "Còn hàng không shop?", written)
        assert cli("sync", "--once")[0] == 0
        (case,) = json.loads(cli("queue", "--json")[1])
        assert datetime.fromisoformat(case["waiting_since"]) == written
        assert case["last_inbound_text"] == "Còn hàng không shop?"
        assert cli("reply", str(case["id"]), "--text", "Còn ạ!")[0] == 0
        code, out = cli("outbox", "flush")
        assert code == 0 and out.startswith("delivered 1")
        assert [p["text"] for p in sim.posted(TOKEN)] == ["Còn ạ!"]
        code, out = cli("accounts", "list", "--json")
        assert json.loads(out)[0]["status"] == "ok" and TOKEN not in out


# -- fuzz ------------------------------------------------------------------------------------------

HOSTILE = ["<script>alert(1)</script>", "\u202egnp.exe\u202c", "a\u200bb\u200d", "\ud800",
           "x" * 1_000_000, "&amp;&lt;&#0;", "\x00\x07", ""]
texts = st.one_of(st.text(max_size=30), st.sampled_from(HOSTILE))
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10, 10**20),
                    st.floats(allow_nan=False), st.text(max_size=8))
junk = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=6)
times = st.one_of(st.sampled_from(["2025-01-02T10:00:00Z", "2025-01-02T10:00:00", "nope"]),
                  junk)
comments = st.fixed_dictionaries({}, optional={
    "id": st.one_of(st.sampled_from(["Ugz1", "Ugz1.abc", ""]), texts, junk),
    "snippet": st.one_of(st.fixed_dictionaries({}, optional={
        "textDisplay": st.one_of(texts, junk), "textOriginal": st.one_of(texts, junk),
        "authorDisplayName": st.one_of(texts, junk), "publishedAt": times,
        "authorChannelId": st.one_of(st.fixed_dictionaries({}, optional={
            "value": st.one_of(st.just("UCabc123"), texts, junk)}), junk)}), junk)})
threads = st.fixed_dictionaries({}, optional={
    "id": st.one_of(texts, junk),
    "snippet": st.one_of(st.fixed_dictionaries({}, optional={
        "videoId": st.one_of(texts, junk), "channelId": st.one_of(texts, junk),
        "canReply": junk, "totalReplyCount": st.one_of(st.integers(-5, 10), junk),
        "topLevelComment": st.one_of(comments, junk)}), junk),
    "replies": st.one_of(st.fixed_dictionaries({}, optional={
        "comments": st.one_of(st.lists(st.one_of(comments, junk), max_size=3), junk)}), junk)})
pages = st.fixed_dictionaries({}, optional={
    "items": st.one_of(st.lists(st.one_of(threads, junk), max_size=4), junk),
    "nextPageToken": st.one_of(texts, junk)})


def _check(messages: list[Any]) -> None:
    for message in messages:
        assert message.created_at.tzinfo is not None
        message.text.encode("utf-8")
        assert len(message.text) <= 20_000
        assert message.thread_key.startswith("comment:")


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.one_of(pages, junk))
def test_fuzz_thread_parser_never_raises(body: Any) -> None:
    parsed, bad, _ = parse_thread_page(body)
    for thread in parsed:
        _check(thread_messages(thread, thread.replies, "UCabc123", with_top=True))
    assert all(q.reason for q in bad)


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.one_of(st.fixed_dictionaries({}, optional={
    "items": st.one_of(st.lists(st.one_of(comments, junk), max_size=4), junk)}), junk))
def test_fuzz_comment_parser_never_raises(body: Any) -> None:
    parsed, bad, _ = parse_comment_page(body)
    assert len(parsed) + len(bad) >= 0 and all(q.reason for q in bad)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.one_of(pages, junk), st.sampled_from([
    None, '{"start": "2026-11-02T16:00:00+00:00"}', "[1]", "{bad",
    '{"start": "2026-11-02T16:00:00+00:00", "hw": "2026-11-02T16:30:00+00:00", '
    '"hw_ids": ["a"], "mode": "new", "token": "t", "pages": 2, "low": '
    '"2026-11-02T16:50:00+00:00", "low_ids": ["b", 3], "pass_hw": "nope", "known": {"x": 1}}']))
def test_fuzz_fetch_quarantines_instead_of_raising(body: Any, cursor: str | None) -> None:
    transport = httpx.MockTransport(
        lambda r: httpx.Response(200, content=json.dumps(body).encode()))

    async def go() -> None:
        conn = connector(transport, Clock(START))
        try:
            result = await conn.fetch("comments", cursor, wait=0)
        finally:
            await conn.aclose()
        _check(result.messages)
        assert result.cursor is not None
    run(go())
