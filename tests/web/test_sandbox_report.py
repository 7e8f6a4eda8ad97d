"""The report flow as a web visitor meets it at /chat: several photos chosen at once, each stored
without its EXIF; step 6 and the privacy notice speak to a visitor with no Telegram account;
the console names the reporter a web visitor. In-process over HTTP against `create_app`."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.texts import reports as report_texts
from reports import MediaStore, Report
from tests.web.conftest import Browser, Web
from tests.web.test_chat import Visitor, chat_web  # noqa: F401

pytestmark = pytest.mark.slow  # the answer engine

PHONE_MAKER = "PhoneMaker"


def gps_jpeg(shade: int) -> bytes:
    """A small JPEG carrying a camera maker and a GPS position in its EXIF."""
    exif = Image.Exif()
    exif[0x010F] = PHONE_MAKER
    exif.get_ifd(0x8825).update({1: "N", 2: (27.0, 43.0, 5.0), 3: "E", 4: (109.0, 11.0, 20.0)})
    output = io.BytesIO()
    Image.new("RGB", (24, 12), (shade, 160, 40)).save(output, format="JPEG", exif=exif)
    return output.getvalue()


@pytest.fixture
async def visitor(chat_web: Web) -> AsyncIterator[Visitor]:  # noqa: F811
    person = Visitor(chat_web)
    await person.open()
    yield person
    await person.close()


async def to_photos(visitor: Visitor) -> None:
    """/report to the photos step, the district picked from the list."""
    await visitor.say("/report")
    await visitor.press("大气/扬尘")
    await visitor.say("工地夜间施工扬尘很大，没有洒水")
    await visitor.press(report_texts.BUTTON_DISTRICT_ONLY)
    await visitor.press("万山区")


async def upload(visitor: Visitor, photos: list[bytes]) -> str:
    files = [("photo", (f"p{n}.jpg", data, "image/jpeg")) for n, data in enumerate(photos)]
    return await visitor._post("/chat/photo", {"caption": ""}, files=files)


async def test_several_photos_chosen_at_once_are_all_stored_without_exif(
    chat_web: Web,  # noqa: F811
    visitor: Visitor,
) -> None:
    await to_photos(visitor)
    shown = await upload(visitor, [gps_jpeg(shade) for shade in (10, 90, 170)])
    assert "已收到第 3 张照片" in shown and "已收到第 1 张照片" in shown
    await visitor.press(report_texts.BUTTON_DONE)
    await visitor.say(report_texts.BUTTON_ANONYMOUS)
    await visitor.press(report_texts.BUTTON_SUBMIT)
    async with chat_web.sessions() as session:
        report = (await session.scalars(select(Report).options(selectinload(Report.photos)))).one()
    assert len(report.photos) == 3
    media = MediaStore(chat_web.settings.media_dir, max_bytes=chat_web.settings.max_photo_bytes)
    for photo in report.photos:
        stored = media.read(photo.name)
        assert PHONE_MAKER.encode() not in stored
        assert not Image.open(io.BytesIO(stored)).getexif().get_ifd(0x8825)


async def test_more_photos_than_a_report_holds_are_left_out_and_the_visitor_told(
    visitor: Visitor,
) -> None:
    await to_photos(visitor)
    shown = await upload(visitor, [gps_jpeg(shade) for shade in range(0, 210, 30)])  # 7
    assert "已收到第 5 张照片" in shown and "已收到第 6 张照片" not in shown
    assert "多选的 2 张没有发送" in shown


async def test_a_web_visitor_is_spoken_to_and_shown_to_staff_as_a_web_visitor(
    chat_web: Web,  # noqa: F811
    visitor: Visitor,
) -> None:
    await visitor.say("/report")
    assert "手机号在提交两年后删除" in visitor.html  # the privacy notice, as people say it
    await visitor.press("大气/扬尘")
    await visitor.say("工地夜间施工扬尘很大，没有洒水")
    await visitor.press(report_texts.BUTTON_DISTRICT_ONLY)
    await visitor.press("万山区")
    await visitor.press(report_texts.BUTTON_DONE)
    step6 = visitor.html[visitor.html.rindex("第 6 步") :]
    assert "网页体验区的访客" in step6 and "Telegram" not in step6
    await visitor.say("13800000000")  # typed: not a button, a hint
    await visitor._post("/chat/contact", {"phone": "13812345678"})
    submitted = await visitor.press(report_texts.BUTTON_SUBMIT)
    ticket = re.search(r"TR-\d{4}-\d{4}", submitted)
    assert ticket, submitted
    admin = Browser(chat_web.app)
    await admin.log_in("admin1")
    detail = (await admin.get(f"/reports/{ticket.group(0)}")).text
    await admin.close()
    assert f"网页体验区访客 #{visitor.id}" in detail
    assert "Telegram 用户" not in detail
