"""What a sender needs from the Bot API: send one message, say how it went.

The aiogram-backed transport lives in `bot/notify.py`; tests use an in-memory fake.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from outbox.models import OutboxMessage


class Outcome(StrEnum):
    OK = "ok"
    RETRY_AFTER = "retry_after"  # 429: Telegram says wait `retry_after` seconds
    BLOCKED = "blocked"  # 403: bot blocked, user deactivated, kicked from the group
    SERVER_ERROR = "server_error"  # 5xx or a network error: try again later
    BAD_REQUEST = "bad_request"  # 400: the message itself is wrong; retrying cannot help


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    retry_after: float = 0.0
    error: str | None = None

    @classmethod
    def ok(cls) -> SendResult:
        return cls(Outcome.OK)

    @classmethod
    def wait(cls, seconds: float) -> SendResult:
        return cls(Outcome.RETRY_AFTER, retry_after=seconds, error=f"429 retry after {seconds}s")

    @classmethod
    def blocked(cls, error: str = "403 Forbidden") -> SendResult:
        return cls(Outcome.BLOCKED, error=error)

    @classmethod
    def server_error(cls, error: str = "5xx") -> SendResult:
        return cls(Outcome.SERVER_ERROR, error=error)

    @classmethod
    def bad_request(cls, error: str = "400 Bad Request") -> SendResult:
        return cls(Outcome.BAD_REQUEST, error=error)


class Transport(Protocol):
    """Deliver one outbox row (text, or photo with caption) and classify the answer.

    Must not raise for Telegram errors; must time out well inside the sender's claim timeout.
    """

    async def send(self, message: OutboxMessage) -> SendResult: ...
