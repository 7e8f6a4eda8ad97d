"""Load, create and update citizens; the caller's session owns the transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from citizens.models import Citizen


class Citizens:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: int) -> Citizen | None:
        return await self.session.get(Citizen, user_id)

    async def seen(self, *, user_id: int, chat_id: int, now: datetime) -> Citizen:
        """Record a visit; a citizen who writes again is reachable again."""
        citizen = await self.get(user_id)
        if citizen is None:
            citizen = Citizen(
                user_id=user_id, chat_id=chat_id, first_seen=now, last_seen=now, reachable=True
            )
            self.session.add(citizen)
        else:
            citizen.chat_id = chat_id
            citizen.last_seen = now
            citizen.reachable = True
        return citizen

    async def script_for_chat(self, chat_id: int) -> str | None:
        """The script (hans | hant) of the citizen whose private chat this is, as they read
        now; None for a chat no known citizen has."""
        citizen = await self.get(chat_id)  # a private chat's id is its user's id
        if citizen is None or citizen.chat_id != chat_id:
            return None
        return citizen.script

    async def set_script(self, user_id: int, script: str, *, chosen: bool) -> None:
        await self.session.execute(
            update(Citizen)
            .where(Citizen.user_id == user_id)
            .values(script=script, script_chosen=chosen)
        )

    async def mark_unreachable(self, chat_id: int) -> None:
        await self.session.execute(
            update(Citizen).where(Citizen.chat_id == chat_id).values(reachable=False)
        )
