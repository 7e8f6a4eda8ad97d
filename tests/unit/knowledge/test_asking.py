"""The ask service on its own: the script it settles, what it logs, what a surface gets back.
An engine stand-in answers; the database is real."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from citizens import Citizen, Citizens
from ground.clock import SHANGHAI, ManualClock
from knowledge.answer import Answer, Source
from knowledge.asking import Asker, Asking
from knowledge.feedback import AskedQuestion

NOW = datetime(2026, 11, 3, 10, 0, tzinfo=SHANGHAI)
SOURCE = Source(section="三(三)", title="城镇绿色节能改造工程", text="…", score=0.9, source="plan")


class Answers:
    """Echoes what it was asked with, as the engine would shape it."""

    max_question_chars = 10

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None, str | None]] = []

    async def answer(
        self, question: str, *, script: str | None = None, previous: str | None = None
    ) -> Answer:
        self.calls.append((question, script, previous))
        intent = "greeting" if question == "你好" else "question"
        return Answer(
            question=question,
            covered=True,
            answer=f"答：{question}",
            sources=[SOURCE],
            script=script or "hans",
            intent=intent,  # type: ignore[arg-type]
            retrieval_query=f"{previous or ''}{question}",
        )


async def citizen(sessions, *, script: str = "hans", chosen: bool = False) -> Citizen:
    async with sessions.begin() as session:
        found = await Citizens(session).seen(user_id=7, chat_id=7, now=NOW)
        found.script, found.script_chosen = script, chosen
    return found


async def test_without_an_asker_the_engine_reads_the_script_and_nothing_is_logged(sessions):
    answers = Answers()
    asked = await Asking(answers, ManualClock(NOW)).ask("過期藥扔哪個桶？")
    assert answers.calls == [("過期藥扔哪個桶？", None, None)]
    assert asked.question_id is None and not asked.too_long
    async with sessions() as session:
        assert (await session.scalars(select(AskedQuestion))).all() == []


async def test_a_citizens_question_is_logged_in_the_script_it_was_written_in(sessions):
    answers = Answers()
    known = await citizen(sessions)
    async with sessions.begin() as session:
        asker = Asker(7, known, previous="新建建筑")
        asked = await Asking(answers, ManualClock(NOW)).ask(
            "那農村呢？", asker=asker, session=session
        )
    assert answers.calls == [("那農村呢？", "hant", "新建建筑")]
    assert (asked.script, asked.follow_up, asked.too_long) == ("hant", "新建建筑那農村呢？", False)
    async with sessions() as session:
        [row] = (await session.scalars(select(AskedQuestion))).all()
        stored = await Citizens(session).get(7)
    assert (row.id, row.user_id, row.question, row.covered) == (
        asked.question_id,
        7,
        "那農村呢？",
        True,
    )
    assert stored is not None and (stored.script, stored.script_chosen) == ("hant", False)


async def test_a_script_chosen_by_lang_wins_and_a_greeting_is_not_logged(sessions):
    answers = Answers()
    known = await citizen(sessions, script="hans", chosen=True)
    async with sessions.begin() as session:
        asked = await Asking(answers, ManualClock(NOW)).ask(
            "你好", asker=Asker(7, known), session=session
        )
    assert answers.calls == [("你好", "hans", None)]
    assert asked.question_id is None and asked.follow_up is None
    async with sessions() as session:
        assert (await session.scalars(select(AskedQuestion))).all() == []
