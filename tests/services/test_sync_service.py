"""``SyncService`` on the qasync loop against the in-process simulator: a DM
arrives in the queue, a reply leaves and the outbox count goes to 0, a network
that refuses connections turns the desk offline and back online."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pytestqt.qtbot import QtBot

from smm_desk.connectors.http import RetryPolicy
from smm_desk.services.sync import OFFLINE, SyncService
from smm_desk.sim.telegram import TelegramSim
from smm_desk.sim.transport import SimTransport
from smm_desk.sim.world import SimWorld
from smm_desk.store.api import Store
from smm_desk.store.database import Database
from smm_desk.sync.engine import default_factory
from tests.support.qt_loop import qt_loop  # noqa: F401 - the loop fixture

pytestmark = pytest.mark.qt_log_level_fail("WARNING")

TOKEN = "7000001:AAE-sim-telegram-token"


class Switch(httpx.AsyncBaseTransport):
    """The simulator behind a cable that can be pulled: ``offline`` refuses connections."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.offline = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.offline:
            raise httpx.ConnectError("simulated: connection refused", request=request)
        return await self.inner.handle_async_request(request)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(Database.open(f"sqlite:///{tmp_path}/desk.db"))
    yield s
    s.close()


@pytest.fixture
def world() -> SimWorld:
    w = SimWorld(max_poll_wait=0.3)
    sim = TelegramSim(w)
    w.add(sim)
    sim.add_account(TOKEN, "acme_shop_bot")
    return w


@pytest.fixture
def cable(world: SimWorld) -> Switch:
    return Switch(SimTransport(world))


@pytest.fixture
def service(store: Store, cable: Switch, qt_loop: asyncio.AbstractEventLoop,  # noqa: F811
            qtbot: QtBot) -> Iterator[SyncService]:
    account = store.add_account("telegram", "@acme_shop_bot", base_url="http://sim.invalid")
    sync = SyncService(
        store, factory=default_factory(transport=cable),
        tokens=lambda account_id: TOKEN if account_id == account.id else None,
        poll_interval=0.1, poll_wait=0.3, idle_interval=0.1,
        backoff=RetryPolicy(attempts=1_000_000, base=0.05, cap=0.2),
    )
    # No extra wait of a second per failure in tests: the backoff above decides.
    sync.engine.delivery.interval = 0.1
    yield sync
    task = qt_loop.create_task(sync.aclose())
    qtbot.waitUntil(task.done, timeout=10_000)
    task.result()


def test_a_dm_in_the_simulator_reaches_the_queue(
    qtbot: QtBot, service: SyncService, store: Store, world: SimWorld,
) -> None:
    with qtbot.waitSignal(service.accounts_changed, timeout=5000) as first:
        service.start()
    assert [a.name for a in first.args[0]] == ["@acme_shop_bot"]
    world.handler("telegram").inject_dm(TOKEN, "42", "Sarah Collins", "Charged twice!")
    with qtbot.waitSignal(service.activity, timeout=5000):
        qtbot.waitUntil(lambda: len(store.queue_ids()) == 1, timeout=5000)
    case = store.queue()[0]
    assert (case.customer, case.last_inbound_text) == ("Sarah Collins", "Charged twice!")
    assert service.online()


def test_a_queued_reply_is_delivered_and_the_outbox_empties(
    qtbot: QtBot, service: SyncService, store: Store, world: SimWorld,
) -> None:
    sim = world.handler("telegram")
    sim.inject_dm(TOKEN, "42", "Sarah Collins", "Charged twice!")
    counts: list[int] = []
    service.outbox_changed.connect(counts.append)
    service.start()
    qtbot.waitUntil(lambda: len(store.queue_ids()) == 1, timeout=5000)
    store.queue_reply(store.queue_ids()[0], "Refunded, sorry!", "kim")
    qtbot.waitUntil(lambda: counts[-1:] == [0] and 1 in counts, timeout=5000)
    assert [p["text"] for p in sim.posted(TOKEN)] == ["Refunded, sorry!"]
    assert service.outbox_count() == 0


def test_no_connection_turns_the_desk_offline_and_back(
    qtbot: QtBot, service: SyncService, store: Store, world: SimWorld, cable: Switch,
) -> None:
    sim = world.handler("telegram")
    online: list[bool] = []
    service.online_changed.connect(online.append)
    sim.inject_dm(TOKEN, "42", "Sarah Collins", "Charged twice!")
    service.start()
    qtbot.waitUntil(lambda: len(store.queue_ids()) == 1, timeout=5000)
    case_id = store.queue_ids()[0]

    cable.offline = True
    with qtbot.waitSignal(service.online_changed, timeout=10_000) as went:
        pass
    assert went.args == [False]
    assert [service.state_of(a) for a in service.accounts()] == [OFFLINE]
    # Replies are written offline and wait in the outbox.
    store.queue_reply(case_id, "Refunded, sorry!", "kim")
    qtbot.waitUntil(lambda: service.outbox_count() == 1, timeout=5000)

    cable.offline = False
    with qtbot.waitSignal(service.online_changed, timeout=10_000) as back:
        pass
    assert back.args == [True] and online == [False, True]
    qtbot.waitUntil(lambda: service.outbox_count() == 0, timeout=10_000)
    assert [p["text"] for p in sim.posted(TOKEN)] == ["Refunded, sorry!"]  # exactly once
    assert [service.state_of(a) for a in service.accounts()] == ["ok"]


def test_pause_and_resume_an_account(qtbot: QtBot, service: SyncService) -> None:
    service.start()
    qtbot.waitUntil(lambda: bool(service.accounts()), timeout=5000)
    account_id = service.accounts()[0].id
    service.pause_account(account_id)
    qtbot.waitUntil(lambda: service.accounts()[0].status == "paused", timeout=5000)
    assert service.online()  # a paused account is not an offline desk
    service.resume_account(account_id)
    qtbot.waitUntil(lambda: service.accounts()[0].status == "ok", timeout=5000)


def test_closing_during_a_status_poll_does_not_wait_a_poll_interval(
    qtbot: QtBot, store: Store, cable: Switch,
    qt_loop: asyncio.AbstractEventLoop,  # noqa: F811
) -> None:
    import time

    sync = SyncService(store, factory=default_factory(transport=cable), tokens=lambda _i: None,
                       poll_interval=30.0)
    started = asyncio.Event()
    release = asyncio.Event()
    real = sync.poll_once

    async def slow_poll() -> None:
        started.set()
        await release.wait()  # the stop arrives while this poll runs
        await real()

    sync.poll_once = slow_poll  # type: ignore[method-assign]
    sync.start()
    qtbot.waitUntil(started.is_set, timeout=5_000)
    t0 = time.monotonic()
    task = qt_loop.create_task(sync.aclose())
    release.set()
    qtbot.waitUntil(task.done, timeout=10_000)
    task.result()
    assert time.monotonic() - t0 < 5.0  # not the 30 s poll interval
