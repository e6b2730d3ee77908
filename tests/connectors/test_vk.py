"""The VK connector against the simulator (in-process and loopback) and against
``httpx.MockTransport`` answers that pin the wire format of dev.vk.com."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smm_desk.connectors.base import (
    AccountConfig,
    Idempotency,
    OutgoingReply,
    ReplyTarget,
    connector_class,
)
from smm_desk.connectors.errors import (
    AuthError,
    BadPayload,
    ConnectorError,
    PermanentError,
    RateLimited,
    TransientError,
)
from smm_desk.connectors.http import HttpClient
from smm_desk.connectors.vk import (
    API_VERSION,
    VkConnector,
    random_id_for,
)
from smm_desk.connectors.vk_parse import Parser
from smm_desk.domain.records import Direction, IncomingMessage, MessageKind
from smm_desk.sim.transport import SimServer, SimTransport
from smm_desk.sim.vk import VkSim
from smm_desk.sim.world import Fault, SimWorld

TOKEN = "vk1.a.SeCrEt-community-key-0123456789"
T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


async def _no_sleep(seconds: float) -> None:
    del seconds


def make_sim(retain: int = 1000) -> tuple[SimWorld, VkSim]:
    world = SimWorld()
    sim = VkSim(world, retain=retain)
    world.add(sim)
    sim.add_account(TOKEN, "Shop")
    return world, sim


def make_connector(transport: httpx.AsyncBaseTransport | None, *,
                   options: dict[str, str] | None = None,
                   base_url: str = VkConnector.default_base_url,
                   token: str = TOKEN) -> VkConnector:
    http = HttpClient(base_url, secrets=[token], transport=transport, sleep=_no_sleep)
    account = AccountConfig(id=1, network="vk", name="Shop", base_url=base_url,
                            options=options if options is not None else {})
    return VkConnector(account, token, http=http)


def sim_connector(world: SimWorld, sim: VkSim, *, learn_group: bool = False) -> VkConnector:
    options = {} if learn_group else {"group_id": str(sim.group_id(TOKEN))}
    return make_connector(SimTransport(world), options=options)


def target_of(message: IncomingMessage) -> ReplyTarget:
    return ReplyTarget(thread_key=message.thread_key, case_kind=message.kind.value,
                       external_id=message.external_id, author_id=message.author_id,
                       author_name=message.author_name,
                       post_external_id=message.post_external_id, extra=message.extra)


def reply_to(message: IncomingMessage, text: str = "Answer", reply_id: str | None = None,
             ) -> OutgoingReply:
    return OutgoingReply(reply_id=reply_id or str(uuid.uuid4()), text=text,
                         target=target_of(message))


async def drain(conn: VkConnector, cursor: str | None) -> tuple[list[IncomingMessage], str]:
    """Fetch until the long poll has nothing more (wait=0, like ``sync --once``)."""
    found: list[IncomingMessage] = []
    for _ in range(20):
        result = await conn.fetch("longpoll", cursor, wait=0)
        found += result.messages
        cursor = result.cursor or cursor
        if not result.more:
            break
    assert cursor is not None
    return found, cursor


def test_registered_with_the_shared_contract() -> None:
    assert connector_class("vk") is VkConnector
    assert VkConnector.streams == ("longpoll",)
    assert VkConnector.idempotency is Idempotency.KEY


# ------------------------------------------------------------------ reading (simulator)

def test_fetch_and_resume_without_duplicates() -> None:
    world, sim = make_sim()

    async def scenario() -> None:
        conn = sim_connector(world, sim)
        first, cursor = await drain(conn, None)
        assert first == []
        sim.inject_dm(TOKEN, "501", "Ivan Petrov", "Здравствуйте! Есть доставка?")
        sim.inject_comment(TOKEN, "launch", "502", "Lan Nguyễn", "Khi nào có hàng?")
        got, cursor = await drain(conn, cursor)
        assert [m.text for m in got] == ["Здравствуйте! Есть доставка?", "Khi nào có hàng?"]
        again, cursor = await drain(conn, cursor)
        assert again == []
        await conn.aclose()

        # A restart: new connector, the stored cursor, a fresh long-poll key.
        sim.inject_dm(TOKEN, "501", "Ivan Petrov", "Ау?")
        restarted = sim_connector(world, sim)
        later, cursor = await drain(restarted, cursor)
        assert [m.text for m in later] == ["Ау?"]
        assert {m.external_id for m in later}.isdisjoint({m.external_id for m in got})
        await restarted.aclose()

    run(scenario())


def test_cursor_keeps_only_ts_and_the_key_is_redacted() -> None:
    world, sim = make_sim()

    async def scenario() -> None:
        conn = sim_connector(world, sim)
        result = await conn.fetch("longpoll", None, wait=0)
        assert result.cursor is not None
        assert set(json.loads(result.cursor)) == {"ts"}
        session = conn._session
        assert session is not None
        assert session.key not in result.cursor
        assert conn.redact(f"key={session.key}") == "key=***"
        await conn.aclose()

    run(scenario())


def test_dm_and_comment_threading() -> None:
    world, sim = make_sim()
    gid = sim.group_id(TOKEN)

    async def scenario() -> None:
        conn = sim_connector(world, sim)
        _, cursor = await drain(conn, None)
        sim.inject_dm(TOKEN, "501", "Ivan Petrov", "hello")
        sim.inject_dm(TOKEN, "501", "Ivan Petrov", "hello again")
        sim.inject_comment(TOKEN, "7", "601", "Anna", "first")
        sim.inject_comment(TOKEN, "7", "602", "Boris", "second")
        sim.inject_comment(TOKEN, "7", "601", "Anna", "third")
        got, _ = await drain(conn, cursor)
        threads = [m.thread_key for m in got]
        assert threads == ["dm:501", "dm:501", f"comment:-{gid}_7:601",
                           f"comment:-{gid}_7:602", f"comment:-{gid}_7:601"]
        dm, comment = got[0], got[2]
        assert dm.kind is MessageKind.DM and dm.direction is Direction.INBOUND
        assert dm.author_id == "501" and dm.author_name == "Ivan Petrov"
        assert dm.external_id.startswith("msg:501:")
        assert dm.extra["peer_id"] == "501" and dm.extra["from_id"] == "501"
        assert dm.permalink == f"https://vk.com/gim{gid}?sel=501"
        assert comment.kind is MessageKind.COMMENT
        assert comment.post_external_id == f"wall-{gid}_7"
        assert comment.external_id == f"wall:-{gid}_7:{comment.extra['comment_id']}"
        assert comment.extra["owner_id"] == f"-{gid}" and comment.extra["post_id"] == "7"
        assert comment.author_name == "Anna"
        assert comment.permalink == (f"https://vk.com/wall-{gid}_7?reply="
                                     f"{comment.extra['comment_id']}")
        assert all(m.created_at.tzinfo is not None for m in got)
        await conn.aclose()

    run(scenario())


def test_brand_answers_made_in_vk_come_back_outbound() -> None:
    world, sim = make_sim()
    gid = sim.group_id(TOKEN)

    async def scenario() -> None:
        conn = sim_connector(world, sim)
        _, cursor = await drain(conn, None)
        dm_id = sim.inject_dm(TOKEN, "501", "Ivan", "where is my order?")
        comment_id = sim.inject_comment(TOKEN, None, "601", "Anna", "price?")
        got, cursor = await drain(conn, cursor)
        assert len(got) == 2
        sim.inject_brand_answer(TOKEN, dm_id, "on its way")
        sim.inject_brand_answer(TOKEN, comment_id, "100 ₽")
        answers, _ = await drain(conn, cursor)
        assert [m.direction for m in answers] == [Direction.OUTBOUND, Direction.OUTBOUND]
        assert answers[0].thread_key == "dm:501"
        assert answers[0].author_id == f"-{gid}"
        assert answers[0].parent_external_id == got[0].external_id
        assert answers[1].thread_key == got[1].thread_key
        assert answers[1].kind is MessageKind.REPLY
        assert answers[1].parent_external_id == got[1].external_id
        await conn.aclose()

    run(scenario())


def test_group_id_is_learned_from_groups_get_by_id() -> None:
    world, sim = make_sim()

    async def scenario() -> None:
        conn = sim_connector(world, sim, learn_group=True)
        await conn.fetch("longpoll", None, wait=0)
        assert await conn.group_id() == sim.group_id(TOKEN)
        await conn.aclose()

        configured = sim_connector(world, sim)
        world.requests.clear()
        await configured.fetch("longpoll", None, wait=0)
        assert "/method/groups.getById" not in {path for _, _, path in world.requests}
        await configured.aclose()

    run(scenario())


def test_missing_group_id_that_cannot_be_learned_is_permanent() -> None:
    conn = make_connector(httpx.MockTransport(
        lambda request: httpx.Response(200, json={"response": {"groups": [], "profiles": []}})))
    with pytest.raises(PermanentError, match="group_id"):
        run(conn.fetch("longpoll", None, wait=0))
    with pytest.raises(PermanentError, match="not a community id"):
        run(make_connector(None, options={"group_id": "shop"}).group_id())


def test_long_poll_waits_for_new_traffic() -> None:
    world, sim = make_sim()

    async def scenario() -> None:
        conn = sim_connector(world, sim)
        _, cursor = await drain(conn, None)
        timer = threading.Timer(0.3, sim.inject_dm, (TOKEN, "501", "Ivan", "late"))
        timer.start()
        started = time.monotonic()
        result = await conn.fetch("longpoll", cursor, wait=10)
        timer.join()
        assert [m.text for m in result.messages] == ["late"]
        assert time.monotonic() - started < 5
        await conn.aclose()

    run(scenario())


def test_failed_1_continues_from_the_new_ts() -> None:
    world, sim = make_sim(retain=3)

    async def scenario() -> None:
        conn = sim_connector(world, sim)
        _, cursor = await drain(conn, None)
        for n in range(6):  # three of them fall out of the retained window
            sim.inject_dm(TOKEN, "501", "Ivan", f"m{n}")
        result = await conn.fetch("longpoll", cursor, wait=0)
        assert result.messages == []  # VK's new ts is "now": the lost events stay lost
        sim.inject_dm(TOKEN, "501", "Ivan", "after the gap")
        got, _ = await drain(conn, result.cursor)
        assert [m.text for m in got] == ["after the gap"]
        await conn.aclose()

    run(scenario())


def test_failed_2_renews_the_key_and_keeps_ts() -> None:
    world, sim = make_sim()

    async def scenario() -> None:
        conn = sim_connector(world, sim)
        _, cursor = await drain(conn, None)
        old_key = conn._session.key if conn._session else ""
        sim.inject_dm(TOKEN, "501", "Ivan", "while the key expired")
        sim.expire_keys(TOKEN)
        got, _ = await drain(conn, cursor)
        assert [m.text for m in got] == ["while the key expired"]
        assert conn._session is not None and conn._session.key != old_key
        await conn.aclose()

    run(scenario())


def test_failed_3_renews_key_and_ts() -> None:
    world, sim = make_sim()

    async def scenario() -> None:
        conn = sim_connector(world, sim)
        _, cursor = await drain(conn, None)
        world.inject(Fault("vk", "body", match="/vk-lp/", body={"failed": 3}))
        sim.inject_dm(TOKEN, "501", "Ivan", "lost with the session")
        result = await conn.fetch("longpoll", cursor, wait=0)
        assert result.messages == []
        sim.inject_dm(TOKEN, "501", "Ivan", "after")
        got, _ = await drain(conn, result.cursor)
        assert [m.text for m in got] == ["after"]
        await conn.aclose()

    run(scenario())


def test_stale_cursor_from_another_run_recovers() -> None:
    world, sim = make_sim()

    async def scenario() -> None:
        conn = sim_connector(world, sim)
        result = await conn.fetch("longpoll", json.dumps({"ts": "99999"}), wait=0)
        assert result.messages == []
        sim.inject_dm(TOKEN, "501", "Ivan", "fresh")
        got, _ = await drain(conn, result.cursor)
        assert [m.text for m in got] == ["fresh"]
        await conn.aclose()

    run(scenario())


# ------------------------------------------------------------------ sending (simulator)

def test_send_round_trip_has_the_same_external_id_as_the_event() -> None:
    world, sim = make_sim()

    async def scenario() -> None:
        conn = sim_connector(world, sim)
        _, cursor = await drain(conn, None)
        sim.inject_dm(TOKEN, "501", "Ivan", "question")
        sim.inject_comment(TOKEN, None, "601", "Anna", "comment")
        (dm, comment), cursor = await drain(conn, cursor)
        sent_dm = await conn.send(reply_to(dm, "answer in DM"))
        sent_comment = await conn.send(reply_to(comment, "answer under the post"))
        echoed, _ = await drain(conn, cursor)
        assert [m.external_id for m in echoed] == [sent_dm.external_id,
                                                   sent_comment.external_id]
        assert all(m.direction is Direction.OUTBOUND for m in echoed)
        assert echoed[0].thread_key == dm.thread_key
        assert echoed[1].thread_key == comment.thread_key
        assert sent_dm.delivered_at.tzinfo is not None
        posted = sim.posted(TOKEN)
        assert [p["method"] for p in posted] == ["messages.send", "wall.createComment"]
        assert [p["text"] for p in posted] == ["answer in DM", "answer under the post"]
        await conn.aclose()

    run(scenario())


def test_send_to_a_case_without_message_extra_uses_the_thread_key() -> None:
    world, sim = make_sim()

    async def scenario() -> None:
        conn = sim_connector(world, sim)
        _, cursor = await drain(conn, None)
        sim.inject_dm(TOKEN, "501", "Ivan", "q")
        sim.inject_comment(TOKEN, None, "601", "Anna", "c")
        (dm, comment), _ = await drain(conn, cursor)
        for message in (dm, comment):
            bare = ReplyTarget(message.thread_key, message.kind.value, None, message.author_id,
                               message.author_name, message.post_external_id, {})
            await conn.send(OutgoingReply(str(uuid.uuid4()), "to the case", bare))
        assert [p["target"] for p in sim.posted(TOKEN)] == [
            "dm:501", comment.post_external_id]
        await conn.aclose()

    run(scenario())


def test_resend_with_the_same_reply_id_posts_once() -> None:
    world, sim = make_sim()

    async def scenario() -> None:
        conn = sim_connector(world, sim)
        _, cursor = await drain(conn, None)
        sim.inject_dm(TOKEN, "501", "Ivan", "q")
        sim.inject_comment(TOKEN, None, "601", "Anna", "c")
        (dm, comment), _ = await drain(conn, cursor)
        for message in (dm, comment):
            reply = reply_to(message, "once only")
            first = await conn.send(reply)
            second = await conn.send(reply)  # after a crash, the outbox resends
            assert first.external_id == second.external_id
        assert len(sim.posted(TOKEN)) == 2
        await conn.aclose()

    run(scenario())


def test_lost_answer_is_retried_with_the_same_key_and_posts_once() -> None:
    world, sim = make_sim()

    async def scenario() -> None:
        conn = sim_connector(world, sim)
        _, cursor = await drain(conn, None)
        sim.inject_dm(TOKEN, "501", "Ivan", "q")
        (dm,), cursor = await drain(conn, cursor)
        world.inject(Fault("vk", "after", match="messages.send"))
        delivery = await conn.send(reply_to(dm, "applied, answer lost"))
        assert len(sim.posted(TOKEN)) == 1
        echoed, _ = await drain(conn, cursor)
        assert [m.external_id for m in echoed] == [delivery.external_id]
        await conn.aclose()

    run(scenario())


def test_loopback_server_end_to_end() -> None:
    world, sim = make_sim()
    with SimServer(world) as server:
        async def scenario() -> None:
            conn = make_connector(None, base_url=server.url)
            _, cursor = await drain(conn, None)
            assert conn._session is not None and conn._session.server.startswith(server.url)
            sim.inject_dm(TOKEN, "501", "Ivan", "over loopback")
            (dm,), cursor = await drain(conn, cursor)
            delivery = await conn.send(reply_to(dm, "ok"))
            echoed, _ = await drain(conn, cursor)
            assert [m.external_id for m in echoed] == [delivery.external_id]
            await conn.aclose()

        run(scenario())


# ------------------------------------------------------------------ request shapes (mock)

class Recorder:
    """A MockTransport handler that answers from a table and keeps requests."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        name = request.url.path.rsplit("/", 1)[-1]
        answer = self.answers.get(name, self.answers.get("*"))
        if callable(answer):
            answer = answer(request)
        return httpx.Response(200, json=answer)


