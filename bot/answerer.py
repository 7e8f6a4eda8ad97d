"""The knowledge engine as the bot uses it: off the event loop, one question at a time.

`AnswerEngine.answer` is synchronous and CPU-bound (an embedding, BM25, a rerank) and is not
guaranteed thread-safe, so it runs in a single worker thread: the loop keeps serving updates
while a question is answered, and calls queue instead of overlapping. With
`GREENBOT_ANSWER_WORKER=process` that one worker is a process of its own instead
(`bot/answer_worker.py`: no GIL shared with the event loop).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

from bot import answer_worker

if TYPE_CHECKING:
    from knowledge.answer import Answer, AnswerEngine
    from knowledge.scripts import Script
    from knowledge.sections import Section


log = logging.getLogger(__name__)


class Answerer:
    def __init__(
        self, engine: AnswerEngine, *, worker: Callable[[], AnswerEngine] | None = None
    ) -> None:
        """`worker`: answer in a worker process with the engine this builds there (a picklable
        function: the composition root passes `build_engine` with the settings), else in a
        thread with `engine`."""
        self.engine = engine
        self.worker = worker
        self._warming: Future[bool] | None = None
        self._worker = self._start_worker()
        # Callback data carries a section's position in this ordering, never its id (which can
        # be long and contains "(" / "/"): sorted ids are stable while the corpus is unchanged.
        self._section_ids = sorted(engine.index.sections)
        self._numbers = {section_id: n for n, section_id in enumerate(self._section_ids)}

    async def answer(
        self, question: str, *, script: Script | None = None, previous: str | None = None
    ) -> Answer:
        loop = asyncio.get_running_loop()
        if self.worker is None:
            call = functools.partial(self.engine.answer, question, script=script, previous=previous)
            return await loop.run_in_executor(self._worker, call)
        try:
            return await loop.run_in_executor(
                self._worker, answer_worker.answer, question, script, previous
            )
        except BrokenProcessPool:  # the worker died (killed, out of memory): start another
            log.error("the answer worker process died: starting a new one")
            self._worker.shutdown(wait=False, cancel_futures=True)
            self._worker = self._start_worker()
            raise

    def _start_worker(self) -> Executor:
        if self.worker is None:
            return ThreadPoolExecutor(max_workers=1, thread_name_prefix="answer")
        pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),  # no fork of a loop and threads
            initializer=answer_worker.start,
            initargs=(self.worker,),
        )
        self._warming = pool.submit(answer_worker.ready)  # the model loads now, not later
        return pool

    @property
    def warm(self) -> bool:
        """Whether a question asked now is answered without waiting for a model to load: a
        process worker once it has loaded and warmed its own (again after a restart); a thread
        worker answers with this process's engine, which `greenbot run` warms before serving.
        /readyz asks this, so ready means the first answer comes at once."""
        warming = self._warming
        if warming is None:
            return True
        return warming.done() and warming.exception() is None and bool(warming.result())

    async def until_warm(self) -> None:
        """Wait until a process worker has loaded its model (at once for the thread): the bot
        takes its first update after this, so no citizen's question pays for the loading."""
        if self._warming is not None:
            await asyncio.wrap_future(self._warming)

    def section_number(self, section_id: str) -> int | None:
        return self._numbers.get(section_id)

    def section(self, number: int) -> Section | None:
        """The section behind a button, or None for a forged or stale number."""
        if 0 <= number < len(self._section_ids):
            return self.engine.index.sections[self._section_ids[number]]
        return None

    @property
    def max_question_chars(self) -> int:
        return self.engine.max_question_chars

    def close(self) -> None:
        """Stop the worker without waiting for a question in progress (shutdown)."""
        self._worker.shutdown(wait=False, cancel_futures=True)
