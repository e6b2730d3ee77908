"""Facebook Pages connector against the simulator and against pinned request shapes.

Facts pinned here come from /work/shared/networks/facebook.md: Conversations
API (``platform=messenger``, newest first), page feed + ``filter=stream``
comments, ``POST /{comment-id}/comments``, Send API with ``messaging_type``
RESPONSE / MESSAGE_TAG + HUMAN_AGENT, Graph error codes (190, 4/17/32/613/80001),
usage headers (X-App-Usage, X-Business-Use-Case-Usage), cursor paging.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smm_desk.connectors import graph
from smm_desk.connectors.base import (
    AccountConfig,
    Idempotency,
    OutgoingReply,
    ReplyTarget,
    connector_class,
)
from smm_desk.connectors.errors import (
    AuthError,
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
)
from smm_desk.connectors.facebook import FacebookConnector, comment_message, parse_feed
from smm_desk.connectors.http import HttpClient, RetryPolicy
from smm_desk.domain.enums import Direction
from smm_desk.domain.records import MessageKind
from smm_desk.sim.facebook import FacebookSim
from smm_desk.sim.transport import SimTransport
from smm_desk.sim.world import Fault, SimWorld
from tests.support.connector_kit import (
    Clock,
    OnRequest,
    no_sleep,
    run,
    synced_inbound_ids,
)

TOKEN = "EAAsim-facebook-page-token-Zq8"
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PAGE = "1122334455"


def connector(transport: httpx.AsyncBaseTransport, clock: Any, page_id: str = PAGE,
              token: str = TOKEN, **options: str) -> FacebookConnector:
    http = HttpClient(graph.GRAPH_HOST, secrets=[token], transport=transport,
                      headers={"Authorization": f"Bearer {token}"},
                      retry=RetryPolicy(attempts=3), sleep=no_sleep)
    config = AccountConfig(1, "facebook", "MyBrand", None, {"page_id": page_id, **options})
    return FacebookConnector(config, token, clock=clock, http=http)


class Env:
    def __init__(self, **sim: Any) -> None:
        self.clock = Clock()
        self.world = SimWorld(clock=self.clock)
        self.sim = FacebookSim(self.world, **sim)
        self.world.add(self.sim)
        self.sim.add_account(TOKEN, "MyBrand")
        self.page = self.sim.account_options(TOKEN)["page_id"]

    def connector(self) -> FacebookConnector:
        return connector(SimTransport(self.world), self.clock, self.page)

    def ago(self, **delta: float) -> datetime:
        return self.clock.now - timedelta(**delta)


def reply_to(message: Any, text: str, reply_id: str = "r-1") -> OutgoingReply:
    return OutgoingReply(reply_id, text, ReplyTarget(
        message.thread_key, message.kind.value, message.external_id, message.author_id,
        message.author_name, message.post_external_id, message.extra))


async def fetch_all(conn: FacebookConnector, stream: str, cursor: str | None
                    ) -> tuple[list[Any], str]:
    out: list[Any] = []
    while True:
        result = await conn.fetch(stream, cursor, wait=0)
        out.extend(result.messages)
        assert result.cursor is not None
        cursor = result.cursor
        if not result.more:
            return out, cursor


def test_registered_with_options_oauth_and_lookup() -> None:
    assert connector_class("facebook") is FacebookConnector
    assert FacebookConnector.streams == ("messenger", "comments")
    assert FacebookConnector.idempotency is Idempotency.LOOKUP
    assert "page_id" in FacebookConnector.options_help
    oauth = FacebookConnector.oauth
    assert oauth is not None
    assert oauth.authorize_url == "https://www.facebook.com/v25.0/dialog/oauth"
    assert oauth.token_url == "https://graph.facebook.com/v25.0/oauth/access_token"
    assert {"pages_messaging", "pages_manage_engagement"} <= set(oauth.scopes)
    assert oauth.at("http://127.0.0.1:9").token_url == "http://127.0.0.1:9/v25.0/oauth/access_token"


# -- documented shapes ---------------------------------------------------------------------


def test_documented_conversation_and_comment_payloads_parse() -> None:
    messages = {"data": [{
        "id": "m_AbC123xyz", "created_time": "2025-01-02T10:15:22+0000",
        "from": {"name": "Anna K", "email": "7012345678901234@facebook.com",
                 "id": "7012345678901234"},
        "to": {"data": [{"name": "MyBrand", "email": "1122334455@facebook.com",
                         "id": PAGE}]},
        "message": "Do you ship to Spain?"}],
        "paging": {"cursors": {"before": "QVFI...", "after": "QVFI..."}}}
    seen: list[httpx.Request] = []
    inline = True  # the facts file's shape: messages{…} expanded in the listing

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/conversations"):
            conversation: dict[str, Any] = {"id": "t_10223456789012345",
                                            "updated_time": "2025-01-02T10:15:22+0000"}
            if inline:
                conversation["messages"] = messages
            return httpx.Response(200, json={"data": [conversation], "paging": {
                "cursors": {"before": "QVFI", "after": "QVFI"}}})
        return httpx.Response(200, json=messages)

    clock = Clock()
    clock.now = datetime(2025, 1, 3, tzinfo=UTC)

    async def go() -> Any:
        conn = connector(httpx.MockTransport(handler), clock)
        try:
            return await conn.fetch("messenger", None, wait=0)
        finally:
            await conn.aclose()
    result = run(go())
    # one listing with the messages inline, then one re-walk of the top that finds it still
    listing, again = seen
    assert listing.url.path == again.url.path == f"/v25.0/{PAGE}/conversations"
    assert dict(listing.url.params) == {
        "platform": "messenger", "limit": "25",
        "fields": "id,updated_time,message_count,messages{id,created_time,from,to,message}"}
    inline = False  # without the expansion the conversation's edge is read
    seen.clear()
    assert [m.external_id for m in run(go()).messages] == ["m_AbC123xyz"]
    listing, thread, again = seen
    (message,) = result.messages
    assert message.thread_key == "dm:t_10223456789012345"
    assert message.direction is Direction.INBOUND and message.kind is MessageKind.DM
    assert message.created_at == datetime(2025, 1, 2, 10, 15, 22, tzinfo=UTC)
    assert (message.author_id, message.author_name, message.text) == (
        "7012345678901234", "Anna K", "Do you ship to Spain?")
    assert message.extra["recipient_id"] == "7012345678901234"
    assert json.loads(result.cursor) == {"hw": 1735812922, "seen": ["m_AbC123xyz"]}
    assert thread.url.path == "/v25.0/t_10223456789012345/messages"
    assert thread.url.params["fields"] == "id,created_time,from,to,message"
    assert listing.headers["Authorization"] == f"Bearer {TOKEN}"
    # the comment example of the facts file
    comment = {"id": "998877665544_11223344556677", "created_time": "2025-01-02T11:00:03+0000",
               "from": {"name": "Ivan P", "id": "6123456789012345"},
               "message": "Any discounts this week?", "can_reply_privately": True}
    record = comment_message(comment, f"{PAGE}_998877665544", PAGE, "MyBrand")
    assert record is not None
    assert record.thread_key == f"comment:{PAGE}_998877665544:6123456789012345"
    assert record.extra["reply_to"] == "998877665544_11223344556677"
    assert record.kind is MessageKind.COMMENT


def test_comments_without_from_are_quarantined_with_the_reason() -> None:
    record = None
    with pytest.raises(graph.Malformed, match="MODERATE"):
        record = comment_message({"id": "1_2", "created_time": "2025-01-02T11:00:03+0000",
                                  "message": "hi"}, "9_1", PAGE, "B")
    assert record is None
    posts, bad = parse_feed([{"id": "9_1", "updated_time": "2025-01-02T11:00:03+0000"},
                             {"id": "a b"}, "junk"])
    assert [p[0] for p in posts] == ["9_1"] and len(bad) == 2


# -- resume, paging, directions -----------------------------------------------------------


def test_resume_from_high_water_without_duplicates_at_the_same_second() -> None:
    env = Env()
    at = env.ago(minutes=5)

    async def go() -> None:
        conn = env.connector()
        try:
            a = env.sim.inject_dm(TOKEN, "501", "Anna", "one", at)
            b = env.sim.inject_dm(TOKEN, "502", "Ben", "two", at)
            first = await conn.fetch("messenger", None, wait=0)
            assert sorted(m.external_id for m in first.messages) == sorted([a, b])
            cursor = json.loads(first.cursor or "")
            assert cursor["hw"] == int(at.timestamp()) and sorted(cursor["seen"]) == sorted([a, b])
            assert (await conn.fetch("messenger", first.cursor, wait=0)).messages == []
            c = env.sim.inject_dm(TOKEN, "503", "Cleo", "same second", at)
            d = env.sim.inject_dm(TOKEN, "501", "Anna", "later", env.ago(minutes=1))
            again = await conn.fetch("messenger", first.cursor, wait=0)
            assert [m.external_id for m in again.messages] == [c, d]  # oldest first
        finally:
            await conn.aclose()
    run(go())


def test_paging_follows_after_while_next_exists_until_the_high_water_mark() -> None:
    env = Env()
    ids = [env.sim.inject_dm(TOKEN, str(1000 + i), f"C{i}", f"m{i}", env.ago(minutes=60 - i))
           for i in range(30)]
    comments = [env.sim.inject_comment(TOKEN, "launch", str(2000 + i % 5), f"U{i % 5}",
                                       f"c{i}", env.ago(minutes=200 - i)) for i in range(130)]

    async def go() -> None:
        conn = env.connector()
        try:
            dms, _ = await fetch_all(conn, "messenger", None)
            assert [m.external_id for m in dms] == ids
            got, _ = await fetch_all(conn, "comments", None)
            assert [m.external_id for m in got] == comments
        finally:
            await conn.aclose()
    run(go())
    afters = [path for _, method, path in env.world.requests]
    # 30 conversations, 25 a page: two pages, then one re-walk of the top that finds it still
    assert afters.count(f"/v25.0/{env.page}/conversations") == 3


def test_brand_answers_written_in_facebook_come_back_outbound() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            dm = env.sim.inject_dm(TOKEN, "501", "Anna", "help", env.ago(minutes=9))
            c1 = env.sim.inject_comment(TOKEN, None, "502", "Ivan", "price?", env.ago(minutes=9))
            c2 = env.sim.inject_reply(TOKEN, c1, "503", "Lan", "me too", env.ago(minutes=8))
            a1 = env.sim.inject_brand_answer(TOKEN, dm, "on it", env.ago(minutes=2))
            a2 = env.sim.inject_brand_answer(TOKEN, c1, "10 EUR", env.ago(minutes=2))
            dms = (await conn.fetch("messenger", None, wait=0)).messages
            assert [(m.external_id, m.direction) for m in dms] == [
                (dm, Direction.INBOUND), (a1, Direction.OUTBOUND)]
            assert dms[0].thread_key == dms[1].thread_key
            assert dms[1].extra["recipient_id"] == dms[0].author_id
            got = {m.external_id: m for m in (await conn.fetch("comments", None,
                                                               wait=0)).messages}
            assert got[c2].thread_key.endswith(":503") and got[c2].extra["reply_to"] == c1
            assert got[a2].direction is Direction.OUTBOUND and got[a2].kind is MessageKind.REPLY
            assert got[a2].thread_key == got[c1].thread_key
        finally:
            await conn.aclose()
    run(go())


# -- replies ---------------------------------------------------------------------------------


def test_reply_request_shapes_are_pinned() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/messages"):
            return httpx.Response(200, json={"recipient_id": "7012345678901234",
                                             "message_id": "m_AG5Hz2U"})
        return httpx.Response(200, json={"id": "998877665544_99"})

    clock = Clock()
    written = "2026-11-02T08:00:00+0000"
    dm = ReplyTarget("dm:t_1", "dm", "m_1", "7012345678901234", "Anna", None,
                     {"conversation_id": "t_1", "recipient_id": "7012345678901234",
                      "created_time": written})
    reply = ReplyTarget(f"comment:{PAGE}_1:61", "comment", "1_3", "61", "Ivan", f"{PAGE}_1",
                        {"comment_id": "1_3", "reply_to": "1_2", "created_time": written})

    async def go() -> None:
        conn = connector(httpx.MockTransport(handler), clock)
        try:
            sent = await conn.send(OutgoingReply("k1", "Yes, we ship to Spain (3–5 days).", dm))
            assert sent.external_id == "m_AG5Hz2U"
            clock.now += timedelta(hours=30)
            await conn.send(OutgoingReply("k2", "Still there?", dm))
            posted = await conn.send(OutgoingReply("k3", "  10 EUR  ", reply))
            assert posted.external_id == "998877665544_99"
        finally:
            await conn.aclose()
    run(go())
    first, tagged, comment = seen
    assert first.method == "POST" and first.url.path == f"/v25.0/{PAGE}/messages"
    assert first.headers["Content-Type"] == "application/json"
    assert json.loads(first.content) == {
        "recipient": {"id": "7012345678901234"}, "messaging_type": "RESPONSE",
        "message": {"text": "Yes, we ship to Spain (3–5 days)."}}
    assert json.loads(tagged.content)["messaging_type"] == "MESSAGE_TAG"
    assert json.loads(tagged.content)["tag"] == "HUMAN_AGENT"
    # a reply to a reply goes under the top-level comment
    assert comment.url.path == "/v25.0/1_2/comments"
    assert comment.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert comment.content == b"message=10+EUR"
    assert all(r.headers["Authorization"] == f"Bearer {TOKEN}" for r in seen)


def test_messenger_window_response_then_human_agent_then_closed() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            env.sim.inject_dm(TOKEN, "501", "Anna", "help", env.clock.now)
            (message,) = (await conn.fetch("messenger", None, wait=0)).messages
            await conn.send(reply_to(message, "within a day", "a"))
            env.clock.now += timedelta(days=3)
            tagged = await conn.send(reply_to(message, "a person answers", "b"))
            assert tagged.raw["tag"] == "HUMAN_AGENT"
            env.clock.now += timedelta(days=5)
            with pytest.raises(PermanentError) as caught:
                await conn.send(reply_to(message, "too late", "c"))
            assert "outside of allowed window" in caught.value.network_message
        finally:
            await conn.aclose()
    run(go())
    assert [d["text"] for d in env.sim.posted(TOKEN)] == ["within a day", "a person answers"]


def test_refused_response_is_retried_once_with_the_tag() -> None:
    bodies: list[Any] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        if len(bodies) == 1:
            return httpx.Response(400, json={"error": {
                "message": "(#10) This message is sent outside of allowed window.",
                "type": "OAuthException", "code": 10, "error_subcode": 2018278}})
        return httpx.Response(200, json={"recipient_id": "7", "message_id": "m_2"})

    async def go() -> None:
        conn = connector(httpx.MockTransport(handler), Clock())
        try:  # the answered message looked recent, but the customer's window had closed
            target = ReplyTarget("dm:t_1", "dm", None, "7", "A", None, {})
            assert (await conn.send(OutgoingReply("k", "hi", target))).external_id == "m_2"
        finally:
            await conn.aclose()
    run(go())
    assert [b.get("tag") for b in bodies] == [None, "HUMAN_AGENT"]


def test_reply_window_notes() -> None:
    conn = connector(httpx.MockTransport(lambda r: httpx.Response(500)), Clock())
    last = START
    open_ = conn.reply_window("dm", last, last + timedelta(hours=2))
    assert open_.open and open_.closes_at == last + timedelta(hours=24)
    tagged = conn.reply_window("dm", last, last + timedelta(hours=30))
    assert tagged.open and tagged.closes_at == last + timedelta(days=7)
    assert "HUMAN_AGENT" in tagged.note and "2026-11-09 09:00 UTC" in tagged.note
    closed = conn.reply_window("dm", last, last + timedelta(days=8))
    assert not closed.open and "2026-11-09 09:00 UTC" in closed.note
    assert not conn.reply_window("dm", None, last).open
    assert conn.reply_window("comment", last, last + timedelta(days=90)).open
    run(conn.aclose())


def test_uncertain_send_is_settled_by_lookup_not_by_a_second_post() -> None:
    env = Env()

    async def go() -> None:
        conn = env.connector()
        try:
            env.sim.inject_comment(TOKEN, None, "502", "Ivan", "price?", env.ago(minutes=3))
            env.sim.inject_dm(TOKEN, "501", "Anna", "help", env.ago(minutes=3))
            (comment,) = (await conn.fetch("comments", None, wait=0)).messages
            (dm,) = (await conn.fetch("messenger", None, wait=0)).messages
            for message in (comment, dm):
                reply = reply_to(message, "Thanks, on it")
                assert await conn.find_delivered(reply) is None
                env.world.inject(Fault("facebook", "after", match="/" if message is dm
                                       else "/comments"))
                with pytest.raises(TransientError) as caught:
                    await conn.send(reply)
                assert caught.value.maybe_delivered
                found = await conn.find_delivered(reply)
                assert found is not None
                posted = [d for d in env.sim.posted(TOKEN) if d["text"] == "Thanks, on it"]
                assert found.external_id == posted[-1]["external_id"]
            assert len(env.sim.posted(TOKEN)) == 2
        finally:
            await conn.aclose()
    run(go())


# -- errors and throttling ---------------------------------------------------------------------


def _no_token(exc: BaseException) -> None:
    assert TOKEN not in str(exc) + repr(exc)
    if isinstance(exc, ConnectorError):
        assert TOKEN not in exc.network_message


@pytest.mark.parametrize(("code", "seconds", "wait"), [
    (4, 600, 600.0), (17, 0, 900.0), (32, 120, 120.0), (613, 0, 900.0), (80001, 1800, 1800.0)])
def test_throttling_codes_raise_rate_limited_and_block_until_then(
        code: int, seconds: float, wait: float) -> None:
    env = Env()

    async def go() -> None:
        env.world.inject(Fault("facebook", "rate_limit", seconds=seconds, body=code))
        conn = env.connector()
        try:
            with pytest.raises(RateLimited) as caught:
                await conn.fetch("messenger", None, wait=0)
            assert caught.value.retry_after == pytest.approx(wait)
            _no_token(caught.value)
            before = len(env.world.requests)
            with pytest.raises(RateLimited):
                await conn.fetch("comments", None, wait=0)
            assert len(env.world.requests) == before  # nothing spent while blocked
            env.clock.now += timedelta(seconds=wait + 1)
            await conn.fetch("messenger", None, wait=0)
        finally:
            await conn.aclose()
    run(go())


def test_usage_headers_throttle_before_the_limit() -> None:
    env = Env(budget=10)

    async def go() -> None:
        conn = env.connector()
        try:
            env.sim.inject_dm(TOKEN, "700", "C", "hi", env.ago(minutes=1))
            with pytest.raises(RateLimited) as caught:
                for _ in range(10):
                    await conn.fetch("messenger", None, wait=0)
            # the 9th call answered "90 %": the 10th (the budget's last) was never sent
            assert len(env.world.requests) == 9
            assert caught.value.retry_after == pytest.approx(graph.PAUSE_NEAR_LIMIT)
            env.clock.now += timedelta(hours=1)
            await conn.fetch("messenger", None, wait=0)
        finally:
            await conn.aclose()
    run(go())
    headers = httpx.Response(200, headers={
        "X-Business-Use-Case-Usage": json.dumps({PAGE: [{"type": "pages", "call_count": 40,
                                                         "total_cputime": 5, "total_time": 8,
                                                         "estimated_time_to_regain_access": 7}]}),
        "X-App-Usage": '{"call_count":28,"total_time":25,"total_cputime":25}'})
    assert graph.usage(headers) == (40.0, 420.0)
    assert graph.pause_for(40.0, 420.0) == 420.0 and graph.pause_for(89, 0) == 0.0


def test_auth_errors_are_auth_error_without_the_token() -> None:
    env = Env()

    async def go() -> None:
        env.world.inject(Fault("facebook", "auth"))
        conn = env.connector()
        try:
            with pytest.raises(AuthError) as caught:
                await conn.fetch("messenger", None, wait=0)
            _no_token(caught.value)
            assert "190/460" in str(caught.value)
        finally:
            await conn.aclose()
        stranger = connector(SimTransport(env.world), env.clock, env.page,
                             token="EAArevoked-token-9999")
        try:
            with pytest.raises(AuthError, match="190"):
                await stranger.fetch("comments", None, wait=0)
        finally:
            await stranger.aclose()
    run(go())


@pytest.mark.parametrize(("method", "status", "body", "error"), [
    ("GET", 500, {"error": {"message": "An unknown error occurred", "code": 1}}, TransientError),
    ("GET", 400, {"error": {"message": "(#100) Invalid parameter", "code": 100}}, PermanentError),
    ("GET", 403, {"error": {"message": "(#10) Permission denied", "code": 10}}, AuthError),
    ("GET", 400, {"error": {"message": "(#200) Requires pages_messaging", "code": 200}},
     AuthError),
    ("POST", 400, {"error": {"message": "(#506) Duplicate status message", "code": 506}},
     PermanentError),
    ("POST", 400, {"error": {"message": "(#551) This person isn't available right now.",
                             "code": 551}}, PermanentError),
    ("GET", 400, {"error": {"message": "Session expired", "code": 102}}, AuthError),
    ("GET", 502, "<html>Bad gateway</html>", TransientError),
])
def test_graph_errors_dispatch_on_code(method: str, status: int, body: Any,
                                       error: type[ConnectorError]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(body, str):
            return httpx.Response(status, text=body)
        return httpx.Response(status, json=body)

    async def go() -> None:
        conn = connector(httpx.MockTransport(handler), Clock())
        try:
            with pytest.raises(error):
                if method == "GET":
                    await conn.fetch("messenger", None, wait=0)
                else:
                    await conn.send(OutgoingReply("k", "hi", ReplyTarget(
                        "comment:1_2:3", "comment", "2_3", "3", "A", "1_2", {"reply_to": "2_3"})))
        finally:
            await conn.aclose()
    run(go())


# -- fuzz ------------------------------------------------------------------------------------------

HOSTILE = ["<script>alert(1)</script>", "\u202egnp.exe", "a\u200bb", "\ud800", "x" * 1_000_000,
           "", "\x00\x07", "2025-01-02T10:15:22+0000", "9999-12-31T23:59:59-2359"]
texts = st.one_of(st.text(max_size=30), st.sampled_from(HOSTILE))
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10, 10**20),
                    st.floats(allow_nan=True), texts)
junk = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=6)
ids = st.one_of(st.sampled_from(["1_2", "m_AbC", "7012345678901234", PAGE, "a/b", ""]), scalars)
times = st.one_of(st.sampled_from(["2025-01-02T10:15:22+0000", "2025-01-02T10:15:22Z",
                                   "1735812922", "nope", "2025-01-02T10:15:22"]),
                  st.integers(-10**12, 10**12), scalars)
people = st.fixed_dictionaries({}, optional={"id": ids, "name": texts, "email": texts})
items = st.fixed_dictionaries({}, optional={
    "id": ids, "created_time": times, "updated_time": times, "from": st.one_of(people, junk),
    "to": st.one_of(st.fixed_dictionaries({"data": st.lists(st.one_of(people, junk),
                                                            max_size=2)}), junk),
    "message": st.one_of(texts, junk), "parent": st.one_of(
        st.fixed_dictionaries({}, optional={"id": ids, "from": people}), junk),
    "attachment": junk, "permalink_url": texts})


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.one_of(items, junk))
def test_fuzz_parsers_never_raise_anything_but_malformed(item: Any) -> None:
    def as_dm() -> Any:
        return graph.dm_message("t_1", graph.parse_message(item), frozenset({PAGE}), "B")

    def as_comment() -> Any:
        return comment_message(item, "1_2", PAGE, "B")

    for parse in (as_comment, as_dm):
        try:
            message = parse()
        except graph.Malformed as exc:
            assert str(exc)
            continue
        if message is not None:
            assert message.created_at.tzinfo is not None
            message.text.encode("utf-8")
            assert len(message.text) <= 20_000
    parse_feed([item])
    graph.HighWater.load(json.dumps(item, default=str))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(st.one_of(items, junk), max_size=4), junk, junk)
def test_fuzz_fetch_quarantines_instead_of_raising(page: list[Any], usage: Any,
                                                   paging: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = {"data": page, "paging": paging}
        return httpx.Response(200, content=json.dumps(body, default=str).encode(), headers={
            "X-App-Usage": json.dumps(usage, default=str)[:500],
            "X-Business-Use-Case-Usage": json.dumps({"1": [usage]}, default=str)[:500]})

    async def go() -> None:
        conn = connector(httpx.MockTransport(handler), Clock())
        try:
            for stream in FacebookConnector.streams:
                try:
                    result = await conn.fetch(stream, None, wait=0)
                except RateLimited:
                    continue  # junk usage figures may well say "100 %"
                assert result.cursor is not None
                for q in result.quarantined:
                    assert q.reason
        finally:
            await conn.aclose()
    run(go())


# -- the whole path -------------------------------------------------------------------------------


@pytest.fixture
def engine_world(db_url: str) -> Iterator[tuple[Any, Any, Env]]:
    from smm_desk.store.api import Store
    from smm_desk.store.database import Database
    from smm_desk.sync.engine import SyncEngine, default_factory

    env = Env()
    store = Store(Database.open(db_url), env.clock)
    engine = SyncEngine(store, factory=default_factory(SimTransport(env.world), env.clock),
                        tokens=lambda _: TOKEN)
    yield store, engine, env
    run(engine.aclose())
    store.close()


def test_sync_engine_in_process_ingests_replies_and_settles_a_doubtful_send(
        engine_world: tuple[Any, Any, Env]) -> None:
    store, engine, env = engine_world
    account = store.add_account("facebook", "MyBrand", base_url="http://graph.sim",
                                options={"page_id": env.page})
    run(engine.sync_once())
    env.sim.inject_dm(TOKEN, "501", "Anna", "Do you deliver on Sunday?", env.ago(minutes=3))
    env.sim.inject_comment(TOKEN, None, "502", "Ivan", "Когда поставка?", env.ago(minutes=3))
    run(engine.sync_once())
    cases = {c.customer: c for c in store.queue()}
    assert set(cases) == {"Anna", "Ivan"}
    store.queue_reply(cases["Anna"].id, "Yes, on Sundays too", agent="kim")
    reply = store.queue_reply(cases["Ivan"].id, "Next week", agent="kim")
    env.world.inject(Fault("facebook", "after", match="/comments"))
    report = run(engine.sync_once())
    assert report.delivered >= 1
    run(engine.sync_once())
    assert store.reply(reply.id).state == "sent"
    posted = env.sim.posted(TOKEN)
    assert sorted(p["text"] for p in posted) == ["Next week", "Yes, on Sundays too"]
    run(engine.sync_once())
    for case in store.queue():
        assert case.sla_state is None
    assert store.account(account.id).status == "ok"


def synced_ids(db_url: str, env: Env, transport: httpx.AsyncBaseTransport,
               burst: Any) -> list[str]:
    return synced_inbound_ids(db_url, env.clock, transport, burst, network="facebook",
                              name="MyBrand", base_url="http://graph.sim",
                              options={"page_id": env.page}, token=TOKEN,
                              streams=("messenger", "comments"))


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
                injected.append(env.sim.inject_dm(TOKEN, str(10_000 + i), f"C{i}", f"m{i}", at))
            elif i < 750:  # one conversation with 150 new messages
                injected.append(env.sim.inject_dm(TOKEN, "7777", "Chatty", f"m{i}", at))
            else:  # 600 comments on one post (more than a 500-comment walk), 150 on another
                post = "big" if i < 1350 else "other"
                injected.append(env.sim.inject_comment(TOKEN, post, str(20_000 + i % 97),
                                                       f"U{i % 97}", f"c{i}", at))
    stored = synced_ids(db_url, env, SimTransport(env.world), burst)
    assert len(injected) == 1500 and len(stored) == len(set(stored))
    assert sorted(stored) == sorted(injected)


def test_a_burst_in_the_middle_of_a_multi_page_pass_is_not_skipped(db_url: str) -> None:
    env = Env()
    injected: list[str] = []

    def before() -> None:
        for i in range(120):  # five pages of conversations, 250 comments on one post
            injected.append(env.sim.inject_dm(TOKEN, str(30_000 + i), f"C{i}", f"old {i}",
                                              env.ago(minutes=30, seconds=-i)))
        for i in range(250):
            injected.append(env.sim.inject_comment(TOKEN, "launch", str(40_000 + i % 7),
                                                   f"U{i % 7}", f"old c{i}",
                                                   env.ago(minutes=30, seconds=-i)))

    def dms_during() -> None:
        now = env.clock.now
        # the oldest conversation (not walked yet) jumps to the top of the list
        injected.append(env.sim.inject_dm(TOKEN, "30000", "C0", "me again", now))
        for i in range(60):
            injected.append(env.sim.inject_dm(TOKEN, str(50_000 + i), f"N{i}", f"new {i}", now))

    def comments_during() -> None:
        for i in range(60):
            injected.append(env.sim.inject_comment(TOKEN, "launch", str(60_000 + i), f"V{i}",
                                                   f"new c{i}", env.clock.now))

    def second_page(edge: str) -> Any:
        return lambda r: r.url.path.endswith(edge) and "after" in r.url.params

    transport = OnRequest(SimTransport(env.world), (second_page("/conversations"), dms_during),
                      (second_page("/comments"), comments_during))
    stored = synced_ids(db_url, env, transport, before)
    assert transport.steps == []  # both bursts landed mid-walk
    assert len(stored) == len(set(stored)) == len(injected) == 491
    assert sorted(stored) == sorted(injected)


def test_loopback_accounts_add_and_sync_once_round_trip(
        tmp_path: object, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from smm_desk.cli.main import main
    from tests.support.simulated import simulated_workspace

    def cli(*argv: str) -> tuple[int, str]:
        code = main(list(argv))
        return code, capsys.readouterr().out

    monkeypatch.setenv("SMM_DESK_DB", f"sqlite:///{tmp_path}/desk.db")
    monkeypatch.setenv("SMM_DESK_AGENT", "kim")
    with simulated_workspace(("facebook",)) as ws:
        for key, value in ws.env().items():
            monkeypatch.setenv(key, value)
        args = ws.cli_args("facebook")
        assert "--base-url" in args and any(a.startswith("page_id=") for a in args)
        assert cli(*args)[0] == 0
        assert cli("sync", "--once")[0] == 0
        acc = ws.accounts["facebook"]
        written = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=3)
        acc.handler.inject_dm(acc.token, "501", "Anna", "Do you deliver on Sunday?", written)
        acc.handler.inject_comment(acc.token, None, "502", "Ivan", "Còn hàng không?", written)
        assert cli("sync", "--once")[0] == 0
        cases = json.loads(cli("queue", "--json")[1])
        assert sorted(c["customer"] for c in cases) == ["Anna", "Ivan"]
        assert all(datetime.fromisoformat(c["waiting_since"]) == written for c in cases)
        for case in cases:
            assert cli("reply", str(case["id"]), "--text", f"Thanks {case['customer']}")[0] == 0
        code, out = cli("outbox", "flush")
        assert code == 0 and out.startswith("delivered 2")
        assert cli("sync", "--once")[0] == 0
        assert all(c["sla_state"] is None for c in json.loads(cli("queue", "--json")[1]))
        anna = next(c for c in cases if c["customer"] == "Anna")
        detail = json.loads(cli("show", str(anna["id"]), "--json")[1])
        assert [m["direction"] for m in detail["messages"]] == ["inbound", "outbound"]
        accounts = cli("accounts", "list", "--json")[1]
        assert json.loads(accounts)[0]["status"] == "ok" and acc.token not in accounts
        assert len(acc.handler.posted(acc.token)) == 2


@given(st.datetimes(min_value=datetime(1970, 1, 2),  # noqa: DTZ001 - hypothesis wants naive
                    max_value=datetime(9999, 12, 30),  # noqa: DTZ001
                    timezones=st.timezones()),
       st.sampled_from(["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z"]))
def test_graph_times_read_as_strptime_reads_them(value: datetime, layout: str) -> None:
    """parse_time reads Graph's "+0000" layout with fromisoformat: the same instant
    strptime (the documented layout's reader) gives."""
    if value.utcoffset() is None:
        return
    text = value.strftime(layout)
    assert graph.parse_time(text) == datetime.strptime(text, layout).astimezone(UTC)
    assert graph.parse_time(text).tzinfo is UTC


@pytest.mark.parametrize("text", ["2026-11-02", "2026-11-02T09:00:00", "yesterday", "",
                                  "2026-13-02T09:00:00+0000"])
def test_graph_times_without_a_zone_or_not_times_are_malformed(text: str) -> None:
    with pytest.raises(graph.Malformed):
        graph.parse_time(text)
