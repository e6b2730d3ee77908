"""``SyncService``: the sync engine on the Qt loop, and what the window shows of it.

The engine (``SyncEngine.run``) runs as an asyncio task on the qasync loop:
network calls are coroutines on the Qt thread, database work goes to the
engine's one :class:`~smm_desk.sync.engine.DbWorker` thread. Beside it a small
poller reads, every ``poll_interval`` seconds and through the same worker, what
the window shows: each account's state, the outbox count, new SLA alerts and a
cheap "something changed" marker. It announces each only when it changed, so
an idle desk emits nothing.

Reachability: an account is *offline* when its last failure was a transport
failure (cannot connect, timeout, 5xx: the connectors' ``TransientError``) and
it has not succeeded since. The desk is offline (``online_changed(False)``)
when every account that should be syncing (not paused, not waiting for a new
token) is offline; one failing account only shows as offline in the status bar.

The engine and its worker thread are built when sync starts (or when something
first asks for ``engine`` or ``db``), not with the service: the composition root
builds the service before the first window, and the engine's imports
(``smm_desk.services.observed_engine``: connectors, httpx, keyring) would delay
it. Until then no account can be unreachable, as before the engine's first round.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from smm_desk.domain.records import AccountStatus
from smm_desk.secrets import get_token

if TYPE_CHECKING:
    from smm_desk.connectors.http import RetryPolicy
    from smm_desk.domain.views import AccountView
    from smm_desk.services.observed_engine import ObservedEngine
    from smm_desk.store.api import Store
    from smm_desk.sync.engine import ConnectorFactory, DbWorker, TokenSource

log = logging.getLogger("smm_desk.sync")

#: What the status bar shows per account.
OFFLINE = "offline"


class SyncService(QObject):
    """Owns the engine on the running asyncio loop (qasync in the app).

    Signals carry plain values: ``accounts_changed(list[AccountView])``,
    ``outbox_changed(int)``, ``online_changed(bool)``, ``alerts(list[SlaAlertView])``
    (warnings and breaches recorded since the last poll) and ``activity()``
    (messages arrived or something happened to a case: views may refresh).
    """

    accounts_changed = Signal(list)
    outbox_changed = Signal(int)
    online_changed = Signal(bool)
    alerts = Signal(list)
    activity = Signal()

    def __init__(
        self,
        store: Store,
        *,
        factory: ConnectorFactory | None = None,
        tokens: TokenSource = get_token,
        poll_interval: float = 2.0,
        poll_wait: float = 25.0,
        idle_interval: float = 10.0,
        backoff: RetryPolicy | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._engine_options: dict[str, Any] = {
            "factory": factory, "tokens": tokens, "poll_wait": poll_wait,
            "idle_interval": idle_interval, "backoff": backoff}
        self._engine: ObservedEngine | None = None
        self._db: DbWorker | None = None
        self.poll_interval = poll_interval
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._spawned: set[asyncio.Task[None]] = set()
        self._shown_states: list[str] = []
        self._wake = asyncio.Event()
        self._accounts: list[AccountView] = []
        self._outbox: int | None = None
        self._online = True
        self._marker: tuple[int, int] | None = None
        self._last_alert: int | None = None
        self._closed = False

    @property
    def engine(self) -> ObservedEngine:
        """The engine (built on first use: see the module doc)."""
        if self._engine is None:
            from smm_desk.services.observed_engine import ObservedEngine
            from smm_desk.sync.engine import DbWorker

            self._db = DbWorker()
            self._engine = ObservedEngine(self._store, db=self._db, **self._engine_options)
        return self._engine

    @property
    def db(self) -> DbWorker:
        """The engine's database thread, which the poller shares (built with it)."""
        if self._db is None:
            _ = self.engine
        assert self._db is not None
        return self._db

    # -- what the window reads -------------------------------------------------------
    def accounts(self) -> list[AccountView]:
        return list(self._accounts)

    def outbox_count(self) -> int:
        return self._outbox or 0

    def online(self) -> bool:
        return self._online

    def state_of(self, account: AccountView) -> str:
        """ok, offline, rate_limited, needs_auth, paused or error (see the module doc)."""
        if (account.status == AccountStatus.ERROR.value and self._engine is not None
                and account.id in self._engine.unreachable):
            return OFFLINE
        return account.status

    # -- running -----------------------------------------------------------------------
    def start(self) -> None:
        """Start the engine and the poller as tasks on the running loop."""
        if self._tasks:
            return
        loop = asyncio.get_event_loop()
        _ = self.engine  # built here, on the GUI thread, before its tasks run
        self._stop.clear()
        self._tasks = [
            loop.create_task(self._run_engine(), name="smm-desk-sync"),
            loop.create_task(self._poll_loop(), name="smm-desk-sync-status"),
        ]

    def running(self) -> bool:
        return any(not t.done() for t in self._tasks)

    def stop(self) -> None:
        """Ask the engine and the poller to stop (see :meth:`aclose` to wait for it)."""
        self._stop.set()
        self._wake.set()

    async def aclose(self) -> None:
        """Stop, wait for the tasks, close the connectors and the database worker."""
        self.stop()
        pending = [*self._tasks, *self._spawned]
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        self._tasks = []
        if not self._closed:
            self._closed = True
            if self._engine is not None:  # never built: nothing to close
                await self._engine.aclose()
                assert self._db is not None
                self._db.close()

    def pause_account(self, account_id: int) -> None:
        """Stop syncing one account (its outbox waits) until :meth:`resume_account`."""
        self._spawn(self._set_status(account_id, AccountStatus.PAUSED))

    def resume_account(self, account_id: int) -> None:
        self._spawn(self._set_status(account_id, AccountStatus.OK))

    def reload_accounts(self) -> None:
        """Accounts were changed elsewhere (the settings dialog paused, resumed,
        added one or gave it a new token): the engine re-reads them now rather
        than at its next round (a paused account stops after its current long
        poll; a resumed one starts within the engine's round of 5 s), and the
        status bar follows at once."""
        if self.running():
            self._spawn(self._reload())
        else:
            self.poll_now()

    def poll_now(self) -> None:
        """Read the state at once instead of at the next interval."""
        self._wake.set()

    # -- internals -----------------------------------------------------------------------
    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_event_loop().create_task(coro)
        self._spawned.add(task)
        task.add_done_callback(self._forget)

    def _forget(self, task: asyncio.Task[None]) -> None:
        self._spawned.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("sync task failed: %r", task.exception())

    async def _set_status(self, account_id: int, status: AccountStatus) -> None:
        await self.db(self._store.set_account_status, account_id, status, "")
        self.engine.unreachable.discard(account_id)
        self.poll_now()

    async def _reload(self) -> None:
        await self.engine.refresh_accounts()
        for account_id in list(self.engine.unreachable):
            state = self.engine.states.get(account_id)
            if state is None or state.account.status != AccountStatus.ERROR.value:
                self.engine.unreachable.discard(account_id)
        self.poll_now()

    async def _run_engine(self) -> None:
        try:
            await self.engine.run(self._stop)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - shown in the log; the window keeps working offline
            log.exception("the sync engine stopped")

    async def _poll_loop(self) -> None:
        while not self._stop.is_set():
            # Cleared before the poll, not after: a wake (or the stop) that comes
            # while it runs must not be lost, or closing the window waits a whole
            # poll interval for this loop.
            self._wake.clear()
            try:
                await self.poll_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - e.g. the database briefly locked
                log.warning("reading the sync state failed: %s", exc)
            if self._stop.is_set():
                break
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_interval)
            except TimeoutError:
                pass

    async def poll_once(self) -> None:
        """Read accounts, outbox, alerts and the activity marker; emit what changed."""
        db: Callable[..., Awaitable[Any]] = self.db
        accounts: list[AccountView] = await db(self._store.accounts)
        outbox: int = await db(self._store.outbox_count)
        marker: tuple[int, int] = await db(self._store.activity_marker)
        if self._last_alert is None:
            # Alerts recorded before this desk started are history, not news.
            self._last_alert = marker[1]
            new_alerts = []
        else:
            new_alerts = await db(self._store.sla_alerts_after, self._last_alert)
        if accounts != self._accounts or self._states_changed(accounts):
            self._accounts = accounts
            self._shown_states = [self.state_of(a) for a in accounts]
            self.accounts_changed.emit(list(accounts))
        if outbox != self._outbox:
            self._outbox = outbox
            self.outbox_changed.emit(outbox)
        online = self._judge_online(accounts)
        if online != self._online:
            self._online = online
            self.online_changed.emit(online)
        if new_alerts:
            self._last_alert = new_alerts[-1].event_id
            self.alerts.emit(new_alerts)
        if marker != self._marker:
            first = self._marker is None
            self._marker = marker
            if not first:
                self.activity.emit()

    def _states_changed(self, accounts: list[AccountView]) -> bool:
        return [self.state_of(a) for a in accounts] != self._shown_states

    def _judge_online(self, accounts: list[AccountView]) -> bool:
        active = [a for a in accounts if a.status not in (AccountStatus.PAUSED.value,
                                                          AccountStatus.NEEDS_AUTH.value)]
        return not active or any(self.state_of(a) != OFFLINE for a in active)
