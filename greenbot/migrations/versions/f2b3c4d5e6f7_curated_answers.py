"""curated answers (issue 16, staff teach GreenBot)

Revision ID: f2b3c4d5e6f7
Revises: f1a2b3c4d5e6
Create Date: 2026-12-06 07:30:00.000000

Knowledge gaps as work items, curated answers with their history, the version every engine
polls to pick up approved answers, and on asked questions the gap they belong to and why they
were not covered.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "f2b3c4d5e6f7"
down_revision = "f1a2b3c4d5e6"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "knowledge_gaps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("normalized", sa.String(length=300), nullable=False),
        sa.Column("vector", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("handled_by", sa.Integer(), nullable=True),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_gaps")),
    )
    op.create_index(
        op.f("ix_knowledge_gaps_normalized"), "knowledge_gaps", ["normalized"], unique=False
    )
    op.create_index(op.f("ix_knowledge_gaps_status"), "knowledge_gaps", ["status"], unique=False)
    op.create_table(
        "curated_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("source_kind", sa.String(length=16), nullable=False),
        sa.Column("source_title", sa.String(length=300), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("gap_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("approver_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["gap_id"],
            ["knowledge_gaps.id"],
            name=op.f("fk_curated_answers_gap_id_knowledge_gaps"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_curated_answers")),
    )
    op.create_index(op.f("ix_curated_answers_status"), "curated_answers", ["status"], unique=False)
    op.create_index(op.f("ix_curated_answers_gap_id"), "curated_answers", ["gap_id"], unique=False)
    op.create_table(
        "curated_answer_edits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["curated_answers.id"],
            name=op.f("fk_curated_answer_edits_answer_id_curated_answers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_curated_answer_edits")),
    )
    op.create_index(
        op.f("ix_curated_answer_edits_answer_id"),
        "curated_answer_edits",
        ["answer_id"],
        unique=False,
    )
    op.create_table(
        "curated_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_curated_version")),
    )
    with op.batch_alter_table("asked_questions") as batch:
        batch.add_column(sa.Column("reason", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("gap_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_asked_questions_gap_id"), ["gap_id"], unique=False)
        batch.create_foreign_key(
            batch.f("fk_asked_questions_gap_id_knowledge_gaps"),
            "knowledge_gaps",
            ["gap_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("asked_questions") as batch:
        batch.drop_constraint(
            batch.f("fk_asked_questions_gap_id_knowledge_gaps"), type_="foreignkey"
        )
        batch.drop_index(batch.f("ix_asked_questions_gap_id"))
        batch.drop_column("gap_id")
        batch.drop_column("reason")
    op.drop_table("curated_version")
    op.drop_index(op.f("ix_curated_answer_edits_answer_id"), table_name="curated_answer_edits")
    op.drop_table("curated_answer_edits")
    op.drop_index(op.f("ix_curated_answers_gap_id"), table_name="curated_answers")
    op.drop_index(op.f("ix_curated_answers_status"), table_name="curated_answers")
    op.drop_table("curated_answers")
    op.drop_index(op.f("ix_knowledge_gaps_status"), table_name="knowledge_gaps")
    op.drop_index(op.f("ix_knowledge_gaps_normalized"), table_name="knowledge_gaps")
    op.drop_table("knowledge_gaps")
