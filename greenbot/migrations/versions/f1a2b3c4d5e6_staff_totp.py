"""staff totp (issue 13, TOTP second factor for admins)

Revision ID: f1a2b3c4d5e6
Revises: e6b7c8d9e0f1
Create Date: 2026-12-06 07:30:00.000000

A reserved slot in the chain, filled by the change that needs it.
"""

from __future__ import annotations

revision = "f1a2b3c4d5e6"
down_revision = "e6b7c8d9e0f1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
