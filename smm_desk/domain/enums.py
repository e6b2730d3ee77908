"""String enums shared by the records, the SLA clock and the store.

They live in their own module, below both :mod:`smm_desk.domain.records` and
:mod:`smm_desk.domain.sla`, so the clock does not import the record layer and
the record layer does not import the clock. The values are what the database
columns and the JSON interfaces carry: never rename a value without a migration.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["CaseStatus", "Direction"]


class Direction(StrEnum):
    """Who wrote a message: the public (inbound) or the company (outbound)."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


class CaseStatus(StrEnum):
    """Where a case stands in the queue.

    For the SLA clock: ``waiting_customer`` pauses, ``resolved`` and ``spam``
    stop, every other status lets the clock run.
    """

    NEW = "new"
    OPEN = "open"
    WAITING_DEPARTMENT = "waiting_department"
    WAITING_CUSTOMER = "waiting_customer"
    RESOLVED = "resolved"
    SPAM = "spam"
