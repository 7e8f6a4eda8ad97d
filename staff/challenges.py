"""Logins halfway through: the password was right and the account's second step is still
owed (a TOTP code, or enrolling one when admins must have it). A challenge is not a console
session and opens no page; it lasts `LIFETIME`, ends after `MAX_FAILURES` wrong codes (the
password is asked again) and when the account changes (password, role, disabled, reset).

The browser holds a random token; the table holds its SHA-256 only.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import delete

from staff.models import LoginChallenge, StaffAccount
from staff.sessions import MAX_TOKEN, token_digest

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncSession

LIFETIME = timedelta(minutes=5)
MAX_FAILURES = 5
KEEP = timedelta(days=1)  # ended and expired challenges are deleted after this


class Purpose(StrEnum):
    CODE = "code"  # type the authenticator's code (or a recovery code)
    ENROL = "enrol"  # an admin without TOTP, when GREENBOT_ADMIN_TOTP_REQUIRED: enrol first


class LoginChallenges:
    """The caller's session owns the transaction."""

    def __init__(self, session: AsyncSession, lifetime: timedelta = LIFETIME) -> None:
        self.session = session
        self.lifetime = lifetime

    async def open(self, account: StaffAccount, purpose: Purpose, *, now: datetime) -> str:
        """A new challenge for `account`; returns its token (stored hashed)."""
        await self.session.execute(
            delete(LoginChallenge).where(LoginChallenge.created_at < now - KEEP)
        )
        token = secrets.token_urlsafe(32)
        self.session.add(
            LoginChallenge(
                id=token_digest(token),
                account_id=account.id,
                generation=account.generation,
                purpose=purpose.value,
                created_at=now,
                failures=0,
            )
        )
        await self.session.flush()
        return token

    async def find(
        self, token: str | None, *, now: datetime
    ) -> tuple[LoginChallenge, StaffAccount] | None:
        """The open challenge `token` names and its account, else None."""
        if not token or len(token) > MAX_TOKEN:
            return None
        row = await self.session.get(LoginChallenge, token_digest(token))
        if row is None or row.ended_at is not None:
            return None
        account = await self.session.get(StaffAccount, row.account_id)
        if (
            account is None
            or not account.active
            or account.generation != row.generation
            or now - row.created_at >= self.lifetime
        ):
            row.ended_at = now
            return None
        return row, account

    async def failed(self, challenge: LoginChallenge, *, now: datetime) -> bool:
        """Count a wrong code; False when that was the last one allowed (it has ended)."""
        challenge.failures += 1
        if challenge.failures >= MAX_FAILURES:
            challenge.ended_at = now
        await self.session.flush()
        return challenge.ended_at is None

    async def end(self, challenge: LoginChallenge, *, now: datetime) -> None:
        challenge.ended_at = now
        await self.session.flush()
