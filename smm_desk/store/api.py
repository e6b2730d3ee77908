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
from smm_desk.domain.kpi import KpiReport, build_report  # reports
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
    leases,
    outbox,
    replylog,
    search,
    views_queue,
)
from smm_desk.store import clusters as cluster_store  # clusters
from smm_desk.store import handoffs as handoff_store  # handoff
from smm_desk.store import routing as routing_store  # routing
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

    def take_poll_lease(self, account_id: int, holder: str, ttl: timedelta) -> bool:
        """Whether ``holder`` may poll the account now (lease taken or renewed
        until ``ttl`` from now); False while another desk's lease runs."""
        with self.db.transaction() as s:
            return leases.take(s, account_id, holder, self.clock(), ttl)

    def release_poll_leases(self, holder: str) -> None:
        with self.db.transaction() as s:
            leases.release(s, holder)

    def live_senders(self) -> set[str]:
        """Desks whose poll lease on some account still runs (they are alive)."""
        with self.db.reading() as s:
            return leases.live_holders(s, self.clock())

    def poll_lease_holder(self, account_id: int) -> str | None:
        with self.db.reading() as s:
            return leases.holder_of(s, account_id, self.clock())

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
        """Views of these cases (unknown ids left out), in no particular order."""
        with self.db.reading() as s:
            return cases.views_by_id(s, ids, self.clock())

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

    def claim_reply(self, reply_id: str, sender: str | None = None) -> ReplyView:
        """queued -> sending by ``sender`` (a desk's poll-lease holder name)."""
        with self.db.transaction() as s:
            return cases.reply_view(outbox.claim(s, reply_id, self.clock(), sender))

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

    # --- reports ---
    def kpi_report(self, since: datetime, until: datetime,
                   department: str | None = None) -> KpiReport:
        """KPI figures over ``[since, until)`` (aware UTC), for one department
        or all; definitions in :mod:`smm_desk.domain.kpi`."""
        from smm_desk.store import reports

        with self.db.reading() as s:
            rows = reports.kpi_rows(s, since, until)
        return build_report(rows, since, until, department)

    # --- handoff ---
    def handoff_departments(self) -> list[handoff_store.HandoffDepartmentView]:
        """Departments with their handoff target and first-response target."""
        with self.db.reading() as s:
            return handoff_store.department_views(s)

    def set_handoff_target(self, department: str | int,
                           target: handoff_store.HandoffTarget | None,
                           ) -> handoff_store.HandoffDepartmentView:
        """Where the department's handoffs go (``None`` clears it). No secret here."""
        with self.db.transaction() as s:
            dept_id = handoff_store.set_target(s, department, target).id
            return next(d for d in handoff_store.department_views(s) if d.id == dept_id)

    def handoff_preview(
        self, case_id: int, department: str | int | None, summary: str, agent: str,
    ) -> tuple[handoff_store.HandoffDepartmentView, handoff_store.HandoffPayload]:
        """The department (default: the case's) and exactly what would be sent now."""
        with self.db.reading() as s:
            return handoff_store.preview(s, case_id, department, summary, agent, self.clock())

    def queue_handoff(self, case_id: int, summary: str, agent: str,
                      department: str | int | None = None) -> handoff_store.HandoffView:
        """Persist a handoff in the outbox; the case becomes waiting_department."""
        with self.db.transaction() as s:
            handoff = handoff_store.queue_handoff(s, case_id, summary, agent, self.clock(),
                                                  department)
            return handoff_store.handoff_view(s, handoff.id)

    def handoff(self, handoff_id: str) -> handoff_store.HandoffView:
        with self.db.reading() as s:
            return handoff_store.handoff_view(s, handoff_id)

    def handoffs(self, case_id: int | None = None,
                 open_only: bool = False) -> list[handoff_store.HandoffView]:
        with self.db.reading() as s:
            return handoff_store.list_handoffs(s, case_id, open_only)

    def handoff_job(self, handoff_id: str) -> handoff_store.HandoffJob:
        with self.db.reading() as s:
            return handoff_store.handoff_job(s, handoff_id)

    def handoff_sent(self, handoff_id: str, external_id: str, via: str,
                     delivered_at: datetime | None = None) -> handoff_store.HandoffView:
        with self.db.transaction() as s:
            now = self.clock()
            handoff_store.mark_handoff_sent(s, handoff_id, external_id, via,
                                            delivered_at or now, now)
            return handoff_store.handoff_view(s, handoff_id)

    def record_department_answer(self, case_id: int, text: str,
                                 agent: str) -> handoff_store.HandoffView | None:
        """The department's answer as an internal note; the case is open again."""
        with self.db.transaction() as s:
            handoff = handoff_store.record_department_answer(s, case_id, text, agent,
                                                             self.clock())
            return handoff_store.handoff_view(s, handoff.id) if handoff else None

    # --- clusters ---
    def refresh_clusters(
        self, window: timedelta = cluster_store.DEFAULT_WINDOW,
        threshold: float = cluster_store.DEFAULT_THRESHOLD, negative_terms: Sequence[str] = (),
    ) -> list[cluster_store.ClusterView]:
        """Examine the cases not seen yet and place near-identical texts (within
        ``window`` of each other) in clusters; returns the clusters that formed
        or grew. Cheap when nothing is new: safe to call every few seconds."""
        with self.db.transaction() as s:
            now = self.clock()
            touched = cluster_store.scan(s, now, window, threshold, negative_terms)
            return cluster_store.list_clusters(s, now, touched) if touched else []

    def clusters(self, include_closed: bool = False) -> list[cluster_store.ClusterView]:
        """Current clusters with a case still open (all current ones with
        ``include_closed``), the most open cases first."""
        with self.db.reading() as s:
            return cluster_store.list_clusters(s, self.clock(), include_closed=include_closed)

    def cluster(self, cluster_id: int) -> cluster_store.ClusterView:
        from smm_desk.store.errors import NotFound

        with self.db.reading() as s:
            found = cluster_store.list_clusters(s, self.clock(), [cluster_id])
            if not found:
                raise NotFound(f"no cluster {cluster_id}")
            return found[0]

    def cluster_cases(self, cluster_id: int, open_only: bool = False) -> list[CaseView]:
        """The cluster's cases, most urgent first."""
        with self.db.reading() as s:
            ids = cluster_store.member_ids(s, cluster_id, open_only)
            return cases.list_cases(s, self.clock(), ids=ids) if ids else []

    def cluster_answer_all(self, cluster_id: int, text: str, agent: str) -> list[ReplyView]:
        """One reply with ``text`` queued to every open case of the cluster,
        each its own outbox entry, all in one transaction."""
        with self.db.transaction() as s:
            now = self.clock()
            return [
                cases.reply_view(outbox.queue_reply(s, case_id, text, agent, now))
                for case_id in cluster_store.member_ids(s, cluster_id, open_only=True)
            ]

    def cluster_route_all(self, cluster_id: int, department: str | int,
                          actor: str) -> tuple[str, list[int]]:
        """Route every open case of the cluster; (department name, case ids)."""
        with self.db.transaction() as s:
            now = self.clock()
            ids = cluster_store.member_ids(s, cluster_id, open_only=True)
            name = cases.find_department(s, department).name
            for case_id in ids:
                cases.route(s, case_id, department, now, actor)
            return name, ids

    def cluster_mark_spam(self, cluster_id: int, actor: str) -> list[int]:
        """Mark every open case of the cluster as spam; returns their ids."""
        with self.db.transaction() as s:
            now = self.clock()
            ids = cluster_store.member_ids(s, cluster_id, open_only=True)
            for case_id in ids:
                cases.set_status(s, case_id, CaseStatus.SPAM, now, actor, reason="cluster")
            return ids

    def check_crisis(
        self, threshold: int = cluster_store.DEFAULT_CRISIS_THRESHOLD,
        window: timedelta = cluster_store.DEFAULT_CRISIS_WINDOW,
        negative_terms: Sequence[str] = (),
        cluster_window: timedelta = cluster_store.DEFAULT_WINDOW,
    ) -> cluster_store.CrisisAlertView | None:
        """Record a spike of ``threshold`` negative cases within ``window`` once,
        as a ``crisis_alert`` event on each; returns the new alert or None. New
        cases are examined (and clustered, within ``cluster_window``) first."""
        with self.db.transaction() as s:
            now = self.clock()
            cluster_store.scan(s, now, cluster_window, cluster_store.DEFAULT_THRESHOLD,
                               negative_terms)
            return cluster_store.check_crisis(s, now, threshold, window,
                                              cluster_store.CRISIS_LOOKBACK)

    def latest_crisis_alert(self) -> cluster_store.CrisisAlertView | None:
        with self.db.reading() as s:
            return cluster_store.latest_alert(s)

    # --- routing ---
    def rules(self) -> list[routing_store.Rule]:
        """Every routing rule, in evaluation order."""
        with self.db.reading() as s:
            return routing_store.list_rules(s)

    def save_rules(self, rules: Sequence[routing_store.Rule]) -> None:
        """Replace the whole rule set with ``rules``, in this order."""
        with self.db.transaction() as s:
            routing_store.replace_rules(s, rules)

    def add_rule(self, rule: routing_store.Rule, position: int | None = None) -> None:
        """Insert a rule at 1-based ``position`` (default: last)."""
        with self.db.transaction() as s:
            routing_store.add_rule(s, rule, position)

    def update_rule(self, rule: routing_store.Rule) -> None:
        """Replace the rule with the same id, keeping its place."""
        with self.db.transaction() as s:
            routing_store.update_rule(s, rule)

    def move_rule(self, rule_id: str, position: int) -> None:
        with self.db.transaction() as s:
            routing_store.move_rule(s, rule_id, position)

    def enable_rule(self, rule_id: str, enabled: bool = True) -> None:
        with self.db.transaction() as s:
            routing_store.set_enabled(s, rule_id, enabled)

    def delete_rule(self, rule_id: str) -> None:
        with self.db.transaction() as s:
            routing_store.delete_rule(s, rule_id)

    def routing_list(self, kind: str) -> list[str]:
        """``vip``, ``blocked`` or ``negative_terms``, in the order given."""
        with self.db.reading() as s:
            return routing_store.get_list(s, kind)

    def set_routing_list(self, kind: str, values: Sequence[str]) -> list[str]:
        with self.db.transaction() as s:
            return routing_store.set_list(s, kind, values)

    def vip_list(self) -> list[str]:
        return self.routing_list("vip")

    def set_vip_list(self, values: Sequence[str]) -> list[str]:
        return self.set_routing_list("vip", values)

    def blocked_list(self) -> list[str]:
        return self.routing_list("blocked")

    def set_blocked_list(self, values: Sequence[str]) -> list[str]:
        return self.set_routing_list("blocked", values)

    def routing_context(self) -> routing_store.RuleContext:
        """What rules see besides the message: the lists and the desk's hours."""
        with self.db.reading() as s:
            return routing_store.routing_context(s)

    def route_preview(self, rule: routing_store.Rule,
                      last_n: int = 1000) -> routing_store.RoutePreview:
        """Which of the ``last_n`` most recent cases ``rule`` would catch, judged
        on each case's first inbound message (enabled or not, before saving)."""
        with self.db.reading() as s:
            return routing_store.preview(s, rule, last_n, routing_store.routing_context(s))
