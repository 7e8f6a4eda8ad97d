"""The bot's staff cards follow the one contact policy (`reports.contact_visible`) at the
reviewer's level, and demo reports from the web sandbox stay out of /queue and the staff chat."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.routers.report.cards import announce
from ground.clock import SystemClock
from outbox import OutboxMessage
from tests.e2e.report_steps import STAFF_CHAT, prompt, seed_report
from web.sandbox.transport import FIRST_VISITOR_ID

if TYPE_CHECKING:
    from tests.support.bot_rig import BotRig
    from tests.support.fake_bot_api import FakeBotAPI

REVIEWER = 5_100_031
NAMED_USER, PHONE = 9_000_031, "13912340031"
VISITOR = FIRST_VISITOR_ID + 31


async def open_card(
    rig: BotRig, fake: FakeBotAPI, ticket: str, **settings: object
) -> tuple[str, str]:
    """A reviewer opens `ticket` from /queue: the queue's text and the card's."""
    staff = fake.user(REVIEWER, "周科员")
    async with rig.running(staff_reviewers=[REVIEWER], **settings):
        await staff.send_command("/queue")
        queue = await prompt(staff, "待处理举报")
        await staff.press(ticket, message=queue)
        card = await prompt(staff, "工单 " + ticket)
    return queue.plain or "", card.plain or ""


async def test_a_reviewers_card_shows_no_phone_and_no_account_of_a_named_reporter(
    rig: BotRig, fake: FakeBotAPI
) -> None:
    named = await seed_report(
        rig.sessions, rig.data_dir, user_id=NAMED_USER, chat_id=NAMED_USER, phone=PHONE
    )
    demo = await seed_report(
        rig.sessions, rig.data_dir, user_id=VISITOR, chat_id=VISITOR, description="演示举报"
    )

    queue, card = await open_card(rig, fake, named.ticket)

    assert "联系方式仅管理员在网页后台可见" in card
    assert PHONE not in card and str(NAMED_USER) not in card
    assert named.ticket in queue and demo.ticket not in queue  # demo reports stay out


async def test_with_the_city_policy_on_a_reviewers_card_shows_the_phone_left_for_a_call_back(
    rig: BotRig, fake: FakeBotAPI
) -> None:
    named = await seed_report(
        rig.sessions, rig.data_dir, user_id=NAMED_USER, chat_id=NAMED_USER, phone=PHONE
    )

    _, card = await open_card(rig, fake, named.ticket, reviewers_see_contact=True)

    assert PHONE in card and str(NAMED_USER) in card


async def test_a_demo_report_is_not_posted_to_the_staff_chat(rig: BotRig) -> None:
    demo = await seed_report(rig.sessions, rig.data_dir, user_id=VISITOR, chat_id=VISITOR)
    real = await seed_report(rig.sessions, rig.data_dir, user_id=NAMED_USER, chat_id=NAMED_USER)

    async with rig.sessions.begin() as session:
        now = SystemClock().now()
        assert not await announce(session, STAFF_CHAT, demo, now)
        assert await announce(session, STAFF_CHAT, real, now)

    posts = await rig.rows(OutboxMessage, chat_id=STAFF_CHAT)
    assert [real.ticket in post.text for post in posts] == [True]
    assert "联系方式仅管理员" in posts[0].text and "演示" not in posts[0].text
