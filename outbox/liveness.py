"""Which senders are alive: each running sender beats a row; a dead one's claims are settled.

Without this, rows a crashed sender had in flight stay `sending` until the claim timeout
(minutes), and a broadcast's summary waits for them. A sender is known dead when its beat is
older than `ttl`, or, on this host, when its process is gone (a pid that no longer exists, or this
very pid with a name that no sender in this process has: a container restarted as pid 1).
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from outbox.models import SenderBeat

_HERE: set[str] = set()  # names of the senders running in this process


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


class Liveness:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        name: str,
        *,
        ttl: timedelta = timedelta(seconds=60),
        host: str | None = None,
    ) -> None:
        self.sessions = sessions
        self.name = name
        self.ttl = ttl
        self.host = host or socket.gethostname()
        self.pid = os.getpid()

    async def beat(self, now: datetime) -> None:
        """Say this sender is alive (insert on the first beat)."""
        _HERE.add(self.name)
        async with self.sessions.begin() as session:
            found = await session.execute(
                update(SenderBeat).where(SenderBeat.name == self.name).values(beat_at=now)
            )
            if not found.rowcount:
                session.add(
                    SenderBeat(
                        name=self.name, host=self.host, pid=self.pid, started_at=now, beat_at=now
                    )
                )

    async def leave(self) -> None:
        """A graceful stop: this sender's claims were all recorded, its row can go."""
        _HERE.discard(self.name)
        async with self.sessions.begin() as session:
            await session.execute(delete(SenderBeat).where(SenderBeat.name == self.name))

    async def dead(self, now: datetime) -> list[str]:
        """Names of other senders known to be dead."""
        async with self.sessions() as session:
            rows = (await session.execute(select(SenderBeat))).scalars().all()
        return [row.name for row in rows if row.name != self.name and self._is_dead(row, now)]

    async def forget(self, names: list[str]) -> None:
        async with self.sessions.begin() as session:
            await session.execute(delete(SenderBeat).where(SenderBeat.name.in_(names)))

    def _is_dead(self, row: SenderBeat, now: datetime) -> bool:
        beat = row.beat_at if row.beat_at.tzinfo else row.beat_at.replace(tzinfo=now.tzinfo)
        if beat < now - self.ttl:
            return True
        if row.host != self.host:
            return False
        if row.pid == self.pid:
            return row.name not in _HERE
        return not pid_alive(row.pid)
