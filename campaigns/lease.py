"""Leader election for the scheduler: one lease row, taken or renewed by a conditional UPDATE.

Works the same on SQLite and PostgreSQL (no advisory locks). Time comes from the caller's clock,
so instances need roughly synchronised clocks (NTP); the TTL (~90 s) dwarfs usual skew.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from campaigns.models import SchedulerLease
from ground.clock import SHANGHAI


class Lease:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        holder: str,
        name: str = "scheduler",
        ttl: timedelta = timedelta(seconds=90),
    ) -> None:
        self.sessions = sessions
        self.holder = holder
        self.name = name
        self.ttl = ttl

    async def acquire(self, now: datetime) -> bool:
        """Take the lease if it is free or expired, renew it if ours; True when we hold it."""
        now = now.astimezone(SHANGHAI)  # one zone: SQLite compares datetimes as text
        async with self.sessions.begin() as session:
            taken = await session.execute(
                update(SchedulerLease)
                .where(
                    SchedulerLease.name == self.name,
                    or_(SchedulerLease.holder == self.holder, SchedulerLease.expires_at <= now),
                )
                .values(holder=self.holder, expires_at=now + self.ttl)
            )
            if taken.rowcount:
                return True
            insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
            created = await session.execute(
                insert(SchedulerLease)
                .values(name=self.name, holder=self.holder, expires_at=now + self.ttl)
                .on_conflict_do_nothing(index_elements=["name"])
            )
            return bool(created.rowcount)

    async def release(self, now: datetime) -> None:
        """Hand over at once (a graceful stop), instead of making the standby wait for expiry."""
        async with self.sessions.begin() as session:
            await session.execute(
                update(SchedulerLease)
                .where(SchedulerLease.name == self.name, SchedulerLease.holder == self.holder)
                .values(expires_at=now.astimezone(SHANGHAI))
            )

    async def current_holder(self, now: datetime) -> str | None:
        async with self.sessions() as session:
            row = await session.get(SchedulerLease, self.name)
            if row is None:
                return None
            expires = row.expires_at
            if expires.tzinfo is None:  # SQLite hands back naive Asia/Shanghai wall time
                expires = expires.replace(tzinfo=SHANGHAI)
            return row.holder if expires > now else None
