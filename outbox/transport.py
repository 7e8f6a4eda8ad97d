"""What a sender needs from a messenger: send one message, say how it went; and which messenger
reaches which recipient.

The outbox knows no messenger. Each surface brings its transport and the chat ids it reaches
(Telegram: `bot/notify.py`; the web chat sandbox: `web/sandbox/transport.py`), and whoever builds
a sender pairs them in `Routes`. Tests use an in-memory fake.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy.ext.asyncio import AsyncSession

    from outbox.models import OutboxMessage


class Nudge(Protocol):
    """Drain the outbox now instead of at the sender's next poll: what a handler that queued a
    row calls (the dispatcher's `outbox_nudge`, built by greenbot/delivery.py). With a session
    it fires once that session commits (the row is invisible to the sender until then)."""

    def __call__(self, session: AsyncSession | None = None) -> None: ...


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


@dataclass(frozen=True)
class Chats:
    """The chat ids one transport reaches: `start <= chat_id < stop` (None: no bound)."""

    start: int | None = None
    stop: int | None = None

    def __contains__(self, chat_id: object) -> bool:
        return (
            isinstance(chat_id, int)
            and (self.start is None or chat_id >= self.start)
            and (self.stop is None or chat_id < self.stop)
        )

    @property
    def every(self) -> bool:
        return self.start is None and self.stop is None


EVERY_CHAT = Chats()


class Routes:
    """Which transport delivers to which recipient: the first route whose chats hold the row's
    chat id. A sender takes only rows one of its routes reaches and leaves the others to whoever
    delivers them (another process, or a page that shows its chat when it is looked at).

    `Routes` is a `Transport` itself: it hands each row to its route's transport.
    """

    def __init__(self, routes: Iterable[tuple[Chats, Transport]]) -> None:
        self.routes = tuple(routes)
        if not self.routes:
            raise ValueError("a sender needs at least one route")

    @classmethod
    def to_every_chat(cls, transport: Transport) -> Routes:
        return cls([(EVERY_CHAT, transport)])

    @property
    def chats(self) -> tuple[Chats, ...]:
        return tuple(chats for chats, _ in self.routes)

    def transport_for(self, chat_id: int) -> Transport | None:
        return next((transport for chats, transport in self.routes if chat_id in chats), None)

    async def send(self, message: OutboxMessage) -> SendResult:
        transport = self.transport_for(message.chat_id)
        if transport is None:  # a sender never claims such a row; a caller handing one is wrong
            return SendResult.bad_request(f"no transport reaches chat {message.chat_id}")
        return await transport.send(message)
