"""Bot load benchmark: N simulated citizens ask at once through the fake Bot API (real bot,
long polling); reply latency is compared with the knowledge engine timed directly on the same
questions in the same run, so a noisy machine cancels out.

    .venv/bin/python -m bench.bot_load [--users 200]

Prints answers/second, p50/p95 latency (user's send → reply's arrival at the fake), and
p95(bot) / p95(engine) (goal ≤ 1.3). The engine answers one question at a time, so under a
burst most of a reply's latency is queueing: the burst-engine line shows that floor (the same
answers queued behind one worker with no Telegram in between).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from itertools import cycle, islice
from pathlib import Path

from bench.qa import DEV_SET, percentile

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

FIRST_USER_ID = 7_000_001


def questions(count: int) -> list[str]:
    lines = DEV_SET.read_text(encoding="utf-8").splitlines()
    pool = [json.loads(line)["question"] for line in lines if line.strip()]
    return list(islice(cycle(pool), count))


def time_engine(engine, asked: list[str]) -> list[float]:  # type: ignore[no-untyped-def]
    """Seconds per engine.answer, called directly, one after another, from a cold query cache."""
    engine.index._query_cache.clear()
    timings = []
    for question in asked:
        started = time.perf_counter()
        engine.answer(question)
        timings.append(time.perf_counter() - started)
    return timings


async def time_bot(engine, asked: list[str]) -> tuple[list[float], float]:  # type: ignore[no-untyped-def]
    """Per-user seconds from send to reply, and the wall time for all of them."""
    from tests.support.bot_rig import BotRig, create_database
    from tests.support.fake_bot_api import FakeBotAPI

    engine.index._query_cache.clear()
    with tempfile.TemporaryDirectory() as tmp:
        sessions = await create_database(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        async with FakeBotAPI() as fake:
            rig = BotRig(fake, engine=engine, sessions=sessions, data_dir=Path(tmp))
            async with rig.running():
                users = [fake.user(FIRST_USER_ID + n) for n in range(len(asked))]
                started = time.monotonic()
                sent_at = []
                for user, question in zip(users, asked, strict=True):
                    sent_at.append(time.monotonic())
                    await user.send_text(question)
                replies = await asyncio.gather(
                    *(user.wait_for_message(timeout=600) for user in users)
                )
                wall = max(reply.sent_at for reply in replies) - started
        await sessions.kw["bind"].dispose()
    return [r.sent_at - s for r, s in zip(replies, sent_at, strict=True)], wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    args = parser.parse_args()

    import torch

    from greenbot.cli import build_engine
    from greenbot.settings import Settings

    torch.set_num_threads(1)  # one core for the engine, one for the bot, the fake and SQLite
    engine = build_engine(Settings())
    engine.answer("预热")
    asked = questions(args.users)

    latencies, wall = asyncio.run(time_bot(engine, asked))
    direct = time_engine(engine, asked)
    burst = [sum(direct[: n + 1]) for n in range(len(direct))]  # queued behind one worker

    bot_p95, engine_p95 = percentile(latencies, 95), percentile(direct, 95)
    print(f"bot load: {args.users} citizens asking at once through the fake Bot API")
    print(f"  answers/second        {args.users / wall:8.1f}   (all answered in {wall:.1f} s)")
    print(f"  reply latency p50     {statistics.median(latencies) * 1000:8.0f} ms")
    print(f"  reply latency p95     {bot_p95 * 1000:8.0f} ms")
    print(f"  engine.answer p50     {statistics.median(direct) * 1000:8.0f} ms   (direct, serial)")
    print(f"  engine.answer p95     {engine_p95 * 1000:8.0f} ms")
    print(f"  p95 bot / p95 engine  {bot_p95 / engine_p95:8.2f}   (goal ≤ 1.3)")
    print(
        f"  p95 bot / p95 burst   {bot_p95 / percentile(burst, 95):8.2f}   "
        "(engine with the same burst queued: the bot's own overhead)"
    )


if __name__ == "__main__":
    main()