def form(request: httpx.Request) -> dict[str, str]:
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    return dict(urllib.parse.parse_qsl(request.content.decode()))


def dm_target(**extra: str) -> ReplyTarget:
    return ReplyTarget("dm:2050001", "dm", "msg:2050001:3081", "2050001", "Ivan", None,
                       {"peer_id": "2050001", "message_id": "3081",
                        "conversation_message_id": "57", "from_id": "2050001", **extra})


def test_messages_send_request_shape() -> None:
    recorder = Recorder({"messages.send": {"response": 3090}})
    conn = make_connector(httpx.MockTransport(recorder), options={"group_id": "123456"})
    reply_id = "7f3a0c4e-1b2d-4e5f-8a9b-0c1d2e3f4a5b"
    delivery = run(conn.send(OutgoingReply(reply_id, "Да, доставка есть", dm_target())))
    assert delivery.external_id == "msg:2050001:3090"
    (request,) = recorder.requests
    assert request.method == "POST"
    assert request.url == "https://api.vk.com/method/messages.send"
    assert "authorization" not in request.headers
    assert form(request) == {
        "peer_id": "2050001", "random_id": str(random_id_for(reply_id)),
        "message": "Да, доставка есть", "reply_to": "3081",
        "access_token": TOKEN, "v": API_VERSION,
    }


