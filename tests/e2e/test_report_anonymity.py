"""Anonymity as promised to the reporter: staff see neither identity nor contact, in the bot's
cards and in `greenbot reports export`; the reporter still gets status updates."""

from __future__ import annotations

import asyncio
import csv
import os
import sys
from typing import TYPE_CHECKING

from reports import ANONYMITY_EXPLAINED, Report
from tests.e2e.report_steps import (
    STAFF_CHAT,
    TICKET,
    Filing,
    begin,
    choose_district,
    prompt,
    seed_report,
    step,
    to_district,
)

if TYPE_CHECKING:
    from pathlib import Path

    from tests.support.bot_rig import BotRig
    from tests.support.fake_bot_api import FakeBotAPI, FakeUser

STAFF_ID = 5_100_002
NAMED_USER, NAMED_PHONE = 9_000_005, "13912345678"


async def export(rig: BotRig, tmp_path: Path, *args: str) -> list[dict[str, str]]:
    """Run `greenbot reports export` as an operator would, on the rig's database."""
    out = tmp_path / "reports.csv"
    url = rig.sessions.kw["bind"].url.render_as_string(hide_password=False)
    env = {**os.environ, "GREENBOT_DATABASE_URL": url, "GREENBOT_DATA_DIR": str(rig.data_dir)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "greenbot", "reports", "export", "--format", "csv",
        "--output", str(out), *args,
        env=env,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, stderr = await process.communicate()
    assert process.returncode == 0, stderr.decode()
    assert "exported 2 reports" in stderr.decode()
    text = out.read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


async def test_an_anonymous_reporter_is_hidden_from_staff_and_the_export(
    rig: BotRig, fake: FakeBotAPI, user: FakeUser, tmp_path: Path
) -> None:
    named = await seed_report(
        rig.sessions, rig.data_dir, user_id=NAMED_USER, chat_id=NAMED_USER, phone=NAMED_PHONE
    )
    staff_chat = fake.chat(STAFF_CHAT, title="举报受理")
    staff = fake.user(STAFF_ID, "李科员")
    filing = Filing(contact="anonymous", description="养殖场污水直排小河", category="水污染")
    async with rig.running(  # deliver: the new-report post goes through the outbox
        deliver=True, scheduler_enabled=False, staff_reviewers=[STAFF_ID], staff_chat_id=STAFF_CHAT
    ):
        await begin(user)
        await to_district(user, filing)
        await choose_district(user, filing.district)
        await prompt(user, step(5))
        await user.press("完成")
        contact = await prompt(user, step(6))
        assert ANONYMITY_EXPLAINED in (contact.plain or "")  # exactly what anonymity means
        await user.send_text("匿名举报")
        summary = await prompt(user, step(7))
        assert "联系方式：匿名" in (summary.plain or "")
        await user.press("✅ 提交")
        found = TICKET.search((await prompt(user, "工单号")).plain or "")
        assert found
        anonymous_ticket = found.group()
        posted = await prompt(staff_chat, anonymous_ticket)

        await staff.send_command("/queue")
        queue = await prompt(staff, "待处理举报")
        await staff.press(anonymous_ticket, message=queue)
        anonymous_card = await prompt(staff, "工单 " + anonymous_ticket)
        await staff.press(named.ticket, message=queue)
        named_card = await prompt(staff, "工单 " + named.ticket)

    for card in (posted, anonymous_card):
        shown = card.plain or ""
        assert "匿名（身份和联系方式已隐藏）" in shown
        assert str(user.id) not in shown and user.user["first_name"] not in shown
    shown = named_card.plain or ""  # a reviewer: the contact policy hides a named one's contact
    assert str(NAMED_USER) not in shown and NAMED_PHONE not in shown and "实名" in shown

    rows = {
        row["service_request_id"]: row for row in await export(rig, tmp_path, "--include-contact")
    }
    assert rows[anonymous_ticket]["reporter_user_id"] == rows[anonymous_ticket]["phone"] == ""
    assert rows[anonymous_ticket]["description"] == filing.description
    assert (rows[named.ticket]["reporter_user_id"], rows[named.ticket]["phone"]) == (
        str(NAMED_USER),
        NAMED_PHONE,
    )
    everything = (tmp_path / "reports.csv").read_text(encoding="utf-8")
    assert str(user.id) not in everything
    (stored,) = await rig.rows(Report, ticket=anonymous_ticket)
    assert stored.anonymous and stored.reporter_chat_id == user.id  # updates still reach them

    public = await export(rig, tmp_path)  # without --include-contact: no contact columns at all
    assert "phone" not in public[0] and "reporter_user_id" not in public[0]


async def test_the_export_refuses_an_unknown_format(rig: BotRig, tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "greenbot", "reports", "export", "--format", "xml",
        env={**os.environ, "GREENBOT_DATA_DIR": str(tmp_path)},
        stderr=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, stderr = await process.communicate()
    assert process.returncode != 0 and "only csv" in stderr.decode()
