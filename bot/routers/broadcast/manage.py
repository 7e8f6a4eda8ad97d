"""/broadcasts (any staff): the recent broadcasts and reminders with their delivery counts;
/broadcast_cancel ID (admins): stop one, scheduled or sending (rows in flight still finish)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram import Router
from aiogram.filters import Command, CommandObject

from bot.render import html
from bot.staff import Role, guard
from bot.texts import campaigns as t
from campaigns import BroadcastNotFound, Broadcasts, BroadcastStatus, InvalidBroadcastState
from ground.clock import local_time

if TYPE_CHECKING:
    from aiogram.types import Message
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.staff import StaffMember
    from ground.clock import Clock

router = guard(Router(name=__name__), Role.REVIEWER)  # reviewers may look
admin = guard(Router(name=f"{__name__}.admin"), Role.ADMIN)  # only admins cancel
router.include_router(admin)

LIST_SIZE = 10


@admin.message(Command("broadcast_cancel"))
async def cancel_broadcast(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    clock: Clock,
    staff: StaffMember,
) -> None:
    argument = (command.args or "").strip().lstrip("#")
    if not argument.isdigit():
        await message.answer(html(t.CANCEL_USAGE))
        return
    broadcast_id = int(argument)
    try:
        count = await Broadcasts(session).cancel(broadcast_id, now=clock.now())
    except BroadcastNotFound:
        await message.answer(html(t.NOT_FOUND.format(id=broadcast_id)))
        return
    except InvalidBroadcastState:
        await message.answer(html(t.ALREADY_DONE.format(id=broadcast_id)))
        return
    await message.answer(html(t.CANCELLED.format(id=broadcast_id, count=count)))


@router.message(Command("broadcasts"))
async def list_broadcasts(message: Message, session: AsyncSession, staff: StaffMember) -> None:
    broadcasts = Broadcasts(session)
    recent = (await broadcasts.in_status(*BroadcastStatus))[-LIST_SIZE:]
    if not recent:
        await message.answer(html(t.LIST_EMPTY))
        return
    lines = [t.LIST_HEADER]
    for broadcast in reversed(recent):
        counts = await broadcasts.progress(broadcast.id)
        when = broadcast.scheduled_at or broadcast.started_at
        lines.append(
            t.LIST_ROW.format(
                id=broadcast.id,
                kind=t.KIND_NAMES.get(broadcast.kind, broadcast.kind),
                status=t.STATUS_NAMES.get(broadcast.status, broadcast.status),
                audience=t.topic_list(broadcast.topics),
                progress=t.LIST_PROGRESS.format(sent=counts["sent"], total=counts.total),
                when=f" · {local_time(when, digits=True)}" if when else "",
            )
        )
    await message.answer(html("\n".join(lines)))