def test_messages_send_to_a_group_chat_uses_peer_ids_and_forward() -> None:
    recorder = Recorder({"messages.send": {"response": [
        {"peer_id": 2000000005, "message_id": 0, "conversation_message_id": 58}]}})
    conn = make_connector(httpx.MockTransport(recorder), options={"group_id": "123456"})
    target = ReplyTarget("dm:2000000005", "dm", "msg:2000000005:c57", "2050001", "Ivan", None,
                         {"peer_id": "2000000005", "message_id": "0",
                          "conversation_message_id": "57"})
    delivery = run(conn.send(OutgoingReply(str(uuid.uuid4()), "hi chat", target)))
    assert delivery.external_id == "msg:2000000005:c58"
    sent = form(recorder.requests[0])
    assert sent["peer_ids"] == "2000000005" and "peer_id" not in sent
    assert json.loads(sent["forward"]) == {"peer_id": 2000000005,
                                           "conversation_message_ids": [57], "is_reply": True}


def test_wall_create_comment_request_shape() -> None:
    recorder = Recorder({"wall.createComment": {"response": {"comment_id": 813,
                                                              "parents_stack": [812]}}})
    conn = make_connector(httpx.MockTransport(recorder), options={"group_id": "123456"})
    target = ReplyTarget("comment:-123456_455:3070002", "comment", "wall:-123456_455:812",
                         "3070002", "Anna", "wall-123456_455",
                         {"owner_id": "-123456", "post_id": "455", "comment_id": "812",
                          "from_id": "3070002"})
    reply_id = str(uuid.uuid4())
    delivery = run(conn.send(OutgoingReply(reply_id, "Поставка в пятницу", target)))
    assert delivery.external_id == "wall:-123456_455:813"
    (request,) = recorder.requests
    assert request.url.path == "/method/wall.createComment"
    assert form(request) == {
        "owner_id": "-123456", "post_id": "455", "from_group": "123456",
        "reply_to_comment": "812", "message": "Поставка в пятницу", "guid": reply_id,
        "access_token": TOKEN, "v": API_VERSION,
    }


