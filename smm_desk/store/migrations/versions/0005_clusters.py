"""Crisis alerts and duplicate/flood clusters.

Revision ID: 0005_clusters
Revises: 0004_handoff
Create Date: 2026-11-22

(Placeholder in the chain: filled in by the work that needs it; an empty
upgrade is a valid revision.)
"""

from __future__ import annotations

revision = "0005_clusters"
down_revision = "0004_handoff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
