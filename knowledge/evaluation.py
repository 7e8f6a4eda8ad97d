"""Measure answers the way a citizen gets them, on question sets with passage-level gold.

Each answerable question names the exact passage that answers it and the fact the answer must
contain; off-topic and "near" questions (on-topic words, an answer the corpus does not have)
must be refused. Figures are read off the public `Answer` (what `greenbot ask --json` prints):
a source counts as the right passage when it contains the gold text, compared after script,
width and punctuation are normalised. The naive baseline (reciprocal-rank fusion of e5 and BM25,
nothing tuned) is measured on the same questions so every figure has its yardstick beside it.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    from knowledge.answer import Answer, AnswerEngine
    from knowledge.scripts import ScriptConverter

Kind = Literal["answerable", "off_topic", "near"]
KINDS: tuple[Kind, ...] = ("answerable", "off_topic", "near")
STYLES = ("everyday", "dialect", "typo", "numerals", "short", "long", "traditional", "policy")
FIRST_SENTENCE = re.compile(r"[。！？!?\n]")
RRF_K = 60
TOP_K = 5
# A gold passage split over two chunks still counts when most of it lies in one.
PARTIAL_SHARE = 0.6


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    kind: Kind
    voice: str = ""
    style: tuple[str, ...] = ()
    source: str | None = None
    passage: str | None = None  # the exact answering text, as written in the corpus
    fact: str | None = None  # what a correct answer must contain
    sections: tuple[str, ...] = ()  # older sets: section-level gold only

    @property
    def answerable(self) -> bool:
        return self.kind == "answerable"


def load_questions(*paths: Path) -> list[EvalQuestion]:
    """JSON Lines files, or folders of them (read in name order). Older section-level sets
    (`sections`, `expect`) load as answerable questions with section gold."""
    files: list[Path] = []
    for path in paths:
        files += sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    questions = []
    for path in files:
        for n, line in enumerate(path.read_text("utf-8").splitlines()):
            if not line.strip():
                continue
            data = json.loads(line)
            sections = tuple(data.get("sections") or ())
            kind = data.get("kind")
            if kind not in KINDS:
                kind = "answerable" if sections else "off_topic"
            expect = data.get("expect") or ()
            questions.append(
                EvalQuestion(
                    id=str(data.get("id") or f"{path.stem}-{n + 1}"),
                    question=data["question"],
                    kind=kind,
                    voice=data.get("voice") or "",
                    style=tuple(data.get("style") or ()),
                    source=data.get("source"),
                    passage=data.get("passage"),
                    fact=data.get("fact") or (expect[0] if expect else None),
                    sections=sections,
                )
            )
    return questions


def normalize(text: str, scripts: ScriptConverter) -> str:
    """Simplified, half-width, no whitespace or punctuation: what "the same text" means here."""
    text = scripts.to_simplified(unicodedata.normalize("NFKC", text))
    return "".join(c for c in text if not unicodedata.category(c).startswith(("P", "Z", "C")))


def _longest_common(a: str, b: str) -> int:
    """Length of the longest common substring (dynamic programming over the shorter string)."""
    if len(a) > len(b):
        a, b = b, a
    best = 0
    previous = [0] * (len(a) + 1)
    for char in b:
        current = [0] * (len(a) + 1)
        for i, other in enumerate(a, start=1):
            if char == other:
                current[i] = previous[i - 1] + 1
                best = max(best, current[i])
        previous = current
    return best


def contains_passage(source_text: str, gold: str) -> bool:
    """Both normalised: the source holds the gold passage, or most of it when the passage was
    split across chunks."""
    if not gold:
        return False
    if gold in source_text:
        return True
    return _longest_common(source_text, gold) >= PARTIAL_SHARE * len(gold)


@dataclass(frozen=True)
class Outcome:
    question: EvalQuestion
    covered: bool
    rank: int | None = None  # of the right passage among the sources, 1-based
    fact_in_answer: bool = False
    fact_in_first: bool = False
    answer: str = ""
    top: str = ""  # the best source's text, for reading misses


@dataclass(frozen=True)
class Reply:
    """What one system said: the public answer's parts the figures are read from."""

    covered: bool
    answer: str
    sources: Sequence[tuple[str, str]]  # (section id, passage text), best first