def test_long_poll_request_shape() -> None:
    server = "https://lp.vk.com/whp/123456"
    recorder = Recorder({
        "groups.getLongPollServer": {"response": {"key": "sessionkey-abcdef", "server": server,
                                                  "ts": "1520"}},
        "123456": {"ts": "1521", "updates": []},
    })
    conn = make_connector(httpx.MockTransport(recorder), options={"group_id": "123456"})
    result = run(conn.fetch("longpoll", None, wait=25))
    assert json.loads(result.cursor or "") == {"ts": "1521"}
    session_call, poll = recorder.requests
    assert session_call.method == "POST"
    assert form(session_call) == {"group_id": "123456", "access_token": TOKEN, "v": API_VERSION}
    assert poll.method == "GET"
    assert str(poll.url.copy_with(query=None)) == server
    assert dict(poll.url.params) == {"act": "a_check", "key": "sessionkey-abcdef",
                                     "ts": "1520", "wait": "25"}
    assert TOKEN not in str(poll.url) and "authorization" not in poll.headers


def test_documented_long_poll_example_parses() -> None:
    example = {"ts": "1522", "updates": [
        {"type": "message_new", "event_id": "5a2c", "v": "5.199", "group_id": 123456,
         "object": {"message": {"id": 3081, "date": 1735812000, "peer_id": 2050001,
                                "from_id": 2050001, "text": "Здравствуйте! Есть доставка?",
                                "out": 0, "conversation_message_id": 57, "attachments": [],
                                "fwd_messages": []},
                    "client_info": {"keyboard": True, "lang_id": 0}}},
        {"type": "wall_reply_new", "event_id": "0c2e", "v": "5.199", "group_id": 123456,
         "object": {"id": 812, "from_id": 3070002, "date": 1735812050,
                    "text": "[id1|Павел], когда новая поставка?", "post_id": 455,
                    "owner_id": -123456, "parents_stack": [], "thread": {"count": 0}}},
        {"type": "group_join", "object": {"user_id": 1, "join_type": "join"}},
    ]}
    recorder = Recorder({
        "groups.getLongPollServer": {"response": {"key": "k-123456", "server":
                                                  "https://lp.vk.com/whp/123456", "ts": "1"}},
        "123456": example,
        "users.get": {"response": [{"id": 2050001, "first_name": "Иван", "last_name": "Петров"},
                                   {"id": 3070002, "first_name": "Anna", "last_name": ""}]},
    })
    conn = make_connector(httpx.MockTransport(recorder), options={"group_id": "club123456"})
    result = run(conn.fetch("longpoll", None, wait=0))
    dm, comment = result.messages
    assert result.quarantined == []
    assert (dm.external_id, dm.thread_key, dm.author_name) == (
        "msg:2050001:3081", "dm:2050001", "Иван Петров")
    assert dm.created_at.isoformat() == "2025-01-02T10:00:00+00:00"
    assert (comment.external_id, comment.thread_key) == (
        "wall:-123456_455:812", "comment:-123456_455:3070002")
    assert comment.text == "Павел, когда новая поставка?"
    assert form(recorder.requests[-1])["user_ids"] == "2050001,3070002"


