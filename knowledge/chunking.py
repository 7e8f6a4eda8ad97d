"""Split sections into retrievable chunks that respect Chinese text and the plan's structure.

Chunks break only after sentence punctuation (。！？；), or after a comma inside an overlong
sentence, so a number is never parted from its unit; a chunk never crosses a section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.sections import PLAN_SOURCE, Section

SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")
CLAUSE_END = re.compile(r"(?<=[，,、：:])")
TARGET_CHARS = 160  # about one or two plan sentences; e5-small reads 512 tokens at most
MAX_CHARS = 320


@dataclass(frozen=True)
class Chunk:
    id: str  # `<section id>#<n>`
    section_id: str
    position: int
    text: str  # as written in the source (Traditional for the plan)


def split_sentences(text: str) -> list[str]:
    return [part for part in SENTENCE_END.split(text) if part.strip()]


def _split_long(sentence: str) -> list[str]:
    """An overlong sentence breaks at clause punctuation, never inside a number and its unit."""
    if len(sentence) <= MAX_CHARS:
        return [sentence]
    pieces, current = [], ""
    for clause in CLAUSE_END.split(sentence):
        if current and len(current) + len(clause) > MAX_CHARS:
            pieces.append(current)
            current = ""
        current += clause
    if current:
        pieces.append(current)
    return pieces


def chunk_section(section: Section) -> list[Chunk]:
    """A plan measure's closing note naming its departments (kept apart from the body by the
    parser) ends its last chunk: "哪个部门管" is answered by that very text."""
    units = [piece for sentence in split_sentences(section.body) for piece in _split_long(sentence)]
    if section.source == PLAN_SOURCE and section.origin:
        units.append(f"({section.origin})")
    groups: list[str] = []
    current = ""
    for unit in units:
        if current and len(current) + len(unit) > TARGET_CHARS:
            groups.append(current)
            current = ""
        current += unit
    if current:
        groups.append(current)
    return [
        Chunk(id=f"{section.id}#{n}", section_id=section.id, position=n, text=text)
        for n, text in enumerate(groups)
    ]


def chunk_sections(sections: list[Section]) -> list[Chunk]:
    return [chunk for section in sections for chunk in chunk_section(section)]
