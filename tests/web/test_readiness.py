"""/readyz against a running `greenbot run` (greenbot/root.py's `serve`, as tests/web/test_server.py
starts it): ready only once the answer model is loaded and warmed in the process that answers,
and the first question asked after that is answered within a second."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.web.conftest import Browser, web_settings
from tests.web.test_server import free_port, greenbot

pytestmark = pytest.mark.slow  # the answer engine, and a worker process loading its own

QUESTION = "县城污水处理率要达到多少？"
PLAN = "铜仁市“十四五”节能减排综合工作方案"
FETCH = {"x-requested-with": "fetch"}
FIRST_ANSWER_SECONDS = 1.0


async def until_ready(base: str, timeout: float = 300.0) -> list[dict[str, Any]]:
    """Poll /readyz as a load balancer does; every answer until the first 200."""
    seen: list[dict[str, Any]] = []
    async with httpx.AsyncClient(base_url=base) as http, asyncio.timeout(timeout):
        while True:
            response = await http.get("/readyz")
            seen.append({**response.json(), "code": response.status_code})
            if response.status_code == 200:
                return seen
            await asyncio.sleep(0.1)


async def first_answer_seconds(base: str) -> float:
    visitor = Browser(base_url=base)
    try:
        await visitor.get("/chat")
        started = time.perf_counter()
        reply = await visitor.post("/chat/send", {"text": QUESTION}, headers=FETCH)
        elapsed = time.perf_counter() - started
    finally:
        await visitor.close()
    assert reply.status_code == 200 and PLAN in reply.text, reply.text[-500:]
    return elapsed


async def test_with_a_worker_process_ready_waits_for_its_model_and_the_first_answer_is_quick(
    tmp_path: Path, knowledge_engine: Any, knowledge_config: Any
) -> None:
    settings = web_settings(
        tmp_path,
        web_port=free_port(),
        answer_worker="process",
        # the worker process loads the index the test run built, not a new one in tmp_path
        data_dir=knowledge_config.data_dir,
        embedding_model=str(knowledge_config.model),
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'greenbot.db'}",
    )
    async with greenbot(settings, knowledge_engine) as base:
        seen = await until_ready(base)
        elapsed = await first_answer_seconds(base)
    waiting = [answer for answer in seen if answer["code"] != 200]
    assert waiting, "ready at once: the worker process cannot have loaded its model yet"
    assert {answer["checks"]["answering"] for answer in waiting} == {"loading"}
    assert "answer model loading" in waiting[0]["reasons"]
    assert seen[-1]["checks"]["answering"] == "ok"
    assert elapsed < FIRST_ANSWER_SECONDS, f"first answer after ready took {elapsed:.2f} s"


async def test_with_the_answer_thread_ready_means_the_first_answer_is_quick(
    tmp_path: Path, knowledge_engine: Any
) -> None:
    knowledge_engine.warm()  # as `greenbot run` does before it serves (greenbot/cli.py)
    settings = web_settings(tmp_path, web_port=free_port())
    async with greenbot(settings, knowledge_engine) as base:
        seen = await until_ready(base)
        elapsed = await first_answer_seconds(base)
    assert seen[-1]["checks"]["answering"] == "ok"
    assert elapsed < FIRST_ANSWER_SECONDS, f"first answer after ready took {elapsed:.2f} s"
