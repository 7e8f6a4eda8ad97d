"""The bridge from citizens' words to the plan's: Chinese numerals, pinyin slips and everyday
words, each corrected only where it is clearly meant."""

from __future__ import annotations

import pytest

from knowledge.bridge import Bridge, chinese_number, digits_for_numerals
from knowledge.lexicon import Tokenizer
from knowledge.probes import Term


@pytest.mark.parametrize(
    ("text", "value"),
    [("十五", 15), ("三十", 30), ("一百二十", 120), ("二零二五", 2025), ("两万", 20000)],
)
def test_chinese_numbers(text: str, value: int) -> None:
    assert chinese_number(text) == value


@pytest.mark.parametrize(
    ("question", "normalised"),
    [
        ("百分之十三是啥目标", "13%是啥目标"),
        ("百分之十四点五", "14.5%"),
        ("二零二五年公交要换多少", "2025年公交要换多少"),
        ("三十蒸吨以下的锅炉", "30蒸吨以下的锅炉"),
        ("娃儿才十岁", "娃儿才10岁"),
        ("一些人说一个办法", "一些人说一个办法"),  # words, not figures
    ],
)
def test_numerals_become_the_digits_the_corpus_writes(question: str, normalised: str) -> None:
    assert digits_for_numerals(question) == normalised


@pytest.fixture(scope="module")
def bridge() -> Bridge:
    terms = [
        Term("黑臭水体", "黑臭水體", "又黑又臭的河沟", ("臭水沟", "黑水沟")),
        Term("燃煤锅炉", "燃煤鍋爐", "烧煤的锅炉", ("烧煤的锅炉", "煤锅炉")),
        Term("节能减排", "節能減排", "节约能源、减少排放", ("省电减排",)),
    ]
    return Bridge(Tokenizer(), {"节能减排", "充电桩", "新能源汽车", "时水", "贵州省"}, terms)


@pytest.mark.parametrize(
    ("question", "fixed"),
    [
        ("节能减拍是啥", "节能减排是啥"),  # a slip that is no word
        ("新能源汽车冲电桩够不够", "新能源汽车充电桩够不够"),
        ("市生态环境局局长是谁", "市生态环境局局长是谁"),  # 是谁 sounds like 时水: a real word
        ("贵州生态日几号", "贵州生态日几号"),  # 贵州/生态 is not 贵州省
    ],
)
def test_pinyin_slips_are_fixed_only_where_no_word_stands(
    bridge: Bridge, question: str, fixed: str
) -> None:
    assert bridge.normalize(question) == fixed


def test_everyday_words_bring_the_plans_term(bridge: Bridge) -> None:
    found = bridge.expansions("村口的臭水沟政府管不管")
    assert [(e.phrase, e.term) for e in found] == [("臭水沟", "黑臭水体")]
    assert bridge.expansions("黑臭水体怎么治理") == []  # the term itself needs no bridge
