"""Staff teach GreenBot, end to end: a citizen asks something uncovered in Telegram → it is a
gap in the console → a reviewer writes an answer → an admin approves it → a second instance
(another engine on the same database, built before the answer existed) answers from it with
its citation → the first citizen receives it once, in the outbox, with 👍/👎 that work."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from typing import TYPE_CHECKING

from sqlalchemy import select

from knowledge.curated.notices import NOTICE_KIND
from knowledge.engine import assemble
from knowledge.feedback import AnswerFeedback, AskedQuestion
from outbox import OutboxMessage
from staff import StaffAccounts
from tests.support.bot_rig import REPLY_TIMEOUT, BotRig
from tests.web.conftest import NOW, PASSWORD, Browser, web_settings

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from tests.support.fake_bot_api import FakeBotAPI, FakeUser

QUESTION = "碧江区旧衣服回收箱在哪里？"
PARAPHRASE = "碧江区哪里有旧衣服回收箱"
ANSWER = "碧江区各社区服务中心门口都设有旧衣物回收箱，可以投放干净的旧衣服。"


async def test_a_gap_answered_by_staff_goes_live_everywhere_and_the_asker_is_told_once(
    fake: FakeBotAPI,
    knowledge_engine,  # type: ignore[no-untyped-def]
    knowledge_config,  # type: ignore[no-untyped-def]
    database: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    make_user: Callable[..., FakeUser],
) -> None:
    url = database.kw["bind"].url.render_as_string(hide_password=False)
    config = dataclasses.replace(knowledge_config, database_url=url, curated_refresh_seconds=0)
    first = assemble(knowledge_engine.index, config)
    second = assemble(knowledge_engine.index, config)  # the other instance, started already
    async with database.begin() as session:
        accounts = StaffAccounts(session)
        await accounts.add("reviewer1", role="reviewer", password=PASSWORD, now=NOW)
        await accounts.add("admin1", role="admin", password=PASSWORD, now=NOW)
    from greenbot.root import create_web_app

    console = create_web_app(web_settings(tmp_path), sessions=database, engine=first)
    reviewer, admin = Browser(console), Browser(console)
    citizen = make_user("小绿")
    rig = BotRig(fake, engine=first, sessions=database, data_dir=tmp_path)
    try:
        async with rig.running(deliver=True):
            await citizen.send_text(QUESTION)
            refusal = await citizen.wait_for_message(timeout=REPLY_TIMEOUT)
            assert refusal.plain is not None and refusal.plain.startswith("抱歉")
            await rig.rows(AskedQuestion, user_id=citizen.id, until=len)

            assert (await reviewer.log_in("reviewer1")).status_code == 303
            gaps = await reviewer.get("/gaps")
            assert QUESTION in gaps.text
            gap_id = int(re.search(r'href="/gaps/(\d+)"', gaps.text).group(1))  # type: ignore[union-attr]
            detail = await reviewer.get(f"/gaps/{gap_id}")
            assert "范围检查" in detail.text or "覆盖判断" in detail.text  # why not covered
            written = await reviewer.post(
                "/answers",
                {
                    "gap_id": str(gap_id),
                    "questions": f"{QUESTION}\n碧江区哪里能回收旧衣服？",
                    "text": ANSWER,
                    "source_kind": "document",
                    "source_title": "关于设置旧衣物回收箱的通知",
                    "issuer": "碧江区城市管理局",
                    "issued_on": "2026年3月1日",
                },
            )
            assert written.status_code == 303
            answer_path = written.headers["location"]
            refused = await reviewer.post(f"{answer_path}/approve")
            assert refused.status_code == 403  # a reviewer cannot approve
            assert not second.answer(QUESTION).covered  # a draft is not live

            assert (await admin.log_in("admin1")).status_code == 303
            assert (await admin.post(f"{answer_path}/approve")).status_code == 303

            citizen.mark()  # what the bot sends from here on
            told = await citizen.wait_for_message(timeout=REPLY_TIMEOUT)
            assert told.plain is not None and QUESTION in told.plain and ANSWER in told.plain
            assert "出处：《工作人员解答》" in told.plain and "碧江区城市管理局" in told.plain
            assert told.button_texts == ["👍", "👎"]
            await citizen.press("👍", told)
            [rating] = await rig.rows(AnswerFeedback, user_id=citizen.id, until=len)
            assert rating.helpful
            hit = await admin.get("/hit-test", params={"q": PARAPHRASE})
            assert "命中，用它回答" in hit.text

        answer = second.answer(PARAPHRASE)  # no restart: it read the new version
        assert answer.covered and answer.sources[0].text == ANSWER
        assert answer.sources[0].source == "《工作人员解答》"

        other = make_user("小李")
        async with BotRig(fake, engine=second, sessions=database, data_dir=tmp_path).running(
            deliver=True
        ):
            reply = await _ask(other, PARAPHRASE)
            assert ANSWER in reply and "出处：《工作人员解答》（" in reply
            await asyncio.sleep(1.5)  # a sender on the second instance too: still told once
        to_citizen = [
            c
            for c in fake.calls_to("sendMessage")
            if str(c.params["chat_id"]) == str(citizen.id) and ANSWER in str(c.params["text"])
        ]
        assert len(to_citizen) == 1
        async with database() as session:
            queued = (
                await session.scalars(
                    select(OutboxMessage).where(OutboxMessage.kind == NOTICE_KIND)
                )
            ).all()
        assert len(queued) == 1
    finally:
        await reviewer.close()
        await admin.close()


async def _ask(user: FakeUser, question: str) -> str:
    await user.send_text(question)
    message = await user.wait_for_message(timeout=REPLY_TIMEOUT)
    assert message.plain is not None
    return message.plain
