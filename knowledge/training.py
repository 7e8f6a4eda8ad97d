"""Fit the ranking and coverage models on dev questions, and measure them honestly: k-fold
cross-validation, each fold answered by models that never saw it, through the full answer path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from knowledge import learned
from knowledge.coverage import COVER_FEATURES, cover_features
from knowledge.evaluation import (
    EvalQuestion,
    Outcome,
    contains_passage,
    engine_responder,
    folds,
    normalize,
    run,
)
from knowledge.questions import clean
from knowledge.retrieval import RANK_FEATURES

if TYPE_CHECKING:
    from pathlib import Path

    from knowledge.answer import AnswerEngine
    from knowledge.learned import LogisticModel
    from knowledge.retrieval import Query

RANK_L2 = 1.0
COVER_L2 = 1.0


def _query(engine: AnswerEngine, question: str) -> Query:
    text = engine.scripts.to_simplified(clean(question, max_chars=engine.max_question_chars).text)
    return engine.retriever.prepare(text)


def fit_ranker(engine: AnswerEngine, questions: Sequence[EvalQuestion]) -> LogisticModel:
    """Pointwise: does this candidate hold the gold passage? Each question weighs the same,
    however many candidates it brings."""
    rows, labels, weights = [], [], []
    for item in questions:
        if not item.answerable or not item.passage:
            continue
        gold = normalize(item.passage, engine.scripts)
        candidates = engine.retriever.candidate_features(_query(engine, item.question))
        for i, features in candidates:
            text = normalize(engine.index.chunks[i].text, engine.scripts)
            rows.append([features[name] for name in RANK_FEATURES])
            labels.append(contains_passage(text, gold))
            weights.append(1.0 / len(candidates))
    return learned.fit(
        RANK_FEATURES, np.array(rows), np.array(labels), l2=RANK_L2, weights=np.array(weights)
    )


def fit_judge(engine: AnswerEngine, questions: Sequence[EvalQuestion]) -> LogisticModel:
    """Answerable against off-topic and near, classes weighed equally; the cut is the one that
    best balances coverage and refusal on these questions."""
    rows, labels = [], []
    for item in questions:
        query = _query(engine, item.question)
        hits = engine.retriever.search(query)
        if not hits:
            continue
        features = cover_features(query, hits, engine.retriever, engine.scope)
        rows.append([features[name] for name in COVER_FEATURES])
        labels.append(item.answerable)
    y = np.array(labels, dtype=float)
    positive = max(y.sum(), 1.0)
    negative = max(len(y) - y.sum(), 1.0)
    weights = np.where(y == 1, 0.5 / positive, 0.5 / negative) * len(y)
    model = learned.fit(COVER_FEATURES, np.array(rows), y, l2=COVER_L2, weights=weights)
    probabilities = model.score(np.array(rows))
    cuts = np.linspace(0.2, 0.8, 61)
    value = [
        ((probabilities >= c) & (y == 1)).sum() / positive
        + ((probabilities < c) & (y == 0)).sum() / negative
        for c in cuts
    ]
    best = max(value)
    chosen = [c for c, v in zip(cuts, value, strict=True) if v >= best - 1e-9]
    model.cut = float(np.median(chosen))
    return model


def fit(engine: AnswerEngine, questions: Sequence[EvalQuestion]) -> dict[str, LogisticModel]:
    """Ranker first (the judge's features include the ranking score), both set on the engine."""
    engine.retriever.ranker = fit_ranker(engine, questions)
    engine.judge.model = fit_judge(engine, questions)
    return {"ranker": engine.retriever.ranker, "coverage": engine.judge.model}


def cross_validate(
    engine: AnswerEngine, questions: Sequence[EvalQuestion], k: int = 5
) -> list[Outcome]:
    """Each fold answered by models fitted on the other folds; the engine's models are put
    back afterwards."""
    saved = engine.retriever.ranker, engine.judge.model
    outcomes: list[Outcome] = []
    parts = folds(questions, k)
    try:
        for n, held in enumerate(parts):
            train = [q for m, part in enumerate(parts) if m != n for q in part]
            fit(engine, train)
            outcomes += run(engine_responder(engine), held, engine.scripts)
    finally:
        engine.retriever.ranker, engine.judge.model = saved
    order = {q.id: n for n, q in enumerate(questions)}
    return sorted(outcomes, key=lambda o: order[o.question.id])


def train_and_save(
    engine: AnswerEngine, questions: Sequence[EvalQuestion], path: Path, *, note: str
) -> dict[str, LogisticModel]:
    models = fit(engine, questions)
    learned.save(models, path, note=note)
    return models
