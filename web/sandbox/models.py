"""The sandbox's tables: visitors' chats (so every instance serves the same transcript, and old
ones expire), the photos in them, and the per-address counters its limits read.

A chat belongs to the source that opened it (`source`, a hash of the address): when one source
opens too many, its own oldest chats go, never anyone else's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ground.db import Base
from reports.models import AwareDateTime


class SandboxChat(Base):
    __tablename__ = "sandbox_chats"
    __table_args__ = (Index("ix_sandbox_chats_source_updated", "source", "updated_at"),)

    visitor_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime, index=True)
    version: Mapped[int] = mapped_column(Integer, default=0)  # bumped by every saved change
    # Message ids are handed out in blocks, one per request, so two instances never give the
    # same id to two messages of one chat.
    next_message_id: Mapped[int] = mapped_column(Integer, default=1)
    reply_keyboard: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    toasts: Mapped[list[Any]] = mapped_column(JSON, default=list)  # shown once, then cleared


class SandboxMessage(Base):
    __tablename__ = "sandbox_messages"
    __table_args__ = (UniqueConstraint("visitor_id", "message_id", name="uq_sandbox_messages_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visitor_id: Mapped[int] = mapped_column(
        ForeignKey("sandbox_chats.visitor_id", ondelete="CASCADE")
    )
    message_id: Mapped[int] = mapped_column(Integer)
    sender: Mapped[str] = mapped_column(String(8))  # bot | visitor | notice
    html: Mapped[str] = mapped_column(Text)
    raw: Mapped[dict[str, Any]] = mapped_column(JSON)  # the Telegram Message
    buttons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    photo: Mapped[str | None] = mapped_column(String(64), default=None)
    lat: Mapped[float | None] = mapped_column(Float, default=None)
    lon: Mapped[float | None] = mapped_column(Float, default=None)
    edited: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class SandboxFile(Base):
    """A photo in a chat (the visitor's, stripped of its metadata, or one the bot sent)."""

    __tablename__ = "sandbox_files"

    file_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    visitor_id: Mapped[int] = mapped_column(
        ForeignKey("sandbox_chats.visitor_id", ondelete="CASCADE"), index=True
    )
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime)


class SandboxCounter(Base):
    """How many times one source did one kind of thing in one fixed window."""

    __tablename__ = "sandbox_counters"

    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # epoch seconds
    count: Mapped[int] = mapped_column(Integer, default=0)
