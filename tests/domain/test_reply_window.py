"""The reply-window rules the composer shows before anyone types."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from smm_desk.domain.reply_window import reply_window

NOW = datetime(2026, 11, 2, 12, tzinfo=UTC)


def test_x_refuses_a_public_reply_to_a_customer_who_did_not_mention_us() -> None:
    window = reply_window("x", "comment", NOW - timedelta(minutes=5), NOW)
    assert not window.open and "mentioned or quoted" in window.note
    assert reply_window("x", "mention", NOW, NOW).open
    assert reply_window("x", "dm", NOW, NOW).open


def test_messenger_standard_window_then_human_agent_then_closed() -> None:
    assert reply_window("facebook", "dm", NOW - timedelta(hours=23), NOW).open
    tagged = reply_window("facebook", "dm", NOW - timedelta(days=3), NOW)
    assert not tagged.open and "HUMAN_AGENT" in tagged.note
    gone = reply_window("instagram", "dm", NOW - timedelta(days=8), NOW)
    assert not gone.open and "both passed" in gone.note
    assert reply_window("facebook", "comment", NOW - timedelta(days=30), NOW).open
