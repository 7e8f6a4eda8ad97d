"""Source-aware hybrid retrieval with a learned ranking.

Four candidate lists: BM25 and e5 over the passages, and BM25 and e5 over the questions written
for each passage (a question that matches leads to its passage). Each list is ranked within its
source family (the plan, the guides), so guide tips cannot crowd the plan out of the candidates;
reciprocal-rank fusion is computed on those family ranks. Which family the question belongs to
is read from its nearest written questions (a question about what the government will do lands
among the plan's). A logistic model over these features, fitted on the dev questions with
cross-validation (`greenbot eval --train`), orders the candidates; without a model a fixed
fusion stands in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from knowledge.questions import asks_for_figure

if TYPE_CHECKING:
    from knowledge.bridge import Bridge
    from knowledge.index import IndexedChunk, KnowledgeIndex
    from knowledge.learned import LogisticModel

RRF_K = 60
SYNONYM_CREDIT = 0.8
GLOSSARY_WEIGHT = 0.8
FAMILY_NEIGHBOURS = 10
FAMILY_TEMPERATURE = 0.02
FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:%|％)")
LONG_QUESTION = 60
CONTEXT_CHARS = 4 * LONG_QUESTION  # of a long message, embedded after its asking sentence
ASKING = re.compile(
    r"[？?]|吗|呢|怎么|怎样|什么|多少|哪|几|啥|咋|会不会|能不能|是不是|有没有|要不要"
)
HOWTO = re.compile(r"怎么|怎样|如何|咋|啷个|方法|办法|注意|该不该|可不可以|能不能|扔|放哪")
POLICY = re.compile(
    r"政府|方案|规划|政策|要求|规定|以后|将来|会不会|还会|管不管|有没有|目标|到20|十四五|哪个部门|铜仁"
)
LISTS = ("bm25_passage", "bm25_question", "dense_passage", "dense_question")
RANK_FEATURES = (
    "cos_passage",
    "cos_question",
    "gap_passage",  # below the best candidate's cosine: comparable across questions
    "gap_question",
    "coverage",
    "rrf",
    "bm25_passage",
    "bm25_question",
    *(f"rr_{name}" for name in LISTS),  # reciprocal rank in each list, within the family
    *(f"grr_{name}" for name in LISTS),  # … and across families
    "howto_guide",  # a how-to question (怎么做) meeting a guide's passage
    "policy_plan",  # a will-the-government question (会不会, 有没有要求) meeting the plan's
    "family_prior",
    "figure",
)  # no "is it the plan" feature: it would learn the dev set's share of plan questions


@dataclass(frozen=True)
class Hit:
    chunk: IndexedChunk
    score: float  # ranking evidence in [0, 1]
    cosine: float
    coverage: float
    features: dict[str, float] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Query:
    """A question prepared once: its words (with synonyms and glossary terms), its embedding."""

    text: str  # normalised (numerals, typos), Simplified
    terms: dict[str, float]
    groups: tuple[tuple[str, tuple[str, ...]], ...]  # each question word with its synonyms
    vector: np.ndarray | None
    wants_figure: bool = False
    expansions: tuple[str, ...] = ()  # glossary terms the everyday words stood for
    probe_cosines: np.ndarray | None = None  # to every written question, computed once


class Retriever:
    def __init__(
        self,
        index: KnowledgeIndex,
        *,
        candidates: int = 12,
        ranker: LogisticModel | None = None,
        bridge: Bridge | None = None,
    ):
        self.index = index
        self.candidates = candidates
        self.ranker = ranker
        self.bridge = bridge
        self._max_idf = max(
            (index.bm25.idf(t) for c in index.chunks for t in c.tokens), default=1.0
        )
        self.families = np.array(
            [index.sections[c.section_id].source == "plan" for c in index.chunks]
        )
        self._probe_chunks = np.array([p.chunk for p in index.probes], dtype=np.int64)

    def prepare(self, text: str, *, context: str | None = None, embed: bool = True) -> Query:
        """`context` (the previous question) lends its words at half weight to a follow-up."""
        tokenizer = self.index.tokenizer
        if self.bridge is not None:
            text = self.bridge.normalize(text)
        expansions = self.bridge.expansions(text) if self.bridge is not None else []
        terms = tokenizer.query_terms(text)
        groups = list(tokenizer.synonym_groups(text))
        for expansion in expansions:
            term_tokens = tokenizer.tokens(expansion.term)
            for token in term_tokens:
                terms.setdefault(token, GLOSSARY_WEIGHT)
            groups = [
                (word, synonyms + tuple(term_tokens) if word in expansion.phrase else synonyms)
                for word, synonyms in groups
            ]
        if context:
            for term, weight in tokenizer.query_terms(context).items():
                terms.setdefault(term, 0.5 * weight)
        dense_text = f"{context} {text}" if context else text
        focus = asked_part(text)
        # A long, rambling message: its asking sentence goes first, so it weighs more in the
        # one embedding (a second embedding for it cost long messages their p95, see bench.qa),
        # then the start of the message: a pasted wall of text must not drown the question.
        embedded = dense_text if focus == text else f"{focus} {dense_text[:CONTEXT_CHARS]}"
        vector = self.index.embed_query(embedded) if embed else None
        return Query(
            text=text,
            terms=terms,
            groups=tuple(groups),
            vector=vector,
            wants_figure=asks_for_figure(dense_text),
            expansions=tuple(e.term for e in expansions),
            probe_cosines=(
                self.index.probe_vectors @ vector
                if vector is not None and len(self._probe_chunks)
                else None
            ),
        )

    # -- candidates -------------------------------------------------------------------------

    def _lists(self, query: Query) -> dict[str, list[tuple[int, float]]]:
        """Each candidate list as (chunk, score), best first, one entry per chunk."""
        index = self.index
        depth = self.candidates * 4
        lists = {"bm25_passage": index.bm25.search(query.terms, depth)}
        lists["bm25_question"] = _best_per_chunk(
            (index.probes[i].chunk, s) for i, s in index.probe_bm25.search(query.terms, depth * 4)
        )
        if query.vector is not None:
            lists["dense_passage"] = index.dense(query.vector, depth)
            # Exact over the written questions (already scored once in `prepare`): cheaper
            # than a second store query, and a few thousand vectors need no HNSW.
            cosines = query.probe_cosines if query.probe_cosines is not None else np.zeros(0)
            top = np.argsort(-cosines)[: depth * 4]
            lists["dense_question"] = _best_per_chunk(
                (index.probes[i].chunk, float(cosines[i])) for i in top
            )
        return lists

    def _family_prior(self, query: Query) -> float:
        """P(the answer is in the plan), from the families of the nearest written questions."""
        if query.probe_cosines is None:
            return 0.5
        cosines = query.probe_cosines
        top = np.argsort(-cosines)[:FAMILY_NEIGHBOURS]
        weights = np.exp((cosines[top] - cosines[top[0]]) / FAMILY_TEMPERATURE)
        plan = self.families[self._probe_chunks[top]]
        return float((weights * plan).sum() / weights.sum())

    def candidate_features(self, query: Query) -> list[tuple[int, dict[str, float]]]:
        """Every candidate chunk with its ranking features (also what the ranker is fitted on)."""
        lists = self._lists(query)
        fused: dict[int, float] = {}
        ranks: dict[str, dict[int, int]] = {name: {} for name in LISTS}
        overall = {name: {i: n + 1 for n, (i, _) in enumerate(r)} for name, r in lists.items()}
        for name, ranking in lists.items():
            seen = {True: 0, False: 0}
            for i, _ in ranking:
                family = bool(self.families[i])
                if seen[family] >= self.candidates:
                    continue
                seen[family] += 1
                ranks[name][i] = seen[family]
                fused[i] = fused.get(i, 0.0) + 1.0 / (RRF_K + seen[family])
        if not fused:
            return []
        best_fused = max(fused.values())
        maxima = {name: max((s for _, s in r), default=0.0) or 1.0 for name, r in lists.items()}
        scores = {name: dict(r) for name, r in lists.items()}
        prior = self._family_prior(query)
        probe_cos = self._probe_cosines(query, list(fused))
        cosines = {
            i: float(self.index.vectors[i] @ query.vector) if query.vector is not None else 0.0
            for i in fused
        }
        best_passage = max(cosines.values())
        best_question = max(probe_cos.get(i, cosines[i]) for i in fused)
        howto, policy = bool(HOWTO.search(query.text)), bool(POLICY.search(query.text))
        rows = []
        for i in fused:
            chunk = self.index.chunks[i]
            plan = bool(self.families[i])
            cosine = cosines[i]
            rows.append(
                (
                    i,
                    {
                        "cos_passage": cosine,
                        "cos_question": probe_cos.get(i, cosine),
                        "gap_passage": cosine - best_passage,
                        "gap_question": probe_cos.get(i, cosine) - best_question,
                        **{
                            f"rr_{name}": 1.0 / ranks[name][i] if i in ranks[name] else 0.0
                            for name in LISTS
                        },
                        **{
                            f"grr_{name}": 1.0 / overall[name][i]
                            if i in overall.get(name, {})
                            else 0.0
                            for name in LISTS
                        },
                        "coverage": self.coverage(query, chunk),
                        "rrf": fused[i] / best_fused,
                        "bm25_passage": scores["bm25_passage"].get(i, 0.0) / maxima["bm25_passage"],
                        "bm25_question": scores["bm25_question"].get(i, 0.0)
                        / maxima["bm25_question"],
                        "family_prior": prior if plan else 1.0 - prior,
                        "howto_guide": float(howto and not plan),
                        "policy_plan": float(policy and plan),
                        "figure": float(query.wants_figure and bool(FIGURE.search(chunk.text))),
                    },
                )
            )
        return rows

    def _probe_cosines(self, query: Query, chunks: list[int]) -> dict[int, float]:
        """Each candidate chunk's best cosine among its written questions."""
        if query.probe_cosines is None:
            return {}
        best = np.full(len(self.index.chunks), -1.0)
        np.maximum.at(best, self._probe_chunks, query.probe_cosines)
        return {i: float(best[i]) for i in chunks if best[i] > -1.0}

    def off_topic_lean(self, query: Query) -> float:
        """Cosine to the nearest off-topic example minus cosine to the nearest passage question
        (0 without examples): above 0, the question reads like something the corpus is not
        about."""
        off = self.index.off_topic_vectors
        if query.vector is None or not len(off) or query.probe_cosines is None:
            return 0.0
        return float((off @ query.vector).max() - query.probe_cosines.max())

    def hinted_anchor(self, query: Query, chunk: int) -> str | None:
        """The anchor (folded) of the written question nearest to the citizen's among those
        about `chunk`: it names the sentence that answers, within a passage of several."""
        if query.probe_cosines is None:
            return None
        rows = np.flatnonzero(self._probe_chunks == chunk)
        if not len(rows):
            return None
        best = rows[int(np.argmax(query.probe_cosines[rows]))]
        return self.index.probes[best].anchor or None

    def rank_score(self, features: dict[str, float]) -> float:
        """Untrained: fusion, nudged toward the family the question belongs to."""
        return 0.5 * features["rrf"] + 0.3 * features["family_prior"] + 0.2 * features["coverage"]

    def search(self, query: Query, k: int = 5) -> list[Hit]:
        candidates = self.candidate_features(query)
        if self.ranker is not None and candidates:
            scores = self.ranker.score(
                np.array([self.ranker.row(features) for _, features in candidates])
            )
        else:
            scores = np.array([self.rank_score(features) for _, features in candidates])
        hits = [
            Hit(
                chunk=self.index.chunks[i],
                score=round(float(score), 4),
                cosine=features["cos_passage"],
                coverage=features["coverage"],
                features=features,
            )
            for (i, features), score in zip(candidates, scores, strict=True)
        ]
        hits.sort(key=lambda hit: hit.score, reverse=True)
        return hits[:k]

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

    def unknown_share(self, query: Query) -> float:
        """IDF-weighted share of the question's words that neither the passages nor the
        written questions ever use: high for questions about something else entirely."""
        total = unknown = 0.0
        for word, synonyms in query.groups:
            known = any(
                self.index.bm25.idf(w) or self.index.probe_bm25.idf(w) for w in (word, *synonyms)
            )
            weight = self.index.bm25.idf(word) or self._max_idf
            total += weight
            unknown += 0.0 if known else weight
        return unknown / total if total else 1.0


def asked_part(text: str) -> str:
    """The sentence of a long message that asks (the last one with a question word), or the
    whole text when it is short: context first and the question last is how people ramble."""
    if len(text) <= LONG_QUESTION:
        return text
    parts = [p for p in re.split(r"(?<=[。！？!?；;，,])", text) if len(p.strip()) > 1]
    asking = [p for p in parts if ASKING.search(p)]
    return (asking or parts or [text])[-1].strip()[:LONG_QUESTION] or text


def _best_per_chunk(pairs) -> list[tuple[int, float]]:  # type: ignore[no-untyped-def]
    best: dict[int, float] = {}
    for chunk, score in pairs:
        if score > best.get(chunk, float("-inf")):
            best[chunk] = score
    return sorted(best.items(), key=lambda pair: -pair[1])
