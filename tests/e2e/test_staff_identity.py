"""One staff identity for the bot and the console: a console account linked to a Telegram id acts
in the bot with the account's role and name (no settings list needed), and disabling the
account ends those rights in the bot at the next press."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.texts.staff import REVIEWERS_ONLY
from ground.clock import SystemClock
from reports import Report, ReportEvent
from staff import StaffAccounts
from tests.e2e.report_steps import prompt, seed_report
from tests.e2e.test_report_staff import change
from tests.support.bot_rig import until

if TYPE_CHECKING:
    from tests.support.bot_rig import BotRig
    from tests.support.fake_bot_api import FakeBotAPI

TELEGRAM_ID = 5_100_777


async def test_a_linked_console_account_acts_in_the_bot_until_it_is_disabled(
    rig: BotRig, fake: FakeBotAPI
) -> None:
    report = await seed_report(rig.sessions, rig.data_dir)
    async with rig.sessions.begin() as session:
        accounts = StaffAccounts(session)
        account = await accounts.add(
            "liwei", role="reviewer", password="a-long-enough-password", now=SystemClock().now()
        )
        await accounts.link_telegram("liwei", TELEGRAM_ID)
        account_id = account.id
    staff = fake.user(TELEGRAM_ID, "李伟")
    async with rig.running(scheduler_enabled=False):  # no settings lists: the account decides
        await staff.send_command("/queue")
        queue = await prompt(staff, "待处理举报")
        await staff.press(report.ticket, message=queue)
        card = await prompt(staff, "受理期限")
        await change(staff, staff, card, "受理", "已受理，明天到现场")
        await prompt(staff, "已更新")

        async with rig.sessions.begin() as session:
            await StaffAccounts(session).set_active("liwei", False)
        answered = len(staff.callback_answers)
        await staff.press("办结")  # on the card, now showing the moves from 已受理
        await until(lambda: len(staff.callback_answers) > answered, what="the refusal")

    assert staff.callback_answers[-1].get("text") == REVIEWERS_ONLY
    (moved,) = await rig.rows(Report, ticket=report.ticket)
    assert moved.status == "accepted"  # the press after disabling changed nothing
    events = await rig.rows(ReportEvent, report_id=report.id)
    assert [(e.to_status, e.staff_id, e.staff_name) for e in events[1:]] == [
        ("accepted", account_id, "web:liwei")  # the console's name for this person
    ]
