"""What similarity cannot judge, checked after retrieval: questions whose answer would be a fact
the knowledge base does not hold, however close their words are to a passage.

- a place the corpus never mentions (贵阳's plan reads almost like Tongren's, so it retrieves
  well), found in a list of China's administrative places or by a township/street suffix;
- a year the corpus never mentions (the plan covers 2021–2025);
- a price, fee, subsidy or reward amount the best passage does not state;
- a named person (the documents name no officials) or an exact address.
Answering any of these from Tongren's plan would be inventing facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from knowledge.lexicon import Tokenizer

Reason = Literal["place", "price", "year", "detail"]

PLACES_FILE = Path(__file__).parent / "data" / "places.txt"
ASKS_PRICE = re.compile(
    r"多少钱|好多钱|几多钱|多少块|几块钱|几毛|价格|价钱|售价|票价|收费标准|一度电多少|多少元|"
    r"补贴多少|补助多少|补多少|补贴标准|补贴金额|奖多少|奖金|奖励多少|奖励金额|罚多少|罚款多少|罚款标准"
)
STATES_MONEY = re.compile(r"\d+(?:\.\d+)?\s*(?:元|块|万元|亿元)")
YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵"
    "钱严覃武戴莫孔向汤"
)
ASKS_DETAIL = re.compile(
    r"叫什么名字|叫啥名字|叫啥子名字|姓什么|姓啥|哪位领导|负责人是谁|是哪位|"
    r"(?:书记|市长|局长|主任|县长|区长|部长|处长|科长|省长)(?:是谁|是哪个|叫)|"
    rf"[{SURNAMES}](?:书记|市长|局长|主任|县长|区长|部长|处长|科长|省长|主席)|"
    r"具体地址|详细地址|门牌|在哪条街|在哪个位置|具体位置|具体在哪|地址是"
)
SUFFIXED_PLACE = re.compile(r"[\u4e00-\u9fff]{2,5}?(?:镇|乡|街道|村委会|社区)")
MIN_PLACE_CHARS = 2


@dataclass(frozen=True)
class OutOfScope:
    reason: Reason
    subject: str  # the unknown place or year, or the price or detail asked about


class Scope:
    """Built once from the corpus (Simplified): the text every name is looked up in."""

    def __init__(self, corpus_text: str, tokenizer: Tokenizer) -> None:
        self.corpus_text = corpus_text
        self.tokenizer = tokenizer

    @cached_property
    def places(self) -> list[str]:
        """Known place names, longest first (贵阳市 before 贵阳)."""
        if not PLACES_FILE.exists():
            return []
        names = {line.strip() for line in PLACES_FILE.read_text("utf-8").splitlines()}
        return sorted((n for n in names if len(n) >= MIN_PLACE_CHARS), key=len, reverse=True)

    def unknown_places(self, question: str) -> list[str]:
        """Places in a Simplified question that the corpus never uses."""
        found: list[str] = []
        rest = question
        for name in self.places:
            if name in rest:
                rest = rest.replace(name, "　")
                if name not in self.corpus_text:
                    found.append(name)
        for match in SUFFIXED_PLACE.finditer(rest):
            word = match.group(0)
            if word not in self.corpus_text and not self._generic(word):
                found.append(word)
        return found

    def _generic(self, word: str) -> bool:
        """乡镇, 城乡, 农村社区: words that name a kind of place, not a place."""
        return self.tokenizer.word_frequency(word) > 0 or word[:-1] in self.corpus_text

    def unknown_years(self, question: str) -> list[str]:
        return [y for y in YEAR.findall(question) if y not in self.corpus_text]

    def check(self, question: str, passage: str) -> OutOfScope | None:
        """`question` and `passage` (the best evidence) in Simplified."""
        places = self.unknown_places(question)
        if places:
            return OutOfScope("place", places[0])
        years = self.unknown_years(question)
        if years:
            return OutOfScope("year", years[0])
        asked = ASKS_PRICE.search(question)
        if asked and not STATES_MONEY.search(passage):
            return OutOfScope("price", asked.group(0))
        detail = ASKS_DETAIL.search(question)
        if detail:
            return OutOfScope("detail", detail.group(0))
        return None
