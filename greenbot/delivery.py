"""Delivery, built and run by the roof: the outbox sender (every Telegram chat's rows through
the bot's `BotTransport`) and the campaign scheduler, for as long as `delivering`'s block runs.

`greenbot run` (greenbot/root.py, `serve_bot`) runs it beside the bot's updates; tests and
benchmarks call `delivering` next to their own dispatcher (tests/support/bot_rig.py does, so
e2e tests run exactly this wiring). The dispatcher gets `outbox_nudge` (an `OutboxNudge`), the
`outbox.Nudge` the bot's handlers call after queueing a row.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import event

from bot.notices import citizen_scripts
from bot.notify import TELEGRAM_CHATS, BotTransport, blocked_hook, create_delivery_bot

if TYPE_CHECKING:
    from aiogram import Bot, Dispatcher
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from campaigns.scheduler import SchedulerRunner
    from ground.clock import Clock
    from ground.settings import Settings
    from outbox import OutboxSender

log = logging.getLogger(__name__)

STOP_TIMEOUT = 30.0  # seconds for requests in flight and running jobs to finish on shutdown


class OutboxNudge:
    """`outbox_nudge`: wake the sender now, or once `session` commits."""

    def __init__(self, sender: OutboxSender) -> None:
        self.sender = sender

    def __call__(self, session: AsyncSession | None = None) -> None:
        if session is None:
            self.sender.nudge()
            return
        event.listen(session.sync_session, "after_commit", self._after_commit, once=True)

    def _after_commit(self, _session: object) -> None:
        self.sender.nudge()


@dataclass
class Delivery:
    """The outbox sender and (when enabled) the scheduler runner, running until `stop`."""

    bot: Bot  # the delivery bot (no 429 retry middleware): every outbox row goes out through it
    sender: OutboxSender
    scheduler: SchedulerRunner | None
    nudge: OutboxNudge
    stop_event: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def stop(self) -> None:
        """Dispatch nothing new, let requests in flight and running jobs finish, release the
        scheduler lease; cancel what is still running after STOP_TIMEOUT."""
        self.stop_event.set()
        if self.tasks:
            done, pending = await asyncio.wait(self.tasks, timeout=STOP_TIMEOUT)
            for task in pending:
                task.cancel()
            for task in done:
                if not task.cancelled() and task.exception() is not None:
                    log.error("delivery task failed", exc_info=task.exception())
            if pending:
                await asyncio.wait(pending)
            self.tasks.clear()


def build_sender(
    settings: Settings,
    *,
    bot: Bot,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
) -> OutboxSender:
    """The outbox sender as settings describe it, delivering to Telegram's chats through `bot`
    (the web sandbox's visitors are left to the sandbox, which delivers their rows itself);
    staff's reports about a broadcast are outbox rows it queues for itself, paced and retried
    like the rest."""
    from campaigns.reporting import progress_hook
    from outbox import OutboxSender, Routes

    telegram = BotTransport(
        bot, paid_broadcast=settings.broadcast_paid, script_of=citizen_scripts(sessions)
    )
    sender = OutboxSender(
        sessions,
        Routes([(TELEGRAM_CHATS, telegram)]),
        clock,
        rate_per_sec=settings.broadcast_rate,
        per_chat_interval=settings.broadcast_per_chat_interval,
        per_group_interval=settings.broadcast_per_group_interval,
        paid_rate=settings.broadcast_paid_rate if settings.broadcast_paid else None,
        max_attempts=settings.outbox_max_attempts,
        claim_timeout=timedelta(seconds=settings.outbox_claim_timeout_seconds),
        stale_policy=settings.outbox_stale_policy,
        on_blocked=blocked_hook(sessions),
        on_progress=progress_hook(
            sessions, clock, staff_chat_id=settings.staff_chat_id, queued=lambda: sender.nudge()
        ),
        progress_every=settings.progress_every,
        progress_interval=settings.progress_interval_seconds,
    )
    return sender


def build_scheduler_runner(
    settings: Settings,
    *,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    on_queued: OutboxNudge | None = None,
    holder: str | None = None,
) -> SchedulerRunner:
    """The campaign scheduler: jobs in memory, rebuilt from the app database by the leader."""
    from campaigns.scheduler import SchedulerRunner
    from reports.housekeeping import Housekeeping

    return SchedulerRunner(
        sessions,
        clock=clock,
        holder=holder,
        renew_every=settings.scheduler_renew_seconds,
        lease_ttl=timedelta(seconds=settings.scheduler_lease_ttl_seconds),
        misfire_grace=timedelta(hours=settings.scheduler_misfire_grace_hours),
        quiet_start=settings.quiet_start_hour,
        quiet_end=settings.quiet_end_hour,
        on_queued=on_queued,
        housekeeping=Housekeeping(
            retention_days=settings.report_retention_days,
            staff_chat_id=settings.staff_chat_id,
            quiet_start=settings.quiet_start_hour,
            quiet_end=settings.quiet_end_hour,
        ),
    )


@contextlib.asynccontextmanager
async def delivering(
    settings: Settings,
    *,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    dispatcher: Dispatcher | None = None,
    holder: str | None = None,
) -> AsyncIterator[Delivery]:
    """Run the sender and the scheduler (if `scheduler_enabled`) for the block's duration; the
    dispatcher gets `outbox_nudge`. Every instance runs a sender (claims keep them from sending
    a row twice) but pacing is per process: with N instances set GREENBOT_BROADCAST_RATE to
    about 29.5/N. Only the instance holding the lease runs scheduled jobs."""
    bot = create_delivery_bot(settings)
    sender = build_sender(settings, bot=bot, sessions=sessions, clock=clock)
    nudge = OutboxNudge(sender)
    runner = (
        build_scheduler_runner(
            settings, sessions=sessions, clock=clock, on_queued=nudge, holder=holder
        )
        if settings.scheduler_enabled
        else None
    )
    delivery = Delivery(bot=bot, sender=sender, scheduler=runner, nudge=nudge)
    if dispatcher is not None:
        dispatcher["outbox_nudge"] = nudge
    await _catch_up(settings, sessions=sessions, clock=clock)
    delivery.tasks.append(asyncio.create_task(sender.run(delivery.stop_event), name="outbox"))
    if runner is not None:
        delivery.tasks.append(
            asyncio.create_task(runner.run(delivery.stop_event), name="scheduler")
        )
    try:
        yield delivery
    finally:
        try:
            await delivery.stop()
        finally:
            await bot.session.close()


async def _catch_up(
    settings: Settings, *, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    """Before sending: summaries a crashed predecessor owed staff are queued (its in-flight rows
    are settled by the sender's first drain, which knows that predecessor is dead)."""
    from campaigns.reporting import report_sending

    try:
        await report_sending(sessions, clock, staff_chat_id=settings.staff_chat_id)
    except Exception:  # a locked database must not stop the bot from starting: the hook retries
        log.exception("could not queue the broadcast reports owed from before the start")
