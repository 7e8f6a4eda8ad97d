"""The sender: pacing, retries, blocking, progress, and resuming without double sends."""

from __future__ import annotations

import asyncio
import subprocess
from datetime import datetime, timedelta
from itertools import pairwise

from sqlalchemy import update

from bot.notify import TELEGRAM_CHATS
from ground.clock import SHANGHAI
from outbox import OutboxStatus, Routes, SendResult
from outbox.models import SenderBeat
from tests.unit.outbox.conftest import drain_until_idle, queue, rows
from tests.unit.outbox.fakes import FakeTransport
from web.sandbox.transport import FIRST_VISITOR_ID


def reaped_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def aware(moment: datetime) -> datetime:
    """SQLite returns naive Asia/Shanghai wall time, PostgreSQL an aware datetime."""
    return moment.replace(tzinfo=SHANGHAI) if moment.tzinfo is None else moment


async def test_every_due_message_is_sent_once_and_marked_sent(
    sessions, clock, make_sender, transport
):
    await queue(sessions, range(1, 6), clock.now())
    assert await drain_until_idle(make_sender()) == 5
    assert transport.delivered_chats() == [1, 2, 3, 4, 5]
    assert {row.status for row in await rows(sessions)} == {OutboxStatus.SENT}
    assert all(row.sent_at is not None and row.attempts == 1 for row in await rows(sessions))


async def test_a_message_not_yet_due_waits_for_its_not_before(
    sessions, clock, make_sender, transport
):
    async with sessions.begin() as session:
        from outbox import Outbox

        await Outbox(session).add(
            chat_id=9,
            text="later",
            kind="reminder",
            dedupe_key="later",
            now=clock.now(),
            not_before=clock.now() + timedelta(hours=1),
        )
    sender = make_sender()
    assert await sender.drain_once() == 0
    clock.advance(hours=1)
    assert await sender.drain_once() == 1
    assert transport.delivered_chats() == [9]


async def test_messages_to_one_chat_are_at_least_a_second_apart(
    sessions, clock, make_sender, transport
):
    await queue(sessions, [7, 7, 7, 8, 9, 7], clock.now())
    await drain_until_idle(make_sender(rate_per_sec=25))
    times = [a.at for a in transport.delivered if a.chat_id == 7]
    assert len(times) == 4
    assert all(later - earlier >= 1.0 for earlier, later in pairwise(times))
    texts = [a.row_id for a in transport.delivered if a.chat_id == 7]
    assert texts == sorted(texts), "one chat's messages keep their order"


async def test_a_group_chat_gets_at_most_twenty_messages_a_minute(
    sessions, clock, make_sender, transport
):
    await queue(sessions, [-100, -100, -100, 8, 9], clock.now())
    await drain_until_idle(make_sender())
    times = [a.at for a in transport.delivered if a.chat_id == -100]
    assert len(times) == 3
    assert all(later - earlier >= 3.0 for earlier, later in pairwise(times))


async def test_paid_broadcast_deliveries_take_their_own_faster_bucket(
    sessions, clock, make_sender, transport, fake_time
):
    await queue(sessions, range(1, 301), clock.now(), broadcast_id=3)
    await queue(sessions, range(1001, 1031), clock.now(), prefix="notice")
    start = fake_time.now
    await drain_until_idle(make_sender(rate_per_sec=29, paid_rate=300))
    deliveries = [a.at for a in transport.delivered if a.chat_id <= 300]
    notices = sorted(a.at for a in transport.delivered if a.chat_id > 1000)
    assert len(deliveries) == 300 and len(notices) == 30
    assert max(deliveries) - start < 2.0, "300 deliveries at up to 300/s"
    assert all(later - earlier >= 1 / 29 - 1e-9 for earlier, later in pairwise(notices)), (
        "single messages keep the free limit"
    )


