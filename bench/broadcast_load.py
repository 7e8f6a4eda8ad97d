"""Broadcast load benchmark: one broadcast to N subscribers through the delivery `greenbot run`
uses (greenbot.delivery.delivering: outbox sender, BotTransport, SQLite) against the fake Bot API
enforcing Telegram's flood limit (30 msg/s overall, 1 msg/s per chat), with 1% of subscribers
having blocked the bot and a few extra 429s injected.

    .venv/bin/python -m bench.broadcast_load [--subscribers 10000] [--rate 29.5]

Takes about subscribers / 29 seconds: ~6 minutes for the default 10,000.

Prints the achieved delivery rate as a ratio of the allowed rate (goal ≥ 0.9), duplicates
(goal 0: a chat that got the broadcast twice) and lost messages (goal 0: a reachable subscriber
who never got it). The sender runs at `--rate` (default: GREENBOT_BROADCAST_RATE's default, 29.5/s,
just under Telegram's 30/s); every 429 pauses it for retry_after.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bench import say

FIRST_CHAT = 9_000_001
STAFF_CHAT = 9_999_999_001  # the broadcast's author: progress reports go there
ALLOWED_RATE = 30


@dataclass
class Result:
    subscribers: int
    blocked: int
    delivered: int
    duplicates: int
    lost: int
    first_send: float
    last_send: float
    wall: float
    too_many_requests: int
    injected: int
    progress_reports: int
    statuses: Counter[str]

    @property
    def rate(self) -> float:
        span = self.last_send - self.first_send
        return (self.delivered - 1) / span if span > 0 else 0.0


async def subscribe_all(sessions, chats: range) -> None:  # type: ignore[no-untyped-def]
    """Bulk rows: the ORM's one-by-one subscribe is not what is measured."""
    from sqlalchemy import insert

    from campaigns.models import Subscription, SubscriptionTopic
    from ground.clock import SHANGHAI

    now = datetime.now(SHANGHAI)
    async with sessions.begin() as session:
        await session.execute(
            insert(Subscription),
            [
                {
                    "user_id": c,
                    "chat_id": c,
                    "active": True,
                    "script": "hans",
                    "created_at": now,
                    "updated_at": now,
                }
                for c in chats
            ],
        )
        await session.execute(
            insert(SubscriptionTopic), [{"user_id": c, "topic": "energy"} for c in chats]
        )


async def start_broadcast(sessions) -> int:  # type: ignore[no-untyped-def]
    from campaigns import Broadcasts
    from ground.clock import SHANGHAI

    now = datetime.now(SHANGHAI)
    async with sessions.begin() as session:
        # Quiet hours off (start == end): the benchmark may run at night, Shanghai time.
        broadcasts = Broadcasts(session, quiet_start=0, quiet_end=0)
        broadcast = await broadcasts.create(
            text="<b>全国节能宣传周</b>：空调设在26℃，随手关灯。",
            created_by=STAFF_CHAT,
            report_chat=STAFF_CHAT,
            now=now,
        )
        await broadcasts.start(broadcast.id, now=now)
        return broadcast.id


async def inject_429s(fake, count: int, total: int) -> int:  # type: ignore[no-untyped-def]
    """One extra 429 (retry_after 1 s) at each of `count` evenly spaced points of the run."""
    injected = 0
    for n in range(1, count + 1):
        while fake.stats.sends < total * n // (count + 1):
            await asyncio.sleep(0.2)
        fake.fail_next("sendMessage", 429, retry_after=1)
        injected += 1
    return injected


