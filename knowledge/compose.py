"""The answer a citizen reads at a glance: a first sentence that states what was asked (the
figure, the date, the department), at most LEAD_CHARS long and taken from the cited passage;
then at most two supporting sentences; Chinese punctuation full-width throughout.

Plan sentences often run to 200 characters and list several measures, so the first sentence is
the best window of clauses from the best sentence, not the sentence whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from knowledge.chunking import split_sentences

if TYPE_CHECKING:
    from knowledge.learned import LogisticModel

LEAD_CHARS = 120
SUPPORT_SENTENCES = 2
SUPPORT_CHARS = 160
# A window's value: its share of the question's words (relative to the best sentence), plus
# these for stating the kind of fact asked for, for being the sentence the nearest written
# question was about, and for repeating a number the question names (二零二五年 → 2025).
SHAPE_BONUS = 0.5
HINT_BONUS = 0.6
NUMBER_BONUS = 0.5
NUMBER = re.compile(r"\d+(?:\.\d+)?")
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
    if text[:1] in "(（" and text[-1:] in ")）":  # a department note: (市水务局负责)
        text = text[1:-1]
    while text and text[-1] in OPEN_END:
        text = text[:-1]
    if text and text[-1] not in "。！？!?）)”":
        text += "。"
    return text


RANK_PENALTY = 0.25  # per rank of the passage a sentence comes from


@dataclass(frozen=True)
class Sentence:
    text: str
    rank: int  # of its passage in retrieval (0 best)
    order: tuple[int, int]  # reading order: (chunk position, sentence index)
    hint: str = ""  # the folded span of it a written question named, if any


Weigh = Callable[[str], float]  # how much of the question a piece of text answers


def best_window(
    sentence: str,
    weigh: Weigh,
    shape: re.Pattern[str] | None,
    hint: str = "",
    fold: Callable[[str], str] = str,
) -> tuple[float, str]:
    """The contiguous run of clauses of `sentence`, at most LEAD_CHARS, that answers most."""
    clauses = [c for c in CLAUSE_END.split(sentence) if c.strip()]
    if len(sentence) <= LEAD_CHARS or len(clauses) <= 1:
        return _value(sentence, weigh, shape, hint, fold), sentence
    best = (-1.0, clauses[0][:LEAD_CHARS])
    for text in _runs(clauses):
        value = _value(text, weigh, shape, hint, fold) - 0.001 * len(text)
        if value > best[0]:
            best = (value, text)
    return best


def _runs(clauses: Sequence[str]) -> Iterator[str]:
    """Every contiguous run of `clauses` at most LEAD_CHARS long, by start then length."""
    for start in range(len(clauses)):
        text = ""
        for clause in clauses[start:]:
            if len(text) + len(clause) > LEAD_CHARS:
                break
            text += clause
            yield text


def _value(
    text: str,
    weigh: Weigh,
    shape: re.Pattern[str] | None,
    hint: str = "",
    fold: Callable[[str], str] = str,
) -> float:
    value = weigh(text)
    if shape is not None and shape.search(text):
        value += SHAPE_BONUS
    if hint and hint[: max(4, len(hint) // 2)] in fold(text):
        value += HINT_BONUS
    return value


# What the learned lead choice sees of each candidate window (knowledge/training.py fits it).
LEAD_FEATURES = (
    "share",  # its share of the question's weighted words, relative to the best sentence
    "number",  # repeats a number the question names
    "shape",  # looks like the kind of fact asked for (a date, a figure, a department)
    "hint",  # holds the span the nearest written question was about
    "bigrams",  # share of the question's character pairs it contains (everyday wording)
    "figure",  # states a figure (digits, a percentage)
    "rank",  # of its passage in retrieval
    "intro",  # its sentence introduces a list ("…如下：")
    "index",  # its sentence's place in the passage
    "start",  # it starts its sentence
    "whole",  # it is its sentence whole
    "length",  # in LEAD_CHARS
)
FIGURE = re.compile(r"\d|[%％]|[一二三四五六七八九十百千万亿]+(?:个|项|吨|元|家|座|辆|处)")


@dataclass(frozen=True)
class Candidate:
    """A window a lead could be: some clauses of one sentence, with what the choice sees."""

    text: str
    sentence: Sentence
    features: dict[str, float]


def windows(sentence: str) -> list[str]:
    """Every contiguous run of the sentence's clauses at most LEAD_CHARS long (the sentence
    itself when it is short enough or has one clause)."""
    clauses = [c for c in CLAUSE_END.split(sentence) if c.strip()]
    if len(sentence) <= LEAD_CHARS or len(clauses) <= 1:
        return [sentence if len(sentence) <= LEAD_CHARS else sentence[:LEAD_CHARS]]
    return list(_runs(clauses)) or [clauses[0][:LEAD_CHARS]]


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def candidates(
    sentences: Sequence[Sentence],
    raw: Weigh,
    shape: re.Pattern[str] | None,
    fold: Callable[[str], str] = str,
    question: str = "",
) -> list[Candidate]:
    """Every window of every sentence, with its LEAD_FEATURES."""
    numbers = set(NUMBER.findall(question))
    most = max((raw(s.text) for s in sentences), default=0.0) or 1.0
    asked = _bigrams(fold(question))
    found = []
    for sentence in sentences:
        for text in windows(sentence.text):
            folded = fold(text)
            found.append(
                Candidate(
                    text=text,
                    sentence=sentence,
                    features={
                        "share": raw(text) / most,
                        "number": float(bool(numbers & set(NUMBER.findall(text)))),
                        "shape": float(shape is not None and bool(shape.search(text))),
                        "hint": float(
                            bool(sentence.hint)
                            and sentence.hint[: max(4, len(sentence.hint) // 2)] in folded
                        ),
                        "bigrams": len(asked & _bigrams(folded)) / len(asked) if asked else 0.0,
                        "figure": float(bool(FIGURE.search(text))),
                        "rank": float(sentence.rank),
                        "intro": float(sentence.text.rstrip().endswith(("：", ":"))),
                        "index": float(min(sentence.order[1], 5)),
                        "start": float(sentence.text.startswith(text)),
                        "whole": float(text == sentence.text),
                        "length": len(text) / LEAD_CHARS,
                    },
                )
            )
    return found


def learned_lead(found: Sequence[Candidate], model: LogisticModel) -> Candidate:
    rows = np.array([model.row(c.features) for c in found])
    return found[int(np.argmax(model.logits(rows)))]


def compose(
    sentences: Sequence[Sentence],
    raw: Weigh,
    shape: re.Pattern[str] | None,
    fold: Callable[[str], str] = str,
    question: str = "",
    lead_model: LogisticModel | None = None,
) -> str:
    """Lead (the best window of the best sentence, or the window `lead_model` prefers), then
    up to two supporting sentences from the same passages in reading order."""
    if not sentences:
        return ""
    numbers = set(NUMBER.findall(question))
    most = max((raw(s.text) for s in sentences), default=0.0) or 1.0

    def weigh(text: str) -> float:
        share = raw(text) / most
        if numbers and numbers & set(NUMBER.findall(text)):
            share += NUMBER_BONUS
        return share

    scored = []
    for sentence in sentences:
        value, window = best_window(sentence.text, weigh, shape, sentence.hint, fold)
        if sentence.text.rstrip().endswith(("：", ":")):
            value *= 0.5  # the line introducing a list says little on its own
        scored.append((value * max(0.0, 1.0 - RANK_PENALTY * sentence.rank), window, sentence))
    scored.sort(key=lambda item: -item[0])
    # The lead comes from the passage retrieval ranked first (the one cited and shown first).
    _, lead, lead_sentence = next(
        (item for item in scored if item[2].rank == min(s.rank for s in sentences)), scored[0]
    )
    if lead_model is not None:
        chosen = learned_lead(candidates(sentences, raw, shape, fold, question), lead_model)
        lead, lead_sentence = chosen.text, chosen.sentence
    support = []
    for value, window, sentence in scored if lead_model is not None else scored[1:]:
        if len(support) == SUPPORT_SENTENCES or value <= 0.05:
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
