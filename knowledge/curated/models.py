"""Tables of curated answers (staff-written, admin-approved), their history, the version every
engine polls, and knowledge gaps as work items."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ground.db import Base


class AnswerStatus(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"  # live: every engine answers from it
    RETIRED = "retired"


class SourceKind(StrEnum):
    PLAN = "plan"  # a section of 《方案》
    GUIDE = "guide"  # one of the green-life guides
    DOCUMENT = "document"  # an official document, named with its issuer and date


class GapStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    WONT_ANSWER = "wont_answer"


class CuratedAnswer(Base):
    __tablename__ = "curated_answers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)  # Simplified Chinese, shown as written
    questions: Mapped[list[str]] = mapped_column(JSON, default=list)  # what it answers
    source_kind: Mapped[str] = mapped_column(String(16))
    source_title: Mapped[str] = mapped_column(String(300))  # section id, guide or document
    issuer: Mapped[str | None] = mapped_column(String(200), default=None)
    issued_on: Mapped[date | None] = mapped_column(Date, default=None)
    status: Mapped[str] = mapped_column(String(16), default=AnswerStatus.DRAFT, index=True)
    gap_id: Mapped[int | None] = mapped_column(
        ForeignKey("knowledge_gaps.id", ondelete="SET NULL"), default=None, index=True
    )
    author_id: Mapped[int | None] = mapped_column(Integer, default=None)  # staff_accounts.id
    approver_id: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)


class CuratedAnswerEdit(Base):
    """Every change to a curated answer, with the whole answer as it stood after it."""

    __tablename__ = "curated_answer_edits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answer_id: Mapped[int] = mapped_column(
        ForeignKey("curated_answers.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(16))  # created | edited | approved | retired
    staff_id: Mapped[int | None] = mapped_column(Integer, default=None)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CuratedVersion(Base):
    """One row: bumped whenever the set of live answers changes, so each engine can tell with
    one cheap read whether to re-embed them."""

    __tablename__ = "curated_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class KnowledgeGap(Base):
    """Similar unanswered or 👎 questions, grouped; asked_questions.gap_id points here."""

    __tablename__ = "knowledge_gaps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(Text)  # the first question asked, as asked
    normalized: Mapped[str] = mapped_column(String(300), index=True)
    vector: Mapped[list[float] | None] = mapped_column(JSON, default=None)  # of the title
    status: Mapped[str] = mapped_column(String(16), default=GapStatus.OPEN, index=True)
    handled_by: Mapped[int | None] = mapped_column(Integer, default=None)  # staff_accounts.id
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)
    note: Mapped[str | None] = mapped_column(String(500), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
