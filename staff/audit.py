"""The staff audit trail: who logged in (or failed to), logged out, ended sessions or changed
an account (on the console or with `greenbot staff`, actor "cli"), from which address and
when; second-step codes refused, TOTP turned on, off or reset. A row per event in
`staff_events`, and the same event as a log line for a collector. Never a password, a code or
a secret, and never a login name that matches no account (people type passwords into the
name field)."""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import select

from staff.models import StaffEvent

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)


class EventKind(StrEnum):
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    SIGNED_OUT_EVERYWHERE = "signed_out_everywhere"
    PASSWORD_CHANGED = "password_changed"
    ROLE_CHANGED = "role_changed"
    DISABLED = "disabled"
    ENABLED = "enabled"
    ADDED = "added"
    CODE_FAILED = "code_failed"  # a wrong TOTP or recovery code at the login's second step
    TOTP_ENABLED = "totp_enabled"
    TOTP_DISABLED = "totp_disabled"
    TOTP_RESET = "totp_reset"  # turned off by someone else (an admin on the CLI)
    TELEGRAM_LINKED = "telegram_linked"  # detail: the Telegram id, or none when unlinked


class StaffAudit:
    """The caller's session owns the transaction: an event commits with what it records."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(
        self,
        kind: EventKind,
        *,
        at: datetime,
        account_id: int | None = None,
        actor_id: int | None = None,
        address: str | None = None,
        detail: str | None = None,
        actor: str | None = None,
    ) -> StaffEvent:
        """`actor_id` names a console account that acted on another; `actor` anyone else
        ("cli")."""
        event = StaffEvent(
            at=at,
            kind=kind.value,
            account_id=account_id,
            actor_id=actor_id,
            address=address[:45] if address else None,
            detail=detail[:200] if detail else None,
            actor=actor,
        )
        self.session.add(event)
        await self.session.flush()
        log.info(
            "staff event %s account=%s actor=%s address=%s%s",
            kind.value,
            account_id,
            actor_id if actor_id is not None else actor,
            address,
            f" ({detail})" if detail else "",
        )
        return event

    async def recent(self, limit: int = 50) -> list[StaffEvent]:
        """The newest events first."""
        stmt = select(StaffEvent).order_by(StaffEvent.at.desc(), StaffEvent.id.desc()).limit(limit)
        return list(await self.session.scalars(stmt))
