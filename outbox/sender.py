"""Drain the outbox through a Transport: paced, retried, resumable, never twice on purpose.

A sender is given its transports by recipient (`Routes`): it takes only the rows one of them
reaches, and leaves the others pending for their own deliverer. `deliver_now` serves a transport
that shows a chat when it is looked at (the web sandbox's page) instead of being pushed to.

Crash/restart policy. A row is `sending` only while its one request is in flight: the dispatcher
claims it (pending→sending under a fresh token) right before handing it to the transport, and
records the outcome right after. So:
- a graceful stop (`stop_event`) dispatches nothing new, waits for requests in flight and records
  them; untouched rows were never claimed, so stop/start loses and duplicates nothing;
- after a crash, rows still `sending` were mid-request: Telegram may have delivered them. They are
  settled as soon as their sender is known dead (`outbox.liveness`: a stale heartbeat, or its
  process gone from this host), else once the claim is older than `claim_timeout`. By default
  they become `uncertain` (never resent automatically: at most `max_in_flight` such rows per
  crash, counted in progress and explained in the summary, requeued by staff if they choose);
  `stale_policy="retry"` resends them instead (at-least-once);
- a 5xx or network error is retried with backoff: Telegram has no idempotency key, so a timeout
  whose request did land can still repeat that one message. That is the only duplicate path.
Pacing (token bucket, 1 msg/s per chat, 20 msg/min per group, global 429 pause) is per sender
process: run one sender per bot token, or split `rate_per_sec` between them. With `paid_rate`
(Telegram's `allow_paid_broadcast`, which the transport sets on broadcast deliveries) broadcast
rows take their own faster bucket; everything else keeps the free limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ground.clock import Clock
from outbox.claims import Claims, StalePolicy
from outbox.liveness import Liveness
from outbox.models import ABOUT_BROADCAST_KINDS, OutboxMessage, OutboxStatus
from outbox.progress import ProgressHook, ProgressReporter
from outbox.ratelimit import ChatSpacing, Monotonic, RateLimiter, Sleep
from outbox.transport import Outcome, Routes, SendResult, Transport

log = logging.getLogger(__name__)

BlockedHook = Callable[[int], Awaitable[None]]
MAX_429_PER_DRAIN = 3  # then the row waits in the table for its not_before like any other


class OutboxSender:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        transport: Transport | Routes,
        clock: Clock,
        *,
        rate_per_sec: float = 29.5,
        per_chat_interval: float = 1.0,
        per_group_interval: float = 3.0,
        paid_rate: float | None = None,
        batch_size: int = 200,
        max_in_flight: int = 8,
        max_attempts: int = 5,
        backoff_base: float = 5.0,
        backoff_max: float = 900.0,
        claim_timeout: timedelta = timedelta(minutes=5),
        stale_policy: StalePolicy = "uncertain",
        poll_interval: float = 2.0,
        beat_interval: float = 10.0,
        on_blocked: BlockedHook | None = None,
        on_progress: ProgressHook | None = None,
        progress_every: int = 500,
        progress_interval: float = 5.0,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        name: str | None = None,
    ) -> None:
        self.claims = Claims(sessions)
        # A bare transport reaches every chat; `Routes` limit the sender to theirs.
        self.routes = (
            transport if isinstance(transport, Routes) else Routes.to_every_chat(transport)
        )
        self.transport: Transport = self.routes
        self.clock = clock
        self.limiter = RateLimiter(rate_per_sec, monotonic=monotonic, sleep=sleep)
        self.paid_limiter = (
            RateLimiter(paid_rate, monotonic=monotonic, sleep=sleep) if paid_rate else None
        )
        self.spacing = ChatSpacing(
            per_chat_interval, group_interval=per_group_interval, monotonic=monotonic
        )
        self.progress = ProgressReporter(
            sessions,
            on_progress,
            every=progress_every,
            interval=progress_interval,
            monotonic=monotonic,
        )
        self.batch_size = batch_size
        self.max_in_flight = max_in_flight
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.claim_timeout = claim_timeout
        self.stale_policy: StalePolicy = stale_policy
        self.poll_interval = poll_interval
        self.on_blocked = on_blocked
        self.name = name or uuid.uuid4().hex[:8]
        self.liveness = Liveness(sessions, self.name, ttl=timedelta(seconds=6 * beat_interval))
        self.beat_interval = beat_interval
        self._monotonic = monotonic
        self._sleep = sleep
        self._nudged = asyncio.Event()

    def nudge(self) -> None:
        """Something was queued: drain now instead of at the next poll."""
        self._nudged.set()

    def backoff(self, attempts: int) -> timedelta:
        return timedelta(seconds=min(self.backoff_max, self.backoff_base * 2 ** (attempts - 1)))

    async def recover_stale(self) -> int:
        """Settle rows dead senders left in flight: at once when the sender is known dead,
        after `claim_timeout` otherwise (a sender that never beat, e.g. a tool's `drain_once`).
        Their broadcasts are reported after this batch, so the summary need not wait."""
        dead = await self.liveness.dead(self.clock.now())
        settled = await self.claims.recover_from(dead, policy=self.stale_policy)
        if dead:
            await self.liveness.forget(dead)
            log.warning("sender %s: senders %s are gone", self.name, ", ".join(dead))
        settled += await self.claims.recover_stale(
            now=self.clock.now(), timeout=self.claim_timeout, policy=self.stale_policy
        )
        if settled:
            log.warning(
                "sender %s: %d rows in flight at a crash, policy %s",
                self.name,
                len(settled),
                self.stale_policy,
            )
        for broadcast_id in settled:
            await self.progress.record(broadcast_id)
        return len(settled)

    async def run(self, stop_event: asyncio.Event) -> None:
        """Drain until `stop_event`; then finish the requests in flight and return."""
        beating = asyncio.create_task(self._beat(stop_event), name=f"outbox-beat-{self.name}")
        try:
            while not stop_event.is_set():
                try:
                    handled = await self.drain_once(stop_event)
                except Exception:  # a database hiccup: log, wait a poll, try again
                    log.exception("sender %s: drain failed", self.name)
                    handled = 0
                if handled == 0 and not stop_event.is_set():
                    await self._wait(stop_event)
        finally:
            beating.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beating
        with contextlib.suppress(Exception):  # only after a graceful stop: nothing in flight
            await self.liveness.leave()

    async def _beat(self, stop_event: asyncio.Event) -> None:
        while not stop_event.is_set():
            try:
                await self.liveness.beat(self.clock.now())
            except Exception:  # a locked or absent database: the next beat tries again
                log.warning("sender %s: heartbeat failed", self.name, exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop_event.wait(), timeout=self.beat_interval)

    async def drain_once(self, stop_event: asyncio.Event | None = None) -> int:
        """Send one batch of due rows; how many were dispatched (0: nothing due)."""
        await self.recover_stale()
        queue = await self.claims.candidates(
            now=self.clock.now(), limit=self.batch_size, chats=self.routes.chats
        )
        tasks: set[asyncio.Task[OutboxMessage | None]] = set()
        retries: dict[int, int] = {}
        dispatched = 0
        try:
            while queue or tasks:
                stopping = stop_event is not None and stop_event.is_set()
                index = None if stopping else self._ready_index(queue)
                if index is None or len(tasks) >= self.max_in_flight:
                    if tasks:
                        done, tasks = await asyncio.wait(tasks, return_when="FIRST_COMPLETED")
                        self._requeue(done, queue, retries)
                    elif stopping:
                        break
                    else:
                        await self._sleep(self._earliest_ready(queue) - self._monotonic())
                    continue
                await self._limiter_for(queue[index]).acquire()
                if stop_event is not None and stop_event.is_set():
                    continue
                row = queue.pop(index)
                task = await self._dispatch(row)
                if task is not None:
                    tasks.add(task)
                    dispatched += 1
        except asyncio.CancelledError:  # hard stop: like a crash, in-flight rows stay `sending`
            for task in tasks:
                task.cancel()
            raise
        await self.progress.flush()
        return dispatched

    async def due(self, chat_id: int, *, limit: int = 50) -> list[OutboxMessage]:
        """What is due for one chat (if this sender's routes reach it), oldest first."""
        if self.routes.transport_for(chat_id) is None:
            return []
        return await self.claims.candidates(
            now=self.clock.now(), limit=limit, chats=self.routes.chats, chat_id=chat_id
        )

    async def deliver_now(self, rows: Iterable[OutboxMessage]) -> int:
        """Deliver `rows` (from `due`) one after another, unpaced: for a transport that shows a
        chat when it is looked at. Each is claimed and recorded like any sender's, so two pages
        polling at the same moment show a row once. How many were claimed."""
        claimed = 0
        for row in rows:
            token = f"{self.name}:{uuid.uuid4().hex}"
            attempts = await self.claims.claim(row.id, token=token, now=self.clock.now())
            if attempts is None:
                continue
            claimed += 1
            await self._deliver(row, token, attempts)
        await self.progress.flush()
        return claimed

    def _limiter_for(self, row: OutboxMessage) -> RateLimiter:
        if self.paid_limiter is not None and is_delivery(row):
            return self.paid_limiter
        return self.limiter

    def _ready_index(self, queue: list[OutboxMessage]) -> int | None:
        for index, row in enumerate(queue):
            if self.spacing.is_ready(row.chat_id):
                return index
        return None

    def _earliest_ready(self, queue: list[OutboxMessage]) -> float:
        return min(self.spacing.ready_at(row.chat_id) for row in queue)

    def _requeue(
        self,
        done: set[asyncio.Task[OutboxMessage | None]],
        queue: list[OutboxMessage],
        retries: dict[int, int],
    ) -> None:
        for task in done:
            if task.exception() is not None:  # its row stays `sending` until recover_stale
                log.error(
                    "sender %s: delivery bookkeeping failed", self.name, exc_info=task.exception()
                )
                continue
            row = task.result()
            if row is not None and retries.get(row.id, 0) < MAX_429_PER_DRAIN:
                retries[row.id] = retries.get(row.id, 0) + 1
                queue.insert(0, row)

    async def _dispatch(self, row: OutboxMessage) -> asyncio.Task[OutboxMessage | None] | None:
        """Claim the row and start its request; None when another sender took it first."""
        token = f"{self.name}:{uuid.uuid4().hex}"
        attempts = await self.claims.claim(row.id, token=token, now=self.clock.now())
        if attempts is None:
            return None
        self.spacing.mark(row.chat_id)
        return asyncio.create_task(self._deliver(row, token, attempts))

    async def _deliver(self, row: OutboxMessage, token: str, attempts: int) -> OutboxMessage | None:
        """One request and its bookkeeping; returns the row when a 429 asks to send it again."""
        try:
            result = await self.transport.send(row)
        except Exception as error:  # a transport bug must not kill the sender: retry later
            log.exception("sender %s: transport raised for outbox row %s", self.name, row.id)
            result = SendResult.server_error(repr(error))
        if result.outcome == Outcome.RETRY_AFTER:  # before any await: nothing else slips out
            self.limiter.pause(result.retry_after)
            if self.paid_limiter is not None:
                self.paid_limiter.pause(result.retry_after)
        now = self.clock.now()
        again = None
        if result.outcome == Outcome.OK:
            await self.claims.finish(
                row.id, token=token, status=OutboxStatus.SENT, now=now, error=None
            )
        elif result.outcome == Outcome.RETRY_AFTER:
            await self.claims.release(
                row.id,
                token=token,
                not_before=now + timedelta(seconds=result.retry_after),
                error=result.error,
                refund_attempt=True,
            )
            again = row
        elif result.outcome == Outcome.BLOCKED:
            await self.claims.finish(
                row.id, token=token, status=OutboxStatus.BLOCKED, now=now, error=result.error
            )
            await self._blocked(row.chat_id)
        elif result.outcome == Outcome.SERVER_ERROR and attempts < self.max_attempts:
            await self.claims.release(
                row.id, token=token, not_before=now + self.backoff(attempts), error=result.error
            )
        else:  # a 400, or a 5xx too many times
            await self.claims.finish(
                row.id, token=token, status=OutboxStatus.FAILED, now=now, error=result.error
            )
        if again is None and not _will_retry(result, attempts, self.max_attempts):
            await self.progress.record(row.broadcast_id)
        return again

    async def _blocked(self, chat_id: int) -> None:
        if self.on_blocked is None:
            return
        try:
            await self.on_blocked(chat_id)
        except Exception:
            log.exception("sender %s: on_blocked hook failed", self.name)

    async def _wait(self, stop_event: asyncio.Event) -> None:
        """Sleep until a nudge, a stop or the poll interval, whichever comes first."""
        waiters = {
            asyncio.create_task(self._nudged.wait()),
            asyncio.create_task(stop_event.wait()),
        }
        try:
            await asyncio.wait(waiters, timeout=self.poll_interval, return_when="FIRST_COMPLETED")
        finally:
            for waiter in waiters:
                waiter.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await waiter
        self._nudged.clear()


def is_delivery(row: OutboxMessage) -> bool:
    """One recipient's copy of a broadcast (not a single message, nor a report to staff)."""
    return row.broadcast_id is not None and row.kind not in ABOUT_BROADCAST_KINDS


def _will_retry(result: SendResult, attempts: int, max_attempts: int) -> bool:
    return result.outcome == Outcome.SERVER_ERROR and attempts < max_attempts
