"""Fit the ranking, coverage and lead models on dev questions, and measure them honestly: k-fold
cross-validation, each fold answered by models that never saw it, through the full answer path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from knowledge import learned
from knowledge.answer import MAX_SOURCES
from knowledge.compose import LEAD_FEATURES, candidates
from knowledge.coverage import COVER_FEATURES, DIRECTION, cover_features
from knowledge.evaluation import (
    EvalQuestion,
    Outcome,
    contains_passage,
    engine_responder,
    folds,
    normalize,
    run,
)
from knowledge.questions import answer_shape, clean
from knowledge.retrieval import RANK_FEATURES

if TYPE_CHECKING:
    from pathlib import Path

    from knowledge.answer import AnswerEngine
    from knowledge.learned import LogisticModel
    from knowledge.retrieval import Query

RANK_L2 = 1.0
LEAD_L2 = 1.0  # 0.3, 1 and 3 gave the same 5-fold figures on the dev part
COVER_L2 = 3.0  # chosen by 5-fold CV on the dev part (coverage + refusal)


def _query(engine: AnswerEngine, question: str) -> Query:
    text = engine.scripts.to_simplified(clean(question, max_chars=engine.max_question_chars).text)
    return engine.retriever.prepare(text)


def fit_ranker(engine: AnswerEngine, questions: Sequence[EvalQuestion]) -> LogisticModel:
    """Listwise: among each question's candidates, the ones holding the gold passage."""
    groups = []
    for item in questions:
        if not item.answerable or not item.passage:
            continue
        gold = normalize(item.passage, engine.scripts)
        candidates = engine.retriever.candidate_features(_query(engine, item.question))
        if not candidates:
            continue
        x = np.array([[features[name] for name in RANK_FEATURES] for _, features in candidates])
        y = np.array(
            [
                contains_passage(normalize(engine.index.chunks[i].text, engine.scripts), gold)
                for i, _ in candidates
            ],
            dtype=float,
        )
        groups.append((x, y))
    return learned.fit_listwise(RANK_FEATURES, groups, l2=RANK_L2)


def fit_judge(engine: AnswerEngine, questions: Sequence[EvalQuestion]) -> LogisticModel:
    """Answerable against off-topic and near, classes weighed equally. The judge weighs the
    evidence; questions the scope check refuses anyway (an unknown place, a price) teach it
    nothing and are left out of the fit, but count when the cut is chosen: the cut is the one
    that best balances coverage and refusal of the whole decision."""
    rows, labels, scoped = [], [], []
    for item in questions:
        query = _query(engine, item.question)
        hits = engine.retriever.search(query)
        if not hits:
            continue
        features = cover_features(query, hits, engine.retriever, engine.scope)
        body = engine.simplified_bodies[hits[0].chunk.section_id]
        rows.append([features[name] for name in COVER_FEATURES])
        labels.append(item.answerable)
        scoped.append(engine.scope.check(query.text, body) is not None)
    x, y, out = np.array(rows), np.array(labels, dtype=float), np.array(scoped)
    keep = (y == 1) | ~out
    positive = max(y[keep].sum(), 1.0)
    negative = max(keep.sum() - y[keep].sum(), 1.0)
    weights = np.where(y[keep] == 1, 0.5 / positive, 0.5 / negative) * keep.sum()
    names = list(COVER_FEATURES)
    while True:  # fit, and drop the feature whose weight most contradicts its direction
        columns = [COVER_FEATURES.index(n) for n in names]
        model = learned.fit(names, x[keep][:, columns], y[keep], l2=COVER_L2, weights=weights)
        wrong = [(DIRECTION[n] * w, n) for n, w in zip(names, model.weights, strict=True)]
        worst = min(wrong)
        if worst[0] >= 0 or len(names) == 1:
            break
        names.remove(worst[1])
    probabilities = model.score(x[:, columns])
    cuts = np.linspace(0.1, 0.9, 81)
    n_pos, n_neg = max(y.sum(), 1.0), max(len(y) - y.sum(), 1.0)
    value = [
        ((probabilities >= c) & ~out & (y == 1)).sum() / n_pos
        + (((probabilities < c) | out) & (y == 0)).sum() / n_neg
        for c in cuts
    ]
    best = max(value)
    chosen = [c for c, v in zip(cuts, value, strict=True) if v >= best - 1e-9]
    model.cut = float(max(chosen))  # among equals, the most cautious: a refusal is the safer error
    return model


def fit_lead(engine: AnswerEngine, questions: Sequence[EvalQuestion]) -> LogisticModel:
    """Listwise over every window of the cited section's sentences: the ones holding the fact
    asked for. Questions whose cited section does not hold the fact teach nothing."""
    groups = []
    for item in questions:
        if not item.answerable or not item.fact:
            continue
        query = _query(engine, item.question)
        hits = engine.retriever.search(query, k=MAX_SOURCES)
        if not hits:
            continue
        sentences, weigh, fold_text = engine.sentences_for(hits, hits[0].chunk.section_id, query)
        found = candidates(sentences, weigh, answer_shape(query.text), fold_text, query.text)
        fact = normalize(item.fact, engine.scripts)
        y = np.array([fact in normalize(c.text, engine.scripts) for c in found], dtype=float)
        if found and y.sum() > 0:
            x = np.array([[c.features[name] for name in LEAD_FEATURES] for c in found])
            groups.append((x, y))
    return learned.fit_listwise(LEAD_FEATURES, groups, l2=LEAD_L2)


def fit(engine: AnswerEngine, questions: Sequence[EvalQuestion]) -> dict[str, LogisticModel]:
    """Ranker first (the judge's and the lead's inputs depend on the ranking), all set on the
    engine."""
    engine.retriever.ranker = fit_ranker(engine, questions)
    engine.judge.model = fit_judge(engine, questions)
    engine.lead_model = fit_lead(engine, questions)
    return {
        "ranker": engine.retriever.ranker,
        "coverage": engine.judge.model,
        "lead": engine.lead_model,
    }


def cross_validate(
    engine: AnswerEngine, questions: Sequence[EvalQuestion], k: int = 5
) -> list[Outcome]:
    """Each fold answered by models fitted on the other folds; the engine's models are put
    back afterwards."""
    saved = engine.retriever.ranker, engine.judge.model, engine.lead_model
    outcomes: list[Outcome] = []
    parts = folds(questions, k)
    try:
        for n, held in enumerate(parts):
            train = [q for m, part in enumerate(parts) if m != n for q in part]
            fit(engine, train)
            outcomes += run(engine_responder(engine), held, engine.scripts)
    finally:
        engine.retriever.ranker, engine.judge.model, engine.lead_model = saved
    order = {q.id: n for n, q in enumerate(questions)}
    return sorted(outcomes, key=lambda o: order[o.question.id])


def train_and_save(
    engine: AnswerEngine, questions: Sequence[EvalQuestion], path: Path, *, note: str
) -> dict[str, LogisticModel]:
    models = fit(engine, questions)
    learned.save(models, path, note=note)
    return models
