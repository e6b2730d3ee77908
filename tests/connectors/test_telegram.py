"""Telegram connector against the simulator (in-process and loopback) and
against httpx.MockTransport for the exact wire shape of each request."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
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
from smm_desk.connectors.http import HttpClient, RetryPolicy
from smm_desk.connectors.telegram import TelegramConnector
from smm_desk.connectors.telegram_parse import parse_updates
from smm_desk.domain.records import Direction, IncomingMessage, MessageKind
from smm_desk.sim.telegram import TelegramSim
from smm_desk.sim.transport import SimServer, SimTransport
from smm_desk.sim.world import Fault, SimWorld
from tests.support.connector_kit import no_sleep

TOKEN = "123456789:AAH-secret_Tok3n-zzzz"
BASE = "http://telegram.sim.invalid"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def connector(transport: httpx.AsyncBaseTransport, token: str = TOKEN, base: str = BASE,
              attempts: int = 4) -> TelegramConnector:
    http = HttpClient(base, secrets=[token], transport=transport, sleep=no_sleep,
                      retry=RetryPolicy(attempts=attempts))
    return TelegramConnector(AccountConfig(1, "telegram", "shopbot", base), token, http=http,
                             clock=lambda: T0)


def run(coro_fn: Callable[[TelegramConnector], Any], transport: httpx.AsyncBaseTransport,
        **kwargs: Any) -> Any:
    async def main() -> Any:
        conn = connector(transport, **kwargs)
        try:
            return await coro_fn(conn)
        finally:
            await conn.aclose()
    return asyncio.run(main())


@pytest.fixture
def world() -> SimWorld:
    w = SimWorld(clock=lambda: T0)
    w.add(TelegramSim(w))
    w.handler("telegram").add_account(TOKEN, "shopbot")
    return w


def sim_of(world: SimWorld) -> TelegramSim:
    sim: TelegramSim = world.handler("telegram")
    return sim


def reply_to(message: IncomingMessage, text: str = "Thanks, we are on it",
             reply_id: str = "6f1c1d4e-0000-4000-8000-000000000001") -> OutgoingReply:
    case_kind = "dm" if message.kind is MessageKind.DM else "comment"
    return OutgoingReply(reply_id, text, ReplyTarget(
        message.thread_key, case_kind, message.external_id, message.author_id,
        message.author_name, message.post_external_id, message.extra))


def sending(reply: OutgoingReply) -> Callable[[TelegramConnector], Any]:
    return lambda conn: conn.send(reply)


# -- fetch, cursor, threading ---------------------------------------------------


def test_registered_under_its_network() -> None:
    assert connector_class("telegram") is TelegramConnector
    assert TelegramConnector.idempotency is Idempotency.NONE
    assert TelegramConnector.streams == ("updates",)


def test_fetch_resumes_from_cursor_without_duplicates(world: SimWorld) -> None:
    sim = sim_of(world)
    first = sim.inject_dm(TOKEN, "42", "Anna K", "Hi, is the shop open on Sunday?", at=T0)
    sim.inject_comment(TOKEN, "p1", "55501", "Ivan", "Any discounts?", at=T0)

    async def scenario(conn: TelegramConnector) -> None:
        page = await conn.fetch("updates", None, wait=0)
        assert [m.text for m in page.messages] == ["Hi, is the shop open on Sunday?",
                                                   "Any discounts?"]
        assert page.messages[0].external_id == first
        assert page.cursor is not None and not page.more
        # A crash before the batch was stored: the same cursor reads the same
        # updates again (nothing was confirmed), with the same external ids.
        again = await conn.fetch("updates", None, wait=0)
        assert [m.external_id for m in again.messages] == [m.external_id for m in page.messages]
        assert again.cursor == page.cursor
        # Stored: the next call confirms them and brings only new traffic.
        sim.inject_dm(TOKEN, "42", "Anna K", "Hello?", at=T0 + timedelta(minutes=1))
        later = await conn.fetch("updates", page.cursor, wait=0)
        assert [m.text for m in later.messages] == ["Hello?"]
        assert int(later.cursor or 0) == int(page.cursor) + 1
        empty = await conn.fetch("updates", later.cursor, wait=0)
        assert empty.messages == [] and empty.cursor is None
        assert sim.pending_updates(TOKEN) == 0

    run(scenario, SimTransport(world))


def test_dm_and_comment_threads(world: SimWorld) -> None:
    sim = sim_of(world)
    sim.inject_dm(TOKEN, "42", "Anna K", "DM one", at=T0)
    sim.inject_dm(TOKEN, "42", "Anna K", "DM two", at=T0)
    c1 = sim.inject_comment(TOKEN, "p1", "55501", "Ivan", "first under p1", at=T0)
    sim.inject_comment(TOKEN, "p1", "55502", "Olga", "second person under p1", at=T0)
    sim.inject_comment(TOKEN, "p1", "55501", "Ivan", "Ivan again under p1", at=T0)
    sim.inject_comment(TOKEN, "p2", "55501", "Ivan", "Ivan under p2", at=T0)
    sim.inject_reply(TOKEN, c1, "55502", "Olga", "Olga answers Ivan", at=T0)

    page = run(lambda c: c.fetch("updates", None, wait=0), SimTransport(world))
    by_text = {m.text: m for m in page.messages}
    dm = by_text["DM one"]
    assert dm.thread_key == "dm:42" == by_text["DM two"].thread_key
    assert dm.kind is MessageKind.DM and dm.direction is Direction.INBOUND
    assert dm.author_id == "42" and dm.author_name == "Anna K"
    assert dm.created_at == T0 and dm.permalink is None
    assert dm.extra == {"chat_id": "42", "message_id": "1", "chat_type": "private"}

    ivan = by_text["first under p1"]
    group, root = ivan.extra["chat_id"], ivan.extra["thread_root"]
    assert ivan.external_id == c1 == f"{group}:{ivan.extra['message_id']}"
    assert ivan.thread_key == f"comment:{group}:{root}:55501"
    assert ivan.post_external_id == f"{group}:{root}"
    assert ivan.kind is MessageKind.COMMENT
    assert ivan.permalink == f"https://t.me/shopbot_chat/{ivan.extra['message_id']}"
    assert by_text["Ivan again under p1"].thread_key == ivan.thread_key
    assert by_text["second person under p1"].thread_key == f"comment:{group}:{root}:55502"
    assert by_text["Ivan under p2"].thread_key != ivan.thread_key
    deep = by_text["Olga answers Ivan"]
    assert deep.thread_key == f"comment:{group}:{root}:55502"
    assert deep.kind is MessageKind.REPLY and deep.parent_external_id == c1
    assert len(page.messages) == 7  # the auto-forwarded posts are not cases


def test_brand_answer_from_the_channel_is_outbound(world: SimWorld) -> None:
    sim = sim_of(world)
    comment = sim.inject_comment(TOKEN, None, "55501", "Ivan", "Is it waterproof?", at=T0)
    answer = sim.inject_brand_answer(TOKEN, comment, "Yes, IP68.", at=T0 + timedelta(minutes=3))
    page = run(lambda c: c.fetch("updates", None, wait=0), SimTransport(world))
    inbound, outbound = page.messages
    assert outbound.external_id == answer
    assert outbound.direction is Direction.OUTBOUND
    assert outbound.thread_key == inbound.thread_key
    assert outbound.extra["customer_id"] == "55501"
    assert outbound.author_id == inbound.extra["channel_id"]
    assert outbound.created_at == T0 + timedelta(minutes=3)


def test_a_new_process_learns_the_discussion_group_with_getchat(world: SimWorld) -> None:
    sim = sim_of(world)
    comment = sim.inject_comment(TOKEN, None, "55501", "Ivan", "Question", at=T0)
    cursor = run(lambda c: c.fetch("updates", None, wait=0), SimTransport(world)).cursor
    sim.inject_reply(TOKEN, comment, "55502", "Olga", "Same question", at=T0)
    sim.inject_brand_answer(TOKEN, comment, "Answer", at=T0)
    before = len(world.requests)

    async def twice(conn: TelegramConnector) -> list[IncomingMessage]:
        page = await conn.fetch("updates", cursor, wait=0)
        sim.inject_reply(TOKEN, comment, "55503", "Petr", "And me", at=T0)
        return page.messages + (await conn.fetch("updates", page.cursor, wait=0)).messages

    messages = run(twice, SimTransport(world))  # a fresh connector: nothing cached
    assert [m.direction for m in messages] == [Direction.INBOUND, Direction.OUTBOUND,
                                               Direction.INBOUND]
    assert messages[1].thread_key.endswith(":55501")
    methods = [path.rsplit("/", 1)[-1] for _, _, path in world.requests[before:]]
    assert methods.count("getChat") == 1  # asked once, then cached


def test_edits_become_new_versions_and_media_gets_a_marker(world: SimWorld) -> None:
    sim = sim_of(world)
    original = sim.inject_dm(TOKEN, "42", "Anna", "My order is late", at=T0)
    sim.inject_edit(TOKEN, original, "My order 1234 is late", at=T0 + timedelta(minutes=2))
    page = run(lambda c: c.fetch("updates", None, wait=0), SimTransport(world))
    first, edit = page.messages
    assert edit.external_id == f"{original}:edit:{int((T0 + timedelta(minutes=2)).timestamp())}"
    assert edit.text == "[edited] My order 1234 is late"
    assert edit.parent_external_id == original and edit.extra["edit_of"] == original
    assert edit.thread_key == first.thread_key and edit.created_at == T0 + timedelta(minutes=2)


def _update(uid: int, message: dict[str, Any], key: str = "message") -> dict[str, Any]:
    return {"update_id": uid, key: message}


GROUP, CHANNEL = -1001234567890, -1009876543210
POST = {"message_id": 85, "sender_chat": {"id": CHANNEL, "type": "channel", "title": "MyBrand"},
        "chat": {"id": GROUP, "type": "supergroup", "title": "MyBrand Chat"},
        "date": 1735811000, "is_automatic_forward": True, "text": "New collection is out!"}


def _in_group(mid: int, **fields: Any) -> dict[str, Any]:
    return {"message_id": mid, "chat": {"id": GROUP, "type": "supergroup", "title": "Chat"},
            "date": 1735812044, **fields}


def test_parser_rules_for_groups() -> None:
    ivan = {"id": 55501, "is_bot": False, "first_name": "Ivan"}
    items = [
        _update(1, POST),  # the post itself: skipped
        _update(2, _in_group(86, **{"from": ivan, "text": "chatter, not under a post"})),
        _update(3, _in_group(88, **{"from": ivan, "message_thread_id": 85,
                                    "reply_to_message": POST, "text": "Love it!"})),
        _update(4, _in_group(89, sender_chat={"id": -100555, "type": "channel",
                                              "title": "Ivan's blog"},
                             message_thread_id=85, reply_to_message=POST, text="as my channel")),
        # an anonymous admin of the group answering Ivan: the brand
        _update(5, _in_group(90, **{"from": {"id": 1087968824, "is_bot": True,
                                             "first_name": "Group"},
                                    "sender_chat": {"id": GROUP, "type": "supergroup"},
                                    "message_thread_id": 85,
                                    "reply_to_message": _in_group(88, **{"from": ivan}),
                                    "text": "We will check"})),
        # the brand commenting its own post: no customer
        _update(6, _in_group(91, sender_chat=POST["sender_chat"], message_thread_id=85,
                             reply_to_message=POST, text="PS: sizes S-XL")),
        # another bot in the thread
        _update(7, _in_group(92, **{"from": {"id": 9, "is_bot": True, "first_name": "Spam"},
                                    "message_thread_id": 85, "text": "buy crypto"})),
        _update(8, _in_group(93, **{"from": ivan, "new_chat_members": [ivan]})),
        _update(9, {"message_id": 5, "from": ivan, "date": 1735812044,
                    "chat": {"id": -42, "type": "group", "title": "Basic"}, "text": "hi"}),
        _update(10, {"message_id": 6, "date": 1735812044, "photo": [{"file_id": "x"}],
                     "caption": "receipt", "from": ivan,
                     "chat": {"id": 55501, "type": "private", "first_name": "Ivan"}}),
        _update(11, {"message_id": 7, "date": 1735812044, "from": ivan,
                     "sticker": {"emoji": "👍"},
                     "chat": {"id": 55501, "type": "private", "first_name": "Ivan"}}),
        {"update_id": 12, "callback_query": {"id": "1"}},
    ]
    batch = parse_updates(items, {GROUP: CHANNEL})
    assert batch.quarantined == [] and batch.next_offset == 13
    texts = [(m.text, m.direction.value, m.thread_key) for m in batch.messages]
    assert texts == [
        ("Love it!", "inbound", f"comment:{GROUP}:85:55501"),
        ("as my channel", "inbound", f"comment:{GROUP}:85:-100555"),
        ("We will check", "outbound", f"comment:{GROUP}:85:55501"),
        ("[photo] receipt", "inbound", "dm:55501"),
        ("[sticker 👍]", "inbound", "dm:55501"),
    ]
    assert batch.messages[3].extra["media"] == "photo"
    # The same deep reply in a group not linked to any channel is not a case.
    assert parse_updates([items[2]], {}).messages[0].thread_key.endswith(":55501")
    unlinked = _in_group(95, **{"from": ivan, "message_thread_id": 70, "text": "x"})
    assert parse_updates([_update(1, unlinked)], {GROUP: None}).messages == []


def test_malformed_items_are_quarantined_and_the_batch_goes_on() -> None:
    good = {"message_id": 1, "date": 1735812000, "text": "ok",
            "chat": {"id": 7, "type": "private"}, "from": {"id": 7, "first_name": "A"}}
    items: list[Any] = [
        "not an object",
        {"message": good},
        _update(2, {**good, "chat": None}),
        _update(3, {**good, "message_id": "1"}),
        _update(4, {**good, "date": "yesterday"}),
        _update(5, {**good, "text": 42}),
        _update(6, good),
        {"update_id": 7, "message": [1, 2]},
    ]
    batch = parse_updates(items, {})
    assert [m.text for m in batch.messages] == ["ok"]
    reasons = [q.reason for q in batch.quarantined]
    assert reasons == ["update is not a JSON object", "update has no valid update_id",
                       "message has no chat id", "message has no message_id",
                       "message date is not a unix time", "message text is not a string",
                       "message is not a JSON object"]
    assert json.loads(batch.quarantined[2].raw)["update_id"] == 2
    assert batch.next_offset == 8


def test_hostile_text_from_the_simulator_is_stored_safely(world: SimWorld) -> None:
    sim = sim_of(world)
    sim.inject_dm(TOKEN, "42", "\u202eAnna\u200b", "lone \ud800 surrogate", at=T0)
    sim.inject_dm(TOKEN, "42", "Anna", "A" * 1_000_000, at=T0)
    sim.inject_dm(TOKEN, "42", "Anna", "<img src=x onerror=alert(1)>\x00", at=T0)
    lone, big, markup = run(_fetch, SimTransport(world)).messages
    assert lone.text == "lone \ufffd surrogate" and lone.author_name == "\u202eAnna\u200b"
    assert len(big.text) <= 20_000 and big.text.endswith("shortened by SMM Desk]")
    assert markup.text == "<img src=x onerror=alert(1)>"  # plain text, shown as such


# -- long polling -------------------------------------------------------------


def test_long_poll_returns_when_traffic_arrives(world: SimWorld) -> None:
    sim = sim_of(world)
    threading.Timer(0.3, lambda: sim.inject_dm(TOKEN, "42", "Anna", "late hello")).start()
    started = time.monotonic()
    page = run(lambda c: c.fetch("updates", None, wait=10), SimTransport(world))
    assert [m.text for m in page.messages] == ["late hello"]
    assert time.monotonic() - started < 5


def test_a_second_getupdates_ends_the_first_with_conflict(world: SimWorld) -> None:
    async def scenario(conn: TelegramConnector) -> None:
        first = asyncio.ensure_future(conn.fetch("updates", None, wait=5))
        await asyncio.sleep(0.3)
        other = connector(SimTransport(world), attempts=1)
        try:
            second = asyncio.ensure_future(other.fetch("updates", None, wait=0))
            with pytest.raises(TransientError) as caught:
                await first
            assert caught.value.status == 409 and "Conflict" in caught.value.network_message
            assert (await second).messages == []
        finally:
            await other.aclose()

    run(scenario, SimTransport(world), attempts=1)


# -- request shapes (MockTransport) --------------------------------------------


class Recorder:
    def __init__(self, answer: Callable[[httpx.Request], httpx.Response]) -> None:
        self.requests: list[httpx.Request] = []
        self.answer = answer

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request)


def test_getupdates_request_shape() -> None:
    rec = Recorder(lambda r: httpx.Response(200, json={"ok": True, "result": []}))

    async def scenario(conn: TelegramConnector) -> None:
        await conn.fetch("updates", "715304812", wait=30)
        await conn.fetch("updates", None, wait=0)
        await conn.fetch("updates", "715304812", wait=600)

    run(scenario, httpx.MockTransport(rec), base="https://api.telegram.org")
    first, once, capped = rec.requests
    assert first.method == "POST"
    assert str(first.url) == f"https://api.telegram.org/bot{TOKEN}/getUpdates"
    assert first.headers["content-type"] == "application/json"
    assert json.loads(first.content) == {"offset": 715304812, "timeout": 30, "limit": 100,
                                         "allowed_updates": ["message", "edited_message"]}
    assert first.extensions["timeout"]["read"] > 30
    assert json.loads(once.content) == {"timeout": 0, "limit": 100,
                                        "allowed_updates": ["message", "edited_message"]}
    assert json.loads(capped.content)["timeout"] == 50
    assert capped.extensions["timeout"]["read"] > 50


def test_sendmessage_request_shape_and_delivery() -> None:
    sent = {"message_id": 4411, "date": 1735812100, "text": "Yes",
            "chat": {"id": 987654321, "type": "private"}, "from": {"id": 1, "is_bot": True}}
    rec = Recorder(lambda r: httpx.Response(200, json={"ok": True, "result": sent}))
    target = IncomingMessage(
        external_id="987654321:4410", thread_key="dm:987654321", direction=Direction.INBOUND,
        kind=MessageKind.DM, text="open on Sunday?", created_at=T0, author_id="987654321",
        extra={"chat_id": "987654321", "message_id": "4410", "chat_type": "private"})
    delivery = run(lambda c: c.send(reply_to(target, "Yes — 10am to 6pm")),
                   httpx.MockTransport(rec), base="https://api.telegram.org")
    (request,) = rec.requests
    assert request.method == "POST"
    assert request.url.path == f"/bot{TOKEN}/sendMessage"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {
        "chat_id": 987654321, "text": "Yes — 10am to 6pm",
        "reply_parameters": {"message_id": 4410, "allow_sending_without_reply": True}}
    assert delivery.external_id == "987654321:4411"
    assert delivery.delivered_at == datetime.fromtimestamp(1735812100, UTC)


def test_send_refuses_what_telegram_would_refuse_before_any_request() -> None:
    rec = Recorder(lambda r: httpx.Response(500))
    target = IncomingMessage(external_id="1:1", thread_key="dm:1", direction=Direction.INBOUND,
                             kind=MessageKind.DM, text="x", created_at=T0,
                             extra={"chat_id": "1", "message_id": "1"})
    for text in ("   ", "я" * 4097, "😀" * 2049, "ok \ud800"):  # the limit counts UTF-16 units
        with pytest.raises(PermanentError):
            run(sending(reply_to(target, text)), httpx.MockTransport(rec))
    bare = IncomingMessage(external_id="x", thread_key="dm:1", direction=Direction.INBOUND,
                           kind=MessageKind.DM, text="x", created_at=T0)
    with pytest.raises(PermanentError, match="no chat id"):
        run(lambda c: c.send(reply_to(bare)), httpx.MockTransport(rec))
    assert rec.requests == []


# -- sending against the simulator ----------------------------------------------


def test_send_dm_and_comment_reply_through_the_simulator(world: SimWorld) -> None:
    sim = sim_of(world)
    sim.inject_dm(TOKEN, "42", "Anna", "hello", at=T0)
    comment = sim.inject_comment(TOKEN, None, "55501", "Ivan", "price?", at=T0)

    async def scenario(conn: TelegramConnector) -> None:
        dm, com = (await conn.fetch("updates", None, wait=0)).messages
        d1 = await conn.send(reply_to(dm, "Hi Anna"))
        d2 = await conn.send(reply_to(com, "9.99"))
        assert d1.external_id.startswith("42:")
        assert d2.external_id.startswith(com.extra["chat_id"] + ":")
        assert d1.delivered_at == T0
        # Bots do not receive their own messages: nothing new comes back.
        assert (await conn.fetch("updates", None, wait=0)).messages == [dm, com]

    run(scenario, SimTransport(world))
    posted = sim.posted(TOKEN)
    assert [(p["target"], p["text"], p["key"]) for p in posted] == [
        ("42", "Hi Anna", None), (comment.split(":")[0], "9.99", None)]


def test_no_idempotency_a_resend_posts_twice_and_sends_are_not_retried(
        world: SimWorld) -> None:
    sim = sim_of(world)
    sim.inject_dm(TOKEN, "42", "Anna", "hello", at=T0)

    async def scenario(conn: TelegramConnector) -> None:
        (dm,) = (await conn.fetch("updates", None, wait=0)).messages
        await conn.send(reply_to(dm, "once"))
        await conn.send(reply_to(dm, "once"))  # same reply id: Telegram has no key
        world.inject(Fault("telegram", "after", match="sendMessage"))
        with pytest.raises(TransientError) as caught:
            await conn.send(reply_to(dm, "applied, answer lost"))
        assert caught.value.maybe_delivered
        world.inject(Fault("telegram", "malformed", match="sendMessage"))
        with pytest.raises(TransientError) as unreadable:
            await conn.send(reply_to(dm, "applied? body unreadable"))
        assert unreadable.value.maybe_delivered

    run(scenario, SimTransport(world))
    texts = [p["text"] for p in sim.posted(TOKEN)]
    assert texts == ["once", "once", "applied, answer lost"]  # 'after' posted once, no retry


def test_simulator_validates_sendmessage(world: SimWorld) -> None:
    sim = sim_of(world)
    dm = sim.inject_dm(TOKEN, "42", "Anna", "hi", at=T0)

    def call(body: dict[str, Any]) -> httpx.Response:
        request = httpx.Request("POST", f"{BASE}/bot{TOKEN}/sendMessage", json=body)
        return world.handle(request)

    missing = call({"chat_id": 42, "text": "x",
                    "reply_parameters": {"message_id": 999,
                                         "allow_sending_without_reply": False}})
    assert missing.status_code == 400
    assert missing.json()["description"] == "Bad Request: message to be replied not found"
    lenient = call({"chat_id": 42, "text": "x",
                    "reply_parameters": {"message_id": 999, "allow_sending_without_reply": True}})
    assert lenient.json()["ok"] is True and "reply_to_message" not in lenient.json()["result"]
    threaded = call({"chat_id": "42", "text": "y", "reply_to_message_id": dm.split(":")[1]})
    assert threaded.json()["result"]["reply_to_message"]["text"] == "hi"
    assert call({"chat_id": 31337, "text": "x"}).json()["description"] == (
        "Bad Request: chat not found")
    assert call({"chat_id": 42, "text": " "}).json()["description"] == (
        "Bad Request: message text is empty")
    unknown = world.handle(httpx.Request("POST", f"{BASE}/botnope/getMe"))
    assert unknown.status_code == 401 and unknown.json() == {
        "ok": False, "error_code": 401, "description": "Unauthorized"}


# -- errors --------------------------------------------------------------------


def _dm_target() -> IncomingMessage:
    return IncomingMessage(external_id="42:1", thread_key="dm:42", direction=Direction.INBOUND,
                           kind=MessageKind.DM, text="x", created_at=T0,
                           extra={"chat_id": "42", "message_id": "1"})


def _fails(world: SimWorld, action: Callable[[TelegramConnector], Any], token: str = TOKEN,
           ) -> ConnectorError:
    with pytest.raises(ConnectorError) as caught:
        run(action, SimTransport(world), token=token, attempts=2)
    return caught.value


def _fetch(conn: TelegramConnector) -> Any:
    return conn.fetch("updates", None, wait=0)


def test_error_mapping_against_the_simulator(world: SimWorld) -> None:
    sim = sim_of(world)
    found: list[ConnectorError] = []

    found.append(_fails(world, _fetch, token="999:unknown-token-xyz"))
    assert isinstance(found[-1], AuthError) and found[-1].network_message == "Unauthorized"

    world.inject(Fault("telegram", "auth"))
    found.append(_fails(world, _fetch))
    assert isinstance(found[-1], AuthError)

    world.inject(Fault("telegram", "rate_limit", seconds=7))
    found.append(_fails(world, _fetch))
    assert isinstance(found[-1], RateLimited) and found[-1].retry_after == 7

    world.inject(Fault("telegram", "status", status=500, times=2, body={
        "ok": False, "error_code": 500, "description": "Internal Server Error"}))
    found.append(_fails(world, _fetch))
    assert isinstance(found[-1], TransientError) and found[-1].status == 500

    world.inject(Fault("telegram", "status", status=502, times=2, body="<html>bad gateway"))
    found.append(_fails(world, _fetch))
    assert isinstance(found[-1], TransientError) and found[-1].status == 502

    world.inject(Fault("telegram", "malformed"))
    found.append(_fails(world, _fetch))
    assert isinstance(found[-1], BadPayload)

    found.append(_fails(world, lambda c: c.send(reply_to(_dm_target()))))
    assert isinstance(found[-1], PermanentError) and found[-1].status == 400  # chat not found

    sim.inject_dm(TOKEN, "42", "Anna", "hi", at=T0)
    sim.block_bot(TOKEN, "42")
    found.append(_fails(world, lambda c: c.send(reply_to(_dm_target()))))
    assert isinstance(found[-1], PermanentError) and found[-1].status == 403
    assert found[-1].network_message == "Forbidden: bot was blocked by the user"

    sim.inject_comment(TOKEN, None, "43", "Olga", "hi", at=T0)  # seen, but never wrote to us
    never = IncomingMessage(external_id="43:1", thread_key="dm:43", direction=Direction.INBOUND,
                            kind=MessageKind.DM, text="x", created_at=T0,
                            extra={"chat_id": "43"})
    found.append(_fails(world, lambda c: c.send(reply_to(never))))
    assert found[-1].network_message == "Forbidden: bot can't initiate conversation with a user"

    for exc in found:
        for shown in (str(exc), repr(exc), exc.network_message):
            assert TOKEN not in shown and TOKEN.split(":")[1] not in shown


@pytest.mark.parametrize(("body", "kind", "check"), [
    ({"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 35",
      "parameters": {"retry_after": 35}}, RateLimited, lambda e: e.retry_after == 35),
    ({"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 12"},
     RateLimited, lambda e: e.retry_after == 12),
    ({"ok": False, "error_code": 401, "description": "Unauthorized"}, AuthError, None),
    ({"ok": False, "error_code": 404, "description": "Not Found"}, AuthError, None),
    ({"ok": False, "error_code": 409, "description": "Conflict: terminated by other getUpdates "
      "request; make sure that only one bot instance is running"}, TransientError, None),
    ({"ok": False, "error_code": 409, "description": "Conflict: can't use getUpdates method "
      "while webhook is active; use deleteWebhook to delete the webhook first"},
     PermanentError, lambda e: "webhook" in str(e)),
    ({"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
     PermanentError, lambda e: e.network_message.endswith("blocked by the user")),
    ({"ok": False, "error_code": 400, "description": "Bad Request: group chat was upgraded to "
      "a supergroup chat", "parameters": {"migrate_to_chat_id": -1001122334455}},
     PermanentError, lambda e: "-1001122334455" in str(e)),
    ({"ok": False, "error_code": 400, "description": "Bad Request: chat not found"},
     PermanentError, None),
    ({"ok": False, "error_code": 502, "description": "Bad Gateway"}, TransientError, None),
    ({"ok": True, "result": {"unexpected": "object"}}, BadPayload, None),
])
def test_body_error_mapping(body: dict[str, Any], kind: type[ConnectorError],
                            check: Callable[[Any], bool] | None) -> None:
    status = body.get("error_code", 200)
    rec = Recorder(lambda r: httpx.Response(status, json=body))
    with pytest.raises(kind) as caught:
        run(_fetch, httpx.MockTransport(rec), attempts=1)
    assert check is None or check(caught.value)
    for shown in (str(caught.value), repr(caught.value), caught.value.network_message):
        assert TOKEN not in shown and "secret_Tok3n" not in shown


def test_connect_failure_never_shows_the_token() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot reach {request.url}", request=request)

    with pytest.raises(TransientError) as caught:
        run(_fetch, httpx.MockTransport(refuse), attempts=1)
    assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value)
    assert "***" in str(caught.value)


def test_reply_window() -> None:
    conn = TelegramConnector(AccountConfig(1, "telegram", "b", None), TOKEN,
                             transport=httpx.MockTransport(lambda r: httpx.Response(500)))
    assert not conn.reply_window("dm", None, T0).open
    assert conn.reply_window("dm", T0 - timedelta(days=30), T0).open
    assert conn.reply_window("comment", None, T0).open
    asyncio.run(conn.aclose())


# -- loopback -----------------------------------------------------------------


def test_fetch_and_send_over_loopback(world: SimWorld) -> None:
    sim = sim_of(world)
    sim.inject_comment(TOKEN, None, "55501", "Иван", "<b>Цена?</b> \u202eevil", at=T0)
    with SimServer(world) as server:
        async def scenario(conn: TelegramConnector) -> None:
            page = await conn.fetch("updates", None, wait=1)
            (comment,) = page.messages
            assert comment.author_name == "Иван" and comment.text == "<b>Цена?</b> \u202eevil"
            delivery = await conn.send(reply_to(comment, "Chào bạn! 9.99"))
            assert delivery.external_id.startswith(comment.extra["chat_id"] + ":")

        run(scenario, httpx.AsyncHTTPTransport(), base=server.url)
    assert [p["text"] for p in sim.posted(TOKEN)] == ["Chào bạn! 9.99"]


# -- fuzz ----------------------------------------------------------------------

BIG = "A" * 1_000_000
HOSTILE = ["<script>alert(1)</script>", "\u202egnp.exe", "a\u200bb\u200dc\ufeff", "\ud800",
           "x\udfffy", "\x00\x07\x1b[31m", "", " ", BIG, "מה קורה", "Xin chào 👋"]
junk = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                 st.text(max_size=8), st.lists(st.integers(), max_size=3),
                 st.dictionaries(st.text(max_size=4), st.integers(), max_size=2))
hostile = st.one_of(st.text(max_size=40), st.sampled_from(HOSTILE))
ids = st.one_of(st.sampled_from([42, 55501, GROUP, CHANNEL, 85, -100555]),
                st.integers(-(2 ** 53), 2 ** 53))
weird_dates = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                        st.integers(-(2 ** 70), 2 ** 70))
dates = st.integers(0, 9).flatmap(
    lambda n: weird_dates if n == 0 else st.integers(1_600_000_000, 1_900_000_000))


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the documented type, sometimes anything else."""
    return st.integers(0, 9).flatmap(lambda n: junk if n == 0 else strategy)


