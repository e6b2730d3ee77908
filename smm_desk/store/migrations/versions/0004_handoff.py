"""Department handoffs.

Revision ID: 0004_handoff
Revises: 0003_routing
Create Date: 2026-11-22

(Placeholder in the chain: filled in by the work that needs it; an empty
upgrade is a valid revision.)
"""

from __future__ import annotations

revision = "0004_handoff"
down_revision = "0003_routing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
