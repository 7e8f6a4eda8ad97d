"""The answering worker: a thread by default, or a process of its own (GREENBOT_ANSWER_WORKER),
which answers exactly as the engine does and is replaced if it dies."""

from __future__ import annotations

import functools
import os
import signal
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import pytest

from bot.answerer import Answerer
from greenbot.root import build_engine
from ground.settings import Settings

pytestmark = pytest.mark.slow  # the answer engine, twice


@pytest.fixture
def worker_settings(knowledge_config: Any) -> Settings:
    """Settings naming the test index and model, as the bot's process would pass them on."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=knowledge_config.data_dir,
        embedding_model=knowledge_config.model,
        answer_worker="process",
    )


async def test_the_worker_process_answers_as_the_engine_does(
    knowledge_engine: Any, worker_settings: Settings
) -> None:
    answerer = Answerer(knowledge_engine, worker=functools.partial(build_engine, worker_settings))
    try:
        await answerer.until_warm()  # what the bot awaits before taking its first update
        assert answerer._warming is not None and answerer._warming.result() is True, (
            "the worker's engine is built and warm before any question"
        )
        for question, script in (("垃圾分类怎么做？", None), ("公交車都會換成電動的嗎？", None)):
            answered = await answerer.answer(question, script=script)
            expected = knowledge_engine.answer(question, script=script)
            assert answered.covered and answered.answer == expected.answer
            assert [s.section for s in answered.sources] == [s.section for s in expected.sources]
            assert os.getpid() != await _worker_pid(answerer)
    finally:
        answerer.close()


async def test_a_dead_worker_process_fails_one_question_and_a_new_one_answers_the_next(
    knowledge_engine: Any, worker_settings: Settings
) -> None:
    answerer = Answerer(knowledge_engine, worker=functools.partial(build_engine, worker_settings))
    try:
        assert (await answerer.answer("垃圾分类怎么做？")).covered
        os.kill(await _worker_pid(answerer), signal.SIGKILL)
        with pytest.raises(BrokenProcessPool):
            await answerer.answer("电池属于什么垃圾？")
        assert (await answerer.answer("电池属于什么垃圾？")).covered
    finally:
        answerer.close()


async def _worker_pid(answerer: Answerer) -> int:
    import asyncio

    return await asyncio.get_running_loop().run_in_executor(answerer._worker, os.getpid)
