"""Who is staff in the bot, and the check every staff handler goes through.

Staff are the Telegram users `staff/identity.py` knows: a console account linked to their
Telegram id (its role; disabling it ends their rights here too), or an id listed in the settings
(`GREENBOT_STAFF_REVIEWERS`, `GREENBOT_STAFF_ADMINS`). Asked on every staff update, from the
update's session. A staff router calls `guard(router, Role.REVIEWER)`: its inner
middleware runs for every handler of that router, after the handler's filters matched, so a
forged callback or a typed command from a citizen is refused (and logged) before any staff code
runs; the refusal names the role needed (管理员 or 工作人员) in the sender's script. Handlers
take `staff: StaffMember`, which only this middleware supplies: a handler that somehow ran
without the check would fail instead of acting.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message

from bot import texts
from bot.texts import staff as words
from reports import Staff
from staff import Role
from staff.identity import StaffIdentity, telegram_staff

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from aiogram import Router
    from aiogram.types import TelegramObject, User
    from sqlalchemy.ext.asyncio import AsyncSession

    from ground.settings import Settings

    Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

log = logging.getLogger(__name__)


REFUSALS: dict[Role, str] = {Role.REVIEWER: words.REVIEWERS_ONLY, Role.ADMIN: words.ADMINS_ONLY}
_GUARDED: dict[Router, Role] = {}  # every guarded router and the role it asks for


@dataclass(frozen=True)
class StaffMember:
    """A staff member acting in Telegram: where to answer them (`user_id`) and who they are for
    the audit trail (`identity`: a console account's id and `web:<name>`, else `tg:<id>`)."""

    user_id: int
    identity: StaffIdentity
    name: str

    @property
    def role(self) -> Role:
        return self.identity.role

    @property
    def label(self) -> str:
        return self.identity.label

    @property
    def audit(self) -> Staff:
        """The reports domain's `by=`: the same person whether they act in the bot or the
        console, once their account is linked."""
        return Staff(id=self.identity.id, name=self.identity.label)


async def staff_member(
    user: User | None, settings: Settings, session: AsyncSession
) -> StaffMember | None:
    if user is None:
        return None
    identity = await telegram_staff(
        session, user.id, admins=settings.staff_admins, reviewers=settings.staff_reviewers
    )
    if identity is None:
        return None
    return StaffMember(user_id=user.id, identity=identity, name=user.full_name)


class RequireStaff(BaseMiddleware):
    """Run a staff handler only for a user holding at least `role`; refuse the others politely."""

    def __init__(self, role: Role) -> None:
        self.role = role

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        settings: Settings = data["settings"]
        member = await staff_member(data.get("event_from_user"), settings, data["session"])
        if member is None or not member.role.allows(self.role):
            user = data.get("event_from_user")
            needed = needed_role(data.get("event_router"), self.role)
            log.warning(
                "refused a staff action (%s, needs %s) from user %s",
                _describe(event),
                needed.name.lower(),
                user.id if user else "unknown",
            )
            script = texts.script_for(data.get("citizen"))
            await _refuse(event, texts.say(REFUSALS[needed], script))
            return None
        data["staff"] = member
        return await handler(event, data)


def guard(router: Router, role: Role = Role.REVIEWER) -> Router:
    """Put every message and callback handler of `router` behind `RequireStaff(role)`."""
    _GUARDED[router] = role
    middleware = RequireStaff(role)
    router.message.middleware(middleware)
    router.callback_query.middleware(middleware)
    return router


def needed_role(router: Router | None, at_least: Role) -> Role:
    """The highest role guarding the handler's router or a router it is included in: a citizen
    stopped by the reviewers' guard on an admins' command (a nested router) is told 管理员."""
    chain = router.chain_head if router is not None else ()
    return max([at_least, *(_GUARDED[r] for r in chain if r in _GUARDED)], key=lambda r: r.rank)


def _describe(event: TelegramObject) -> str:
    if isinstance(event, CallbackQuery):
        return f"callback {str(event.data)[:64]!r}"
    if isinstance(event, Message):
        return f"message {(event.text or '')[:32]!r}"
    return type(event).__name__


async def _refuse(event: TelegramObject, refusal: str) -> None:
    if isinstance(event, CallbackQuery):
        await event.answer(refusal, show_alert=True)
    elif isinstance(event, Message):
        await event.answer(refusal)
