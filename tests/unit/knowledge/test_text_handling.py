"""Questions are cleaned, classified and converted between scripts before retrieval."""

from __future__ import annotations

import pytest

from knowledge.lexical import BM25Index
from knowledge.lexicon import Tokenizer
from knowledge.questions import clean, is_follow_up
from knowledge.scripts import ScriptConverter


@pytest.fixture(scope="module")
def scripts() -> ScriptConverter:
    return ScriptConverter()


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("垃圾分类怎么做？", "hans"),
        ("垃圾分類怎麼做？", "hant"),
        ("公交車都會換成電動的嗎", "hant"),
        ("2025年农村污水治理率要到多少？", "hans"),
        ("hello 123", "hans"),
    ],
)
def test_the_script_a_citizen_writes_in_is_detected(
    scripts: ScriptConverter, text: str, script: str
) -> None:
    assert scripts.detect(text) == script


def test_conversion_round_trips_plan_vocabulary(scripts: ScriptConverter) -> None:
    assert scripts.to_simplified("農村生活污水治理率") == "农村生活污水治理率"
    assert scripts.to_traditional("垃圾分类") == "垃圾分類"


@pytest.mark.parametrize(
    ("raw", "intent"),
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        ("😀😀😀", "empty"),
        ("<b></b>&amp;", "empty"),
        ("你好", "greeting"),
        ("/help", "greeting"),
        ("谢谢！", "thanks"),
        ("垃圾分类怎么做？", "question"),
    ],
)
def test_questions_are_classified_before_any_retrieval(raw: str, intent: str) -> None:
    assert clean(raw, max_chars=2000).intent == intent


def test_html_is_stripped_and_length_bounded() -> None:
    cleaned = clean("<script>alert(1)</script><b>垃圾</b>&amp;分类" + "啊" * 5000, max_chars=100)
    assert "<" not in cleaned.text and "&amp;" not in cleaned.text
    assert len(cleaned.text) <= 100
    assert cleaned.text.startswith("alert(1) 垃圾 &分类")


def test_short_questions_leaning_on_the_last_one_are_follow_ups() -> None:
    assert is_follow_up("那农村呢？")
    assert is_follow_up("还有公交车呢")
    assert not is_follow_up("2025年农村污水治理率要到多少？")


def test_citizen_words_expand_to_the_plans_words() -> None:
    terms = Tokenizer().query_terms("电动车充电方便吗")
    assert terms["电动车"] == 1.0
    assert 0 < terms["新能源汽车"] < 1.0


def test_bm25_ranks_the_document_with_the_rare_query_word_first() -> None:
    tokenizer = Tokenizer()
    docs = ["城市公交新能源车辆占比达95%", "农村生活污水治理率达到25%", "数据中心节能管理"]
    index = BM25Index([tokenizer.tokens(d) for d in docs])
    ranked = index.search(tokenizer.query_terms("农村污水"), k=3)
    assert ranked[0][0] == 1
    assert index.search({"护照": 1.0}, k=3) == []
