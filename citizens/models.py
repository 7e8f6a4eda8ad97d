"""A citizen known to the bot; identity stays here, other domains keep only the user id."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from ground.db import Base


class Citizen(Base):
    __tablename__ = "citizens"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # Telegram user id
    chat_id: Mapped[int] = mapped_column(BigInteger)
    script: Mapped[str] = mapped_column(String(8), default="hans")  # hans | hant
    script_chosen: Mapped[bool] = mapped_column(Boolean, default=False)  # set by /lang
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # False after a 403 (blocked the bot); True again when they next write.
    reachable: Mapped[bool] = mapped_column(Boolean, default=True)
