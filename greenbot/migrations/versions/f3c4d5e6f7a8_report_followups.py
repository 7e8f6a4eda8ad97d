"""report followups (issue 17, reports that close the loop)

Revision ID: f3c4d5e6f7a8
Revises: f2b3c4d5e6f7
Create Date: 2026-12-06 07:30:00.000000

A reserved slot in the chain, filled by the change that needs it.
"""

from __future__ import annotations

revision = "f3c4d5e6f7a8"
down_revision = "f2b3c4d5e6f7"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
