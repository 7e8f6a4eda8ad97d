"""curated answers (issue 16, staff teach GreenBot)

Revision ID: f2b3c4d5e6f7
Revises: f1a2b3c4d5e6
Create Date: 2026-12-06 07:30:00.000000

A reserved slot in the chain, filled by the change that needs it.
"""

from __future__ import annotations

revision = "f2b3c4d5e6f7"
down_revision = "f1a2b3c4d5e6"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
