"""Curated answers in the console: the list, writing one (from a gap or from scratch), its page
with history, edit, approve (admins, never their own) and retire; and hit testing: what GreenBot
would answer to a question, with the retrieval trace, drafts shown as "would answer if approved"."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from knowledge.curated import AnswerStatus, CuratedAnswers, GapBook
from knowledge.curated.live import CuratedSet, LiveAnswer
from outbox import Outbox
from web.auth import flash
from web.deps import AdminDep, ConsoleDep, SessionDep, StaffDep
from web.routes.curation import (
    ANSWER_STATUS,
    SOURCE_KIND,
    as_page_errors,
    draft_from_form,
    engine_of,
    in_thread,
)
from web.templating import page

router = APIRouter()


def _context(**values: Any) -> dict[str, Any]:
    return {"statuses": ANSWER_STATUS, "kinds": SOURCE_KIND, **values}


@router.get("/answers")
async def list_answers(
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    status: Annotated[str, Query(pattern="^(draft|approved|retired)$")] = "draft",
) -> Response:
    answers = await CuratedAnswers(session).list(status=status)
    return page(request, "answers/list.html", _context(answers=answers, status=status))


@router.get("/answers/new")
async def new_answer(
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    gap: Annotated[int | None, Query()] = None,
) -> Response:
    questions: list[str] = []
    if gap is not None:
        with as_page_errors():
            detail = await GapBook(session).detail(gap)
        questions = list(dict.fromkeys(q.question.strip() for q in detail.questions))[:10]
    return page(
        request, "answers/form.html", _context(answer=None, gap_id=gap, questions=questions)
    )


@router.post("/answers")
async def create_answer(
    request: Request, session: SessionDep, console: ConsoleDep, staff: StaffDep
) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    gap_id = int(form["gap_id"]) if form.get("gap_id", "").isdigit() else None
    with as_page_errors():
        if gap_id is not None:
            await GapBook(session).get(gap_id)
        answer = await CuratedAnswers(session).create(
            draft_from_form(form), by=staff.id, now=console.clock.now(), gap_id=gap_id
        )
    flash(request, "解答已保存为草稿，需要另一位管理员审核后才会上线。")
    return RedirectResponse(f"/answers/{answer.id}", status_code=303)


@router.get("/answers/{answer_id}")
async def show_answer(
    request: Request, answer_id: int, session: SessionDep, staff: StaffDep
) -> Response:
    answers = CuratedAnswers(session)
    with as_page_errors():
        answer = await answers.get(answer_id)
    history = await answers.history(answer_id)
    return page(
        request,
        "answers/detail.html",
        _context(
            answer=answer,
            live=LiveAnswer.of(answer),
            history=history,
            can_approve=staff.role == "admin"
            and answer.status == AnswerStatus.DRAFT
            and answer.author_id != staff.id,
        ),
    )


@router.get("/answers/{answer_id}/edit")
async def edit_form(
    request: Request, answer_id: int, session: SessionDep, staff: StaffDep
) -> Response:
    with as_page_errors():
        answer = await CuratedAnswers(session).get(answer_id)
    return page(
        request,
        "answers/form.html",
        _context(answer=answer, gap_id=answer.gap_id, questions=list(answer.questions)),
    )


@router.post("/answers/{answer_id}/edit")
async def edit_answer(
    request: Request, answer_id: int, session: SessionDep, console: ConsoleDep, staff: StaffDep
) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    with as_page_errors():
        await CuratedAnswers(session).edit(
            answer_id, draft_from_form(form), by=staff.id, now=console.clock.now()
        )
    flash(request, "修改已保存，需要重新审核后才会上线。")
    return RedirectResponse(f"/answers/{answer_id}", status_code=303)


@router.post("/answers/{answer_id}/approve")
async def approve_answer(
    request: Request, answer_id: int, session: SessionDep, console: ConsoleDep, admin: AdminDep
) -> Response:
    with as_page_errors():
        await CuratedAnswers(session, Outbox(session)).approve(
            answer_id, by=admin.id, now=console.clock.now()
        )
    flash(request, "已审核通过：几秒内所有实例都会用它回答，问过的市民会收到这条解答。")
    return RedirectResponse(f"/answers/{answer_id}", status_code=303)


@router.post("/answers/{answer_id}/retire")
async def retire_answer(
    request: Request, answer_id: int, session: SessionDep, console: ConsoleDep, staff: StaffDep
) -> Response:
    with as_page_errors():
        await CuratedAnswers(session).retire(answer_id, by=staff.id, now=console.clock.now())
    flash(request, "已停用：几秒内不再用它回答。")
    return RedirectResponse(f"/answers/{answer_id}", status_code=303)


@router.get("/answers-export.yaml")
async def export_answers(session: SessionDep, staff: StaffDep) -> Response:
    from knowledge.curated.transfer import dump

    text = dump(await CuratedAnswers(session).list())
    return Response(
        text,
        media_type="application/yaml; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="curated-answers.yaml"'},
    )


@router.get("/hit-test")
async def hit_test(
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    q: Annotated[str, Query(max_length=500)] = "",
) -> Response:
    engine = engine_of(request)
    result: dict[str, Any] | None = None
    if q.strip() and engine is not None:
        candidates = [
            LiveAnswer.of(a)
            for a in await CuratedAnswers(session).list()
            if a.status != AnswerStatus.RETIRED
        ]
        result = await in_thread(_trial, engine, q.strip(), candidates)
    return page(
        request,
        "answers/hit_test.html",
        _context(q=q, result=result, engine=engine is not None),
    )


def _trial(engine: Any, question: str, candidates: list[LiveAnswer]) -> dict[str, Any]:
    """What the engine answers now, what the corpus alone would, and the curated candidates
    (approved and drafts) with their scores against the match threshold."""
    answer = engine.answer(question)
    corpus = engine.corpus_answer(question) if hasattr(engine, "corpus_answer") else answer
    curated = getattr(engine, "curated", None)
    threshold = curated.match_above if curated is not None else None
    simplified = engine.scripts.to_simplified(question)
    ranked = CuratedSet(candidates, engine.index.embed_query).ranked(
        simplified, engine.index.embed_query(simplified), k=5
    )
    return {
        "answer": answer,
        "corpus": corpus,
        "threshold": threshold,
        "curated": [
            {"match": m, "clears": threshold is not None and m.score >= threshold} for m in ranked
        ],
    }
