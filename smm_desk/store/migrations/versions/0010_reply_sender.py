"""Which desk is sending a reply.

Revision ID: 0010_reply_sender
Revises: 0009_poll_leases
Create Date: 2026-11-22

``replies.sending_by``: the desk (store/leases.py holder) that claimed the
reply's current attempt. A desk that starts settles the replies left in
``sending`` by a crash; in a team it must not take another desk's send that is
under way for one (sync/delivery.py). NULL for attempts claimed before this
revision: settled as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_reply_sender"
down_revision = "0009_poll_leases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("replies") as batch:
        batch.add_column(sa.Column("sending_by", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("replies") as batch:
        batch.drop_column("sending_by")
