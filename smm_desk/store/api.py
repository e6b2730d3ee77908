"""``Store``: the store's public face. Everything above the store (sync, app
services, the command line) goes through it; each method is one transaction and
returns plain views from ``smm_desk.domain.views``, never live ORM rows.

The clock is injected (``clock``) so tests and the demo can run the SLA at any
instant; it must return aware UTC datetimes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from smm_desk.domain.enums import CaseStatus
from smm_desk.domain.records import AccountStatus, IncomingMessage, Priority, ReplyState
from smm_desk.domain.views import (
    AccountView,
    CaseDetail,
    CaseView,
    DepartmentView,
    QuarantineView,
    ReplyLogRow,
    ReplyTargetView,
    ReplyView,
)
from smm_desk.store import (
    accounts,
    alerts,
    cases,
    ingest,
    outbox,
    replylog,
    search,
    views_queue,
)
from smm_desk.store import templates as case_view_store
from smm_desk.store.database import Database
from smm_desk.store.views_queue import QueueFilter, SlaAlertView


def utc_now() -> datetime:
    return datetime.now(UTC)


class Store:
    def __init__(self, db: Database, clock: Callable[[], datetime] = utc_now) -> None:
        self.db = db
        self.clock = clock

    @classmethod
    def open(cls, url: str, clock: Callable[[], datetime] = utc_now) -> Store:
        return cls(Database.open(url), clock)

    def close(self) -> None:
        self.db.close()

    # accounts -------------------------------------------------------------
    def add_account(
        self, network: str, name: str, base_url: str | None = None,
        options: dict[str, str] | None = None,
    ) -> AccountView:
        with self.db.transaction() as s:
            return accounts.account_view(
                accounts.add_account(s, network, name, base_url, options or {}, self.clock())
            )

    def accounts(self) -> list[AccountView]:
        with self.db.reading() as s:
            return accounts.list_accounts(s)

    def account(self, account_id: int) -> AccountView:
        with self.db.reading() as s:
            return accounts.account_view(accounts.get_account(s, account_id))

    def remove_account(self, account_id: int) -> None:
        with self.db.transaction() as s:
            accounts.remove_account(s, account_id)

    def set_account_status(
        self, account_id: int, status: AccountStatus, detail: str = "",
        retry_at: datetime | None = None,
    ) -> None:
        with self.db.transaction() as s:
            accounts.set_account_status(s, account_id, status, detail, retry_at)

    # departments ----------------------------------------------------------
    def departments(self) -> list[DepartmentView]:
        with self.db.reading() as s:
            return accounts.list_departments(s)

    def add_department(self, name: str, first_response: timedelta | None = None) -> DepartmentView:
        with self.db.transaction() as s:
            dept = accounts.add_department(s, name, first_response)
            return next(d for d in accounts.list_departments(s) if d.id == dept.id)

    # ingest ---------------------------------------------------------------
    def ingest(
        self, account_id: int, stream: str, messages: Sequence[IncomingMessage],
        cursor: str | None, quarantined: Sequence[tuple[str, str]] = (),
    ) -> ingest.IngestResult:
        """Store a fetched batch, its quarantined items and the cursor, atomically."""
        with self.db.transaction() as s:
            return ingest.ingest_batch(s, account_id, stream, messages, cursor, self.clock(),
                                       quarantined)

    def quarantine(self, account_id: int | None = None) -> list[QuarantineView]:
        with self.db.reading() as s:
            return ingest.list_quarantine(s, account_id)

    def cursor(self, account_id: int, stream: str) -> str | None:
        with self.db.reading() as s:
            return ingest.load_cursor(s, account_id, stream)

    # queue and cases ------------------------------------------------------
    def queue(
        self, statuses: Sequence[str] | None = None, department: str | None = None,
        limit: int | None = None, offset: int = 0,
    ) -> list[CaseView]:
        with self.db.reading() as s:
            return cases.list_cases(
                s, self.clock(), statuses=statuses, department=department,
                limit=limit, offset=offset,
            )

    def queue_ids(self, view: QueueFilter | None = None) -> list[int]:
        """Ids only of the cases in ``view`` (default: all open), most urgent first
        (the order of :meth:`queue`); filtered and sorted in SQL."""
        with self.db.reading() as s:
            return views_queue.queue_ids(s, view or QueueFilter(), self.clock())

    def view_counts(self, agent: str) -> dict[str, int]:
        """How many cases each queue view holds (keys: see ``views_queue``)."""
        with self.db.reading() as s:
            return views_queue.view_counts(s, agent, self.clock())

    def case_networks(self) -> list[str]:
        """Networks that have cases (the sidebar's network views)."""
        with self.db.reading() as s:
            return views_queue.case_networks(s)

    def sla_alerts_after(self, event_id: int, limit: int = 500) -> list[SlaAlertView]:
        """SLA warnings/breaches recorded after event ``event_id``, oldest first."""
        with self.db.reading() as s:
            return views_queue.sla_alerts_after(s, event_id, limit)

    def activity_marker(self) -> tuple[int, int]:
        """Changes whenever a message arrives or an event is logged (cheap to poll)."""
        with self.db.reading() as s:
            return views_queue.activity_marker(s)

    def cases_by_id(self, ids: Sequence[int]) -> list[CaseView]:
        with self.db.reading() as s:
            return cases.list_cases(s, self.clock(), ids=ids)

    def case(self, case_id: int) -> CaseDetail:
        with self.db.reading() as s:
            return cases.case_detail(s, case_id, self.clock())

    def search(self, query: str, limit: int = 500) -> list[int]:
        with self.db.reading() as s:
            return search.search_case_ids(s, query, limit=limit)

    def route(self, case_id: int, department: str | int, actor: str,
              rule: str | None = None) -> str:
        with self.db.transaction() as s:
            return cases.route(s, case_id, department, self.clock(), actor, rule).name

    def assign(self, case_id: int, agent: str | None, actor: str) -> None:
        with self.db.transaction() as s:
            cases.assign(s, case_id, agent, self.clock(), actor)

    def set_status(self, case_id: int, status: CaseStatus, actor: str,
                   reason: str | None = None) -> None:
        with self.db.transaction() as s:
            cases.set_status(s, case_id, status, self.clock(), actor, reason)

    def resolve(self, case_id: int, actor: str) -> None:
        self.set_status(case_id, CaseStatus.RESOLVED, actor)

    def set_priority(self, case_id: int, priority: Priority, actor: str) -> None:
        with self.db.transaction() as s:
            cases.set_priority(s, case_id, priority, self.clock(), actor)

    def add_note(self, case_id: int, text: str, actor: str) -> None:
        with self.db.transaction() as s:
            cases.add_note(s, case_id, text, self.clock(), actor)

    # outbox ---------------------------------------------------------------
    def queue_reply(self, case_id: int, text: str, agent: str) -> ReplyView:
        with self.db.transaction() as s:
            return cases.reply_view(outbox.queue_reply(s, case_id, text, agent, self.clock()))

    def reply(self, reply_id: str) -> ReplyView:
        with self.db.reading() as s:
            return cases.reply_view(outbox.get_reply(s, reply_id))

    def claim_reply(self, reply_id: str) -> ReplyView:
        with self.db.transaction() as s:
            return cases.reply_view(outbox.claim(s, reply_id, self.clock()))

    def reply_sent(self, reply_id: str, external_id: str,
                   delivered_at: datetime | None = None) -> ReplyView:
        with self.db.transaction() as s:
            now = self.clock()
            return cases.reply_view(
                outbox.mark_sent(s, reply_id, external_id, delivered_at or now, now)
            )

    def reply_failed(self, reply_id: str, error: str) -> ReplyView:
        with self.db.transaction() as s:
            return cases.reply_view(outbox.mark_failed(s, reply_id, error, self.clock()))

    def reply_retry_later(self, reply_id: str, error: str, retry_in: timedelta) -> ReplyView:
        with self.db.transaction() as s:
            return cases.reply_view(outbox.mark_retry(s, reply_id, error, retry_in, self.clock()))

    def replies(self, state: ReplyState, account_id: int | None = None) -> list[ReplyView]:
        with self.db.reading() as s:
            return [cases.reply_view(r) for r in outbox.replies_in_state(s, state, account_id)]

    def due_replies(self, limit: int = 50) -> list[ReplyView]:
        with self.db.reading() as s:
            return [cases.reply_view(r) for r in outbox.due_replies(s, self.clock(), limit)]

    def reply_target(self, reply_id: str) -> ReplyTargetView:
        with self.db.reading() as s:
            return outbox.reply_target(s, reply_id)

    def requeue_reply(self, reply_id: str, note: str = "") -> ReplyView:
        with self.db.transaction() as s:
            return cases.reply_view(outbox.requeue(s, reply_id, self.clock(), note))

    def reply_uncertain(self, reply_id: str, reason: str) -> ReplyView:
        with self.db.transaction() as s:
            return cases.reply_view(outbox.mark_uncertain(s, reply_id, reason, self.clock()))

    def retry_reply(self, reply_id: str) -> ReplyView:
        with self.db.transaction() as s:
            return cases.reply_view(outbox.retry(s, reply_id, self.clock()))

    def settle_from_own_copy(self, reply_id: str) -> ReplyView | None:
        """If the reply is among the account's fetched own messages, mark it sent
        with that message's id and time; else None."""
        with self.db.transaction() as s:
            copy = outbox.find_own_copy(s, reply_id)
            if copy is None:
                return None
            return cases.reply_view(
                outbox.mark_sent(s, reply_id, copy.external_id, copy.created_at, self.clock())
            )

    def record_sla_alerts(self) -> list[tuple[int, str]]:
        """Record each crossed SLA warning/breach once; returns the new ones."""
        with self.db.transaction() as s:
            return alerts.record_due_alerts(s, self.clock())

    def outbox_count(self) -> int:
        with self.db.reading() as s:
            return outbox.outbox_count(s)

    def reply_log(self, since: datetime | None = None,
                  until: datetime | None = None) -> list[ReplyLogRow]:
        with self.db.reading() as s:
            return replylog.reply_log(s, since, until)

    # templates and drafts (case view) ---------------------------------------
    def templates(self) -> list[case_view_store.TemplateView]:
        with self.db.reading() as s:
            return case_view_store.list_templates(s)

    def template(self, template_id: int) -> case_view_store.TemplateView:
        with self.db.reading() as s:
            return case_view_store.get_template(s, template_id)

    def save_draft(self, case_id: int, text: str) -> None:
        """Keep ``text`` as the case's draft reply; blank text deletes the draft."""
        with self.db.transaction() as s:
            case_view_store.save_draft(s, case_id, text, self.clock())

    def draft(self, case_id: int) -> str:
        with self.db.reading() as s:
            return case_view_store.load_draft(s, case_id)

    def queue_reply_from_draft(self, case_id: int, text: str, agent: str) -> ReplyView:
        """Queue a reply and delete the case's draft in one transaction, so a
        queued reply never leaves a draft behind to be sent a second time."""
        with self.db.transaction() as s:
            reply = outbox.queue_reply(s, case_id, text, agent, self.clock())
            case_view_store.delete_draft(s, case_id)
            return cases.reply_view(reply)

    def case_stamp(self, case_id: int) -> case_view_store.CaseStamp:
        """A cheap fingerprint of everything a case view shows (polled ~1 Hz)."""
        with self.db.reading() as s:
            return case_view_store.case_stamp(s, case_id)
