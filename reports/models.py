"""The reports tables: Report, its evidence (photos, voice notes, videos), its audit events, its
followers, the reporter's answer to "was it fixed?", staff's response templates, citizens' area
alerts, the ticket counter."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from ground.clock import SHANGHAI
from ground.db import Base


class AwareDateTime(TypeDecorator[datetime]):
    """Stored as UTC, read back aware in Asia/Shanghai, on SQLite (naive text) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to an AwareDateTime column")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(SHANGHAI)


class Report(Base):
    __tablename__ = "reports"
    __table_args__ = (
        Index("ix_reports_status_created", "status", "created_at"),
        Index("ix_reports_category_created", "category", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket: Mapped[str] = mapped_column(String(20), unique=True)  # TR-2611-0042
    category: Mapped[str] = mapped_column(String(16))  # Category code
    description: Mapped[str] = mapped_column(Text)
    district: Mapped[str] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(500), default=None)
    lat: Mapped[float | None] = mapped_column(Float, default=None)
    lon: Mapped[float | None] = mapped_column(Float, default=None)
    # When the reporter agreed, in its own step, to share the precise location: sensitive
    # personal information (PIPL Art. 28) needs its own consent (Art. 29). The bot stores no
    # coordinates without it; None when there are none, or they came from a city system.
    location_consent_at: Mapped[datetime | None] = mapped_column(AwareDateTime, default=None)
    # Identity and contact: hidden from staff when anonymous, NULL after erase_reporter.
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    reporter_user_id: Mapped[int | None] = mapped_column(BigInteger, index=True, default=None)
    reporter_chat_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    reporter_script: Mapped[str] = mapped_column(String(8), default="hans")  # hans | hant
    phone: Mapped[str | None] = mapped_column(String(32), default=None)
    erased_at: Mapped[datetime | None] = mapped_column(AwareDateTime, default=None)
    # Filed by a web-sandbox visitor (reports/privacy.py): kept out of the queue, exports,
    # counts and Open311 unless staff ask. Kept apart from the ids, which /deleteme erases.
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Publication (Open311 without a key): only a text staff wrote, never the reporter's own.
    public_description: Mapped[str | None] = mapped_column(Text, default=None)
    published_at: Mapped[datetime | None] = mapped_column(AwareDateTime, default=None)
    # Handling
    status: Mapped[str] = mapped_column(String(16))
    status_note: Mapped[str | None] = mapped_column(Text, default=None)  # the latest event's note
    department: Mapped[str] = mapped_column(String(64))
    duplicate_of: Mapped[str | None] = mapped_column(String(20), default=None)  # a ticket
    # Time: deadlines fixed at submission (12369: respond within 15 days, close within 60).
    created_at: Mapped[datetime] = mapped_column(AwareDateTime)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime)
    respond_by: Mapped[datetime] = mapped_column(AwareDateTime)
    close_by: Mapped[datetime] = mapped_column(AwareDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(AwareDateTime, default=None)
    closed_at: Mapped[datetime | None] = mapped_column(AwareDateTime, default=None)

    photos: Mapped[list[ReportPhoto]] = relationship(
        back_populates="report",
        lazy="selectin",
        order_by="ReportPhoto.position",
        cascade="all, delete-orphan",
    )


class ReportPhoto(Base):
    """One piece of evidence in the media store: a photo (the default), a voice note or a short
    video. Filed with the report (`event_id` None) or added later by the reporter, with a note
    or a "not fixed" answer (`event_id`: that audit row)."""

    __tablename__ = "report_photos"
    __table_args__ = (UniqueConstraint("report_id", "sha256", name="uq_report_photos_content"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(80))  # file name inside the media store
    size: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8), default="photo", server_default="photo")
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("report_events.id", ondelete="SET NULL"), default=None
    )

    report: Mapped[Report] = relationship(back_populates="photos")


class ReportEvent(Base):
    """The audit trail: one row per status change (and one for the submission), and one per
    publication or withdrawal (`action`; the status stays, from_status == to_status)."""

    __tablename__ = "report_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(AwareDateTime)
    from_status: Mapped[str | None] = mapped_column(String(16), default=None)  # None: submission
    to_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text)
    staff_id: Mapped[int | None] = mapped_column(BigInteger, default=None)  # None: the reporter
    staff_name: Mapped[str | None] = mapped_column(String(100), default=None)
    department: Mapped[str | None] = mapped_column(String(64), default=None)
    duplicate_of: Mapped[str | None] = mapped_column(String(20), default=None)
    action: Mapped[str] = mapped_column(String(16), default="status", server_default="status")


class ReportFollower(Base):
    """A citizen who chose to follow an existing report instead of filing a duplicate."""

    __tablename__ = "report_followers"
    __table_args__ = (UniqueConstraint("report_id", "user_id", name="uq_report_followers_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    script: Mapped[str] = mapped_column(String(8), default="hans")
    created_at: Mapped[datetime] = mapped_column(AwareDateTime)


class ReportFeedback(Base):
    """The reporter's answer to "was it fixed?" after a resolution: counted per department (the
    one that resolved it) as satisfaction; "not fixed" reopens the report (`event_id`: the
    reopening's audit row, which carries the citizen's note and evidence)."""

    __tablename__ = "report_feedback"
    __table_args__ = (
        UniqueConstraint("report_id", "resolved_event_id", name="uq_report_feedback_answer"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    resolved_event_id: Mapped[int] = mapped_column(Integer)  # the resolution answered
    department: Mapped[str] = mapped_column(String(64), index=True)
    fixed: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    event_id: Mapped[int | None] = mapped_column(Integer, default=None)
    at: Mapped[datetime] = mapped_column(AwareDateTime)


class ResponseTemplate(Base):
    """A reply staff reuse when they move a report: for a status (and a category, or any when
    None), with placeholders filled at use (`reports/replies.py`)."""

    __tablename__ = "response_templates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(16), index=True)
    category: Mapped[str | None] = mapped_column(String(16), default=None)
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime)
    updated_by: Mapped[str | None] = mapped_column(String(100), default=None)


class AreaSubscription(Base):
    """A citizen who asked for a daily digest of new and resolved reports in a district."""

    __tablename__ = "area_subscriptions"
    __table_args__ = (UniqueConstraint("user_id", "district", name="uq_area_subscriptions_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    district: Mapped[str] = mapped_column(String(32), index=True)
    script: Mapped[str] = mapped_column(String(8), default="hans")
    created_at: Mapped[datetime] = mapped_column(AwareDateTime)
    last_digest_at: Mapped[datetime | None] = mapped_column(AwareDateTime, default=None)


class TicketCounter(Base):
    """The last sequence number handed out per month (`2611`), bumped inside the insert's
    transaction so concurrent submissions serialise on this row."""

    __tablename__ = "report_ticket_counters"

    month: Mapped[str] = mapped_column(String(4), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)
