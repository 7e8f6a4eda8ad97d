"""An admin links a console account to its holder's Telegram id on the 账号 page: the bot then
knows that person by the account (staff/identity.py); a reviewer cannot link, an id linked to
someone else is refused, and clearing the id unlinks. Each change is in the audit trail."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from staff import StaffAccounts, StaffEvent
from staff.identity import telegram_staff
from tests.web.conftest import Browser, Web

TELEGRAM_ID = 5_100_888


async def test_an_admin_links_and_unlinks_a_telegram_account(
    web: Web, browser: Callable[[], Browser]
) -> None:
    admin, reviewer = browser(), browser()
    await admin.log_in("admin1")
    await reviewer.log_in("reviewer1")
    forbidden = await reviewer.post("/staff/reviewer1/telegram", {"telegram_id": "42"})
    assert forbidden.status_code == 403

    linked = await admin.post("/staff/reviewer1/telegram", {"telegram_id": f" {TELEGRAM_ID} "})
    assert linked.status_code == 303
    page = (await admin.get("/staff")).text
    assert f"已关联 Telegram {TELEGRAM_ID}" in page and f'value="{TELEGRAM_ID}"' in page
    async with web.sessions() as session:
        identity = await telegram_staff(session, TELEGRAM_ID)
    assert identity is not None and (identity.label, identity.role) == ("web:reviewer1", "reviewer")

    taken = await admin.post("/staff/admin1/telegram", {"telegram_id": str(TELEGRAM_ID)})
    assert taken.status_code == 409 and "已经关联了另一个工作人员账号" in taken.text
    assert (await admin.post("/staff/admin1/telegram", {"telegram_id": "12ab"})).status_code == 400

    assert (await admin.post("/staff/reviewer1/telegram", {"telegram_id": ""})).status_code == 303
    async with web.sessions() as session:
        assert await telegram_staff(session, TELEGRAM_ID) is None
        account = await StaffAccounts(session).by_name("reviewer1")
        events = list(
            await session.scalars(select(StaffEvent).where(StaffEvent.kind == "telegram_linked"))
        )
    assert account.telegram_id is None
    assert [e.detail for e in events] == [str(TELEGRAM_ID), "none"]
    assert (await reviewer.get("/reports")).status_code == 303  # their sessions ended
