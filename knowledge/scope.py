"""Two things similarity cannot judge, checked after retrieval.

A question about a place the knowledge base never mentions (贵阳's plan reads almost like
Tongren's, so it retrieves well) and a question asking a price that the best passage does not
state (the plan names no prices) are not covered, however close the words are: answering them
from Tongren's plan would be inventing facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from knowledge.lexicon import Tokenizer

Reason = Literal["place", "price"]

ASKS_PRICE = re.compile(r"多少钱|几块钱|价格|价钱|售价|票价|收费标准|一度电多少|多少元")
STATES_MONEY = re.compile(r"\d+(?:\.\d+)?\s*(?:元|块|万元|亿元)")
MIN_PLACE_CHARS = 2


@dataclass(frozen=True)
class OutOfScope:
    reason: Reason
    subject: str  # the unknown place, or the price asked about


class Scope:
    """Built once from the corpus (Simplified): the text every place name is looked up in."""

    def __init__(self, corpus_text: str, tokenizer: Tokenizer) -> None:
        self.corpus_text = corpus_text
        self.tokenizer = tokenizer

    def unknown_places(self, question: str) -> list[str]:
        """Place names (jieba's `ns` tag) in a Simplified question that the corpus never uses."""
        return [
            word
            for word in dict.fromkeys(self.tokenizer.place_names(question))
            if len(word) >= MIN_PLACE_CHARS and word not in self.corpus_text
        ]

    def check(self, question: str, passage: str) -> OutOfScope | None:
        """`question` and `passage` (the best evidence) in Simplified."""
        places = self.unknown_places(question)
        if places:
            return OutOfScope("place", places[0])
        asked = ASKS_PRICE.search(question)
        if asked and not STATES_MONEY.search(passage):
            return OutOfScope("price", asked.group(0))
        return None