async def test_the_overall_rate_stays_under_the_configured_messages_per_second(
    sessions, clock, make_sender, transport
):
    await queue(sessions, range(100, 160), clock.now())
    await drain_until_idle(make_sender(rate_per_sec=10))
    times = sorted(a.at for a in transport.delivered)
    assert len(times) == 60
    assert all(later - earlier >= 0.1 - 1e-9 for earlier, later in pairwise(times))
    for start in times:
        assert sum(1 for t in times if start <= t < start + 1.0) <= 10


async def test_a_429_pauses_all_sending_and_that_message_is_sent_after_the_wait(
    sessions, clock, make_sender, transport
):
    transport.responses[105] = [SendResult.wait(3)]
    await queue(sessions, range(100, 120), clock.now())
    await drain_until_idle(make_sender(rate_per_sec=25))
    limited = next(a for a in transport.attempts if a.chat_id == 105)
    later = transport.attempts[transport.attempts.index(limited) + 1 :]
    assert later and all(a.at >= limited.at + 3 for a in later), "nothing is sent during the pause"
    assert transport.delivered_chats() == list(range(100, 120))
    row = next(r for r in await rows(sessions) if r.chat_id == 105)
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 1)


async def test_a_server_error_backs_off_then_succeeds(sessions, clock, make_sender, transport):
    transport.responses[42] = [SendResult.server_error("502"), SendResult.server_error("timeout")]
    await queue(sessions, [42], clock.now())
    sender = make_sender(backoff_base=5.0)
    start = clock.now()
    await sender.drain_once()
    (row,) = await rows(sessions)
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.PENDING, 1, "502")
    assert aware(row.not_before) == start + timedelta(seconds=5)
    assert await sender.drain_once() == 0, "not retried before its backoff"
    clock.advance(seconds=5)
    await sender.drain_once()
    clock.advance(seconds=10)  # the second backoff doubles
    await sender.drain_once()
    (row,) = await rows(sessions)
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 3)
    assert transport.delivered_chats() == [42]


async def test_a_message_that_keeps_failing_gives_up_after_max_attempts(
    sessions, clock, make_sender, transport
):
    transport.responses[42] = [SendResult.server_error() for _ in range(10)]
    await queue(sessions, [42], clock.now())
    sender = make_sender(max_attempts=3, backoff_base=1.0)
    for _ in range(5):
        await sender.drain_once()
        clock.advance(minutes=1)
    (row,) = await rows(sessions)
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 3)


async def test_a_400_fails_at_once(sessions, clock, make_sender, transport):
    transport.responses[1] = [SendResult.bad_request("message is too long")]
    await queue(sessions, [1], clock.now())
    await drain_until_idle(make_sender())
    (row,) = await rows(sessions)
    assert (row.status, row.last_error) == (OutboxStatus.FAILED, "message is too long")


async def test_a_403_marks_the_row_blocked_and_calls_the_hook(
    sessions, clock, make_sender, transport
):
    transport.responses[3] = [SendResult.blocked()]
    blocked: list[int] = []

    async def on_blocked(chat_id: int) -> None:
        blocked.append(chat_id)

    await queue(sessions, [1, 3, 5], clock.now())
    await drain_until_idle(make_sender(on_blocked=on_blocked))
    assert blocked == [3]
    statuses = {row.chat_id: row.status for row in await rows(sessions)}
    assert statuses == {1: OutboxStatus.SENT, 3: OutboxStatus.BLOCKED, 5: OutboxStatus.SENT}


async def test_report_notices_go_before_broadcast_rows(sessions, clock, make_sender, transport):
    await queue(sessions, range(1, 4), clock.now(), broadcast_id=7)
    await queue(sessions, [50], clock.now())
    await drain_until_idle(make_sender())
    assert transport.delivered[0].chat_id == 50


