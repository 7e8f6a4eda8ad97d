"""sandbox chats and limits (issue 13)

Revision ID: e6b7c8d9e0f1
Revises: e5a6b7c8d9e0
Create Date: 2026-12-06 04:00:00.000000
"""

from __future__ import annotations

revision = "e6b7c8d9e0f1"
down_revision = "e5a6b7c8d9e0"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # placeholder: filled in by the change that needs it


def downgrade() -> None:
    pass
