"""An account's second factor: enrolling a TOTP secret (confirmed by a code before it counts),
checking a code or a one-time recovery code at login, and turning it off. The caller's session
owns the transaction; a secret or a code is never logged."""

from __future__ import annotations

import base64
import hashlib
import secrets
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, or_, select, update

from staff import totp
from staff.models import RecoveryCode, StaffAccount

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncSession

RECOVERY_CODES = 8
RECOVERY_BYTES = 10  # 80 random bits each: a plain SHA-256 of them cannot be reversed


class Method(StrEnum):
    """What passed a second step (the audit trail says which)."""

    TOTP = "totp"
    RECOVERY = "recovery"


def new_recovery_code() -> str:
    """Sixteen lowercase base32 characters in groups of four, e.g. `k3mf-q7ta-2xbn-wd5e`."""
    raw = base64.b32encode(secrets.token_bytes(RECOVERY_BYTES)).decode().lower()
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def recovery_digest(code: str) -> str:
    return hashlib.sha256(totp.normalise(code).lower().encode()).hexdigest()


class SecondFactor:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def start_enrolment(self, account: StaffAccount) -> str:
        """The secret being enrolled (the same one until confirmed, so a reload shows it)."""
        if account.totp_pending_secret is None:
            account.totp_pending_secret = totp.new_secret()
            await self.session.flush()
        return account.totp_pending_secret

    async def confirm_enrolment(
        self, account: StaffAccount, code: str, *, now: datetime
    ) -> list[str] | None:
        """Turn TOTP on when `code` comes from the secret being enrolled; the new recovery
        codes, to be shown once (only their hashes are kept). None: wrong code."""
        pending = account.totp_pending_secret
        if pending is None:
            return None
        step = totp.matching_step(pending, code, now=now, after=None)
        if step is None:
            return None
        account.totp_secret, account.totp_pending_secret = pending, None
        account.totp_enabled_at, account.totp_last_step = now, step
        return await self.new_recovery_codes(account, now=now)

    async def new_recovery_codes(self, account: StaffAccount, *, now: datetime) -> list[str]:
        """A fresh set of recovery codes; the old ones stop working."""
        await self.session.execute(
            delete(RecoveryCode).where(RecoveryCode.account_id == account.id)
        )
        codes = [new_recovery_code() for _ in range(RECOVERY_CODES)]
        self.session.add_all(
            RecoveryCode(account_id=account.id, digest=recovery_digest(code), created_at=now)
            for code in codes
        )
        await self.session.flush()
        return codes

    async def verify(self, account: StaffAccount, code: str, *, now: datetime) -> Method | None:
        """Whether `code` (six digits, or a recovery code) passes, using it up: a TOTP code's
        step, or the recovery code, is claimed by a conditional UPDATE, so of two requests
        racing with the same code only one passes."""
        if account.totp_secret is None:
            return None
        typed = totp.normalise(code)
        if totp.CODE.fullmatch(typed):
            step = totp.matching_step(
                account.totp_secret, typed, now=now, after=account.totp_last_step
            )
            if step is None:
                return None
            claimed = await self.session.execute(
                update(StaffAccount)
                .where(
                    StaffAccount.id == account.id,
                    or_(StaffAccount.totp_last_step.is_(None), StaffAccount.totp_last_step < step),
                )
                .values(totp_last_step=step)
                .execution_options(synchronize_session="fetch")
            )
            return Method.TOTP if getattr(claimed, "rowcount", 0) else None
        if len(typed) > 64:
            return None
        used = await self.session.execute(
            update(RecoveryCode)
            .where(
                RecoveryCode.account_id == account.id,
                RecoveryCode.digest == recovery_digest(typed),
                RecoveryCode.used_at.is_(None),
            )
            .values(used_at=now)
        )
        return Method.RECOVERY if getattr(used, "rowcount", 0) else None

    async def remaining_recovery_codes(self, account: StaffAccount) -> int:
        stmt = select(func.count(RecoveryCode.id)).where(
            RecoveryCode.account_id == account.id, RecoveryCode.used_at.is_(None)
        )
        return int(await self.session.scalar(stmt) or 0)

    async def disable(self, account: StaffAccount) -> bool:
        """Turn TOTP off and drop the recovery codes; False when it was not on."""
        was_on = account.totp_secret is not None
        account.totp_secret = account.totp_pending_secret = None
        account.totp_enabled_at = account.totp_last_step = None
        await self.session.execute(
            delete(RecoveryCode).where(RecoveryCode.account_id == account.id)
        )
        await self.session.flush()
        return was_on
