"""Broadcasts: staff (or the calendar) write a message once, the outbox gets one row per recipient.

The delivery list is written in the same transaction that moves the broadcast to `sending`, and
each row's dedupe key is `broadcast:{id}:{chat_id}`, so starting twice never queues twice.
What staff are owed about a broadcast (progress, the final summary, a test copy) is queued in the
outbox too, under keys of its own; a broadcast is `done` only once its summary has an outcome.
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
from campaigns.texts import TEST_COPY, progress
from campaigns.topics import checked_topics
from ground.clock import SHANGHAI
from ground.scripts import in_script
from outbox import DeliveryCounts, Outbox, QueuedMessage
from outbox.models import FINAL_STATUSES

EDITABLE = (BroadcastStatus.DRAFT, BroadcastStatus.SCHEDULED)


def delivery_key(broadcast_id: int, chat_id: int) -> str:
    return f"broadcast:{broadcast_id}:{chat_id}"


def summary_key(broadcast_id: int) -> str:
    return f"broadcast:{broadcast_id}:summary"


class Broadcasts:
    def __init__(
        self,
        session: AsyncSession,
        *,
        quiet_start: int = QUIET_START_HOUR,
        quiet_end: int = QUIET_END_HOUR,
        staff_chat_id: int | None = None,
    ) -> None:
        self.session = session
        self.quiet_start = quiet_start
        self.quiet_end = quiet_end
        self.staff_chat_id = staff_chat_id  # hears the summary of broadcasts nobody follows

    async def create(
        self,
        *,
        text: str,
        created_by: int | None,
        now: datetime,
        photo: str | None = None,
        topics: Iterable[str] | None = None,
        report_chat: int | None = None,
    ) -> Broadcast:
        """A draft for `topics` (None: every active subscriber); `report_chat` follows its
        progress (None: the staff chat gets its summary)."""
        chosen = sorted(checked_topics(topics)) if topics is not None else None
        broadcast = Broadcast(
            kind="broadcast",
            text=text,
            photo=photo,
            topics=chosen,
            status=BroadcastStatus.DRAFT,
            created_by=created_by,
            report_chat=report_chat,
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

    async def report(self, broadcast_id: int, *, now: datetime, progress_too: bool = True) -> bool:
        """Queue what staff are owed now: progress while the deliveries drain (to the chat that
        follows it), the summary once none is open; then mark it done once that summary has an
        outcome. Idempotent (outbox keys). True when a message was queued."""
        broadcast = await self.get(broadcast_id)
        if broadcast.status != BroadcastStatus.SENDING:
            return False
        counts = await self.progress(broadcast_id)
        outbox = Outbox(self.session)
        reminder = broadcast.kind == "reminder"
        if not counts.finished:
            if broadcast.report_chat is None or not progress_too:
                return False
            return await outbox.add(
                chat_id=broadcast.report_chat,
                text=progress(counts, reminder=reminder),
                kind="broadcast_progress",
                dedupe_key=f"broadcast:{broadcast_id}:progress:{counts.total - counts.open}",
                now=now,
                parse_mode=None,
                broadcast_id=broadcast_id,
            )
        chat = broadcast.report_chat if broadcast.report_chat is not None else self.staff_chat_id
        summary = await outbox.status_of(summary_key(broadcast_id)) if chat is not None else None
        if chat is not None and summary is None:
            return await outbox.add(
                chat_id=chat,
                text=progress(counts, reminder=reminder),
                kind="broadcast_summary",
                dedupe_key=summary_key(broadcast_id),
                now=now,
                parse_mode=None,
                broadcast_id=broadcast_id,
            )
        if chat is None or summary in FINAL_STATUSES:
            await self.session.execute(
                update(Broadcast)
                .where(Broadcast.id == broadcast_id, Broadcast.status == BroadcastStatus.SENDING)
                .values(status=BroadcastStatus.DONE, finished_at=now)
            )
        return False

    async def send_test(self, broadcast_id: int, *, chat_id: int, now: datetime) -> bool:
        """Queue one copy to `chat_id` (the admin) before fan-out, through the same delivery
        path; False when the same admin already has a test copy of it on its way."""
        broadcast = await self.get(broadcast_id)
        outbox = Outbox(self.session)
        for n in range(1, 100):
            key = f"broadcast:{broadcast_id}:test:{chat_id}:{n}"
            status = await outbox.status_of(key)
            if status is None:
                break
            if status not in FINAL_STATUSES:
                return False
        else:
            return False
        header = TEST_COPY.format(id=broadcast_id)
        return await outbox.add(
            chat_id=chat_id,
            text=f"{header}\n\n{broadcast.text}" if not broadcast.photo else broadcast.text,
            kind="broadcast_test",
            dedupe_key=key,
            now=now,
            photo=broadcast.photo,
            broadcast_id=broadcast_id,
        )

    async def requeue_uncertain(self, broadcast_id: int) -> int:
        """Resend the deliveries a crash left uncertain (staff's choice: some may arrive twice)."""
        broadcast = await self.get(broadcast_id)
        requeued = await Outbox(self.session).requeue_uncertain(broadcast_id=broadcast_id)
        if requeued and broadcast.status == BroadcastStatus.DONE:
            broadcast.status, broadcast.finished_at = BroadcastStatus.SENDING, None
            await self.session.flush()
        return requeued

    async def in_status(self, *statuses: BroadcastStatus) -> list[Broadcast]:
        rows = await self.session.scalars(
            select(Broadcast).where(Broadcast.status.in_(statuses)).order_by(Broadcast.id)
        )
        return list(rows)
