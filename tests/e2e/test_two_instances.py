"""Scale proof: two `greenbot run` processes in webhook mode on one PostgreSQL and one Redis.

Two citizens file reports through the seven-step flow while every update alternates between the
instances, so each conversation's state (Redis) hops process at every step; the reports land once
in the shared database. Meanwhile both processes compete for the scheduler lease and exactly one
holds it. The processes are the real CLI, started as a city would start them (after
`greenbot db upgrade`), against the fake Bot API over HTTP.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.texts import reports as words
from tests.conftest import POSTGRES_URL, REDIS_URL, postgres_available, redis_available
from tests.support.fake_bot_api import BotMessage, FakeBotAPI, FakeUser
from tests.support.instances import Instance, KnowledgeCopy, fresh_postgres, running_instances

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not postgres_available(), reason="PostgreSQL is not on 127.0.0.1:5432"),
    pytest.mark.skipif(not redis_available(), reason="Redis is not on 127.0.0.1:6379"),
]

SECRET = "two-instances-" + uuid.uuid4().hex
REPLY_TIMEOUT = 30.0


@pytest.fixture
async def database_url() -> AsyncIterator[str]:
    async with fresh_postgres(POSTGRES_URL) as url:
        yield url


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def knowledge(request: pytest.FixtureRequest, knowledge_config) -> KnowledgeCopy:  # type: ignore[no-untyped-def]
    """The test index (data/test-knowledge), built by the shared fixture only when missing."""
    from knowledge.corpus import fingerprint
    from knowledge.index import is_fresh

    if not is_fresh(knowledge_config.index, fingerprint(knowledge_config.corpus_dir)):
        request.getfixturevalue("knowledge_engine")
    return KnowledgeCopy(knowledge_config.data_dir, knowledge_config.model)


@pytest.fixture
async def instances(
    fake: FakeBotAPI, database_url: str, knowledge: KnowledgeCopy, tmp_path: Path
) -> AsyncIterator[list[Instance]]:
    async with running_instances(
        fake,
        2,
        database_url=database_url,
        fsm_storage=REDIS_URL,
        knowledge=knowledge,
        workdir=tmp_path,
        secret=SECRET,
        GREENBOT_SCHEDULER_RENEW_SECONDS="1",
        GREENBOT_SCHEDULER_LEASE_TTL_SECONDS="15",
    ) as pair:
        yield pair


@pytest.fixture
def clean_redis(fake: FakeBotAPI) -> Iterator[list[int]]:
    """User ids for this test; their FSM keys are removed from the shared Redis afterwards."""
    import redis

    first = 8_800_000 + uuid.uuid4().int % 100_000 * 10
    ids = [first, first + 1]
    yield ids
    client = redis.Redis.from_url(REDIS_URL)
    try:
        for user_id in ids:
            for key in client.scan_iter(f"fsm:*{user_id}*"):
                client.delete(key)
    finally:
        client.close()


def starts_with(template: str) -> Callable[[BotMessage], bool]:
    """A bot message that begins like `template` (up to its first placeholder)."""
    head = template.split("{")[0][:10]
    return lambda message: (message.plain or "").startswith(head)


class Hopper:
    """Sends each user action to the next instance in turn and waits for the bot's reply."""

    def __init__(self, fake: FakeBotAPI, pair: list[Instance]) -> None:
        self.fake = fake
        self.pair = pair
        self.turn = 0
        self.sent: dict[str, set[int]] = {instance.name: set() for instance in pair}
        self.route: dict[int, list[str]] = {}  # user id → the instance of each of their steps

    async def step(
        self, user: FakeUser, action: Callable[[], Any], expect: Callable[[BotMessage], bool]
    ) -> BotMessage:
        instance = self.pair[self.turn % len(self.pair)]
        self.turn += 1
        self.fake.webhook_url = instance.url  # where Telegram would post this one update
        update = await action()
        self.sent[instance.name].add(update["update_id"])
        self.route.setdefault(user.id, []).append(instance.name)
        return await user.wait_for_message(expect, timeout=REPLY_TIMEOUT)