async def run(subscribers: int, rate: float, blocked_every: int, extra_429s: int) -> Result:
    from greenbot.delivery import delivering
    from ground.clock import SystemClock
    from ground.settings import Settings
    from outbox import Outbox
    from tests.support.bot_rig import create_database
    from tests.support.fake_bot_api import FakeBotAPI

    chats = range(FIRST_CHAT, FIRST_CHAT + subscribers)
    blocked = {c for i, c in enumerate(chats) if i % blocked_every == blocked_every // 2}
    with tempfile.TemporaryDirectory() as tmp:
        sessions = await create_database(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        async with FakeBotAPI() as fake:
            fake.enforce_rate(global_per_sec=ALLOWED_RATE, per_chat_per_sec=1)
            for chat in blocked:
                fake.block(chat)
            await subscribe_all(sessions, chats)
            broadcast_id = await start_broadcast(sessions)
            settings = Settings(
                _env_file=None,  # type: ignore[call-arg]
                bot_token=fake.token,
                telegram_api_url=fake.url,
                data_dir=Path(tmp),
                scheduler_enabled=False,
                broadcast_rate=rate,
            )
            injector = asyncio.create_task(inject_429s(fake, extra_429s, subscribers))
            started = time.monotonic()
            async with delivering(settings, sessions=sessions, clock=SystemClock()):
                while True:
                    async with sessions() as session:
                        counts = await Outbox(session).counts(broadcast_id)
                    if counts.finished:
                        break
                    await asyncio.sleep(1.0)
            wall = time.monotonic() - started
            injector.cancel()
            injected = await asyncio.gather(injector, return_exceptions=True)
        await sessions.kw["bind"].dispose()
    sent_times = [
        call.at
        for call in fake.calls
        if call.method == "sendMessage" and call.status == 200 and call.params["chat_id"] in chats
    ]
    per_chat = Counter(
        call.params["chat_id"]
        for call in fake.calls
        if call.method == "sendMessage" and call.status == 200 and call.params["chat_id"] in chats
    )
    reachable = [c for c in chats if c not in blocked]
    return Result(
        subscribers=subscribers,
        blocked=len(blocked),
        delivered=len(sent_times),
        duplicates=sum(1 for count in per_chat.values() if count > 1),
        lost=sum(1 for chat in reachable if per_chat[chat] == 0),
        first_send=min(sent_times),
        last_send=max(sent_times),
        wall=wall,
        too_many_requests=fake.stats.too_many_requests,
        injected=injected[0] if isinstance(injected[0], int) else extra_429s,
        progress_reports=fake.stats.sends_per_chat[STAFF_CHAT],
        statuses=Counter(counts.by_status),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    from ground.settings import Settings

    default_rate = Settings.model_fields["broadcast_rate"].default
    parser.add_argument("--rate", type=float, default=default_rate, help="sender msg/s")
    parser.add_argument("--blocked-every", type=int, default=100, help="1 in N blocked (1%%)")
    parser.add_argument("--injected-429", type=int, default=5)
    args = parser.parse_args()

    say(
        f"== broadcast load: {args.subscribers} subscribers, fake Bot API at {ALLOWED_RATE} msg/s "
        f"(~{args.subscribers / args.rate / 60:.0f} min) =="
    )
    result = asyncio.run(run(args.subscribers, args.rate, args.blocked_every, args.injected_429))
    ratio = result.rate / ALLOWED_RATE
    say(
        f"delivered             {result.delivered:7d} of {result.subscribers - result.blocked}"
        f" reachable ({result.blocked} blocked the bot)"
    )
    say(f"outbox statuses       {dict(result.statuses)}")
    say(f"429s answered         {result.too_many_requests:7d}   ({result.injected} injected)")
    say(f"progress reports      {result.progress_reports:7d}")
    say(f"wall time             {result.wall:7.1f} s   (from start to the last row settled)")
    say(f"achieved rate         {result.rate:7.2f} msg/s   (sender set to {args.rate:g})")
    say(f"ratio rate / allowed  {ratio:7.2f}   (goal ≥ 0.9)")
    say(f"duplicates            {result.duplicates:7d}   (goal 0)")
    say(f"lost messages         {result.lost:7d}   (goal 0)")


if __name__ == "__main__":
    main()
