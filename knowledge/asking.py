"""Asking a question: the one use case behind the bot (and the web sandbox, which feeds the bot)
and `greenbot ask`. The surface renders the `Asked` it returns in its own way.

The script is settled here (a /lang choice wins, else the question's look), then the engine
answers; a citizen's real question (not a greeting or a thank-you) is written to the question
log, the gap log's source. Runs inside the caller's transaction and never commits: the bot
commits before its sends, so the database lock is not held while Telegram is slow.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Protocol

from citizens import Citizens
from knowledge.feedback import QuestionLog
from knowledge.scripts import ScriptConverter

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from citizens import Citizen
    from ground.clock import Clock
    from knowledge.answer import Answer, AnswerEngine
    from knowledge.scripts import Script

# Our own converter: the engine's is busy in its worker thread.
_SCRIPTS = ScriptConverter()


class Answers(Protocol):
    """What answers: the bot's `Answerer` (a worker off the event loop) or `EngineAnswers`."""

    @property
    def max_question_chars(self) -> int: ...

    async def answer(
        self, question: str, *, script: Script | None = None, previous: str | None = None
    ) -> Answer: ...


class EngineAnswers:
    """The engine answering in the caller's thread (the CLI, which has nothing else to do)."""

    def __init__(self, engine: AnswerEngine) -> None:
        self.engine = engine

    @property
    def max_question_chars(self) -> int:
        return self.engine.max_question_chars

    async def answer(
        self, question: str, *, script: Script | None = None, previous: str | None = None
    ) -> Answer:
        return self.engine.answer(question, script=script, previous=previous)


@dataclass(frozen=True)
class Asker:
    """A citizen asking: who, what is stored about them (None before their first visit is
    recorded), and the question a follow-up (“那农村呢？”) refers to."""

    user_id: int
    citizen: Citizen | None
    previous: str | None = None


@dataclass(frozen=True)
class Asked:
    answer: Answer
    script: Script  # the asker's, settled for this question
    question_id: int | None  # in the question log; None when it was no question (a greeting)
    follow_up: str | None  # what the asker's next question may refer to; None: keep the last
    too_long: bool  # only the first `limit` characters were read
    limit: int


class Asking:
    def __init__(self, answers: Answers, clock: Clock) -> None:
        self.answers = answers
        self.clock = clock

    @property
    def max_question_chars(self) -> int:
        return self.answers.max_question_chars

    def script_for(self, question: str, citizen: Citizen | None) -> Script:
        """/lang's choice, else the question's script (the stored one when it does not tell)."""
        stored: Script = "hant" if citizen is not None and citizen.script == "hant" else "hans"
        if citizen is not None and citizen.script_chosen:
            return stored
        return _SCRIPTS.detect(question[: self.max_question_chars], default=stored)

    async def ask(
        self, question: str, *, asker: Asker | None = None, session: AsyncSession | None = None
    ) -> Asked:
        """Without an asker (`greenbot ask`) the engine reads the script itself and nothing is
        logged; with one, `session` is the caller's transaction."""
        limit = self.max_question_chars
        if asker is None or session is None:
            answer = await self.answers.answer(question)
            return Asked(answer, answer.script, None, None, len(question) > limit, limit)
        script = self.script_for(question, asker.citizen)
        answer = await self.answers.answer(question, script=script, previous=asker.previous)
        # Written after the engine: on SQLite a write holds the file's lock until the commit.
        if asker.citizen is not None and asker.citizen.script != script:
            await Citizens(session).set_script(asker.user_id, script, chosen=False)
        if answer.intent != "question":  # a greeting, a thank-you or nothing to ask
            return Asked(answer, script, None, None, len(question) > limit, limit)
        asked = await QuestionLog(session).record(
            user_id=asker.user_id,
            question=question,
            simplified=_SCRIPTS.to_simplified(question),
            answer=answer.answer,
            covered=answer.covered,
            sources=[asdict(source) for source in answer.sources],
            now=self.clock.now(),
        )
        follow_up = answer.retrieval_query or question
        return Asked(answer, script, asked.id, follow_up, len(question) > limit, limit)
