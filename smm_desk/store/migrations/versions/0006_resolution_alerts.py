"""The resolution clock's start and warning time, for resolution alerts.

Revision ID: 0006_resolution_alerts
Revises: 0005_clusters
Create Date: 2026-11-23

``cases.resolution_started_at`` (the resolution clock's run, which keys its
alerts so each is recorded once) and ``cases.resolution_warn_at`` (when its
warning is due). The warning time cannot be derived from ``resolution_due_at``:
with a business-hours calendar or a pause the two are not a fixed distance
apart. Both stay empty on existing cases until their SLA snapshot is next
recomputed (any new message, reply or status change).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_resolution_alerts"
down_revision = "0005_clusters"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("resolution_started_at", sa.DateTime(timezone=True),
                                   nullable=True))
        batch.add_column(sa.Column("resolution_warn_at", sa.DateTime(timezone=True),
                                   nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("resolution_warn_at")
        batch.drop_column("resolution_started_at")
