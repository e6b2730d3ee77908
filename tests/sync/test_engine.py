"""The sync engine and the outbox against a scripted connector: per-account
failure isolation, rate limits, quarantine, atomic batches, and settling sends
whose outcome a crash left unknown, for each idempotency kind."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, ClassVar

import pytest

from smm_desk.connectors.base import (
    AccountConfig,
    Connector,
    Delivery,
    FetchResult,
    Idempotency,
    OutgoingReply,
    Quarantined,
)
from smm_desk.connectors.errors import AuthError, PermanentError, RateLimited, TransientError
from smm_desk.domain.views import AccountView
from smm_desk.store.api import Store
from smm_desk.store.database import Database
from smm_desk.sync.engine import SyncEngine
from tests.conftest import FakeClock
from tests.support.factories import inbound

TOKEN = "tok-SECRET-123456"


class Script:
    """What the scripted network does next, per account name."""

    def __init__(self) -> None:
        self.pages: dict[str, list[Any]] = {}
        self.sends: dict[str, list[Any]] = {}
        self.sent: list[tuple[str, str]] = []
        self.fetch_calls: dict[str, int] = {}
        self.published: dict[str, Delivery] = {}


class ScriptedConnector(Connector):
    network = "telegram"
    default_base_url = "http://127.0.0.1:9"
    idempotency: ClassVar[Idempotency] = Idempotency.NONE
    streams = ("updates",)
    script: ClassVar[Script]

    async def fetch(self, stream: str, cursor: str | None, *, wait: float) -> FetchResult:
        name = self.account.name
        self.script.fetch_calls[name] = self.script.fetch_calls.get(name, 0) + 1
        pages = self.script.pages.get(name, [])
        if not pages:
            return FetchResult([], cursor)
        page = pages.pop(0)
        if isinstance(page, Exception):
            raise page
        return page

    async def send(self, reply: OutgoingReply) -> Delivery:
        outcomes = self.script.sends.get(self.account.name, [])
        outcome = outcomes.pop(0) if outcomes else None
        if isinstance(outcome, Exception):
            if getattr(outcome, "applied", False):
                self.script.sent.append((reply.reply_id, reply.text))
            raise outcome
        self.script.sent.append((reply.reply_id, reply.text))
        delivery = Delivery(f"out-{len(self.script.sent)}", self.clock())
        self.script.published[reply.reply_id] = delivery
        return delivery

    async def find_delivered(self, reply: OutgoingReply) -> Delivery | None:
        if self.idempotency == Idempotency.LOOKUP:
            return self.script.published.get(reply.reply_id)
        return None


@pytest.fixture
def store(db_url: str, clock: FakeClock) -> Iterator[Store]:
    s = Store(Database.open(db_url), clock)
    yield s
    s.close()


def make_engine(store: Store, script: Script, idempotency: Idempotency = Idempotency.NONE,
                tokens: dict[int, str] | None = None, holder: str | None = None) -> SyncEngine:
    cls = type("C", (ScriptedConnector,), {"script": script, "idempotency": idempotency})

    def factory(account: AccountView, token: str, credentials: object = None) -> Connector:
        assert token == TOKEN
        return cls(AccountConfig(account.id, account.network, account.name, None), token)

    async def no_sleep(_s: float) -> None:
        return None

    return SyncEngine(store, factory=factory,
                      tokens=lambda i: (tokens or {}).get(i, TOKEN), sleep=no_sleep,
                      holder=holder)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_sync_once_stores_batches_and_cursors(store: Store, clock: FakeClock) -> None:
    a = store.add_account("telegram", "a")
    script = Script()
    script.pages["a"] = [
        FetchResult([inbound("1", clock.now, thread="dm:1")], "c1", more=True),
        FetchResult([inbound("2", clock.now, thread="dm:2")], "c2",
                    quarantined=[Quarantined('{"bad": 1}', "no message_id")]),
    ]
    engine = make_engine(store, script)
    report = run(engine.sync_once())
    run(engine.aclose())
    assert (report.fetched, report.inserted, report.quarantined) == (2, 2, 1)
    assert store.cursor(a.id, "updates") == "c2"
    assert [q.reason for q in store.quarantine()] == ["no message_id"]
    assert len(store.queue()) == 2


def test_auth_error_stops_only_that_account(store: Store, clock: FakeClock) -> None:
    store.add_account("telegram", "bad")
    good = store.add_account("telegram", "good")
    script = Script()
    script.pages["bad"] = [AuthError("401 Unauthorized", network_message="Unauthorized")]
    script.pages["good"] = [FetchResult([inbound("1", clock.now)], "c1")]
    engine = make_engine(store, script)
    report = run(engine.sync_once())
    statuses = {a.name: (a.status, a.status_detail) for a in store.accounts()}
    assert statuses["bad"][0] == "needs_auth" and "Unauthorized" in statuses["bad"][1]
    assert statuses["good"][0] == "ok" and store.cursor(good.id, "updates") == "c1"
    assert len(report.errors) == 1
    # A stopped account is not called again on the next pass.
    run(engine.sync_once())
    assert script.fetch_calls["bad"] == 1
    run(engine.aclose())


def test_missing_token_means_needs_auth(store: Store) -> None:
    a = store.add_account("telegram", "a")
    engine = make_engine(store, Script(), tokens={a.id: ""})
    run(engine.sync_once())
    run(engine.aclose())
    (acc,) = store.accounts()
    assert acc.status == "needs_auth" and "keyring" in acc.status_detail


def test_rate_limit_is_honoured(store: Store, clock: FakeClock) -> None:
    store.add_account("telegram", "a")
    script = Script()
    script.pages["a"] = [RateLimited("429", 35), FetchResult([inbound("1", clock.now)], "c")]
    engine = make_engine(store, script)
    run(engine.sync_once())
    (acc,) = store.accounts()
    assert acc.status == "rate_limited" and acc.retry_at == clock.now + timedelta(seconds=35)
    clock.advance(seconds=34)
    run(engine.sync_once())
    assert script.fetch_calls["a"] == 1  # no request before the time
    clock.advance(seconds=2)
    run(engine.sync_once())
    run(engine.aclose())
    assert script.fetch_calls["a"] == 2 and store.accounts()[0].status == "ok"


def test_transient_error_backs_off_then_recovers(store: Store, clock: FakeClock) -> None:
    store.add_account("telegram", "a")
    script = Script()
    script.pages["a"] = [TransientError("GET /bot***/getUpdates: cannot connect"),
                         FetchResult([inbound("1", clock.now)], "c")]
    engine = make_engine(store, script)
    run(engine.sync_once())
    assert store.accounts()[0].status == "error"
    clock.advance(minutes=10)
    run(engine.sync_once())
    run(engine.aclose())
    assert store.accounts()[0].status == "ok" and len(store.queue()) == 1


def test_connector_bug_is_contained(store: Store, clock: FakeClock) -> None:
    store.add_account("telegram", "a")
    script = Script()
    script.pages["a"] = [TypeError(f"boom {TOKEN}")]
    engine = make_engine(store, script)
    report = run(engine.sync_once())
    run(engine.aclose())
    (acc,) = store.accounts()
    assert acc.status == "error" and TOKEN not in acc.status_detail
    assert TOKEN not in str(report.errors)


def seed_reply(store: Store, clock: FakeClock, name: str = "a") -> str:
    account = next(a for a in store.accounts() if a.name == name)
    store.ingest(account.id, "updates", [inbound(f"{name}-m1", clock.now, thread=f"dm:{name}")],
                 None)
    case = next(c for c in store.queue() if c.account == name)
    return store.queue_reply(case.id, "Thanks, on it!", agent="kim").id


def test_outbox_delivers_once_and_stops_clock(store: Store, clock: FakeClock) -> None:
    store.add_account("telegram", "a")
    reply_id = seed_reply(store, clock)
    script = Script()
    engine = make_engine(store, script)
    report = run(engine.sync_once())
    run(engine.sync_once())
    run(engine.aclose())
    assert report.delivered == 1 and script.sent == [(reply_id, "Thanks, on it!")]
    assert store.reply(reply_id).state == "sent"
    assert store.queue()[0].sla_state is None


def test_permanent_failure_keeps_network_message(store: Store, clock: FakeClock) -> None:
    store.add_account("telegram", "a")
    reply_id = seed_reply(store, clock)
    script = Script()
    script.sends["a"] = [PermanentError("403", network_message="Forbidden: bot was blocked")]
    engine = make_engine(store, script)
    run(engine.sync_once())
    run(engine.aclose())
    reply = store.reply(reply_id)
    assert reply.state == "failed" and reply.error == "Forbidden: bot was blocked"


def test_transient_not_applied_is_retried(store: Store, clock: FakeClock) -> None:
    store.add_account("telegram", "a")
    reply_id = seed_reply(store, clock)
    script = Script()
    script.sends["a"] = [TransientError("connect failed", maybe_delivered=False)]
    engine = make_engine(store, script)
    run(engine.sync_once())
    assert store.reply(reply_id).state == "queued" and script.sent == []
    clock.advance(minutes=10)
    run(engine.sync_once())
    run(engine.aclose())
    assert store.reply(reply_id).state == "sent" and len(script.sent) == 1


@pytest.mark.parametrize("idempotency", list(Idempotency))
def test_doubtful_send_is_never_posted_twice_silently(
    store: Store, clock: FakeClock, idempotency: Idempotency
) -> None:
    store.add_account("telegram", "a")
    reply_id = seed_reply(store, clock)
    script = Script()
    failure = TransientError("read timeout", maybe_delivered=True)
    failure.applied = True  # type: ignore[attr-defined]  # it did reach the network
    script.sends["a"] = [failure]
    engine = make_engine(store, script, idempotency)
    run(engine.sync_once())
    run(engine.sync_once())
    run(engine.aclose())
    state = store.reply(reply_id).state
    if idempotency == Idempotency.KEY:
        # Resent with the same key; the (real) network drops the repeat.
        assert state == "sent" and len(script.sent) == 2
        assert {rid for rid, _ in script.sent} == {reply_id}
    elif idempotency == Idempotency.LOOKUP:
        assert state == "uncertain" and len(script.sent) == 1  # not found: a person checks
    else:
        assert state == "uncertain" and len(script.sent) == 1


def test_crash_in_sending_is_settled_from_own_fetched_copy(store: Store, clock: FakeClock) -> None:
    a = store.add_account("telegram", "a")
    reply_id = seed_reply(store, clock)
    store.claim_reply(reply_id)  # the process died right after this commit
    clock.advance(seconds=5)
    # The brand's own message came back through the network before the restart.
    from tests.support.factories import outbound

    store.ingest(a.id, "updates", [outbound("own-9", clock.now, "Thanks, on it!", thread="dm:a")],
                 None)
    script = Script()
    engine = make_engine(store, script, Idempotency.LOOKUP)
    run(engine.sync_once())
    run(engine.aclose())
    reply = store.reply(reply_id)
    assert reply.state == "sent" and reply.external_id == "own-9" and script.sent == []
    assert len(store.case(store.queue()[0].id).messages) == 2


def test_crash_in_sending_without_key_or_copy_is_uncertain(store: Store, clock: FakeClock) -> None:
    store.add_account("telegram", "a")
    reply_id = seed_reply(store, clock)
    store.claim_reply(reply_id)
    script = Script()
    engine = make_engine(store, script, Idempotency.NONE)
    run(engine.sync_once())
    run(engine.aclose())
    reply = store.reply(reply_id)
    assert reply.state == "uncertain" and "check" in reply.error and script.sent == []
    store.retry_reply(reply_id)  # a person checked and decided to send
    engine = make_engine(store, script, Idempotency.NONE)
    run(engine.sync_once())
    run(engine.aclose())
    assert store.reply(reply_id).state == "sent" and len(script.sent) == 1


def test_crash_in_sending_with_key_resends_same_key(store: Store, clock: FakeClock) -> None:
    store.add_account("telegram", "a")
    reply_id = seed_reply(store, clock)
    store.claim_reply(reply_id)
    script = Script()
    engine = make_engine(store, script, Idempotency.KEY)
    run(engine.sync_once())
    run(engine.aclose())
    assert store.reply(reply_id).state == "sent" and script.sent == [(reply_id, "Thanks, on it!")]


def test_auth_error_on_send_requeues(store: Store, clock: FakeClock) -> None:
    store.add_account("telegram", "a")
    reply_id = seed_reply(store, clock)
    script = Script()
    script.sends["a"] = [AuthError("401")]
    engine = make_engine(store, script)
    run(engine.sync_once())
    run(engine.aclose())
    assert store.reply(reply_id).state == "queued"
    assert store.accounts()[0].status == "needs_auth"


def test_run_loop_stops_cleanly(store: Store, clock: FakeClock) -> None:
    store.add_account("telegram", "a")
    script = Script()
    script.pages["a"] = [FetchResult([inbound("1", clock.now)], "c1")]
    engine = make_engine(store, script)

    async def main() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(engine.run(stop))
        for _ in range(200):
            await asyncio.sleep(0.01)
            if store.cursor(store.accounts()[0].id, "updates") == "c1":
                break
        stop.set()
        await asyncio.wait_for(task, 10)
        await engine.aclose()

    run(main())
    assert len(store.queue()) == 1


@pytest.mark.parametrize("confirms", [False, True])
def test_ready_pages_share_one_transaction_unless_fetching_confirms(
    store: Store, clock: FakeClock, confirms: bool, monkeypatch: pytest.MonkeyPatch,
) -> None:
    a = store.add_account("telegram", "a")
    script = Script()
    script.pages["a"] = [
        FetchResult([inbound(str(i), clock.now, thread=f"dm:{i}")], f"c{i}", more=i < 3)
        for i in range(1, 4)
    ]
    engine = make_engine(store, script)
    monkeypatch.setattr(ScriptedConnector, "confirms_on_fetch", confirms)
    calls: list[int] = []
    real = store.ingest

    def counted(account_id: int, stream: str, messages: Any, *args: Any) -> Any:
        calls.append(len(messages))
        return real(account_id, stream, messages, *args)

    monkeypatch.setattr(store, "ingest", counted)
    report = run(engine.sync_once())
    run(engine.aclose())
    assert report.inserted == 3 and store.cursor(a.id, "updates") == "c3"
    assert calls == ([1, 1, 1] if confirms else [3])


def test_a_failure_mid_batch_stores_nothing_and_the_next_pass_reads_again(
    store: Store, clock: FakeClock,
) -> None:
    a = store.add_account("telegram", "a")
    script = Script()
    first = FetchResult([inbound("1", clock.now, thread="dm:1")], "c1", more=True)
    script.pages["a"] = [first, TransientError("reset"), first,
                         FetchResult([inbound("2", clock.now, thread="dm:2")], "c2")]
    engine = make_engine(store, script)
    run(engine.sync_once())
    assert store.cursor(a.id, "updates") is None and store.queue() == []
    engine.states[a.id].not_before = None
    report = run(engine.sync_once())
    run(engine.aclose())
    assert report.inserted == 2 and store.cursor(a.id, "updates") == "c2"


def test_status_changes_are_logged_once_each_without_secrets(
    store: Store, clock: FakeClock, caplog: pytest.LogCaptureFixture,
) -> None:
    account = store.add_account("telegram", "a")
    script = Script()
    script.pages["a"] = [RateLimited("429", 35), RateLimited("429", 35),
                         AuthError(f"401 for {TOKEN}", network_message=f"bad token {TOKEN}\nx")]
    engine = make_engine(store, script)
    caplog.set_level("INFO", logger="smm_desk.sync")
    run(engine.sync_once())
    clock.advance(seconds=36)
    run(engine.sync_once())  # rate-limited again: the same state, no second line
    clock.advance(seconds=36)
    run(engine.sync_once())
    run(engine.aclose())
    lines = [r.getMessage() for r in caplog.records
             if r.name == "smm_desk.sync" and r.levelname == "INFO" and "→" in r.getMessage()]
    assert lines == [
        f"account {account.id} (telegram): ok → rate_limited: rate limited by the network "
        "for 35 s",
        f"account {account.id} (telegram): rate_limited → needs_auth: the network refused the "
        "token: bad token *** x",
    ]
    assert all(TOKEN not in r.getMessage() for r in caplog.records)
