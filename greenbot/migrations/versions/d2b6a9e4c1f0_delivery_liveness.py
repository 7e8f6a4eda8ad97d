"""delivery liveness: sender heartbeats (dead senders' claims settled at once) and the chat that
follows a broadcast's progress

Revision ID: d2b6a9e4c1f0
Revises: 8c1d4e6f2a73
Create Date: 2026-12-06 03:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d2b6a9e4c1f0"
down_revision = "8c1d4e6f2a73"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_senders",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("beat_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_outbox_senders")),
    )
    with op.batch_alter_table("broadcasts") as batch:
        batch.add_column(sa.Column("report_chat", sa.BigInteger(), nullable=True))
    # Broadcasts sent from the bot so far followed by their author's private chat (a Telegram id;
    # the console stored a staff account id there, a small number).
    op.execute(
        "UPDATE broadcasts SET report_chat = created_by "
        "WHERE kind = 'broadcast' AND created_by IS NOT NULL AND created_by > 100000"
    )


def downgrade() -> None:
    with op.batch_alter_table("broadcasts") as batch:
        batch.drop_column("report_chat")
    op.drop_table("outbox_senders")
