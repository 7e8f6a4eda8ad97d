"""Pace sends under the Bot API limits: ~30 msg/s overall, 1 msg/s per chat, 20 msg/min per group
(STACK-NOTES; group and channel chat ids are negative).

Time comes from an injected monotonic source and sleep, so tests measure pacing without waiting.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

Monotonic = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class RateLimiter:
    """A token bucket (`rate` per second, `burst` deep) that a 429 can pause entirely."""

    def __init__(
        self,
        rate: float,
        *,
        burst: float = 1.0,
        monotonic: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.burst = max(burst, 1.0)
        self._monotonic = monotonic
        self._sleep = sleep
        self._tokens = self.burst
        self._updated = monotonic()
        self._paused_until = 0.0

    def pause(self, seconds: float) -> None:
        """Stop every send for `seconds` (a 429 applies to the whole bot, not one chat)."""
        self._paused_until = max(self._paused_until, self._monotonic() + seconds)

    @property
    def paused_until(self) -> float:
        return self._paused_until

    async def acquire(self) -> None:
        while True:
            now = self._monotonic()
            if now < self._paused_until:
                await self._sleep(self._paused_until - now)
                continue
            self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            if self._tokens >= 1.0 - 1e-9:  # float dust must not leave us a hair short forever
                self._tokens = max(0.0, self._tokens - 1.0)
                return
            await self._sleep((1.0 - self._tokens) / self.rate)


class ChatSpacing:
    """Remember when each chat was last sent to, so one chat gets at most 1 message per interval
    (a longer one for groups)."""

    def __init__(
        self,
        interval: float,
        *,
        group_interval: float = 3.0,
        monotonic: Monotonic = time.monotonic,
    ) -> None:
        self.interval = interval
        self.group_interval = max(interval, group_interval)
        self._monotonic = monotonic
        self._next: dict[int, float] = {}

    def ready_at(self, chat_id: int) -> float:
        return self._next.get(chat_id, float("-inf"))

    def is_ready(self, chat_id: int) -> bool:
        return self.ready_at(chat_id) <= self._monotonic()

    def mark(self, chat_id: int) -> None:
        now = self._monotonic()
        self._next[chat_id] = now + (self.group_interval if chat_id < 0 else self.interval)
        if len(self._next) > 10_000:  # forget chats whose interval has long passed
            self._next = {chat: at for chat, at in self._next.items() if at > now}
