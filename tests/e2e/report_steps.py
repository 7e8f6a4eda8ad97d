"""A citizen going through 随手拍/举报 in the fake Telegram, one step at a time, and seeding
reports straight through the domain when a test only needs one to exist.

Each step waits for the bot's next prompt (recognised by its 第 n 步 heading), so a test reads
like the conversation and a silent bot fails with what it did say.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from PIL import Image

from bot.texts import reports as words
from ground.clock import SystemClock
from outbox import Outbox
from reports import DISTRICTS, Limits, MediaStore, Report, ReportService
from reports.media import strip_metadata
from tests.support.bot_rig import REPLY_TIMEOUT

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from ground.clock import Clock
    from tests.support.fake_bot_api import BotMessage, ChatView, FakeUser

TICKET = re.compile(r"TR-\d{4}-\d{4,}")
# 锦江 riverside in 碧江区, 铜仁's centre; 0.0003° of latitude is about 33 m.
RIVERSIDE = (27.71830, 109.18940)
STAFF_CHAT = -1_001_234_567_890


def jpeg(n: int, *, exif: Image.Exif | None = None) -> bytes:
    """A small JPEG, distinct for each `n` (the media store decodes and re-encodes it)."""
    picture = Image.new("RGB", (32, 24), (n * 37 % 256, n * 91 % 256, 120))
    output = io.BytesIO()
    picture.save(output, format="JPEG", quality=95, exif=exif or Image.Exif())
    return output.getvalue()


def stored_digest(photo: bytes) -> str:
    """The SHA-256 a photo is stored under: of its bytes stripped of metadata."""
    return hashlib.sha256(strip_metadata(photo)).hexdigest()


def step(n: int) -> str:
    return f"第 {n} 步"


async def prompt(chat: ChatView, text: str) -> BotMessage:
    """The first new bot message containing `text`."""
    return await chat.wait_for_message(lambda m: text in (m.plain or ""), timeout=REPLY_TIMEOUT)


@dataclass
class Filing:
    """What a citizen enters; defaults make a valid report near the riverside."""

    category: str = "大气/扬尘"
    description: str = "锦江北路工地夜间施工扬尘很大，运输车辆带泥上路，已持续一周。"
    location: tuple[float, float] | str | None = RIVERSIDE  # a point, a typed address, or skip
    district: str = "碧江区"
    photos: list[bytes] = field(default_factory=list)
    contact: Literal["phone", "none", "anonymous"] = "none"
    phone: str = "+8613800138000"


async def begin(user: FakeUser) -> BotMessage:
    """/report, up to the category buttons."""
    await user.send_command("/report")
    return await prompt(user, step(1))


async def to_district(user: FakeUser, filing: Filing) -> BotMessage:
    """From the category buttons to the district buttons."""
    await user.press(filing.category)
    await prompt(user, step(2))
    await user.send_text(filing.description)
    await place(user, filing.location)
    return await prompt(user, step(4))


async def place(user: FakeUser, location: tuple[float, float] | str | None) -> None:
    """The location step: its consent and a point, a typed address, or the district only.
    Buttons are pressed by their data, so a 繁體 reader walks it the same way."""
    consent = await prompt(user, step(3))
    assert "敏感" in (consent.plain or "")  # asked before any location is shared
    if isinstance(location, tuple):
        await user.press("rp:share")
        await prompt(user, step(3))  # then the location's button
        assert user.reply_keyboard is not None  # the location keyboard is up
        await user.send_location(*location)
    elif isinstance(location, str):
        await user.press("rp:address")
        await prompt(user, step(3))
        await user.send_text(location)
    else:
        await user.press("rp:area")


async def choose_district(user: FakeUser, district: str) -> None:
    """Step 4: 是 when the district proposed from the place is `district`; else the whole
    list (选择其他区县 first, when one was proposed) and `district` from it."""
    shown = user.last_message()
    assert shown is not None
    if shown.find_button("rp:districts") is not None:
        wanted = f"rpd:{DISTRICTS.index(district)}" if district in DISTRICTS else None
        if wanted is not None and shown.find_button(wanted) is not None:
            await user.press(wanted)  # 是
            return
        await user.press("rp:districts")
        await prompt(user, step(4))  # the whole list, in the reader's script
    await user.press(district)


async def to_summary(user: FakeUser, filing: Filing) -> BotMessage:
    """From step 4 (the district) to the summary (no similar reports expected)."""
    await choose_district(user, filing.district)
    await prompt(user, step(5))
    for n, photo in enumerate(filing.photos, start=1):
        await user.send_photo(photo)
        await prompt(user, f"已收到第 {n} 张照片")
    await user.press(words.BUTTON_DONE)
    await prompt(user, step(6))
    if filing.contact == "phone":
        await user.send_contact(filing.phone)
    elif filing.contact == "anonymous":
        await user.send_text(words.BUTTON_ANONYMOUS)
    else:
        await user.send_text(words.BUTTON_NO_PHONE)
    return await prompt(user, step(7))


async def submit(user: FakeUser) -> str:
    """Press 提交 on the summary; the ticket number the bot gives back."""
    await user.press(words.BUTTON_SUBMIT)
    done = await prompt(user, "工单号")
    found = TICKET.search(done.plain or "")
    assert found, done.plain
    return found.group()


async def file_report(user: FakeUser, filing: Filing | None = None) -> str:
    filing = filing or Filing()
    await begin(user)
    await to_district(user, filing)
    await to_summary(user, filing)
    return await submit(user)


async def seed_report(
    sessions: async_sessionmaker[AsyncSession],
    data_dir: Path,
    *,
    clock: Clock | None = None,
    **values: object,
) -> Report:
    """A report filed straight through ReportService (committed), for tests about what
    happens to an existing one."""
    fields: dict[str, object] = {
        "user_id": 9_000_001,
        "chat_id": 9_000_001,
        "category": "air",
        "description": "锦江北路工地扬尘，车辆带泥上路",
        "district": "碧江区",
        "lat": RIVERSIDE[0],
        "lon": RIVERSIDE[1],
    }
    fields.update(values)
    async with sessions() as session, session.begin():
        service = ReportService(
            session,
            Outbox(session),
            clock or SystemClock(),
            MediaStore(data_dir / "media", max_bytes=10 * 1024 * 1024),
            limits=Limits(reports_per_day=100),
        )
        return await service.submit(**fields)  # type: ignore[arg-type]
