"""Broadcasts: one outbox row per recipient, quiet hours, cancel, progress, and delivery."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from campaigns import Broadcasts, BroadcastStatus, InvalidBroadcastState, Subscriptions
from campaigns.reporting import progress_hook
from ground.clock import SHANGHAI
from outbox import Outbox, OutboxMessage, OutboxSender, Outcome, SendResult
from tests.unit.outbox.fakes import FakeTime, FakeTransport


async def subscribe(sessions, clock, *users: tuple[int, list[str], str]) -> None:  # type: ignore[no-untyped-def]
    async with sessions.begin() as session:
        subs = Subscriptions(session)
        for user_id, topics, script in users:
            await subs.subscribe(
                user_id=user_id, chat_id=user_id * 10, now=clock.now(), topics=topics, script=script
            )


async def outbox_rows(sessions, broadcast_id: int) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        return await Outbox(session).for_broadcast(broadcast_id)


async def new_broadcast(sessions, clock, **options) -> int:  # type: ignore[no-untyped-def]
    async with sessions.begin() as session:
        broadcast = await Broadcasts(session).create(
            text=options.pop("text", "<b>节能周</b>快到了"),
            created_by=900,
            now=clock.now(),
            **options,
        )
        return broadcast.id


async def test_starting_twice_still_queues_exactly_one_row_per_recipient(sessions, clock):
    await subscribe(
        sessions,
        clock,
        (1, ["energy"], "hans"),
        (2, ["water"], "hans"),
        (3, ["energy", "water"], "hans"),
    )
    broadcast_id = await new_broadcast(sessions, clock, topics=["energy"])
    async with sessions.begin() as session:
        assert await Broadcasts(session).audience_size(["energy"]) == 2
        assert await Broadcasts(session).start(broadcast_id, now=clock.now()) == 2
    async with sessions.begin() as session:
        assert await Broadcasts(session).start(broadcast_id, now=clock.now()) == 0
    rows = await outbox_rows(sessions, broadcast_id)
    assert sorted(r.chat_id for r in rows) == [10, 30]
    assert {r.dedupe_key for r in rows} == {
        f"broadcast:{broadcast_id}:10",
        f"broadcast:{broadcast_id}:30",
    }
    async with sessions() as session:
        broadcast = await Broadcasts(session).get(broadcast_id)
        assert (broadcast.status, broadcast.recipients) == (BroadcastStatus.SENDING, 2)


async def test_a_broadcast_to_all_reaches_every_active_subscriber_in_their_script(sessions, clock):
    await subscribe(sessions, clock, (1, ["energy"], "hans"), (2, ["garbage"], "hant"))
    broadcast_id = await new_broadcast(
        sessions, clock, text="绿色出行，节约用电", photo="AgAD-file"
    )
    async with sessions.begin() as session:
        await Broadcasts(session).start(broadcast_id, now=clock.now())
    texts = {
        r.chat_id: (r.text, r.photo, r.kind) for r in await outbox_rows(sessions, broadcast_id)
    }
    assert texts == {
        10: ("绿色出行，节约用电", "AgAD-file", "broadcast"),
        20: ("綠色出行，節約用電", "AgAD-file", "broadcast"),
    }


async def test_a_broadcast_started_in_quiet_hours_waits_for_eight(sessions, clock):
    await subscribe(sessions, clock, (1, ["energy"], "hans"))
    broadcast_id = await new_broadcast(sessions, clock)
    late = datetime(2025, 6, 20, 23, 15, tzinfo=SHANGHAI)
    async with sessions.begin() as session:
        await Broadcasts(session).start(broadcast_id, now=late)
    (row,) = await outbox_rows(sessions, broadcast_id)
    not_before = (
        row.not_before if row.not_before.tzinfo else row.not_before.replace(tzinfo=SHANGHAI)
    )
    assert not_before == datetime(2025, 6, 21, 8, 0, tzinfo=SHANGHAI)


async def test_scheduling_records_the_time_and_only_drafts_can_be_scheduled(sessions, clock):
    broadcast_id = await new_broadcast(sessions, clock)
    at = clock.now() + timedelta(days=1)
    async with sessions.begin() as session:
        broadcast = await Broadcasts(session).schedule(broadcast_id, at=at)
        assert broadcast.status == BroadcastStatus.SCHEDULED
        await Broadcasts(session).start(broadcast_id, now=at)
        with pytest.raises(InvalidBroadcastState):
            await Broadcasts(session).schedule(broadcast_id, at=at)


async def test_cancelling_stops_pending_deliveries_and_the_sender_skips_them(sessions, clock):
    await subscribe(sessions, clock, *[(n, ["energy"], "hans") for n in range(1, 6)])
    broadcast_id = await new_broadcast(sessions, clock)
    async with sessions.begin() as session:
        await Broadcasts(session).start(broadcast_id, now=clock.now())
    async with sessions.begin() as session:
        assert await Broadcasts(session).cancel(broadcast_id, now=clock.now()) == 5
    async with sessions.begin() as session:
        with pytest.raises(InvalidBroadcastState):
            await Broadcasts(session).start(broadcast_id, now=clock.now())
        assert (await Broadcasts(session).progress(broadcast_id))["cancelled"] == 5
    time = FakeTime(clock)
    transport = FakeTransport(time)
    sender = OutboxSender(sessions, transport, clock, monotonic=time.monotonic, sleep=time.sleep)
    assert await sender.drain_once() == 0
    assert transport.attempts == []


async def drain_until_idle(sender: OutboxSender, time: FakeTime) -> None:
    """Drain, letting (fake) time pass for retries, until two quiet minutes go by."""
    quiet = 0
    while quiet < 12:
        if await sender.drain_once():
            quiet = 0
        else:
            quiet += 1
            await time.sleep(10)


async def test_a_drained_broadcast_is_done_once_its_summary_reached_staff(sessions, clock):
    await subscribe(sessions, clock, *[(n, ["energy"], "hans") for n in range(1, 5)])
    broadcast_id = await new_broadcast(sessions, clock)
    async with sessions.begin() as session:
        await Broadcasts(session).start(broadcast_id, now=clock.now())
    time = FakeTime(clock)
    staff_chat = -100
    transport = FakeTransport(
        time,
        responses={30: [SendResult.blocked()], staff_chat: [SendResult.server_error("500")]},
    )
    blocked: list[int] = []

    async def deactivate(chat_id: int) -> None:  # what the bot wires as on_blocked
        blocked.append(chat_id)
        async with sessions.begin() as session:
            await Subscriptions(session).deactivate_chat(chat_id)

    sender = OutboxSender(
        sessions,
        transport,
        clock,
        on_blocked=deactivate,
        on_progress=progress_hook(sessions, clock, staff_chat_id=staff_chat),
        monotonic=time.monotonic,
        sleep=time.sleep,
    )
    while await sender.drain_once():
        pass
    async with sessions() as session:
        broadcasts = Broadcasts(session)
        progress = await broadcasts.progress(broadcast_id)
        assert (progress["sent"], progress["blocked"], progress.total) == (3, 1, 4)
        assert (await broadcasts.get(broadcast_id)).status == BroadcastStatus.SENDING, (
            "its summary met a 500: not done yet"
        )
    await drain_until_idle(sender, time)
    summaries = [a for a in transport.attempts if a.chat_id == staff_chat]
    assert [a.outcome for a in summaries] == [Outcome.SERVER_ERROR, Outcome.OK]
    assert (
        summaries[-1].text.startswith("✅ 群发 #")
        and "送达 3/4，已屏蔽机器人 1" in summaries[-1].text
    )
    async with sessions() as session:
        broadcasts = Broadcasts(session)
        assert (await broadcasts.get(broadcast_id)).status == BroadcastStatus.DONE
        assert (await broadcasts.progress(broadcast_id)).total == 4, "a summary is no delivery"
        assert blocked == [30]
        assert await broadcasts.audience_size() == 3, "the chat that blocked us is left out"


async def test_the_admin_who_sent_it_follows_its_progress_and_gets_one_summary(sessions, clock):
    await subscribe(sessions, clock, *[(n, ["energy"], "hans") for n in range(1, 8)])
    admin = 900
    async with sessions.begin() as session:
        broadcasts = Broadcasts(session)
        broadcast = await broadcasts.create(
            text="节能周", created_by=admin, report_chat=admin, now=clock.now()
        )
        await broadcasts.start(broadcast.id, now=clock.now())
    time = FakeTime(clock)
    transport = FakeTransport(time)
    sender = OutboxSender(
        sessions,
        transport,
        clock,
        on_progress=progress_hook(sessions, clock, staff_chat_id=-100),
        progress_every=3,
        progress_interval=3600,
        monotonic=time.monotonic,
        sleep=time.sleep,
    )
    await drain_until_idle(sender, time)
    to_admin = [a.text for a in transport.delivered if a.chat_id == admin]
    assert to_admin and to_admin[-1].startswith("✅ 群发 #"), to_admin
    assert sum(text.startswith("✅") for text in to_admin) == 1
    assert any(text.startswith("📣 群发 #") for text in to_admin), "progress on the way"
    assert not [a for a in transport.attempts if a.chat_id == -100], "the staff chat is spared"
    assert sorted(a.chat_id for a in transport.delivered if a.chat_id != admin) == [
        n * 10 for n in range(1, 8)
    ]


async def test_a_test_copy_goes_to_the_admin_alone_and_is_not_a_delivery(sessions, clock):
    await subscribe(sessions, clock, (1, ["energy"], "hans"))
    broadcast_id = await new_broadcast(sessions, clock)
    async with sessions.begin() as session:
        broadcasts = Broadcasts(session)
        assert await broadcasts.send_test(broadcast_id, chat_id=900, now=clock.now())
        assert not await broadcasts.send_test(broadcast_id, chat_id=900, now=clock.now()), (
            "a second press while the first copy is on its way queues nothing"
        )
    time = FakeTime(clock)
    transport = FakeTransport(time)
    sender = OutboxSender(sessions, transport, clock, monotonic=time.monotonic, sleep=time.sleep)
    await drain_until_idle(sender, time)
    assert [a.chat_id for a in transport.delivered] == [900]
    assert "<b>节能周</b>快到了" in transport.delivered[0].text
    async with sessions.begin() as session:
        broadcasts = Broadcasts(session)
        assert (await broadcasts.get(broadcast_id)).status == BroadcastStatus.DRAFT
        assert (await broadcasts.progress(broadcast_id)).total == 0
        assert await broadcasts.send_test(broadcast_id, chat_id=900, now=clock.now()), (
            "once delivered, another test copy may be asked for"
        )


async def test_a_broadcast_nobody_subscribes_to_is_done_at_once(sessions, clock):
    broadcast_id = await new_broadcast(sessions, clock, topics=["water"])
    async with sessions.begin() as session:
        assert await Broadcasts(session).start(broadcast_id, now=clock.now()) == 0
        assert (await Broadcasts(session).get(broadcast_id)).status == BroadcastStatus.DONE
    async with sessions() as session:
        assert (await session.scalars(select(OutboxMessage))).all() == []
