"""Knowledge gaps as work items: each uncovered or 👎 question joins a group of similar ones
(same normalized wording, else an open gap whose first question is near by embedding), so staff
see one item per need, counted, with first and last asked, the retrieval trace, a status and
who handled it.

Grouping runs when staff look (the console has the embedder; the bot's ask path stays as fast
as before): `GapBook.sync` files whatever was asked since.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import func, or_, select

from knowledge.curated.errors import GapNotFound
from knowledge.curated.models import GapStatus, KnowledgeGap
from knowledge.feedback import AnswerFeedback, AskedQuestion

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

GROUP_COSINE = 0.955  # the same need in other words (e5-small; see knowledge/curated/live.py)
CURATED_CHANNEL = "curated"  # an approved answer sent to an asker: not a new question

Embed = Callable[[str], np.ndarray]

REASONS = {
    "coverage": "覆盖判断：最接近的内容分数不够，判断为知识库未涵盖",
    "scope:place": "范围检查：问到知识库没有的地点",
    "scope:year": "范围检查：问到方案时期以外的年份",
    "scope:price": "范围检查：问到价格或收费",
    "scope:detail": "范围检查：问到人名、地址等具体信息",
    "disliked": "有回答，但市民点了 👎",
}


@dataclass(frozen=True)
class GapSummary:
    gap: KnowledgeGap
    count: int
    uncovered: int
    disliked: int
    askers: int
    first_asked: datetime
    last_asked: datetime


@dataclass
class GapDetail:
    gap: KnowledgeGap
    questions: list[AskedQuestion]
    feedback: dict[int, AnswerFeedback] = field(default_factory=dict)  # by question id


def disliked_ids():  # type: ignore[no-untyped-def]
    return select(AnswerFeedback.question_id).where(AnswerFeedback.helpful.is_(False))


def reason_text(question: AskedQuestion, disliked: bool) -> str:
    if question.covered:
        return REASONS["disliked"] if disliked else ""
    return REASONS.get(question.reason or "coverage", REASONS["coverage"])


class GapBook:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def sync(self, *, embed: Embed | None, now: datetime) -> int:
        """File every ungrouped uncovered or 👎 question into a gap; how many were filed."""
        pending = list(
            (
                await self.session.scalars(
                    select(AskedQuestion)
                    .where(
                        AskedQuestion.gap_id.is_(None),
                        AskedQuestion.channel != CURATED_CHANNEL,
                        or_(
                            AskedQuestion.covered.is_(False),
                            AskedQuestion.id.in_(disliked_ids()),
                        ),
                    )
                    .order_by(AskedQuestion.id)
                )
            ).all()
        )
        if not pending:
            return 0
        open_gaps = list(
            (
                await self.session.scalars(
                    select(KnowledgeGap).where(KnowledgeGap.status == GapStatus.OPEN)
                )
            ).all()
        )
        for asked in pending:
            gap = self._same_need(asked, open_gaps, embed)
            if gap is None:
                gap = KnowledgeGap(
                    title=asked.question[:500],
                    normalized=asked.normalized,
                    vector=_vector(asked.question, embed),
                    status=GapStatus.OPEN,
                    created_at=now,
                )
                self.session.add(gap)
                await self.session.flush()
                open_gaps.append(gap)
            asked.gap_id = gap.id
        await self.session.flush()
        return len(pending)

    def _same_need(
        self, asked: AskedQuestion, gaps: list[KnowledgeGap], embed: Embed | None
    ) -> KnowledgeGap | None:
        for gap in gaps:
            if gap.normalized == asked.normalized:
                return gap
        if embed is None:
            return None
        vector = embed(asked.question)
        best, best_score = None, GROUP_COSINE
        for gap in gaps:
            if gap.vector is None:
                gap.vector = _vector(gap.title, embed)
            score = float(np.asarray(gap.vector, dtype=np.float32) @ vector)
            if score >= best_score:
                best, best_score = gap, score
        return best

    async def summaries(
        self, *, status: str | None = GapStatus.OPEN, limit: int = 200
    ) -> list[GapSummary]:
        """Gaps with their counts, most asked first."""
        disliked = disliked_ids()
        query = (
            select(
                KnowledgeGap,
                func.count(AskedQuestion.id),
                func.sum(_flag(AskedQuestion.covered.is_(False))),
                func.sum(_flag(AskedQuestion.id.in_(disliked))),
                func.count(func.distinct(AskedQuestion.user_id)),
                func.min(AskedQuestion.created_at),
                func.max(AskedQuestion.created_at),
            )
            .join(AskedQuestion, AskedQuestion.gap_id == KnowledgeGap.id)
            .group_by(KnowledgeGap.id)
            .order_by(
                func.count(AskedQuestion.id).desc(), func.max(AskedQuestion.created_at).desc()
            )
            .limit(limit)
        )
        if status:
            query = query.where(KnowledgeGap.status == status)
        rows = await self.session.execute(query)
        return [
            GapSummary(gap, count, int(unc or 0), int(dis or 0), askers, first, last)
            for gap, count, unc, dis, askers, first, last in rows
        ]

    async def get(self, gap_id: int) -> KnowledgeGap:
        gap = await self.session.get(KnowledgeGap, gap_id)
        if gap is None:
            raise GapNotFound(gap_id)
        return gap

    async def detail(self, gap_id: int) -> GapDetail:
        gap = await self.get(gap_id)
        questions = list(
            (
                await self.session.scalars(
                    select(AskedQuestion)
                    .where(AskedQuestion.gap_id == gap_id)
                    .order_by(AskedQuestion.created_at.desc())
                )
            ).all()
        )
        feedback = await self.session.scalars(
            select(AnswerFeedback).where(AnswerFeedback.question_id.in_([q.id for q in questions]))
        )
        return GapDetail(gap, questions, {f.question_id: f for f in feedback})

    async def mark(
        self,
        gap_id: int,
        status: GapStatus,
        *,
        by: int | None,
        now: datetime,
        note: str | None = None,
    ) -> KnowledgeGap:
        gap = await self.get(gap_id)
        gap.status, gap.handled_by, gap.handled_at = status, by, now
        if note is not None:
            gap.note = note.strip()[:500] or None
        await self.session.flush()
        return gap

    async def attach(self, question_id: int, gap_id: int) -> None:
        """Staff put a question (a 👎 seen in the feedback list) into a gap by hand."""
        await self.get(gap_id)
        asked = await self.session.get(AskedQuestion, question_id)
        if asked is not None:
            asked.gap_id = gap_id
            await self.session.flush()

    async def disliked(self, *, limit: int = 100) -> list[tuple[AskedQuestion, AnswerFeedback]]:
        """The latest 👎, each with the exact answer and the sources it rested on."""
        rows = await self.session.execute(
            select(AskedQuestion, AnswerFeedback)
            .join(AnswerFeedback, AnswerFeedback.question_id == AskedQuestion.id)
            .where(AnswerFeedback.helpful.is_(False))
            .order_by(AnswerFeedback.created_at.desc())
            .limit(limit)
        )
        return [(asked, feedback) for asked, feedback in rows]


def _flag(condition):  # type: ignore[no-untyped-def]
    from sqlalchemy import case

    return case((condition, 1), else_=0)


def _vector(text: str, embed: Embed | None) -> list[float] | None:
    return [round(float(x), 6) for x in embed(text)] if embed is not None else None


__all__ = ["GROUP_COSINE", "GapBook", "GapDetail", "GapSummary", "reason_text"]
