"""KPI figures on a fixed dataset, on both engines: every number below is
worked out by hand from the story in :func:`seed_kpi_dataset` (definitions:
``smm_desk.domain.kpi``), and the reply log's XLSX export read back."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from smm_desk.domain.kpi import CountRow, DayFigures
from smm_desk.store.api import Store
from smm_desk.store.database import Database
from smm_desk.store.exports import HEADERS, write_reply_log_xlsx
from tests.conftest import FakeClock
from tests.support.factories import inbound, outbound

NOV = datetime(2026, 11, 1, tzinfo=UTC)
#: The report range: UTC days 2026-11-02 and 2026-11-03.
SINCE, UNTIL = NOV + timedelta(days=1), NOV + timedelta(days=3)
EVIL_NAME = "=cmd|' /C calc'!A0"


def at(day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 11, day, hh, mm, tzinfo=UTC)


def _deliver(store: Store, clock: FakeClock, case_id: int, when: datetime, ext: str,
             agent: str = "lee") -> None:
    reply = store.queue_reply(case_id, "on it", agent)
    store.claim_reply(reply.id)
    clock.now = when
    store.reply_sent(reply.id, ext)


def seed_kpi_dataset(store: Store, clock: FakeClock) -> dict[str, int]:
    """The story (default SLA: first response within 10 min). Returns case ids.

    Every case is routed by hand, so the figures do not depend on which rules
    route a new case at ingest (the starter rules send these texts to Support).

    C5 Olga   tg  Sales    in Nov1 20:00, answered 20:05, resolved Nov2 08:00
    C1 Anna   tg  Billing  in Nov2 09:00, answered 09:02 (120 s, met), follow-up
                           reply 09:30 (no clock running: not judged), resolved 10:00
    C2 Boris  tg  Tech     in Nov2 09:00 and 09:03, answered 09:05 (300 s, met), open, kim
    C6 Dara   vk  Support  in Nov3 09:00, answered in the VK app 09:20 (1200 s), open, lee
    C3 Chi    vk  Billing  in Nov3 12:00, answered 12:15 (900 s, late), resolved 13:00
    C4 =cmd   vk  PR       in Nov3 14:00, reply failed, open, nobody
    C7 Emil   tg  Sales    in Nov4 10:00 (after the range), open, nobody
    """
    tg = store.add_account("telegram", "@shop_bot").id
    vk = store.add_account("vk", "club1").id
    ids: dict[str, int] = {}

    def ingest(account: int, *messages: object) -> int:
        result = store.ingest(account, "u", list(messages), None)  # type: ignore[arg-type]
        return result.touched_case_ids[0] if result.touched_case_ids else result.new_case_ids[0]

    clock.now = at(1, 20)
    ids["C5"] = ingest(tg, inbound("t5", at(1, 20), thread="dm:5", author="Olga"))
    clock.now = at(1, 20, 1)
    store.route(ids["C5"], "Sales", "lee")
    _deliver(store, clock, ids["C5"], at(1, 20, 5), "o5")
    clock.now = at(2, 8)
    store.resolve(ids["C5"], "lee")

    clock.now = at(2, 9)
    ids["C1"] = ingest(tg, inbound("t1", at(2, 9), thread="dm:1", author="Anna"))
    ids["C2"] = ingest(tg, inbound("t2", at(2, 9), thread="dm:2", author="Boris"))
    clock.now = at(2, 9, 1)
    store.route(ids["C1"], "Billing", "lee")
    store.assign(ids["C1"], "lee", "lee")
    _deliver(store, clock, ids["C1"], at(2, 9, 2), "o1")
    clock.now = at(2, 9, 3)
    ingest(tg, inbound("t2b", at(2, 9, 3), thread="dm:2", author="Boris"))
    store.route(ids["C2"], "Tech", "kim")
    store.assign(ids["C2"], "kim", "kim")
    _deliver(store, clock, ids["C2"], at(2, 9, 5), "o2", agent="kim")
    _deliver(store, clock, ids["C1"], at(2, 9, 30), "o1b")
    clock.now = at(2, 10)
    store.resolve(ids["C1"], "lee")

    clock.now = at(3, 9, 25)
    ids["C6"] = ingest(vk, inbound("v6", at(3, 9), thread="dm:6", author="Dara"),
                       outbound("v6o", at(3, 9, 20), thread="dm:6"))
    store.route(ids["C6"], "Support", "lee")
    store.assign(ids["C6"], "lee", "lee")

    clock.now = at(3, 12)
    ids["C3"] = ingest(vk, inbound("v3", at(3, 12), thread="dm:3", author="Chi"))
    clock.now = at(3, 12, 1)
    store.route(ids["C3"], "Billing", "lee")
    clock.now = at(3, 12, 14)
    _deliver(store, clock, ids["C3"], at(3, 12, 15), "o3")
    clock.now = at(3, 13)
    store.resolve(ids["C3"], "lee")

    clock.now = at(3, 14)
    ids["C4"] = ingest(vk, inbound("v4", at(3, 14), thread="dm:4", author=EVIL_NAME))
    clock.now = at(3, 14, 2)
    store.route(ids["C4"], "PR/Crisis", "kim")
    failed = store.queue_reply(ids["C4"], "hello", "kim")
    store.claim_reply(failed.id)
    store.reply_failed(failed.id, "blocked by the user")

    clock.now = at(4, 10)
    ids["C7"] = ingest(tg, inbound("t7", at(4, 10), thread="dm:7", author="Emil"))
    store.route(ids["C7"], "Sales", "lee")
    clock.now = at(4, 11)
    return ids


@pytest.fixture
def store(db_url: str, clock: FakeClock) -> Iterator[Store]:
    s = Store(Database.open(db_url), clock)
    yield s
    s.close()


def test_kpi_figures_equal_hand_computed_values(store: Store, clock: FakeClock) -> None:
    seed_kpi_dataset(store, clock)
    report = store.kpi_report(SINCE, UNTIL)

    # Inbound messages by network time: Nov2 C1, C2 x2; Nov3 C6, C3, C4 (C5, C7 outside).
    # New cases: Nov2 C1, C2; Nov3 C6, C3, C4. Resolved: Nov2 C5, C1; Nov3 C3.
    # Replies delivered: Nov2 C1, C2, C1 follow-up; Nov3 C3 (C5's was Nov1, C4's failed).
    assert report.days == (DayFigures("2026-11-02", 3, 2, 2, 3),
                           DayFigures("2026-11-03", 3, 3, 1, 1))
    assert report.totals == DayFigures("total", 6, 5, 3, 4)
    assert report.departments == (
        DayFigures("Billing", 2, 2, 2, 3),
        DayFigures("PR/Crisis", 1, 1, 0, 0),
        DayFigures("Sales", 0, 0, 1, 0),
        DayFigures("Support", 1, 1, 0, 0),
        DayFigures("Tech", 2, 1, 0, 1),
    )
    # First responses in range: 120, 300, 1200 (answered in the app), 900.
    # Median of [120, 300, 900, 1200] = (300 + 900) / 2 = 600;
    # p90 nearest rank = sorted[ceil(0.9 * 4) - 1] = sorted[3] = 1200.
    assert report.first_responses == 4
    assert report.first_response_median_s == 600
    assert report.first_response_p90_s == 1200
    # Judged: C1 met (09:02 <= 09:10), C2 met (09:05 <= 09:10), C3 late (12:15 > 12:10);
    # the follow-up answered no running clock, so it is not judged.
    assert (report.sla_met, report.sla_judged) == (2, 3)
    assert report.sla_met_percent == pytest.approx(200 / 3)
    # Open now (Nov4 11:00): C2 Tech/tg/kim, C6 Support/vk/lee, C4 PR/vk/-, C7 Sales/tg/-.
    assert report.backlog_total == 4
    assert report.backlog_by_department == (CountRow("PR/Crisis", 1), CountRow("Sales", 1),
                                            CountRow("Support", 1), CountRow("Tech", 1))
    assert report.backlog_by_network == (CountRow("telegram", 2), CountRow("vk", 2))
    assert report.backlog_by_agent == (CountRow("Unassigned", 2), CountRow("kim", 1),
                                       CountRow("lee", 1))


def test_department_filter_and_narrower_range(store: Store, clock: FakeClock) -> None:
    seed_kpi_dataset(store, clock)
    billing = store.kpi_report(SINCE, UNTIL, "billing")
    assert billing.totals == DayFigures("total", 2, 2, 2, 3)
    # [120, 900]: median 510, p90 = sorted[ceil(1.8) - 1] = 900.
    assert (billing.first_response_median_s, billing.first_response_p90_s) == (510, 900)
    assert (billing.sla_met, billing.sla_judged) == (1, 2)
    assert billing.sla_met_percent == 50
    assert billing.backlog_total == 0 and billing.backlog_by_department == ()
    crisis = store.kpi_report(SINCE, UNTIL, "PR/Crisis")
    assert crisis.totals == DayFigures("total", 1, 1, 0, 0)
    assert crisis.backlog_total == 1 and crisis.sla_judged == 0

    nov3 = store.kpi_report(at(3, 0), at(4, 0))
    assert nov3.days == (DayFigures("2026-11-03", 3, 3, 1, 1),)
    assert (nov3.first_response_median_s, nov3.first_response_p90_s) == (1050, 1200)
    assert (nov3.sla_met, nov3.sla_judged) == (0, 1)
    assert nov3.backlog_total == 4  # the backlog is now, whatever the range

    empty = store.kpi_report(at(20, 0), at(21, 0))
    assert empty.totals == DayFigures("total")
    assert empty.first_response_median_s is None and empty.sla_met_percent is None


def test_reply_log_xlsx_reads_back(store: Store, clock: FakeClock, tmp_path: Path) -> None:
    ids = seed_kpi_dataset(store, clock)
    out = tmp_path / "out"
    out.mkdir()
    path = out / "log.xlsx"
    assert write_reply_log_xlsx(store.reply_log(), path) == 6
    assert [p.name for p in out.iterdir()] == ["log.xlsx"]  # no temporary file left behind

    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == HEADERS
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.column_dimensions["C"].width >= len(EVIL_NAME)
    by_case = {}
    for row in rows[1:]:
        by_case.setdefault(row[0], []).append(row)
    c1_first = by_case[ids["C1"]][0]
    assert c1_first[1:4] == ("telegram", "Anna", "lee")
    # Real date-times, in UTC wall time.
    assert c1_first[4] == at(2, 9, 1).replace(tzinfo=None)
    assert c1_first[5] == at(2, 9, 2).replace(tzinfo=None)
    assert c1_first[6:10] == (120, "yes", "Billing", "sent")
    assert by_case[ids["C3"]][0][6:8] == (900, "no")
    assert by_case[ids["C1"]][1][7] is None  # follow-up: not judged

    evil = by_case[ids["C4"]][0]
    assert evil[2] == EVIL_NAME and evil[9] == "failed" and evil[5] is None
    cell = next(c for c in sheet["C"] if c.value == EVIL_NAME)
    assert cell.data_type == "s" and cell.quotePrefix
    # And in the file itself: no formula element anywhere.
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml


def test_report_refuses_empty_range_and_naive_bounds(store: Store) -> None:
    with pytest.raises(ValueError, match="empty"):
        store.kpi_report(UNTIL, SINCE)
    with pytest.raises(ValueError):
        store.kpi_report(SINCE.replace(tzinfo=None), UNTIL)