users = st.fixed_dictionaries(
    {"id": maybe(ids), "is_bot": maybe(st.booleans()), "first_name": maybe(hostile)},
    optional={"last_name": maybe(hostile), "username": maybe(hostile)})
chats = st.fixed_dictionaries(
    {"id": maybe(ids),
     "type": maybe(st.sampled_from(["private", "group", "supergroup", "channel"]))},
    optional={"title": maybe(hostile), "username": maybe(hostile)})
replied = st.fixed_dictionaries(
    {"message_id": maybe(ids)},
    optional={"is_automatic_forward": maybe(st.booleans()), "sender_chat": maybe(chats),
              "from": maybe(users), "message_thread_id": maybe(ids), "text": maybe(hostile)})
messages = st.fixed_dictionaries(
    {"message_id": maybe(ids), "chat": maybe(chats), "date": maybe(dates)},
    optional={"from": maybe(users), "sender_chat": maybe(chats), "text": maybe(hostile),
              "caption": maybe(hostile), "photo": st.just([{"file_id": "x"}]),
              "sticker": maybe(st.fixed_dictionaries({"emoji": hostile})),
              "document": maybe(st.fixed_dictionaries({"file_name": hostile})),
              "reply_to_message": maybe(replied), "message_thread_id": maybe(ids),
              "is_automatic_forward": maybe(st.booleans()), "edit_date": maybe(dates),
              "new_chat_members": st.just([]), "surprise": junk})