def reply_of(answer: Answer) -> Reply:
    return Reply(
        covered=answer.covered,
        answer=answer.body or answer.answer,
        sources=[(s.section, s.text) for s in answer.sources],
    )


def first_sentence(text: str) -> str:
    text = text.lstrip()
    match = FIRST_SENTENCE.search(text)
    return text[: match.end()] if match else text


def judge(item: EvalQuestion, reply: Reply, scripts: ScriptConverter) -> Outcome:
    top = reply.sources[0][1] if reply.sources else ""
    if not item.answerable:
        return Outcome(item, reply.covered, answer=reply.answer, top=top)
    rank = None
    gold = normalize(item.passage, scripts) if item.passage else ""
    for n, (section, text) in enumerate(reply.sources):
        hit = contains_passage(normalize(text, scripts), gold) if gold else section in item.sections
        if hit:
            rank = n + 1
            break
    fact = normalize(item.fact, scripts) if item.fact else ""
    body = normalize(reply.answer, scripts)
    first = normalize(first_sentence(reply.answer), scripts)
    return Outcome(
        item,
        reply.covered,
        rank=rank,
        fact_in_answer=reply.covered and (not fact or fact in body),
        fact_in_first=reply.covered and (not fact or fact in first),
        answer=reply.answer,
        top=top,
    )


def run(
    respond: Callable[[str], Reply], questions: Iterable[EvalQuestion], scripts: ScriptConverter
) -> list[Outcome]:
    return [judge(item, respond(item.question), scripts) for item in questions]


def engine_responder(engine: AnswerEngine) -> Callable[[str], Reply]:
    return lambda question: reply_of(engine.answer(question))


@dataclass(frozen=True)
class Figures:
    answerable: int
    refusable: int
    hit1: float
    hit3: float
    mrr: float
    coverage: float  # answerable questions answered
    refusal: float  # off-topic and near questions refused
    fact: float  # covered answers containing the fact
    fact_first: float  # … in their first sentence


def _rate(values: list[bool]) -> float:
    return sum(values) / len(values) if values else float("nan")


def figures(outcomes: Sequence[Outcome]) -> Figures:
    answerable = [o for o in outcomes if o.question.answerable]
    refusable = [o for o in outcomes if not o.question.answerable]
    covered = [o for o in answerable if o.covered]
    ranks = [o.rank for o in answerable]
    return Figures(
        answerable=len(answerable),
        refusable=len(refusable),
        hit1=_rate([r == 1 for r in ranks]),
        hit3=_rate([r is not None and r <= 3 for r in ranks]),
        mrr=sum(1 / r for r in ranks if r) / len(ranks) if ranks else float("nan"),
        coverage=_rate([o.covered for o in answerable]),
        refusal=_rate([not o.covered for o in refusable]),
        fact=_rate([o.fact_in_answer for o in covered]),
        fact_first=_rate([o.fact_in_first for o in covered]),
    )


def groups(outcomes: Sequence[Outcome]) -> dict[str, list[Outcome]]:
    """All, then by kind, source (plan or guide) and style."""
    result: dict[str, list[Outcome]] = {"all": list(outcomes)}
    for kind in KINDS:
        result[kind] = [o for o in outcomes if o.question.kind == kind]
    answerable = [o for o in outcomes if o.question.answerable]
    result["plan"] = [o for o in answerable if (o.question.source or "plan") == "plan"]
    result["guides"] = [o for o in answerable if (o.question.source or "plan") != "plan"]
    for style in STYLES:
        result[style] = [o for o in outcomes if style in o.question.style]
    return {name: items for name, items in result.items() if items}


