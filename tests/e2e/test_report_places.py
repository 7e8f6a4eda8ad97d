"""The district read from the place (reports/places.py) in the Telegram flow: proposed at step 4
for the citizen to confirm or replace, asked again when an edit moves the place to another
district, and typed the way people say it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.texts import reports as words
from reports import Report
from tests.e2e.report_steps import Filing, begin, prompt, step, submit, to_district

if TYPE_CHECKING:
    from tests.support.bot_rig import BotRig
    from tests.support.fake_bot_api import FakeUser


async def test_the_district_read_from_a_typed_address_is_proposed_and_can_be_replaced(
    rig: BotRig, user: FakeUser
) -> None:
    async with rig.running():
        await begin(user)
        proposed = await to_district(user, Filing(location="蓼皋街道 农贸市场后门"))
        assert "您填写的地址在松桃苗族自治县，对吗？" in (proposed.plain or "")
        assert proposed.find_button(words.BUTTON_YES) is not None
        await user.press(words.BUTTON_OTHER_DISTRICT)
        await prompt(user, words.ASK_DISTRICT)
        await user.send_text("玉屏")  # a short form is understood at the list too
        await prompt(user, step(5))
        await user.press(words.BUTTON_DONE)
        await prompt(user, step(6))
        await user.send_text(words.BUTTON_NO_PHONE)
        summary = await prompt(user, step(7))
        assert "区县：玉屏侗族自治县" in (summary.plain or "")
        ticket = await submit(user)
    (report,) = await rig.rows(Report, ticket=ticket)
    assert report.district == "玉屏侗族自治县"


async def test_editing_the_place_into_another_district_asks_to_confirm_the_new_one(
    rig: BotRig, user: FakeUser
) -> None:
    async with rig.running():
        await begin(user)
        await to_district(user, Filing(location="木黄镇 中学后面"))
        await user.press(words.BUTTON_YES)  # 印江
        await prompt(user, step(5))
        await user.press(words.BUTTON_DONE)
        await prompt(user, step(6))
        await user.send_text(words.BUTTON_NO_PHONE)
        await prompt(user, step(7))
        await user.press(words.BUTTON_EDIT)
        await prompt(user, words.EDIT_WHAT)
        await user.press("位置")
        await prompt(user, "敏感个人信息")
        await user.press("rp:address")
        await prompt(user, step(3))
        await user.send_text("碧江区锦江北路 12 号附近")
        again = await prompt(user, "您填写的地址在碧江区，对吗？")
        await user.press(words.BUTTON_YES, again)
        summary = await prompt(user, step(7))
        assert "区县：碧江区" in (summary.plain or "")
        ticket = await submit(user)
    (report,) = await rig.rows(Report, ticket=ticket)
    assert (report.address, report.district) == ("碧江区锦江北路 12 号附近", "碧江区")