channel_chat = st.just({"id": CHANNEL, "type": "channel", "title": "Brand"})
group_chat = st.just({"id": GROUP, "type": "supergroup", "title": "Brand chat"})
posts = st.fixed_dictionaries(
    {"message_id": st.just(85), "chat": group_chat, "date": dates,
     "is_automatic_forward": maybe(st.just(True)), "sender_chat": maybe(channel_chat)},
    optional={"text": hostile})
in_group = st.fixed_dictionaries(
    {"message_id": maybe(ids), "chat": maybe(group_chat), "date": maybe(dates),
     "from": maybe(users)},
    optional={"sender_chat": maybe(st.one_of(channel_chat, group_chat, chats)),
              "text": maybe(hostile), "caption": maybe(hostile),
              "reply_to_message": maybe(st.one_of(posts, replied)),
              "message_thread_id": maybe(st.just(85)), "edit_date": maybe(dates),
              "is_automatic_forward": maybe(st.booleans()), "photo": st.just([])})
any_message = st.one_of(messages, in_group)
update_ids = maybe(st.integers(-1, 2 ** 40))
updates = st.one_of(
    st.fixed_dictionaries({"update_id": update_ids, "message": maybe(any_message)},
                          optional={"surprise": junk}),
    st.fixed_dictionaries({"update_id": update_ids, "edited_message": maybe(any_message)}),
    st.fixed_dictionaries({"update_id": update_ids},
                          optional={"message": maybe(any_message), "edited_message": junk,
                                    "callback_query": st.just({"id": "1"}), "surprise": junk}),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.data_too_large])
