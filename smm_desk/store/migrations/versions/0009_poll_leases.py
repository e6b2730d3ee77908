"""Which desk polls each account: a lease per account.

Revision ID: 0009_poll_leases
Revises: 0008_next_alert_at
Create Date: 2026-11-22

Teams point every desk at one PostgreSQL database, and each desk runs a sync
engine. Without a lease every desk polled every account: N times the API
calls (and rate limits reached N times sooner), and Telegram answers a second
long poll on the same bot with 409. ``poll_leases`` names the desk that polls
an account until ``expires_at``; the others skip it (store/leases.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_poll_leases"
down_revision = "0008_next_alert_at"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "poll_leases",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f("fk_poll_leases_account_id_accounts"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_poll_leases")),
    )


def downgrade() -> None:
    op.drop_table("poll_leases")
