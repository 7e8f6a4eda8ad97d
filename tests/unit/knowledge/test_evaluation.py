"""The dev set's questions are answered well enough to ship: the issue's quality bar."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.evaluation import evaluate, load_questions

DEV_SET = Path(__file__).resolve().parents[2] / "data" / "dev_questions.jsonl"


@pytest.fixture(scope="module")
def report(knowledge_engine):  # type: ignore[no-untyped-def]
    return evaluate(knowledge_engine, load_questions(DEV_SET))


def test_the_dev_set_is_large_enough_and_mixes_scripts() -> None:
    questions = load_questions(DEV_SET)
    assert sum(q.in_scope for q in questions) >= 80
    assert sum(not q.in_scope for q in questions) >= 15


def test_hybrid_retrieval_finds_the_right_section_in_its_top_three(report) -> None:  # type: ignore[no-untyped-def]
    assert report.modes["hybrid"].hit3 >= 0.9


def test_hybrid_beats_each_of_its_halves(report) -> None:  # type: ignore[no-untyped-def]
    hybrid = report.modes["hybrid"]
    for half in ("bm25", "dense"):
        assert hybrid.mrr >= report.modes[half].mrr
        assert hybrid.hit3 >= report.modes[half].hit3
        assert hybrid.hit1 >= report.modes[half].hit1


def test_off_topic_questions_are_refused(report) -> None:  # type: ignore[no-untyped-def]
    assert report.refusal >= 0.9


def test_in_scope_questions_are_mostly_answered_with_their_figures(report) -> None:  # type: ignore[no-untyped-def]
    assert report.coverage >= 0.85
    assert report.expect_rate >= 0.9
