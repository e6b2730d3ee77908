"""A simulated workspace for end-to-end tests: one loopback simulator serving
every network, and one account per network registered through the real CLI
(``accounts add NETWORK … --base-url http://127.0.0.1:PORT``)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from smm_desk.sim.transport import SimServer
from smm_desk.sim.world import SimWorld

#: network -> (sim module, class, account name, token, extra CLI args builder)
SIMULATED = {
    "telegram": ("smm_desk.sim.telegram", "TelegramSim", "acme_shop_bot",
                 "7000001:AAE-sim-telegram-token"),
    "vk": ("smm_desk.sim.vk", "VkSim", "club_acme", "vk1.a.sim-vk-community-token"),
    "mastodon": ("smm_desk.sim.mastodon", "MastodonSim", "acme", "sim-mastodon-user-token"),
}


@dataclass
class SimAccount:
    network: str
    name: str
    token: str
    handler: Any
    account_id: int | None = None


@dataclass
class SimulatedWorkspace:
    world: SimWorld
    server: SimServer
    accounts: dict[str, SimAccount] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.url

    def cli_args(self, network: str) -> list[str]:
        acc = self.accounts[network]
        args = ["accounts", "add", network, "--name", acc.name, "--base-url", self.url,
                "--token-env", f"SIM_TOKEN_{network.upper()}"]
        if network == "vk":
            args += ["--option", f"group_id={acc.handler.group_id(acc.token)}"]
        return args

    def env(self) -> dict[str, str]:
        return {f"SIM_TOKEN_{n.upper()}": a.token for n, a in self.accounts.items()}


@contextmanager
def simulated_workspace(networks: tuple[str, ...] = tuple(SIMULATED),
                        configure: Callable[[SimWorld], None] | None = None,
                        ) -> Iterator[SimulatedWorkspace]:
    world = SimWorld(max_poll_wait=2.0)
    if configure is not None:
        configure(world)
    accounts = {}
    for network in networks:
        module, cls_name, name, token = SIMULATED[network]
        handler = getattr(importlib.import_module(module), cls_name)(world)
        world.add(handler)
        handler.add_account(token, name)
        accounts[network] = SimAccount(network, name, token, handler)
    with SimServer(world) as server:
        yield SimulatedWorkspace(world, server, accounts)
