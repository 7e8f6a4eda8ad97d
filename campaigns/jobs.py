"""What the scheduler runs: module-level coroutines whose arguments are plain ids.

Jobs live in memory on the lease holder, which rebuilds them from the database when it takes
the lease (`campaigns.scheduler`), so a job says only what to do (event, date and kind; a
broadcast id), readable in logs and `get_jobs()`. The live objects (session factory, clock,
calendar) come from the `JobContext` the leader binds under a context *name* while it leads: one
process (tests, a staging twin) can host schedulers for several databases under different names.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from campaigns.announced import load_calendar
from campaigns.broadcasts import Broadcasts
from campaigns.calendar import Calendar
from campaigns.errors import CampaignError
from campaigns.models import BroadcastStatus
from campaigns.reminders import enqueue_reminder
from ground.clock import Clock

log = logging.getLogger(__name__)


@dataclass
class JobContext:
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    calendar: Calendar  # calendar.yaml; announced dates are read from the database per run
    holder: str
    quiet_start: int = 22
    quiet_end: int = 8
    on_queued: Callable[[], None] | None = None  # e.g. OutboxSender.nudge
    running: set[asyncio.Task[object]] = field(default_factory=set)

    def queued(self) -> None:
        if self.on_queued is not None:
            self.on_queued()


class JobContextMissing(CampaignError):
    pass


_contexts: dict[str, JobContext] = {}


def bind(name: str, context: JobContext) -> None:
    _contexts[name] = context


def unbind(name: str, context: JobContext) -> None:
    """Forget `name` only if it is still bound to this context (another runner may lead now)."""
    if _contexts.get(name) is context:
        del _contexts[name]


def context(name: str) -> JobContext:
    try:
        return _contexts[name]
    except KeyError:
        raise JobContextMissing(f"no job context bound as {name!r}") from None


async def send_reminder(context_name: str, event_id: str, day: str, kind: str) -> None:
    """A calendar reminder is due: queue it for the subscribers of the event's topics."""
    ctx = context(context_name)
    with _tracked(ctx):
        async with ctx.sessions.begin() as session:
            calendar = await load_calendar(session, ctx.calendar)
            broadcast_id = await enqueue_reminder(
                session,
                calendar,
                event_id=event_id,
                day=date.fromisoformat(day),
                kind=kind,
                now=ctx.clock.now(),
                quiet_start=ctx.quiet_start,
                quiet_end=ctx.quiet_end,
            )
        log.info("reminder %s:%s:%s queued as broadcast %s", event_id, day, kind, broadcast_id)
        ctx.queued()


async def start_broadcast(context_name: str, broadcast_id: int) -> None:
    """A scheduled broadcast is due: write its delivery list (a no-op if staff cancelled it)."""
    ctx = context(context_name)
    with _tracked(ctx):
        async with ctx.sessions.begin() as session:
            broadcasts = Broadcasts(session, quiet_start=ctx.quiet_start, quiet_end=ctx.quiet_end)
            broadcast = await broadcasts.get(broadcast_id)
            if broadcast.status != BroadcastStatus.SCHEDULED:
                log.info("broadcast %s is %s: not started", broadcast_id, broadcast.status)
                return
            added = await broadcasts.start(broadcast_id, now=ctx.clock.now())
        log.info("broadcast %s started: %d deliveries queued", broadcast_id, added)
        ctx.queued()


@contextmanager
def _tracked(ctx: JobContext) -> Iterator[None]:
    """Register the running job so a stopping runner can let it finish before shutdown."""
    task = asyncio.current_task()
    if task is not None:
        ctx.running.add(task)
    try:
        yield
    finally:
        if task is not None:
            ctx.running.discard(task)