async def test_report_flow_hops_between_instances_and_one_scheduler_runs(
    fake: FakeBotAPI, instances: list[Instance], database: AsyncEngine, clean_redis: list[int]
) -> None:
    from reports.models import Report

    hopper = Hopper(fake, instances)
    citizens = [
        fake.user(user_id, name) for user_id, name in zip(clean_redis, ("甲", "乙"), strict=True)
    ]
    places = [(27.7183, 109.1894, 0), (27.5601, 109.2102, 1)]  # 碧江区, 万山区 (DISTRICTS order)
    texts = ["锦江路工地夜间扬尘严重，运输车不冲洗", "万山区河边每晚有人焚烧垃圾，气味刺鼻"]
    categories = ["air", "burning"]
    # Both citizens' conversations interleave, so consecutive steps of one citizen always land
    # on different instances (2 citizens × 2 instances: the turn alternates per action).
    flows = [
        lambda u, i: (lambda: u.send_command("/report"), starts_with(words.ASK_CATEGORY)),
        lambda u, i: (
            lambda: u.press(f"rpc:{categories[i]}"),
            starts_with(words.ASK_DESCRIPTION),
        ),
        lambda u, i: (
            lambda: u.send_text(texts[i]),
            starts_with(words.ASK_LOCATION_CONSENT),
        ),
        lambda u, i: (lambda: u.press("rp:share"), starts_with(words.ASK_LOCATION)),
        lambda u, i: (
            lambda: u.send_location(places[i][0], places[i][1]),
            starts_with(words.PROPOSE_DISTRICT["point"]),  # read from the point, to confirm
        ),
        lambda u, i: (lambda: u.press(f"rpd:{places[i][2]}"), starts_with(words.ASK_PHOTOS)),
        lambda u, i: (lambda: u.press("rp:done"), starts_with(words.ASK_CONTACT)),
        lambda u, i: (
            lambda: u.send_text(words.BUTTON_ANONYMOUS if i == 0 else words.BUTTON_NO_PHONE),
            starts_with(words.SUMMARY),
        ),
        lambda u, i: (lambda: u.press("rp:submit"), starts_with(words.SUBMITTED)),
    ]
    receipts: list[BotMessage] = []
    for number, make_step in enumerate(flows):
        order = [0, 1] if number % 2 == 0 else [1, 0]  # who goes first swaps every round
        for i in order:
            action, expect = make_step(citizens[i], i)
            reply = await hopper.step(citizens[i], action, expect)
            if number == len(flows) - 1:
                receipts.append(reply)

    # Every update was handled by the instance it was sent to, and both did half the work
    # (aiogram logs "is handled" once the handler returns, just after its last reply).
    for instance in instances:
        await _until(lambda i=instance: hopper.sent[i.name] <= i.handled_updates(), i=instance)
        assert len(hopper.sent[instance.name]) == len(flows)
    # Each citizen's consecutive steps went to different processes: the state hopped each time.
    for user in citizens:
        route = hopper.route[user.id]
        assert len(route) == len(flows)
        assert all(a != b for a, b in itertools.pairwise(route)), route
    async with database.connect() as connection:
        reports = (await connection.execute(select(Report).order_by(Report.id))).all()
    assert len(reports) == 2
    by_user = {row.reporter_user_id: row for row in reports}
    assert set(by_user) == set(clean_redis)
    first, second = by_user[clean_redis[0]], by_user[clean_redis[1]]
    assert (first.category, first.district, first.anonymous) == ("air", "碧江区", True)
    assert (second.category, second.district, second.anonymous) == ("burning", "万山区", False)
    assert first.description == texts[0] and (first.lat, first.lon) == places[0][:2]
    assert {first.ticket, second.ticket} == {
        re.search(r"TR-\d{4}-\d{4,}", r.plain or "").group(0)  # type: ignore[union-attr]
        for r in receipts
    }

    await _assert_one_scheduler(instances, database)


async def _until(condition: Callable[[], bool], *, i: Instance, timeout: float = 15.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, i.tail()
        await asyncio.sleep(0.1)


async def _assert_one_scheduler(instances: list[Instance], database: AsyncEngine) -> None:
    """One lease row, held by one of the two processes, renewed by that same process."""
    from campaigns.models import SchedulerLease

    async def lease() -> list[Any]:
        async with database.connect() as connection:
            return list((await connection.execute(select(SchedulerLease))).all())

    first = await lease()
    assert len(first) == 1
    holder = first[0].holder
    pids = {instance.process.pid: instance for instance in instances if instance.process}
    leader = pids[int(holder.split(":")[1])]  # holder: host:pid:random
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20
    while (rows := await lease())[0].expires_at <= first[0].expires_at:  # renewed every 1 s
        assert loop.time() < deadline, "the leader stopped renewing its lease"
        await asyncio.sleep(0.2)
    assert len(rows) == 1 and rows[0].holder == holder
    became_leader = {
        instance.name
        for instance in instances
        if any("is now the leader" in entry["message"] for entry in instance.logs())
    }
    assert became_leader == {leader.name}
