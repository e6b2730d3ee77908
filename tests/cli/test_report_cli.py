"""``smm-desk report`` and ``smm-desk log --xlsx`` on the fixed KPI story
(tests/store/test_reports.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from smm_desk.cli.main import main
from smm_desk.cli.report_commands import report_range
from smm_desk.store.api import Store
from smm_desk.store.database import Database
from tests.conftest import FakeClock
from tests.store.test_reports import EVIL_NAME, seed_kpi_dataset


@pytest.fixture
def cli(db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SMM_DESK_DB", db_url)
    store = Store(Database.open(db_url), FakeClock())
    seed_kpi_dataset(store, store.clock)  # type: ignore[arg-type]
    store.close()

    def call(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return call


def test_report_json_has_the_hand_computed_figures(cli) -> None:
    code, out, err = cli("report", "--since", "2026-11-02", "--until", "2026-11-03", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["since"] == "2026-11-02T00:00:00+00:00"
    assert data["until"] == "2026-11-04T00:00:00+00:00"
    assert data["until_inclusive_day"] == "2026-11-03"
    assert data["totals"] == {"label": "total", "incoming_messages": 6, "new_cases": 5,
                              "resolved_cases": 3, "replies_delivered": 4}
    assert [d["label"] for d in data["days"]] == ["2026-11-02", "2026-11-03"]
    assert data["first_response_median_s"] == 600
    assert data["first_response_p90_s"] == 1200
    assert (data["sla_met"], data["sla_judged"]) == (2, 3)
    assert data["backlog_total"] == 4
    assert data["backlog_by_agent"][0] == {"label": "Unassigned", "count": 2}


def test_report_text_and_department_filter(cli) -> None:
    code, out, _ = cli("report", "--since", "2026-11-02", "--until", "2026-11-03")
    assert code == 0
    assert "KPI report 2026-11-02 .. 2026-11-03 (UTC days), all departments" in out
    assert "Incoming messages  6" in out
    assert "median 10m 00s, p90 20m 00s (over 4 cases)" in out
    assert "SLA met            66.7% (2 of 3)" in out
    assert "Backlog now        4 open cases" in out
    code, out, _ = cli("report", "--since", "2026-11-02", "--until", "2026-11-03",
                       "--department", "billing", "--json")
    data = json.loads(out)
    assert data["department"] == "billing"
    assert data["sla_met_percent"] == 50
    assert data["first_response_median_s"] == 510


def test_report_defaults_to_the_last_seven_days_and_refuses_bad_input(cli) -> None:
    # The CLI runs on the real clock: the 2026 story is outside the default range.
    code, out, _ = cli("report", "--json")
    assert code == 0 and len(json.loads(out)["days"]) == 7
    code, _, err = cli("report", "--department", "Nope")
    assert code == 1 and "no department 'Nope'" in err
    code, _, err = cli("report", "--since", "2026-11-05", "--until", "2026-11-01")
    assert code == 1 and "after" in err
    with pytest.raises(SystemExit):
        cli("report", "--since", "yesterday")


def test_report_range() -> None:
    today = date(2026, 11, 4)
    since, until = report_range(None, None, today)
    assert (since.isoformat(), until.isoformat()) == ("2026-10-29T00:00:00+00:00",
                                                      "2026-11-05T00:00:00+00:00")
    since, until = report_range(date(2026, 11, 1), None, today)
    assert since.date() == date(2026, 11, 1) and until.date() == date(2026, 11, 5)


def test_log_xlsx(cli, tmp_path: Path) -> None:
    path = tmp_path / "log.xlsx"
    code, out, err = cli("log", "--xlsx", str(path))
    assert code == 0, err
    assert out.strip() == f"6 replies written to {path}"
    sheet = openpyxl.load_workbook(path).active
    customers = [c.value for c in sheet["C"]][1:]
    assert EVIL_NAME in customers
    cell = next(c for c in sheet["C"] if c.value == EVIL_NAME)
    assert cell.data_type == "s"
    code, _, err = cli("log", "--xlsx", str(tmp_path / "missing" / "log.xlsx"))
    assert code == 1 and err.startswith("smm-desk: error: cannot write") and "\n" not in err[:-1]
    with pytest.raises(SystemExit):
        cli("log", "--csv", "--xlsx", str(path))