COLUMNS = ("hit1", "hit3", "mrr", "coverage", "refusal", "fact", "fact_first")
HEADERS = ("hit@1", "hit@3", "MRR", "cover", "refuse", "fact", "fact@1st")


def _cell(value: float) -> str:
    return "    –" if value != value else f"{value:5.2f}"  # NaN: nothing to measure


def table(results: dict[str, Sequence[Outcome]], *, title: str = "", group_by: bool = True) -> str:
    """One row per group and system: e.g. results = {"greenbot": …, "baseline": …}."""
    lines = [title] if title else []
    names = list(results)
    width = max(len(n) for n in names)
    lines.append(
        f"{'group':<12} {'n':>4} {'system':<{width}} " + " ".join(f"{h:>8}" for h in HEADERS)
    )
    by_group = {name: groups(outcomes) for name, outcomes in results.items()}
    for group in by_group[names[0]] if group_by else ["all"]:
        for name in names:
            items = by_group[name].get(group)
            if not items:
                continue
            f = figures(items)
            n = len(items)
            cells = " ".join(f"{_cell(getattr(f, c)):>8}" for c in COLUMNS)
            lines.append(f"{group:<12} {n:>4} {name:<{width}} {cells}")
    return "\n".join(lines)


def misses(outcomes: Sequence[Outcome]) -> list[str]:
    lines = []
    for o in outcomes:
        q = o.question
        if not q.answerable:
            if o.covered:
                lines.append(f"[{q.id} {q.kind}] answered: {q.question} → {o.answer[:60]}")
            continue
        problems = []
        if o.rank != 1:
            problems.append(f"rank {o.rank}")
        if not o.covered:
            problems.append("not covered")
        elif not o.fact_in_answer:
            problems.append(f"no fact {q.fact!r}")
        elif not o.fact_in_first:
            problems.append(f"fact {q.fact!r} not first")
        if problems:
            lines.append(
                f"[{q.id} {','.join(q.style)}] {'; '.join(problems)}: {q.question}\n"
                f"    want: {(q.passage or '')[:70]}\n    top:  {o.top[:70]}\n"
                f"    said: {o.answer[:90]!r}"
            )
    return lines


def folds(items: Sequence[EvalQuestion], k: int, seed: int = 7) -> list[list[EvalQuestion]]:
    """k folds of the question set, each with its share of every kind."""
    rng = random.Random(seed)
    result: list[list[EvalQuestion]] = [[] for _ in range(k)]
    for kind in KINDS:
        subset = [q for q in items if q.kind == kind]
        rng.shuffle(subset)
        for n, q in enumerate(subset):
            result[n % k].append(q)
    return result


class NaiveHybrid:
    """The untuned yardstick: reciprocal-rank fusion of e5 cosine and BM25 over every passage
    of the index (plain tokens, no synonyms, no rerank, no refusal)."""

    def __init__(self, engine: AnswerEngine) -> None:
        index = engine.index
        self.index = index
        self.scripts = engine.scripts
        self.bm25 = index.bm25  # over the passages' own words
        self.vectors = index.vectors

    def __call__(self, question: str) -> Reply:
        simplified = self.scripts.to_simplified(question)
        vector = self.index.embed_query(simplified)
        dense = np.argsort(-(self.vectors @ vector))[:20]
        terms = dict.fromkeys(self.index.tokenizer.tokens(simplified), 1.0)
        lexical = [i for i, _ in self.bm25.search(terms, 20)]
        fused: dict[int, float] = {}
        for ranking in (lexical, [int(i) for i in dense]):
            for rank, i in enumerate(ranking):
                fused[i] = fused.get(i, 0.0) + 1.0 / (RRF_K + rank + 1)
        best = sorted(fused, key=lambda i: -fused[i])[:TOP_K]
        chunks = [self.index.chunks[i] for i in best]
        return Reply(
            covered=True,
            answer=chunks[0].text if chunks else "",
            sources=[(c.section_id, c.text) for c in chunks],
        )
