"""A small JSON API for the city's systems: list gaps, create a curated answer, approve one.
Behind a key from `GREENBOT_KNOWLEDGE_API_KEYS` in the `X-Api-Key` header, or an admin's console
session (with the page's CSRF token in the header for a POST). An answer created with a key has
no author account, so another key cannot approve it: four eyes means a person approves."""

from __future__ import annotations

import hmac
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import JSONResponse

from knowledge.curated import CuratedAnswers, CurationError, Draft, GapBook, SelfApproval
from outbox import Outbox
from staff import Role
from web.deps import ConsoleDep, LoginDep, SessionDep, check_csrf
from web.routes.curation import embedder

router = APIRouter(prefix="/api/knowledge")
API_KEY_HEADER = "X-Api-Key"


async def api_caller(request: Request, console: ConsoleDep, login: LoginDep) -> int | None:
    """The staff id acting (None for a key), or 401/403."""
    key = request.headers.get(API_KEY_HEADER)
    if key is not None:
        if any(hmac.compare_digest(key, k) for k in console.settings.knowledge_api_keys):
            return None
        raise HTTPException(401, "密钥无效。")
    if login is None:
        raise HTTPException(401, "需要密钥或管理员登录。")
    if not login.account.role_enum.allows(Role.ADMIN):
        raise HTTPException(403, "需要管理员权限。")
    await check_csrf(request, console, login)
    return login.account.id


CallerDep = Annotated[int | None, Depends(api_caller)]


class SourceIn(BaseModel):
    kind: str
    title: str
    issuer: str | None = None
    issued_on: date | None = Field(default=None, alias="date")


class AnswerIn(BaseModel):
    text: str = Field(max_length=2000)
    questions: list[str] = Field(max_length=20)
    source: SourceIn
    gap_id: int | None = None


@router.get("/gaps")
async def list_gaps(
    request: Request,
    session: SessionDep,
    console: ConsoleDep,
    caller: CallerDep,
    status: Annotated[str, Query(pattern="^(open|answered|wont_answer)$")] = "open",
) -> list[dict[str, Any]]:
    book = GapBook(session)
    await book.sync(embed=embedder(request), now=console.clock.now())
    return [
        {
            "id": s.gap.id,
            "question": s.gap.title,
            "status": s.gap.status,
            "asked": s.count,
            "askers": s.askers,
            "uncovered": s.uncovered,
            "disliked": s.disliked,
            "first_asked": s.first_asked.isoformat(),
            "last_asked": s.last_asked.isoformat(),
        }
        for s in await book.summaries(status=status)
    ]


@router.post("/answers", status_code=201)
async def create_answer(
    body: AnswerIn, session: SessionDep, console: ConsoleDep, caller: CallerDep
) -> dict[str, Any]:
    draft = Draft(
        text=body.text,
        questions=tuple(body.questions),
        source_kind=body.source.kind,
        source_title=body.source.title,
        issuer=body.source.issuer,
        issued_on=body.source.issued_on,
    )
    try:
        if body.gap_id is not None:
            await GapBook(session).get(body.gap_id)
        answer = await CuratedAnswers(session).create(
            draft, by=caller, now=console.clock.now(), gap_id=body.gap_id
        )
    except CurationError as error:
        raise HTTPException(422, f"解答无效：{type(error).__name__}") from error
    return {"id": answer.id, "status": answer.status}


@router.post("/answers/{answer_id}/approve")
async def approve_answer(
    answer_id: int, session: SessionDep, console: ConsoleDep, caller: CallerDep
) -> JSONResponse:
    try:
        answer = await CuratedAnswers(session, Outbox(session)).approve(
            answer_id, by=caller, now=console.clock.now()
        )
    except SelfApproval as error:
        raise HTTPException(409, "撰写者不能自己审核。") from error
    except CurationError as error:
        raise HTTPException(409, f"不能审核：{type(error).__name__}") from error
    return JSONResponse({"id": answer.id, "status": answer.status})
