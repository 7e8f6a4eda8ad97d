"""随手拍/举报 end to end: the real bot, the fake Telegram, a real database and media store."""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING

from bot.texts import reports as words
from reports import Report, status_name
from tests.e2e.report_steps import (
    RIVERSIDE,
    STAFF_CHAT,
    Filing,
    begin,
    choose_district,
    jpeg,
    prompt,
    seed_report,
    step,
    stored_digest,
    submit,
    to_district,
    to_summary,
)

if TYPE_CHECKING:
    import pytest

    from tests.support.bot_rig import BotRig
    from tests.support.fake_bot_api import FakeBotAPI, FakeUser


async def test_a_full_report_with_a_location_and_two_photos_is_stored_and_gets_a_ticket(
    rig: BotRig, fake: FakeBotAPI, user: FakeUser, caplog: pytest.LogCaptureFixture
) -> None:
    filing = Filing(photos=[jpeg(1), jpeg(2)], contact="phone")
    staff_chat = fake.chat(STAFF_CHAT, title="举报受理")
    with caplog.at_level(logging.INFO):
        async with rig.running(staff_chat_id=STAFF_CHAT, deliver=True, scheduler_enabled=False):
            await user.send_command("/report")
            notice = await prompt(user, "个人信息说明")  # before the first report only
            assert "手机号在提交两年后删除" in (notice.plain or "")
            categories = await prompt(user, step(1))
            assert len(categories.buttons) == 8 + 1  # the eight categories and 取消
            await to_district(user, filing)
            summary = await to_summary(user, filing)
            shown = summary.plain or ""
            assert "大气/扬尘" in shown and filing.description in shown
            assert "27.71830, 109.18940" in shown and "照片：2 张" in shown
            assert "手机号（仅工作人员可见）" in shown
            ticket = await submit(user)
            card = await prompt(staff_chat, ticket)

            await user.send_command("/myreports")
            mine = await prompt(user, "您的举报")

    (report,) = await rig.rows(Report, ticket=ticket)
    assert (report.category, report.district, report.status) == ("air", "碧江区", "submitted")
    assert report.description == filing.description
    assert (report.lat, report.lon) == RIVERSIDE and report.address is None
    assert report.location_consent_at is not None  # the location was shared with consent
    assert report.reporter_user_id == user.id and report.phone == filing.phone
    assert not report.anonymous and report.department == "市生态环境局"
    stored = [(p.position, p.sha256) for p in report.photos]
    assert stored == [(i, stored_digest(jpeg(i + 1))) for i in range(2)]
    for photo in report.photos:  # downloaded through getFile into the content-named store
        path = rig.data_dir / "media" / photo.name[:2] / photo.name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == photo.sha256
    assert len(fake.calls_to("getFile")) == 2
    assert "碧江区" in (card.plain or "") and "材料：照片 2 张" in (card.plain or "")
    assert str(user.id) not in (card.plain or "")  # contact in the console only (reports/privacy)
    assert ticket in (mine.plain or "") and status_name("submitted") in (mine.plain or "")
    # Logs never carry the report's text or the phone number.
    assert filing.phone not in caplog.text and "8613800138000" not in caplog.text
    assert filing.description not in caplog.text and "扬尘很大" not in caplog.text


async def test_the_location_step_offers_a_button_that_requests_the_location(
    rig: BotRig, user: FakeUser
) -> None:
    async with rig.running():
        await begin(user)
        await user.press("水污染")
        await prompt(user, step(2))
        await user.send_text("河面漂浮大量死鱼，有刺鼻气味")
        await prompt(user, step(3))  # the consent comes first, then the location's button
        await user.press(words.BUTTON_CONSENT_LOCATION)
        await prompt(user, words.BUTTON_SEND_LOCATION)
        keyboard = user.reply_keyboard or {}
        buttons = [button for row in keyboard.get("keyboard", []) for button in row]
        assert any(b.get("request_location") for b in buttons)
        assert {words.BUTTON_SKIP, words.BUTTON_BACK, words.BUTTON_CANCEL} <= {
            b["text"] for b in buttons
        }
        await user.send_text("东太大道 88 号桥下")
        await prompt(user, step(4))
        assert user.reply_keyboard is None  # taken away once answered


