"""The rule engine: conditions one by one, then ordering, continue and merge properties,
regex limits, explanations, and the starter rule set on realistic texts."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from datetime import time as clock
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smm_desk.domain.business_hours import BusinessCalendar
from smm_desk.domain.enums import Direction
from smm_desk.domain.records import IncomingMessage, MessageKind, Priority
from smm_desk.domain.rules import (
    PRIORITY_ORDER,
    Actions,
    Conditions,
    Decision,
    MatchedRule,
    MessageFacts,
    Rule,
    RuleContext,
    RuleError,
    check,
    conditions_hold,
    evaluate,
    explain,
)
from smm_desk.domain.starter_rules import STARTER_DEPARTMENTS, starter_rules

T = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)  # Monday 10:00 in Moscow


def facts(
    text: str = "hello",
    *,
    network: str = "vk",
    account_id: str = "acc-1",
    kind: MessageKind = MessageKind.COMMENT,
    author_id: str = "u1",
    author_name: str = "Ivan",
    at: datetime = T,
) -> MessageFacts:
    return MessageFacts(network, account_id, kind, text, author_id, author_name, at)


def rule(rule_id: str, enabled: bool = True, cont: bool = False, **conditions: object) -> Rule:
    return Rule(
        id=rule_id,
        name=f"Rule {rule_id}",
        enabled=enabled,
        conditions=Conditions(**conditions),  # type: ignore[arg-type]
        actions=Actions(department=rule_id.upper()),
        continue_matching=cont,
    )


def no_detector(text: str) -> str | None:
    raise AssertionError("language detection ran although no rule asks for a language")


QUIET = RuleContext(detect_language=no_detector)


# -- conditions, one by one --------------------------------------------------------------


def test_no_conditions_match_everything() -> None:
    decision = evaluate([rule("all")], facts(""), QUIET)
    assert decision.rule == MatchedRule("all", "Rule all") and decision.department == "ALL"
    assert Conditions().is_empty and not Conditions(has_link=False).is_empty


def test_no_rule_matches() -> None:
    assert evaluate([], facts(), QUIET) == Decision()
    assert evaluate([rule("x", keywords=["refund"])], facts(), QUIET).rule is None


def test_network_account_and_kind() -> None:
    r = rule("r", networks={"VK", "telegram"}, account_ids={"acc-1"}, kinds={"dm", "comment"})
    assert conditions_hold(r, facts(network="vk"), QUIET)
    assert not conditions_hold(r, facts(network="x"), QUIET)
    assert not conditions_hold(r, facts(account_id="acc-2"), QUIET)
    assert not conditions_hold(r, facts(kind=MessageKind.MENTION), QUIET)


def test_keywords_any_of() -> None:
    r = rule("r", keywords=["refund*", "hoàn tiền", "верните деньги"])
    for text in ("refunds?", "Hoan tien giup em", "ВЕРНИТЕ ДЕНЬГИ!"):
        assert conditions_hold(r, facts(text), QUIET)
    assert not conditions_hold(r, facts("деньги верните"), QUIET)


def test_regex_is_case_insensitive_unless_told() -> None:
    assert conditions_hold(rule("r", regex=r"order\s*#?\d{5}"), facts("ORDER #12345"), QUIET)
    assert not conditions_hold(rule("r", regex=r"(?-i)ORDER"), facts("order"), QUIET)
    assert conditions_hold(rule("r", regex=r"\p{Cyrillic}+ \d+"), facts("заказ 77"), QUIET)
    assert Conditions(regex="").regex is None


def test_languages_use_the_detector_once_per_message() -> None:
    calls: list[str] = []

    def detector(text: str) -> str | None:
        calls.append(text)
        return "vi"

    context = RuleContext(detect_language=detector)
    rules = [rule("a", languages={"ru"}), rule("b", languages={"VI", "en"})]
    assert evaluate(rules, facts("xin chào"), context).rule == MatchedRule("b", "Rule b")
    assert calls == ["xin chào"]
    undetermined = RuleContext(detect_language=lambda text: None)
    assert evaluate(rules, facts("ok"), undetermined).rule is None


def test_real_language_detection() -> None:
    rules = [
        rule("ru", languages={"ru"}),
        rule("vi", languages={"vi"}),
        rule("en", languages={"en"}),
    ]
    assert evaluate(rules, facts("Где мой заказ?")).department == "RU"
    assert evaluate(rules, facts("Giá bao nhiêu vậy shop?")).department == "VI"
    assert evaluate(rules, facts("Where is my order?")).department == "EN"


def test_negative_tone_from_lexicon_and_user_terms() -> None:
    r = rule("pr", negative_tone=True)
    assert conditions_hold(r, facts("you scammers"), QUIET)
    assert not conditions_hold(r, facts("daylight robbery"), QUIET)
    extended = RuleContext(negative_terms=("daylight robbery",), detect_language=no_detector)
    assert conditions_hold(r, facts("Daylight robbery!"), extended)
    calm = RuleContext(is_negative=lambda text: False, detect_language=no_detector)
    assert not conditions_hold(r, facts("you scammers"), calm)
    assert conditions_hold(rule("calm", negative_tone=False), facts("thank you"), QUIET)


def test_vip_and_blocked_by_id_or_name() -> None:
    context = RuleContext(vip={"@Anna", "42"}, blocked={"spam_bot"}, detect_language=no_detector)
    vip = rule("vip", author_vip=True)
    assert conditions_hold(vip, facts(author_name="anna"), context)
    assert conditions_hold(vip, facts(author_id="42", author_name=""), context)
    assert not conditions_hold(vip, facts(author_name="Boris"), context)
    assert conditions_hold(rule("not-vip", author_vip=False), facts(author_name="Boris"), context)
    blocked = rule("blocked", author_blocked=True)
    assert conditions_hold(blocked, facts(author_name="@SPAM_BOT"), context)
    assert not conditions_hold(blocked, facts(author_name="", author_id=""), context)


def test_links() -> None:
    assert conditions_hold(rule("r", has_link=True), facts("free coins t.me/abc"), QUIET)
    assert conditions_hold(rule("r", has_link=False), facts("no link here"), QUIET)


def test_business_hours() -> None:
    moscow = BusinessCalendar("Europe/Moscow", {d: ((clock(9), clock(18)),) for d in range(5)})
    context = RuleContext(calendar=moscow, detect_language=no_detector)
    inside, outside = (
        rule("in", inside_business_hours=True),
        rule("out", inside_business_hours=False),
    )
    monday_10 = datetime(2026, 1, 5, 10, 0, tzinfo=ZoneInfo("Europe/Moscow"))
    saturday = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    assert conditions_hold(inside, facts(at=monday_10), context)
    assert conditions_hold(outside, facts(at=saturday), context)
    assert not conditions_hold(inside, facts(at=saturday), context)
    # Without a calendar the desk counts as always open, like an SLA policy without one.
    assert conditions_hold(inside, facts(at=saturday), QUIET)
    assert not conditions_hold(outside, facts(at=saturday), QUIET)


def test_all_given_conditions_must_hold() -> None:
    r = rule("r", networks={"vk"}, keywords=["refund"], has_link=False)
    assert conditions_hold(r, facts("refund"), QUIET)
    assert not conditions_hold(r, facts("refund https://x.io"), QUIET)
    assert not conditions_hold(r, facts("refund", network="telegram"), QUIET)


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Conditions(networks="vk"), "networks"),  # one string is not a list
        (lambda: Conditions(networks={"myspace"}), "networks"),
        (lambda: Conditions(kinds={"letter"}), "kinds"),
        (lambda: Conditions(languages={"xx"}), "languages"),
        (lambda: Conditions(keywords=["!!!"]), "keywords"),
        (lambda: Conditions(regex="("), "regex"),
        (lambda: Conditions(has_link=1), "has_link"),
        (lambda: Actions(priority="asap"), "priority"),
        (lambda: Actions(tags=[""]), "tags"),
        (lambda: Rule(id=" ", name="x"), "id"),
        (lambda: RuleContext(negative_terms=("*",)), "negative_terms"),
    ],
)
def test_bad_rules_are_refused_naming_the_field(build: object, field: str) -> None:
    with pytest.raises(RuleError) as caught:
        build()  # type: ignore[operator]
    assert caught.value.field == field and str(caught.value).startswith(f"{field}: ")


def test_facts_need_aware_time_and_can_come_from_a_message() -> None:
    with pytest.raises(ValueError):
        facts(at=datetime(2026, 1, 1))  # noqa: DTZ001 - the naive datetime is the point
    message = IncomingMessage(
        external_id="1",
        thread_key="dm:1",
        direction=Direction.INBOUND,
        kind=MessageKind.DM,
        text="hi",
        created_at=T,
        author_id="9",
        author_name="Anna",
    )
    assert MessageFacts.of(message, "telegram", "acc") == MessageFacts(
        "telegram", "acc", MessageKind.DM, "hi", "9", "Anna", T
    )


# -- regex limits ------------------------------------------------------------------------


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(a|aa)+$", r"(.*a){12}$", r"(x+x+)+y"])
def test_catastrophic_patterns_return_fast(pattern: str) -> None:
    r = rule("r", regex=pattern)
    for text in ("a" * 100_000, "a" * 100_000 + "!", "x" * 100_000):
        started = time.perf_counter()
        evaluate([r], facts(text), QUIET)
        assert time.perf_counter() - started < 0.1


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("(", "missing"),
        ("[a-", "missing"),
        (r"(?<=a)b", "invalid"),  # look-behind: Python has it, RE2 refuses it
        (r"(a)\1", "invalid"),  # backreferences are what make backtracking exponential
        ("a{1001}", "repetition"),
        ("x" * 1001, "longer than"),
    ],
)
def test_invalid_patterns_are_refused_when_the_rule_is_built(pattern: str, reason: str) -> None:
    with pytest.raises(RuleError, match=reason) as caught:
        Conditions(regex=pattern)
    assert caught.value.field == "regex"


# -- ordering and merging: properties ----------------------------------------------------

VOCAB = ["refund", "login", "price", "scam", "hoàn tiền", "войти", "hello"]
NETWORKS = ["vk", "telegram", "x"]
KINDS = [MessageKind.COMMENT, MessageKind.DM, MessageKind.MENTION]


def fake_tone(text: str) -> bool:
    return "scam" in text


CONTEXT = RuleContext(
    vip={"anna"}, detect_language=no_detector, is_negative=fake_tone
)  # fmt: skip

maybe_flag = st.none() | st.booleans()
conditions_strategy = st.builds(
    Conditions,
    networks=st.frozensets(st.sampled_from(NETWORKS), max_size=2),
    kinds=st.frozensets(st.sampled_from(KINDS), max_size=2),
    keywords=st.lists(st.sampled_from(VOCAB), max_size=2).map(tuple),
    has_link=maybe_flag,
    author_vip=maybe_flag,
    negative_tone=maybe_flag,
)
actions_strategy = st.builds(
    Actions,
    department=st.none() | st.sampled_from(["Billing", "Tech", "Sales", "Support"]),
    priority=st.none() | st.sampled_from(Priority),
    tags=st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=2).map(tuple),
    assignee=st.none() | st.sampled_from(["kim", "lee"]),
    spam=st.booleans(),
    sla_policy=st.none() | st.sampled_from(["fast", "slow"]),
)


NEVER = st.just(False)


@st.composite
def rule_lists(draw: st.DrawFn, continuing: st.SearchStrategy[bool] = NEVER) -> list[Rule]:
    count = draw(st.integers(0, 7))
    return [
        Rule(
            id=f"r{index}",
            name=f"Rule {index}",
            enabled=draw(st.booleans()),
            conditions=draw(conditions_strategy),
            actions=draw(actions_strategy),
            continue_matching=draw(continuing),
        )
        for index in range(count)
    ]


message_strategy = st.builds(
    lambda network, kind, words, link, author: facts(
        " ".join(words) + (" https://x.io/a" if link else ""),
        network=network,
        kind=kind,
        author_name=author,
    ),
    st.sampled_from(NETWORKS),
    st.sampled_from(KINDS),
    st.lists(st.sampled_from(VOCAB), max_size=4),
    st.booleans(),
    st.sampled_from(["anna", "boris"]),
)


def winner(rules: list[Rule], message: MessageFacts) -> Rule | None:
    for candidate in rules:
        if candidate.enabled and conditions_hold(candidate, message, CONTEXT):
            return candidate
    return None


@settings(max_examples=150, deadline=None)
@given(rules=rule_lists(), message=message_strategy)
def test_first_match_wins(rules: list[Rule], message: MessageFacts) -> None:
    decision = evaluate(rules, message, CONTEXT)
    first = winner(rules, message)
    if first is None:
        assert decision == Decision()
    else:
        assert decision.matched == (MatchedRule(first.id, first.name),)
        assert decision.department == first.actions.department
        assert decision.priority == first.actions.priority
        assert decision.tags == first.actions.tags
        assert decision.spam == first.actions.spam


@settings(max_examples=150, deadline=None)
@given(rules=rule_lists(continuing=st.booleans()), message=message_strategy)
def test_a_disabled_rule_never_matches(rules: list[Rule], message: MessageFacts) -> None:
    decision = evaluate(rules, message, CONTEXT)
    disabled = {r.id for r in rules if not r.enabled}
    assert not disabled & {m.id for m in decision.matched}
    # ... and behaves exactly as if it were not in the list at all.
    assert decision == evaluate([r for r in rules if r.enabled], message, CONTEXT)


@settings(max_examples=150, deadline=None)
@given(rules=rule_lists(), message=message_strategy, data=st.data())
def test_moving_a_rule_earlier_never_lets_a_third_rule_win(
    rules: list[Rule], message: MessageFacts, data: st.DataObject
) -> None:
    if not rules:
        return
    source = data.draw(st.integers(0, len(rules) - 1))
    target = data.draw(st.integers(0, source))
    moved = rules[source]
    reordered = [r for i, r in enumerate(rules) if i != source]
    reordered.insert(target, moved)
    before = evaluate(rules, message, CONTEXT).rule
    after = evaluate(reordered, message, CONTEXT).rule
    assert after in (before, MatchedRule(moved.id, moved.name))
    if before == MatchedRule(moved.id, moved.name):
        assert after == before  # the winner moved up: still the winner


@settings(max_examples=150, deadline=None)
@given(rules=rule_lists(continuing=st.booleans()), message=message_strategy)
def test_continue_accumulates_and_the_first_department_stays(
    rules: list[Rule], message: MessageFacts
) -> None:
    decision = evaluate(rules, message, CONTEXT)
    chain: list[Rule] = []
    for candidate in rules:
        if candidate.enabled and conditions_hold(candidate, message, CONTEXT):
            chain.append(candidate)
            if not candidate.continue_matching:
                break
    assert decision.matched == tuple(MatchedRule(r.id, r.name) for r in chain)
    departments = [r.actions.department for r in chain if r.actions.department]
    assert decision.department == (departments[0] if departments else None)
    assignees = [r.actions.assignee for r in chain if r.actions.assignee]
    assert decision.assignee == (assignees[0] if assignees else None)
    priorities = [PRIORITY_ORDER.index(r.actions.priority) for r in chain if r.actions.priority]
    assert decision.priority == (PRIORITY_ORDER[max(priorities)] if priorities else None)
    assert set(decision.tags) == {tag for r in chain for tag in r.actions.tags}
    assert len(decision.tags) == len(set(decision.tags))
    assert decision.spam == any(r.actions.spam for r in chain)


def test_continue_example() -> None:
    crisis = Rule(
        "crisis",
        "Angry",
        conditions=Conditions(negative_tone=True),
        actions=Actions(department="PR/Crisis", priority="high", tags=("crisis",)),
        continue_matching=True,
    )
    billing = Rule(
        "billing",
        "Refunds",
        conditions=Conditions(keywords=("refund",)),
        actions=Actions(
            department="Billing", priority="normal", tags=("billing", "crisis"), assignee="kim"
        ),
    )
    catch_all = Rule("support", "Rest", actions=Actions(department="Support", tags=("rest",)))
    decision = evaluate([crisis, billing, catch_all], facts("refund now, scammers"), QUIET)
    assert decision.matched == (MatchedRule("crisis", "Angry"), MatchedRule("billing", "Refunds"))
    assert decision.rule == MatchedRule("crisis", "Angry")
    assert (decision.department, decision.priority) == ("PR/Crisis", Priority.HIGH)
    assert decision.tags == ("crisis", "billing") and decision.assignee == "kim"
    assert decision.to_dict()["matched"] == [
        {"id": "crisis", "name": "Angry"},
        {"id": "billing", "name": "Refunds"},
    ]


# -- explanations ------------------------------------------------------------------------


def test_explain_tells_which_conditions_held() -> None:
    r = Rule(
        "r",
        "Refund on VK",
        enabled=False,
        conditions=Conditions(
            networks={"vk"}, keywords=("refund*", "hoàn tiền"), has_link=True, negative_tone=True
        ),
    )
    lines = explain(r, facts("Refunded? No. Scam!"), RuleContext())
    assert lines[0] == "✓ networks: network is 'vk'; rule wants 'vk'"
    assert "✗ has_link: contains a link: no; rule wants yes" in lines
    assert "✓ keywords: found 'refund*'" in lines
    assert any(
        line.startswith("✓ negative_tone: tone is negative (score 2: scam)") for line in lines
    )
    assert "does not match: 1 of 4 conditions failed" in lines
    assert lines[-1].startswith("the rule is disabled")
    assert [c.held for c in check(r, facts("Refunded? No. Scam!"), RuleContext())] == [
        True, False, True, True,
    ]  # fmt: skip


def test_explain_a_catch_all_and_languages() -> None:
    assert explain(Rule("all", "All"), facts()) == [
        "matches: the rule has no conditions, so it matches every message"
    ]
    lines = explain(rule("ru", languages={"ru"}), facts("ok"), RuleContext())
    assert lines[0] == "✗ languages: language could not be determined; rule wants 'ru'"


# -- the starter rule set ----------------------------------------------------------------

CRISIS, HIGH = "PR/Crisis", Priority.HIGH


@pytest.mark.parametrize(
    ("text", "department", "priority"),
    [
        ("I was charged twice, refund please", "Billing", None),
        ("Не могу войти в приложение", "Tech", None),
        ("Shop ơi còn hàng không, ship Đà Nẵng bao lâu?", "Sales", None),
        ("You are scammers, my lawyer will contact you", CRISIS, HIGH),
        ("hello", "Support", None),
        ("Can I pay with PayPal?", "Billing", None),
        ("Списали деньги дважды, верните пожалуйста", "Billing", None),
        ("Tôi muốn hoàn tiền đơn hàng này", "Billing", None),
        ("The app crashes every time I open it", "Tech", None),
        ("Приложение вылетает после обновления", "Tech", None),
        ("App bị lỗi không đăng nhập được", "Tech", None),
        ("How much is the blue jacket in size M?", "Sales", None),
        ("Сколько стоит доставка в Казань?", "Sales", None),
        ("shop oi gia bao nhieu", "Sales", None),
        ("Kiện hàng của tôi đâu rồi?", "Sales", None),  # a parcel, not a lawsuit
        ("I want my money back, this is the worst service ever!!!", CRISIS, HIGH),
        ("Верните деньги, мошенники!", CRISIS, HIGH),
        ("Подам в суд, если не вернете деньги", CRISIS, HIGH),
        ("Shop lừa đảo, tôi sẽ kiện", CRISIS, HIGH),
        ("Спасибо за быстрый ответ!", "Support", None),
        ("Cảm ơn shop nhiều nha", "Support", None),
        ("tra loi giup em voi shop", "Support", None),
        ("What time do you open tomorrow?", "Support", None),
    ],
)
def test_starter_rules_route_realistic_texts(
    text: str, department: str, priority: Priority | None
) -> None:
    decision = evaluate(starter_rules(), facts(text), QUIET)
    assert (decision.department, decision.priority) == (department, priority)


def test_a_furious_refund_demand_goes_to_pr_and_keeps_its_topic() -> None:
    decision = evaluate(starter_rules(), facts("Refund my money NOW, you scammers"), QUIET)
    assert decision.rule is not None and decision.rule.id == "crisis-fraud-legal"
    assert decision.department == CRISIS and decision.tags == ("crisis", "billing")


def test_starter_rules_shape() -> None:
    rules = starter_rules()
    assert len({r.id for r in rules}) == len(rules)
    assert [r.actions.department for r in rules[:2]] == [CRISIS, CRISIS]
    assert rules[-1].conditions.is_empty and rules[-1].actions.department == "Support"
    assert {r.actions.department for r in rules} == set(STARTER_DEPARTMENTS)
    assert starter_rules() == rules and starter_rules() is not rules
