"""The dashboard's charts and the knowledge-gap list, from data the domains wrote."""

from __future__ import annotations

import re
from collections.abc import Callable

from campaigns import Broadcasts, Subscriptions
from knowledge.feedback import QuestionLog
from tests.web.conftest import NOW, Browser, Web


async def log_question(
    web: Web, question: str, *, covered: bool, source: str = "", user_id: int = 1
) -> int:
    async with web.sessions.begin() as session:
        sources = [{"section": "s", "title": "t", "text": "x", "score": 0.9, "source": source}]
        row = await QuestionLog(session).record(
            user_id=user_id,
            question=question,
            simplified=question,
            answer="…",
            covered=covered,
            sources=sources if covered else [],
            now=web.clock.now(),
        )
        return row.id


async def test_gaps_list_unanswered_and_disliked_questions_most_frequent_first(
    web: Web, browser: Callable[[], Browser]
) -> None:
    for asker in range(3):
        await log_question(web, "光伏补贴怎么申请？", covered=False, user_id=asker)
    disliked = await log_question(web, "垃圾几点收？", covered=True, user_id=9)
    await log_question(web, "新能源汽车充电桩<script>", covered=False)
    await log_question(web, "节能灯好不好", covered=True)  # answered and liked: no gap
    async with web.sessions.begin() as session:
        log = QuestionLog(session)
        await log.rate(question_id=disliked, user_id=9, helpful=False, now=web.clock.now())
        await log.add_reason(question_id=disliked, user_id=9, reason="没有说我们小区的时间")
    person = browser()
    await person.log_in("reviewer1")
    page = (await person.get("/gaps")).text
    first, second = page.index("光伏补贴怎么申请？"), page.index("垃圾几点收？")
    assert first < second  # asked three times: listed first
    assert "节能灯好不好" not in page
    assert "充电桩&lt;script&gt;" in page and "<script>" not in page
    feedback = (await person.get("/gaps/feedback")).text
    assert "垃圾几点收？" in feedback and "没有说我们小区的时间" in feedback
    assert "光伏补贴怎么申请？" not in feedback  # unanswered, not disliked


async def test_dashboard_charts_count_reports_questions_and_broadcast_reach(
    web: Web, browser: Callable[[], Browser]
) -> None:
    await web.file_report(category="water", district="万山区")
    await web.file_report(user_id=5550009, chat_id=5550009, category="water", district="万山区")
    await web.file_report(user_id=5550010, chat_id=5550010, category="noise")
    await log_question(web, "怎么节约用水", covered=True, source="《节约用水指南》")
    await log_question(web, "火星上能种菜吗", covered=False)
    async with web.sessions.begin() as session:
        for chat_id in (8100001, 8100002):
            await Subscriptions(session).subscribe(user_id=chat_id, chat_id=chat_id, now=NOW)
        broadcasts = Broadcasts(session)
        broadcast = await broadcasts.create(text="<b>节能周</b>到了", created_by=1, now=NOW)
        await broadcasts.start(broadcast.id, now=NOW)
    person = browser()
    await person.log_in("reviewer1")
    page = (await person.get("/")).text
    assert page.count("<svg") >= 5
    charts = dict(re.findall(r"<figcaption>(.*?)</figcaption>(.*?)</figure>", page, re.S))
    by_category = charts["举报：按类别"]
    assert re.search(r"水污染</text>.*?<rect[^>]*>.*?class=\"value\">2<", by_category, re.S)
    assert re.search(r"噪声</text>.*?class=\"value\">1<", by_category, re.S)
    assert re.search(r"万山区</text>.*?class=\"value\">2<", charts["举报：按区县"], re.S)
    weekly = charts["举报：按周（近 12 周）"]
    assert re.search(r"11-02 起</text>.*?class=\"value\">3<", weekly, re.S)  # week of 3 Nov
    topics = next(v for k, v in charts.items() if k.startswith("提问：按主题"))
    assert "《节约用水指南》" in topics and "未能回答" in topics
    reach = charts["群发触达（最近 8 次）"]
    assert re.search(r"#1 节能周到了</text>.*?class=\"value\">2<", reach, re.S)
    assert "待发送" in reach  # both still queued: the legend names the part shown
