"""Outbox delivery: each reply leaves once, or a person is told why not.

The life of a reply (DESIGN.md, "Sync and outbox"):

1. ``claim`` stores it as ``sending`` (committed) *before* the request leaves.
2. The connector sends it.
   * delivered → ``sent`` with the network's id and delivery time; the reply
     becomes an outbound message of the case and stops its clock;
   * ``RateLimited`` / ``AuthError`` → back to ``queued`` (the request was
     refused, so nothing was posted) and the account's status says why;
   * ``TransientError`` that cannot have been applied → ``queued`` with backoff;
   * ``TransientError`` that may have been applied (timeout after sending, a 5xx
     from a gateway) or an unreadable success → settled now, as after a crash;
   * ``PermanentError`` → ``failed`` with the network's own message.
3. Settling a ``sending`` reply (after a crash, or the doubtful cases above):
   * the network honours our key (VK ``random_id``/``guid``, Mastodon
     ``Idempotency-Key`` within its lifetime) → ``queued`` again and resent with
     the same key: the network drops the repeat;
   * else look for it among the account's own fetched messages (and ask the
     connector's ``find_delivered``) → ``sent`` if found;
   * else ``uncertain — check``: a person decides. Never a silent second post.

Department handoffs (kind ``handoff``) share this outbox but take their own
lane, :mod:`smm_desk.sync.handoff` (email or webhook, at-least-once with a
dedupe key); the account's state does not hold them up.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from smm_desk.connectors.base import Connector, Idempotency, OutgoingReply, ReplyTarget
from smm_desk.connectors.errors import (
    AuthError,
    BadPayload,
    PermanentError,
    RateLimited,
    TransientError,
)
from smm_desk.domain.records import ReplyState
from smm_desk.domain.views import ReplyTargetView
from smm_desk.store.errors import Conflict
from smm_desk.sync.handoff import HandoffDelivery

if TYPE_CHECKING:
    from smm_desk.store.api import Store
    from smm_desk.sync.engine import AccountState, SyncEngine

log = logging.getLogger("smm_desk.outbox")

UNCERTAIN = "uncertain — check: the network may have posted this reply; look before resending"


def outgoing(view: ReplyTargetView) -> OutgoingReply:
    return OutgoingReply(
        reply_id=view.reply_id,
        text=view.text,
        target=ReplyTarget(
            thread_key=view.thread_key, case_kind=view.case_kind, external_id=view.in_reply_to,
            author_id=view.target_author_id, author_name=view.target_author_name,
            post_external_id=view.post_external_id, extra=dict(view.target_extra),
        ),
    )


class OutboxDelivery:
    def __init__(self, engine: SyncEngine) -> None:
        self.engine = engine
        self.interval = 2.0
        #: Department handoffs (kind "handoff"): same outbox, own senders.
        self.handoffs = HandoffDelivery(engine)

    @property
    def store(self) -> Store:
        return self.engine.store

    async def _state(self, account_id: int) -> AccountState | None:
        state = self.engine.states.get(account_id)
        if state is None:
            await self.engine.refresh_accounts()
            state = self.engine.states.get(account_id)
        return state

    async def settle_all(self, *, orphans_only: bool = False) -> int:
        """Settle the replies left in ``sending`` by a crash; returns how many.

        At start: this desk's own and those of no known sender (claimed before
        senders were recorded), and those of desks that are gone. In the loop
        (``orphans_only``): only those of desks that are gone. Another desk of the
        team is gone when its send went out more than a poll lease's lifetime ago
        and it holds no poll lease (``Store.live_senders``): a send under way on a
        live desk is left to it. Settling never posts twice (see the module doc);
        taking a live desk's send for a crash would only mark it uncertain."""
        db = self.engine.db
        settled = 0
        alive: set[str] | None = None
        now = self.engine.now()
        for reply in await db(self.store.replies, ReplyState.SENDING):
            if reply.sending_by in (None, self.engine.holder):
                if orphans_only:
                    continue
            else:
                if reply.sending_at is not None and \
                        now - reply.sending_at < self.engine.lease_ttl:
                    continue
                if alive is None:
                    alive = await db(self.store.live_senders)
                if reply.sending_by in alive:
                    continue
            if reply.kind == "handoff":
                await self.handoffs.settle(reply.id, "found in state sending after a restart")
                settled += 1
                continue
            if reply.kind != "reply":
                continue
            target = await db(self.store.reply_target, reply.id)
            state = await self._state(target.account_id)
            if state is None:
                continue
            await self.settle(state, reply.id, "found in state sending after a restart"
                              if not orphans_only else "its desk stopped while sending it")
            settled += 1
        return settled

    async def settle(self, state: AccountState, reply_id: str, why: str) -> None:
        db = self.engine.db
        connector = await self.engine.connector_for(state)
        view = await db(self.store.reply_target, reply_id)
        if connector is not None and connector.idempotency == Idempotency.KEY and \
                self._key_still_valid(connector, view):
            log.info("reply %s: %s; resending with the same idempotency key", reply_id, why)
            await db(self.store.requeue_reply, reply_id, "")
            return
        if await db(self.store.settle_from_own_copy, reply_id) is not None:
            log.info("reply %s: %s; found among the account's own messages", reply_id, why)
            return
        if connector is not None:
            try:
                found = await connector.find_delivered(outgoing(view))
            except Exception as exc:  # noqa: BLE001 - a failed look-up proves nothing
                log.warning("reply %s: look-up failed: %s", reply_id, self.engine.redact(exc))
                found = None
            if found is not None:
                await db(self.store.reply_sent, reply_id, found.external_id, found.delivered_at)
                return
        await db(self.store.reply_uncertain, reply_id, UNCERTAIN)

    @staticmethod
    def _key_still_valid(connector: Connector, view: ReplyTargetView) -> bool:
        lifetime = connector.key_lifetime
        if lifetime is None or view.sending_at is None:
            return True
        # Leave a margin: the network's clock and ours differ.
        return connector.clock() - view.sending_at < lifetime - timedelta(minutes=5)

    async def deliver_due(self, force: bool = False) -> int:
        """Send every reply whose time has come (``force``: every queued one)."""
        db = self.engine.db
        if force:
            due = await db(self.store.replies, ReplyState.QUEUED)
        else:
            due = await db(self.store.due_replies)
        delivered = 0
        for reply in due:
            if reply.kind == "handoff":
                if await self.handoffs.deliver(reply.id):
                    delivered += 1
                continue
            if reply.kind != "reply":
                continue
            target = await db(self.store.reply_target, reply.id)
            state = await self._state(target.account_id)
            if state is None or not self.engine.runnable(state) or self.engine.waiting(state):
                continue
            if await self.deliver(state, reply.id):
                delivered += 1
        return delivered

    async def deliver(self, state: AccountState, reply_id: str) -> bool:
        db = self.engine.db
        connector = await self.engine.connector_for(state)
        if connector is None:
            return False
        try:
            view = await db(self.store.claim_reply, reply_id, self.engine.holder)
        except Conflict:  # another desk of the team (or a retry) took it first
            log.info("reply %s: already taken by another sender", reply_id)
            return False
        target = await db(self.store.reply_target, view.id)
        try:
            delivery = await connector.send(outgoing(target))
        except (RateLimited, AuthError) as exc:
            await db(self.store.requeue_reply, reply_id, self.engine.redact(exc))
            await self.engine.handle_error(state, exc)
            return False
        except TransientError as exc:
            if exc.maybe_delivered:
                await self.settle(state, reply_id, f"outcome unknown ({exc})")
            else:
                wait = self.engine.backoff.delay(min(view.attempts, 8), self.engine.rng) + 1
                await db(self.store.reply_retry_later, reply_id, self.engine.redact(exc),
                         timedelta(seconds=wait))
                await self.engine.handle_error(state, exc)
            return False
        except PermanentError as exc:
            message = exc.network_message or str(exc)
            await db(self.store.reply_failed, reply_id, self.engine.redact(message))
            return False
        except BadPayload as exc:
            await self.settle(state, reply_id, f"unreadable answer ({exc})")
            return False
        except Exception as exc:  # noqa: BLE001 - a connector bug must not lose the reply
            log.error("connector bug sending %s: %s", reply_id, self.engine.redact(repr(exc)))
            await self.settle(state, reply_id, f"internal error ({type(exc).__name__})")
            return False
        await db(self.store.reply_sent, reply_id, delivery.external_id, delivery.delivered_at)
        return True

    async def run(self, stop: asyncio.Event) -> None:
        await self.engine.refresh_accounts()
        await self.settle_all()
        while not stop.is_set():
            try:
                await self.settle_all(orphans_only=True)  # sends of desks that are gone
                await self.deliver_due()
                # The outbox loop is the worker's heartbeat: SLA warnings and
                # breaches are recorded here too, once each.
                await self.engine.db(self.store.record_sla_alerts)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - e.g. database briefly locked
                log.warning("outbox pass failed: %s", self.engine.redact(exc))
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.interval)
            except TimeoutError:
                pass
