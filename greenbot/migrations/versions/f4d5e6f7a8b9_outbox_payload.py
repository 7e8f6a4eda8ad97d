"""outbox payload (issue 14, notices as data)

Revision ID: f4d5e6f7a8b9
Revises: f3c4d5e6f7a8
Create Date: 2026-12-06 16:30:00.000000

A message may be queued as data (a report's status notice: ticket, status, note, …) that the
surface delivering it renders at send time, in the recipient's script then. Rows queued before
keep their rendered `text` and no payload, and are delivered as they are.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "f4d5e6f7a8b9"
down_revision = "f3c4d5e6f7a8"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("payload", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("payload")
