"""How long a network still lets the company answer a conversation.

Some networks only let a business message a person for a while after that
person last wrote: Facebook Messenger and Instagram give a page 24 hours
(the "standard messaging window"); after that, a reply written by a person
may still go out for up to 7 days with the ``HUMAN_AGENT`` message tag, and
then nothing until the customer writes again. Public comments have no window,
and Telegram, VK and Mastodon let a conversation be answered at any time.

This module only knows those rules. The composer asks for the window *before*
the agent types, so nobody writes a long answer that can no longer be sent.
Times are aware UTC; showing them in local time is the UI's job.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from smm_desk.domain.records import require_utc

__all__ = [
    "CLOSING_SOON",
    "HUMAN_AGENT_WINDOW",
    "STANDARD_WINDOW",
    "ReplyWindow",
    "closing_soon",
    "reply_window",
]

#: Messenger's and Instagram's standard messaging window.
STANDARD_WINDOW = timedelta(hours=24)
#: How long after the customer's last message a person may still answer with
#: the HUMAN_AGENT tag.
HUMAN_AGENT_WINDOW = timedelta(days=7)
#: Below this much time left, the window is flagged as closing.
CLOSING_SOON = timedelta(hours=2)

#: network -> its name for the rule, for networks whose direct messages have a window.
WINDOWED: dict[str, str] = {"facebook": "Messenger", "instagram": "Instagram"}

#: network -> its name, for networks that only take a public reply from a business
#: where the customer addressed it (X's self-serve rule). Their connectors file a
#: post that did not (a customer's answer to someone else's post) as kind "comment".
SUMMON_ONLY: dict[str, str] = {"x": "X"}

#: Case kinds that are private conversations (the window applies to these only).
_CONVERSATION_KINDS = frozenset({"dm"})


class ReplyWindow(NamedTuple):
    """``open``: a standard reply can go out now. ``closes_at``: when the
    standard window closes (or closed); ``None`` when the network has none.
    ``note``: one sentence for the agent, empty when there is nothing to say."""

    open: bool
    closes_at: datetime | None
    note: str


ALWAYS_OPEN = ReplyWindow(True, None, "")


def reply_window(
    network: str, case_kind: str, last_inbound_at: datetime | None, now: datetime
) -> ReplyWindow:
    """The reply window of a case on ``network`` whose customer last wrote at
    ``last_inbound_at``, judged at ``now``."""
    if network in SUMMON_ONLY and case_kind == "comment":
        return ReplyWindow(
            False,
            None,
            f"{SUMMON_ONLY[network]} only lets a business reply where the customer mentioned "
            "or quoted it, and this customer did not: answer by direct message, or wait "
            "until they mention us.",
        )
    name = WINDOWED.get(network)
    if name is None or case_kind not in _CONVERSATION_KINDS:
        return ALWAYS_OPEN
    now = require_utc(now, "now")
    if last_inbound_at is None:
        return ReplyWindow(
            False,
            None,
            f"{name} only lets a business answer a message: wait for the customer to write.",
        )
    last = require_utc(last_inbound_at, "last_inbound_at")
    closes_at = last + STANDARD_WINDOW
    if now < closes_at:
        return ReplyWindow(
            True,
            closes_at,
            f"{name} lets a business answer within 24 hours of the customer's last message.",
        )
    if now < last + HUMAN_AGENT_WINDOW:
        return ReplyWindow(
            False,
            closes_at,
            f"{name}'s 24-hour window has closed. A person may still answer with the "
            "HUMAN_AGENT tag for up to 7 days after the customer's last message.",
        )
    return ReplyWindow(
        False,
        closes_at,
        f"{name}'s 24-hour window and the 7-day HUMAN_AGENT allowance have both passed: "
        "the reply will be refused until the customer writes again.",
    )


def closing_soon(window: ReplyWindow, now: datetime, margin: timedelta = CLOSING_SOON) -> bool:
    """True while the window is still open but closes within ``margin``."""
    if not window.open or window.closes_at is None:
        return False
    return window.closes_at - require_utc(now, "now") < margin
