"""``CaseService``: one case as the case view and the composer see it.

Reads: the whole case (:meth:`detail`), and a cheap fingerprint of it
(:meth:`stamp`) the open view polls about once a second, so replies move from
queued to sent or failed on screen whoever changed them (the sync engine, a
team-mate's desk on the same PostgreSQL, the command line).

Writes: queueing a reply (which deletes the case's draft in the same
transaction), retrying a failed or uncertain one, saving drafts. Replies and
retries are announced once on ``changed`` with a
:class:`~smm_desk.services.queue.QueueChange` (a queued reply can open a new
case, so the queue listens too); drafts are not announced, they change on
every pause in typing.

Templates are filled here: ``{customer}``, ``{agent}`` and ``{department}``
are replaced literally and any other brace is left as written, so a template
can never reach into Python's formatting machinery.

Store errors become :class:`CaseActionError`, one line a person can read; the
UI never imports the store to catch them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from PySide6.QtCore import QObject, Signal

from smm_desk.domain.reply_window import ReplyWindow
from smm_desk.domain.reply_window import reply_window as window_rule
from smm_desk.domain.views import CaseStamp, TemplateView
from smm_desk.services.queue import QueueChange
from smm_desk.store.errors import StoreError

if TYPE_CHECKING:
    from smm_desk.domain.views import CaseDetail, CaseView, ReplyView
    from smm_desk.store.api import Store

__all__ = [
    "CaseActionError",
    "CaseService",
    "CaseStamp",
    "ReplyWindow",
    "TemplateView",
    "fill_placeholders",
]

#: What ``{department}`` becomes when the case has not been routed yet.
NO_DEPARTMENT = "support"

_PLACEHOLDER = re.compile(r"\{(customer|agent|department)\}")

P = ParamSpec("P")
T = TypeVar("T")


class CaseActionError(Exception):
    """A case action the store refused (unknown case, reply not retryable,
    database locked…); ``str()`` is one line for the person."""


def fill_placeholders(body: str, values: Mapping[str, str]) -> str:
    """``body`` with ``{customer}``, ``{agent}`` and ``{department}`` replaced by
    ``values``; every other brace stays as written."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), body)


def _store_call(call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    try:
        return call(*args, **kwargs)
    except StoreError as exc:
        raise CaseActionError(str(exc)) from exc
    except ValueError as exc:  # e.g. an empty reply
        raise CaseActionError(str(exc)) from exc


class CaseService(QObject):
    """One store, seen case by case. ``changed`` carries a ``QueueChange``."""

    changed = Signal(object)

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store

    def now(self) -> datetime:
        """The store's clock (aware UTC)."""
        return self._store.clock()

    # reading -----------------------------------------------------------------
    def detail(self, case_id: int) -> CaseDetail:
        """The case, its messages in network-time order, its events and replies."""
        return _store_call(self._store.case, case_id)

    def stamp(self, case_id: int) -> CaseStamp:
        """Changes whenever anything :meth:`detail` returns changes; cheap."""
        return _store_call(self._store.case_stamp, case_id)

    def reply_window(self, case_id: int) -> ReplyWindow:
        """Whether the network still accepts a reply now: ``(open, closes_at, note)``."""
        views = _store_call(self._store.cases_by_id, [case_id])
        if not views:
            raise CaseActionError(f"no case {case_id}")
        return self.window_of(views[0])

    def window_of(self, case: CaseView, now: datetime | None = None) -> ReplyWindow:
        """The reply window of a case view already read (no database access)."""
        return window_rule(case.network, case.kind, case.last_inbound_at, now or self.now())

    # replies -----------------------------------------------------------------
    def queue_reply(self, case_id: int, text: str, agent: str) -> ReplyView:
        """Put a reply in the outbox and drop the case's draft, atomically."""
        reply = _store_call(self._store.queue_reply_from_draft, case_id, text, agent)
        self.changed.emit(QueueChange("reply_queued", (case_id,), agent))
        return reply

    def retry_reply(self, reply_id: str, actor: str = "") -> ReplyView:
        """Send a failed or uncertain reply again (same id, so same idempotency key)."""
        reply = _store_call(self._store.retry_reply, reply_id)
        self.changed.emit(QueueChange("reply_retried", (reply.case_id,), actor or reply.agent))
        return reply

    # templates ---------------------------------------------------------------
    def templates(self) -> list[TemplateView]:
        return _store_call(self._store.templates)

    def render_template(self, template_id: int, case_id: int, agent: str) -> str:
        """The template's text for this case and agent, placeholders filled."""
        template = _store_call(self._store.template, template_id)
        views = _store_call(self._store.cases_by_id, [case_id])
        if not views:
            raise CaseActionError(f"no case {case_id}")
        case = views[0]
        return fill_placeholders(template.body, {
            "customer": case.customer.strip() or "there",
            "agent": agent,
            "department": case.department or NO_DEPARTMENT,
        })

    # drafts ------------------------------------------------------------------
    def save_draft(self, case_id: int, text: str) -> None:
        """Keep ``text`` as the case's draft (blank deletes it)."""
        _store_call(self._store.save_draft, case_id, text)

    def draft(self, case_id: int) -> str:
        return _store_call(self._store.draft, case_id)
