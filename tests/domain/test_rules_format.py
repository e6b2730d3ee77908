"""Shareable rule files: TOML round trip, hand-written files, and errors that say where."""

from __future__ import annotations

import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smm_desk.domain.language import SUPPORTED_LANGUAGES
from smm_desk.domain.records import NETWORKS, MessageKind, Priority
from smm_desk.domain.rules import Actions, Conditions, Rule
from smm_desk.domain.rules_format import VERSION, RulesFormatError, dumps, loads
from smm_desk.domain.starter_rules import starter_rules

# Any text TOML can carry (no lone surrogates), including quotes, backslashes,
# newlines, control characters and non-Latin scripts.
texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
names = texts.filter(lambda s: bool(s.strip()))
optional_names = st.none() | names


def _valid(build: object, value: object) -> bool:
    try:
        build(value)  # type: ignore[operator]
    except ValueError:
        return False
    return True


keywords = st.sampled_from(
    ["refund*", "hoàn tiền", "верните деньги", "😡", "e-mail"]
) | texts.filter(lambda s: _valid(lambda k: Conditions(keywords=(k,)), s))
patterns = st.sampled_from([r"\d{3}-\d{2}", r'"quoted" \\ back', r"\p{Cyrillic}+", "(?-i)VIP"]) | (
    texts.filter(lambda s: s != "" and _valid(lambda p: Conditions(regex=p), s))
)
flags = st.none() | st.booleans()

conditions = st.builds(
    Conditions,
    networks=st.frozensets(st.sampled_from(NETWORKS), max_size=3),
    account_ids=st.frozensets(names, max_size=2),
    kinds=st.frozensets(st.sampled_from(MessageKind), max_size=3),
    keywords=st.lists(keywords, max_size=4).map(tuple),
    regex=st.none() | patterns,
    languages=st.frozensets(st.sampled_from(sorted(SUPPORTED_LANGUAGES)), max_size=3),
    negative_tone=flags,
    author_vip=flags,
    author_blocked=flags,
    has_link=flags,
    inside_business_hours=flags,
)
actions = st.builds(
    Actions,
    department=optional_names,
    priority=st.none() | st.sampled_from(Priority),
    tags=st.lists(names, max_size=3).map(tuple),
    assignee=optional_names,
    spam=st.booleans(),
    sla_policy=optional_names,
)


@st.composite
def rule_sets(draw: st.DrawFn) -> list[Rule]:
    ids = draw(st.lists(names, max_size=5, unique_by=str.strip))
    return [
        Rule(
            id=rule_id,
            name=draw(names),
            enabled=draw(st.booleans()),
            conditions=draw(conditions),
            actions=draw(actions),
            continue_matching=draw(st.booleans()),
        )
        for rule_id in ids
    ]


@settings(max_examples=200, deadline=None)
@given(rules=rule_sets())
def test_round_trip(rules: list[Rule]) -> None:
    text = dumps(rules)
    assert loads(text) == rules
    assert dumps(loads(text)) == text  # canonical: exporting twice gives the same bytes


def test_starter_rules_round_trip() -> None:
    assert loads(dumps(starter_rules())) == starter_rules()


def test_the_written_file_is_readable() -> None:
    rule = Rule(
        id="vip-refunds",
        name="VIP refunds",
        conditions=Conditions(networks={"vk", "telegram"}, keywords=("refund*", "hoàn tiền")),
        actions=Actions(department="Billing", priority=Priority.URGENT, tags=("vip",)),
        continue_matching=True,
    )
    text = dumps([rule])
    assert text.startswith("# SMM Desk routing rules")
    assert "[[rule]]" in text and "[rule.conditions]" in text and "[rule.actions]" in text
    assert 'networks = [\n    "telegram",\n    "vk",\n]' in text  # sorted
    assert 'priority = "urgent"' in text
    assert "regex" not in text and "spam" not in text  # unset fields are left out
    assert tomllib.loads(text)["version"] == VERSION


