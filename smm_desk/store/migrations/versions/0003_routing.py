"""Routing: stable rule ids, VIP and block lists, the starter rules.

Revision ID: 0003_routing
Revises: 0002_drafts
Create Date: 2026-11-22

* ``rules.key``: the rule's own string id (``Rule.id``), unique, so a rule
  keeps its identity across reordering, export and import. Rows written
  before this revision get ``rule-<id>``.
* ``routing_lists``: the VIP list, the block list and the extra negative-tone
  terms (``kind`` vip | blocked | negative_terms), one entry a row.
* The starter rule set (``smm_desk.domain.starter_rules``) in English, Russian
  and Vietnamese, referring to the seeded departments by name. Seeded once,
  only into an empty rule table, like the departments in 0001: a rule the user
  deletes stays deleted.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_routing"
down_revision = "0002_drafts"
branch_labels = None
depends_on = None

_rules = sa.table(
    "rules",
    sa.column("id", sa.Integer), sa.column("key", sa.String), sa.column("name", sa.String),
    sa.column("position", sa.Integer), sa.column("enabled", sa.Boolean),
    sa.column("continue_matching", sa.Boolean), sa.column("conditions", sa.JSON),
    sa.column("actions", sa.JSON),
)


def upgrade() -> None:
    op.add_column("rules", sa.Column("key", sa.String(length=100), nullable=True))
    op.execute(_rules.update().values(key=sa.literal("rule-") + sa.cast(_rules.c.id, sa.String)))
    with op.batch_alter_table("rules") as batch:
        batch.alter_column("key", existing_type=sa.String(length=100), nullable=False)
        batch.create_unique_constraint(op.f("uq_rules_key"), ["key"])
    op.create_table('routing_lists',
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('value', sa.String(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'value', name=op.f('pk_routing_lists'))
    )
    _seed_rules()


def _seed_rules() -> None:
    # Imported here: the seed is the rule set of the code that runs the migration.
    from smm_desk.domain.starter_rules import starter_rules
    from smm_desk.store.routing import rule_columns

    if op.get_bind().execute(sa.select(sa.func.count()).select_from(_rules)).scalar():
        return
    op.bulk_insert(_rules, [
        {**rule_columns(rule), "position": position}
        for position, rule in enumerate(starter_rules(), start=1)
    ])


def downgrade() -> None:
    op.drop_table('routing_lists')
    with op.batch_alter_table("rules") as batch:
        batch.drop_constraint(op.f("uq_rules_key"), type_="unique")
        batch.drop_column("key")
