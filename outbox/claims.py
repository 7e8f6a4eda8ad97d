"""The row-level protocol between senders: claim one row, record its result, recover the dead.

Every statement is one conditional UPDATE in its own short transaction, so it behaves the same on
SQLite (one writer at a time) and PostgreSQL (row locks; SKIP LOCKED lets a second sender move
on instead of queueing behind the first).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import and_, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from outbox.models import ABOUT_BROADCAST_KINDS, OutboxMessage, OutboxStatus
from outbox.transport import EVERY_CHAT, Chats

StalePolicy = Literal["uncertain", "retry"]
ERROR_CHARS = 500


class Claims:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def candidates(
        self,
        *,
        now: datetime,
        limit: int,
        chats: Sequence[Chats] = (EVERY_CHAT,),
        chat_id: int | None = None,
    ) -> list[OutboxMessage]:
        """Due pending rows (not yet claimed) to the `chats` a sender reaches (or to one chat):
        single messages (report notices, staff's reports about a broadcast) before broadcast
        deliveries, oldest first."""
        async with self.sessions() as session:
            rows = await session.scalars(
                select(OutboxMessage)
                .where(
                    OutboxMessage.status == OutboxStatus.PENDING,
                    OutboxMessage.not_before <= now,
                    _reached(chats),
                    true() if chat_id is None else OutboxMessage.chat_id == chat_id,
                )
                .order_by(
                    and_(
                        OutboxMessage.broadcast_id.is_not(None),
                        OutboxMessage.kind.not_in(ABOUT_BROADCAST_KINDS),
                    ),
                    OutboxMessage.not_before,
                    OutboxMessage.id,
                )
                .limit(limit)
            )
            return list(rows)

    async def claim(self, row_id: int, *, token: str, now: datetime) -> int | None:
        """Take one pending row for one request; its attempt count, or None if someone else did."""
        async with self.sessions.begin() as session:
            target: Any = OutboxMessage.id == row_id
            if session.bind.dialect.name == "postgresql":
                target = OutboxMessage.id.in_(
                    select(OutboxMessage.id)
                    .where(OutboxMessage.id == row_id)
                    .with_for_update(skip_locked=True)
                )
            result = await session.execute(
                update(OutboxMessage)
                .where(target, OutboxMessage.status == OutboxStatus.PENDING)
                .values(
                    status=OutboxStatus.SENDING,
                    claim_token=token,
                    claimed_at=now,
                    attempts=OutboxMessage.attempts + 1,
                )
                .returning(OutboxMessage.attempts)
            )
            return result.scalar_one_or_none()

    async def finish(
        self, row_id: int, *, token: str, status: OutboxStatus, now: datetime, error: str | None
    ) -> bool:
        """Record a final outcome, only if the row is still ours (a late result after recovery
        still wins over `uncertain`, since it is the truth)."""
        values: dict[str, Any] = {"status": status, "last_error": _clip(error)}
        if status == OutboxStatus.SENT:
            values["sent_at"] = now
        return await self._update_own(row_id, token, values)

    async def release(
        self,
        row_id: int,
        *,
        token: str,
        not_before: datetime,
        error: str | None,
        refund_attempt: bool = False,
    ) -> bool:
        """Give a row back to the queue, due again at `not_before` (429 or 5xx)."""
        values: dict[str, Any] = {
            "status": OutboxStatus.PENDING,
            "claim_token": None,
            "claimed_at": None,
            "not_before": not_before,
            "last_error": _clip(error),
        }
        if refund_attempt:  # a 429 is Telegram's pacing, not a failed delivery
            values["attempts"] = OutboxMessage.attempts - 1
        return await self._update_own(row_id, token, values)

    async def recover_stale(
        self, *, now: datetime, timeout: timedelta, policy: StalePolicy
    ) -> list[int | None]:
        """Rows left `sending` longer than `timeout`: their sender is presumed dead. Returns the
        broadcast id (or None) of each row settled."""
        return await self._settle(
            OutboxMessage.claimed_at < now - timeout,
            policy=policy,
            why="its sender stopped answering while this request was in flight",
        )

    async def recover_from(self, senders: list[str], *, policy: StalePolicy) -> list[int | None]:
        """Rows claimed by senders known to be dead: settled now, not after the timeout."""
        if not senders:
            return []
        owned = or_(
            *(OutboxMessage.claim_token.startswith(f"{name}:", autoescape=True) for name in senders)
        )
        return await self._settle(
            owned, policy=policy, why="its sender died (crash or restart) while this was in flight"
        )

    async def _settle(self, which: Any, *, policy: StalePolicy, why: str) -> list[int | None]:
        """A dead sender's in-flight rows: uncertain (default) or back in the queue."""
        values: dict[str, Any] = {"last_error": why}
        if policy == "retry":
            values.update(status=OutboxStatus.PENDING, claim_token=None, claimed_at=None)
        else:
            values["status"] = OutboxStatus.UNCERTAIN
        async with self.sessions.begin() as session:
            result = await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.status == OutboxStatus.SENDING, which)
                .values(**values)
                .returning(OutboxMessage.broadcast_id)
            )
            return list(result.scalars())

    async def _update_own(self, row_id: int, token: str, values: dict[str, Any]) -> bool:
        async with self.sessions.begin() as session:
            result = await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == row_id,
                    OutboxMessage.claim_token == token,
                    OutboxMessage.status.in_((OutboxStatus.SENDING, OutboxStatus.UNCERTAIN)),
                )
                .values(**values)
            )
            return bool(result.rowcount)


def _reached(chats: Sequence[Chats]) -> Any:
    """The rows whose chat is in one of `chats`."""
    if not chats:
        raise ValueError("no chats to deliver to")
    if any(c.every for c in chats):
        return true()
    return or_(*(and_(*_bounds(c)) for c in chats))


def _bounds(chats: Chats) -> list[Any]:
    bounds = []
    if chats.start is not None:
        bounds.append(OutboxMessage.chat_id >= chats.start)
    if chats.stop is not None:
        bounds.append(OutboxMessage.chat_id < chats.stop)
    return bounds


def _clip(error: str | None) -> str | None:
    return error[:ERROR_CHARS] if error else None
