"""The fast path for a freshly opened, unanswered case gives exactly ``evaluate``'s snapshot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smm_desk.domain.enums import CaseStatus, Direction
from smm_desk.domain.sla import (
    DEFAULT_POLICY,
    MessagePoint,
    SlaPolicy,
    StatusChange,
    evaluate,
    evaluate_new_inbound,
)
from tests.domain.test_sla import BASES, policies

ZONES_OF_INPUT = st.sampled_from([UTC, timezone(timedelta(hours=5)), timezone(-timedelta(hours=3))])


@settings(max_examples=300, deadline=None)
@given(
    policy=policies,
    base=st.sampled_from(BASES),
    offsets=st.lists(st.integers(-600, 3000), min_size=1, max_size=6),
    opened=st.integers(-600, 3000),
    now=st.integers(-3000, 6000),
    zone=ZONES_OF_INPUT,
)
def test_equals_evaluate_for_new_inbound_only_cases(
    policy: SlaPolicy, base: datetime, offsets: list[int], opened: int, now: int,
    zone: timezone,
) -> None:
    times = [(base + timedelta(minutes=n)).astimezone(zone) for n in offsets]
    expected = evaluate(
        policy,
        [MessagePoint(Direction.INBOUND, at) for at in times],
        [StatusChange(base + timedelta(minutes=opened), CaseStatus.NEW)],
        base + timedelta(minutes=now),
    )
    assert evaluate_new_inbound(policy, min(times)) == expected


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError):
        evaluate_new_inbound(DEFAULT_POLICY, datetime(2026, 1, 5, 10))  # noqa: DTZ001 - on purpose
