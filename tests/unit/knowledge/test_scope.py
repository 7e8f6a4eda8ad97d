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


def test_a_township_or_county_the_corpus_never_names_is_out_of_scope(scope: Scope) -> None:
    assert scope.unknown_places("遵义市的公交车会换成电动的吗") == ["遵义市"]
    assert scope.unknown_places("川硐街道的垃圾站在哪") == ["川硐街道"]
    assert scope.unknown_places("我家住六楼，楼下没得充电桩") == []  # not a place
    assert scope.unknown_places("乡镇的污水怎么管") == []  # a kind of place


def test_a_year_the_corpus_never_mentions_is_out_of_scope(scope: Scope) -> None:
    outside = Scope("到2025年……比2020年下降", scope.tokenizer).check("2035年要降多少", "")
    assert outside is not None and (outside.reason, outside.subject) == ("year", "2035")


def test_a_named_official_or_an_exact_address_is_out_of_scope(scope: Scope) -> None:
    for question in ("市生态环境局局长是谁", "王局长管不管这个", "回收点的具体地址是啥"):
        outside = scope.check(question, "市生态环境局负责。")
        assert outside is not None and outside.reason == "detail", question


def test_a_subsidy_or_reward_amount_is_a_price(scope: Scope) -> None:
    asked = scope.check("举报属实能拿好多奖金", "可以举报。")
    assert asked is not None and asked.reason == "price"


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
