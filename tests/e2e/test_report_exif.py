"""Photos are stored without their metadata: a photo sent as a file keeps its EXIF (GPS, the
device) in Telegram, and the media store re-encodes every picture without it, turned upright."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from PIL import Image

from bot.texts import reports as words
from reports import Report
from tests.e2e.report_steps import (
    Filing,
    begin,
    choose_district,
    jpeg,
    prompt,
    step,
    submit,
    to_district,
)

if TYPE_CHECKING:
    from tests.support.bot_rig import BotRig
    from tests.support.fake_bot_api import FakeUser

GPS_IFD = 0x8825
ORIENTATION, MAKE, MODEL = 0x0112, 0x010F, 0x0110


def with_gps(n: int) -> bytes:
    """A 32×24 JPEG that says where and with what it was taken, and that it is on its side."""
    exif = Image.Exif()
    exif[MAKE], exif[MODEL] = "PhoneMaker", "Model X"
    exif[ORIENTATION] = 6  # shown rotated 90°: 24 wide, 32 high
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (27.0, 43.0, 5.9), 3: "E", 4: (109.0, 11.0, 22.1)})
    photo = jpeg(n, exif=exif)
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(GPS_IFD)  # it does carry a place
    return photo


async def test_photos_sent_as_files_and_as_photos_are_stored_without_exif(
    rig: BotRig, user: FakeUser
) -> None:
    async with rig.running():
        await begin(user)
        await to_district(user, Filing(location=None))
        await choose_district(user, "碧江区")
        await prompt(user, step(5))
        await user.send_document("IMG_0001.jpg", with_gps(1), mime_type="image/jpeg")
        await prompt(user, "已收到第 1 张照片")
        await user.send_photo(with_gps(2))
        await prompt(user, "已收到第 2 张照片")
        await user.press(words.BUTTON_DONE)
        await prompt(user, step(6))
        await user.send_text(words.BUTTON_NO_PHONE)
        await prompt(user, step(7))
        ticket = await submit(user)

    (report,) = await rig.rows(Report, ticket=ticket)
    assert len(report.photos) == 2
    for photo in report.photos:
        data = (rig.data_dir / "media" / photo.name[:2] / photo.name).read_bytes()
        assert b"PhoneMaker" not in data and b"Model X" not in data
        stored = Image.open(io.BytesIO(data))
        assert stored.format == "JPEG"
        assert not stored.getexif() and not stored.getexif().get_ifd(GPS_IFD)
        assert "exif" not in stored.info and "xmp" not in stored.info
        assert stored.size == (24, 32)  # the orientation applied to the pixels


async def test_a_file_that_is_no_picture_is_refused_and_nothing_is_kept(
    rig: BotRig, user: FakeUser
) -> None:
    async with rig.running():
        await begin(user)
        await to_district(user, Filing(location=None))
        await choose_district(user, "碧江区")
        await prompt(user, step(5))
        await user.send_document("chimney.jpg", b"\xff\xd8\xff\xe0 not really a jpeg")
        await prompt(user, "没有保存")

    media = rig.data_dir / "media"
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]
