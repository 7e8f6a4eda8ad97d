"""What citizens asked, what GreenBot answered, and what they thought of it.

Uncovered questions and 👎 answers are the knowledge gaps staff read to grow the knowledge base.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    case,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from ground.db import Base
from knowledge import phrases

MAX_STORED_CHARS = 4000
MAX_REASON_CHARS = 500


class AskedQuestion(Base):
    __tablename__ = "asked_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    channel: Mapped[str] = mapped_column(String(16), default="telegram")  # telegram | web | cli
    question: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(String(300), index=True)  # groups repeats for staff
    answer: Mapped[str] = mapped_column(Text)
    covered: Mapped[bool] = mapped_column(Boolean, index=True)
    top_score: Mapped[float] = mapped_column(default=0.0)
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    # Why it was not covered (the retrieval trace is `sources`, with their scores), kept as
    # asked: "coverage" (the learned decision) or "scope:place|year|price|detail".
    reason: Mapped[str | None] = mapped_column(String(32), default=None)
    gap_id: Mapped[int | None] = mapped_column(
        ForeignKey("knowledge_gaps.id", ondelete="SET NULL"), default=None, index=True
    )


class AnswerFeedback(Base):
    __tablename__ = "answer_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("asked_questions.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    helpful: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(String(MAX_REASON_CHARS), default=None)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class Gap:
    """A question staff should look at: asked `count` times, uncovered or disliked."""

    question: str
    count: int
    uncovered: int
    disliked: int
    last_asked: datetime
    reasons: tuple[str, ...]


def normalize(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())[:300]


def not_covered_reason(answer: str) -> str:
    """Which refusal the engine gave, read from its opening words (either script)."""
    from ground.scripts import in_script

    for key, phrase in phrases.OUT_OF_SCOPE.items():
        opening = phrase.split("{")[0][:16]
        if answer.startswith(opening) or answer.startswith(in_script(opening, "hant")):
            return f"scope:{key}"
    return "coverage"


class QuestionLog:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(
        self,
        *,
        user_id: int | None,
        question: str,
        simplified: str,
        answer: str,
        covered: bool,
        sources: list[dict[str, Any]],
        now: datetime,
        channel: str = "telegram",
    ) -> AskedQuestion:
        row = AskedQuestion(
            user_id=user_id,
            channel=channel,
            question=question[:MAX_STORED_CHARS],
            normalized=normalize(simplified) or "-",
            answer=answer[:MAX_STORED_CHARS],
            covered=covered,
            top_score=float(sources[0]["score"]) if sources else 0.0,
            sources=sources,
            created_at=now,
            reason=None if covered else not_covered_reason(answer),
        )
        self.session.add(row)
        await self.session.flush()
        return row

    async def get(self, question_id: int) -> AskedQuestion | None:
        return await self.session.get(AskedQuestion, question_id)

    async def rate(
        self, *, question_id: int, user_id: int, helpful: bool, now: datetime
    ) -> AnswerFeedback | None:
        """One rating per asker and answer: pressing again changes it. None if not theirs."""
        asked = await self.get(question_id)
        if asked is None or asked.user_id != user_id:
            return None
        existing = await self.session.scalar(
            select(AnswerFeedback).where(
                AnswerFeedback.question_id == question_id, AnswerFeedback.user_id == user_id
            )
        )
        if existing is None:
            existing = AnswerFeedback(question_id=question_id, user_id=user_id, helpful=helpful)
            self.session.add(existing)
        existing.helpful = helpful
        existing.created_at = now
        await self.session.flush()
        return existing

    async def add_reason(self, *, question_id: int, user_id: int, reason: str) -> bool:
        feedback = await self.session.scalar(
            select(AnswerFeedback).where(
                AnswerFeedback.question_id == question_id, AnswerFeedback.user_id == user_id
            )
        )
        if feedback is None:
            return False
        feedback.reason = reason.strip()[:MAX_REASON_CHARS] or None
        return True

    async def gaps(self, *, limit: int = 50) -> list[Gap]:
        """Uncovered or 👎 questions, most frequent first."""
        disliked = (
            select(AnswerFeedback.question_id)
            .where(AnswerFeedback.helpful.is_(False))
            .scalar_subquery()
        )
        rows = await self.session.execute(
            select(
                AskedQuestion.normalized,
                func.min(AskedQuestion.question),
                func.count(),
                func.sum(case((AskedQuestion.covered.is_(False), 1), else_=0)),
                func.sum(case((AskedQuestion.id.in_(disliked), 1), else_=0)),
                func.max(AskedQuestion.created_at),
            )
            .where((AskedQuestion.covered.is_(False)) | AskedQuestion.id.in_(disliked))
            .group_by(AskedQuestion.normalized)
            .order_by(func.count().desc(), func.max(AskedQuestion.created_at).desc())
            .limit(limit)
        )
        gaps = []
        for normalized, question, count, uncovered, disliked_count, last in rows:
            reasons = await self.session.scalars(
                select(AnswerFeedback.reason)
                .join(AskedQuestion, AskedQuestion.id == AnswerFeedback.question_id)
                .where(
                    AskedQuestion.normalized == normalized,
                    AnswerFeedback.helpful.is_(False),
                    AnswerFeedback.reason.is_not(None),
                )
            )
            reason_list = tuple(r for r in reasons if r)
            gaps.append(
                Gap(
                    question=question,
                    count=count,
                    uncovered=int(uncovered or 0),
                    disliked=int(disliked_count or 0),
                    last_asked=last,
                    reasons=reason_list,
                )
            )
        return gaps
