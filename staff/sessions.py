"""Console sessions kept in the database, so that logging out, a password or role change,
disabling an account and "sign out everywhere" end them at once, on every instance.

The browser holds a random token; the table holds its SHA-256 only. A session ends when it
has been idle for `Lifetimes.idle`, `Lifetimes.absolute` after login whatever happens, or when
the account's `generation` moves on (the CLI's `passwd`, `role` and `disable` bump it).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Select, delete, func, select, update

from staff.models import ConsoleSession, StaffAccount

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncSession

# last_seen_at is written at most this often: a page view is not a write every time.
TOUCH_EVERY = timedelta(minutes=1)
# Ended sessions stay this long past their absolute end (the account page lists them), then go.
KEEP_ENDED = timedelta(days=30)
MAX_TOKEN = 128


class EndReason(StrEnum):
    LOGOUT = "logout"
    EVERYWHERE = "everywhere"  # "sign out everywhere", by the person or an admin
    PASSWORD = "password"  # the password changed
    ACCOUNT = "account"  # role changed, account disabled, or changed from the CLI
    REPLACED = "replaced"  # a new login in the same browser
    IDLE = "idle"
    EXPIRED = "expired"  # the absolute lifetime passed


@dataclass(frozen=True)
class Lifetimes:
    idle: timedelta
    absolute: timedelta


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ConsoleSessions:
    """The caller's session owns the transaction."""

    def __init__(self, session: AsyncSession, lifetimes: Lifetimes) -> None:
        self.session = session
        self.lifetimes = lifetimes

    async def open(
        self,
        account: StaffAccount,
        *,
        now: datetime,
        address: str | None = None,
        user_agent: str | None = None,
    ) -> str:
        """A new session for `account`; returns the token for the cookie (stored hashed)."""
        await self.session.execute(
            delete(ConsoleSession).where(
                ConsoleSession.created_at < now - self.lifetimes.absolute - KEEP_ENDED
            )
        )
        token = secrets.token_urlsafe(32)
        self.session.add(
            ConsoleSession(
                id=token_digest(token),
                account_id=account.id,
                generation=account.generation,
                created_at=now,
                last_seen_at=now,
                address=address[:45] if address else None,
                user_agent=user_agent[:200] if user_agent else None,
            )
        )
        await self.session.flush()
        return token

    async def find(
        self, token: str, *, now: datetime
    ) -> tuple[ConsoleSession, StaffAccount] | None:
        """The live session `token` names and its account; None when there is none, or it has
        just timed out or been overtaken by an account change (then it is marked ended)."""
        if not token or len(token) > MAX_TOKEN:
            return None
        row = await self.session.get(ConsoleSession, token_digest(token))
        if row is None or row.revoked_at is not None:
            return None
        account = await self.session.get(StaffAccount, row.account_id)
        reason = self._over(row, account, now)
        if reason is not None:
            row.revoked_at, row.ended_by = now, reason.value
            return None
        assert account is not None
        if now - row.last_seen_at >= TOUCH_EVERY:
            row.last_seen_at = now
        return row, account

    async def end(self, token: str, *, now: datetime, reason: EndReason) -> bool:
        """End one session (logout); False when it had ended already."""
        result = await self.session.execute(
            update(ConsoleSession)
            .where(ConsoleSession.id == token_digest(token), ConsoleSession.revoked_at.is_(None))
            .values(revoked_at=now, ended_by=reason.value)
        )
        return bool(getattr(result, "rowcount", 0))

    async def end_all(self, account_id: int, *, now: datetime, reason: EndReason) -> int:
        """End every open session of an account; how many there were."""
        result = await self.session.execute(
            update(ConsoleSession)
            .where(ConsoleSession.account_id == account_id, ConsoleSession.revoked_at.is_(None))
            .values(revoked_at=now, ended_by=reason.value)
            .execution_options(synchronize_session="fetch")
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def live(self, account_id: int, *, now: datetime) -> list[ConsoleSession]:
        """An account's sessions that would still open the console, newest first."""
        stmt = self._live(now).where(ConsoleSession.account_id == account_id)
        return list(await self.session.scalars(stmt.order_by(ConsoleSession.created_at.desc())))

    async def live_counts(self, *, now: datetime) -> dict[int, int]:
        """Open sessions per account id (accounts without any are missing)."""
        live = self._live(now).subquery()
        rows = await self.session.execute(
            select(live.c.account_id, func.count()).group_by(live.c.account_id)
        )
        return dict(rows.all())  # a Result has keys(): dict() would read it as a mapping

    def _live(self, now: datetime) -> Select[tuple[ConsoleSession]]:
        return (
            select(ConsoleSession)
            .join(StaffAccount, StaffAccount.id == ConsoleSession.account_id)
            .where(
                ConsoleSession.revoked_at.is_(None),
                ConsoleSession.generation == StaffAccount.generation,
                StaffAccount.active.is_(True),
                ConsoleSession.created_at > now - self.lifetimes.absolute,
                ConsoleSession.last_seen_at > now - self.lifetimes.idle,
            )
        )

    def _over(
        self, row: ConsoleSession, account: StaffAccount | None, now: datetime
    ) -> EndReason | None:
        if account is None or not account.active or account.generation != row.generation:
            return EndReason.ACCOUNT
        if now - row.created_at >= self.lifetimes.absolute:
            return EndReason.EXPIRED
        if now - row.last_seen_at >= self.lifetimes.idle:
            return EndReason.IDLE
        return None
