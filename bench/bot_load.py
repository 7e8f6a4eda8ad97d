"""Bot load benchmark: N simulated citizens ask at once through the fake Bot API (the real bot,
long polling, SQLite), against the knowledge engine asked the same N questions at once through
the same single-worker answering path (`bot.answerer.Answerer`), in the same run.

    .venv/bin/python -m bench.bot_load [--users 200]

Prints answers/second, p50/p95 reply latency (citizen's send → reply recorded by the fake) and
p95(bot) / p95(engine, same burst) (goal ≤ 1.3): what the bot adds on top of the engine.

Why the queued baseline is the honest one: the engine is CPU-bound and answers one question at
a time in one worker with one torch thread; on 2 cores a second worker would only fight the
event loop, the fake server and SQLite for the other core. So when 200 questions arrive at
once, the 200th waits for the 199 before it whatever the bot does, and reply latency is
mostly queueing. Dividing by the single-question p95 (also printed, "naive") measures that
queue, not the bot; dividing by the p95 of the same burst through the same worker leaves
only the bot's own overhead (HTTP both ways, polling, the database, typing actions, sends).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from itertools import cycle, islice
from pathlib import Path
from typing import TYPE_CHECKING

from bench import say
from bench.qa import DEV_SET, percentile

if TYPE_CHECKING:
    from knowledge.answer import AnswerEngine

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

FIRST_USER_ID = 7_000_001
REPLY_TIMEOUT = 300.0
WORKERS = ("thread", "process")


@dataclass
class Run:
    latencies: list[float]  # seconds, one per question
    wall: float  # seconds from the first question to the last answer
    failed: int = 0  # replies that were not answers (an apology, nothing)


def questions(count: int) -> list[str]:
    lines = DEV_SET.read_text(encoding="utf-8").splitlines()
    pool = [json.loads(line)["question"] for line in lines if line.strip()]
    return list(islice(cycle(pool), count))


async def time_engine_burst(engine: AnswerEngine, asked: list[str]) -> tuple[Run, list[float]]:
    """All questions at once through Answerer (one worker): latency from the call to the
    answer, and each answer's service time (the gap between consecutive completions)."""
    from bot.answerer import Answerer

    engine.index._query_cache.clear()
    answerer = Answerer(engine)
    started = time.perf_counter()
    done: list[float] = []

    async def one(question: str) -> float:
        await answerer.answer(question)
        done.append(time.perf_counter())
        return done[-1] - started

    try:
        latencies = await asyncio.gather(*(one(question) for question in asked))
    finally:
        answerer.close()
    ends = sorted(done)
    service = [end - previous for previous, end in zip([started, *ends], ends, strict=False)]
    return Run(list(latencies), ends[-1] - started), service


