"""Approved curated answers, live in every engine without a restart.

Each engine keeps the approved answers' questions embedded in a small in-memory index. Before
answering it reads `curated_version` (one indexed row, at most every `refresh_seconds`); when
the number moved, it reloads the approved answers and re-embeds their questions. So an answer
an admin approves on one instance is answered from by every other within seconds.

The engine answers from sync code (a worker thread, a worker process, the CLI), while the
database is reached through async drivers (aiosqlite, asyncpg): `DatabaseReader` runs its
queries on a private event loop in a daemon thread.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import numpy as np

from ground.clock import SHANGHAI, chinese_date
from knowledge.curated.models import AnswerStatus, CuratedAnswer, CuratedVersion, SourceKind
from knowledge.feedback import normalize
from knowledge.sections import PLAN_TITLE

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

STAFF_ANSWER = "《工作人员解答》"
CURATED_SECTION = "curated"  # Source.section prefix of a curated answer: "curated:12"
READ_TIMEOUT = 10.0
T = TypeVar("T")


@dataclass(frozen=True)
class LiveAnswer:
    """A curated answer as an engine holds it (plain values, picklable)."""

    id: int
    text: str
    questions: tuple[str, ...]
    source_kind: str
    source_title: str
    issuer: str | None
    issued_on: date | None
    approved_at: datetime | None
    status: str = AnswerStatus.APPROVED

    @classmethod
    def of(cls, row: CuratedAnswer) -> LiveAnswer:
        return cls(
            id=row.id,
            text=row.text,
            questions=tuple(row.questions),
            source_kind=row.source_kind,
            source_title=row.source_title,
            issuer=row.issuer,
            issued_on=row.issued_on,
            approved_at=row.approved_at,
            status=row.status,
        )

    @property
    def basis(self) -> str:
        """What it rests on, as a citizen reads it."""
        title = self.source_title
        if self.source_kind == SourceKind.PLAN:
            return f"{PLAN_TITLE}{title}"
        if self.source_kind == SourceKind.GUIDE:
            return title if title.startswith("《") else f"《{title}》"
        named = title if title.startswith("《") else f"《{title}》"
        when = f"（{chinese_date(self.issued_on)}）" if self.issued_on else ""
        return f"{self.issuer or ''}{named}{when}"

    @property
    def citation(self) -> str:
        when = self.approved_at
        if when is not None:  # SQLite hands back naive wall times, written in Asia/Shanghai
            when = (
                when.replace(tzinfo=SHANGHAI) if when.tzinfo is None else when.astimezone(SHANGHAI)
            )
        dated = f"（{chinese_date(when)}审定）" if when else ""
        return f"出处：{STAFF_ANSWER}{dated}，依据：{self.basis}"


@dataclass(frozen=True)
class Match:
    answer: LiveAnswer
    score: float  # cosine of the question to the nearest of the answer's questions; 1.0 if same
    question: str  # which of its questions was nearest


class CuratedSet:
    """The answers' questions embedded once, searched by cosine (a few hundred vectors: exact)."""

    def __init__(self, answers: Sequence[LiveAnswer], embed: Callable[[str], np.ndarray]) -> None:
        self.answers = list(answers)
        self.owners: list[tuple[LiveAnswer, str]] = [
            (a, q) for a in self.answers for q in a.questions
        ]
        self.normalized = {normalize(q): i for i, (_, q) in enumerate(self.owners)}
        self.vectors = (
            np.vstack([embed(q) for _, q in self.owners])
            if self.owners
            else np.zeros((0, 1), dtype=np.float32)
        )

    def ranked(self, text: str, vector: np.ndarray, k: int = 3) -> list[Match]:
        """The nearest answers, best first, one entry per answer."""
        if not self.owners:
            return []
        scores = self.vectors @ vector
        exact = self.normalized.get(normalize(text))
        if exact is not None:
            scores[exact] = 1.0
        best: dict[int, Match] = {}
        for i in np.argsort(-scores):
            answer, question = self.owners[i]
            if answer.id not in best:
                best[answer.id] = Match(answer, round(float(scores[i]), 4), question)
            if len(best) >= k:
                break
        return list(best.values())


