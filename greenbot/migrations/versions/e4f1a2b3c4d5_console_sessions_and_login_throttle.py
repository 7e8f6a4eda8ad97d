"""console sessions and login throttle (issue 13)

Revision ID: e4f1a2b3c4d5
Revises: d2b6a9e4c1f0
Create Date: 2026-12-06 04:00:00.000000
"""

from __future__ import annotations

revision = "e4f1a2b3c4d5"
down_revision = "d2b6a9e4c1f0"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # placeholder: filled in by the change that needs it


def downgrade() -> None:
    pass
