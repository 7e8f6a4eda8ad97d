"""From a citizen's words to the plan's: before retrieval a question is normalised three ways,
each general rather than fitted to any one question.

- Chinese numerals become digits where the corpus writes digits (百分之十三 → 13%,
  二零二五年 → 2025年, 三十蒸吨 → 30蒸吨).
- A pinyin-input slip (a homophone that is no word: 节能减拍) is corrected to the corpus word
  that sounds the same (节能减排), when the slip is not itself a known word.
- Everyday words from the glossary (臭水沟, 烧煤的锅炉) bring the plan's term (黑臭水体,
  燃煤锅炉) into the query.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledge.lexicon import Tokenizer
    from knowledge.probes import Term

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
          "七": 7, "八": 8, "九": 9}  # fmt: skip
UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10_000}
NUMERAL = "零〇一二三四五六七八九两十百千万"
PERCENT = re.compile(rf"百分之([{NUMERAL}点]+)")
YEAR = re.compile(r"([零〇一二三四五六七八九]{4})年")
# A counted quantity: the unit keeps ordinary words (一些, 十分, 万一) from turning into numbers.
QUANTITY = re.compile(
    rf"([{NUMERAL}]+)(?=(?:蒸吨|吨|万|亿|个|家|座|辆|公里|千米|米|度|天|日|小时|分钟|年|月|号|倍|成|项|户|人|元|块|岁|周岁|级|℃|摄氏度))"
)
MIN_TYPO_CHARS = 2
MAX_TYPO_CHARS = 5
MAX_TYPO_PIECES = 4


def chinese_number(text: str) -> int | None:
    """十五 → 15, 三十 → 30, 一百二十 → 120, 二零二五 → 2025; None when it is not a number."""
    if not text or any(c not in DIGITS and c not in UNITS for c in text):
        return None
    if all(c in DIGITS for c in text):
        return int("".join(str(DIGITS[c]) for c in text)) if len(text) > 1 else DIGITS[text]
    total = section = 0
    digit = None
    for char in text:
        if char in DIGITS:
            digit = DIGITS[char]
        else:
            unit = UNITS[char]
            if unit == 10_000:
                total += (section + (digit or 0)) * unit
                section = 0
            else:
                section += (1 if digit is None else digit) * unit
            digit = None
    return total + section + (digit or 0)


def _decimal(text: str) -> str | None:
    whole, _, fraction = text.partition("点")
    number = chinese_number(whole)
    if number is None:
        return None
    if fraction:
        if any(c not in DIGITS for c in fraction):
            return None
        return f"{number}." + "".join(str(DIGITS[c]) for c in fraction)
    return str(number)


def digits_for_numerals(text: str) -> str:
    text = PERCENT.sub(lambda m: f"{_decimal(m.group(1))}%" if _decimal(m.group(1)) else m[0], text)
    text = YEAR.sub(lambda m: f"{chinese_number(m.group(1))}年", text)

    def quantity(match: re.Match[str]) -> str:
        value = chinese_number(match.group(1))
        # 一 alone before 个/年 is an article more often than a figure ("一个", "一年"): keep it.
        if value is None or (len(match.group(1)) == 1 and value < 10):
            return match.group(0)
        return str(value)

    return QUANTITY.sub(quantity, text)


@dataclass(frozen=True)
class Expansion:
    phrase: str  # the everyday words found in the question
    term: str  # the plan's term they stand for


class Bridge:
    """Built once from the corpus vocabulary and the glossary."""

    def __init__(self, tokenizer: Tokenizer, vocabulary: Iterable[str], glossary: list[Term]):
        self.tokenizer = tokenizer
        self.glossary = glossary
        self.vocabulary = {w for w in vocabulary if len(w) >= MIN_TYPO_CHARS}
        # The words a slip is corrected to: glossary terms and everyday words, at any length;
        # other corpus words only from 3 characters (2-character sounds are shared too often:
        # 是谁 would become 时水).
        self.named = {w for e in glossary for w in (e.term, *e.everyday) if len(w) >= 2}
        self.vocabulary |= self.named
        self.everyday: list[tuple[str, Term]] = sorted(
            ((word, entry) for entry in glossary for word in entry.everyday if len(word) >= 2),
            key=lambda pair: -len(pair[0]),
        )

    @cached_property
    def _by_sound(self) -> dict[str, str]:
        """Toneless pinyin → the corpus word with that sound (the first, if several share it)."""
        from pypinyin import lazy_pinyin

        sounds: dict[str, str] = {}
        for word in sorted(self.vocabulary, key=lambda w: (-len(w), w)):
            if not re.fullmatch(r"[\u4e00-\u9fff]+", word):
                continue
            if word in self.named or (len(word) >= 3 and self.tokenizer.word_frequency(word)):
                sounds.setdefault(" ".join(lazy_pinyin(word)), word)
        return sounds

    def _is_word(self, text: str) -> bool:
        freq = self.tokenizer.word_frequency(text)
        return text in self.vocabulary or freq > 0

    def fix_typos(self, text: str) -> str:
        """Replace a run of broken pieces that sounds exactly like a corpus word. A slip shows
        as single characters where a word should be (节能/减/拍 for 节能减排): only runs aligned
        with jieba's words, holding a single-character piece and not themselves a word, are
        candidates, so 贵州/生态 is never read as 贵州省."""
        from pypinyin import lazy_pinyin

        sounds = self._by_sound
        pieces = self.tokenizer.words(text)
        out, i = [], 0
        while i < len(pieces):
            for size in range(min(MAX_TYPO_PIECES, len(pieces) - i), 1, -1):
                run = pieces[i : i + size]
                span = "".join(run)
                if not (MIN_TYPO_CHARS <= len(span) <= MAX_TYPO_CHARS):
                    continue
                if all(len(p) > 1 for p in run) or self._is_word(span):
                    continue
                if not re.fullmatch(r"[\u4e00-\u9fff]+", span):
                    continue
                word = sounds.get(" ".join(lazy_pinyin(span)))
                if word and word != span:
                    out.append(word)
                    i += size
                    break
            else:
                out.append(pieces[i])
                i += 1
        return "".join(out)

    def expansions(self, text: str) -> list[Expansion]:
        """Glossary terms whose everyday words the question uses (and the term itself not)."""
        found: list[Expansion] = []
        seen: set[str] = set()
        for word, entry in self.everyday:
            if word in text and entry.term not in text and entry.term not in seen:
                seen.add(entry.term)
                found.append(Expansion(word, entry.term))
        return found

    def normalize(self, text: str) -> str:
        return self.fix_typos(digits_for_numerals(text))
