"""Answers to citizens: the sentence that states what was asked, from the best passage, with
at most two supporting ones, cited, in the asker's script; or a plain "not covered" when the
learned coverage decision (knowledge/coverage.py) or the scope check says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from knowledge import phrases
from knowledge.chunking import split_sentences
from knowledge.compose import (
    CLAUSE_END,
    Sentence,
    Weigh,
    best_window,
    close,
    compose,
    full_width,
)
from knowledge.coverage import CoverageJudge, cover_features
from knowledge.probes import fold
from knowledge.questions import Intent, answer_shape, clean, is_follow_up
from knowledge.retrieval import HOWTO, Hit
from knowledge.scope import Scope
from knowledge.sections import PLAN_SOURCE, Section

if TYPE_CHECKING:
    from knowledge.glossary import Glossary
    from knowledge.index import IndexedChunk, KnowledgeIndex
    from knowledge.learned import LogisticModel
    from knowledge.llm import Rewriter
    from knowledge.retrieval import Query, Retriever
    from knowledge.scripts import Script
    from knowledge.suggestions import Suggestion, Suggestions

MAX_SOURCES = 5
UNRANKED = 5  # rank given to a chunk of the cited section that retrieval did not return
CLAUSE_CACHE = 50_000
TIP_SCORE = 0.1  # the ranker's probability a guide passage needs to follow a plan answer


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
    related: tuple[str, ...] = ()  # 相关问题: suggestions whose answer is another passage

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
        judge: CoverageJudge | None = None,
        glossary: Glossary | None = None,
        suggestions: Suggestions | None = None,
        lead_model: LogisticModel | None = None,
    ) -> None:
        self.index = index
        self.lead_model = lead_model  # the learned lead choice; None keeps the hand-weighed one
        self.retriever = retriever
        self.threshold = threshold
        self.judge = judge or CoverageJudge(None, threshold=threshold)
        self.glossary = glossary
        self.suggestions = suggestions
        self._landings: dict[int, str] = {}
        self._clause_words: dict[
            str, frozenset[str]
        ] = {}  # suggestion id → the passage its answer leads with
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
        if self.rewriter is not None:
            simplified = self.rewriter.rephrase(simplified, context=context) or simplified
        query = self.retriever.prepare(simplified, context=context)
        hits = self.retriever.search(query, k=MAX_SOURCES)
        retrieval_query = f"{context} {simplified}" if context else simplified
        definition = self.glossary.asked(query.text) if self.glossary else None
        if definition is not None:
            hits = self._put_first(hits, definition.plan)
        sources = [self._source(hit) for hit in hits]
        if not hits:
            return self._not_covered(
                question, phrases.NOT_COVERED, script, sources, retrieval_query
            )
        features = cover_features(query, hits, self.retriever, self.scope)
        if definition is None and not self.judge.covered(features):
            return self._not_covered(
                question, phrases.NOT_COVERED, script, sources, retrieval_query
            )
        section = self.index.sections[hits[0].chunk.section_id]
        outside = self.scope.check(query.text, self.simplified_bodies[section.id])
        if outside is not None:
            reply = phrases.OUT_OF_SCOPE[outside.reason].format(subject=outside.subject)
            return self._not_covered(question, reply, script, sources, retrieval_query)
        if definition is not None:
            body = full_width(
                phrases.DEFINITION.format(term=definition.term, explain=definition.explain)
                + phrases.IN_THE_PLAN
                + self._using(hits[0], definition.plan)
            )
        else:
            body = self._extract(hits, section.id, query, simplified)
        plain = definition is None and section.source == PLAN_SOURCE
        tip = self._guide_tip(hits, query) if plain else None
        if tip is not None:
            body += "\n" + phrases.GUIDE_TIP + tip[0]
        if section.source != PLAN_SOURCE and section.title not in body:
            body = (
                f"【{section.title}】{body}"  # a guide's list items name their category only here
            )
        if self.rewriter is not None:
            body = self.rewriter.rewrite(question=simplified, draft=body, passages=hits) or body
        body = self.scripts.to_script(body, script)
        citation = citation_for(section)
        if definition is not None:
            citation += "\n" + phrases.GLOSSARY_CITATION
        if tip is not None:
            citation += "\n" + phrases.SEE_ALSO.format(document=tip[1].document, title=tip[1].title)
        citation = self.scripts.to_script(citation, script)
        return Answer(
            question=question,
            covered=True,
            answer=f"{body}\n\n{citation}",
            sources=sources,
            script=script,
            body=body,
            citation=citation,
            retrieval_query=retrieval_query,
            related=self._related(hits, simplified),
        )

    def warm(self) -> None:
        """Load the model and learn where each suggestion leads, before the first citizen asks
        (both cost seconds once; neither should fall on a citizen's question)."""
        self.answer("垃圾分类怎么做？")
        if self.suggestions is not None:
            for suggestion in self.suggestions.by_id.values():
                self._lands_on(suggestion)

    def _related(self, hits: list[Hit], asked: str, limit: int = 3) -> tuple[str, ...]:
        """Suggestions for the cited sections whose own answer would lead with a different
        passage than this one: a related question never shows the same paragraph again."""
        if self.suggestions is None:
            return ()
        shown = hits[0].chunk.id
        offered = self.suggestions.for_sections(
            [hit.chunk.section_id for hit in hits], exclude=asked, limit=limit * 3
        )
        return tuple(s.question for s in offered if self._lands_on(s) != shown)[:limit]

    def _lands_on(self, suggestion: Suggestion) -> str:
        landing = self._landings.get(suggestion.id)
        if landing is None:
            hits = self.retriever.search(self.retriever.prepare(suggestion.question), k=1)
            landing = self._landings[suggestion.id] = hits[0].chunk.id if hits else ""
        return landing

    def _guide_tip(self, hits: list[Hit], query: Query) -> tuple[str, Section] | None:
        """After a plan answer, "what you can do" from a guide, when a guide passage ranks
        close behind (among the first three) and the citizen asked how, or it has real weight."""
        howto = bool(HOWTO.search(query.text))
        guide = next(
            (
                h
                for h in hits[:3]
                if (howto or h.score >= TIP_SCORE)
                and self.index.sections[h.chunk.section_id].source != PLAN_SOURCE
            ),
            None,
        )
        if guide is None:
            return None
        section = self.index.sections[guide.chunk.section_id]
        lead = self._extract([guide], section.id, query, query.text).split("。")[0]
        return (f"{lead}。", section) if lead else None

    def _using(self, hit: Hit, verbatim: str) -> str:
        """The plan's own words around a term: the clauses of its sentence that use it."""
        term = self.scripts.to_simplified(verbatim)
        uses = lambda text: float(term in self.scripts.to_simplified(text))  # noqa: E731
        sentence = next((s for s in split_sentences(hit.chunk.text) if uses(s)), hit.chunk.text)
        return close(best_window(sentence, uses, None)[1])

    def _put_first(self, hits: list[Hit], verbatim: str) -> list[Hit]:
        """A definition cites the plan passage that uses the term: the best ranked one, or the
        first in the plan when retrieval found none."""
        folded = self.scripts.to_simplified(verbatim)
        using = [h for h in hits if folded in self.scripts.to_simplified(h.chunk.text)]
        if not using:
            chunk = next(
                (c for c in self.index.chunks if folded in self.scripts.to_simplified(c.text)),
                None,
            )
            if chunk is None:
                return hits
            top = hits[0].score if hits else 1.0
            using = [Hit(chunk=chunk, score=top, cosine=0.0, coverage=0.0)]
        first = using[0]
        return [first, *[h for h in hits if h.chunk.id != first.chunk.id]][:MAX_SOURCES]

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

    def _extract(self, hits: list[Hit], section_id: str, query: Query, question: str) -> str:
        """The lead and up to two supporting sentences, from the cited section: the passages
        retrieval ranked first, then the rest of the section (it can hold the sentence that
        states the date or duration asked for)."""
        sentences, weigh, fold_text = self.sentences_for(hits, section_id, query)
        return compose(
            sentences, weigh, answer_shape(query.text), fold_text, query.text, self.lead_model
        )

    def sentences_for(
        self, hits: list[Hit], section_id: str, query: Query
    ) -> tuple[list[Sentence], Weigh, Callable[[str], str]]:
        """The cited section's sentences (ranked by their passage's place in retrieval), how
        much of the query a piece of text answers, and the folding used to compare text."""
        tokenizer = self.index.tokenizer
        idf = self.index.bm25.idf
        terms = query.terms

        def weigh(text: str) -> float:
            words: set[str] = set()
            for clause in CLAUSE_END.split(text):  # passages are fixed: clauses are cached
                cached = self._clause_words.get(clause)
                if cached is None:
                    cached = frozenset(tokenizer.tokens(self.scripts.to_simplified(clause)))
                    if len(self._clause_words) < CLAUSE_CACHE:
                        self._clause_words[clause] = cached
                words |= cached
            return sum(w * idf(t) for t, w in terms.items() if t in words)

        hit_rank = {
            hit.chunk.id: rank
            for rank, hit in enumerate(h for h in hits if h.chunk.section_id == section_id)
        }
        top = self.index.position[hits[0].chunk.id]
        anchor = self.retriever.hinted_anchor(query, top) or ""
        fold_text = lambda text: fold(text, self.scripts)  # noqa: E731
        sentences = []
        for chunk in self.chunks_by_section[section_id]:
            for n, sentence in enumerate(split_sentences(chunk.text)):
                folded = fold_text(sentence)
                sentences.append(
                    Sentence(
                        text=sentence,
                        rank=hit_rank.get(chunk.id, min(len(hit_rank), UNRANKED)),
                        order=(chunk.position, n),
                        hint=anchor
                        if chunk.id == hits[0].chunk.id
                        and anchor
                        and (anchor in folded or anchor[: max(4, len(anchor) // 2)] in folded)
                        else "",
                    )
                )
        return sentences, weigh, fold_text


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
