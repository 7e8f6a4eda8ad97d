"""提交 tapped twice on the report summary: one report, and the second tap is told its ticket
instead of "按钮已失效" (which reads as a failure and had citizens file the same report again)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pytest

from bot import texts
from bot.texts import reports as words
from citizens import ConversationState
from reports import Report
from tests.conftest import REDIS_URL, redis_available
from tests.e2e.report_steps import TICKET, Filing, begin, prompt, submit, to_district, to_summary
from tests.support.bot_rig import until

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from knowledge.scripts import Script
    from tests.support.bot_rig import BotRig
    from tests.support.fake_bot_api import BotMessage, FakeBotAPI, FakeUser


async def to_the_summary(
    user: FakeUser, filing: Filing | None = None, script: Script = "hans"
) -> tuple[BotMessage, str]:
    """The summary message and its 提交 button's callback data (kept: the bot removes it)."""
    filing = filing or Filing()
    await begin(user)
    await to_district(user, filing)
    summary = await to_summary(user, filing)
    button = summary.find_button(texts.say(words.BUTTON_SUBMIT, script))
    assert button is not None, summary.button_texts
    return summary, button["callback_data"]


async def press_again(user: FakeUser, data: str, summary: BotMessage) -> dict[str, Any]:
    """提交 on the summary once more, as a client that still shows the old keyboard sends it."""
    answers = len(user.callback_answers)
    await user.forge_callback(data, summary)
    await until(lambda: len(user.callback_answers) > answers, what="the second press answered")
    return user.callback_answers[-1]


def alert(answer: dict[str, Any]) -> bool:
    return answer.get("show_alert") in (True, "true")


async def test_a_second_press_of_submit_is_told_the_ticket_and_files_nothing(
    rig: BotRig, user: FakeUser
) -> None:
    async with rig.running():
        summary, data = await to_the_summary(user)
        ticket = await submit(user)
        answer = await press_again(user, data, summary)
        assert user.new_messages() == []  # an alert only: no second ticket, no "expired"

    assert answer["text"] == words.SUBMITTED_ALREADY.format(ticket=ticket)
    assert "已经提交" in answer["text"] and "无需重复提交" in answer["text"] and alert(answer)
    assert len(await rig.rows(Report, reporter_user_id=user.id)) == 1


@pytest.mark.parametrize(
    "storage",
    [
        "memory",
        "database",
        pytest.param(
            REDIS_URL,
            id="redis",
            marks=pytest.mark.skipif(not redis_available(), reason="Redis is not running"),
        ),
    ],
)
async def test_two_presses_of_submit_sent_together_file_one_report(
    rig: BotRig, fake: FakeBotAPI, storage: str
) -> None:
    user = fake.user(6_400_000 + uuid.uuid4().int % 90_000, "小绿")  # Redis outlives the run
    async with rig.running(fsm_storage=storage):
        summary, data = await to_the_summary(user)
        before = len(user.callback_answers)
        # Both presses are queued before the bot polls: it gets them in one batch and handles
        # them as concurrent tasks, as it would a real double tap.
        await user.forge_callback(data, summary)
        await user.forge_callback(data, summary)
        await until(lambda: len(user.callback_answers) == before + 2, what="both answered")
        filed = await user.wait_for_message(lambda m: "工单号" in (m.plain or ""))

    found = TICKET.search(filed.plain or "")
    assert found is not None
    ticket = found.group()
    (report,) = await rig.rows(Report, reporter_user_id=user.id)
    assert report.ticket == ticket
    assert [m for m in user.new_messages() if "工单号" in (m.plain or "")] == [filed]
    first, second = user.callback_answers[before:]
    assert not first.get("text")  # the press that filed: the ticket comes as a message
    assert second["text"] == words.SUBMITTED_ALREADY.format(ticket=ticket) and alert(second)


async def test_a_traditional_reader_is_told_the_ticket_in_traditional(
    rig: BotRig, make_user: Callable[..., FakeUser]
) -> None:
    reader = make_user("陳先生", language_code="zh-tw")
    filing = Filing(category=texts.say("大气/扬尘", "hant"), district=texts.say("碧江区", "hant"))
    async with rig.running():
        summary, data = await to_the_summary(reader, filing, "hant")
        await reader.press(data, summary)
        filed = await prompt(reader, "工單號")
        answer = await press_again(reader, data, summary)

    found = TICKET.search(filed.plain or "")
    assert found is not None
    assert answer["text"] == texts.say(words.SUBMITTED_ALREADY, "hant").format(ticket=found.group())
    assert "已經提交" in answer["text"] and "無需重複提交" in answer["text"]


async def test_the_ticket_of_a_filed_summary_is_remembered_across_a_restart(
    rig: BotRig, user: FakeUser
) -> None:
    async with rig.running(fsm_storage="database"):
        summary, data = await to_the_summary(user, Filing(description="河边有人焚烧垃圾"))
        ticket = await submit(user)

    # Only the ticket and the summary's message id are kept: no state, no draft.
    (saved,) = await rig.rows(ConversationState)
    assert saved.state is None
    assert saved.data == {"report_filed": {"summary_id": summary.message_id, "ticket": ticket}}

    async with rig.running(fsm_storage="database"):  # a new process: new storage, no memory
        answer = await press_again(user, data, summary)
        await user.send_command("/report")  # a new report starts fresh after it
        await prompt(user, "第 1 步")

    assert answer["text"] == words.SUBMITTED_ALREADY.format(ticket=ticket)
    assert len(await rig.rows(Report, reporter_user_id=user.id)) == 1


async def test_a_stale_press_of_another_flow_button_still_says_it_expired(
    rig: BotRig, user: FakeUser
) -> None:
    async with rig.running():
        summary, _ = await to_the_summary(user)
        edit = summary.find_button(words.BUTTON_EDIT)
        assert edit is not None
        await submit(user)
        answer = await press_again(user, edit["callback_data"], summary)

    assert answer["text"] == words.STALE and alert(answer)
