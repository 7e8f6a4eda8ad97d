"""Broadcasts: staff (or the calendar) write a message once, the outbox gets one row per recipient.

The delivery list is written in the same transaction that moves the broadcast to `sending`, and
each row's dedupe key is `broadcast:{id}:{chat_id}`, so starting twice never queues twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.errors import BroadcastNotFound, InvalidBroadcastState
from campaigns.models import Broadcast, BroadcastStatus
from campaigns.quiet import QUIET_END_HOUR, QUIET_START_HOUR, next_allowed
from campaigns.subscriptions import Subscriptions
from campaigns.topics import checked_topics
from greenbot.clock import SHANGHAI
from greenbot.scripts import in_script
from outbox import DeliveryCounts, Outbox, QueuedMessage

EDITABLE = (BroadcastStatus.DRAFT, BroadcastStatus.SCHEDULED)


def delivery_key(broadcast_id: int, chat_id: int) -> str:
    return f"broadcast:{broadcast_id}:{chat_id}"


class Broadcasts:
    def __init__(
        self,
        session: AsyncSession,
        *,
        quiet_start: int = QUIET_START_HOUR,
        quiet_end: int = QUIET_END_HOUR,
    ) -> None:
        self.session = session
        self.quiet_start = quiet_start
        self.quiet_end = quiet_end

    async def create(
        self,
        *,
        text: str,
        created_by: int | None,
        now: datetime,
        photo: str | None = None,
        topics: Iterable[str] | None = None,
    ) -> Broadcast:
        """A draft for `topics` (None: every active subscriber)."""
        chosen = sorted(checked_topics(topics)) if topics is not None else None
        broadcast = Broadcast(
            kind="broadcast",
            text=text,
            photo=photo,
            topics=chosen,
            status=BroadcastStatus.DRAFT,
            created_by=created_by,
            created_at=now,
            recipients=0,
        )
        self.session.add(broadcast)
        await self.session.flush()
        return broadcast

    async def get(self, broadcast_id: int) -> Broadcast:
        broadcast = await self.session.get(Broadcast, broadcast_id)
        if broadcast is None:
            raise BroadcastNotFound(broadcast_id)
        return broadcast

    async def audience_size(self, topics: Iterable[str] | None = None) -> int:
        return await Subscriptions(self.session).count(topics)

    async def schedule(self, broadcast_id: int, *, at: datetime) -> Broadcast:
        """Send at `at` (the scheduler picks it up: `SchedulerRunner.sync`)."""
        broadcast = await self.get(broadcast_id)
        if broadcast.status not in EDITABLE:
            raise InvalidBroadcastState(f"broadcast {broadcast_id} is {broadcast.status}")
        broadcast.status = BroadcastStatus.SCHEDULED
        broadcast.scheduled_at = at.astimezone(SHANGHAI)
        await self.session.flush()
        return broadcast

    async def cancel(self, broadcast_id: int, *, now: datetime) -> int:
        """Stop it: nothing more is sent (rows already in flight finish). Pending rows cancelled."""
        broadcast = await self.get(broadcast_id)
        if broadcast.status == BroadcastStatus.DONE:
            raise InvalidBroadcastState(f"broadcast {broadcast_id} is already done")
        broadcast.status = BroadcastStatus.CANCELLED
        broadcast.finished_at = now
        await self.session.flush()
        return await Outbox(self.session).cancel_broadcast(broadcast_id)

    async def start(self, broadcast_id: int, *, now: datetime) -> int:
        """Write the delivery list; rows added (0 when it was already started)."""
        claimed = await self.session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id, Broadcast.status.in_(EDITABLE))
            .values(status=BroadcastStatus.SENDING, started_at=now)
        )
        broadcast = await self.get(broadcast_id)
        await self.session.refresh(broadcast)
        if not claimed.rowcount:
            if broadcast.status == BroadcastStatus.CANCELLED:
                raise InvalidBroadcastState(f"broadcast {broadcast_id} was cancelled")
            return 0
        not_before = next_allowed(now, start_hour=self.quiet_start, end_hour=self.quiet_end)
        recipients = await Subscriptions(self.session).audience(broadcast.topics)
        messages = [
            QueuedMessage(
                chat_id=r.chat_id,
                text=in_script(broadcast.text, r.script),
                dedupe_key=delivery_key(broadcast_id, r.chat_id),
                not_before=not_before,
                photo=broadcast.photo,
            )
            for r in recipients
        ]
        added = await Outbox(self.session).add_many(
            messages, kind=broadcast.kind, now=now, broadcast_id=broadcast_id
        )
        broadcast.recipients = (await self.progress(broadcast_id)).total
        if broadcast.recipients == 0:
            broadcast.status, broadcast.finished_at = BroadcastStatus.DONE, now
        await self.session.flush()
        return added

    async def progress(self, broadcast_id: int) -> DeliveryCounts:
        """Delivery rows by outbox status (pending, sending, sent, failed, blocked, …)."""
        return await Outbox(self.session).counts(broadcast_id)

    async def complete_if_drained(self, broadcast_id: int, *, now: datetime) -> bool:
        """Mark a sending broadcast done once no row is pending or in flight."""
        if not (await self.progress(broadcast_id)).finished:
            return False
        result = await self.session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id, Broadcast.status == BroadcastStatus.SENDING)
            .values(status=BroadcastStatus.DONE, finished_at=now)
        )
        return bool(result.rowcount)

    async def in_status(self, *statuses: BroadcastStatus) -> list[Broadcast]:
        rows = await self.session.scalars(
            select(Broadcast).where(Broadcast.status.in_(statuses)).order_by(Broadcast.id)
        )
        return list(rows)
