"""One row per message owed to one chat."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ground.db import Base


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a sender for one request in flight, never longer
    SENT = "sent"
    FAILED = "failed"  # gave up after retries, or a permanent 400
    BLOCKED = "blocked"  # 403: the citizen blocked the bot
    CANCELLED = "cancelled"
    # Its sender died mid-request: Telegram may or may not have delivered it. Never resent on
    # its own (no duplicates); staff may requeue it (`Outbox.requeue_uncertain`).
    UNCERTAIN = "uncertain"


OPEN_STATUSES = (OutboxStatus.PENDING, OutboxStatus.SENDING)
FINAL_STATUSES = tuple(s for s in OutboxStatus if s not in OPEN_STATUSES)

# Messages to staff about a broadcast (its progress, its final summary, a test copy): they carry
# the broadcast's id but are not its deliveries, so delivery counts leave them out.
ABOUT_BROADCAST_KINDS = ("broadcast_progress", "broadcast_summary", "broadcast_test")


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "not_before"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    kind: Mapped[str] = mapped_column(String(32))  # report_status | reminder | broadcast | …
    # The same dedupe key is never queued twice: a retried job cannot double-send.
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    text: Mapped[str] = mapped_column(Text)
    # A message as data (e.g. a report's status notice: `{"notice": "report_status", "ticket": …}`),
    # rendered by the surface that delivers it, at send time, in the recipient's script then;
    # None: `text` is the message as it goes out.
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    parse_mode: Mapped[str | None] = mapped_column(String(16), default="HTML")
    photo: Mapped[str | None] = mapped_column(String(500), default=None)  # file_id or path
    reply_markup: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    broadcast_id: Mapped[int | None] = mapped_column(Integer, index=True, default=None)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # requests made (429s excluded)
    not_before: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)
    # Who holds the row while it is `sending` (one token per claim) and since when: a result is
    # recorded only under the same token, and a claim older than the sender's timeout is stale.
    claim_token: Mapped[str | None] = mapped_column(String(64), default=None)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class SenderBeat(Base):
    """A running sender's heartbeat: which claims belong to a live process.

    A claim token starts with its sender's name. After a crash the new process finds the old
    name's beat stale (or its pid gone on this host) and settles that sender's claims at once,
    instead of waiting for the claim timeout.
    """

    __tablename__ = "outbox_senders"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    beat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
