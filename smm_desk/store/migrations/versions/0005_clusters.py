"""Crisis alerts and duplicate/flood clusters.

Revision ID: 0005_clusters
Revises: 0004_handoff
Create Date: 2026-11-22

* ``clusters``: one row per group of near-identical texts (see
  ``smm_desk.domain.clusters``), with the first member's text as a sample.
* ``case_fingerprints``: each case as clustering and the crisis check saw it
  when it was new (normalised text, LSH band keys, negative tone) and the
  cluster it joined. Indexed by time, so each scan reads only its window.

Crisis alerts need no table: each is recorded as a ``crisis_alert`` event on
every case it names.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_clusters"
down_revision = "0004_handoff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('clusters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('first_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sample_text', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clusters'))
    )
    op.create_index(op.f('ix_clusters_last_at'), 'clusters', ['last_at'], unique=False)
    op.create_table('case_fingerprints',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('cluster_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('text_key', sa.Text(), nullable=False),
    sa.Column('bands', sa.JSON(), nullable=False),
    sa.Column('negative', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_fingerprints_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['cluster_id'], ['clusters.id'], name=op.f('fk_case_fingerprints_cluster_id_clusters'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_case_fingerprints'))
    )
    op.create_index(op.f('ix_case_fingerprints_at'), 'case_fingerprints', ['at'], unique=False)
    op.create_index(op.f('ix_case_fingerprints_cluster_id'), 'case_fingerprints', ['cluster_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_case_fingerprints_cluster_id'), table_name='case_fingerprints')
    op.drop_index(op.f('ix_case_fingerprints_at'), table_name='case_fingerprints')
    op.drop_table('case_fingerprints')
    op.drop_index(op.f('ix_clusters_last_at'), table_name='clusters')
    op.drop_table('clusters')
