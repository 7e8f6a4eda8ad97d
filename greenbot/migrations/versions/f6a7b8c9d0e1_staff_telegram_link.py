"""staff telegram link (issue 14, one staff identity for the bot and the console)

Revision ID: f6a7b8c9d0e1
Revises: f5e6f7a8b9c0
Create Date: 2026-12-06 20:40:00.000000

A console account may name its holder's Telegram account: the bot then knows them by that
account's role and name, and disabling the account ends their staff rights in the bot too.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "f6a7b8c9d0e1"
down_revision = "f5e6f7a8b9c0"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_accounts") as batch:
        batch.add_column(sa.Column("telegram_id", sa.BigInteger(), nullable=True))
        batch.create_unique_constraint("uq_staff_accounts_telegram_id", ["telegram_id"])


def downgrade() -> None:
    with op.batch_alter_table("staff_accounts") as batch:
        batch.drop_constraint("uq_staff_accounts_telegram_id", type_="unique")
        batch.drop_column("telegram_id")
