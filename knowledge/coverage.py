"""Is the question covered? A learned decision over several signals instead of one hand-set
threshold: how strongly the best passage and its written questions match (dense and lexical),
whether the two halves agree, how much of the question the corpus has never heard of, and
whether the cited section states the kind of fact asked for. (A place, year, price or person
the corpus never mentions is refused outright by the scope check.)

Fitted with the ranker by `greenbot eval --train` (cross-validated on the dev questions). With
no fitted model, the best passage's ranking score against a fixed threshold decides.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from knowledge.questions import answer_shape

if TYPE_CHECKING:
    from knowledge.learned import LogisticModel
    from knowledge.retrieval import Hit, Query, Retriever
    from knowledge.scope import Scope

COVER_FEATURES = (
    "top_score",
    "margin",
    "cos_passage",
    "cos_question",
    "coverage",
    "bm25_passage",
    "bm25_question",
    "agree",
    "unknown_share",
    "words",
    "shape_unstated",
    "off_topic",  # nearness to questions the corpus is not about, against its own questions
)
# Which way each signal may push: more evidence never argues for "not covered". A fitted weight
# of the other sign is collinearity noise from a few hundred questions: the feature is dropped.
AGAINST = frozenset({"unknown_share", "shape_unstated", "off_topic"})  # more → less covered
DIRECTION = {name: -1.0 if name in AGAINST else 1.0 for name in COVER_FEATURES}


def cover_features(
    query: Query, hits: list[Hit], retriever: Retriever, scope: Scope
) -> dict[str, float]:
    top = hits[0]
    second = hits[1].score if len(hits) > 1 else 0.0
    best_of = lambda name: max(hits, key=lambda h: h.features.get(name, 0.0)).chunk.id  # noqa: E731
    agree = len({best_of("cos_passage"), best_of("cos_question"), best_of("bm25_passage")})
    shape = answer_shape(query.text)
    section = retriever.index.sections[top.chunk.section_id]
    return {
        "top_score": top.score,
        "margin": top.score - second,
        "cos_passage": top.features.get("cos_passage", 0.0),
        "cos_question": top.features.get("cos_question", 0.0),
        "coverage": top.features.get("coverage", 0.0),
        "bm25_passage": top.features.get("bm25_passage", 0.0),
        "bm25_question": top.features.get("bm25_question", 0.0),
        "agree": 1.0 if agree == 1 else 0.0,
        "unknown_share": retriever.unknown_share(query),
        "words": math.log1p(len(query.groups)),
        # Asked for a date, a number, a phone: does the cited section state one at all?
        "shape_unstated": float(shape is not None and not shape.search(section.body)),
        "off_topic": retriever.off_topic_lean(query),
    }


class CoverageJudge:
    def __init__(self, model: LogisticModel | None, *, threshold: float) -> None:
        self.model = model
        self.threshold = threshold

    def probability(self, features: dict[str, float]) -> float:
        if self.model is None:
            return 1.0 if features["top_score"] >= self.threshold else 0.0
        return float(self.model.score(self.model.row(features))[0])

    def covered(self, features: dict[str, float]) -> bool:
        cut = self.model.cut if self.model is not None else 0.5
        return self.probability(features) >= cut
