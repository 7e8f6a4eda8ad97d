"""sandbox chats and limits (issue 13)

Revision ID: e6b7c8d9e0f1
Revises: e5a6b7c8d9e0
Create Date: 2026-12-06 04:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e6b7c8d9e0f1"
down_revision = "e5a6b7c8d9e0"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(
            sa.Column("location_consent_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "sandbox_chats",
        sa.Column("visitor_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("next_message_id", sa.Integer(), nullable=False),
        sa.Column("reply_keyboard", sa.JSON(), nullable=True),
        sa.Column("toasts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("visitor_id", name=op.f("pk_sandbox_chats")),
    )
    op.create_index(
        "ix_sandbox_chats_source_updated", "sandbox_chats", ["source", "updated_at"], unique=False
    )
    op.create_index(
        op.f("ix_sandbox_chats_updated_at"), "sandbox_chats", ["updated_at"], unique=False
    )
    op.create_table(
        "sandbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visitor_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(length=8), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.Column("buttons", sa.JSON(), nullable=False),
        sa.Column("photo", sa.String(length=64), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("edited", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["visitor_id"],
            ["sandbox_chats.visitor_id"],
            name=op.f("fk_sandbox_messages_visitor_id_sandbox_chats"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sandbox_messages")),
        sa.UniqueConstraint("visitor_id", "message_id", name="uq_sandbox_messages_id"),
    )
    op.create_table(
        "sandbox_files",
        sa.Column("file_id", sa.String(length=64), nullable=False),
        sa.Column("visitor_id", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["visitor_id"],
            ["sandbox_chats.visitor_id"],
            name=op.f("fk_sandbox_files_visitor_id_sandbox_chats"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("file_id", name=op.f("pk_sandbox_files")),
    )
    op.create_index(
        op.f("ix_sandbox_files_visitor_id"), "sandbox_files", ["visitor_id"], unique=False
    )
    op.create_table(
        "sandbox_counters",
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("source", "kind", "window_start", name=op.f("pk_sandbox_counters")),
    )


def downgrade() -> None:
    op.drop_table("sandbox_counters")
    op.drop_index(op.f("ix_sandbox_files_visitor_id"), table_name="sandbox_files")
    op.drop_table("sandbox_files")
    op.drop_table("sandbox_messages")
    op.drop_index(op.f("ix_sandbox_chats_updated_at"), table_name="sandbox_chats")
    op.drop_index("ix_sandbox_chats_source_updated", table_name="sandbox_chats")
    op.drop_table("sandbox_chats")
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("location_consent_at")
