"""Rules in the store and routing at ingest, on both engines; and the fast
router's promise: it decides exactly what the rule engine decides."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smm_desk.domain import language, tone
from smm_desk.domain.enums import CaseStatus
from smm_desk.domain.records import MessageKind, Priority
from smm_desk.domain.rules import Actions, Conditions, MessageFacts, Rule, RuleContext, evaluate
from smm_desk.domain.starter_rules import starter_rules
from smm_desk.store import routing_fast
from smm_desk.store.api import Store
from smm_desk.store.database import Database
from smm_desk.store.errors import Conflict, NotFound
from tests.conftest import FakeClock
from tests.support.factories import inbound, outbound


@pytest.fixture
def store(db_url: str, clock: FakeClock) -> Iterator[Store]:
    s = Store(Database.open(db_url), clock)
    yield s
    s.close()


@pytest.fixture
def account_id(store: Store) -> int:
    return store.add_account("telegram", "@shop_bot").id


def rule(rule_id: str, *, keywords: tuple[str, ...] = (), **actions: object) -> Rule:
    return Rule(rule_id, rule_id.title(), conditions=Conditions(keywords=keywords),
                actions=Actions(**actions))  # type: ignore[arg-type]


def events(store: Store, case_id: int, kind: str) -> list[dict[str, object]]:
    return [e.data for e in store.case(case_id).events if e.kind == kind]


# -- storage ---------------------------------------------------------------------------------


def test_new_workspace_starts_with_the_starter_rules(store: Store) -> None:
    assert store.rules() == starter_rules()
    assert store.vip_list() == [] and store.blocked_list() == []


def test_rules_round_trip_in_order_and_edit_one_by_one(store: Store) -> None:
    a = rule("a", keywords=("refund*",), department="Billing", tags=("x",))
    b = Rule("b", "B", enabled=False, continue_matching=True,
             conditions=Conditions(networks=frozenset({"vk"}), regex=r"\d{4}", author_vip=True),
             actions=Actions(priority=Priority.URGENT, spam=True, sla_policy="Default"))
    store.save_rules([a, b])
    assert store.rules() == [a, b]
    c = rule("c", department="Support")
    store.add_rule(c, position=1)
    assert [r.id for r in store.rules()] == ["c", "a", "b"]
    store.move_rule("c", 3)
    assert [r.id for r in store.rules()] == ["a", "b", "c"]
    store.enable_rule("b", True)
    assert store.rules()[1].enabled
    store.update_rule(rule("a", keywords=("refund*",), department="Tech"))
    assert store.rules()[0].actions.department == "Tech"
    store.delete_rule("b")
    assert [r.id for r in store.rules()] == ["a", "c"]
    with pytest.raises(Conflict):
        store.add_rule(rule("a"))
    with pytest.raises(Conflict):
        store.save_rules([rule("x"), rule("x")])
    with pytest.raises(NotFound):
        store.move_rule("nope", 1)
    store.save_rules([])
    assert store.rules() == []


def test_vip_block_and_tone_lists(store: Store) -> None:
    assert store.set_vip_list(["@anna", " ", "@anna", "Boris"]) == ["@anna", "Boris"]
    store.set_blocked_list(["spammer"])
    store.set_routing_list("negative_terms", ["отстойник", "rip-off"])
    context = store.routing_context()
    assert context.vip == {"anna", "boris"} and context.blocked == {"spammer"}
    assert context.negative_terms == ("отстойник", "rip-off")
    with pytest.raises(ValueError, match="unknown list"):
        store.routing_list("friends")


# -- routing at ingest ---------------------------------------------------------------------


def test_new_cases_are_routed_by_the_starter_rules(store: Store, account_id: int,
                                                   clock: FakeClock) -> None:
    t0 = clock.now - timedelta(minutes=1)
    store.ingest(account_id, "u", [
        inbound("m1", t0, "I want a refund, my card was charged twice", thread="dm:1"),
        inbound("m2", t0, "You scammers, my lawyer will hear about this", thread="dm:2",
                author="Boris"),
        inbound("m3", t0, "hoan tien giup minh voi", thread="dm:3", author="Chi"),
        inbound("m4", t0, "Где мой заказ? Доставка задерживается", thread="dm:4",
                author="Dima"),
        inbound("m5", t0, "hello there", thread="dm:5", author="Eve"),
    ], "1")
    by_customer = {c.customer: c for c in store.queue()}
    assert by_customer["Anna"].department == "Billing"
    assert by_customer["Anna"].tags == ("billing",)
    assert by_customer["Boris"].department == "PR/Crisis"
    assert by_customer["Boris"].priority == "high"
    assert by_customer["Chi"].department == "Billing"
    assert by_customer["Dima"].department == "Sales"
    assert by_customer["Eve"].department == "Support"
    assert all(c.status == "new" for c in by_customer.values())  # no person touched them
    routed = events(store, by_customer["Boris"].id, "routed")
    assert len(routed) == 1
    assert routed[0]["rule_id"] == "crisis-fraud-legal"
    assert routed[0]["rule"] == "Fraud accusations and legal threats"
    assert routed[0]["matched"][0] == "crisis-fraud-legal" and len(routed[0]["matched"]) >= 2
    assert routed[0]["department"] == "PR/Crisis" and routed[0]["priority"] == "high"
    detail = store.case(by_customer["Anna"].id)
    assert [e.kind for e in detail.events] == ["ingested", "routed"]
    assert all(e.actor in ("sync", "rules") for e in detail.events)


def test_routing_happens_once_on_the_first_inbound_message(store: Store, account_id: int,
                                                           clock: FakeClock) -> None:
    t0 = clock.now - timedelta(minutes=5)
    store.ingest(account_id, "u", [
        outbound("o1", t0, "Hi, how can we help?"),
        inbound("m1", t0 + timedelta(seconds=5), "my card was charged twice"),
        inbound("m2", t0 + timedelta(seconds=9), "also the app shows an error"),
    ], "1")
    case = store.queue()[0]
    assert case.department == "Billing"
    store.ingest(account_id, "u", [inbound("m3", t0 + timedelta(minutes=1), "price?")], "2")
    case = store.queue()[0]
    assert case.department == "Billing"
    assert len(events(store, case.id, "routed")) == 1


def test_the_routed_departments_policy_runs_the_clock(store: Store, account_id: int,
                                                       clock: FakeClock) -> None:
    store.add_department("VIP desk", first_response=timedelta(minutes=2))
    store.save_rules([rule("vip", keywords=("gold",), department="vip desk")])
    t0 = clock.now - timedelta(seconds=30)
    store.ingest(account_id, "u", [inbound("m1", t0, "gold member here")], "1")
    case = store.queue()[0]
    assert case.department == "VIP desk"
    assert case.response_due_at == t0 + timedelta(minutes=2)


def test_sla_policy_assignee_and_unknown_names(store: Store, account_id: int,
                                               clock: FakeClock) -> None:
    store.add_department("Fast", first_response=timedelta(minutes=3))
    fast_policy = next(d.sla_policy for d in store.departments() if d.name == "Fast")
    assert fast_policy is not None
    store.save_rules([
        rule("one", keywords=("alpha",), department="Nowhere", priority=Priority.URGENT,
             tags=("t",), assignee="lee"),
        rule("two", keywords=("beta",), department="Support", sla_policy=fast_policy),
        rule("three", keywords=("gamma",), department="Support", sla_policy="Nope"),
    ])
    t0 = clock.now - timedelta(seconds=10)
    store.ingest(account_id, "u", [
        inbound("m1", t0, "alpha", thread="dm:1", author="A"),
        inbound("m2", t0, "beta", thread="dm:2", author="B"),
        inbound("m3", t0, "gamma", thread="dm:3", author="C"),
    ], "1")
    by = {c.customer: c for c in store.queue()}
    assert by["A"].department is None and by["A"].priority == "urgent"
    assert by["A"].tags == ("t",) and by["A"].assignee == "lee"
    [event] = events(store, by["A"].id, "routed")
    assert event["department"] is None and event["wanted_department"] == "Nowhere"
    assert "no department named 'Nowhere'" in event["problems"][0]  # type: ignore[index]
    assert by["B"].department == "Support"
    assert by["B"].response_due_at == t0 + timedelta(minutes=3)
    [event] = events(store, by["C"].id, "routed")
    assert "no SLA policy named 'Nope'" in event["problems"][0]  # type: ignore[index]
    assert by["C"].response_due_at == t0 + timedelta(minutes=10)


def test_spam_stops_the_clock_and_stays_spam(store: Store, account_id: int,
                                             clock: FakeClock) -> None:
    store.save_rules([Rule("spam", "Blocked authors", conditions=Conditions(author_blocked=True),
                           actions=Actions(spam=True))])
    store.set_blocked_list(["@Spammer"])
    t0 = clock.now - timedelta(minutes=1)
    store.ingest(account_id, "u", [inbound("m1", t0, "cheap followers!", author="spammer")], "1")
    assert store.queue() == []
    [case] = store.queue(statuses=["spam"])
    assert case.sla_state is None and case.response_due_at is None
    changes = events(store, case.id, "status_changed")
    assert changes == [{"from": "new", "to": "spam", "reason": "rule 'Blocked authors'"}]
    clock.advance(minutes=1)
    store.ingest(account_id, "u", [inbound("m2", clock.now, "still here", author="spammer")], "2")
    [case] = store.queue(statuses=["spam"])
    assert case.status == CaseStatus.SPAM.value and case.response_due_at is None


def test_no_matching_rule_leaves_the_case_unrouted(store: Store, account_id: int,
                                                   clock: FakeClock) -> None:
    store.save_rules([rule("billing", keywords=("refund",), department="Billing"),
                      Rule("off", "Disabled catch-all", enabled=False,
                           actions=Actions(department="Support"))])
    store.ingest(account_id, "u", [inbound("m1", clock.now, "hello")], "1")
    case = store.queue()[0]
    assert case.department is None and case.priority == "normal" and case.tags == ()
    assert events(store, case.id, "routed") == []


def test_vip_authors_and_lists_reach_the_rules(store: Store, account_id: int,
                                               clock: FakeClock) -> None:
    store.save_rules([
        Rule("vip", "VIP", conditions=Conditions(author_vip=True),
             actions=Actions(priority=Priority.URGENT, tags=("vip",)), continue_matching=True),
        *starter_rules(),
    ])
    store.set_vip_list(["Anna"])
    store.set_routing_list("negative_terms", ["meltdown"])
    store.ingest(account_id, "u", [
        inbound("m1", clock.now, "refund please", thread="dm:1", author="Anna"),
        inbound("m2", clock.now, "total meltdown here", thread="dm:2", author="Bo"),
    ], "1")
    by = {c.customer: c for c in store.queue()}
    assert by["Anna"].priority == "urgent" and by["Anna"].tags == ("vip", "billing")
    assert by["Anna"].department == "Billing"
    assert events(store, by["Anna"].id, "routed")[0]["matched"] == ["vip", "billing"]
    assert by["Bo"].department == "PR/Crisis"  # the user's own tone term


def test_route_preview_judges_recent_cases_on_their_first_message(
    store: Store, account_id: int, clock: FakeClock
) -> None:
    store.save_rules([])
    t0 = clock.now - timedelta(hours=1)
    for i, text in enumerate(["refund me", "hello", "hoàn tiền nhé", "where is my refund?"]):
        store.ingest(account_id, "u", [inbound(f"m{i}", t0 + timedelta(minutes=i), text,
                                               thread=f"dm:{i}", author=f"c{i}")], str(i))
    # A later message does not change what the case was about.
    store.ingest(account_id, "u", [inbound("late", clock.now, "refund", thread="dm:1",
                                           author="c1")], "9")
    candidate = Rule("r", "Refunds", enabled=False,
                     conditions=Conditions(keywords=("refund*", "hoàn tiền")))
    preview = store.route_preview(candidate)
    assert preview.examined == 4
    assert [m.customer for m in preview.matches] == ["c3", "c2", "c0"]
    assert preview.matches[0].text == "where is my refund?"
    latest = store.route_preview(candidate, last_n=3)
    assert latest.examined == 3 and [m.customer for m in latest.matches] == ["c3", "c2"]


# -- the fast router equals the engine -------------------------------------------------------


def test_python_word_classes_equal_the_engines() -> None:
    """``[^\\W_]`` is exactly letters and numbers, the rest is spelled out."""
    for cp in range(0x110000):
        char = chr(cp)
        assert char.isalnum() == (unicodedata.category(char)[0] in "LN"), hex(cp)


def test_shouting_alone_is_never_negative() -> None:
    # The fast judge skips the lexicon when no term is present: shouting must stay weak.
    assert not tone.assess_tone("WHY IS NOTHING HAPPENING WITH THIS!!!").negative


_VOCAB = [
    "refund", "refunds", "hoàn", "tiền", "hoan", "tien", "kiện", "kiến", "деньги", "верните",
    "не", "работает", "мошенники", "order", "my", "not", "working", "scam", "😡", "👍", "!!!",
    "PAYMENT", "Lawyer", "ёлка", "елка", "войти", "воити", "đ", "d", "_", "-", "t.me/x",
    "e\u0301", "ǅ", "ß", "ﬁ", "\u200d", "\ufe0f", "1", "١٢", "中文", "x\u0301\u0301",
]
_TEXT = st.lists(st.one_of(st.sampled_from(_VOCAB), st.text(max_size=4)), max_size=12).map(
    lambda parts: " ".join(parts)
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT)
def test_words_are_split_and_folded_as_the_engine_does(text: str) -> None:
    fast = routing_fast.Text.of(text)
    if fast is None:
        return  # a character this Python does not know: the engine decides alone
    expected = language.Words(text).words
    if fast.words is None:  # ASCII
        assert [language.Word(t, ()) for t in fast._tokens] == list(expected)
    else:
        assert fast.words == expected


_RULES = [
    Rule("vip", "VIP", conditions=Conditions(author_vip=True),
         actions=Actions(priority=Priority.URGENT, tags=("vip",)), continue_matching=True),
    Rule("phrase", "Phrases", conditions=Conditions(keywords=("не работает", "my order",
                                                              "hoàn tiền", "😡 scam")),
         actions=Actions(department="Tech", tags=("p",)), continue_matching=True),
    Rule("tg", "Telegram refunds", conditions=Conditions(keywords=("refund*",),
                                                         networks=frozenset({"telegram"})),
         actions=Actions(department="Billing")),
    Rule("angry", "Angry", conditions=Conditions(negative_tone=True),
         actions=Actions(priority=Priority.HIGH), continue_matching=True),
    Rule("regex", "Digits", conditions=Conditions(regex=r"\d{2}", has_link=False),
         actions=Actions(tags=("digits",))),
    *starter_rules(),
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT, st.sampled_from(["telegram", "vk"]), st.sampled_from(["Anna", "Bo"]),
       st.sampled_from([(), ("meltdown",)]))
def test_the_fast_router_decides_what_the_engine_decides(
    text: str, network: str, author: str, terms: tuple[str, ...]
) -> None:
    facts = MessageFacts(network, "1", MessageKind.DM, text, author, author,
                         datetime(2026, 1, 5, tzinfo=UTC))
    compiled = routing_fast.CompiledRules(_RULES, terms)
    judge = routing_fast.FastJudge(terms)
    fast = RuleContext(vip=frozenset({"anna"}), negative_terms=terms, is_negative=judge)
    plain = RuleContext(vip=frozenset({"anna"}), negative_terms=terms)
    assert compiled.decide(text, lambda: facts, fast, judge) == evaluate(_RULES, facts, plain)