@given(items=st.lists(st.one_of(updates, updates, junk), max_size=5),
       linked=st.dictionaries(st.sampled_from([GROUP, 42, CHANNEL]),
                              st.one_of(st.none(), st.just(CHANNEL)), max_size=3))
def test_fuzz_parser_never_raises(items: list[Any], linked: dict[int, int | None]) -> None:
    batch = parse_updates(items, linked)
    assert len(batch.messages) + len(batch.quarantined) <= len(items)
    for message in batch.messages:
        assert message.external_id and message.thread_key
        assert message.created_at.tzinfo is not None
        message.text.encode("utf-8")  # no lone surrogates survive
        message.author_name.encode("utf-8")
        assert len(message.text) <= 20_100
        assert all(isinstance(v, str) for v in message.extra.values())
        assert message.thread_key.startswith(("dm:", "comment:"))
    for item in batch.quarantined:
        assert item.reason and isinstance(item.raw, str)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.data_too_large])
@given(items=st.lists(updates, max_size=4))
def test_fuzz_whole_fetch_never_raises_for_any_item(items: list[Any]) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/getChat"):
            return httpx.Response(200, json={"ok": True, "result": {
                "id": GROUP, "type": "supergroup", "linked_chat_id": CHANNEL}})
        return httpx.Response(200, headers={"Content-Type": "application/json"},
                              content=json.dumps({"ok": True, "result": items}).encode())

    page = run(_fetch, httpx.MockTransport(answer))
    assert len(page.messages) + len(page.quarantined) <= len(items)


