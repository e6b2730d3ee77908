"""The sync engine: network data in, replies out, nothing lost, nothing twice.

For each account and stream: fetch since the stored cursor → the connector
normalizes → the store threads the records into cases, refreshes SLA snapshots
and saves the new cursor, all in one transaction (``Store.ingest``). A crash at
any point therefore either keeps the whole batch or none of it, and re-fetching
a batch is a no-op thanks to the (account, external id) key.

Failures are per account and never stop the others:

* ``AuthError`` → the account becomes ``needs_auth`` and is left alone until a
  person fixes the token (the GUI and ``accounts list`` show it).
* ``RateLimited`` → ``rate_limited`` with the time the network named; no request
  goes to that account (fetch or send) before it.
* ``TransientError`` / ``BadPayload`` / an unexpected bug in a connector → the
  account shows ``error`` with one line of detail, and is retried with
  exponential backoff and jitter; the next success sets it back to ``ok``.

Blocking database work runs on one worker thread (:class:`DbWorker`), so on the
Qt loop (qasync) the window never waits on SQLite or PostgreSQL.

Teams: every desk runs an engine over the shared database, but one desk polls
each account — the one holding its lease (store/leases.py), taken before a poll
and renewed while polling (:data:`LEASE_RENEW_EVERY`); the others skip the
account until the lease runs out (:meth:`SyncEngine.lease_ttl`, at least
:data:`LEASE_TTL`). A desk is its machine and OS user (:func:`desk_id`), so a
desk restarted after a crash takes its own leases back at once. Every desk
delivers replies: a reply's claim is its own lock.
"""

from __future__ import annotations

import asyncio
import getpass
import logging
import random
import socket
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, TypeVar

import httpx

from smm_desk.connectors.base import AccountConfig, Connector, connector_class
from smm_desk.connectors.credentials import Credentials, MemoryCredentials
from smm_desk.connectors.errors import AuthError, ConnectorError, RateLimited
from smm_desk.connectors.http import Redactor, RetryPolicy
from smm_desk.domain.records import AccountStatus
from smm_desk.domain.views import AccountView
from smm_desk.secrets import KeyringCredentials, SecretStoreError, get_token
from smm_desk.store.api import Store
from smm_desk.sync.delivery import OutboxDelivery

log = logging.getLogger("smm_desk.sync")
T = TypeVar("T")

#: Most items stored in one transaction when a network has several pages ready.
BATCH_ITEMS = 1000
#: How long a desk's poll lease on an account lasts (longer with a longer long poll),
#: and how often a polling desk renews it.
LEASE_TTL = timedelta(seconds=90)
LEASE_RENEW_EVERY = timedelta(seconds=30)


def desk_id() -> str:
    """This desk among a team's: its machine and OS user, stable across restarts."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no login name (containers)
        user = "desk"
    return f"{socket.gethostname()}:{user}"

ConnectorFactory = Callable[[AccountView, str, Credentials], Connector]
TokenSource = Callable[[int], str | None]
#: account id -> that account's secrets (the keyring unless tokens come from elsewhere).
CredentialSource = Callable[[int], Credentials]


class DbWorker:
    """The one thread that does blocking database work for the event loop."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="smm-desk-db")

    async def __call__(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, partial(fn, *args, **kwargs))

    def close(self) -> None:
        self._pool.shutdown(wait=True)


def default_factory(
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], datetime] | None = None,
) -> ConnectorFactory:
    """Builds real connectors; ``transport`` swaps the wire (simulator, tests)."""

    def build(account: AccountView, token: str, credentials: Credentials) -> Connector:
        cls = connector_class(account.network)
        config = AccountConfig(account.id, account.network, account.name, account.base_url,
                               dict(account.options))
        kwargs: dict[str, Any] = {"transport": transport, "credentials": credentials}
        if clock is not None:
            kwargs["clock"] = clock
        return cls(config, token, **kwargs)

    return build


