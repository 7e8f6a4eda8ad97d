"""A half-filled report survives a bot restart: the FSM state lives in the database (or Redis)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING
from unittest.mock import ANY

import pytest

from bot.routers.report.draft import ReportFlow
from citizens import ConversationState
from reports import Report
from tests.conftest import REDIS_URL, redis_available
from tests.e2e.report_steps import (
    RIVERSIDE,
    Filing,
    begin,
    choose_district,
    prompt,
    step,
    submit,
    to_district,
)

if TYPE_CHECKING:
    from tests.support.bot_rig import BotRig
    from tests.support.fake_bot_api import FakeBotAPI, FakeUser


async def test_a_report_half_filled_before_a_restart_completes_after_it(
    rig: BotRig, user: FakeUser
) -> None:
    filing = Filing(description="化工厂排放黄烟，气味刺鼻")
    async with rig.running(fsm_storage="database"):
        await begin(user)
        await to_district(user, filing)

    # The first bot is gone; what it knew about the conversation is in the database.
    (saved,) = await rig.rows(ConversationState)
    assert saved.state == ReportFlow.district.state
    assert saved.data["report"]["description"] == filing.description
    assert str(user.id) in saved.key

    async with rig.running(fsm_storage="database"):  # a new process: new storage, no memory
        await choose_district(user, "碧江区")  # the button on the message the first bot sent
        await prompt(user, step(5))
        await user.press("完成")
        await prompt(user, step(6))
        await user.send_text("不留手机号")
        await prompt(user, step(7))
        ticket = await submit(user)

    (report,) = await rig.rows(Report, ticket=ticket)
    assert report.description == filing.description
    assert (report.lat, report.lon) == RIVERSIDE and report.district == "碧江区"
    # Finished: nothing of the draft is kept, only the ticket for a second press of 提交.
    (ended,) = await rig.rows(ConversationState, until=lambda rows: "report_filed" in rows[0].data)
    assert ended.state is None
    assert ended.data == {"report_filed": {"summary_id": ANY, "ticket": ticket}}


@pytest.mark.skipif(not redis_available(), reason="Redis is not running on 127.0.0.1:6379")
async def test_with_redis_configured_the_flow_survives_a_restart_too(
    rig: BotRig, fake: FakeBotAPI
) -> None:
    # A user id of its own: Redis outlives the test run.
    citizen = fake.user(6_300_000 + uuid.uuid4().int % 90_000, "小绿")
    async with rig.running(fsm_storage=REDIS_URL):
        await begin(citizen)
        await to_district(citizen, Filing(location="滨江大道 1 号旁", description="河边烧垃圾"))
    async with rig.running(fsm_storage=REDIS_URL):
        await citizen.press("万山区")
        await prompt(citizen, step(5))
        await citizen.press("完成")
        await prompt(citizen, step(6))
        await citizen.send_text("匿名举报")
        await prompt(citizen, step(7))
        ticket = await submit(citizen)
    (report,) = await rig.rows(Report, ticket=ticket)
    assert (report.address, report.district) == ("滨江大道 1 号旁", "万山区")
    assert report.description == "河边烧垃圾" and report.anonymous
