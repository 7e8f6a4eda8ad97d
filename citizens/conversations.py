"""Where a citizen is in a multi-step conversation (the bot's FSM state), kept in the database
so a half-filed report survives a restart when no Redis is configured."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from ground.db import Base


class ConversationState(Base):
    __tablename__ = "conversation_states"

    # aiogram's storage key (`fsm:<bot>:<chat>:<user>:<destiny>`), one row per conversation.
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(200), default=None)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
