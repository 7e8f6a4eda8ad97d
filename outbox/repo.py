"""Queue messages and read the queue; the caller's session owns the transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from outbox.models import OutboxMessage, OutboxStatus


class Outbox:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

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
    ) -> bool:
        """Queue one message; False when that dedupe key was queued before (nothing added)."""
        values = {
            "chat_id": chat_id,
            "kind": kind,
            "dedupe_key": dedupe_key,
            "text": text,
            "parse_mode": parse_mode,
            "photo": photo,
            "reply_markup": reply_markup,
            "broadcast_id": broadcast_id,
            "status": OutboxStatus.PENDING,
            "attempts": 0,
            "not_before": not_before or now,
            "created_at": now,
        }
        dialect = self.session.bind.dialect.name if self.session.bind else "sqlite"
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        stmt = insert(OutboxMessage).values(**values).on_conflict_do_nothing(
            index_elements=["dedupe_key"]
        )
        result = await self.session.execute(stmt)
        return bool(result.rowcount)

    async def for_chat(self, chat_id: int) -> list[OutboxMessage]:
        rows = await self.session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == chat_id).order_by(OutboxMessage.id)
        )
        return list(rows)
