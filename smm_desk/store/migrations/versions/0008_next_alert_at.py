"""When each case may next owe an SLA alert, indexed.

Revision ID: 0008_next_alert_at
Revises: 0007_alerts_through
Create Date: 2026-11-22

``cases.next_alert_at``: the earliest instant at which the case's current SLA
snapshot may owe an alert not yet recorded (store/sla_state.py,
``next_alert_at``); NULL when it owes none until its snapshot changes. The
alert pass reads ``next_alert_at <= now`` through its index instead of
scanning every case for a threshold crossed since ``sla_alerts_through``
(~50-90 ms a pass at 100,000 cases even when nothing was due). Existing open
cases start at their opening time: each is looked at once more, which records
nothing twice (alert keys), and gets its exact time then.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_next_alert_at"
down_revision = "0007_alerts_through"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("next_alert_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_cases_next_alert_at", ["next_alert_at"])
    op.execute("UPDATE cases SET next_alert_at = opened_at WHERE NOT sla_stopped")


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_next_alert_at")
        batch.drop_column("next_alert_at")
