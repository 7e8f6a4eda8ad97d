"""The answer a citizen reads at a glance: a first sentence that states what was asked (the
figure, the date, the department), at most LEAD_CHARS long and taken from the cited passage;
then at most two supporting sentences; Chinese punctuation full-width throughout.

Plan sentences often run to 200 characters and list several measures, so the first sentence is
the best window of clauses from the best sentence, not the sentence whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from knowledge.chunking import split_sentences

LEAD_CHARS = 120
SUPPORT_SENTENCES = 2
SUPPORT_CHARS = 160
SHAPE_BONUS = 0.5  # a clause stating the kind of fact asked for beats one merely on topic
CLAUSE_END = re.compile(r"(?<=[，,；;：:])")
HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
CJK = r"[\u3400-\u9fff\uff08\uff09“”《》、。，]"
ASCII_PUNCT = re.compile(rf"(?<={CJK})([,;:?!()])|([,;:?!()])(?={CJK})")
OPEN_END = "，,；;：:、"


def full_width(text: str) -> str:
    """ASCII punctuation beside Chinese text becomes full-width (体系,推动 → 体系，推动);
    numbers keep theirs (1,000; 3.5)."""
    return ASCII_PUNCT.sub(lambda m: HALF_TO_FULL[m.group(0)], text)


def close(text: str) -> str:
    """A piece ends as a sentence: a trailing comma, semicolon or colon becomes 。."""
    text = text.strip()
    while text and text[-1] in OPEN_END:
        text = text[:-1]
    if text and text[-1] not in "。！？!?）)”":
        text += "。"
    return text


@dataclass(frozen=True)
class Sentence:
    text: str
    rank: int  # of its passage in retrieval (0 best)
    order: tuple[int, int]  # reading order: (chunk position, sentence index)


Weigh = Callable[[str], float]  # how much of the question a piece of text answers


def best_window(sentence: str, weigh: Weigh, shape: re.Pattern[str] | None) -> tuple[float, str]:
    """The contiguous run of clauses of `sentence`, at most LEAD_CHARS, that answers most."""
    clauses = [c for c in CLAUSE_END.split(sentence) if c.strip()]
    if len(sentence) <= LEAD_CHARS or len(clauses) <= 1:
        return _value(sentence, weigh, shape), sentence
    best = (-1.0, clauses[0][:LEAD_CHARS])
    for start in range(len(clauses)):
        text = ""
        for end in range(start, len(clauses)):
            if len(text) + len(clauses[end]) > LEAD_CHARS:
                break
            text += clauses[end]
            value = _value(text, weigh, shape) - 0.001 * len(text)  # shorter wins ties
            if value > best[0]:
                best = (value, text)
    return best


def _value(text: str, weigh: Weigh, shape: re.Pattern[str] | None) -> float:
    value = weigh(text)
    if shape is not None and shape.search(text):
        value = value * 1.5 + SHAPE_BONUS
    return value


def compose(
    sentences: Sequence[Sentence], weigh: Weigh, shape: re.Pattern[str] | None
) -> str:
    """Lead (the best window of the best sentence), then up to two supporting sentences from
    the same passages in reading order."""
    if not sentences:
        return ""
    scored = []
    for sentence in sentences:
        value, window = best_window(sentence.text, weigh, shape)
        if sentence.text.rstrip().endswith(("：", ":")):
            value *= 0.5  # the line introducing a list says little on its own
        scored.append((value * (1.0 - 0.1 * sentence.rank), window, sentence))
    scored.sort(key=lambda item: -item[0])
    _, lead, lead_sentence = scored[0]
    support = []
    for value, window, sentence in scored[1:]:
        if len(support) == SUPPORT_SENTENCES or value <= 0:
            break
        if sentence is lead_sentence or window in lead:
            continue
        text = sentence.text if len(sentence.text) <= SUPPORT_CHARS else window
        support.append((sentence.order, text))
    support.sort()
    pieces = [close(lead)] + [close(text) for _, text in support]
    return full_width("".join(pieces))


def sentences_of(text: str) -> list[str]:
    return split_sentences(text)
