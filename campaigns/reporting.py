"""Keep staff told about broadcasts: the outbox sender's progress hook, and the start-up sweep.

Both only queue outbox rows (`Broadcasts.report`), so a progress report or a final summary is
retried on 5xx and paced like any message, and a crash between the last delivery and the summary
is healed by the sweep when a sender starts again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from campaigns.broadcasts import Broadcasts
from campaigns.errors import BroadcastNotFound
from campaigns.models import BroadcastStatus

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from ground.clock import Clock
    from outbox import DeliveryCounts

log = logging.getLogger(__name__)


def progress_hook(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    *,
    staff_chat_id: int | None,
    queued: Callable[[], None] | None = None,
) -> Callable[[DeliveryCounts], Awaitable[None]]:
    """The sender's `on_progress`: queue the report this broadcast is owed now."""

    async def report(counts: DeliveryCounts) -> None:
        try:
            async with sessions.begin() as session:
                broadcasts = Broadcasts(session, staff_chat_id=staff_chat_id)
                added = await broadcasts.report(counts.broadcast_id, now=clock.now())
        except BroadcastNotFound:
            return
        if added and queued is not None:
            queued()

    return report


async def report_sending(
    sessions: async_sessionmaker[AsyncSession], clock: Clock, *, staff_chat_id: int | None
) -> int:
    """At start-up: every broadcast still `sending` gets what it is owed (a summary its crashed
    predecessor never queued, or `done` once that summary went out). How many were queued."""
    async with sessions.begin() as session:
        broadcasts = Broadcasts(session, staff_chat_id=staff_chat_id)
        queued = 0
        for broadcast in await broadcasts.in_status(BroadcastStatus.SENDING):
            queued += await broadcasts.report(broadcast.id, now=clock.now(), progress_too=False)
    if queued:
        log.info("%d broadcast reports owed from before the start queued", queued)
    return queued
