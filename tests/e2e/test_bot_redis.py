"""GREENBOT_FSM_STORAGE=redis://…: a citizen's flow state and follow-up context live in the real
Redis on 127.0.0.1:6379, so they survive a restart (and are shared by webhook instances)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import pytest
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.redis import RedisStorage

from bot import texts
from bot.routers.feedback import FeedbackFlow
from knowledge.feedback import AnswerFeedback, AskedQuestion
from tests.conftest import REDIS_URL, redis_available
from tests.support.bot_rig import REPLY_TIMEOUT

if TYPE_CHECKING:
    from tests.support.bot_rig import BotRig
    from tests.support.fake_bot_api import FakeBotAPI, FakeUser

pytestmark = pytest.mark.skipif(
    not redis_available(), reason="Redis is not running on 127.0.0.1:6379"
)


@pytest.fixture
async def redis_user(user: FakeUser) -> AsyncIterator[FakeUser]:
    """The test's citizen with no FSM keys in Redis before or after (db 15 is shared)."""
    storage = RedisStorage.from_url(REDIS_URL)

    async def forget() -> None:
        keys = await storage.redis.keys(f"fsm:{user.id}:{user.id}:*")
        if keys:
            await storage.redis.delete(*keys)

    await forget()
    yield user
    await forget()
    await storage.close()


async def test_redis_keeps_the_reason_flow_and_follow_up_context_across_a_restart(
    rig: BotRig, fake: FakeBotAPI, redis_user: FakeUser
) -> None:
    user = redis_user
    async with rig.running(fsm_storage=REDIS_URL):
        await user.send_text("县城污水处理率要达到多少？")
        answer = await user.wait_for_message(timeout=REPLY_TIMEOUT)
        await user.press("👎", answer)
        await user.wait_for_message(timeout=REPLY_TIMEOUT)  # the reason prompt

    reader = RedisStorage.from_url(REDIS_URL)  # what another instance would read
    key = StorageKey(bot_id=int(fake.token.split(":")[0]), chat_id=user.id, user_id=user.id)
    try:
        assert await reader.get_state(key) == FeedbackFlow.reason.state
        assert (await reader.get_data(key))["previous"] == "县城污水处理率要达到多少？"
    finally:
        await reader.close()

    async with rig.running(fsm_storage=REDIS_URL):  # a new process: memory would be empty
        await user.send_text("没有说农村的情况")
        thanks = await user.wait_for_message(timeout=REPLY_TIMEOUT)
        assert thanks.plain == texts.REASON_SAVED
        await user.send_text("那农村呢？")
        follow_up = await user.wait_for_message(timeout=REPLY_TIMEOUT)
        assert follow_up.plain is not None and "农村生活污水治理率达到25%" in follow_up.plain

    [first, second] = await rig.rows(AskedQuestion, user_id=user.id, until=lambda r: len(r) == 2)
    [rating] = await rig.rows(AnswerFeedback, question_id=first.id)
    assert rating.helpful is False and rating.reason == "没有说农村的情况"
    assert second.question == "那农村呢？" and second.covered
