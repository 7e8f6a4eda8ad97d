"""The roof's delivery wiring (greenbot/delivery.py) that no e2e test sees on its own."""

from __future__ import annotations

from datetime import datetime

import pytest

from greenbot.delivery import OutboxNudge
from ground.clock import SHANGHAI
from outbox import Outbox

CHAT = 4_200_001
NOW = datetime(2025, 6, 20, 10, 0, tzinfo=SHANGHAI)


class CountingSender:
    def __init__(self) -> None:
        self.nudges = 0

    def nudge(self) -> None:
        self.nudges += 1


async def test_outbox_nudge_with_a_session_waits_for_its_commit(sessions) -> None:  # type: ignore[no-untyped-def]
    """A handler nudges while its update's transaction is open: the sender must wake only
    once the rows are visible, and not at all if the update rolled back."""
    sender = CountingSender()
    nudge = OutboxNudge(sender)  # type: ignore[arg-type]
    async with sessions() as session, session.begin():
        await Outbox(session).add(
            chat_id=CHAT, text="状态更新", kind="report_status", dedupe_key="n1", now=NOW
        )
        nudge(session)
        assert sender.nudges == 0, "not before the commit"
    assert sender.nudges == 1

    with pytest.raises(RuntimeError):
        async with sessions() as session, session.begin():
            nudge(session)
            raise RuntimeError("the handler failed")
    assert sender.nudges == 1, "a rolled-back update queued nothing"
    nudge()
    assert sender.nudges == 2
