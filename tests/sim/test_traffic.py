"""The traffic generator feeds every simulated network through the real
connectors: multilingual, threaded, nothing quarantined."""

from __future__ import annotations

import asyncio
import random

from smm_desk.connectors.base import AccountConfig, connector_class
from smm_desk.sim.mastodon import MastodonSim
from smm_desk.sim.telegram import TelegramSim
from smm_desk.sim.traffic import Target, Traffic
from smm_desk.sim.transport import SimTransport
from smm_desk.sim.vk import VkSim
from smm_desk.sim.world import SimWorld


def test_traffic_reaches_the_queue_through_real_connectors() -> None:
    world = SimWorld(max_poll_wait=0.5)
    tg, vk, ma = TelegramSim(world), VkSim(world), MastodonSim(world)
    for handler, token, name in ((tg, "1:tg", "bot"), (vk, "vk-tok", "club"),
                                 (ma, "ma-tok", "acme")):
        world.add(handler)
        handler.add_account(token, name)
    targets = [Target("telegram", "1:tg"), Target("vk", "vk-tok"), Target("mastodon", "ma-tok")]
    traffic = Traffic(world, targets, rng=random.Random(3))

    async def collect() -> dict[str, list]:
        out: dict[str, list] = {}
        options = {"vk": {"group_id": str(vk.group_id("vk-tok"))}}
        connectors = {
            t.network: connector_class(t.network)(
                AccountConfig(i, t.network, "x", "http://sim.invalid", options.get(t.network, {})),
                t.token, transport=SimTransport(world))
            for i, t in enumerate(targets, start=1)
        }
        cursors: dict[tuple[str, str], str | None] = {}
        for network, c in connectors.items():  # VK and Mastodon start "from now"
            for stream in c.streams:
                cursors[(network, stream)] = (await c.fetch(stream, None, wait=0)).cursor
        injected = [traffic.step() for _ in range(60)]
        for network, c in connectors.items():
            out[network] = []
            for stream in c.streams:
                for _ in range(10):
                    result = await c.fetch(stream, cursors[(network, stream)], wait=0)
                    assert result.quarantined == []
                    out[network] += result.messages
                    cursors[(network, stream)] = result.cursor or cursors[(network, stream)]
                    if not result.more:
                        break
            await c.aclose()
        out["injected"] = injected
        return out

    got = asyncio.run(collect())
    injected = got.pop("injected")
    assert sum(len(v) for v in got.values()) == len(injected) == 60
    languages = {i["language"] for i in injected}
    assert languages == {"en", "ru", "vi"}
    assert {i["where"] for i in injected} == {"dm", "comment"}
    for network, messages in got.items():
        expected = sorted(i["text"] for i in injected if i["network"] == network)
        assert sorted(m.text.removeprefix("@acme ") for m in messages) == expected
        threads = {m.thread_key for m in messages}
        assert len(threads) < len(messages) or len(messages) <= 1  # threads build up
