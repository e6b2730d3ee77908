"""Drafts of replies, and the default reply templates.

Revision ID: 0002_drafts
Revises: 0001
Create Date: 2026-11-23

* ``drafts``: one row per case holding the reply being written, saved as the
  agent types, so a crash or quitting never loses it.
* Three English templates a new workspace starts with (an acknowledgement, a
  "passed to the department" note, a closing message). Seeded once here, like
  the departments, so a template the user deletes stays deleted; a name that
  already exists is left alone.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_drafts"
down_revision = "0001"
branch_labels = None
depends_on = None

#: (name, body): placeholders {customer}, {agent}, {department}.
DEFAULT_TEMPLATES: tuple[tuple[str, str], ...] = (
    (
        "Acknowledgement",
        "Hi {customer}, thank you for reaching out! I'm {agent} and I'm looking into "
        "this now. I'll get back to you here shortly.",
    ),
    (
        "Passed to department",
        "Hi {customer}, I've passed your question to our {department} team. They will "
        "follow up with you here as soon as possible. — {agent}",
    ),
    (
        "Closing",
        "Glad we could help, {customer}! If anything else comes up, just write to us "
        "here. Have a great day! — {agent}",
    ),
)

_templates = sa.table(
    "templates",
    sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("body", sa.Text),
    sa.column("department_id", sa.Integer),
)


def upgrade() -> None:
    op.create_table('drafts',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_drafts_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_drafts'))
    )
    existing = set(op.get_bind().execute(sa.select(_templates.c.name)).scalars())
    rows = [
        {"name": name, "body": body, "department_id": None}
        for name, body in DEFAULT_TEMPLATES if name not in existing
    ]
    if rows:
        op.bulk_insert(_templates, rows)


def downgrade() -> None:
    # Only the seeded templates the user left exactly as they were.
    for name, body in DEFAULT_TEMPLATES:
        op.execute(
            _templates.delete().where(_templates.c.name == name, _templates.c.body == body)
        )
    op.drop_table('drafts')
