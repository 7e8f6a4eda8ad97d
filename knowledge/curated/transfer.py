"""Curated answers as YAML, so a city can move them between deployments and review them in
git. Import adds each answer as a draft for the receiving city's own approval (four eyes hold
there too); an answer already present with the same text is skipped."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import yaml
from sqlalchemy import select

from knowledge.curated.models import CuratedAnswer
from knowledge.curated.service import CuratedAnswers, Draft

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


def dump(answers: Sequence[CuratedAnswer]) -> str:
    rows = [
        {
            "text": a.text,
            "questions": list(a.questions),
            "source": {
                "kind": a.source_kind,
                "title": a.source_title,
                **({"issuer": a.issuer} if a.issuer else {}),
                **({"date": a.issued_on.isoformat()} if a.issued_on else {}),
            },
            "status": a.status,
            **({"approved_at": a.approved_at.isoformat()} if a.approved_at else {}),
        }
        for a in answers
    ]
    return yaml.safe_dump({"curated_answers": rows}, allow_unicode=True, sort_keys=False)


def drafts(text: str) -> list[Draft]:
    """The answers of a YAML file, checked (InvalidAnswer names the first bad one)."""
    loaded: Any = yaml.safe_load(text) or {}
    found = []
    for row in loaded.get("curated_answers") or []:
        source = row.get("source") or {}
        issued = source.get("date")
        if isinstance(issued, str):
            issued = date.fromisoformat(issued)
        elif isinstance(issued, datetime):
            issued = issued.date()
        found.append(
            Draft(
                text=str(row.get("text") or ""),
                questions=tuple(str(q) for q in row.get("questions") or ()),
                source_kind=str(source.get("kind") or ""),
                source_title=str(source.get("title") or ""),
                issuer=source.get("issuer"),
                issued_on=issued,
            ).checked()
        )
    return found


async def load(session: AsyncSession, text: str, *, by: int | None, now: datetime) -> int:
    """Add the file's answers as drafts; how many were new."""
    present = set((await session.scalars(select(CuratedAnswer.text))).all())
    answers = CuratedAnswers(session)
    added = 0
    for draft in drafts(text):
        if draft.text in present:
            continue
        await answers.create(draft, by=by, now=now)
        present.add(draft.text)
        added += 1
    return added