async def test_progress_is_reported_every_n_messages_and_once_when_finished(
    sessions, clock, make_sender, transport
):
    reports = []

    async def on_progress(counts) -> None:  # type: ignore[no-untyped-def]
        reports.append((counts["sent"], counts.finished))

    await queue(sessions, range(1, 26), clock.now(), broadcast_id=4)
    sender = make_sender(on_progress=on_progress, progress_every=10, progress_interval=3600)
    await drain_until_idle(sender)
    await drain_until_idle(sender)
    assert reports[-1] == (25, True)
    assert [finished for _, finished in reports].count(True) == 1
    assert any(sent in (10, 11, 12, 20, 21, 22) and not done for sent, done in reports)


async def test_a_sender_stopped_mid_broadcast_and_a_new_sender_finish_with_everyone_once(
    sessions, clock, make_sender, transport
):
    await queue(sessions, range(1, 41), clock.now(), broadcast_id=1)
    stop = asyncio.Event()
    transport.after_send = lambda attempt: stop.set() if len(transport.attempts) == 12 else None
    await asyncio.wait_for(make_sender(max_in_flight=4).run(stop), timeout=30)
    assert 12 <= len(transport.delivered) < 40
    assert not any(row.status == OutboxStatus.SENDING for row in await rows(sessions))

    await drain_until_idle(make_sender())
    assert transport.delivered_chats() == list(range(1, 41))
    assert {row.status for row in await rows(sessions)} == {OutboxStatus.SENT}


async def test_a_crash_mid_request_marks_that_row_uncertain_and_never_resends_it(
    sessions, clock, make_sender, transport
):
    transport.hang_after_delivering.add(7)
    await queue(sessions, range(1, 11), clock.now(), broadcast_id=1)
    crashed = asyncio.create_task(make_sender().run(asyncio.Event()))
    await asyncio.wait_for(transport.hanging.wait(), timeout=10)
    await only_one_in_flight(sessions)
    crashed.cancel()  # the process dies: no result is recorded for chat 7
    await asyncio.gather(crashed, return_exceptions=True)
    transport.hang_after_delivering.clear()

    successor = make_sender()
    await drain_until_idle(successor)
    assert 7 not in [r.chat_id for r in await rows(sessions) if r.status == OutboxStatus.SENT]
    clock.advance(minutes=6)  # past the claim timeout: the dead sender's row is stale
    await drain_until_idle(successor)
    assert transport.delivered_chats() == list(range(1, 11)), "each chat exactly once"
    stale = next(r for r in await rows(sessions) if r.chat_id == 7)
    assert stale.status == OutboxStatus.UNCERTAIN


async def only_one_in_flight(sessions) -> None:  # type: ignore[no-untyped-def]
    """Wait until every row but the hanging one has its result recorded (so the crash loses
    exactly that one; a crash mid-bookkeeping would rightly leave others uncertain too)."""
    for _ in range(1000):
        if sum(r.status != OutboxStatus.SENT for r in await rows(sessions)) == 1:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("other requests still in flight")


async def crash_mid_request(sessions, make_sender, transport, chat_id: int) -> str:  # type: ignore[no-untyped-def]
    """A sender dies while its request to `chat_id` is in flight; its name."""
    transport.hang_after_delivering.add(chat_id)
    crashed = make_sender()
    task = asyncio.create_task(crashed.run(asyncio.Event()))
    await asyncio.wait_for(transport.hanging.wait(), timeout=10)
    await only_one_in_flight(sessions)
    task.cancel()  # no result is recorded, no goodbye is said
    await asyncio.gather(task, return_exceptions=True)
    transport.hang_after_delivering.clear()
    async with sessions() as session:
        assert await session.get(SenderBeat, crashed.name) is not None, "it had said it was alive"
    return crashed.name


