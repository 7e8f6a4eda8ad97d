"""The staff tables: accounts and their two roles, console sessions, the login throttle's
counters, the second factor (TOTP, recovery codes, the half-done logins waiting for a code)
and the audit trail of sign-ins and account changes."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from ground.db import Base
from staff.roles import Role


class UtcDateTime(TypeDecorator[datetime]):
    """Stored as UTC and read back aware (UTC), on SQLite (naive text) and PostgreSQL alike,
    so timeouts compare the same on both."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UtcDateTime column")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class StaffAccount(Base):
    __tablename__ = "staff_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)  # the login name
    role: Mapped[str] = mapped_column(String(16))  # Role value
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2id, PHC string
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    # Bumped when the password or role changes or the account is disabled: a console session
    # remembers the generation it was opened for, so those changes end it (the CLI too).
    generation: Mapped[int] = mapped_column(Integer, default=1)
    # TOTP (staff/second_factor.py): the base32 secret once confirmed, one being enrolled, and
    # the last time step a code was accepted for (a code is never accepted twice).
    totp_secret: Mapped[str | None] = mapped_column(String(64), default=None)
    totp_pending_secret: Mapped[str | None] = mapped_column(String(64), default=None)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    totp_last_step: Mapped[int | None] = mapped_column(Integer, default=None)
    # The person's Telegram account (staff/identity.py): linked, the bot knows them by this
    # account's role and name, and disabling the account ends their staff rights there too.
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True, default=None)

    @property
    def has_totp(self) -> bool:
        return self.totp_secret is not None

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def label(self) -> str:
        """How the audit trail names this person, in the console and (linked) in the bot;
        `tg:<id>` is someone the bot knows only from the settings."""
        return f"web:{self.name}"


class ConsoleSession(Base):
    """One login to the console. The browser holds a random token; only its SHA-256 is stored,
    so a copy of this table opens nothing."""

    __tablename__ = "console_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the token
    account_id: Mapped[int] = mapped_column(ForeignKey("staff_accounts.id"), index=True)
    generation: Mapped[int] = mapped_column(Integer)  # the account's, at login
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    ended_by: Mapped[str | None] = mapped_column(String(16), default=None)  # EndReason value
    address: Mapped[str | None] = mapped_column(String(45), default=None)
    user_agent: Mapped[str | None] = mapped_column(String(200), default=None)


class LoginCounter(Base):
    """Recent failed logins for one account name or one source address (keyed by an HMAC of
    it: names typed by mistake are sometimes passwords)."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # name | address
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UtcDateTime())
    blocked_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)


class StaffEvent(Base):
    """The staff audit trail: logins (failed ones too), logouts, sessions ended and account
    changes. Never a password; a name that matches no account is not stored either."""

    __tablename__ = "staff_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    kind: Mapped[str] = mapped_column(String(24))  # EventKind value
    account_id: Mapped[int | None] = mapped_column(Integer, default=None)  # whose account
    actor_id: Mapped[int | None] = mapped_column(Integer, default=None)  # who did it, if other
    address: Mapped[str | None] = mapped_column(String(45), default=None)
    detail: Mapped[str | None] = mapped_column(String(200), default=None)
    # Who did it when not a console account (actor_id): "cli" for `greenbot staff …`.
    actor: Mapped[str | None] = mapped_column(String(32), default=None)


class RecoveryCode(Base):
    """A one-time code for when the authenticator is lost; only its SHA-256 is stored (80
    random bits: a hash table of them opens nothing)."""

    __tablename__ = "staff_recovery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("staff_accounts.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)


class LoginChallenge(Base):
    """A login whose password was right and which waits for its second factor. The browser
    holds a random token (in the signed browser cookie); the table its SHA-256. It opens no
    page: only a right code turns it into a console session."""

    __tablename__ = "login_challenges"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the token
    account_id: Mapped[int] = mapped_column(ForeignKey("staff_accounts.id"), index=True)
    generation: Mapped[int] = mapped_column(Integer)  # the account's, when the password passed
    purpose: Mapped[str] = mapped_column(String(8))  # "code" | "enrol" (ChallengePurpose)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    failures: Mapped[int] = mapped_column(Integer, default=0)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
