"""report publication and privacy (issue 13)

Revision ID: e5a6b7c8d9e0
Revises: e4f1a2b3c4d5
Create Date: 2026-12-06 04:00:00.000000
"""

from __future__ import annotations

revision = "e5a6b7c8d9e0"
down_revision = "e4f1a2b3c4d5"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # placeholder: filled in by the change that needs it


def downgrade() -> None:
    pass
