"""Hybrid retrieval: dense (Chroma) and lexical (BM25) candidates, fused by reciprocal rank,
then reranked on features of each candidate against the question.

The rerank score is the evidence the answer engine compares with its "not covered" threshold,
so it is built to be comparable across questions (a cosine rescaled to e5's range, and the
share of the question's informative words the passage contains), unlike raw BM25 or RRF.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from knowledge.questions import asks_for_figure

if TYPE_CHECKING:
    from knowledge.index import IndexedChunk, KnowledgeIndex

Mode = Literal["hybrid", "bm25", "dense"]
RRF_K = 60
# e5 similarities bunch between ~0.75 (unrelated) and ~0.95 (paraphrase): rescale that band.
COSINE_FLOOR = 0.82
COSINE_CEIL = 0.92
SYNONYM_CREDIT = 0.8
FIGURE_BONUS = 0.05  # a question asking "how much" prefers a passage stating a target figure
FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:%|％)")


@dataclass(frozen=True)
class Weights:
    """Rerank mix, tuned on the dev set by `greenbot eval --tune`."""

    dense: float = 0.4
    lexical: float = 0.5
    fusion: float = 0.1


@dataclass(frozen=True)
class Hit:
    chunk: IndexedChunk
    score: float  # rerank evidence in [0, 1]
    cosine: float
    coverage: float


@dataclass(frozen=True)
class Query:
    """A question prepared once: its words (with synonyms) and its embedding."""

    text: str
    terms: dict[str, float]
    groups: tuple[tuple[str, tuple[str, ...]], ...]  # each question word with its synonyms
    vector: np.ndarray | None
    wants_figure: bool = False


class Retriever:
    def __init__(
        self, index: KnowledgeIndex, *, candidates: int = 20, weights: Weights | None = None
    ):
        self.index = index
        self.candidates = candidates
        self.weights = weights or Weights()
        self._max_idf = max(
            (index.bm25.idf(t) for c in index.chunks for t in c.tokens), default=1.0
        )

    def prepare(self, text: str, *, context: str | None = None, embed: bool = True) -> Query:
        """`context` (the previous question) lends its words at half weight to a follow-up."""
        tokenizer = self.index.tokenizer
        terms = tokenizer.query_terms(text)
        groups = tuple(tokenizer.synonym_groups(text))
        if context:
            for term, weight in tokenizer.query_terms(context).items():
                terms.setdefault(term, 0.5 * weight)
        dense_text = f"{context} {text}" if context else text
        vector = self.index.embed_query(dense_text) if embed else None
        wants_figure = asks_for_figure(dense_text)
        return Query(
            text=text, terms=terms, groups=groups, vector=vector, wants_figure=wants_figure
        )

    def search(self, query: Query, k: int = 5, mode: Mode = "hybrid") -> list[Hit]:
        lexical = self.index.bm25.search(query.terms, self.candidates) if mode != "dense" else []
        dense = (
            self.index.dense(query.vector, self.candidates)
            if mode != "bm25" and query.vector is not None
            else []
        )
        if mode == "hybrid":
            return self._rerank(query, lexical, dense)[:k]
        single = lexical if mode == "bm25" else dense
        return [self._hit(query, i, None) for i, _ in single[:k]]

    def _rerank(
        self, query: Query, lexical: list[tuple[int, float]], dense: list[tuple[int, float]]
    ) -> list[Hit]:
        fused: dict[int, float] = {}
        for ranking in (lexical, dense):
            for rank, (i, _) in enumerate(ranking):
                fused[i] = fused.get(i, 0.0) + 1.0 / (RRF_K + rank + 1)
        if not fused:
            return []
        best = max(fused.values())
        hits = [self._hit(query, i, fused[i] / best) for i in fused]
        hits.sort(key=lambda hit: hit.score, reverse=True)
        return hits

    def _hit(self, query: Query, i: int, fusion: float | None) -> Hit:
        chunk = self.index.chunks[i]
        cosine = float(self.index.vectors[i] @ query.vector) if query.vector is not None else 0.0
        coverage = self.coverage(query, chunk)
        scaled = min(max((cosine - COSINE_FLOOR) / (COSINE_CEIL - COSINE_FLOOR), 0.0), 1.0)
        w = self.weights
        score = w.dense * scaled + w.lexical * coverage + w.fusion * (fusion or 0.0)
        if query.wants_figure and FIGURE.search(chunk.text):
            score += FIGURE_BONUS
        return Hit(chunk=chunk, score=round(score, 4), cosine=cosine, coverage=coverage)

    def coverage(self, query: Query, chunk: IndexedChunk) -> float:
        """IDF-weighted share of the question's words found in the passage (a synonym counts
        most of a word); a word the corpus never uses weighs as the rarest word, since it is
        probably what the question is really about."""
        tokens = set(chunk.tokens)
        total = found = 0.0
        for word, synonyms in query.groups:
            idf = self.index.bm25.idf(word) or self._max_idf
            total += idf
            if word in tokens:
                found += idf
            elif any(s in tokens for s in synonyms):
                found += SYNONYM_CREDIT * idf
        return found / total if total else 0.0
