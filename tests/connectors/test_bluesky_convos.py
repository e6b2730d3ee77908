"""Bluesky DMs: the member names of new conversations.

Several new conversations in one ``getLog`` page are named from one
``chat.bsky.convo.listConvos`` page instead of one ``getConvo`` each (both
answer the lexicon's ``convoView``). Pinned here: the messages read are the
same as with ``getConvo`` alone (property test over names and traffic), the
request counts, and the fallbacks (one new conversation; conversations not on
the listed page; a refused ``listConvos``).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smm_desk.connectors.bluesky import BlueskyConnector
from smm_desk.sim.world import Fault
from tests.connectors.test_bluesky import APP_PASSWORD, Env, drain
from tests.support.connector_kit import run


def calls(env: Env) -> Counter[str]:
    return Counter(path.rsplit("/", 1)[-1] for _, _, path in env.world.requests)


def read_chat(env: Env, *, listed: bool = True, cursor: str | None = None
              ) -> tuple[list[Any], str | None]:
    async def go() -> tuple[list[Any], str | None]:
        conn = env.connector()
        if not listed:  # the general path: one getConvo per new conversation
            async def nothing(wanted: list[str]) -> None:
                del wanted
            conn._learn_listed = nothing  # type: ignore[method-assign]
        try:
            return await drain(conn, "chat", cursor)
        finally:
            await conn.aclose()
    messages, cursor = run(go())
    return messages, cursor


names = st.text(st.characters(codec="utf-8"), max_size=40)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(traffic=st.lists(st.tuples(st.integers(0, 70), names, st.text(min_size=1, max_size=30)),
                        min_size=1, max_size=120))
def test_listed_names_read_the_same_messages_as_get_convo(
        traffic: list[tuple[int, str, str]]) -> None:
    worlds = [Env(), Env()]
    for env in worlds:
        for customer, name, text in traffic:
            env.sim.inject_dm(APP_PASSWORD, str(customer), name or "x", text)
    fast, fast_cursor = read_chat(worlds[0])
    slow, slow_cursor = read_chat(worlds[1], listed=False)
    assert fast == slow
    assert fast_cursor == slow_cursor
    assert len(fast) == len(traffic)
    new_convos = len({customer for customer, _, _ in traffic})
    assert calls(worlds[1])["chat.bsky.convo.getConvo"] == new_convos
    assert calls(worlds[0])["chat.bsky.convo.getConvo"] <= 1


def test_several_new_conversations_take_one_listing_and_no_get_convo() -> None:
    env = Env()
    for customer in range(30):
        env.sim.inject_dm(APP_PASSWORD, str(customer), f"Customer {customer}", "hello")
    messages, _ = read_chat(env)
    assert [m.author_name for m in messages] == [f"Customer {c}" for c in range(30)]
    seen = calls(env)
    assert seen["chat.bsky.convo.listConvos"] == 1
    assert seen["chat.bsky.convo.getConvo"] == 0


def test_one_new_conversation_is_read_with_get_convo() -> None:
    env = Env()
    env.sim.inject_dm(APP_PASSWORD, "7", "Anna", "hi")
    env.sim.inject_dm(APP_PASSWORD, "7", "Anna", "hello?")
    messages, _ = read_chat(env)
    assert [m.author_name for m in messages] == ["Anna", "Anna"]
    seen = calls(env)
    assert seen["chat.bsky.convo.listConvos"] == 0
    assert seen["chat.bsky.convo.getConvo"] == 1


def test_conversations_not_on_the_listed_page_fall_back_to_get_convo() -> None:
    env = Env()
    for customer in range(60):  # the first log page: 50 new conversations
        env.sim.inject_dm(APP_PASSWORD, f"a{customer}", f"Early {customer}", "first")
    for customer in range(110):  # newer activity: the listing's first 100 are these
        env.sim.inject_dm(APP_PASSWORD, f"b{customer}", f"Late {customer}", "later")
    messages, _ = read_chat(env)
    slow_env = Env()
    for customer in range(60):
        slow_env.sim.inject_dm(APP_PASSWORD, f"a{customer}", f"Early {customer}", "first")
    for customer in range(110):
        slow_env.sim.inject_dm(APP_PASSWORD, f"b{customer}", f"Late {customer}", "later")
    slow, _ = read_chat(slow_env, listed=False)
    assert messages == slow
    assert [m.author_name for m in messages[:60]] == [f"Early {c}" for c in range(60)]
    seen = calls(env)
    assert seen["chat.bsky.convo.getConvo"] >= 50  # the early ones were not listed
    assert seen["chat.bsky.convo.getConvo"] < 170


def test_a_refused_listing_falls_back_to_get_convo() -> None:
    env = Env()
    for customer in range(5):
        env.sim.inject_dm(APP_PASSWORD, str(customer), f"Customer {customer}", "hello")
    env.world.inject(Fault("bluesky", "status", match="listConvos", status=400,
                           body={"error": "InvalidRequest", "message": "no"}))
    messages, _ = read_chat(env)
    assert [m.author_name for m in messages] == [f"Customer {c}" for c in range(5)]
    assert calls(env)["chat.bsky.convo.getConvo"] == 5


def test_listing_is_asked_through_the_chat_proxy_with_the_page_limit() -> None:
    env = Env()
    for customer in range(3):
        env.sim.inject_dm(APP_PASSWORD, str(customer), f"Customer {customer}", "hello")
    seen: list[Any] = []
    original = env.world.handle

    def spy(request: Any) -> Any:
        if request.url.path.endswith("listConvos"):
            seen.append(request)
        return original(request)

    env.world.handle = spy  # type: ignore[method-assign]
    read_chat(env)
    assert len(seen) == 1
    assert seen[0].method == "GET"
    assert dict(seen[0].url.params) == {"limit": "100"}
    assert seen[0].headers["atproto-proxy"] == "did:web:api.bsky.chat#bsky_chat"
    assert isinstance(BlueskyConnector, type)
