"""The sync engine as :class:`~smm_desk.services.sync.SyncService` runs it.

In a module of its own so that ``services.sync`` can be imported (by the
composition root, before the first window) without the engine and what it
brings in: the connectors, httpx, smtplib and the keyring library, some
130 ms of imports that nothing needs until sync starts. The service builds
its engine from here when it starts (or when something asks for it first).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from smm_desk.connectors.errors import TransientError
from smm_desk.sync.engine import AccountState, SyncEngine

if TYPE_CHECKING:
    from smm_desk.store.api import Store


class ObservedEngine(SyncEngine):
    """The engine, remembering whether each account's last failure was the network's."""

    def __init__(self, store: Store, **kwargs: Any) -> None:
        super().__init__(store, **kwargs)
        self.unreachable: set[int] = set()

    async def handle_error(self, state: AccountState, exc: BaseException) -> str:
        if isinstance(exc, TransientError):
            self.unreachable.add(state.account.id)
        else:
            self.unreachable.discard(state.account.id)
        return await super().handle_error(state, exc)
