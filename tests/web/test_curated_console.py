"""The knowledge console and its JSON API over HTTP (no answer engine: gaps group by wording),
and its pages in Chromium at phone and desktop sizes with nothing scrolling sideways."""

from __future__ import annotations

import pytest

from knowledge.curated import CuratedAnswers, Draft, GapBook
from knowledge.feedback import QuestionLog
from tests.web.conftest import Browser, web_settings
from tests.web.test_browser import ARTIFACTS, chromium, log_in, served  # noqa: F401
from tests.web.test_layout import SIZES, overflow

KEY = "city-system-key-0123456789"
LONG = "锦江大道与环城北路交叉口东北角的旧衣物回收箱" * 4  # no spaces: it must wrap


async def ask_uncovered(sessions, now, question: str, user_id: int = 8000001) -> None:  # type: ignore[no-untyped-def]
    async with sessions.begin() as session:
        await QuestionLog(session).record(
            user_id=user_id,
            question=question,
            simplified=question,
            answer="抱歉，知识库里没有能回答这个问题的内容，我不想给您不准确的信息。",
            covered=False,
            sources=[
                {
                    "section": "三(三)",
                    "title": "城镇绿色节能改造工程",
                    "text": LONG,
                    "score": 0.31,
                    "source": "《方案》",
                }
            ],
            now=now,
        )


async def test_the_api_lists_gaps_creates_an_answer_and_a_person_must_approve_it(
    tmp_path,
    web_sessions,
    web_clock,  # type: ignore[no-untyped-def]
) -> None:
    from web.app import create_app

    app = create_app(
        web_settings(tmp_path, knowledge_api_keys=KEY), sessions=web_sessions, clock=web_clock
    )
    await ask_uncovered(web_sessions, web_clock.now(), "充电桩报装去哪里办？")
    api = Browser(app)
    try:
        assert (await api.http.get("/api/knowledge/gaps")).status_code == 401
        wrong = await api.http.get("/api/knowledge/gaps", headers={"X-Api-Key": "nope"})
        assert wrong.status_code == 401
        headers = {"X-Api-Key": KEY}
        [gap] = (await api.http.get("/api/knowledge/gaps", headers=headers)).json()
        assert gap["question"] == "充电桩报装去哪里办？" and gap["asked"] == 1
        body = {
            "text": "到市政务服务中心三楼办理。",
            "questions": ["充电桩报装去哪里办？"],
            "source": {"kind": "guide", "title": "便民服务指南"},
            "gap_id": gap["id"],
        }
        created = await api.http.post("/api/knowledge/answers", json=body, headers=headers)
        assert created.status_code == 201 and created.json()["status"] == "draft"
        answer_id = created.json()["id"]
        selfish = await api.http.post(
            f"/api/knowledge/answers/{answer_id}/approve", headers=headers
        )
        assert selfish.status_code == 409  # written by a key: a person approves it

        admin = Browser(app)
        await admin.log_in("admin1")
        page = await admin.get(f"/answers/{answer_id}")
        assert "审核通过并上线" in page.text
        approved = await admin.post(f"/answers/{answer_id}/approve")
        assert approved.status_code == 303
        assert (await admin.get("/gaps?status=answered")).text.count("充电桩报装去哪里办？") == 1
        exported = await admin.get("/answers-export.yaml")
        assert "到市政务服务中心三楼办理。" in exported.text and "status: approved" in exported.text
        await admin.close()
    finally:
        await api.close()


async def test_a_reviewer_writes_but_cannot_approve(browser, web) -> None:  # type: ignore[no-untyped-def]
    await ask_uncovered(web.sessions, web.clock.now(), "图书馆周一开吗？")
    reviewer = browser()
    await reviewer.log_in("reviewer1")
    listing = await reviewer.get("/gaps")
    assert "图书馆周一开吗？" in listing.text
    written = await reviewer.post(
        "/answers",
        {
            "questions": "图书馆周一开吗？",
            "text": "周一闭馆。",
            "source_kind": "document",
            "source_title": "开放时间公告",
            "issuer": "",
            "issued_on": "",
        },
    )
    assert written.status_code == 400  # an official document needs its issuer and date
    written = await reviewer.post(
        "/answers",
        {
            "questions": "图书馆周一开吗？",
            "text": "周一闭馆。",
            "source_kind": "document",
            "source_title": "开放时间公告",
            "issuer": "市图书馆",
            "issued_on": "2026年1月5日",
        },
    )
    assert written.status_code == 303
    page = await reviewer.get(written.headers["location"])
    assert "审核通过并上线" not in page.text and "需要管理员审核" in page.text
    assert (await reviewer.post(written.headers["location"] + "/approve")).status_code == 403


@pytest.mark.slow
async def test_knowledge_pages_fit_a_phone_and_a_desktop(served, chromium) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    base, web = served
    now = web.clock.now()
    await ask_uncovered(web.sessions, now, LONG + "在哪里？")
    async with web.sessions.begin() as session:
        await GapBook(session).sync(embed=None, now=now)
        [summary] = await GapBook(session).summaries()
        draft = Draft(
            LONG + "。", (LONG + "在哪里？",), "document", LONG, "碧江区城市管理局", now.date()
        )
        answer = await CuratedAnswers(session).create(
            draft, by=None, now=now, gap_id=summary.gap.id
        )
    pages = {
        "gaps": "/gaps",
        "gap": f"/gaps/{summary.gap.id}",
        "gap-feedback": "/gaps/feedback",
        "answers": "/answers",
        "answer-new": f"/answers/new?gap={summary.gap.id}",
        "answer": f"/answers/{answer.id}",
        "hit-test": "/hit-test?q=垃圾分类",
    }
    shots = ARTIFACTS / "layout"
    shots.mkdir(parents=True, exist_ok=True)
    too_wide: dict[str, int] = {}
    for size, (width, height) in SIZES.items():
        context = await chromium.new_context(viewport={"width": width, "height": height})
        page = await context.new_page()
        await log_in(page, base, "admin1")
        for name, path in pages.items():
            response = await page.goto(f"{base}{path}")
            assert response is not None and response.ok, (name, response and response.status)
            await page.screenshot(path=str(shots / f"{name}-{size}.png"), full_page=True)
            if (extra := await overflow(page)) > 0:
                too_wide[f"{name}-{size}"] = extra
        await context.close()
    assert too_wide == {}
