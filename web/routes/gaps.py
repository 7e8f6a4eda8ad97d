"""Knowledge gaps as work items: unanswered and 👎 questions grouped by need, most asked first;
a group's questions with what retrieval found and why it was judged not covered; from there
staff write an answer or mark it won't-answer. Also every 👎 beside the exact answer it rated."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import RedirectResponse, Response

from knowledge.curated import GapBook, GapStatus, reason_text
from web.auth import flash
from web.deps import ConsoleDep, SessionDep, StaffDep
from web.routes.curation import GAP_STATUS, as_page_errors, embedder
from web.templating import page

router = APIRouter()


async def synced(request: Request, session: SessionDep, console: ConsoleDep) -> GapBook:
    """The gap book with every question asked since filed into its group."""
    book = GapBook(session)
    await book.sync(embed=embedder(request), now=console.clock.now())
    return book


@router.get("/gaps")
async def show_gaps(
    request: Request,
    session: SessionDep,
    console: ConsoleDep,
    staff: StaffDep,
    status: Annotated[str, Query(pattern="^(open|answered|wont_answer)$")] = "open",
) -> Response:
    book = await synced(request, session, console)
    summaries = await book.summaries(status=status)
    return page(
        request,
        "gaps.html",
        {"summaries": summaries, "status": status, "statuses": GAP_STATUS},
    )


@router.get("/gaps/feedback")
async def show_feedback(request: Request, session: SessionDep, staff: StaffDep) -> Response:
    """Each 👎 with the exact answer and sources it was given, and where it is filed."""
    disliked = await GapBook(session).disliked()
    return page(request, "gaps_feedback.html", {"disliked": disliked})


@router.post("/gaps/feedback/{question_id}/attach")
async def attach_feedback(
    request: Request,
    question_id: int,
    session: SessionDep,
    staff: StaffDep,
    gap_id: Annotated[int, Form()],
) -> Response:
    with as_page_errors():
        await GapBook(session).attach(question_id, gap_id)
    flash(request, f"已把这条反馈归入缺口 #{gap_id}。")
    return RedirectResponse("/gaps/feedback", status_code=303)


@router.get("/gaps/{gap_id}")
async def show_gap(
    request: Request, gap_id: int, session: SessionDep, console: ConsoleDep, staff: StaffDep
) -> Response:
    book = await synced(request, session, console)
    with as_page_errors():
        detail = await book.detail(gap_id)
    rows = [
        {
            "asked": asked,
            "feedback": detail.feedback.get(asked.id),
            "why": reason_text(
                asked,
                bool(detail.feedback.get(asked.id) and not detail.feedback[asked.id].helpful),
            ),
        }
        for asked in detail.questions
    ]
    wordings = list(dict.fromkeys(asked.question.strip() for asked in detail.questions))[:10]
    return page(
        request,
        "gap.html",
        {"gap": detail.gap, "rows": rows, "wordings": wordings, "statuses": GAP_STATUS},
    )


@router.post("/gaps/{gap_id}/status")
async def change_gap_status(
    request: Request,
    gap_id: int,
    session: SessionDep,
    console: ConsoleDep,
    staff: StaffDep,
    status: Annotated[str, Form(pattern="^(open|wont_answer)$")],
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    with as_page_errors():
        await GapBook(session).mark(
            gap_id, GapStatus(status), by=staff.id, now=console.clock.now(), note=note
        )
    flash(request, "已标记为不予解答。" if status == "wont_answer" else "已重新打开。")
    return RedirectResponse(f"/gaps/{gap_id}", status_code=303)