class Source(Protocol):
    def version(self) -> int: ...
    def approved(self) -> list[LiveAnswer]: ...


class LiveCurated:
    """The approved answers an engine answers from, refreshed when `curated_version` moves."""

    def __init__(
        self,
        source: Source,
        embed: Callable[[str], np.ndarray],
        *,
        match_above: float,
        refresh_seconds: float = 2.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self.embed = embed
        self.match_above = match_above
        self.refresh_seconds = refresh_seconds
        self.monotonic = monotonic
        self.version = -1
        self._checked = float("-inf")
        self._set = CuratedSet([], embed)
        self._lock = threading.Lock()
        self._reported: set[str] = set()

    def current(self) -> CuratedSet:
        """The live set; reads the version first when the last read is older than the interval."""
        now = self.monotonic()
        if now - self._checked < self.refresh_seconds:
            return self._set
        with self._lock:
            self._checked = now
            try:
                version = self.source.version()
                if version != self.version:
                    answers = self.source.approved()
                    self._set, self.version = CuratedSet(answers, self.embed), version
                    log.info("curated answers: version %s, %s live", version, len(answers))
            except Exception as error:  # a missing table or a busy database must not stop
                self._report(error)  # answering: the last set stays live
        return self._set

    def _report(self, error: Exception) -> None:
        """Once per kind of failure, in a line (the traceback only at debug level): a database
        `greenbot ask` never migrated has no curated table, and that is not worth a warning."""
        missing = "no such table" in str(error) or "does not exist" in str(error)
        kind = "missing" if missing else type(error).__name__
        log.debug("curated answers could not be read", exc_info=True)
        if kind in self._reported:
            return
        self._reported.add(kind)
        if missing:
            log.info("no curated answers table in this database: answering from the corpus")
        else:
            log.warning("curated answers could not be read (%s); keeping the last set", kind)

    def match(self, text: str) -> Match | None:
        """The curated answer for this (Simplified) question, when it is near enough."""
        live = self.current()
        if not live.owners:
            return None
        ranked = live.ranked(text, self.embed(text), k=1)
        return ranked[0] if ranked and ranked[0].score >= self.match_above else None


class DatabaseReader:
    """`Source` over the app database, for sync callers (see the module docstring)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._loop: asyncio.AbstractEventLoop | None = None
        self._engine: AsyncEngine | None = None
        self._start = threading.Lock()

    def version(self) -> int:
        return self._run(self._version)

    def approved(self) -> list[LiveAnswer]:
        return self._run(self._approved)

    async def _version(self, engine: AsyncEngine) -> int:
        from sqlalchemy import select

        async with engine.connect() as connection:
            found = await connection.scalar(
                select(CuratedVersion.version).where(CuratedVersion.id == 1)
            )
        return int(found or 0)

    async def _approved(self, engine: AsyncEngine) -> list[LiveAnswer]:
        from sqlalchemy import select
        from sqlalchemy.ext.asyncio import AsyncSession

        async with AsyncSession(engine) as session:
            rows = await session.scalars(
                select(CuratedAnswer)
                .where(CuratedAnswer.status == AnswerStatus.APPROVED)
                .order_by(CuratedAnswer.id)
            )
            return [LiveAnswer.of(row) for row in rows]

    def _run(self, query: Callable[[AsyncEngine], Coroutine[Any, Any, T]]) -> T:
        loop = self._ensure_loop()
        return asyncio.run_coroutine_threadsafe(self._with_engine(query), loop).result(READ_TIMEOUT)

    async def _with_engine(self, query: Callable[[AsyncEngine], Coroutine[Any, Any, T]]) -> T:
        if self._engine is None:
            from ground.db import create_engine

            self._engine = create_engine(self.url)
        return await query(self._engine)

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._start:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                threading.Thread(
                    target=loop.run_forever, name="curated-reader", daemon=True
                ).start()
                self._loop = loop
        return self._loop
