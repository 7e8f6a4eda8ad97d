"""Curated answers as a use case: staff write and edit drafts, an admin approves (never their
own), anyone with the role retires. Every change is kept in `curated_answer_edits`, and every
change to what is live bumps `curated_version`, which each engine polls (knowledge/curated/live.py).

Roles are checked by the surfaces; this service enforces the four-eyes rule by staff id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from knowledge.curated.errors import (
    AnswerNotFound,
    InvalidAnswer,
    InvalidTransition,
    SelfApproval,
)
from knowledge.curated.models import (
    AnswerStatus,
    CuratedAnswer,
    CuratedAnswerEdit,
    CuratedVersion,
    SourceKind,
)

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from outbox import Outbox

MAX_TEXT = 2000
MAX_QUESTIONS = 20


@dataclass(frozen=True)
class Draft:
    """What staff type: the answer, its source, and the questions it answers."""

    text: str
    questions: tuple[str, ...]
    source_kind: str
    source_title: str
    issuer: str | None = None
    issued_on: date | None = None

    def checked(self) -> Draft:
        text = self.text.strip()
        questions = tuple(dict.fromkeys(q.strip() for q in self.questions if q.strip()))
        if not text or len(text) > MAX_TEXT:
            raise InvalidAnswer("the answer text is empty or too long")
        if not questions or len(questions) > MAX_QUESTIONS:
            raise InvalidAnswer("an answer needs 1 to 20 questions")
        if self.source_kind not in set(SourceKind):
            raise InvalidAnswer(f"unknown source kind {self.source_kind!r}")
        if not self.source_title.strip():
            raise InvalidAnswer("the source is not named")
        if self.source_kind == SourceKind.DOCUMENT and (
            not (self.issuer or "").strip() or self.issued_on is None
        ):
            raise InvalidAnswer("an official document needs its issuer and date")
        return Draft(
            text=text,
            questions=questions,
            source_kind=self.source_kind,
            source_title=self.source_title.strip(),
            issuer=(self.issuer or "").strip() or None,
            issued_on=self.issued_on,
        )


def snapshot(answer: CuratedAnswer) -> dict[str, Any]:
    return {
        "text": answer.text,
        "questions": list(answer.questions),
        "source_kind": answer.source_kind,
        "source_title": answer.source_title,
        "issuer": answer.issuer,
        "issued_on": answer.issued_on.isoformat() if answer.issued_on else None,
        "status": answer.status,
    }


class CuratedAnswers:
    def __init__(self, session: AsyncSession, outbox: Outbox | None = None) -> None:
        """`outbox`: where approval tells the gap's askers (none: nobody is told)."""
        self.session = session
        self.outbox = outbox

    async def get(self, answer_id: int) -> CuratedAnswer:
        answer = await self.session.get(CuratedAnswer, answer_id)
        if answer is None:
            raise AnswerNotFound(answer_id)
        return answer

    async def list(self, *, status: str | None = None) -> list[CuratedAnswer]:
        query = select(CuratedAnswer).order_by(CuratedAnswer.updated_at.desc())
        if status:
            query = query.where(CuratedAnswer.status == status)
        return list((await self.session.scalars(query)).all())

    async def history(self, answer_id: int) -> list[CuratedAnswerEdit]:
        rows = await self.session.scalars(
            select(CuratedAnswerEdit)
            .where(CuratedAnswerEdit.answer_id == answer_id)
            .order_by(CuratedAnswerEdit.id)
        )
        return list(rows.all())

    async def create(
        self, draft: Draft, *, by: int | None, now: datetime, gap_id: int | None = None
    ) -> CuratedAnswer:
        draft = draft.checked()
        answer = CuratedAnswer(
            text=draft.text,
            questions=list(draft.questions),
            source_kind=draft.source_kind,
            source_title=draft.source_title,
            issuer=draft.issuer,
            issued_on=draft.issued_on,
            status=AnswerStatus.DRAFT,
            gap_id=gap_id,
            author_id=by,
            created_at=now,
            updated_at=now,
        )
        self.session.add(answer)
        await self.session.flush()
        await self._keep(answer, "created", by, now)
        return answer

    async def edit(self, answer_id: int, draft: Draft, *, by: int | None, now: datetime) -> None:
        """An edit is a new draft by its editor: a live answer goes back for approval (and off
        the air meanwhile), so no text reaches citizens without a second pair of eyes."""
        answer = await self.get(answer_id)
        if answer.status == AnswerStatus.RETIRED:
            raise InvalidTransition("a retired answer is not edited")
        draft = draft.checked()
        was_live = answer.status == AnswerStatus.APPROVED
        answer.text, answer.questions = draft.text, list(draft.questions)
        answer.source_kind, answer.source_title = draft.source_kind, draft.source_title
        answer.issuer, answer.issued_on = draft.issuer, draft.issued_on
        answer.status, answer.author_id, answer.approver_id = AnswerStatus.DRAFT, by, None
        answer.updated_at = now
        await self._keep(answer, "edited", by, now)
        if was_live:
            await self.bump()

    async def approve(self, answer_id: int, *, by: int | None, now: datetime) -> CuratedAnswer:
        answer = await self.get(answer_id)
        if answer.status != AnswerStatus.DRAFT:
            raise InvalidTransition(f"only a draft is approved, not {answer.status}")
        if answer.author_id == by:
            raise SelfApproval(answer_id)
        answer.status, answer.approver_id = AnswerStatus.APPROVED, by
        answer.approved_at = answer.updated_at = now
        await self._keep(answer, "approved", by, now)
        await self.bump()
        if answer.gap_id is not None:
            from knowledge.curated.gaps import GapBook
            from knowledge.curated.models import GapStatus
            from knowledge.curated.notices import tell_askers

            await GapBook(self.session).mark(answer.gap_id, GapStatus.ANSWERED, by=by, now=now)
            if self.outbox is not None:
                await tell_askers(self.session, self.outbox, answer, now=now)
        return answer

    async def retire(self, answer_id: int, *, by: int | None, now: datetime) -> None:
        answer = await self.get(answer_id)
        if answer.status == AnswerStatus.RETIRED:
            return
        was_live = answer.status == AnswerStatus.APPROVED
        answer.status, answer.updated_at = AnswerStatus.RETIRED, now
        await self._keep(answer, "retired", by, now)
        if was_live:
            await self.bump()

    async def bump(self) -> int:
        """Tell every engine the live set changed (one row, incremented in the transaction)."""
        done = await self.session.execute(
            update(CuratedVersion)
            .where(CuratedVersion.id == 1)
            .values(version=CuratedVersion.version + 1)
        )
        if not done.rowcount:  # type: ignore[attr-defined]
            self.session.add(CuratedVersion(id=1, version=1))
        await self.session.flush()
        return int(await self.session.scalar(select(CuratedVersion.version)) or 0)

    async def _keep(
        self, answer: CuratedAnswer, action: str, by: int | None, now: datetime
    ) -> None:
        self.session.add(
            CuratedAnswerEdit(
                answer_id=answer.id, action=action, staff_id=by, snapshot=snapshot(answer), at=now
            )
        )
        await self.session.flush()