# ------------------------------------------------------------------ errors

def vk_error_body(code: int, message: str) -> dict[str, Any]:
    return {"error": {"error_code": code, "error_msg": message,
                      "request_params": [{"key": "method", "value": "messages.send"},
                                         {"key": "access_token", "value": TOKEN}]}}


@pytest.mark.parametrize(("code", "kind", "wait"), [
    (5, AuthError, None),
    (6, RateLimited, 1.0),
    (9, RateLimited, 60.0),
    (29, RateLimited, 3600.0),
    (10, TransientError, None),
    (14, PermanentError, None),
    (15, PermanentError, None),
    (100, PermanentError, None),
    (203, PermanentError, None),
    (212, PermanentError, None),
    (213, PermanentError, None),
    (901, PermanentError, None),
    (902, PermanentError, None),
    (914, PermanentError, None),
])
def test_body_error_codes(code: int, kind: type[ConnectorError], wait: float | None) -> None:
    # A hostile answer that even echoes the token back: it must not leak.
    said = f"error text mentioning {TOKEN}"
    recorder = Recorder({"*": vk_error_body(code, said)})
    conn = make_connector(httpx.MockTransport(recorder), options={"group_id": "123456"})
    with pytest.raises(kind) as caught:
        run(conn.send(OutgoingReply(str(uuid.uuid4()), "hi", dm_target())))
    exc = caught.value
    assert type(exc) is kind
    if wait is not None:
        assert isinstance(exc, RateLimited) and exc.retry_after == wait
    assert f"error {code}" in str(exc) or code == 14
    if code == 14:
        assert "captcha" in str(exc)
    for shown in (str(exc), repr(exc), exc.network_message):
        assert TOKEN not in shown
    # Sends carry a key, so transient errors are retried (4 attempts), others are not.
    assert len(recorder.requests) == (4 if kind is TransientError else 1)


