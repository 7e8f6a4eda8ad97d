"""Routes: each row goes to the transport that reaches its recipient, and a sender leaves the
rows none of its routes reach; `due`/`deliver_now` serve a chat that is shown when looked at."""

from __future__ import annotations

from outbox import Chats, OutboxStatus, Routes, SendResult
from tests.unit.outbox.conftest import drain_until_idle, queue, rows
from tests.unit.outbox.fakes import FakeTransport

LOW = Chats(stop=1000)
HIGH = Chats(start=1000, stop=2000)


def test_chats_hold_their_range_only() -> None:
    assert -5 in LOW and 999 in LOW and 1000 not in LOW
    assert 1000 in HIGH and 1999 in HIGH and 2000 not in HIGH and 999 not in HIGH
    assert Chats().every and 10**15 in Chats()


async def test_each_row_goes_to_the_transport_that_reaches_its_chat(
    sessions, clock, make_sender, fake_time
):
    low, high = FakeTransport(fake_time), FakeTransport(fake_time)
    await queue(sessions, [1, 1001, 2, 1002, 5000], clock.now())
    sender = make_sender(transport=Routes([(LOW, low), (HIGH, high)]))
    assert await drain_until_idle(sender) == 4
    assert low.delivered_chats() == [1, 2]
    assert high.delivered_chats() == [1001, 1002]
    by_chat = {row.chat_id: row.status for row in await rows(sessions)}
    assert by_chat[5000] == OutboxStatus.PENDING  # no route reaches it: left for its own sender


async def test_a_row_outside_every_route_is_refused_not_sent(clock, fake_time):
    low = FakeTransport(fake_time)
    from outbox import OutboxMessage

    row = OutboxMessage(id=1, chat_id=1500, kind="k", dedupe_key="k", text="x")
    result = await Routes([(LOW, low)]).send(row)
    assert result.outcome == SendResult.bad_request().outcome and not low.attempts


async def test_deliver_now_sends_one_chats_due_rows_once(sessions, clock, make_sender, fake_time):
    page = FakeTransport(fake_time)
    await queue(sessions, [1001, 1001, 1002, 1], clock.now())
    sender = make_sender(transport=Routes([(HIGH, page)]))
    assert await sender.due(1) == []  # not a chat this sender reaches
    due = await sender.due(1001)
    assert [row.chat_id for row in due] == [1001, 1001]
    again = await sender.due(1001)  # a second page polling at the same moment
    assert await sender.deliver_now(due) == 2
    assert await sender.deliver_now(again) == 0  # claimed already: shown once
    assert page.delivered_chats() == [1001, 1001]
    by_id = {row.id: row.status for row in await rows(sessions)}
    assert list(by_id.values()) == [
        OutboxStatus.SENT,
        OutboxStatus.SENT,
        OutboxStatus.PENDING,
        OutboxStatus.PENDING,
    ]
