"""The knowledge engine as the bot uses it: off the event loop, one question at a time.

`AnswerEngine.answer` is synchronous and CPU-bound (an embedding, BM25, a rerank) and is not
guaranteed thread-safe, so it runs in a single worker thread: the loop keeps serving updates
while a question is answered, and calls queue instead of overlapping.
"""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.answer import Answer, AnswerEngine
    from knowledge.scripts import Script
    from knowledge.sections import Section


class Answerer:
    def __init__(self, engine: AnswerEngine) -> None:
        self.engine = engine
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="answer")
        # Callback data carries a section's position in this ordering, never its id (which can
        # be long and contains "(" / "/"): sorted ids are stable while the corpus is unchanged.
        self._section_ids = sorted(engine.index.sections)
        self._numbers = {section_id: n for n, section_id in enumerate(self._section_ids)}

    async def answer(
        self, question: str, *, script: Script | None = None, previous: str | None = None
    ) -> Answer:
        call = functools.partial(self.engine.answer, question, script=script, previous=previous)
        return await asyncio.get_running_loop().run_in_executor(self._worker, call)

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