@dataclass
class AccountState:
    """What the engine remembers about one account between passes."""

    account: AccountView
    connector: Connector | None = None
    not_before: datetime | None = None
    failures: int = 0
    stopped: bool = False
    #: When this desk last took or renewed the account's poll lease (None: not held).
    leased_at: datetime | None = None


@dataclass
class SyncReport:
    fetched: int = 0
    inserted: int = 0
    quarantined: int = 0
    delivered: int = 0
    alerts: int = 0
    errors: dict[int, str] = field(default_factory=dict)


class SyncEngine:
    def __init__(
        self,
        store: Store,
        *,
        factory: ConnectorFactory | None = None,
        tokens: TokenSource = get_token,
        credentials: CredentialSource | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        rng: random.Random | None = None,
        backoff: RetryPolicy | None = None,
        db: DbWorker | None = None,
        poll_wait: float = 25.0,
        idle_interval: float = 10.0,
        holder: str | None = None,
    ) -> None:
        self.store = store
        self.factory = factory or default_factory()
        self.tokens = tokens
        self.credentials = credentials
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.backoff = backoff or RetryPolicy(attempts=1_000_000, base=1.0, cap=300.0)
        self.db = db or DbWorker()
        self._own_db = db is None
        self.poll_wait = poll_wait
        #: Who this engine is to the other desks of a team (poll leases).
        self.holder = holder or desk_id()
        self.lease_ttl = max(LEASE_TTL, timedelta(seconds=3 * poll_wait))
        #: Pause between polls of networks that answer at once (no long poll).
        self.idle_interval = idle_interval
        #: Every token the engine has handed to a connector, for log filters.
        self.redact = Redactor()
        self.states: dict[int, AccountState] = {}
        self.delivery = OutboxDelivery(self)

    def now(self) -> datetime:
        return self.store.clock()

    # --- accounts ---------------------------------------------------------------
    async def refresh_accounts(self) -> list[AccountState]:
        accounts = await self.db(self.store.accounts)
        seen = set()
        for account in accounts:
            seen.add(account.id)
            state = self.states.get(account.id)
            if state is None:
                self.states[account.id] = AccountState(account)
            else:
                if state.account.status == AccountStatus.NEEDS_AUTH.value and \
                        account.status != AccountStatus.NEEDS_AUTH.value:
                    state.stopped = False  # a person fixed it
                    await self._drop_connector(state)
                state.account = account
        for gone in set(self.states) - seen:
            await self._drop_connector(self.states.pop(gone))
        return [s for s in self.states.values() if self.runnable(s)]

    def runnable(self, state: AccountState) -> bool:
        status = state.account.status
        return not state.stopped and status not in (AccountStatus.PAUSED.value,
                                                    AccountStatus.NEEDS_AUTH.value)

    async def connector_for(self, state: AccountState) -> Connector | None:
        if state.connector is not None:
            return state.connector
        try:
            token = await self.db(self.tokens, state.account.id)
        except SecretStoreError as exc:
            await self._set_status(state, AccountStatus.NEEDS_AUTH, str(exc))
            state.stopped = True
            return None
        if not token:
            await self._set_status(state, AccountStatus.NEEDS_AUTH,
                                   "no token in the OS keyring: connect the account again")
            state.stopped = True
            return None
        self.redact.add(token)
        if self.credentials is not None:
            credentials = self.credentials(state.account.id)
        elif self.tokens is get_token:
            credentials = KeyringCredentials(state.account.id, on_secret=self.redact.add)
        else:  # tokens from elsewhere (the demo, tests): the other secrets live in memory
            credentials = MemoryCredentials({"token": token})
        try:
            state.connector = self.factory(state.account, token, credentials)
        except KeyError as exc:
            await self._set_status(state, AccountStatus.ERROR, str(exc.args[0]))
            state.stopped = True
            return None
        return state.connector

    async def _drop_connector(self, state: AccountState) -> None:
        if state.connector is not None:
            await state.connector.aclose()
            state.connector = None

    async def _set_status(self, state: AccountState, status: AccountStatus, detail: str = "",
                          retry_at: datetime | None = None) -> None:
        detail = self.redact(detail)[:500]
        if (state.account.status, state.account.status_detail) == (status.value, detail) and \
                state.account.retry_at == retry_at:
            return
        old = state.account.status
        await self.db(self.store.set_account_status, state.account.id, status, detail, retry_at)
        state.account = await self.db(self.store.account, state.account.id)
        if old != status.value:  # one line per change of state, not per refreshed note
            log.info("account %s (%s): %s → %s%s", state.account.id, state.account.network,
                     old, status.value, f": {' '.join(detail.split())}" if detail else "")

    def waiting(self, state: AccountState) -> float:
        """Seconds until the account may be called again (0 = now)."""
        if state.not_before is None:
            return 0.0
        return max(0.0, (state.not_before - self.now()).total_seconds())

    async def handle_error(self, state: AccountState, exc: BaseException) -> str:
        """Turn a failure into account status and a pause; return the one-line reason."""
        if isinstance(exc, AuthError):
            reason = f"the network refused the token: {exc.network_message or exc}"
            await self._set_status(state, AccountStatus.NEEDS_AUTH, reason)
            state.stopped = True
            await self._drop_connector(state)
        elif isinstance(exc, RateLimited):
            state.not_before = self.now() + timedelta(seconds=exc.retry_after)
            reason = f"rate limited by the network for {exc.retry_after:.0f} s"
            await self._set_status(state, AccountStatus.RATE_LIMITED, reason, state.not_before)
        else:
            state.failures += 1
            wait = self.backoff.delay(min(state.failures, 12), self.rng) + min(
                state.failures, 5)
            state.not_before = self.now() + timedelta(seconds=wait)
            if isinstance(exc, ConnectorError):
                reason = str(exc)
            else:
                log.error("unexpected failure on account %s: %s", state.account.id,
                          self.redact(repr(exc)))
                reason = f"internal error ({type(exc).__name__}); retrying"
            await self._set_status(state, AccountStatus.ERROR, reason)
        return self.redact(reason)

    async def _succeeded(self, state: AccountState) -> None:
        state.failures = 0
        state.not_before = None
        # What the connector wants a person to see while all is well (YouTube's
        # quota left today); "" for most networks.
        note = state.connector.status_note() if state.connector is not None else ""
        if state.account.status != AccountStatus.OK.value:
            # A person may have paused the account (or fixed its token) while
            # this fetch was in flight: never write "ok" over their decision.
            state.account = await self.db(self.store.account, state.account.id)
            if state.account.status in (AccountStatus.PAUSED.value,
                                        AccountStatus.NEEDS_AUTH.value):
                return  # runnable() now keeps the account out of the next rounds
        await self._set_status(state, AccountStatus.OK, note)

    # --- fetching -----------------------------------------------------------------
    async def poll_stream(self, state: AccountState, stream: str, wait: float,
                          report: SyncReport) -> bool:
        """One fetch and its atomic store. Returns whether more is ready now."""
        if not await self.leased(state):
            return False
        connector = await self.connector_for(state)
        if connector is None:
            return False
        cursor = await self.db(self.store.cursor, state.account.id, stream)
        result = await connector.fetch(stream, cursor, wait=wait)
        messages = list(result.messages)
        quarantined = [(q.raw, q.reason) for q in result.quarantined]
        next_cursor = result.cursor
        # Where reading does not confirm anything to the network (all but
        # Telegram's offset), pages that are ready now are stored together: one
        # transaction for up to BATCH_ITEMS items instead of one per page. A
        # crash before the commit re-reads them from the stored cursor.
        while result.more and not connector.confirms_on_fetch and len(messages) < BATCH_ITEMS:
            result = await connector.fetch(stream, next_cursor if next_cursor is not None
                                           else cursor, wait=0)
            messages += result.messages
            quarantined += [(q.raw, q.reason) for q in result.quarantined]
            if result.cursor is not None:
                next_cursor = result.cursor
        if messages or quarantined or (next_cursor is not None and next_cursor != cursor):
            stored = await self.db(self.store.ingest, state.account.id, stream, messages,
                                   next_cursor, quarantined)
            report.inserted += stored.inserted
            report.quarantined += stored.quarantined
        report.fetched += len(messages)
        await self._succeeded(state)
        return result.more

    async def poll_account(self, state: AccountState, wait: float, report: SyncReport,
                           max_pages: int = 50) -> None:
        """Every stream of one account until caught up (or ``max_pages``); nothing
        while another desk of the team polls it."""
        if not await self.leased(state):
            return
        connector = await self.connector_for(state)
        if connector is None:
            return
        for stream in connector.streams:
            for _ in range(max_pages):
                more = await self.poll_stream(state, stream, wait, report)
                if not more:
                    break

    async def leased(self, state: AccountState) -> bool:
        """Whether this desk polls the account now: its lease taken or renewed
        (at most every LEASE_RENEW_EVERY), else another desk's lease runs."""
        now = self.now()
        if state.leased_at is not None and now - state.leased_at < LEASE_RENEW_EVERY:
            return True
        held = await self.db(self.store.take_poll_lease, state.account.id, self.holder,
                             self.lease_ttl)
        if not held and state.leased_at is not None:
            log.info("account %s (%s): now polled by another desk", state.account.id,
                     state.account.network)
        state.leased_at = now if held else None
        return held

    async def sync_once(self, wait: float = 0.0) -> SyncReport:
        """One pass: fetch every account, settle crashed sends, deliver the outbox."""
        report = SyncReport()
        for state in await self.refresh_accounts():
            if self.waiting(state) > 0:
                report.errors[state.account.id] = state.account.status_detail or "waiting"
                continue
            try:
                await self.poll_account(state, wait, report)
            except Exception as exc:  # noqa: BLE001 - one account's failure is only its own
                report.errors[state.account.id] = await self.handle_error(state, exc)
        await self.delivery.settle_all()
        report.delivered += await self.delivery.deliver_due(force=True)
        report.alerts = len(await self.db(self.store.record_sla_alerts))
        return report

    async def run(self, stop: asyncio.Event) -> None:
        """Until ``stop``: one long-poll loop per account plus the outbox loop."""
        tasks: dict[int, asyncio.Task[None]] = {}
        outbox = asyncio.create_task(self.delivery.run(stop), name="smm-desk-outbox")
        try:
            while not stop.is_set():
                for state in await self.refresh_accounts():
                    task = tasks.get(state.account.id)
                    if task is None or task.done():
                        tasks[state.account.id] = asyncio.create_task(
                            self._account_loop(state, stop),
                            name=f"smm-desk-account-{state.account.id}")
                try:
                    await asyncio.wait_for(stop.wait(), timeout=5.0)
                except TimeoutError:
                    pass
        finally:
            for task in [*tasks.values(), outbox]:
                task.cancel()
            await asyncio.gather(*tasks.values(), outbox, return_exceptions=True)

    async def _account_loop(self, state: AccountState, stop: asyncio.Event) -> None:
        report = SyncReport()
        while not stop.is_set() and self.runnable(state):
            pause = self.waiting(state)
            if pause > 0:
                await self.sleep(pause)
                continue
            started = asyncio.get_running_loop().time()
            fetched = report.fetched
            try:
                await self.poll_account(state, self.poll_wait, report)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - keep the loop alive, per account
                await self.handle_error(state, exc)
                continue
            quick = asyncio.get_running_loop().time() - started < 2.0
            if quick and report.fetched == fetched:
                # Nothing new and no long poll held us: don't hammer the network.
                await self.sleep(self.idle_interval)

    async def aclose(self) -> None:
        for state in self.states.values():
            await self._drop_connector(state)
        if any(state.leased_at is not None for state in self.states.values()):
            try:  # the team's other desks take over at once, not when the leases run out
                await self.db(self.store.release_poll_leases, self.holder)
            except Exception as exc:  # noqa: BLE001 - they run out by themselves
                log.warning("releasing the poll leases failed: %s", exc)
        if self._own_db:
            self.db.close()


def utc_now() -> datetime:
    return datetime.now(UTC)
