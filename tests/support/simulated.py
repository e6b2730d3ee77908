"""A simulated workspace for end-to-end tests: one loopback simulator serving
every network, and one account per network registered through the real CLI
(``accounts add NETWORK … --base-url http://127.0.0.1:PORT``). Which handler
serves a network, and the account it offers, comes from the simulator's
catalog (smm_desk/sim/catalog.py), shared with the demo."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

from smm_desk.sim import catalog
from smm_desk.sim.transport import SimServer
from smm_desk.sim.world import SimWorld

#: Test tokens differ from the demo's, so a leak of either is told apart.
TEST_TOKENS = {
    "telegram": "7000001:AAE-sim-telegram-token",
    "vk": "vk1.a.sim-vk-community-token",
    "mastodon": "sim-mastodon-user-token",
}


def token_for(network: str) -> str:
    return TEST_TOKENS.get(network, f"sim-{network}-test-token-0001")


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
        for key, value in catalog.account_options(acc.handler, acc.token).items():
            args += ["--option", f"{key}={value}"]
        return args

    def env(self) -> dict[str, str]:
        return {f"SIM_TOKEN_{n.upper()}": a.token for n, a in self.accounts.items()}


@contextmanager
def simulated_workspace(networks: tuple[str, ...] = ("telegram", "vk", "mastodon"),
                        configure: Callable[[SimWorld], None] | None = None,
                        ) -> Iterator[SimulatedWorkspace]:
    world = SimWorld(max_poll_wait=2.0)
    if configure is not None:
        configure(world)
    accounts = {}
    with ExitStack() as stack:
        for network in networks:
            token = token_for(network)
            handler = catalog.build(world, network, token=token)
            if hasattr(handler, "close"):  # handlers with servers of their own (email)
                stack.callback(handler.close)
            accounts[network] = SimAccount(network, catalog.SPECS[network].name, token, handler)
        server = stack.enter_context(SimServer(world))
        yield SimulatedWorkspace(world, server, accounts)
