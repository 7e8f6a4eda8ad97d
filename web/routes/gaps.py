"""Knowledge gaps: questions GreenBot could not answer and answers citizens marked 👎, most
frequent first, with the reasons they gave, so staff know what to add to the knowledge base."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from knowledge.feedback import QuestionLog
from web.deps import SessionDep, StaffDep
from web.templating import page

router = APIRouter()


@router.get("/gaps")
async def show_gaps(
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    limit: Annotated[int, Query(ge=10, le=500)] = 100,
) -> Response:
    gaps = await QuestionLog(session).gaps(limit=limit)
    return page(request, "gaps.html", {"gaps": gaps, "limit": limit})
