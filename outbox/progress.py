"""Tell staff how a broadcast is going: every 500 messages or 5 seconds, and when it ends.

The hook (wired by the composition root) only queues outbox rows under idempotent keys, so
calling it again is harmless: after each batch it runs for every broadcast that just finished.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from outbox.ratelimit import Monotonic
from outbox.repo import DeliveryCounts, Outbox

log = logging.getLogger(__name__)

ProgressHook = Callable[[DeliveryCounts], Awaitable[None]]


class ProgressReporter:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        hook: ProgressHook | None,
        *,
        every: int,
        interval: float,
        monotonic: Monotonic,
    ) -> None:
        self.sessions = sessions
        self.hook = hook
        self.every = every
        self.interval = interval
        self._monotonic = monotonic
        self._since: dict[int, int] = {}
        self._last: dict[int, float] = {}

    async def record(self, broadcast_id: int | None) -> None:
        """One more row of this broadcast has an outcome; report if enough time or rows passed."""
        if broadcast_id is None or self.hook is None:
            return
        self._since[broadcast_id] = self._since.get(broadcast_id, 0) + 1
        last = self._last.setdefault(broadcast_id, self._monotonic())
        if self._since[broadcast_id] >= self.every or self._monotonic() - last >= self.interval:
            await self._report(broadcast_id)

    async def flush(self) -> None:
        """After a batch: report the broadcasts of this batch that have no open row left."""
        for broadcast_id in list(self._since):
            await self._report(broadcast_id, only_if_finished=True)

    async def _report(self, broadcast_id: int, *, only_if_finished: bool = False) -> None:
        async with self.sessions() as session:
            counts = await Outbox(session).counts(broadcast_id)
        if only_if_finished and not counts.finished:
            return
        self._since.pop(broadcast_id, None)
        self._last[broadcast_id] = self._monotonic()
        try:
            await self.hook(counts)  # type: ignore[misc]
        except Exception:  # a staff-report failure must never stop deliveries
            log.exception("progress hook failed for broadcast %s", broadcast_id)
