"""Department handoffs.

Revision ID: 0004_handoff
Revises: 0003_routing
Create Date: 2026-11-22

* ``handoffs``: one row per case handed to a department, keyed by the id of
  its outbox entry (``replies`` row, kind ``handoff``): the department, the
  payload frozen at hand-off time and the department's own clock (queued,
  warn and due by the department's first-response target, answered).
  The department's delivery target stays in ``departments.handoff`` (JSON,
  since 0001); its SMTP password or webhook secret lives only in the keyring.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_handoff"
down_revision = "0003_routing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('handoffs',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('department_name', sa.String(length=200), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('warn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_handoffs_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_handoffs_department_id_departments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['id'], ['replies.id'], name=op.f('fk_handoffs_id_replies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handoffs'))
    )
    op.create_index(op.f('ix_handoffs_case_id'), 'handoffs', ['case_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_handoffs_case_id'), table_name='handoffs')
    op.drop_table('handoffs')
