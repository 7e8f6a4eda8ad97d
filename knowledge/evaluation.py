"""Measure retrieval and answers on a question set: hit@1, hit@3 and MRR per retrieval mode,
refusal of off-topic questions, coverage of in-scope ones, and the threshold that separates them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from knowledge.retrieval import Mode, Weights

if TYPE_CHECKING:
    from knowledge.answer import AnswerEngine

MODES: tuple[Mode, ...] = ("hybrid", "bm25", "dense")


@dataclass(frozen=True)
class DevQuestion:
    question: str
    sections: tuple[str, ...]
    kind: str
    expect: tuple[str, ...] = ()

    @property
    def in_scope(self) -> bool:
        return bool(self.sections)


@dataclass(frozen=True)
class ModeScore:
    hit1: float
    hit3: float
    mrr: float


@dataclass(frozen=True)
class Report:
    modes: dict[str, ModeScore]
    refusal: float  # off-topic questions answered "not covered"
    coverage: float  # in-scope questions answered
    expect_rate: float  # covered in-scope answers containing every expected string
    threshold: float
    in_scope: int
    off_topic: int
    misses: list[str]

    def table(self) -> str:
        lines = [
            f"questions: {self.in_scope} in scope, {self.off_topic} off topic; "
            f"threshold {self.threshold:.3f}",
            f"{'mode':<8} {'hit@1':>6} {'hit@3':>6} {'MRR':>6}",
        ]
        for mode, score in self.modes.items():
            lines.append(f"{mode:<8} {score.hit1:>6.3f} {score.hit3:>6.3f} {score.mrr:>6.3f}")
        lines += [
            f"off-topic refusal rate: {self.refusal:.3f}",
            f"in-scope coverage rate: {self.coverage:.3f}",
            f"answers with expected figures: {self.expect_rate:.3f}",
        ]
        return "\n".join(lines)


def load_questions(path: Path) -> list[DevQuestion]:
    questions = []
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            data = json.loads(line)
            questions.append(
                DevQuestion(
                    question=data["question"],
                    sections=tuple(data.get("sections") or ()),
                    kind=data.get("kind", ""),
                    expect=tuple(data.get("expect") or ()),
                )
            )
    return questions


def _rank_scores(ranks: list[int | None]) -> ModeScore:
    n = len(ranks) or 1
    return ModeScore(
        hit1=sum(r == 1 for r in ranks) / n,
        hit3=sum(r is not None and r <= 3 for r in ranks) / n,
        mrr=sum(1 / r for r in ranks if r) / n,
    )


def evaluate(engine: AnswerEngine, questions: list[DevQuestion], k: int = 5) -> Report:
    """Each question is embedded once and ranked by the three modes."""
    retriever = engine.retriever
    scripts = engine.scripts
    ranks: dict[str, list[int | None]] = {mode: [] for mode in MODES}
    misses: list[str] = []
    refused = covered = expected_ok = 0
    in_scope = [q for q in questions if q.in_scope]
    for item in questions:
        answer = engine.answer(item.question)
        if not item.in_scope:
            refused += not answer.covered
            if answer.covered:
                misses.append(f"answered off-topic: {item.question} → {answer.sources[0].section}")
            continue
        covered += answer.covered
        if answer.covered and all(e in scripts.to_simplified(answer.answer) for e in item.expect):
            expected_ok += 1
        query = retriever.prepare(answer.retrieval_query)  # embedding cached by answer()
        for mode in MODES:
            hits = retriever.search(query, k=k, mode=mode)
            sections = [hit.chunk.section_id for hit in hits]
            rank = next((n + 1 for n, s in enumerate(sections) if s in item.sections), None)
            ranks[mode].append(rank)
            if mode == "hybrid" and rank != 1:
                misses.append(
                    f"hybrid rank {rank}: {item.question} → {sections[:3]} want {item.sections}"
                )
        if not answer.covered:
            misses.append(f"not covered: {item.question}")
    off_topic = len(questions) - len(in_scope)
    return Report(
        modes={mode: _rank_scores(r) for mode, r in ranks.items()},
        refusal=refused / off_topic if off_topic else 1.0,
        coverage=covered / len(in_scope) if in_scope else 0.0,
        expect_rate=expected_ok / covered if covered else 0.0,
        threshold=engine.threshold,
        in_scope=len(in_scope),
        off_topic=off_topic,
        misses=misses,
    )


def calibrate(engine: AnswerEngine, questions: list[DevQuestion]) -> tuple[float, float]:
    """The threshold that best separates in-scope from off-topic top scores (maximising the
    sum of coverage and refusal, ties going to the middle of the gap). Returns it and that sum."""
    retriever = engine.retriever
    top: list[tuple[float, bool]] = []
    for item in questions:
        query = retriever.prepare(engine.answer(item.question).retrieval_query)
        hits = retriever.search(query, k=1)
        top.append((hits[0].score if hits else 0.0, item.in_scope))
    n_in = sum(1 for _, s in top if s) or 1
    n_off = sum(1 for _, s in top if not s) or 1
    cuts = sorted({score for score, _ in top})
    best = (0.0, -1.0)
    for low, high in zip([0.0, *cuts], [*cuts, 1.0], strict=True):
        cut = (low + high) / 2
        value = (
            sum(s >= cut for s, i in top if i) / n_in
            + sum(s < cut for s, i in top if not i) / n_off
        )
        if value > best[1] + 1e-9:
            best = (cut, value)
    return best


def tune(engine: AnswerEngine, questions: list[DevQuestion]) -> tuple[Weights, float, float]:
    """Grid over the rerank mix; keeps the one with the best MRR plus separation."""
    best: tuple[float, Weights, float] = (-1.0, engine.retriever.weights, engine.threshold)
    for dense in (0.3, 0.4, 0.5, 0.6, 0.7):
        for fusion in (0.0, 0.1, 0.2):
            weights = Weights(dense=dense, lexical=round(1 - dense - fusion, 2), fusion=fusion)
            engine.retriever.weights = weights
            threshold, separation = calibrate(engine, questions)
            engine.threshold = threshold
            report = evaluate(engine, questions)
            value = report.modes["hybrid"].mrr + separation / 2
            if value > best[0]:
                best = (value, weights, threshold)
    engine.retriever.weights = best[1]
    engine.threshold = best[2]
    return best[1], best[2], best[0]