async def test_a_sender_whose_process_is_gone_has_its_claim_settled_at_once(
    sessions, clock, make_sender, transport
):
    await queue(sessions, range(1, 11), clock.now(), broadcast_id=1)
    name = await crash_mid_request(sessions, make_sender, transport, 7)
    async with sessions.begin() as session:  # as if that sender had run in a process now gone
        await session.execute(
            update(SenderBeat).where(SenderBeat.name == name).values(pid=reaped_pid())
        )
    await drain_until_idle(make_sender())  # no clock advance: no claim timeout involved
    assert transport.delivered_chats() == list(range(1, 11)), "each chat exactly once"
    stale = next(r for r in await rows(sessions) if r.chat_id == 7)
    assert stale.status == OutboxStatus.UNCERTAIN
    assert "died" in (stale.last_error or "")
    async with sessions() as session:
        assert await session.get(SenderBeat, name) is None


async def test_a_sender_on_another_host_is_dead_once_its_heartbeat_is_a_minute_old(
    sessions, clock, make_sender, transport
):
    await queue(sessions, [1, 2, 3], clock.now())
    name = await crash_mid_request(sessions, make_sender, transport, 2)
    async with sessions.begin() as session:
        await session.execute(
            update(SenderBeat).where(SenderBeat.name == name).values(host="another-box")
        )
    successor = make_sender()
    clock.advance(seconds=30)
    await drain_until_idle(successor)
    assert next(r for r in await rows(sessions) if r.chat_id == 2).status == OutboxStatus.SENDING
    clock.advance(seconds=60)  # its last beat is now 90 s old; the claim timeout is 5 minutes
    await drain_until_idle(successor)
    assert next(r for r in await rows(sessions) if r.chat_id == 2).status == OutboxStatus.UNCERTAIN


async def test_the_retry_policy_resends_a_row_whose_sender_died(
    sessions, clock, make_sender, transport
):
    transport.hang_after_delivering.add(2)
    await queue(sessions, [1, 2, 3], clock.now())
    crashed = asyncio.create_task(make_sender().run(asyncio.Event()))
    await asyncio.wait_for(transport.hanging.wait(), timeout=10)
    await only_one_in_flight(sessions)
    crashed.cancel()
    await asyncio.gather(crashed, return_exceptions=True)
    transport.hang_after_delivering.clear()
    clock.advance(minutes=6)
    await drain_until_idle(make_sender(stale_policy="retry"))
    assert transport.delivered_chats() == [1, 2, 2, 3], "at-least-once: chat 2 twice"


async def test_two_concurrent_senders_never_send_a_row_twice(
    sessions, clock, make_sender, fake_time
):
    await queue(sessions, range(1, 61), clock.now(), broadcast_id=2)
    shared = FakeTransport(fake_time)
    first = make_sender(transport=shared, batch_size=25)
    second = make_sender(transport=shared, batch_size=25)
    await asyncio.gather(drain_until_idle(first), drain_until_idle(second))
    await asyncio.gather(drain_until_idle(first), drain_until_idle(second))
    row_ids = [a.row_id for a in shared.delivered]
    assert len(row_ids) == len(set(row_ids)) == 60
    assert {row.status for row in await rows(sessions)} == {OutboxStatus.SENT}


async def test_a_nudge_wakes_a_waiting_sender(sessions, clock, make_sender, transport):
    sender = make_sender(poll_interval=60)
    stop = asyncio.Event()
    running = asyncio.create_task(sender.run(stop))
    await asyncio.sleep(0.05)
    await queue(sessions, [11], clock.now())
    sender.nudge()
    for _ in range(100):
        if transport.delivered:
            break
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(running, timeout=5)
    assert transport.delivered_chats() == [11]


async def test_a_web_sandbox_visitors_message_is_left_for_the_sandbox_page(
    sessions, clock, make_sender, transport
):
    visitor = FIRST_VISITOR_ID + 7
    await queue(sessions, [1, visitor], clock.now())
    telegram = make_sender(transport=Routes([(TELEGRAM_CHATS, transport)]))  # as build_sender
    assert await drain_until_idle(telegram) == 1
    assert transport.delivered_chats() == [1]
    by_chat = {row.chat_id: row.status for row in await rows(sessions)}
    assert by_chat == {1: OutboxStatus.SENT, visitor: OutboxStatus.PENDING}
