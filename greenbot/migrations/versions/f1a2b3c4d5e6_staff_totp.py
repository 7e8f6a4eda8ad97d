"""staff totp (issue 13, TOTP second factor for admins)

Revision ID: f1a2b3c4d5e6
Revises: e6b7c8d9e0f1
Create Date: 2026-12-06 07:30:00.000000

TOTP secrets and the last accepted step on staff accounts, hashed one-time recovery codes,
logins waiting for their second step, and who did an account change when not a console
account (`actor`, "cli").
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "f1a2b3c4d5e6"
down_revision = "e6b7c8d9e0f1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_accounts") as batch:
        batch.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("totp_pending_secret", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("totp_enabled_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
    with op.batch_alter_table("staff_events") as batch:
        batch.add_column(sa.Column("actor", sa.String(length=32), nullable=True))
    op.create_table(
        "staff_recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["staff_accounts.id"],
            name=op.f("fk_staff_recovery_codes_account_id_staff_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_recovery_codes")),
        sa.UniqueConstraint("digest", name=op.f("uq_staff_recovery_codes_digest")),
    )
    op.create_index(
        op.f("ix_staff_recovery_codes_account_id"),
        "staff_recovery_codes",
        ["account_id"],
        unique=False,
    )
    op.create_table(
        "login_challenges",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["staff_accounts.id"],
            name=op.f("fk_login_challenges_account_id_staff_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_challenges")),
    )
    op.create_index(
        op.f("ix_login_challenges_account_id"), "login_challenges", ["account_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_login_challenges_account_id"), table_name="login_challenges")
    op.drop_table("login_challenges")
    op.drop_index(op.f("ix_staff_recovery_codes_account_id"), table_name="staff_recovery_codes")
    op.drop_table("staff_recovery_codes")
    with op.batch_alter_table("staff_events") as batch:
        batch.drop_column("actor")
    with op.batch_alter_table("staff_accounts") as batch:
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_enabled_at")
        batch.drop_column("totp_pending_secret")
        batch.drop_column("totp_secret")