async def test_wrong_input_gets_a_hint_and_keeps_what_was_entered(
    rig: BotRig, user: FakeUser
) -> None:
    async with rig.running(throttle_per_minute=120):  # more messages than a minute's share
        await begin(user)
        await user.send_text("随便写写")  # not a category
        await prompt(user, words.HINT_CATEGORY)
        await user.press("噪声")
        await prompt(user, step(2))
        await user.send_sticker()  # a sticker where text is expected
        await prompt(user, "请用文字描述问题")
        await user.send_photo(jpeg(9))  # a photo is not a description either
        await prompt(user, "请用文字描述问题")
        await user.send_text("夜里 KTV 噪声扰民")
        await prompt(user, step(3))
        await user.send_text(words.BUTTON_BACK)  # 返回 typed at the location's consent
        await prompt(user, step(2))
        await user.send_text("长" * 4001)
        await prompt(user, "描述太长了")
        await user.press(words.BUTTON_BACK)  # the inline 返回: to the categories
        await prompt(user, step(1))
        await user.press("噪声")
        await prompt(user, step(2))
        await user.send_text("夜里 KTV 噪声扰民，凌晨两点还在唱")
        await prompt(user, step(3))
        await user.send_text(words.BUTTON_SKIP)
        await prompt(user, step(4))
        await user.send_text("贵阳市")  # not one of Tongren's districts
        await prompt(user, "请点上面消息里的按钮选择区县")
        await user.send_text("万山区")  # typed instead of pressed: accepted
        await prompt(user, step(5))
        for n in range(1, 6):
            await user.send_photo(jpeg(n))
            await prompt(user, f"已收到第 {n} 张照片")
        await user.send_photo(jpeg(6))
        refused = await prompt(user, "最多只能上传 5 张照片")
        assert "5 张都还在" in (refused.plain or "")
        await user.send_photo(jpeg(2))
        await prompt(user, "最多只能上传")  # still refused, still five
        await user.send_text("完成")
        await prompt(user, step(6))
        await user.send_voice()
        await prompt(user, words.HINT_CONTACT)
        await user.send_text(words.BUTTON_ANONYMOUS)
        summary = await prompt(user, step(7))
        assert "照片：5 张" in (summary.plain or "") and "万山区" in (summary.plain or "")
        assert "未提供（仅区县）" in (summary.plain or "")
        ticket = await submit(user)

    (report,) = await rig.rows(Report, ticket=ticket)
    assert report.description == "夜里 KTV 噪声扰民，凌晨两点还在唱"
    assert report.category == "noise" and report.district == "万山区"
    assert [p.sha256 for p in report.photos] == [stored_digest(jpeg(n)) for n in range(1, 6)]
    assert report.anonymous and report.phone is None and report.lat is None


async def test_cancel_mid_flow_stores_nothing_and_the_next_report_starts_afresh(
    rig: BotRig, user: FakeUser
) -> None:
    async with rig.running():
        await begin(user)
        await to_district(user, Filing(description="垃圾站恶臭"))
        await choose_district(user, "碧江区")
        await prompt(user, step(5))
        await user.send_command("/cancel")
        await prompt(user, "已取消")
        await user.send_photo(jpeg(1))  # outside the flow now: the media router answers
        await user.wait_for_message(lambda m: "举报" in (m.plain or ""))

        await begin(user)  # the flow's own 取消 button too
        await user.press(words.BUTTON_CANCEL)
        await prompt(user, words.CANCELLED)
        await begin(user)
        await user.press("其他")
        await prompt(user, step(2))  # a fresh draft, not the old description

    assert await rig.rows(Report) == []


async def test_the_daily_limit_stops_a_further_report_politely(rig: BotRig, user: FakeUser) -> None:
    await seed_report(rig.sessions, rig.data_dir, user_id=user.id, chat_id=user.id)
    async with rig.running(reports_per_day=1):
        await user.send_command("/report")
        refusal = await prompt(user, "每日上限")
    assert "12369" in (refusal.plain or "")
    assert len(await rig.rows(Report)) == 1


async def test_a_traditional_chinese_citizen_reads_the_flow_in_traditional(
    rig: BotRig, fake: FakeBotAPI
) -> None:
    reader = fake.user(6_190_001, "小綠", language_code="zh-hant")
    async with rig.running():
        await reader.send_command("/report")
        first = await prompt(reader, "第 1 步")
        assert "請選擇問題類別" in (first.plain or "")
        assert "大氣/揚塵" in first.button_texts
        await reader.press("大氣/揚塵")
        await prompt(reader, "請用文字描述問題")
