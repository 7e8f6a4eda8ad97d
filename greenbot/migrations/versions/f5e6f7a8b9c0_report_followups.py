"""report followups (issue 17, reports that close the loop)

Revision ID: f5e6f7a8b9c0
Revises: f4d5e6f7a8b9
Create Date: 2026-12-06 20:10:00.000000

Evidence of more kinds (voice notes, short videos) and added after filing (`report_photos.kind`,
`event_id`); the reporter's answer to "was it fixed?" (`report_feedback`); staff's response
templates; citizens' area alerts. A report may now be `reopened` (a status value, no schema).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "f5e6f7a8b9c0"
down_revision = "f4d5e6f7a8b9"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report_photos") as batch:
        batch.add_column(sa.Column("kind", sa.String(8), nullable=False, server_default="photo"))
        batch.add_column(sa.Column("event_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_report_photos_event", "report_events", ["event_id"], ["id"], ondelete="SET NULL"
        )
    op.create_table(
        "report_feedback",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "report_id",
            sa.Integer(),
            sa.ForeignKey("reports.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("resolved_event_id", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(64), nullable=False),
        sa.Column("fixed", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("report_id", "resolved_event_id", name="uq_report_feedback_answer"),
    )
    op.create_index("ix_report_feedback_report_id", "report_feedback", ["report_id"])
    op.create_index("ix_report_feedback_department", "report_feedback", ["department"])
    op.create_table(
        "response_templates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(60), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("category", sa.String(16), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=True),
    )
    op.create_index("ix_response_templates_status", "response_templates", ["status"])
    op.create_table(
        "area_subscriptions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("district", sa.String(32), nullable=False),
        sa.Column("script", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_digest_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("user_id", "district", name="uq_area_subscriptions_user"),
    )
    op.create_index("ix_area_subscriptions_user_id", "area_subscriptions", ["user_id"])
    op.create_index("ix_area_subscriptions_district", "area_subscriptions", ["district"])


def downgrade() -> None:
    op.drop_table("area_subscriptions")
    op.drop_table("response_templates")
    op.drop_table("report_feedback")
    with op.batch_alter_table("report_photos") as batch:
        batch.drop_constraint("fk_report_photos_event", type_="foreignkey")
        batch.drop_column("event_id")
        batch.drop_column("kind")
