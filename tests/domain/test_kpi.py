"""The KPI arithmetic: median, nearest-rank p90, SLA %, UTC day buckets and the
report's filters, by example and by property."""

from __future__ import annotations

import math
import statistics
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smm_desk.domain.kpi import (
    ActivityRow,
    BacklogRow,
    CountRow,
    DayFigures,
    DeliveredRow,
    FirstResponseRow,
    KpiRows,
    build_report,
    days_between,
    median,
    percentile_nearest_rank,
    sla_met_percent,
)

T0 = datetime(2026, 11, 2, tzinfo=UTC)
values = st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=60)


def test_examples() -> None:
    assert median([900, 120, 300]) == 300
    assert median([120, 300, 900, 1200]) == 600
    assert median([]) is None
    assert percentile_nearest_rank([120, 300, 900], 90) == 900   # ceil(2.7) = 3rd
    assert percentile_nearest_rank(range(1, 11), 90) == 9         # ceil(9.0) = 9th, not 10th
    assert percentile_nearest_rank(range(1, 101), 90) == 90
    assert percentile_nearest_rank([5], 90) == 5
    assert percentile_nearest_rank([], 90) is None
    assert sla_met_percent(2, 3) == pytest.approx(66.666, abs=1e-3)
    assert sla_met_percent(0, 0) is None
    with pytest.raises(ValueError):
        percentile_nearest_rank([1], 0)
    with pytest.raises(ValueError):
        sla_met_percent(4, 3)


@given(values)
def test_median_matches_statistics(xs: list[int]) -> None:
    assert median(xs) == statistics.median(xs)


@given(values, st.floats(min_value=0.5, max_value=100))
def test_nearest_rank_is_a_value_with_p_percent_at_or_below(xs: list[int], p: float) -> None:
    got = percentile_nearest_rank(xs, p)
    assert got in xs
    assert got is not None
    n = len(xs)
    at_or_below = sum(1 for x in xs if x <= got)
    below = sum(1 for x in xs if x < got)
    # At least p% of the values are <= it, and fewer than p% are strictly below it.
    assert at_or_below >= math.floor(p / 100 * n + 1e-9)
    assert below < p / 100 * n + 1e-9


@given(values)
def test_p90_is_order_free_and_not_below_the_median(xs: list[int]) -> None:
    p90 = percentile_nearest_rank(xs, 90)
    assert p90 == percentile_nearest_rank(list(reversed(xs)), 90)
    m = median(xs)
    assert p90 is not None and m is not None and p90 >= m
    assert percentile_nearest_rank(xs, 100) == max(xs)


@given(st.integers(0, 50), st.integers(0, 50))
def test_sla_percent_bounds(met: int, extra: int) -> None:
    pct = sla_met_percent(met, met + extra)
    if met + extra == 0:
        assert pct is None
    else:
        assert pct is not None and 0 <= pct <= 100


def test_days_between_covers_the_half_open_range() -> None:
    assert days_between(T0, T0 + timedelta(days=2)) == [T0.date(), T0.date() + timedelta(days=1)]
    assert days_between(T0, T0 + timedelta(hours=1)) == [T0.date()]
    assert days_between(T0, T0) == []
    # UTC days, whatever zone the bounds came in.
    moscow = T0.astimezone(ZoneInfo("Europe/Moscow"))
    assert days_between(moscow, moscow + timedelta(days=1)) == [T0.date()]


def _rows() -> KpiRows:
    h = timedelta(hours=1)
    return KpiRows(
        inbound=[ActivityRow(T0 + h, "Billing"), ActivityRow(T0 + 30 * h, None),
                 ActivityRow(T0 - h, "Billing")],
        opened=[ActivityRow(T0 + h, "Billing")],
        resolved=[ActivityRow(T0 + 2 * h, "Billing")],
        delivered=[DeliveredRow(T0 + h, "Billing", T0 + 2 * h),
                   DeliveredRow(T0 + 30 * h, None, T0 + 29 * h),
                   DeliveredRow(T0 + 31 * h, None, None)],
        first_responses=[FirstResponseRow(1, "Billing", T0, T0 + timedelta(seconds=120)),
                         FirstResponseRow(2, None, T0 + 29 * h, T0 + 30 * h),
                         FirstResponseRow(3, None, T0 + 40 * h, T0 + 39 * h)],  # ignored
        backlog=[BacklogRow("Billing", "vk", None), BacklogRow(None, "vk", "lee"),
                 BacklogRow(None, "telegram", "lee")],
    )


def test_build_report_over_plain_rows() -> None:
    report = build_report(_rows(), T0, T0 + timedelta(days=2))
    assert report.days == (DayFigures("2026-11-02", 1, 1, 1, 1),
                           DayFigures("2026-11-03", 1, 0, 0, 2))
    assert report.departments == (DayFigures("Billing", 1, 1, 1, 1),
                                  DayFigures("Unrouted", 1, 0, 0, 2))
    assert (report.first_responses, report.first_response_median_s,
            report.first_response_p90_s) == (2, 1860, 3600)
    assert (report.sla_met, report.sla_judged) == (1, 2)
    assert report.backlog_by_network == (CountRow("vk", 2), CountRow("telegram", 1))
    assert report.backlog_by_agent == (CountRow("lee", 2), CountRow("Unassigned", 1))

    billing = build_report(_rows(), T0, T0 + timedelta(days=2), "BILLING")
    assert billing.totals == DayFigures("total", 1, 1, 1, 1)
    assert billing.backlog_by_department == (CountRow("Billing", 1),)
    with pytest.raises(ValueError):
        build_report(_rows(), T0, T0)


@given(st.lists(st.integers(0, 4 * 24 * 60), max_size=40), st.integers(0, 3), st.integers(1, 3))
def test_day_counts_add_up_to_the_total(minutes: list[int], start: int, length: int) -> None:
    since = T0 + timedelta(days=start)
    until = since + timedelta(days=length)
    rows = KpiRows(inbound=[ActivityRow(T0 + timedelta(minutes=m), None) for m in minutes],
                   opened=[], resolved=[], delivered=[], first_responses=[], backlog=[])
    report = build_report(rows, since, until)
    assert len(report.days) == length
    assert sum(d.incoming_messages for d in report.days) == report.totals.incoming_messages
    assert report.totals.incoming_messages == sum(
        1 for m in minutes if since <= T0 + timedelta(minutes=m) < until)
