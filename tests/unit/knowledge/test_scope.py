"""Questions about places or prices the knowledge base never states are not covered."""

from __future__ import annotations

import pytest

from knowledge.lexicon import Tokenizer
from knowledge.scope import Scope

CORPUS = "铜仁市碧江区推进公交车电动化，贵州省生态日在六月十八日。"


@pytest.fixture(scope="module")
def scope() -> Scope:
    return Scope(CORPUS, Tokenizer())


def test_a_place_the_corpus_never_names_is_out_of_scope(scope: Scope) -> None:
    outside = scope.check("贵阳的十四五节能减排方案有啥目标", "主要目标……")
    assert outside is not None
    assert (outside.reason, outside.subject) == ("place", "贵阳")


def test_places_the_corpus_names_are_in_scope(scope: Scope) -> None:
    assert scope.unknown_places("碧江区的公交车会换成电动的吗") == []
    assert scope.check("铜仁公交车电动化", "推进公交车电动化") is None


def test_a_price_question_needs_a_passage_that_states_money(scope: Scope) -> None:
    asked = scope.check("一级能效空调多少钱", "选购一级能效的空调更省电。")
    assert asked is not None and asked.reason == "price"
    assert scope.check("补助标准价格是多少", "每辆补助 3000 元。") is None


@pytest.mark.slow
def test_the_engine_refuses_another_citys_plan_and_names_the_city(knowledge_engine) -> None:  # type: ignore[no-untyped-def]
    answer = knowledge_engine.answer("贵阳的十四五节能减排方案有啥目标")
    assert not answer.covered
    assert "贵阳" in answer.answer and "12345" in answer.answer
    assert answer.sources, "the nearest sections stay attached for the knowledge-gap log"


@pytest.mark.slow
def test_the_engine_still_answers_tongrens_own_targets(knowledge_engine) -> None:  # type: ignore[no-untyped-def]
    answer = knowledge_engine.answer("铜仁2025年农村生活污水治理率要到多少")
    assert answer.covered
    assert "出处" in answer.answer


@pytest.mark.slow
def test_the_engine_refuses_a_price_in_traditional_and_answers_in_traditional(
    knowledge_engine,
) -> None:  # type: ignore[no-untyped-def]
    answer = knowledge_engine.answer("一級能效的空調價格多少")
    assert not answer.covered
    assert "價格" in answer.answer


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "stated"),
    [
        ("举报后多久能办结", "60日"),  # a duration
        ("方案是哪天印发的", "2023年7月11日"),  # a date
    ],
)
def test_the_answer_includes_the_sentence_stating_the_kind_of_fact_asked_for(
    knowledge_engine, question: str, stated: str
) -> None:  # type: ignore[no-untyped-def]
    answer = knowledge_engine.answer(question)
    assert answer.covered
    assert stated in answer.body
