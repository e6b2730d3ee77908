"""Which simulator serves which network, and the account each one offers.

The demo (app/demo.py), the end-to-end tests (tests/support/simulated.py) and
the benchmarks build their simulated worlds from this one table, so a network
added here appears in all of them. A handler class provides:

* ``add_account(token, name)`` — a simulated account the connector signs in to;
* ``account_options(token) -> dict[str, str]`` — the ``--option`` pairs
  ``accounts add`` needs for it (VK's ``group_id``, X's ``user_id``…);
* ``inject_dm(token, author_id, author_name, text, at)`` and
  ``inject_comment(token, post_id, author_id, author_name, text, at)`` — a
  customer writes (returns the new item's external id); ``seed`` says which one
  the demo's seeded cases use.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from smm_desk.sim.world import SimWorld


@dataclass(frozen=True)
class SimSpec:
    network: str
    module: str
    cls: str
    #: Account name inside the simulator, and the handle the app shows.
    name: str
    handle: str
    #: The simulated account's credential (fake; never the keyring in the demo).
    token: str
    #: "dm" or "comment": how the demo's seeded cases reach this network.
    seed: str = "dm"

    def handler_class(self) -> Any:
        return getattr(importlib.import_module(self.module), self.cls)


SPECS: dict[str, SimSpec] = {s.network: s for s in (
    SimSpec("telegram", "smm_desk.sim.telegram", "TelegramSim", "acme_shop_bot",
            "@acme_shop_bot", "7000001:AAE-demo-telegram-token"),
    SimSpec("vk", "smm_desk.sim.vk", "VkSim", "club_acme", "club_acme",
            "vk1.a.demo-vk-community-token", seed="comment"),
    SimSpec("mastodon", "smm_desk.sim.mastodon", "MastodonSim", "acme",
            "@acme@mastodon.example", "demo-mastodon-user-token", seed="comment"),
    SimSpec("facebook", "smm_desk.sim.facebook", "FacebookSim", "Acme Shop", "Acme Shop",
            "EAAdemo-facebook-page-token", seed="comment"),
    SimSpec("instagram", "smm_desk.sim.instagram", "InstagramSim", "acme.shop", "@acme.shop",
            "IGQdemo-instagram-user-token", seed="comment"),
    SimSpec("x", "smm_desk.sim.x", "XSim", "acme_shop", "@acme_shop",
            "demo-x-oauth2-user-token", seed="comment"),
    SimSpec("youtube", "smm_desk.sim.youtube", "YouTubeSim", "Acme Shop", "Acme Shop (YouTube)",
            "ya29.demo-youtube-access-token", seed="comment"),
    SimSpec("bluesky", "smm_desk.sim.bluesky", "BlueskySim", "acme.bsky.social",
            "@acme.bsky.social", "demo-bsky-app-pass", seed="comment"),
    SimSpec("reddit", "smm_desk.sim.reddit", "RedditSim", "acme_support", "u/acme_support",
            "demo-reddit-access-token", seed="comment"),
    SimSpec("email", "smm_desk.sim.email", "EmailSim", "support@acme.example",
            "support@acme.example", "demo-mail-password"),
)}


def available() -> tuple[str, ...]:
    """Networks whose simulator exists (in table order)."""
    found = []
    for network, spec in SPECS.items():
        try:
            spec.handler_class()
        except (ModuleNotFoundError, AttributeError):
            continue
        found.append(network)
    return tuple(found)


def build(world: SimWorld, network: str, token: str | None = None,
          name: str | None = None) -> Any:
    """A handler for ``network`` added to ``world`` with its one account."""
    spec = SPECS[network]
    handler = spec.handler_class()(world)
    world.add(handler)
    handler.add_account(token or spec.token, name or spec.name)
    return handler


def account_options(handler: Any, token: str) -> dict[str, str]:
    options = getattr(handler, "account_options", None)
    return dict(options(token)) if options is not None else {}