_ODD = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                 st.text(max_size=5), st.lists(st.integers(), max_size=2))


@st.composite
def everyday_updates(draw: st.DrawFn) -> Any:
    """Updates shaped like (or almost like) a customer's plain private text."""
    user: dict[str, Any] = {"id": draw(st.one_of(st.integers(-2**40, 2**40), _ODD)),
                            "is_bot": draw(st.one_of(st.just(False), _ODD))}
    for key in draw(st.sets(st.sampled_from(["first_name", "last_name", "username",
                                             "language_code", "title", "is_premium"]))):
        user[key] = draw(st.one_of(st.text(max_size=8), _ODD))
    chat = {"id": user["id"] if draw(st.booleans()) else draw(_ODD),
            "type": draw(st.sampled_from(["private", "private", "group", "supergroup"]))}
    message: dict[str, Any] = {
        "message_id": draw(st.one_of(st.integers(-5, 2**31), _ODD)),
        "from": user, "chat": chat,
        "date": draw(st.one_of(st.integers(-2**40, 2**40), _ODD)),
        "text": draw(st.one_of(st.text(max_size=20), st.just("  \u200b "), _ODD)),
    }
    for key in draw(st.sets(st.sampled_from(["reply_to_message", "caption", "photo",
                                             "sender_chat", "pinned_message"]), max_size=1)):
        message[key] = draw(st.one_of(st.dictionaries(st.text(max_size=3), _ODD, max_size=2),
                                      _ODD))
    update: dict[str, Any] = {"update_id": draw(st.one_of(st.integers(-3, 2**40), _ODD)),
                              "message": message}
    if draw(st.integers(0, 9)) == 0:
        update["edited_message"] = message
    return update


