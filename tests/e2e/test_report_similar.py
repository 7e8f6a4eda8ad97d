"""Before filing, a report that looks like one of the last 7 days is offered to follow instead."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.notices import message_text
from ground.clock import SystemClock
from outbox import Outbox, OutboxMessage
from reports import MediaStore, Report, ReportFollower, ReportService, Staff
from tests.e2e.report_steps import (
    RIVERSIDE,
    Filing,
    begin,
    choose_district,
    prompt,
    seed_report,
    step,
    submit,
    to_district,
)

if TYPE_CHECKING:
    from tests.support.bot_rig import BotRig
    from tests.support.fake_bot_api import FakeUser

NEIGHBOUR, NEIGHBOUR_PHONE = 9_000_001, "13700001111"
NEARBY = (RIVERSIDE[0] + 0.0003, RIVERSIDE[1])  # about 33 m north


async def test_a_similar_report_nearby_is_followed_instead_of_filing_a_duplicate(
    rig: BotRig, user: FakeUser
) -> None:
    existing = await seed_report(rig.sessions, rig.data_dir, phone=NEIGHBOUR_PHONE)
    async with rig.running():
        await begin(user)
        await to_district(user, Filing(location=NEARBY, description="工地尘土飞扬"))
        await choose_district(user, "碧江区")
        offer = await prompt(user, "已有相似的举报")
        shown = offer.plain or ""
        assert existing.ticket in shown and "相距约 33 米" in shown
        # Another citizen's identity and contact never reach this one.
        assert str(NEIGHBOUR) not in shown and NEIGHBOUR_PHONE not in shown
        await user.send_text("嗯")  # neither button: a hint, the offer stays
        await prompt(user, "关注已有的举报")
        await user.press(f"关注 {existing.ticket}")
        await prompt(user, f"已关注 {existing.ticket}")
        await user.send_command("/myreports")
        await prompt(user, "您还没有提交过举报")

    assert [r.ticket for r in await rig.rows(Report)] == [existing.ticket]  # nothing filed
    (follower,) = await rig.rows(ReportFollower, report_id=existing.id)
    assert (follower.user_id, follower.chat_id) == (user.id, user.id)

    async with rig.sessions() as session, session.begin():  # staff act on the original
        media = MediaStore(rig.data_dir / "media", max_bytes=1024)
        service = ReportService(session, Outbox(session), SystemClock(), media)
        await service.change_status(
            existing.ticket, "accepted", by=Staff(id=1, name="tg:1"), note="已受理"
        )
    notices = await rig.rows(OutboxMessage, chat_id=user.id)
    assert len(notices) == 1 and "您关注的举报" in message_text(notices[0])
    # The outbox delivers it to the follower through Telegram (no quiet hours: wall clock).
    async with rig.running(deliver=True, quiet_start_hour=0, quiet_end_hour=0):
        delivered = await prompt(user, "您关注的举报")
    assert existing.ticket in (delivered.plain or "") and "已受理" in (delivered.plain or "")


async def test_a_citizen_who_says_it_is_a_different_problem_files_their_own(
    rig: BotRig, user: FakeUser
) -> None:
    await seed_report(
        rig.sessions, rig.data_dir, lat=None, lon=None, address="锦江北路",
        description="锦江北路工地扬尘严重，运输车辆带泥上路",
    )  # fmt: skip
    filing = Filing(location="锦江北路中段", description="锦江北路工地扬尘严重，运输车辆带泥上路！")
    async with rig.running():
        await begin(user)
        await to_district(user, filing)
        await choose_district(user, "碧江区")
        offer = await prompt(user, "已有相似的举报")
        assert "同区县、描述相近" in (offer.plain or "")
        await user.press("不是同一个问题，继续填写")
        await prompt(user, step(5))
        await user.press("完成")
        await prompt(user, step(6))
        await user.send_text("不留手机号")
        await prompt(user, step(7))
        ticket = await submit(user)

        # Another category at the same place is not "similar": straight on to the photos.
        noise = Filing(category="噪声", location="锦江北路中段", description="工地夜间噪声")
        await begin(user)
        await to_district(user, noise)
        await choose_district(user, "碧江区")
        await prompt(user, step(5))

    tickets = [r.ticket for r in await rig.rows(Report)]
    assert len(tickets) == 2 and ticket in tickets