def test_sim_unknown_token_is_auth_error_without_the_token() -> None:
    world, sim = make_sim()
    other = "vk1.a.not-a-known-key-987654321"
    conn = make_connector(SimTransport(world), options={"group_id": "1"}, token=other)
    with pytest.raises(AuthError) as caught:
        run(conn.fetch("longpoll", None, wait=0))
    assert "User authorization failed: invalid access_token (4)." in caught.value.network_message
    assert other not in str(caught.value) and other not in repr(caught.value)


@pytest.mark.parametrize(("fault", "kind"), [
    (Fault("vk", "auth", match="/method/"), AuthError),
    (Fault("vk", "rate_limit", match="/method/"), RateLimited),
    (Fault("vk", "status", match="/method/", status=502, times=10), TransientError),
    (Fault("vk", "malformed", match="/method/"), BadPayload),
    (Fault("vk", "status", match="/vk-lp/", status=503, times=10), TransientError),
    (Fault("vk", "malformed", match="/vk-lp/"), BadPayload),
    (Fault("vk", "status", match="/method/", status=401), AuthError),
    (Fault("vk", "status", match="/method/", status=429), RateLimited),
])
def test_sim_faults_map_onto_the_error_tree(fault: Fault, kind: type[ConnectorError]) -> None:
    world, sim = make_sim()
    world.inject(fault)
    conn = sim_connector(world, sim)
    with pytest.raises(kind) as caught:
        run(conn.fetch("longpoll", None, wait=0))
    if fault.kind == "rate_limit":
        assert isinstance(caught.value, RateLimited) and caught.value.retry_after == 1.0
    for shown in (str(caught.value), repr(caught.value)):
        assert TOKEN not in shown
        if conn._session is not None:
            assert conn._session.key not in shown


