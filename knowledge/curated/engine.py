"""The answer engine with staff-written answers beside the corpus.

A question near enough to an approved curated answer's questions (cosine ≥ `match_above`, or
the same wording) is answered from it, cited as 《工作人员解答》 with its basis and date;
anything else goes to the corpus engine unchanged. This is the one place curated answers meet
retrieval, so the corpus engine (knowledge/answer.py) knows nothing of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from knowledge.answer import Answer, AnswerEngine, Source
from knowledge.curated.live import CURATED_SECTION, STAFF_ANSWER, Match
from knowledge.questions import clean

if TYPE_CHECKING:
    from knowledge.curated.live import LiveCurated
    from knowledge.scripts import Script


class CuratedEngine(AnswerEngine):
    def __init__(self, *args: Any, curated: LiveCurated | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.curated = curated

    def answer(
        self, question: str, *, script: Script | None = None, previous: str | None = None
    ) -> Answer:
        match = self.curated_match(question) if self.curated is not None else None
        if match is None:
            return super().answer(question, script=script, previous=previous)
        return self.from_curated(question, match, script=script)

    def corpus_answer(self, question: str, *, script: Script | None = None) -> Answer:
        """What the corpus alone would answer (hit testing shows both)."""
        return super().answer(question, script=script)

    def curated_match(self, question: str) -> Match | None:
        assert self.curated is not None
        cleaned = clean(question, max_chars=self.max_question_chars)
        if cleaned.intent != "question":
            return None
        return self.curated.match(self.scripts.to_simplified(cleaned.text))

    def from_curated(self, question: str, match: Match, *, script: Script | None = None) -> Answer:
        script = script or self.scripts.detect(question[: self.max_question_chars])
        live = match.answer
        body = self.scripts.to_script(live.text, script)
        citation = self.scripts.to_script(live.citation, script)
        return Answer(
            question=question,
            covered=True,
            answer=f"{body}\n\n{citation}",
            sources=[
                Source(
                    section=f"{CURATED_SECTION}:{live.id}",
                    title=live.basis,
                    text=live.text,
                    score=match.score,
                    source=STAFF_ANSWER,
                )
            ],
            script=script,
            body=body,
            citation=citation,
            retrieval_query=self.scripts.to_simplified(question),
        )


def curated_id(section: str) -> int | None:
    """The curated answer a Source.section names ("curated:12"), or None for a corpus one."""
    prefix = f"{CURATED_SECTION}:"
    if section.startswith(prefix) and section[len(prefix) :].isdigit():
        return int(section[len(prefix) :])
    return None