async def time_bot(engine: AnswerEngine, asked: list[str]) -> Run:
    """Per-citizen seconds from send to reply, and the wall time for all of them."""
    from bot import texts
    from tests.support.bot_rig import BotRig, create_database
    from tests.support.fake_bot_api import FakeBotAPI

    engine.index._query_cache.clear()
    with tempfile.TemporaryDirectory() as tmp:
        sessions = await create_database(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        async with FakeBotAPI() as fake:
            rig = BotRig(fake, engine=engine, sessions=sessions, data_dir=Path(tmp))
            # Every citizen asks once: the per-user flood limit is not what is measured.
            async with rig.running(throttle_per_minute=0):
                # One citizen first, untimed: aiogram builds its pydantic models on first use
                # (seconds, once per process), as the engine is warmed before its burst.
                warm = fake.user(FIRST_USER_ID - 1)
                await warm.send_text("垃圾分类怎么做？")
                await warm.wait_for_message(timeout=REPLY_TIMEOUT)
                users = [fake.user(FIRST_USER_ID + n) for n in range(len(asked))]
                started = time.monotonic()
                sent_at = []
                for user, question in zip(users, asked, strict=True):
                    sent_at.append(time.monotonic())
                    await user.send_text(question)
                replies = await asyncio.gather(
                    *(user.wait_for_message(timeout=REPLY_TIMEOUT) for user in users)
                )
        await sessions.kw["bind"].dispose()
    latencies = [r.sent_at - s for r, s in zip(replies, sent_at, strict=True)]
    failed = sum(reply.plain in (texts.ERROR, texts.SLOW_DOWN) for reply in replies)
    return Run(latencies, max(reply.sent_at for reply in replies) - started, failed)


async def time_bot_process(asked: list[str], worker: str) -> Run:
    """The same burst to a real `greenbot run` in its own process (webhook mode, SQLite), as a
    city deploys it: the Bot API is not in the bot's process, so the fake's HTTP handling does
    not share the bot's core and GIL as it does in `time_bot`. `worker`: GREENBOT_ANSWER_WORKER
    (thread: answering shares the GIL with the event loop; process: each has a core)."""
    from bench.webhook_scale import SECRET, knowledge_copy
    from tests.support.fake_bot_api import FakeBotAPI
    from tests.support.instances import running_instances

    knowledge = knowledge_copy()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        async with (
            FakeBotAPI() as fake,
            running_instances(
                fake,
                1,
                database_url=f"sqlite+aiosqlite:///{workdir / 'bench.db'}",
                fsm_storage="memory",
                knowledge=knowledge,
                workdir=workdir,
                secret=SECRET,
                GREENBOT_LOG_LEVEL="WARNING",
                GREENBOT_THROTTLE_PER_MINUTE="0",
                GREENBOT_SCHEDULER_ENABLED="false",
                GREENBOT_ANSWER_WORKER=worker,
            ),
        ):
            # One instance: the fake posts each update to the webhook it registered.
            async def ask(user_id: int, text: str) -> tuple[float, float, str | None]:
                user = fake.user(user_id)
                posted = time.monotonic()
                await user.send_text(text)
                reply = await user.wait_for_message(timeout=REPLY_TIMEOUT)
                return posted, reply.sent_at, reply.plain

            await ask(FIRST_USER_ID - 1, "垃圾分类怎么做？")  # untimed: first use in the process
            started = time.monotonic()
            replies = await asyncio.gather(
                *(ask(FIRST_USER_ID + n, question) for n, question in enumerate(asked))
            )
    from bot import texts

    latencies = [answered - posted for posted, answered, _ in replies]
    failed = sum(plain in (texts.ERROR, texts.SLOW_DOWN) for _, _, plain in replies)
    return Run(latencies, max(answered for _, answered, _ in replies) - started, failed)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    args = parser.parse_args()

    import torch

    from greenbot.root import build_engine
    from ground.settings import Settings

    torch.set_num_threads(1)  # one core for the engine, one for the bot, the fake and SQLite
    engine = build_engine(Settings())
    engine.answer("预热")
    asked = questions(args.users)

    # The engine's burst before and after the bot's, averaged: a shared machine drifts.
    before, service = asyncio.run(time_engine_burst(engine, asked))
    bot = asyncio.run(time_bot(engine, asked))
    deployed = {worker: asyncio.run(time_bot_process(asked, worker)) for worker in WORKERS}
    after, service_after = asyncio.run(time_engine_burst(engine, asked))

    bot_p95 = percentile(bot.latencies, 95)
    burst_p95 = (percentile(before.latencies, 95) + percentile(after.latencies, 95)) / 2
    single_p95 = percentile(service + service_after, 95)
    burst_wall = (before.wall + after.wall) / 2
    say(f"== bot load: {args.users} citizens asking at once through the fake Bot API ==")
    say(f"answers/second        {args.users / bot.wall:7.1f}   (all in {bot.wall:.1f} s)")
    say(f"  engine alone        {args.users / burst_wall:7.1f}   (same burst, same worker)")
    say(f"reply latency p50     {statistics.median(bot.latencies) * 1000:7.0f} ms")
    say(f"reply latency p95     {bot_p95 * 1000:7.0f} ms")
    say(f"engine burst p95      {burst_p95 * 1000:7.0f} ms   ({args.users} at once, one worker)")
    say(f"engine single p95     {single_p95 * 1000:7.0f} ms   (one question's own time)")
    say(f"replies not answers   {bot.failed:7d}")
    say(f"ratio p95 bot / engine burst   {bot_p95 / burst_p95:6.2f}   (goal ≤ 1.3)")
    for worker, run in deployed.items():
        p95 = percentile(run.latencies, 95)
        say(f"-- own `greenbot run` process (webhook), GREENBOT_ANSWER_WORKER={worker} --")
        say(f"answers/second        {args.users / run.wall:7.1f}")
        say(f"reply latency p50     {statistics.median(run.latencies) * 1000:7.0f} ms")
        say(f"reply latency p95     {p95 * 1000:7.0f} ms")
        say(f"replies not answers   {run.failed:7d}")
        say(f"ratio p95 bot / engine burst   {p95 / burst_p95:6.2f}   (goal ≤ 1.3)")
    say(f"ratio p95 bot / engine single  {bot_p95 / single_p95:6.1f}   (naive: mostly queueing)")


if __name__ == "__main__":
    main()
