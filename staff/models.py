"""The staff_accounts table and the two roles."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from greenbot.db import Base


class Role(StrEnum):
    """Reviewers handle reports and read gaps; admins also broadcast, announce dates and
    manage accounts."""

    REVIEWER = "reviewer"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return {Role.REVIEWER: 1, Role.ADMIN: 2}[self]

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


class StaffAccount(Base):
    __tablename__ = "staff_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)  # the login name
    role: Mapped[str] = mapped_column(String(16))  # Role value
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2id, PHC string
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    # Bumped when the password or role changes or the account is disabled: a session cookie
    # remembers the generation it was issued for, so those changes log the person out.
    generation: Mapped[int] = mapped_column(Integer, default=1)

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def label(self) -> str:
        """How the audit trail names this person (`web:<name>`; the bot writes `tg:<id>`)."""
        return f"web:{self.name}"
