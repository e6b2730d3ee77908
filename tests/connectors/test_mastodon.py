"""Mastodon connector against the simulator and against pinned request shapes.

Facts pinned here come from /work/shared/networks/mastodon.md (docs.joinmastodon.org):
notifications paging with ``min_id``, ``types[]=mention``, limit ≤ 80; replies as
``POST /api/v1/statuses`` with ``Idempotency-Key``; ``X-RateLimit-Reset`` ISO 8601;
errors as ``{"error": "…"}`` with the HTTP status as the signal.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smm_desk.connectors.base import AccountConfig, OutgoingReply, ReplyTarget, connector_class
from smm_desk.connectors.errors import (
    AuthError,
    BadPayload,
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
)
from smm_desk.connectors.http import HttpClient, RetryPolicy
from smm_desk.connectors.mastodon import MastodonConnector
from smm_desk.connectors.mastodon_parse import (
    build_messages,
    parse_notifications,
    parse_statuses,
)
from smm_desk.domain.enums import Direction
from smm_desk.domain.records import MessageKind
from smm_desk.sim.mastodon import MastodonSim, iso_us
from smm_desk.sim.transport import SimServer, SimTransport
from smm_desk.sim.world import Fault, SimWorld
from tests.support.connector_kit import Clock, no_sleep, run

TOKEN = "mastodon-user-token-Zq8xW3"
BASE = "https://mastodon.example"
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def connector(transport: httpx.AsyncBaseTransport, clock: Callable[[], datetime],
              base_url: str = BASE, token: str = TOKEN) -> MastodonConnector:
    http = HttpClient(base_url, secrets=[token], transport=transport,
                      headers={"Authorization": f"Bearer {token}"},
                      retry=RetryPolicy(attempts=3), sleep=no_sleep)
    return MastodonConnector(AccountConfig(1, "mastodon", "mybrand", base_url), token,
                             clock=clock, http=http)


class Env:
    def __init__(self, **sim_options: Any) -> None:
        self.clock = Clock()
        self.world = SimWorld(clock=self.clock)
        self.sim = MastodonSim(self.world, **sim_options)
        self.world.add(self.sim)
        self.sim.add_account(TOKEN, "mybrand")

    def connector(self) -> MastodonConnector:
        return connector(SimTransport(self.world), self.clock)

    def at(self, minutes: float) -> datetime:
        return START + timedelta(minutes=minutes)


async def drain(conn: MastodonConnector, stream: str, cursor: str | None) -> tuple[list[Any], str]:
    messages: list[Any] = []
    while True:
        result = await conn.fetch(stream, cursor, wait=0)
        messages.extend(result.messages)
        assert result.cursor is not None
        cursor = result.cursor
        if not result.more:
            return messages, cursor


def reply_to(message: Any, text: str, reply_id: str = "6f1c2c1e-8d7b-4c55-9d1a-2f0d9a0e3b71"
             ) -> OutgoingReply:
    target = ReplyTarget(thread_key=message.thread_key, case_kind=message.kind.value,
                         external_id=message.external_id, author_id=message.author_id,
                         author_name=message.author_name,
                         post_external_id=message.post_external_id, extra=message.extra)
    return OutgoingReply(reply_id=reply_id, text=text, target=target)


# -- fetch, cursors, threads ----------------------------------------------------------


def test_registered_under_its_network_name() -> None:
    assert connector_class("mastodon") is MastodonConnector
    assert MastodonConnector.streams == ("mentions", "own")


def test_first_run_takes_newest_page_then_resumes_without_duplicates() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            first = [env.sim.inject_dm(TOKEN, "971724", "anna@other.social", f"hi {i}",
                                       env.at(i)) for i in range(3)]
            result = await conn.fetch("mentions", None, wait=0)
            assert [m.external_id for m in result.messages] == first
            assert result.more is False
            again = await conn.fetch("mentions", result.cursor, wait=0)
            assert again.messages == [] and again.cursor == result.cursor
            later = env.sim.inject_dm(TOKEN, "971724", "anna@other.social", "still there?")
            resumed = await conn.fetch("mentions", result.cursor, wait=0)
            assert [m.external_id for m in resumed.messages] == [later]
        finally:
            await conn.aclose()
    run(go())


def test_first_run_with_no_mentions_starts_from_zero() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            empty = await conn.fetch("mentions", None, wait=0)
            assert empty.messages == [] and empty.cursor == "0"
            new = env.sim.inject_dm(TOKEN, "5", "bob@b.example", "hello")
            result = await conn.fetch("mentions", empty.cursor, wait=0)
            assert [m.external_id for m in result.messages] == [new]
        finally:
            await conn.aclose()
    run(go())


def test_walks_forward_across_full_pages_comparing_ids_as_integers() -> None:
    # Notification ids start at 99 991, so the walk crosses "99999" -> "100000",
    # where string comparison would stop (or loop).
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            env.sim.inject_dm(TOKEN, "1", "first@a.example", "first")
            start = (await conn.fetch("mentions", None, wait=0)).cursor
            sent = [env.sim.inject_comment(TOKEN, "launch", str(100 + i % 7),
                                           f"user{i % 7}@b.example", f"comment {i}",
                                           env.at(i / 10)) for i in range(170)]
            pages = []
            cursor = start
            while True:
                result = await conn.fetch("mentions", cursor, wait=0)
                pages.append(len(result.messages))
                cursor = result.cursor
                if not result.more:
                    break
            assert pages[:2] == [80, 80] and sum(pages) == 170
            assert int(cursor or 0) > 100_000
            messages, _ = await drain(conn, "mentions", start)
            assert [m.external_id for m in messages] == sent
        finally:
            await conn.aclose()
    run(go())


def test_dm_mention_and_comment_threads() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            dm = env.sim.inject_dm(TOKEN, "971724", "anna@other.social", "my card is blocked")
            c1 = env.sim.inject_comment(TOKEN, "post-1", "42", "bob@b.example", "price?")
            post = env.sim.status(c1)["in_reply_to_id"]
            c2 = env.sim.inject_comment(TOKEN, post, "43", "carol@c.example", "when?")
            top = env.sim.inject_mention(TOKEN, "44", "dan@d.example", "your app is down")
            result = await conn.fetch("mentions", None, wait=0)
            by_id = {m.external_id: m for m in result.messages}
            assert by_id[dm].thread_key == "dm:971724"
            assert by_id[dm].kind is MessageKind.DM
            assert by_id[dm].extra["visibility"] == "direct"
            assert by_id[dm].extra["acct"] == "anna@other.social"
            assert by_id[dm].text == "@mybrand my card is blocked"
            assert by_id[c1].thread_key == f"mention:{post}:42"
            assert by_id[c2].thread_key == f"mention:{post}:43"
            assert by_id[c1].kind is MessageKind.COMMENT
            assert by_id[c1].post_external_id == post
            assert by_id[top].thread_key == f"mention:{top}:44"
            assert by_id[top].kind is MessageKind.MENTION
            for message in result.messages:
                assert message.direction is Direction.INBOUND
                assert message.created_at.tzinfo is not None
                assert message.permalink and message.permalink.startswith("https://")
        finally:
            await conn.aclose()
    run(go())


def test_follow_up_under_brand_answer_stays_in_the_case_even_with_a_cold_cache() -> None:
    env = Env()
    c1 = env.sim.inject_comment(TOKEN, None, "42", "bob@b.example", "price?")
    post = env.sim.status(c1)["in_reply_to_id"]
    answer = env.sim.inject_brand_answer(TOKEN, c1, "10 EUR")
    follow = env.sim.inject_comment(TOKEN, answer, "42", "bob@b.example", "thanks, and VAT?")

    async def go() -> None:
        conn = env.connector()  # a fresh connector: roots come from /context
        try:
            result = await conn.fetch("mentions", None, wait=0)
            threads = {m.external_id: m.thread_key for m in result.messages}
            assert threads == {c1: f"mention:{post}:42", follow: f"mention:{post}:42"}
        finally:
            await conn.aclose()
        conn = env.connector()
        try:
            own = await conn.fetch("own", None, wait=0)
            assert [m.external_id for m in own.messages] == [answer]
            assert own.messages[0].thread_key == f"mention:{post}:42"
        finally:
            await conn.aclose()
    run(go())


def test_brand_answers_made_elsewhere_come_back_outbound() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            own_start = (await conn.fetch("own", None, wait=0)).cursor
            dm = env.sim.inject_dm(TOKEN, "971724", "anna@other.social", "help")
            comment = env.sim.inject_comment(TOKEN, None, "42", "bob@b.example", "price?")
            inbound = {m.external_id: m for m in
                       (await conn.fetch("mentions", None, wait=0)).messages}
            a1 = env.sim.inject_brand_answer(TOKEN, dm, "we are on it")
            a2 = env.sim.inject_brand_answer(TOKEN, comment, "10 EUR")
            own = await conn.fetch("own", own_start, wait=0)
            # The brand post created for the comment answers nobody: skipped.
            assert [m.external_id for m in own.messages] == [a1, a2]
            first, second = own.messages
            assert first.direction is Direction.OUTBOUND and first.kind is MessageKind.DM
            assert first.thread_key == inbound[dm].thread_key == "dm:971724"
            assert second.thread_key == inbound[comment].thread_key
            assert second.kind is MessageKind.REPLY
            assert second.text == "@bob 10 EUR"
        finally:
            await conn.aclose()
    run(go())


# -- sending ------------------------------------------------------------------------


def test_send_posts_once_per_key_and_comes_back_as_the_same_message() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            env.sim.inject_comment(TOKEN, None, "42", "bob@b.example", "price?")
            message = (await conn.fetch("mentions", None, wait=0)).messages[0]
            reply = reply_to(message, "10 EUR, see https://shop.example/prices/2026/winter")
            delivery = await conn.send(reply)
            again = await conn.send(reply)
            assert again.external_id == delivery.external_id
            posted = env.sim.posted(TOKEN)
            assert len(posted) == 1
            assert posted[0]["text"].startswith("@bob@b.example 10 EUR")
            assert posted[0]["visibility"] == "unlisted"
            assert posted[0]["in_reply_to_id"] == message.external_id
            assert delivery.delivered_at == START
            # fetched back, it is the same message in the same case
            other = env.connector()
            try:
                own = await other.fetch("own", None, wait=0)
            finally:
                await other.aclose()
            assert [m.external_id for m in own.messages] == [delivery.external_id]
            assert own.messages[0].thread_key == message.thread_key
            assert own.messages[0].direction is Direction.OUTBOUND
            found = await conn.find_delivered(reply)
            assert found is not None and found.external_id == delivery.external_id
            assert await conn.find_delivered(reply_to(message, "something else")) is None
            # keys live one hour: later, the same key posts again
            env.clock.now += timedelta(hours=1, seconds=1)
            await conn.send(reply)
            assert len(env.sim.posted(TOKEN)) == 2
        finally:
            await conn.aclose()
    run(go())


def test_send_answers_a_dm_privately_and_keeps_private_private() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            env.sim.inject_dm(TOKEN, "971724", "anna@other.social", "help")
            env.sim.inject_mention(TOKEN, "44", "dan@d.example", "psst", visibility="private")
            dm, private = (await conn.fetch("mentions", None, wait=0)).messages
            await conn.send(reply_to(dm, "@anna@other.social we are on it", "k1"))
            await conn.send(reply_to(private, "answered", "k2"))
            posted = env.sim.posted(TOKEN)
            assert [(p["visibility"], p["text"]) for p in posted] == [
                ("direct", "@anna@other.social we are on it"),
                ("private", "@dan@d.example answered")]
        finally:
            await conn.aclose()
    run(go())


def test_send_request_shape_is_pinned() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": "113186200000000001",
                                         "created_at": "2025-01-02T10:05:00.123Z"})

    async def go() -> None:
        conn = connector(httpx.MockTransport(handler), Clock())
        try:
            target = ReplyTarget("mention:113186038209478945:971724", "comment",
                                 "113186126728896492", "971724", "Anna", "113186038209478945",
                                 {"status_id": "113186126728896492", "acct": "anna@other.social",
                                  "visibility": "public"})
            delivery = await conn.send(OutgoingReply("6f1c2c1e-8d7b", "Yes, open until 18:00!",
                                                     target))
        finally:
            await conn.aclose()
        assert delivery.external_id == "113186200000000001"
        assert delivery.delivered_at == datetime(2025, 1, 2, 10, 5, 0, 123000, tzinfo=UTC)
    run(go())
    (request,) = seen
    assert request.method == "POST" and request.url.path == "/api/v1/statuses"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Idempotency-Key"] == "6f1c2c1e-8d7b"
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {
        "status": "@anna@other.social Yes, open until 18:00!",
        "in_reply_to_id": "113186126728896492", "visibility": "unlisted"}


def test_send_refuses_what_cannot_reach_the_customer() -> None:
    async def go() -> None:
        conn = connector(httpx.MockTransport(lambda r: httpx.Response(500)), Clock())
        try:
            no_acct = ReplyTarget("dm:1", "dm", "5", "1", "Anna", None, {"status_id": "5"})
            with pytest.raises(PermanentError, match="handle"):
                await conn.send(OutgoingReply("k", "hi", no_acct))
            ok = ReplyTarget("dm:1", "dm", "5", "1", "Anna", None,
                             {"status_id": "5", "acct": "anna"})
            with pytest.raises(PermanentError, match="empty"):
                await conn.send(OutgoingReply("k", "  \n", ok))
        finally:
            await conn.aclose()
    run(go())


# -- request shapes for reads ------------------------------------------------------------


def test_read_request_shapes_are_pinned() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("verify_credentials"):
            return httpx.Response(200, json={"id": "14715", "acct": "mybrand"})
        return httpx.Response(200, json=[])

    async def go() -> None:
        conn = connector(httpx.MockTransport(handler), Clock())
        try:
            await conn.fetch("mentions", "34975861", wait=0)
            await conn.fetch("own", "113186126728896492", wait=0)
            await conn.fetch("own", None, wait=0)
        finally:
            await conn.aclose()
    run(go())
    notifications, verify, own, own_first = seen
    assert notifications.method == "GET" and notifications.url.path == "/api/v1/notifications"
    assert notifications.url.params.get_list("types[]") == ["mention"]
    assert notifications.url.params["limit"] == "80"
    assert notifications.url.params["min_id"] == "34975861"
    assert "since_id" not in notifications.url.params
    assert verify.url.path == "/api/v1/accounts/verify_credentials"
    assert own.url.path == "/api/v1/accounts/14715/statuses"
    assert dict(own.url.params) == {"limit": "40", "exclude_reblogs": "true",
                                    "min_id": "113186126728896492"}
    assert "min_id" not in own_first.url.params
    for request in seen:
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_documented_example_parses_and_bad_items_are_quarantined() -> None:
    good = {
        "id": "34975861", "type": "mention", "created_at": "2025-01-02T10:00:02.064Z",
        "account": {"id": "971724", "username": "anna", "acct": "anna@other.social",
                    "display_name": "Anna"},
        "status": {
            "id": "113186126728896492", "created_at": "2025-01-02T10:00:01.940Z",
            "in_reply_to_id": "113186038209478945", "in_reply_to_account_id": "14715",
            "visibility": "public", "spoiler_text": "store hours",
            "url": "https://other.social/@anna/113186126728896492",
            "content": "<p><span class=\"h-card\"><a href=\"https://mastodon.example/@mybrand\" "
                       "class=\"u-url mention\">@<span>mybrand</span></a></span> is the store "
                       "open today?</p>",
            "account": {"id": "971724", "username": "anna", "acct": "anna@other.social",
                        "display_name": "Anna"},
            "mentions": [{"id": "14715", "username": "mybrand", "acct": "mybrand"}]}}
    page = [good, {"id": "34975862", "type": "mention", "status": {"id": "1"}},
            {"id": "34975863", "type": "favourite"}, "junk", {"type": "mention"}]
    parsed = parse_notifications(page)
    messages, bad = build_messages(parsed, "mentions", "14715",
                                   {"113186038209478945": "113186038209478945"})
    (message,) = messages
    assert message.text == "CW: store hours\n@mybrand is the store open today?"
    assert message.thread_key == "mention:113186038209478945:971724"
    assert message.kind is MessageKind.COMMENT
    assert message.created_at == datetime(2025, 1, 2, 10, 0, 1, 940000, tzinfo=UTC)
    assert message.permalink == "https://other.social/@anna/113186126728896492"
    assert message.extra == {"status_id": "113186126728896492", "account_id": "971724",
                             "acct": "anna@other.social", "visibility": "public",
                             "notification_id": "34975861",
                             "root_id": "113186038209478945"}
    assert len(bad) == 3
    assert all(q.reason and json.loads(q.raw) is not None for q in bad)
    assert parsed.newest_id == "34975863"  # the cursor moves past skipped and bad items


def test_a_bad_item_does_not_stop_the_stream() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("verify_credentials"):
            return httpx.Response(200, json={"id": "14715"})
        return httpx.Response(200, json=[
            {"id": "100", "type": "mention", "status": {"id": "7", "visibility": "direct",
                                                        "created_at": "2025-01-02T10:00:00Z",
                                                        "account": {"id": "9", "acct": "x"},
                                                        "content": "<p>hi</p>"}},
            {"id": "99", "type": "mention", "status": None}])

    async def go() -> None:
        conn = connector(httpx.MockTransport(handler), Clock())
        try:
            result = await conn.fetch("mentions", "98", wait=0)
        finally:
            await conn.aclose()
        assert [m.external_id for m in result.messages] == ["7"]
        assert len(result.quarantined) == 1 and "status" in result.quarantined[0].reason
        assert result.cursor == "100" and result.more is False
    run(go())


# -- errors --------------------------------------------------------------------------------


def _assert_no_token(exc: BaseException) -> None:
    assert TOKEN not in str(exc) and TOKEN not in repr(exc)
    if isinstance(exc, ConnectorError):
        assert TOKEN not in exc.network_message


def test_auth_faults_and_unknown_tokens_raise_auth_error() -> None:
    env = Env()

    async def go() -> None:
        env.world.inject(Fault("mastodon", "auth"))
        conn = env.connector()
        try:
            with pytest.raises(AuthError) as caught:
                await conn.fetch("mentions", None, wait=0)
        finally:
            await conn.aclose()
        assert caught.value.network_message == "The access token is invalid"
        _assert_no_token(caught.value)
        stranger = connector(SimTransport(env.world), env.clock, token="revoked-token-123456")
        try:
            with pytest.raises(AuthError) as again:
                await stranger.fetch("own", None, wait=0)
        finally:
            await stranger.aclose()
        assert "revoked-token-123456" not in str(again.value) + repr(again.value)
    run(go())


def test_rate_limit_fault_waits_until_the_reset_header() -> None:
    env = Env()

    async def go() -> None:
        env.world.inject(Fault("mastodon", "rate_limit", seconds=42))
        conn = env.connector()
        try:
            with pytest.raises(RateLimited) as caught:
                await conn.fetch("mentions", None, wait=0)
            assert caught.value.retry_after == pytest.approx(42)
            _assert_no_token(caught.value)
            before = len(env.world.requests)
            with pytest.raises(RateLimited):  # remembered: no request is spent
                await conn.fetch("mentions", None, wait=0)
            assert len(env.world.requests) == before
            env.clock.now += timedelta(seconds=43)
            assert (await conn.fetch("mentions", None, wait=0)).cursor == "0"
        finally:
            await conn.aclose()
    run(go())


def test_remaining_zero_blocks_the_next_call_until_reset() -> None:
    env = Env(rate_limit=3)  # verify_credentials + 2 reads use it up

    async def go() -> None:
        conn = env.connector()
        try:
            await conn.fetch("mentions", None, wait=0)
            await conn.fetch("mentions", "0", wait=0)
            before = len(env.world.requests)
            with pytest.raises(RateLimited) as caught:
                await conn.fetch("mentions", "0", wait=0)
            assert len(env.world.requests) == before
            # the sim's period is aligned to 5 minutes: 09:00 -> 09:05
            assert caught.value.retry_after == pytest.approx(300)
            env.clock.now += timedelta(minutes=5)
            await conn.fetch("mentions", "0", wait=0)
        finally:
            await conn.aclose()
    run(go())


@pytest.mark.parametrize(("headers", "wait"), [
    ({"X-RateLimit-Reset": iso_us(START + timedelta(seconds=90)),
      "X-RateLimit-Remaining": "0", "Retry-After": "5"}, 90.0),
    ({"Retry-After": "17"}, 17.0),
    ({}, 60.0),
])
def test_429_wait_comes_from_reset_then_retry_after_then_default(
        headers: dict[str, str], wait: float) -> None:
    transport = httpx.MockTransport(
        lambda r: httpx.Response(429, json={"error": "Too many requests"}, headers=headers))

    async def go() -> None:
        conn = connector(transport, Clock())
        try:
            with pytest.raises(RateLimited) as caught:
                await conn.fetch("mentions", "1", wait=0)
        finally:
            await conn.aclose()
        assert caught.value.retry_after == pytest.approx(wait)
    run(go())


@pytest.mark.parametrize(("status", "body", "error", "said"), [
    (404, {"error": "Record not found"}, PermanentError, "Record not found"),
    (422, {"error": "Validation failed: Text can't be blank"}, PermanentError,
     "Validation failed: Text can't be blank"),
    (403, {"error": "This action is outside the authorized scopes"}, AuthError,
     "This action is outside the authorized scopes"),
    (500, {"error": "boom"}, TransientError, "boom"),
    (503, {"error": "Remote data could not be fetched"}, TransientError,
     "Remote data could not be fetched"),
])
def test_status_errors_map_to_the_exception_tree(status: int, body: Any,
                                                 error: type[ConnectorError], said: str) -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(status, json=body))

    async def go() -> None:
        conn = connector(transport, Clock())
        try:
            with pytest.raises(error) as caught:
                await conn.fetch("mentions", "1", wait=0)
        finally:
            await conn.aclose()
        assert caught.value.network_message == said
        _assert_no_token(caught.value)
    run(go())


def test_sim_refusals_reach_the_caller_as_permanent_errors() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            env.sim.inject_dm(TOKEN, "971724", "anna@other.social", "help")
            message = (await conn.fetch("mentions", None, wait=0)).messages[0]
            with pytest.raises(PermanentError, match="character limit of 500"):
                await conn.send(reply_to(message, "x" * 600, "long"))
            gone = ReplyTarget("dm:1", "dm", "999", "1", "A", None,
                               {"status_id": "999", "acct": "anna@other.social"})
            with pytest.raises(PermanentError) as caught:
                await conn.send(OutgoingReply("k404", "hello", gone))
            assert caught.value.network_message == "Record not found"
            assert env.sim.posted(TOKEN) == []
        finally:
            await conn.aclose()
    run(go())


def test_transient_and_malformed_answers() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            env.world.inject(Fault("mastodon", "status", status=503, times=5))
            with pytest.raises(TransientError):
                await conn.fetch("mentions", None, wait=0)
            env.world.faults.clear()
            env.world.inject(Fault("mastodon", "status", status=502))
            assert (await conn.fetch("mentions", None, wait=0)).cursor == "0"  # retried
            env.world.inject(Fault("mastodon", "malformed"))
            with pytest.raises(BadPayload) as caught:
                await conn.fetch("mentions", "0", wait=0)
            _assert_no_token(caught.value)
        finally:
            await conn.aclose()
    run(go())


def test_send_survives_a_failure_after_apply_without_posting_twice() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            env.sim.inject_dm(TOKEN, "971724", "anna@other.social", "help")
            message = (await conn.fetch("mentions", None, wait=0)).messages[0]
            env.world.inject(Fault("mastodon", "after", match="/api/v1/statuses"))
            delivery = await conn.send(reply_to(message, "on it"))  # retried with the key
            posted = env.sim.posted(TOKEN)
            assert [p["external_id"] for p in posted] == [delivery.external_id]
        finally:
            await conn.aclose()
    run(go())


# -- the simulator's own paging and headers ---------------------------------------------------


def test_sim_paging_semantics_and_headers() -> None:
    env = Env()
    for i in range(5):
        env.sim.inject_dm(TOKEN, "1", "a@a.example", f"m{i}")

    def get(query: str) -> httpx.Response:
        request = httpx.Request("GET", f"{BASE}/api/v1/notifications?{query}",
                                headers={"Authorization": f"Bearer {TOKEN}"})
        return env.world.handle(request)

    def ids(response: httpx.Response) -> list[int]:
        return [int(n["id"]) for n in response.json()]

    assert ids(get("limit=2")) == [99995, 99994]
    assert ids(get("min_id=99991&limit=2")) == [99993, 99992]  # immediately above, newest first
    assert ids(get("since_id=99991&limit=2")) == [99995, 99994]  # the newest above
    assert ids(get("max_id=99993")) == [99992, 99991]
    assert ids(get("types[]=favourite")) == []
    assert len(get("limit=500").json()) == 5
    response = get("types[]=mention&limit=2")
    assert 'rel="next"' in response.headers["Link"] and "max_id=99994" in response.headers["Link"]
    assert "min_id=99995" in response.headers["Link"]
    reset = response.headers["X-RateLimit-Reset"]
    assert reset.endswith("Z") and len(reset.split(".")[1]) == 7  # microseconds + Z
    assert response.headers["X-RateLimit-Limit"] == "300"
    content = response.json()[0]["status"]["content"]
    assert 'class="h-card"' in content and content.startswith("<p>")
    anonymous = env.world.handle(httpx.Request("GET", f"{BASE}/api/v1/notifications"))
    assert anonymous.status_code == 401


def test_over_loopback_http() -> None:
    env = Env()
    env.sim.inject_dm(TOKEN, "971724", "anna@other.social", "help over HTTP")

    async def go(url: str) -> None:
        conn = MastodonConnector(AccountConfig(1, "mastodon", "mybrand", url), TOKEN,
                                 clock=env.clock)
        try:
            result = await conn.fetch("mentions", None, wait=0)
            (message,) = result.messages
            assert message.text == "@mybrand help over HTTP"
            delivery = await conn.send(reply_to(message, "on it"))
            assert env.sim.posted(TOKEN)[0]["external_id"] == delivery.external_id
        finally:
            await conn.aclose()

    with SimServer(env.world) as server:
        run(go(server.url))


# -- fuzz ---------------------------------------------------------------------------------------

HOSTILE = ["<script>alert(1)</script><p>hi<br>there</p>", "\u202egnp.exe\u202c", "a\u200bb\u200d",
           "\ud800", "x" * 1_000_000, "<b>" * 100_000, "", "&amp;&lt;&#0;", "\x00\x07",
           "<a href=\"javascript:alert(1)\">@<span>x</span></a>"]
texts = st.one_of(st.text(max_size=40), st.sampled_from(HOSTILE))
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10, 10**20),
                    st.floats(allow_nan=False), st.text(max_size=8))
junk = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=6)
ids = st.one_of(st.sampled_from(["1", "99", "100", "113186126728896492", "a b", "", "-1"]),
                st.integers(-3, 10**19), scalars)
accounts = st.fixed_dictionaries({}, optional={
    "id": ids, "acct": st.one_of(st.sampled_from(["anna", "anna@other.social", "a b"]), texts),
    "display_name": texts, "username": st.one_of(texts, junk)})
statuses = st.fixed_dictionaries({}, optional={
    "id": ids, "account": st.one_of(accounts, junk),
    "created_at": st.one_of(st.sampled_from(["2025-01-02T10:00:01.940Z", "2025-01-02T10:00:01",
                                             "2025-01-02T10:00:01+03:00", "nope", ""]), junk),
    "content": st.one_of(texts, junk), "spoiler_text": st.one_of(texts, junk),
    "visibility": st.one_of(st.sampled_from(["public", "unlisted", "private", "direct",
                                             "limited"]), junk),
    "in_reply_to_id": ids, "in_reply_to_account_id": ids,
    "mentions": st.one_of(st.lists(st.one_of(accounts, junk), max_size=3), junk),
    "url": st.one_of(texts, st.just("https://x.example/@a/1")),
    "media_attachments": st.one_of(st.lists(st.fixed_dictionaries(
        {}, optional={"type": junk, "description": texts}), max_size=2), junk),
    "reblog": st.one_of(st.none(), junk)})
notifications = st.fixed_dictionaries({}, optional={
    "id": ids, "type": st.one_of(st.just("mention"), st.just("favourite"), junk),
    "status": st.one_of(statuses, junk), "account": accounts})


def _check_page(items: list[Any], stream: str) -> None:
    page = parse_notifications(items) if stream == "mentions" else parse_statuses(items)
    messages, bad = build_messages(page, stream, "14715", {})
    skipped = len(items) - len(page.entries) - len(page.quarantined)
    assert skipped >= 0 and len(messages) + len(bad) <= len(items)
    for message in messages:
        assert message.created_at.tzinfo is not None
        message.text.encode("utf-8")  # no lone surrogates survive
        assert len(message.text) <= 20_000
        assert message.thread_key.split(":")[0] in ("dm", "mention")
    for item in bad:
        assert item.reason


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.data_too_large])
@given(st.lists(st.one_of(notifications, junk), max_size=5))
def test_fuzz_notification_parser_never_raises(items: list[Any]) -> None:
    _check_page(items, "mentions")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.data_too_large])
@given(st.lists(st.one_of(statuses, junk), max_size=5))
def test_fuzz_own_status_parser_never_raises(items: list[Any]) -> None:
    _check_page(items, "own")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.data_too_large])
@given(st.lists(st.one_of(notifications, junk), max_size=4), junk)
def test_fuzz_fetch_quarantines_instead_of_raising(items: list[Any], context: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("verify_credentials"):
            return httpx.Response(200, json={"id": "14715"})
        if request.url.path.endswith("/context"):
            return httpx.Response(200, json={"ancestors": context})
        return httpx.Response(200, content=json.dumps(items).encode())

    async def go() -> None:
        conn = connector(httpx.MockTransport(handler), Clock())
        try:
            result = await conn.fetch("mentions", "1", wait=0)
        finally:
            await conn.aclose()
        assert result.cursor
    run(go())


def test_wait_is_ignored_no_long_poll_in_the_rest_api() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path.endswith("verify_credentials"):
            return httpx.Response(200, json={"id": "14715"})
        return httpx.Response(200, json=[])

    async def go() -> None:
        conn = connector(httpx.MockTransport(handler), Clock())
        try:
            result = await asyncio.wait_for(conn.fetch("mentions", "100", wait=25), 2)
        finally:
            await conn.aclose()
        assert result.messages == [] and result.cursor == "100"
        assert calls == ["/api/v1/notifications", "/api/v1/accounts/verify_credentials"]
    run(go())
    assert MastodonConnector.key_lifetime == timedelta(hours=1)


def test_hostile_content_becomes_safe_plain_text() -> None:
    status = {"id": "7", "visibility": "public", "created_at": "2025-01-02T10:00:00Z",
              "account": {"id": "9", "acct": "x", "display_name": "\u202eevil\ud800"},
              "content": "<p>" + "\u200b<script>x</script>\ud800\x00" + "y" * 1_000_000 + "</p>",
              "spoiler_text": "<b>cw</b>"}
    page = parse_notifications([{"id": "1", "type": "mention", "status": status}])
    (message,), bad = build_messages(page, "mentions", "14715", {})
    assert bad == []
    assert message.text.startswith("CW: <b>cw</b>\n\u200b\ufffd")
    assert "script" not in message.text and "\x00" not in message.text
    assert len(message.text) <= 20_000 and message.text.endswith("shortened by SMM Desk]")
    assert message.author_name == "\u202eevil\ufffd"
    assert message.thread_key == "mention:7:9"


def test_sim_statuses_endpoint_takes_forms_and_honours_keys() -> None:
    env = Env()
    dm = env.sim.inject_dm(TOKEN, "971724", "anna@other.social", "help")

    def post(form: dict[str, str], key: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        if key:
            headers["Idempotency-Key"] = key
        return env.world.handle(httpx.Request("POST", f"{BASE}/api/v1/statuses", data=form,
                                              headers=headers))

    assert post({"status": "  "}).json() == {"error": "Validation failed: Text can't be blank"}
    assert post({"status": "x", "in_reply_to_id": "1"}).status_code == 404
    first = post({"status": "@anna@other.social hi", "in_reply_to_id": dm,
                  "visibility": "direct"}, key="k")
    again = post({"status": "different", "in_reply_to_id": dm}, key="k")
    assert first.status_code == again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["mentions"][0]["acct"] == "anna@other.social"
    assert len(env.sim.posted(TOKEN)) == 1
    # a remote mention counts its username only: 500 characters still fit
    assert post({"status": "@anna@other.social " + "x" * 480}).status_code == 200
