"""Questions through the real bot: cited answers, 简/繁, /lang, follow-ups, gaps, long and HTML
input. Each test is one citizen; what they see is read from the fake, what was kept from the DB."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import texts
from citizens import Citizen
from knowledge.feedback import AskedQuestion, QuestionLog
from tests.support.bot_rig import REPLY_TIMEOUT, until

if TYPE_CHECKING:
    from aiogram import Dispatcher

    from tests.support.bot_rig import BotRig
    from tests.support.fake_bot_api import BotMessage, FakeBotAPI, FakeUser

PLAN = "《铜仁市“十四五”节能减排综合工作方案》"


def italic(message: BotMessage) -> list[str]:
    """The italic runs of a message (the citation is rendered in italics)."""
    plain = message.raw["text"].encode("utf-16-le")
    runs = []
    for entity in message.raw.get("entities") or []:
        if entity["type"] == "italic":
            start, end = 2 * entity["offset"], 2 * (entity["offset"] + entity["length"])
            runs.append(plain[start:end].decode("utf-16-le"))
    return runs


async def ask(user: FakeUser, question: str) -> BotMessage:
    await user.send_text(question)
    return await user.wait_for_message(timeout=REPLY_TIMEOUT)


async def test_a_question_is_answered_with_its_plan_section_and_departments(
    bot: Dispatcher, fake: FakeBotAPI, rig: BotRig, user: FakeUser
) -> None:
    answer = await ask(user, "新建建筑要执行什么节能标准？")
    assert answer.parse_mode == "HTML" and answer.plain is not None
    assert "GB 55015" in answer.plain  # the sentence of the plan that answers it
    citation = f"出处：{PLAN}三、(三) 城镇绿色节能改造工程"
    assert citation in answer.plain
    assert "责任单位：市住房城乡建设局" in answer.plain
    assert any(run.startswith(citation) for run in italic(answer))
    typing = [c for c in fake.calls_to("sendChatAction") if c.params["chat_id"] == user.id]
    assert typing and typing[0].params["action"] == "typing"
    assert typing[0].at < fake.calls_to("sendMessage")[-1].at  # "typing…" before the answer
    buttons = answer.button_texts
    assert buttons[:3] == ["👍", "👎", "查看原文"] and 1 <= len(buttons) - 3 <= 3
    [row] = await rig.rows(AskedQuestion, user_id=user.id, until=len)
    assert row.question == "新建建筑要执行什么节能标准？" and row.covered
    assert row.sources[0]["section"] == "三(三)" and "GB 55015" in row.answer


async def test_traditional_in_traditional_out(bot: Dispatcher, rig: BotRig, user: FakeUser) -> None:
    answer = await ask(user, "過期藥扔哪個桶？")
    assert answer.plain is not None
    assert "出處：《垃圾分類指南》" in answer.plain and "出处" not in answer.plain
    related = answer.button_texts[3:]
    assert related and all(texts.convert(q, "hant") == q for q in related)
    [citizen] = await rig.rows(
        Citizen, user_id=user.id, until=lambda r: r and r[0].script == "hant"
    )
    assert citizen.script == "hant" and not citizen.script_chosen


async def test_lang_choice_wins_over_the_message_and_survives_a_restart(
    rig: BotRig, user: FakeUser
) -> None:
    async with rig.running():
        await user.send_command("/lang")
        prompt = await user.wait_for_message(timeout=REPLY_TIMEOUT)
        assert prompt.plain == texts.LANG_PROMPT
        assert prompt.button_texts == ["简体中文", "繁體中文"]
        await user.press("繁體中文")
        await until(lambda: prompt.history, what="the /lang prompt edited")
        assert prompt.plain == "好的，以後用繁體中文回覆您。"
        answer = await ask(user, "垃圾分类怎么做？")  # typed in Simplified
        assert answer.plain is not None and "出處" in answer.plain
    [citizen] = await rig.rows(Citizen, user_id=user.id)
    assert citizen.script == "hant" and citizen.script_chosen

    async with rig.running():  # a new bot process: the choice is in the database
        answer = await ask(user, "家里空调开多少度最省电？")
        assert answer.plain is not None and "出處" in answer.plain
        await user.send_command("/lang")
        prompt = await user.wait_for_message(timeout=REPLY_TIMEOUT)
        await user.press("简体中文")
        await until(lambda: prompt.history, what="the /lang prompt edited")
        assert prompt.plain == "好的，以后用简体中文回复您。"
        answer = await ask(user, "家里空调开多少度最省电？")
        assert answer.plain is not None and "出处" in answer.plain


async def test_a_follow_up_is_understood_from_the_previous_question(
    bot: Dispatcher, rig: BotRig, user: FakeUser
) -> None:
    first = await ask(user, "县城污水处理率要达到多少？")
    assert first.plain is not None and "县城污水处理率达到97%" in first.plain
    follow_up = await ask(user, "那农村呢？")
    assert follow_up.plain is not None
    assert "农村生活污水治理率达到25%" in follow_up.plain
    assert "三、(五) 农业农村节能减排工程" in follow_up.plain
    rows = await rig.rows(AskedQuestion, user_id=user.id, until=lambda r: len(r) == 2)
    assert [r.question for r in rows] == ["县城污水处理率要达到多少？", "那农村呢？"]
    assert all(r.covered for r in rows)


async def test_an_off_topic_question_gets_the_honest_reply_and_is_logged_as_a_gap(
    bot: Dispatcher, rig: BotRig, user: FakeUser
) -> None:
    reply = await ask(user, "今晚NBA比赛谁赢了？")
    assert reply.plain is not None
    assert reply.plain.startswith("抱歉，知识库里没有能回答这个问题的内容")
    assert "12345" in reply.plain and "垃圾分类" in reply.plain  # what it can help with
    assert reply.buttons == []  # nothing to rate or open
    [row] = await rig.rows(AskedQuestion, user_id=user.id, until=len)
    assert not row.covered
    async with rig.sessions() as session:
        gaps = await QuestionLog(session).gaps()
    assert [gap.question for gap in gaps] == ["今晚NBA比赛谁赢了？"]


async def test_a_greeting_is_answered_without_logging_a_question(
    bot: Dispatcher, rig: BotRig, user: FakeUser
) -> None:
    reply = await ask(user, "你好")
    assert reply.plain is not None and reply.plain.startswith("您好！我是绿色铜仁助手")
    assert await rig.rows(AskedQuestion, user_id=user.id) == []


async def test_an_8000_character_message_is_answered_in_valid_messages(
    bot: Dispatcher, rig: BotRig, user: FakeUser
) -> None:
    question = "垃圾分类怎么做？" + "请详细告诉我每一类垃圾应该怎样投放。" * 500
    question = question[:8000]
    await user.send_text(question)
    answer = await user.wait_for_message(lambda m: bool(m.buttons), timeout=REPLY_TIMEOUT)
    shown = user.new_messages()
    assert all(m.plain and len(m.plain) <= 4096 for m in shown)  # the fake refuses longer ones
    assert answer.plain is not None and "我只读了前 2000 字" in answer.plain
    assert "《垃圾分类指南》" in answer.plain
    [row] = await rig.rows(AskedQuestion, user_id=user.id, until=len)
    assert row.question == question[:4000]


async def test_html_characters_in_a_question_are_shown_back_literally(
    bot: Dispatcher, rig: BotRig, user: FakeUser
) -> None:
    only_markup = await ask(user, "<b>&")
    assert only_markup.plain == "请输入您想了解的问题，例如：“垃圾分类怎么做？”"
    question = "垃圾分类<b>&怎么做？"
    answer = await ask(user, question)
    assert answer.plain is not None and "《垃圾分类指南》" in answer.plain
    await user.press("👎")
    prompt = await user.wait_for_message(timeout=REPLY_TIMEOUT)
    assert prompt.plain is not None and f"关于“{question}”" in prompt.plain
    assert not any(e["type"] == "bold" for e in prompt.raw.get("entities") or [])
    [row] = await rig.rows(AskedQuestion, user_id=user.id)
    assert row.question == question
