"""Prometheus metrics read from the database at scrape time, so every instance behind the load
balancer reports the same totals (nothing is counted in one process's memory).

The collector is synchronous (prometheus_client's contract), so the scrape first reads a
`Snapshot` with async queries, at most every `max_age` seconds, then renders it: a scrape never
blocks the event loop on the database.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from sqlalchemy import func, select

from campaigns.models import Broadcast, BroadcastStatus
from knowledge.feedback import AskedQuestion
from outbox.models import OutboxMessage, OutboxStatus
from reports.categories import Category
from reports.models import Report
from reports.statuses import Status

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass(frozen=True)
class Snapshot:
    """Counts per label set, as read in one transaction."""

    questions: dict[tuple[str, bool], int] = field(default_factory=dict)  # (channel, covered)
    reports: dict[tuple[str, str], int] = field(default_factory=dict)  # (status, category)
    outbox: dict[tuple[str, str], int] = field(default_factory=dict)  # (status, kind)
    broadcasts: dict[str, int] = field(default_factory=dict)  # status
    database_up: bool = False
    read_seconds: float = 0.0


async def _grouped(
    session: AsyncSession, *columns: Any, where: Any = None
) -> dict[tuple[Any, ...], int]:
    query = select(*columns, func.count()).group_by(*columns)
    rows = await session.execute(query if where is None else query.where(where))
    return {tuple(row[:-1]): int(row[-1]) for row in rows}


async def read_snapshot(sessions: async_sessionmaker[AsyncSession]) -> Snapshot:
    """Four GROUP BY counts; each table has an index on the grouped status column."""
    started = time.perf_counter()
    async with sessions() as session:
        questions = await _grouped(session, AskedQuestion.channel, AskedQuestion.covered)
        # the web sandbox's demo reports are not the city's workload
        reports = await _grouped(
            session, Report.status, Report.category, where=Report.demo.is_(False)
        )
        outbox = await _grouped(session, OutboxMessage.status, OutboxMessage.kind)
        broadcasts = await _grouped(session, Broadcast.status)
    return Snapshot(
        questions={(channel, bool(covered)): n for (channel, covered), n in questions.items()},
        reports={(status, category): n for (status, category), n in reports.items()},
        outbox={(status, kind): n for (status, kind), n in outbox.items()},
        broadcasts={status: n for (status,), n in broadcasts.items()},
        database_up=True,
        read_seconds=time.perf_counter() - started,
    )


class DatabaseCollector:
    """Renders the latest Snapshot; known label values are always present (as 0), so a rate or
    an alert on, say, `status="failed"` has a series before the first failure."""

    def __init__(self) -> None:
        self.snapshot = Snapshot()

    def describe(self) -> list[Metric]:
        return []  # registering must not collect

    def collect(self) -> Iterator[Metric]:
        snap = self.snapshot
        up = GaugeMetricFamily("greenbot_database_up", "1 if the last metrics read succeeded")
        up.add_metric([], 1.0 if snap.database_up else 0.0)
        yield up
        if not snap.database_up:
            return  # no stale numbers: an absent series is honest, a frozen one is not
        read = GaugeMetricFamily("greenbot_metrics_read_seconds", "Time the counts took to read")
        read.add_metric([], snap.read_seconds)
        yield read
        yield from self._questions(snap)
        yield from self._reports(snap)
        yield from self._outbox(snap)

    def _questions(self, snap: Snapshot) -> Iterator[Metric]:
        asked = CounterMetricFamily(
            "greenbot_questions_asked", "Questions citizens asked", labels=["channel"]
        )
        answered = CounterMetricFamily(
            "greenbot_answers",
            "Answers by whether the knowledge base covered the question",
            labels=["channel", "covered"],
        )
        channels = sorted({channel for channel, _ in snap.questions} | {"telegram"})
        for channel in channels:
            covered = snap.questions.get((channel, True), 0)
            uncovered = snap.questions.get((channel, False), 0)
            asked.add_metric([channel], covered + uncovered)
            answered.add_metric([channel, "true"], covered)
            answered.add_metric([channel, "false"], uncovered)
        yield asked
        yield answered

    def _reports(self, snap: Snapshot) -> Iterator[Metric]:
        reports = GaugeMetricFamily(
            "greenbot_reports", "Reports now in each status", labels=["status", "category"]
        )
        for status in Status:
            for category in Category:
                count = snap.reports.get((status.value, category.value), 0)
                reports.add_metric([status.value, category.value], count)
        yield reports

    def _outbox(self, snap: Snapshot) -> Iterator[Metric]:
        outbox = GaugeMetricFamily(
            "greenbot_outbox_messages",
            "Outbox rows (notices, reminders, broadcast deliveries) by status and kind",
            labels=["status", "kind"],
        )
        kinds = sorted({kind for _, kind in snap.outbox} | {"broadcast"})
        for kind in kinds:
            for status in OutboxStatus:
                outbox.add_metric([status.value, kind], snap.outbox.get((status.value, kind), 0))
        yield outbox
        broadcasts = GaugeMetricFamily(
            "greenbot_broadcasts", "Broadcasts by status", labels=["status"]
        )
        for status in BroadcastStatus:
            broadcasts.add_metric([status.value], snap.broadcasts.get(status.value, 0))
        yield broadcasts


class Metrics:
    """One per web app: a registry with the database counts and this process's own metrics."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        max_age: float = 5.0,
        timeout: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sessions = sessions
        self.max_age = max_age
        self.timeout = timeout
        self.monotonic = monotonic
        self.collector = DatabaseCollector()
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(self.collector)  # type: ignore[arg-type]
        for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
            self.registry.register(collector)
        self._read_at = -math.inf
        self._lock = asyncio.Lock()

    async def refresh(self) -> None:
        """Re-read the counts unless the last read is younger than `max_age` seconds; scrapes
        arriving together share one read."""
        async with self._lock:
            if self.monotonic() - self._read_at < self.max_age:
                return
            try:
                snapshot = await asyncio.wait_for(read_snapshot(self.sessions), self.timeout)
            except Exception as error:  # the scrape still answers, with database_up 0
                log.warning("metrics: database read failed (%s)", type(error).__name__)
                snapshot = Snapshot(database_up=False)
            self.collector.snapshot = snapshot
            self._read_at = self.monotonic()

    async def exposition(self) -> bytes:
        """The Prometheus text format, fresh to within `max_age` seconds."""
        await self.refresh()
        return generate_latest(self.registry)
