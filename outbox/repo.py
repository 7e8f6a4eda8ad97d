"""Queue messages and read the queue; the caller's session owns the transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from outbox.models import ABOUT_BROADCAST_KINDS, OPEN_STATUSES, OutboxMessage, OutboxStatus

# Rows per multi-VALUES insert: 13 columns × 500 stays far below SQLite's bound-parameter limit.
INSERT_CHUNK = 500


@dataclass(frozen=True)
class QueuedMessage:
    """One message for `Outbox.add_many`: the per-recipient part of a delivery list."""

    chat_id: int
    text: str
    dedupe_key: str
    not_before: datetime | None = None
    photo: str | None = None
    reply_markup: dict[str, Any] | None = None
    payload: dict[str, Any] | None = None


@dataclass(frozen=True)
class DeliveryCounts:
    """How many rows of one broadcast are in each status."""

    broadcast_id: int
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def open(self) -> int:
        return sum(self.by_status.get(status, 0) for status in OPEN_STATUSES)

    @property
    def finished(self) -> bool:
        return self.total > 0 and self.open == 0

    def __getitem__(self, status: str) -> int:
        return self.by_status.get(status, 0)


class Outbox:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _insert(self) -> Any:
        dialect = self.session.bind.dialect.name if self.session.bind else "sqlite"
        return pg_insert if dialect == "postgresql" else sqlite_insert

    async def add(
        self,
        *,
        chat_id: int,
        text: str,
        kind: str,
        dedupe_key: str,
        now: datetime,
        parse_mode: str | None = "HTML",
        photo: str | None = None,
        reply_markup: dict[str, Any] | None = None,
        broadcast_id: int | None = None,
        not_before: datetime | None = None,
        payload: dict[str, Any] | None = None,
    ) -> bool:
        """Queue one message; False when that dedupe key was queued before (nothing added).

        `payload`: the message as data, for the delivering surface to render (`text` may then
        be empty); see `OutboxMessage.payload`."""
        values = _row(
            QueuedMessage(chat_id, text, dedupe_key, not_before, photo, reply_markup, payload),
            kind=kind,
            now=now,
            parse_mode=parse_mode,
            broadcast_id=broadcast_id,
        )
        stmt = (
            self._insert()(OutboxMessage)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
        )
        result = await self.session.execute(stmt)
        return bool(result.rowcount)

    async def add_many(
        self,
        messages: Iterable[QueuedMessage],
        *,
        kind: str,
        now: datetime,
        parse_mode: str | None = "HTML",
        broadcast_id: int | None = None,
    ) -> int:
        """Queue a delivery list in chunks; returns how many were new (dedupe keys skip repeats)."""
        rows = [
            _row(m, kind=kind, now=now, parse_mode=parse_mode, broadcast_id=broadcast_id)
            for m in messages
        ]
        added = 0
        for start in range(0, len(rows), INSERT_CHUNK):
            stmt = self._insert()(OutboxMessage).values(rows[start : start + INSERT_CHUNK])
            result = await self.session.execute(
                stmt.on_conflict_do_nothing(index_elements=["dedupe_key"])
            )
            added += max(result.rowcount, 0)
        return added

    async def has(self, dedupe_key: str) -> bool:
        """Whether a message under this key was ever queued (the key is unique and indexed)."""
        found = await self.session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
        )
        return found is not None

    async def status_of(self, dedupe_key: str) -> str | None:
        """The status of the message queued under this key; None when none was."""
        return await self.session.scalar(
            select(OutboxMessage.status).where(OutboxMessage.dedupe_key == dedupe_key)
        )

    async def for_chat(self, chat_id: int) -> list[OutboxMessage]:
        rows = await self.session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == chat_id).order_by(OutboxMessage.id)
        )
        return list(rows)

    async def for_broadcast(self, broadcast_id: int) -> list[OutboxMessage]:
        """Its delivery list (not staff's progress reports about it)."""
        rows = await self.session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.broadcast_id == broadcast_id,
                OutboxMessage.kind.not_in(ABOUT_BROADCAST_KINDS),
            )
            .order_by(OutboxMessage.id)
        )
        return list(rows)

    async def counts(self, broadcast_id: int) -> DeliveryCounts:
        """Its deliveries by status (staff's progress reports about it are not deliveries)."""
        rows = await self.session.execute(
            select(OutboxMessage.status, func.count())
            .where(
                OutboxMessage.broadcast_id == broadcast_id,
                OutboxMessage.kind.not_in(ABOUT_BROADCAST_KINDS),
            )
            .group_by(OutboxMessage.status)
        )
        return DeliveryCounts(broadcast_id, dict(rows.all()))

    async def cancel_broadcast(self, broadcast_id: int) -> int:
        """Pending rows of a broadcast will not be sent; rows already in flight finish."""
        result = await self.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.broadcast_id == broadcast_id,
                OutboxMessage.status == OutboxStatus.PENDING,
            )
            .values(status=OutboxStatus.CANCELLED)
        )
        return result.rowcount

    async def requeue_uncertain(
        self, ids: Sequence[int] | None = None, *, broadcast_id: int | None = None
    ) -> int:
        """Staff chose to resend messages whose delivery is unknown (they may arrive twice)."""
        stmt = update(OutboxMessage).where(OutboxMessage.status == OutboxStatus.UNCERTAIN)
        if ids is not None:
            stmt = stmt.where(OutboxMessage.id.in_(ids))
        if broadcast_id is not None:
            stmt = stmt.where(OutboxMessage.broadcast_id == broadcast_id)
        result = await self.session.execute(
            stmt.values(status=OutboxStatus.PENDING, claim_token=None, claimed_at=None)
        )
        return result.rowcount

    async def erase_chat(self, chat_id: int) -> int:
        """Forget every message to a chat (/deleteme): texts can hold personal details."""
        result = await self.session.execute(
            delete(OutboxMessage).where(OutboxMessage.chat_id == chat_id)
        )
        return result.rowcount


def _row(
    message: QueuedMessage,
    *,
    kind: str,
    now: datetime,
    parse_mode: str | None,
    broadcast_id: int | None,
) -> dict[str, Any]:
    return {
        "chat_id": message.chat_id,
        "kind": kind,
        "dedupe_key": message.dedupe_key,
        "text": message.text,
        "parse_mode": parse_mode,
        "photo": message.photo,
        "reply_markup": message.reply_markup,
        "payload": message.payload,
        "broadcast_id": broadcast_id,
        "status": OutboxStatus.PENDING,
        "attempts": 0,
        "not_before": message.not_before or now,
        "created_at": now,
    }