_EVERYDAY = {"update_id": 1, "message": {
    "message_id": 2, "date": 1_762_074_000, "text": "hello",
    "from": {"id": 5, "is_bot": False, "first_name": "Bo", "username": ""},
    "chat": {"id": 5, "type": "private"}}}


@given(everyday_updates())
@example(_EVERYDAY)  # an empty username is no username
@example({**_EVERYDAY, "message": {**_EVERYDAY["message"], "from": {"id": 5, "username": "x"}}})
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
def test_the_everyday_fast_path_reads_what_the_general_path_reads(update: Any) -> None:
    """_plain_private answers only for updates it reads exactly as _parse_update does."""
    from smm_desk.connectors import telegram_parse as tp

    fast = tp._plain_private(update)
    if fast is None:
        return
    assert fast == tp._parse_update(update, {})


def test_the_everyday_fast_path_takes_the_everyday_update() -> None:
    from smm_desk.connectors import telegram_parse as tp

    update = {"update_id": 7, "message": {
        "message_id": 12, "date": 1_762_074_000, "text": "  where is my order?  ",
        "from": {"id": 42, "is_bot": False, "first_name": "Ann", "username": "ann_k",
                 "language_code": "en"},
        "chat": {"id": 42, "type": "private", "first_name": "Ann", "username": "ann_k"}}}
    fast = tp._plain_private(update)
    assert fast is not None and fast == tp._parse_update(update, {})
    assert (fast.text, fast.author_name, fast.extra["username"]) == (
        "where is my order?", "Ann", "ann_k")
