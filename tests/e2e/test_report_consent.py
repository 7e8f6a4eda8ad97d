"""The location's own consent (PIPL Art. 28–29): asked before a precise location is shared,
recorded on the report when given; declined, the place is a typed address or the district
only, and no coordinates are stored."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import texts
from bot.texts import reports as words
from reports import Report
from tests.e2e.report_steps import (
    RIVERSIDE,
    Filing,
    begin,
    prompt,
    step,
    submit,
    to_district,
    to_summary,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.support.bot_rig import BotRig
    from tests.support.fake_bot_api import BotMessage, FakeUser


async def to_consent(user: FakeUser, description: str) -> BotMessage:
    await begin(user)
    await user.press("大气/扬尘")
    await prompt(user, step(2))
    await user.send_text(description)
    return await prompt(user, step(3))


def request_location_shown(user: FakeUser) -> bool:
    keyboard = user.reply_keyboard or {}
    return any(b.get("request_location") for row in keyboard.get("keyboard", []) for b in row)


async def test_consent_is_asked_before_the_location_and_recorded_on_the_report(
    rig: BotRig, user: FakeUser
) -> None:
    async with rig.running():
        consent = await to_consent(user, "锦江北路工地扬尘很大，运输车辆带泥上路")
        shown = consent.plain or ""
        assert "敏感个人信息" in shown and "只提供给处理这条举报的工作人员和承办部门" in shown
        assert {
            words.BUTTON_CONSENT_LOCATION,
            words.BUTTON_TYPE_ADDRESS,
            words.BUTTON_DISTRICT_ONLY,
        } <= set(consent.button_texts)
        assert not request_location_shown(user)  # nothing asks for the location yet
        await user.press(words.BUTTON_CONSENT_LOCATION)
        await prompt(user, words.BUTTON_SEND_LOCATION)
        assert request_location_shown(user)
        await user.send_location(*RIVERSIDE)
        await prompt(user, step(4))
        await to_summary(user, Filing())
        ticket = await submit(user)

    (report,) = await rig.rows(Report, ticket=ticket)
    assert (report.lat, report.lon) == RIVERSIDE
    assert report.location_consent_at is not None


async def test_a_location_sent_before_consent_is_not_stored(rig: BotRig, user: FakeUser) -> None:
    async with rig.running():
        await to_consent(user, "河边有人焚烧垃圾，烟很大")
        await user.send_location(*RIVERSIDE)  # from the attachment menu, without consenting
        await prompt(user, words.CONSENT_FIRST[:12])
        again = await prompt(user, step(3))
        assert words.BUTTON_CONSENT_LOCATION in again.button_texts
        await user.press(words.BUTTON_DISTRICT_ONLY)
        await prompt(user, step(4))
        summary = await to_summary(user, Filing())
        assert words.LOCATION_NONE in (summary.plain or "")
        ticket = await submit(user)

    (report,) = await rig.rows(Report, ticket=ticket)
    assert (report.lat, report.lon, report.location_consent_at) == (None, None, None)


async def test_declining_gives_a_typed_address_and_no_coordinates(
    rig: BotRig, user: FakeUser
) -> None:
    async with rig.running():
        await to_consent(user, "小区门口垃圾堆积发臭")
        await user.press(words.BUTTON_CONSENT_LOCATION)  # consented first …
        await prompt(user, step(3))
        await user.send_text("滨江大道 1 号旁")  # … then typed an address instead
        await prompt(user, step(4))
        summary = await to_summary(user, Filing())
        assert "滨江大道 1 号旁" in (summary.plain or "")
        ticket = await submit(user)

    (report,) = await rig.rows(Report, ticket=ticket)
    assert report.address == "滨江大道 1 号旁"
    assert (report.lat, report.lon, report.location_consent_at) == (None, None, None)


async def test_editing_the_place_asks_the_consent_again_and_can_withdraw_it(
    rig: BotRig, user: FakeUser
) -> None:
    async with rig.running():
        await begin(user)
        await to_district(user, Filing())  # shared with consent
        await to_summary(user, Filing())
        await user.press(words.BUTTON_EDIT)
        await prompt(user, words.EDIT_WHAT)
        await user.press("位置")
        await prompt(user, "敏感个人信息")
        await user.press(words.BUTTON_DISTRICT_ONLY)
        summary = await prompt(user, step(7))
        assert words.LOCATION_NONE in (summary.plain or "")
        ticket = await submit(user)

    (report,) = await rig.rows(Report, ticket=ticket)
    assert (report.lat, report.location_consent_at) == (None, None)


async def test_a_traditional_reader_is_asked_in_traditional(
    rig: BotRig, make_user: Callable[..., FakeUser]
) -> None:
    reader = make_user("陳先生", language_code="zh-tw")
    async with rig.running():
        await begin(reader)
        await reader.press(texts.say("大气/扬尘", "hant"))
        await prompt(reader, step(2))
        await reader.send_text("工地揚塵很大，車輛帶泥上路")
        consent = await prompt(reader, step(3))
        assert "敏感個人信息" in (consent.plain or "")
        await reader.press(texts.say(words.BUTTON_CONSENT_LOCATION, "hant"))
        await prompt(reader, texts.say(words.BUTTON_SEND_LOCATION, "hant"))
        await reader.send_location(*RIVERSIDE)
        await prompt(reader, step(4))
