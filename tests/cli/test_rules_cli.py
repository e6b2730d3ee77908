"""``smm-desk rules``: export, import (merge and replace), list, test, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from smm_desk.cli.main import main
from smm_desk.domain import rules_format
from smm_desk.domain.starter_rules import starter_rules
from smm_desk.store.api import Store


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SMM_DESK_DB", db_url)

    def call(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return call


def stored_rules(db_url: str) -> list[str]:
    store = Store.open(db_url)
    try:
        return [r.id for r in store.rules()]
    finally:
        store.close()


def test_export_writes_the_starter_rules_and_import_round_trips(cli, db_url: str,
                                                                tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    code, out, _ = cli("rules", "export", str(path))
    assert code == 0 and "exported 6 rules" in out
    assert rules_format.loads(path.read_text(encoding="utf-8")) == starter_rules()
    code, out, _ = cli("rules", "export", "-")
    assert out == path.read_text(encoding="utf-8")
    code, out, _ = cli("rules", "import", str(path), "--replace")
    assert code == 0 and "imported 6 rules; 6 in the rule set" in out
    assert stored_rules(db_url) == [r.id for r in starter_rules()]


def test_import_merges_by_id_unless_replace(cli, db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "team.toml"
    path.write_text(
        'version = 1\n\n'
        '[[rule]]\nid = "vip"\nname = "VIP customers"\ncontinue_matching = true\n'
        '[rule.conditions]\nauthor_vip = true\n[rule.actions]\npriority = "urgent"\n\n'
        '[[rule]]\nid = "billing"\nname = "Money"\n'
        '[rule.conditions]\nkeywords = ["refund*"]\n[rule.actions]\ndepartment = "Billing"\n',
        encoding="utf-8",
    )
    code, out, _ = cli("rules", "import", str(path))
    assert code == 0 and "imported 2 rules; 7 in the rule set" in out
    ids = stored_rules(db_url)
    assert ids == ["crisis-fraud-legal", "crisis-angry", "billing", "tech", "sales", "support",
                   "vip"]
    code, out, _ = cli("rules", "list", "--json")
    listed = json.loads(out)
    assert listed[2]["name"] == "Money" and listed[2]["conditions"] == {"keywords": ["refund*"]}
    code, _, _ = cli("rules", "import", str(path), "--replace")
    assert stored_rules(db_url) == ["vip", "billing"]


@pytest.mark.parametrize(("content", "message"), [
    ('[[rule]]\nid = "a"\nname = "A"\n[rule.conditions]\nkeyword = ["x"]\n',
     "rule 1 ('a'): conditions.keyword: unknown field (did you mean 'keywords'?)"),
    ('[[rule]]\nid = "a"\nname = "A"\n[rule.conditions]\nregex = "(a"\n',
     "rule 1 ('a'): conditions.regex: invalid pattern"),
    ('[[rule]]\nid = "a"\nname = "A"\n[[rule]]\nid = "a"\nname = "B"\n',
     "rule 2 ('a'): id: the same id as rule 1"),
    ("not toml [", "not a valid TOML file"),
])
def test_a_bad_file_is_one_line_naming_rule_and_field(cli, db_url: str, tmp_path: Path,
                                                      content: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(content, encoding="utf-8")
    code, out, err = cli("rules", "import", str(path))
    assert code == 1 and out == ""
    assert err.startswith(f"smm-desk: error: {path}: ") and message in err
    assert err.count("\n") == 1
    assert stored_rules(db_url) == [r.id for r in starter_rules()]  # nothing half-imported


def test_missing_file_is_one_line(cli, tmp_path: Path) -> None:
    code, _, err = cli("rules", "import", str(tmp_path / "nope.toml"))
    assert code == 1 and "cannot read" in err and err.count("\n") == 1


def test_list_shows_order_and_what_each_rule_does(cli) -> None:
    code, out, _ = cli("rules", "list")
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:3] == ["#", "ID", "NAME"]
    assert lines[1].split()[1] == "crisis-fraud-legal"
    assert "→ PR/Crisis high #crisis" in lines[1]
    assert "every message" in lines[-1] and "→ Support" in lines[-1]


def test_rules_test_prints_the_decision(cli, db_url: str) -> None:
    code, out, _ = cli("rules", "test", "--network", "vk", "--text",
                       "Мошенники! Верните деньги за заказ")
    assert code == 0
    assert "department: PR/Crisis" in out and "priority:   high" in out
    assert "tags:       crisis, billing" in out
    assert "Fraud accusations and legal threats (crisis-fraud-legal)" in out
    code, out, _ = cli("rules", "test", "--network", "telegram", "--text", "hoan tien giup minh",
                       "--kind", "comment", "--json")
    decision = json.loads(out)
    assert decision["department"] == "Billing" and decision["tags"] == ["billing"]
    assert decision["matched"] == [{"id": "billing", "name": "Payments and refunds"}]


def test_rules_test_sees_the_vip_list(cli, db_url: str, tmp_path: Path) -> None:
    store = Store.open(db_url)
    try:
        store.set_vip_list(["@anna"])
        store.save_rules([])
    finally:
        store.close()
    code, out, _ = cli("rules", "test", "--network", "vk", "--text", "hi")
    assert "no rule matches" in out
    path = tmp_path / "vip.toml"
    path.write_text('[[rule]]\nid = "vip"\nname = "VIP"\n[rule.conditions]\nauthor_vip = true\n'
                    '[rule.actions]\npriority = "urgent"\n', encoding="utf-8")
    cli("rules", "import", str(path))
    code, out, _ = cli("rules", "test", "--network", "vk", "--text", "hi", "--author", "Anna",
                       "--json")
    assert json.loads(out)["priority"] == "urgent"
    with pytest.raises(SystemExit) as info:
        cli("rules", "test", "--network", "myspace", "--text", "hi")
    assert info.value.code == 2


def test_routing_lists_are_edited_and_used(tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import json as _json

    from smm_desk.cli.main import main as _main

    monkeypatch.setenv("SMM_DESK_DB", f"sqlite:///{tmp_path}/lists.db")
    assert _main(["rules", "lists", "vip", "--add", "@anna_k", "--add", "Boris"]) == 0
    assert _main(["rules", "lists", "vip", "--remove", "boris", "--json"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert _json.loads("\n".join(out[out.index("[") :])) == ["@anna_k"]
    assert _main(["rules", "lists", "blocked"]) == 0
    assert "empty" in capsys.readouterr().out
