"""The buttons under an answer: 👍/👎 (and the reason), 查看原文 pages, 相关问题, and callback
data a tampering client forged."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest

from bot import render, texts
from knowledge.feedback import AnswerFeedback, AskedQuestion, QuestionLog
from tests.support.bot_rig import REPLY_TIMEOUT, until

if TYPE_CHECKING:
    from collections.abc import Callable

    from aiogram import Dispatcher

    from tests.support.bot_rig import BotRig
    from tests.support.fake_bot_api import BotMessage, FakeUser


async def ask(user: FakeUser, question: str) -> BotMessage:
    await user.send_text(question)
    return await user.wait_for_message(timeout=REPLY_TIMEOUT)


async def callback_answer(user: FakeUser, count: int) -> dict:
    """The `count`-th answerCallbackQuery this user got (the toast or alert they saw)."""
    await until(lambda: len(user.callback_answers) >= count, what="answerCallbackQuery")
    return user.callback_answers[count - 1]


async def test_thumbs_up_is_stored_with_the_question_and_can_be_changed(
    bot: Dispatcher, rig: BotRig, user: FakeUser
) -> None:
    await ask(user, "家里空调开多少度最省电？")
    await user.press("👍")
    assert (await callback_answer(user, 1))["text"] == texts.THANKS_UP
    [asked] = await rig.rows(AskedQuestion, user_id=user.id)
    [rating] = await rig.rows(AnswerFeedback, question_id=asked.id, until=len)
    assert rating.helpful and rating.user_id == user.id and rating.reason is None
    await user.press("👍")  # pressed again: still one rating
    await callback_answer(user, 2)
    assert len(await rig.rows(AnswerFeedback, question_id=asked.id)) == 1


async def test_thumbs_down_asks_for_a_reason_and_stores_it_with_question_answer_and_sources(
    bot: Dispatcher, rig: BotRig, user: FakeUser
) -> None:
    answer = await ask(user, "县城污水处理率要达到多少？")
    await user.press("👎", answer)
    assert (await callback_answer(user, 1))["text"] == texts.THANKS_DOWN
    prompt = await user.wait_for_message(timeout=REPLY_TIMEOUT)
    assert prompt.plain is not None and "关于“县城污水处理率要达到多少？”" in prompt.plain
    assert prompt.button_texts == [texts.BUTTON_SKIP]
    await user.send_text("没有说农村的情况")
    thanks = await user.wait_for_message(timeout=REPLY_TIMEOUT)
    assert thanks.plain == texts.REASON_SAVED

    [asked] = await rig.rows(AskedQuestion, user_id=user.id)
    assert asked.question == "县城污水处理率要达到多少？" and "97%" in asked.answer
    assert asked.sources and asked.sources[0]["section"] == "三(十)"
    [rating] = await rig.rows(
        AnswerFeedback, question_id=asked.id, until=lambda r: r and r[0].reason
    )
    assert rating.helpful is False and rating.reason == "没有说农村的情况"
    async with rig.sessions() as session:
        [gap] = await QuestionLog(session).gaps()
    assert gap.question == asked.question and gap.reasons == ("没有说农村的情况",)
    assert len(await rig.rows(AskedQuestion, user_id=user.id)) == 1  # the reason is no question


async def test_skipping_the_reason_leaves_the_flow_and_the_next_text_is_a_question(
    bot: Dispatcher, rig: BotRig, user: FakeUser
) -> None:
    await ask(user, "垃圾分类怎么做？")
    await user.press("👎")
    prompt = await user.wait_for_message(timeout=REPLY_TIMEOUT)
    await user.press(texts.BUTTON_SKIP, prompt)
    assert (await callback_answer(user, 2))["text"] == texts.REASON_SKIPPED
    await until(lambda: prompt.buttons == [], what="the skip button removed")
    answer = await ask(user, "电池属于什么垃圾？")
    assert answer.plain is not None and "有害垃圾" in answer.plain and "出处：" in answer.plain
    rows = await rig.rows(AskedQuestion, user_id=user.id, until=lambda r: len(r) == 2)
    assert [r.question for r in rows] == ["垃圾分类怎么做？", "电池属于什么垃圾？"]
    [rating] = await rig.rows(AnswerFeedback, question_id=rows[0].id)
    assert rating.helpful is False and rating.reason is None


async def test_a_new_question_instead_of_a_reason_is_answered_and_not_stored_as_the_reason(
    bot: Dispatcher, rig: BotRig, user: FakeUser
) -> None:
    await ask(user, "垃圾分类怎么做？")
    await user.press("👎")
    await user.wait_for_message(timeout=REPLY_TIMEOUT)  # the reason prompt
    answer = await ask(user, "电池属于什么垃圾？")
    assert answer.plain is not None and "有害垃圾" in answer.plain and "出处：" in answer.plain
    rows = await rig.rows(AskedQuestion, user_id=user.id, until=lambda r: len(r) == 2)
    [rating] = await rig.rows(AnswerFeedback, question_id=rows[0].id)
    assert rating.helpful is False and rating.reason is None


async def test_view_source_pages_through_the_whole_cited_section(
    bot: Dispatcher, rig: BotRig, user: FakeUser
) -> None:
    answer = await ask(user, "化工行业怎么搞节能改造？")
    [asked] = await rig.rows(AskedQuestion, user_id=user.id, until=len)
    section = rig.engine.index.sections[asked.sources[0]["section"]]
    expected = render.pages(texts.convert(section.body, "hans"))
    assert len(expected) > 1, "pick a question whose section is longer than one page"

    await user.press(texts.BUTTON_SOURCE, answer)
    page = await user.wait_for_message(timeout=REPLY_TIMEOUT)
    seen = []
    for n in range(1, len(expected) + 1):
        counter = f"第 {n}/{len(expected)} 页"
        await until(lambda c=counter: c in (page.plain or ""), what=counter)
        assert page.plain is not None and page.plain.startswith("出处：《铜仁市“十四五”")
        seen.append(page.plain.split(counter, 1)[1].strip())
        previous, following = texts.BUTTON_PREVIOUS, texts.BUTTON_NEXT
        assert (previous in page.button_texts) == (n > 1)
        assert (following in page.button_texts) == (n < len(expected))
        if n < len(expected):
            await user.press(following, page)
    assert seen == expected
    await user.press(texts.BUTTON_PREVIOUS, page)
    await until(lambda: f"第 {len(expected) - 1}/" in (page.plain or ""), what="page back")
    assert len(user.messages()) == 2  # pages turn in place: the answer and one source message


async def test_related_questions_ask_themselves_when_pressed(
    bot: Dispatcher, rig: BotRig, user: FakeUser
) -> None:
    answer = await ask(user, "新建建筑要执行什么节能标准？")
    related = answer.button_texts[3:]
    assert 1 <= len(related) <= 3 and "新建建筑要执行什么节能标准？" not in related
    await user.press(related[0], answer)
    second = await user.wait_for_message(timeout=REPLY_TIMEOUT)
    assert second.plain is not None and second.plain.startswith(f"问：{related[0]}")
    assert "出处：" in second.plain and second.button_texts[:2] == ["👍", "👎"]
    rows = await rig.rows(AskedQuestion, user_id=user.id, until=lambda r: len(r) == 2)
    assert rows[1].question == related[0] and rows[1].covered


async def test_forged_callback_data_gets_a_polite_alert_and_changes_nothing(
    bot: Dispatcher,
    rig: BotRig,
    user: FakeUser,
    make_user: Callable[..., FakeUser],
    caplog: pytest.LogCaptureFixture,
) -> None:
    await ask(user, "垃圾分类怎么做？")
    [asked] = await rig.rows(AskedQuestion, user_id=user.id, until=len)
    forged = [
        "garbage",
        "r:abc:1",
        f"r:{asked.id + 1000}:0",  # no such answer
        "src:99999",
        "pg:0:9999",
        "rq:12345",
        "lang:xx",
        "x" * 64,
    ]
    for n, data in enumerate(forged, start=1):
        await user.forge_callback(data)
        shown = await callback_answer(user, n)
        assert shown["show_alert"] is True, data
        assert shown["text"] in (texts.STALE_BUTTON, texts.NOT_YOUR_ANSWER), data

    stranger = make_user("路人")
    await stranger.forge_callback(f"r:{asked.id}:0", user.last_message())
    await until(lambda: stranger.callback_answers, what="the stranger's alert")
    assert stranger.callback_answers[0]["text"] == texts.NOT_YOUR_ANSWER
    assert await rig.rows(AnswerFeedback) == []
    await user.forge_callback(f"rs:{asked.id}")  # "skip the reason" with no reason asked
    assert (await callback_answer(user, len(forged) + 1))["text"] == texts.REASON_SKIPPED
    assert user.new_messages() == []  # no error message, no reason prompt
    answer = await ask(user, "电池属于什么垃圾？")  # and the bot still answers
    assert answer.plain is not None and "出处" in answer.plain
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_double_tap_on_a_button_is_harmless(
    bot: Dispatcher, user: FakeUser, caplog: pytest.LogCaptureFixture
) -> None:
    await user.send_command("/lang")
    prompt = await user.wait_for_message(timeout=REPLY_TIMEOUT)
    await user.press("繁體中文", prompt)
    await user.forge_callback("lang:hant", prompt)  # the second tap, before the edit shows
    await callback_answer(user, 2)
    assert prompt.plain == "好的，以後用繁體中文回覆您。" and len(prompt.history) == 1
    answer = await ask(user, "垃圾分类怎么做？")
    await user.press("👎", answer)
    reason_prompt = await user.wait_for_message(timeout=REPLY_TIMEOUT)
    skip = reason_prompt.find_button(texts.say(texts.BUTTON_SKIP, "hant"))
    assert skip is not None
    await user.press(skip["callback_data"], reason_prompt)
    await user.forge_callback(skip["callback_data"], reason_prompt)  # the second tap
    await callback_answer(user, 5)
    assert reason_prompt.buttons == [] and user.new_messages() == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
