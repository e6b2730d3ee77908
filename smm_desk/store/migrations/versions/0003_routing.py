"""Routing: rule storage extras, VIP and block lists, starter rules.

Revision ID: 0003_routing
Revises: 0002_drafts
Create Date: 2026-11-22

(Placeholder in the chain: filled in by the work that needs it; an empty
upgrade is a valid revision.)
"""

from __future__ import annotations

revision = "0003_routing"
down_revision = "0002_drafts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