def test_sim_rejects_json_bodies_and_requires_random_id() -> None:
    world, sim = make_sim()

    async def scenario() -> None:
        transport = SimTransport(world)
        async with httpx.AsyncClient(transport=transport, base_url="https://api.vk.com") as client:
            as_json = await client.post("/method/users.get",
                                        json={"access_token": TOKEN, "v": API_VERSION,
                                              "user_ids": "1"})
            assert as_json.json()["error"]["error_code"] == 8
            no_key = await client.post("/method/messages.send", data={
                "access_token": TOKEN, "v": API_VERSION, "peer_id": "1", "message": "x"})
            error = no_key.json()["error"]
            assert error["error_code"] == 100 and "random_id" in error["error_msg"]
            assert TOKEN not in no_key.text
            stranger = await client.post("/method/messages.send", data={
                "access_token": TOKEN, "v": API_VERSION, "peer_id": "77", "message": "x",
                "random_id": "5"})
            assert stranger.json()["error"]["error_code"] == 901

    run(scenario())


# ------------------------------------------------------------------ parser properties

HOSTILE = ["<script>alert(1)</script><b>bold</b>", "\u202eevil.exe", "a\u200bb\u200d\ufeff",
           "\ud800 lone", "x" * 1_000_000, "\x00nul\x07", "[id1|Name] [club2|Shop]", "",
           "&amp;&lt;"]


_junk = st.one_of(st.none(), st.booleans(), st.text(max_size=4), st.floats(allow_nan=True),
                  st.integers(min_value=-(10**30), max_value=10**30),
                  st.lists(st.integers(), max_size=2),
                  st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
_extra = st.dictionaries(st.text(max_size=6), _junk, max_size=3)
_ids = st.integers(min_value=1, max_value=2**53)
_texts = st.one_of(st.text(max_size=50), st.sampled_from(HOSTILE))
_dates = st.integers(min_value=0, max_value=2_000_000_000)
_attachments = st.lists(st.fixed_dictionaries({"type": st.sampled_from(
    ["photo", "sticker", "doc", "\u202e<b>"])}), max_size=3)


@st.composite
def _mutated(draw: st.DrawFn, valid: st.SearchStrategy[dict[str, Any]]) -> dict[str, Any]:
    """A documented shape, then maybe fields dropped, retyped, or unknown ones added."""
    obj = dict(draw(valid))
    for key in draw(st.lists(st.sampled_from(sorted(obj)), max_size=2, unique=True)):
        if draw(st.booleans()):
            del obj[key]
        else:
            obj[key] = draw(_junk)
    obj.update(draw(_extra))
    return obj


_message = _mutated(st.fixed_dictionaries({
    "id": _ids, "date": _dates, "peer_id": _ids | st.just(2_000_000_001),
    "from_id": _ids | st.just(-5), "text": _texts, "out": st.integers(0, 1),
    "conversation_message_id": _ids, "attachments": _attachments,
}, optional={"reply_message": st.fixed_dictionaries({"id": _ids}), "admin_author_id": _ids}))
_comment = _mutated(st.fixed_dictionaries({
    "id": _ids, "from_id": _ids | st.just(-5), "date": _dates, "text": _texts,
    "post_id": _ids, "owner_id": st.just(-5) | _ids, "parents_stack": st.lists(_ids, max_size=2),
    "attachments": _attachments,
}, optional={"reply_to_user": _ids, "reply_to_comment": _ids}))
_envelope = {"group_id": st.just(5), "event_id": st.text(max_size=8), "v": st.just("5.199")}
_update = st.one_of(
    _mutated(st.fixed_dictionaries({"type": st.just("message_new"), "object": _mutated(
        st.fixed_dictionaries({"message": _message, "client_info": st.just({})})),
        **_envelope})),
    _mutated(st.fixed_dictionaries({"type": st.just("message_reply"), "object": _message,
                                    **_envelope})),
    _mutated(st.fixed_dictionaries({"type": st.just("wall_reply_new"), "object": _comment,
                                    **_envelope})),
    _mutated(st.fixed_dictionaries({"type": st.sampled_from(["message_edit", "group_join"]),
                                    "object": _message, **_envelope})),
    st.sampled_from([None, 0, "message_new", [], 1.5, True]),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.data_too_large])
