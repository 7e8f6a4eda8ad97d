"""Campaign tables: subscriptions, staff-announced dates, broadcasts and the scheduler lease."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ground.db import Base


class Subscription(Base):
    """One per Telegram user; `active` False after unsubscribing or a 403 (blocked the bot)."""

    __tablename__ = "subscriptions"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    script: Mapped[str] = mapped_column(String(8), default="hans")  # hans | hant
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    topic_rows: Mapped[list[SubscriptionTopic]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def topics(self) -> frozenset[str]:
        return frozenset(row.topic for row in self.topic_rows)


class SubscriptionTopic(Base):
    """A row per (user, topic): lets the audience query stay one portable join."""

    __tablename__ = "subscription_topics"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("subscriptions.user_id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(16), primary_key=True, index=True)


class AnnouncedOccurrence(Base):
    """A yearly date staff entered at run time (全国节能宣传周 is announced 2–4 weeks ahead)."""

    __tablename__ = "announced_occurrences"
    __table_args__ = (UniqueConstraint("event_id", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(BigInteger, default=None)  # staff user id
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class BroadcastStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"  # delivery list written to the outbox; the sender is working on it
    DONE = "done"
    CANCELLED = "cancelled"


class Broadcast(Base):
    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="broadcast")  # broadcast | reminder
    text: Mapped[str] = mapped_column(Text)  # HTML, as staff wrote it (checked by the surface)
    photo: Mapped[str | None] = mapped_column(String(500), default=None)  # file_id or path
    topics: Mapped[list[str] | None] = mapped_column(JSON, default=None)  # None: all subscribers
    status: Mapped[str] = mapped_column(String(16), default=BroadcastStatus.DRAFT)
    scheduled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    created_by: Mapped[int | None] = mapped_column(BigInteger, default=None)  # None: calendar
    # The chat that follows its progress (the admin who sent it from the bot); None: only the
    # final summary, to the staff chat (calendar reminders, broadcasts from the console).
    report_chat: Mapped[int | None] = mapped_column(BigInteger, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    recipients: Mapped[int] = mapped_column(Integer, default=0)  # rows in the delivery list
    # `reminder:{event}:{date}:{kind}` for calendar reminders: one broadcast per reminder, ever.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True, default=None)


class SchedulerLease(Base):
    """Which bot instance runs the scheduler: renewed every ~30 s, free once `expires_at` passes."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
