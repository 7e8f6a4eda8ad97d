"""report publication and privacy (issue 13)

Revision ID: e5a6b7c8d9e0
Revises: e4f1a2b3c4d5
Create Date: 2026-12-06 04:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e5a6b7c8d9e0"
down_revision = "e4f1a2b3c4d5"
branch_labels = None
depends_on = None

SANDBOX_IDS_FROM = 2**52  # outbox.models.SANDBOX_CHATS_FROM, frozen as it was at this revision


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("demo", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("public_description", sa.Text(), nullable=True))
        batch.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("report_events") as batch:
        batch.add_column(
            sa.Column("action", sa.String(length=16), server_default="status", nullable=False)
        )
    # Reports the web sandbox filed so far; those a visitor erased with /deleteme kept no id.
    op.execute(
        sa.text(
            "UPDATE reports SET demo = :yes "
            "WHERE reporter_user_id >= :first OR reporter_chat_id >= :first"
        ).bindparams(yes=True, first=SANDBOX_IDS_FROM)
    )


def downgrade() -> None:
    with op.batch_alter_table("report_events") as batch:
        batch.drop_column("action")
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("published_at")
        batch.drop_column("public_description")
        batch.drop_column("demo")