def test_a_hand_written_file() -> None:
    text = """
# Our rules
[[rule]]
id = "legal"
name = "Legal threats"
[rule.conditions]
keywords = ["lawyer*", "суд", "khởi kiện"]
kinds = ["comment", "DM"]
[rule.actions]
department = "PR/Crisis"
priority = "high"

[[rule]]
id = "rest"
name = "Everything else"
enabled = false
[rule.actions]
department = "Support"
"""
    legal, rest = loads(text)
    assert legal.enabled and not legal.continue_matching
    assert legal.conditions.kinds == {MessageKind.COMMENT, MessageKind.DM}
    assert legal.actions.priority is Priority.HIGH
    assert not rest.enabled and rest.conditions.is_empty
    assert loads("") == [] and loads(dumps([])) == []


BASE = '[[rule]]\nid = "vip"\nname = "VIP"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (BASE + "[rule.conditions]\nkeyword = ['x']", "rule 1 ('vip'): conditions.keyword: unknown field (did you mean 'keywords'?)"),
        (BASE + "[rule.conditions]\nregex = '(a'", "rule 1 ('vip'): conditions.regex: invalid pattern '(a': missing ): (a"),
        (BASE + "[rule.conditions]\nregex = '(?<=a)b'", "rule 1 ('vip'): conditions.regex: invalid pattern"),
        (BASE + "[rule.actions]\npriority = 'asap'", "rule 1 ('vip'): actions.priority: unknown priority 'asap'; known: low, normal, high, urgent"),
        (BASE + "[rule.actions]\npriority = 3", "rule 1 ('vip'): actions.priority: must be text, got 3"),
        (BASE + "[rule.conditions]\nnetworks = 'vk'", "rule 1 ('vip'): conditions.networks: must be a list of text"),
        (BASE + "[rule.conditions]\nnetworks = ['myspace']", "rule 1 ('vip'): conditions.networks: unknown network 'myspace'"),
        (BASE + "[rule.conditions]\nlanguages = ['klingon']", "rule 1 ('vip'): conditions.languages: language 'klingon' is not detected"),
        (BASE + "[rule.conditions]\nhas_link = 'yes'", "rule 1 ('vip'): conditions.has_link: must be true or false"),
        (BASE + "[rule.conditions]\nkeywords = ['!!!']", "rule 1 ('vip'): conditions.keywords: keyword '!!!' has no letters"),
        (BASE + "priority = 'high'", "rule 1 ('vip'): priority: unknown field"),
        (BASE + "enabled = 'no'", "rule 1 ('vip'): enabled: must be true or false"),
        (BASE + "conditions = 3", "rule 1 ('vip'): conditions: must be a table"),
        (BASE + BASE, "rule 2 ('vip'): id: the same id as rule 1"),
        ('[[rule]]\nname = "x"', "rule 1: id: is required"),
        ('[[rule]]\nid = "x"', "rule 1 ('x'): name: is required"),
        ('[[rule]]\nid = " "\nname = "x"', "rule 1: id: must be non-empty text"),
        ("[[rules]]\nid = 'x'", "unknown top-level field 'rules' (rules are [[rule]] tables)"),
        ("rule = 3", "'rule' must be an array of tables"),
        ("version = 2", "file version 2 is newer"),
        ("version = true", "version must be a positive whole number"),
        ("[[rule]\n", "not a valid TOML file"),
    ],
)  # fmt: skip
def test_errors_name_the_rule_and_the_field(text: str, message: str) -> None:
    with pytest.raises(RulesFormatError) as caught:
        loads(text)
    assert str(caught.value).startswith(message)


def test_error_attributes() -> None:
    with pytest.raises(RulesFormatError) as caught:
        loads(BASE + BASE.replace('"vip"', '"b"', 1) + "[rule.actions]\npriority = 'top'")
    assert (caught.value.rule_index, caught.value.rule_id) == (2, "b")
    assert caught.value.field == "actions.priority"
    assert isinstance(caught.value, ValueError)


def test_dumps_refuses_duplicate_ids() -> None:
    with pytest.raises(ValueError, match="two rules have the id 'a'"):
        dumps([Rule("a", "One"), Rule("a", "Two")])
