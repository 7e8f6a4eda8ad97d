"""The "相关问题" buttons under an answer: short questions each section answers well.

They live in `corpus/suggestions.yaml` (section id → questions). A suggestion's id is the crc32
of its question, so a button's callback data stays short and stays valid across edits of the file.
"""

from __future__ import annotations

import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge.corpus import CORPUS_DIR

SUGGESTIONS_FILE = CORPUS_DIR / "suggestions.yaml"


def suggestion_id(question: str) -> int:
    """A stable, non-negative 31-bit id: fits callback data and survives reordering the file."""
    return zlib.crc32(question.encode("utf-8")) & 0x7FFFFFFF


def normalize(question: str) -> str:
    """Drop punctuation and whitespace, so "奶茶杯扔哪个桶？" equals "奶茶杯扔哪个桶"."""
    return "".join(
        char
        for char in question
        if not char.isspace() and not unicodedata.category(char).startswith(("P", "Z"))
    )


@dataclass(frozen=True)
class Suggestion:
    id: int
    question: str
    section: str


class Suggestions:
    """All suggestions, by section (in file order) and by id (for a pressed button)."""

    def __init__(self, by_section: dict[str, list[Suggestion]]) -> None:
        self.by_section = by_section
        self.by_id: dict[int, Suggestion] = {}
        for suggestions in by_section.values():
            for suggestion in suggestions:
                other = self.by_id.setdefault(suggestion.id, suggestion)
                if other is not suggestion:
                    raise ValueError(
                        f"suggestions {other.question!r} ({other.section}) and "
                        f"{suggestion.question!r} ({suggestion.section}) share id {suggestion.id}"
                    )

    @classmethod
    def load(cls, path: Path = SUGGESTIONS_FILE) -> Suggestions:
        """Read the YAML mapping; a malformed file fails at start-up, not on a button press."""
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a mapping of section id to questions")
        by_section: dict[str, list[Suggestion]] = {}
        for section, questions in data.items():
            if not isinstance(section, str) or not isinstance(questions, list):
                raise ValueError(f"{path}: {section!r} must map to a list of questions")
            suggestions = []
            for question in questions:
                if not isinstance(question, str) or not question.strip():
                    raise ValueError(f"{path}: {section}: {question!r} is not a question")
                question = question.strip()
                suggestions.append(Suggestion(suggestion_id(question), question, section))
            by_section[section] = suggestions
        return cls(by_section)

    def __len__(self) -> int:
        return len(self.by_id)

    def sections(self) -> list[str]:
        """Section ids that have suggestions, in file order."""
        return list(self.by_section)

    def for_sections(
        self, sections: Sequence[str], *, exclude: str = "", limit: int = 3
    ) -> list[Suggestion]:
        """Suggestions for an answer's sources, best source first, never the question just asked."""
        excluded = normalize(exclude)
        chosen: list[Suggestion] = []
        seen: set[int] = set()
        for section in dict.fromkeys(sections):
            for suggestion in self.by_section.get(section, []):
                if len(chosen) >= limit:
                    return chosen
                asked = bool(excluded) and normalize(suggestion.question) == excluded
                if asked or suggestion.id in seen:
                    continue
                seen.add(suggestion.id)
                chosen.append(suggestion)
        return chosen

    def get(self, suggestion_id: int) -> Suggestion | None:
        """The suggestion behind a pressed button, or None for a stale or forged id."""
        return self.by_id.get(suggestion_id)
