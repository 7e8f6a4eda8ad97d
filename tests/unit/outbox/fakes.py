"""An in-memory Bot API stand-in for senders, and a time source tests move instead of sleeping."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from ground.clock import ManualClock
from outbox import OutboxMessage, SendResult
from outbox.transport import Outcome


class FakeTime:
    """Monotonic seconds plus a sleep that advances them (and the wall clock) at once."""

    def __init__(self, clock: ManualClock | None = None) -> None:
        self.now = 1000.0
        self.clock = clock

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        for _ in range(3):  # let tasks already started record their send at the current time
            await asyncio.sleep(0)
        if seconds > 0:
            self.now += seconds
            if self.clock is not None:
                self.clock.advance(seconds=seconds)
        await asyncio.sleep(0)


@dataclass
class Attempt:
    row_id: int
    chat_id: int
    text: str
    at: float
    outcome: Outcome


@dataclass
class FakeTransport:
    """Records every request; `responses[chat_id]` are answered first, then OK."""

    time: FakeTime
    responses: dict[int, list[SendResult]] = field(default_factory=dict)
    attempts: list[Attempt] = field(default_factory=list)
    hang_after_delivering: set[int] = field(default_factory=set)  # a crash mid-request
    hanging: asyncio.Event = field(default_factory=asyncio.Event)
    after_send: Callable[[Attempt], None] | None = None

    async def send(self, message: OutboxMessage) -> SendResult:
        queued = self.responses.get(message.chat_id)
        result = queued.pop(0) if queued else SendResult.ok()
        attempt = Attempt(message.id, message.chat_id, message.text, self.time.now, result.outcome)
        self.attempts.append(attempt)
        if self.after_send is not None:
            self.after_send(attempt)
        if message.chat_id in self.hang_after_delivering:
            self.hanging.set()
            await asyncio.Event().wait()  # delivered, but the answer never comes back
        return result

    @property
    def delivered(self) -> list[Attempt]:
        return [a for a in self.attempts if a.outcome == Outcome.OK]

    def delivered_chats(self) -> list[int]:
        return sorted(a.chat_id for a in self.delivered)
