"""/healthz, /readyz and /metrics over HTTP, on a real database (and a broken one)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from campaigns import Broadcasts
from ground.clock import SHANGHAI, ManualClock
from ground.db import create_engine, session_factory
from ground.settings import Settings
from knowledge.feedback import QuestionLog
from outbox import Outbox, OutboxMessage, OutboxStatus
from reports import MediaStore, ReportService, Staff, Status
from web.metrics import Metrics
from web.routes import health

NOW = datetime(2026, 11, 3, 10, 0, tzinfo=SHANGHAI)
TOKEN = "scrape-token-0123456789"


def make_app(
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
    metrics_token: str | None = TOKEN,
    **state: Any,
) -> FastAPI:
    app = FastAPI()
    app.state.settings = Settings(_env_file=None, data_dir=tmp_path, metrics_token=metrics_token)  # type: ignore[call-arg]
    app.state.sessions = sessions
    for name, value in state.items():
        setattr(app.state, name, value)
    app.include_router(health.router)
    return app


@pytest.fixture
async def broken_sessions(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A database that cannot be opened (its folder does not exist)."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'x.db'}")
    yield session_factory(engine)
    await engine.dispose()


async def get(app: FastAPI, path: str, token: str | None = TOKEN) -> httpx.Response:
    """GET `path`, with the scrape token (Prometheus's `authorization` in its scrape config)."""
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        return await http.get(path, headers=headers)


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def test_healthz_answers_without_a_database(broken_sessions, tmp_path: Path) -> None:
    response = await get(make_app(broken_sessions, tmp_path), "/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_readyz_is_ready_with_a_reachable_database(sessions, tmp_path: Path) -> None:
    response = await get(make_app(sessions, tmp_path), "/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {
        "database": "ok",
        "knowledge": "not used here",
        "answering": "not used here",
    }


async def test_readyz_is_503_with_reasons_when_the_database_is_down(
    broken_sessions, tmp_path: Path
) -> None:
    response = await get(make_app(broken_sessions, tmp_path), "/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready" and body["checks"]["database"] == "unreachable"
    assert body["reasons"][0].startswith("database unreachable (")
    assert str(tmp_path) not in response.text  # no paths or hosts leak into the probe


async def test_readyz_checks_the_knowledge_index_where_the_app_holds_the_engine(
    sessions, tmp_path: Path
) -> None:
    """The probe looks at `engine.index` only: a stand-in with or without chunks shows both."""
    loaded = SimpleNamespace(index=SimpleNamespace(chunks=["chunk"], store=object()))
    empty = SimpleNamespace(index=SimpleNamespace(chunks=[], store=object()))

    ready = await get(make_app(sessions, tmp_path, engine=loaded), "/readyz")
    not_ready = await get(make_app(sessions, tmp_path, engine=empty), "/readyz")

    assert ready.status_code == 200 and ready.json()["checks"]["knowledge"] == "ok"
    assert not_ready.status_code == 503
    assert not_ready.json()["reasons"] == ["knowledge index not loaded"]


async def seed(sessions: async_sessionmaker[AsyncSession], tmp_path: Path) -> None:
    """Three questions (one uncovered), three reports, outbox rows in three states."""
    clock = ManualClock(NOW)
    async with sessions.begin() as session:
        log = QuestionLog(session)
        for covered in (True, True, False):
            await log.record(
                user_id=1,
                question="问题",
                simplified="问题",
                answer="答",
                covered=covered,
                sources=[],
                now=NOW,
            )
        service = ReportService(
            session, Outbox(session), clock, MediaStore(tmp_path / "m", max_bytes=1)
        )
        first = await service.submit(
            user_id=1, chat_id=1, category="air", description="扬尘", district="碧江区", address="a"
        )
        await service.submit(
            user_id=2, chat_id=2, category="air", description="扬尘", district="碧江区", address="b"
        )
        await service.submit(
            user_id=3,
            chat_id=3,
            category="water",
            description="污水",
            district="万山区",
            address="c",
        )
        await service.change_status(
            first.ticket, Status.ACCEPTED, by=Staff(id=9, name="王"), note="受理"
        )  # queues one report_status notice
        broadcast = await Broadcasts(session).create(text="节能周", created_by=9, now=NOW)
        for n, status in enumerate(
            [OutboxStatus.SENT, OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.BLOCKED]
        ):
            session.add(
                OutboxMessage(
                    chat_id=100 + n,
                    kind="broadcast",
                    dedupe_key=f"b:{n}",
                    text="节能周",
                    broadcast_id=broadcast.id,
                    status=status,
                    not_before=NOW,
                    created_at=NOW,
                )
            )


async def test_metrics_count_what_the_database_holds(sessions, tmp_path: Path) -> None:
    await seed(sessions, tmp_path)

    response = await get(make_app(sessions, tmp_path), "/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    found = samples(response.text)
    assert found[("greenbot_database_up", ())] == 1
    assert found[("greenbot_questions_asked_total", (("channel", "telegram"),))] == 3
    assert found[("greenbot_answers_total", (("channel", "telegram"), ("covered", "true")))] == 2
    assert found[("greenbot_answers_total", (("channel", "telegram"), ("covered", "false")))] == 1
    report = "greenbot_reports"
    assert found[(report, (("category", "air"), ("status", "accepted")))] == 1
    assert found[(report, (("category", "air"), ("status", "submitted")))] == 1
    assert found[(report, (("category", "water"), ("status", "submitted")))] == 1
    assert found[(report, (("category", "energy"), ("status", "resolved")))] == 0
    outbox = "greenbot_outbox_messages"
    assert found[(outbox, (("kind", "broadcast"), ("status", "sent")))] == 2
    assert found[(outbox, (("kind", "broadcast"), ("status", "failed")))] == 1
    assert found[(outbox, (("kind", "broadcast"), ("status", "blocked")))] == 1
    assert found[(outbox, (("kind", "report_status"), ("status", "pending")))] == 1
    assert found[("greenbot_broadcasts", (("status", "draft"),))] == 1
    assert any(name.startswith("process_") for name, _ in found)  # the process's own metrics


async def test_two_instances_report_the_same_totals(sessions, tmp_path: Path) -> None:
    """Counts come from the shared database, not from one process's memory."""
    await seed(sessions, tmp_path)

    first = samples((await get(make_app(sessions, tmp_path), "/metrics")).text)
    second = samples((await get(make_app(sessions, tmp_path), "/metrics")).text)

    def ours(found: dict) -> dict:
        return {key: value for key, value in found.items() if key[0].startswith("greenbot_")}

    ours_first, ours_second = ours(first), ours(second)
    for found in (ours_first, ours_second):
        found.pop(("greenbot_metrics_read_seconds", ()))
    assert ours_first == ours_second and len(ours_first) > 60


async def test_metrics_are_cached_for_a_few_seconds_then_reread(sessions, tmp_path: Path) -> None:
    ticks = [100.0]
    metrics = Metrics(sessions, max_age=5.0, monotonic=lambda: ticks[0])
    app = make_app(sessions, tmp_path, metrics=metrics)
    asked = ("greenbot_questions_asked_total", (("channel", "telegram"),))

    before = samples((await get(app, "/metrics")).text)[asked]
    await seed(sessions, tmp_path)
    ticks[0] += 4.0
    cached = samples((await get(app, "/metrics")).text)[asked]
    ticks[0] += 2.0
    fresh = samples((await get(app, "/metrics")).text)[asked]

    assert (before, cached, fresh) == (0, 0, 3)


async def test_metrics_still_answer_when_the_database_is_down(
    broken_sessions, tmp_path: Path
) -> None:
    response = await get(make_app(broken_sessions, tmp_path), "/metrics")

    assert response.status_code == 200
    found = samples(response.text)
    assert found[("greenbot_database_up", ())] == 0
    assert not any(name.startswith("greenbot_reports") for name, _ in found)


async def test_metrics_are_absent_without_a_configured_token(sessions, tmp_path: Path) -> None:
    app = make_app(sessions, tmp_path, metrics_token=None)

    for token in (None, "", TOKEN):
        response = await get(app, "/metrics", token=token)
        assert response.status_code == 404, token
        assert "greenbot_" not in response.text


@pytest.mark.parametrize("token", [None, "", "wrong-token", TOKEN + "x", TOKEN[:-1]])
async def test_metrics_refuse_a_scrape_without_the_right_token(
    sessions, tmp_path: Path, token: str | None
) -> None:
    response = await get(make_app(sessions, tmp_path), "/metrics", token=token)

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "greenbot_" not in response.text
