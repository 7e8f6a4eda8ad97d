"""Answers to citizens: the best sentences from the best passages, cited, in the asker's script;
or a plain "not covered" when the evidence is below the calibrated threshold.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from knowledge import phrases
from knowledge.chunking import split_sentences
from knowledge.questions import Intent, answer_shape, clean, is_follow_up
from knowledge.scope import Scope
from knowledge.sections import PLAN_SOURCE, Section

if TYPE_CHECKING:
    from knowledge.index import IndexedChunk, KnowledgeIndex
    from knowledge.llm import Rewriter
    from knowledge.retrieval import Hit, Retriever
    from knowledge.scripts import Script

MAX_SOURCES = 5
SHAPE_BONUS = 0.5  # a sentence stating the kind of fact asked for beats one merely on topic
MAX_SENTENCES = 3
UNRANKED = 5  # rank given to a chunk of the cited section that retrieval did not return
ANSWER_CHARS = 360


@dataclass(frozen=True)
class Source:
    section: str
    title: str
    text: str  # the retrieved passage itself, as written in the source
    score: float
    source: str  # the document it comes from


@dataclass(frozen=True)
class Answer:
    question: str
    covered: bool
    answer: str  # body, then the citation line(s)
    sources: list[Source] = field(default_factory=list)
    script: Script = "hans"
    intent: Intent = "question"
    body: str = ""
    citation: str = ""
    retrieval_query: str = ""  # what was searched (a follow-up is widened by the last question)

    def to_json(self) -> dict[str, Any]:
        """The public shape of `greenbot ask --json`."""
        return {
            "question": self.question,
            "covered": self.covered,
            "answer": self.answer,
            "sources": [asdict(source) for source in self.sources],
        }


class AnswerEngine:
    def __init__(
        self,
        index: KnowledgeIndex,
        retriever: Retriever,
        *,
        threshold: float,
        max_question_chars: int = 2000,
        rewriter: Rewriter | None = None,
    ) -> None:
        self.index = index
        self.retriever = retriever
        self.threshold = threshold
        self.max_question_chars = max_question_chars
        self.rewriter = rewriter
        self.scripts = index.scripts
        self.chunks_by_section: dict[str, list[IndexedChunk]] = {}
        for chunk in index.chunks:
            self.chunks_by_section.setdefault(chunk.section_id, []).append(chunk)
        # Simplified once: the scope check reads a cited section's body on every answer.
        self.simplified_bodies = {
            section_id: self.scripts.to_simplified(section.body)
            for section_id, section in index.sections.items()
        }
        self.scope = Scope(
            "".join(
                self.scripts.to_simplified(f"{section.document}{section.title}{section.body}")
                for section in index.sections.values()
            ),
            index.tokenizer,
        )

    def answer(
        self, question: str, *, script: Script | None = None, previous: str | None = None
    ) -> Answer:
        """`script` forces 简/繁 (a user's /lang); `previous` is their last question."""
        cleaned = clean(question, max_chars=self.max_question_chars)
        script = script or self.scripts.detect(cleaned.text)
        if cleaned.intent != "question":
            reply = {
                "empty": phrases.EMPTY_QUESTION,
                "greeting": phrases.INTRODUCTION,
                "thanks": phrases.THANKS,
            }[cleaned.intent]
            text = self.scripts.to_script(reply, script)
            return Answer(
                question=question,
                covered=cleaned.intent != "empty",
                answer=text,
                body=text,
                script=script,
                intent=cleaned.intent,
            )
        simplified = self.scripts.to_simplified(cleaned.text)
        context = (
            self.scripts.to_simplified(previous) if previous and is_follow_up(simplified) else None
        )
        query = self.retriever.prepare(simplified, context=context)
        hits = self.retriever.search(query, k=MAX_SOURCES)
        retrieval_query = f"{context} {simplified}" if context else simplified
        sources = [self._source(hit) for hit in hits]
        if not hits or hits[0].score < self.threshold:
            return self._not_covered(
                question, phrases.NOT_COVERED, script, sources, retrieval_query
            )
        section = self.index.sections[hits[0].chunk.section_id]
        outside = self.scope.check(simplified, self.simplified_bodies[section.id])
        if outside is not None:
            reply = (
                phrases.NOT_COVERED_PLACE.format(place=outside.subject)
                if outside.reason == "place"
                else phrases.NOT_COVERED_PRICE
            )
            return self._not_covered(question, reply, script, sources, retrieval_query)
        body = self._extract(hits, section.id, query.terms, simplified)
        if section.source != PLAN_SOURCE and section.title not in body:
            body = (
                f"【{section.title}】{body}"  # a guide's list items name their category only here
            )
        if self.rewriter is not None:
            body = self.rewriter.rewrite(question=simplified, draft=body, passages=hits) or body
        body = self.scripts.to_script(body, script)
        citation = self.scripts.to_script(citation_for(section), script)
        return Answer(
            question=question,
            covered=True,
            answer=f"{body}\n\n{citation}",
            sources=sources,
            script=script,
            body=body,
            citation=citation,
            retrieval_query=retrieval_query,
        )

    def _not_covered(
        self,
        question: str,
        reply: str,
        script: Script,
        sources: list[Source],
        retrieval_query: str,
    ) -> Answer:
        """The honest reply; the sources stay attached so staff see what came closest."""
        text = self.scripts.to_script(reply, script)
        return Answer(
            question=question,
            covered=False,
            answer=text,
            sources=sources,
            script=script,
            body=text,
            retrieval_query=retrieval_query,
        )

    def _source(self, hit: Hit) -> Source:
        section = self.index.sections[hit.chunk.section_id]
        return Source(
            section=section.id,
            title=section.title,
            text=hit.chunk.text,
            score=hit.score,
            source=section.document,
        )

    def _extract(
        self, hits: list[Hit], section_id: str, terms: dict[str, float], question: str
    ) -> str:
        """Up to three sentences of the cited section, chosen by the question's words (and by
        stating the kind of fact asked for: a date, a phone number, a duration, a figure), kept
        in reading order, whole."""
        shape = answer_shape(question)
        tokenizer = self.index.tokenizer
        candidates: list[tuple[float, int, int, str]] = []
        hit_rank = {
            hit.chunk.id: rank
            for rank, hit in enumerate(h for h in hits if h.chunk.section_id == section_id)
        }
        for chunk in self.chunks_by_section[section_id]:
            # A chunk retrieval ranked counts more; the rest of the section can still hold the
            # sentence that states the date or duration asked for.
            rank = hit_rank.get(chunk.id, min(len(hit_rank), UNRANKED))
            for n, sentence in enumerate(split_sentences(chunk.text)):
                words = set(tokenizer.tokens(self.scripts.to_simplified(sentence)))
                overlap = sum(w * self.index.bm25.idf(t) for t, w in terms.items() if t in words)
                if shape is not None and shape.search(sentence):
                    overlap = overlap * 1.5 + SHAPE_BONUS  # even with no word in common
                overlap *= 1.0 - 0.1 * rank  # the better passage wins ties
                candidates.append((overlap, chunk.position, n, sentence))
        best = sorted(candidates, key=lambda c: c[0], reverse=True)
        chosen: list[tuple[float, int, int, str]] = []
        length = 0
        for candidate in best:
            if len(chosen) == MAX_SENTENCES or (chosen and candidate[0] <= 0):
                break
            if chosen and length + len(candidate[3]) > ANSWER_CHARS:
                continue
            chosen.append(candidate)
            length += len(candidate[3])
        if shape is not None and not any(shape.search(c[3]) for c in chosen):
            # Asked "多久" or "哪天": the sentence stating it belongs in the answer, in place
            # of the weakest one on topic.
            stating = next((c for c in best if shape.search(c[3])), None)
            if stating is not None:
                chosen = [*chosen[: MAX_SENTENCES - 1], stating]
        chosen.sort(key=lambda c: (c[1], c[2]))
        return "".join(c[3] for c in chosen).strip()


def citation_for(section: Section) -> str:
    if section.source == PLAN_SOURCE:
        label = section.id.replace("(", "、(", 1) if "(" in section.id else section.id
        lines = [
            phrases.CITATION_PLAN.format(
                document=section.document, section=label, title=section.title
            ).rstrip()
        ]
        lead, responsible = section.departments.lead, section.departments.responsible
        units = []
        if lead:
            units.append(phrases.LEAD_UNITS.format(names="、".join(lead)))
        if responsible:
            units.append(phrases.RESPONSIBLE_UNITS.format(names="、".join(responsible)))
        if units:
            lines.append("；".join(units))
        return "\n".join(lines)
    lines = [phrases.CITATION_GUIDE.format(document=section.document, title=section.title)]
    if section.origin:
        lines.append(phrases.GUIDE_ORIGIN.format(origin=section.origin))
    return "\n".join(lines)