@given(updates=st.lists(_update, max_size=6))
def test_parser_never_raises(updates: list[Any]) -> None:
    parser = Parser(5, "Shop")
    messages, quarantined = parser.parse(updates)
    assert len(messages) + len(quarantined) <= len(updates)
    for bad in quarantined:
        assert bad.reason and not bad.reason.startswith("unexpected")
        json.loads(bad.raw)
        bad.raw.encode("utf-8")
    for message in messages:
        message.text.encode("utf-8")  # no lone surrogates left
        assert "\x00" not in message.text and len(message.text) <= 20_000
        assert message.created_at.tzinfo is not None
        assert all(isinstance(v, str) for v in message.extra.values())
        if message.direction is Direction.INBOUND:
            assert message.thread_key.endswith(f":{message.author_id}") or \
                message.thread_key.startswith("dm:")


def test_hostile_text_over_the_wire_is_stored_safely() -> None:
    updates = [{"type": "message_new", "object": {"message": {
        "id": n + 1, "date": 1735812000, "peer_id": 7, "from_id": 7, "text": text}}}
        for n, text in enumerate(HOSTILE)] + [{"type": "wall_reply_new", "object": "oops"}]
    body = json.dumps({"ts": "2", "updates": updates}).encode()  # "\ud800" travels escaped
    answers: dict[str, Callable[[httpx.Request], httpx.Response]] = {
        "groups.getLongPollServer": lambda r: httpx.Response(200, json={"response": {
            "key": "k-1234", "server": "https://lp.vk.com/whp/5", "ts": "1"}}),
        "5": lambda r: httpx.Response(200, content=body),
        "users.get": lambda r: httpx.Response(200, json={"error": {
            "error_code": 10, "error_msg": "Internal server error"}}),
    }
    transport = httpx.MockTransport(lambda r: answers[r.url.path.rsplit("/", 1)[-1]](r))
    conn = make_connector(transport, options={"group_id": "5"})
    result = run(conn.fetch("longpoll", None, wait=0))
    assert len(result.messages) == len(HOSTILE)
    assert result.quarantined[0].reason == "wall_reply_new update has no 'object'"
    texts = [m.text for m in result.messages]
    assert texts[1] == "\u202eevil.exe"  # kept: the UI isolates bidi text
    assert texts[3] == "\ufffd lone"
    assert len(texts[4]) <= 20_000
    assert texts[6] == "Name Shop"
    assert {m.author_name for m in result.messages} == {"id7"}  # users.get failed: ids


def test_hostile_text_through_the_simulator() -> None:
    world, sim = make_sim()

    async def scenario() -> None:
        conn = sim_connector(world, sim)
        _, cursor = await drain(conn, None)
        for text in HOSTILE:
            sim.inject_dm(TOKEN, "501", "\u202eIvan\ud800", text)
            sim.inject_comment(TOKEN, None, "601", "<b>Anna</b>", text)
        got, _ = await drain(conn, cursor)
        assert len(got) == 2 * len(HOSTILE)
        for message in got:
            message.text.encode("utf-8")
            message.author_name.encode("utf-8")
            assert len(message.text) <= 20_000
        await conn.aclose()

    run(scenario())


def test_not_json_is_bad_payload() -> None:
    conn = make_connector(httpx.MockTransport(lambda r: httpx.Response(200, content=b"<html>")),
                          options={"group_id": "5"})
    with pytest.raises(BadPayload):
        run(conn.fetch("longpoll", None, wait=0))


@given(st.uuids())
def test_random_id_is_a_stable_positive_int64(value: uuid.UUID) -> None:
    number = random_id_for(str(value))
    assert 0 < number < 2**63
    assert number == random_id_for(str(value))
    assert 0 < random_id_for("not-a-uuid") < 2**63
