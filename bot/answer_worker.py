"""The knowledge engine in a process of its own (`GREENBOT_ANSWER_WORKER=process`).

Why: answering is CPU-bound Python (BM25, the rerank) around a torch call; in a thread it shares
the GIL with the bot's event loop, so handling updates (HTTP, aiogram, the database) and
answering take turns on one core. In its own process each has a core. The cost is a second copy
of the model and index in memory (about 1 GB) and a few seconds at start-up, paid before the
first question (the bot sends a warm-up call as it starts).

The engine is module state on purpose: it lives in the worker process, one per process, built
by the pool's initializer; the bot's own process never sets it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.answer import Answer, AnswerEngine
    from knowledge.scripts import Script

_engine: AnswerEngine | None = None


def start(build: Callable[[], AnswerEngine]) -> None:
    """Pool initializer: load the model and the index the bot's process already built
    (`build` is the composition root's `build_engine` with the bot's settings)."""
    global _engine
    import torch

    torch.set_num_threads(1)
    _engine = build()
    _engine.warm()


def ready() -> bool:
    return _engine is not None


def answer(question: str, script: Script | None, previous: str | None) -> Answer:
    if _engine is None:
        raise RuntimeError("the answer worker has no engine (its initializer failed)")
    return _engine.answer(question, script=script, previous=previous)
