"""Run campaign jobs on exactly one bot instance: APScheduler 3 behind a database lease.

- `AsyncIOScheduler` (Asia/Shanghai) with APScheduler's in-memory job store. The database is the
  only source of truth: `sync()` (on becoming leader and every tick) plans the calendar's
  reminders and the scheduled broadcasts into jobs and removes jobs nothing wants any more, so a
  restarted or new lease holder rebuilds the same jobs. Nothing synchronous touches the database
  on the event loop: a persistent `SQLAlchemyJobStore` did, blocking the loop and failing with
  "database is locked" after sqlite3's 5 s while the app wrote the same SQLite file.
- Job ids are explicit (`reminder:{event}:{date}:{kind}`, `broadcast:{id}`) and added with
  `replace_existing=True`, so a sync never duplicates one.
- `misfire_grace_time` of hours and `coalesce=True`: a job missed during a short outage runs once
  when the leader is back; past the grace it is dropped (a stale reminder is worse than none).
- Job functions are idempotent and record what they did in the database (a reminder's broadcast
  has a unique `dedupe_key`): a job run twice (two leaders for a moment) sends once, and a run
  that failed (the database locked for longer than its busy timeout) left nothing behind, so the
  next `sync()` plans it again while it is within the grace.
- The lease (`campaigns.lease`) is renewed every `renew_every` seconds; a standby takes over when
  it expires, or at once when the leader stops gracefully and releases it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from campaigns import jobs
from campaigns.announced import load_calendar
from campaigns.broadcasts import Broadcasts
from campaigns.calendar import CALENDAR_FILE, Calendar
from campaigns.lease import Lease
from campaigns.models import BroadcastStatus
from campaigns.reminders import existing_reminder_keys, reminder_key
from ground.clock import SHANGHAI, Clock

log = logging.getLogger(__name__)

# A duty the leader runs on every tick in one transaction: cheap and idempotent (retention, a
# daily digest keyed by date). Composed by the surface, so campaigns imports no other domain.
Housekeeping = Callable[[AsyncSession, Clock], Awaitable[None]]

MISFIRE_GRACE = timedelta(hours=6)
JOB_PREFIXES = ("reminder:", "broadcast:")


def build_scheduler(*, misfire_grace: timedelta = MISFIRE_GRACE) -> AsyncIOScheduler:
    """An AsyncIOScheduler on an in-memory job store with our defaults (not started)."""
    return AsyncIOScheduler(
        jobstores={"default": MemoryJobStore()},
        timezone=SHANGHAI,
        job_defaults={
            "misfire_grace_time": int(misfire_grace.total_seconds()),  # APScheduler default: 1 s
            "coalesce": True,
            "max_instances": 1,
        },
    )


def default_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class SchedulerRunner:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Clock,
        holder: str | None = None,
        context: str = "greenbot",
        calendar: Calendar | Path = CALENDAR_FILE,
        renew_every: float = 30.0,
        lease_ttl: timedelta = timedelta(seconds=90),
        misfire_grace: timedelta = MISFIRE_GRACE,
        horizon_days: int = 40,
        quiet_start: int = 22,
        quiet_end: int = 8,
        on_queued: Callable[[], None] | None = None,
        housekeeping: Housekeeping | None = None,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.holder = holder or default_holder()
        self.context_name = context
        self.calendar = calendar if isinstance(calendar, Calendar) else Calendar.from_yaml(calendar)
        self.renew_every = renew_every
        self.lease = Lease(sessions, holder=self.holder, ttl=lease_ttl)
        self.misfire_grace = misfire_grace
        self.horizon = timedelta(days=horizon_days)
        self.context = jobs.JobContext(
            sessions=sessions,
            clock=clock,
            calendar=self.calendar,
            holder=self.holder,
            quiet_start=quiet_start,
            quiet_end=quiet_end,
            on_queued=on_queued,
        )
        self.housekeeping = housekeeping
        self.scheduler: AsyncIOScheduler | None = None

    @property
    def is_leader(self) -> bool:
        return self.scheduler is not None

    async def tick(self) -> bool:
        """Renew or take the lease; start or stop the scheduler to match. True when leading."""
        leader = await self.lease.acquire(self.clock.now())
        if leader and self.scheduler is None:
            try:
                self._start()
            except Exception:  # never hold the lease without a running scheduler
                self.scheduler = None
                await self.lease.release(self.clock.now())
                raise
        elif not leader and self.scheduler is not None:
            log.warning("scheduler %s lost its lease: stopping", self.holder)
            await self._shutdown()
        if leader:
            await self.sync()
            self.scheduler.wakeup()  # type: ignore[union-attr]  # a watchdog: re-arm the timer
            await self._housekeep()
        return leader

    async def _housekeep(self) -> None:
        """Other domains' periodic duties (retention, digests), on the leader only."""
        if self.housekeeping is None:
            return
        try:
            async with self.sessions.begin() as session:
                await self.housekeeping(session, self.clock)
        except Exception:  # never let a duty stop the lease from renewing
            log.exception("scheduler %s: housekeeping failed", self.holder)
            return
        self.context.queued()

    async def run(self, stop_event: asyncio.Event) -> None:
        """Tick every `renew_every` seconds until `stop_event`, then stop and hand over."""
        try:
            while not stop_event.is_set():
                try:
                    await self.tick()
                except Exception:  # the database may be briefly away: keep trying
                    log.exception("scheduler %s: tick failed", self.holder)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop_event.wait(), timeout=self.renew_every)
        finally:
            await self.stop()

    async def stop(self) -> None:
        """Let running jobs finish, shut the scheduler down and release the lease."""
        if self.scheduler is not None:
            await self._shutdown()
            await self.lease.release(self.clock.now())

    async def sync(self) -> None:
        """Make the in-memory jobs match the database: due reminders and scheduled broadcasts."""
        if self.scheduler is None:
            return
        wanted = await self._wanted_jobs(self.clock.now())
        existing = {job.id: job for job in self.scheduler.get_jobs()}
        for job_id, (func, run_date, args) in wanted.items():
            job = existing.get(job_id)
            if job is not None and getattr(job.trigger, "run_date", None) == run_date:
                continue
            self.scheduler.add_job(
                func,
                "date",
                run_date=run_date,
                args=args,
                id=job_id,
                name=job_id,
                replace_existing=True,
                misfire_grace_time=int(self.misfire_grace.total_seconds()),
                coalesce=True,
            )
        for job_id in existing:
            if job_id.startswith(JOB_PREFIXES) and job_id not in wanted:
                self.scheduler.remove_job(job_id)

    async def _wanted_jobs(self, now: datetime) -> dict[str, tuple[Any, datetime, tuple[Any, ...]]]:
        wanted: dict[str, tuple[Any, datetime, tuple[Any, ...]]] = {}
        name = self.context_name
        async with self.sessions.begin() as session:
            calendar = await load_calendar(session, self.calendar)
            reminders = calendar.reminders_between(now - self.misfire_grace, now + self.horizon)
            keys = [reminder_key(r.event.id, r.day, r.kind) for r in reminders]
            queued = await existing_reminder_keys(session, keys)
            for reminder, key in zip(reminders, keys, strict=True):
                if key not in queued:
                    args = (name, reminder.event.id, reminder.day.isoformat(), reminder.kind)
                    job = (jobs.send_reminder, reminder.send_at, args)
                    wanted[f"reminder:{reminder.key}"] = job
            broadcasts = Broadcasts(session)
            for broadcast in await broadcasts.in_status(BroadcastStatus.SCHEDULED):
                at = _aware(broadcast.scheduled_at or now)
                if at >= now - self.misfire_grace:  # older ones stay listed for staff to decide
                    wanted[f"broadcast:{broadcast.id}"] = (
                        jobs.start_broadcast,
                        at,
                        (name, broadcast.id),
                    )
        return wanted

    def _start(self) -> None:
        log.info("scheduler %s is now the leader", self.holder)
        jobs.bind(self.context_name, self.context)
        self.scheduler = build_scheduler(misfire_grace=self.misfire_grace)
        self.scheduler.start()

    async def _shutdown(self) -> None:
        if self.context.running:
            await asyncio.wait(set(self.context.running), timeout=30)
        scheduler, self.scheduler = self.scheduler, None
        if scheduler is not None and scheduler.running:
            scheduler.shutdown(wait=False)
            await asyncio.sleep(0)  # AsyncIOScheduler.shutdown runs on the next loop turn
        jobs.unbind(self.context_name, self.context)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive Asia/Shanghai wall time; PostgreSQL an aware datetime."""
    return moment.replace(tzinfo=SHANGHAI) if moment.tzinfo is None else moment
