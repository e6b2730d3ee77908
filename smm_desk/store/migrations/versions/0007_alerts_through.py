"""How far each case's SLA alerts have been recorded.

Revision ID: 0007_alerts_through
Revises: 0006_resolution_alerts
Create Date: 2026-11-22

``cases.sla_alerts_through``: every response and resolution alert the case's
current SLA snapshot owes at or before this instant has its event. The alert
pass (store/alerts.py) then only looks at cases with a threshold crossed since,
instead of every breached case on every pass (0.7 s a pass over 7,000 open
cases before). A new snapshot clears it. Empty on existing cases: they are
looked at once more, which records nothing twice.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_alerts_through"
down_revision = "0006_resolution_alerts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("sla_alerts_through", sa.DateTime(timezone=True),
                                   nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("sla_alerts_through")
