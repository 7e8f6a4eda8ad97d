"""The bridge between citizens' words and the plan's: questions written for each passage, and a
glossary of the plan's technical terms with plain explanations and everyday words.

Both live as YAML beside the corpus (`corpus/passage_questions/*.yaml`, `corpus/glossary.yaml`)
and point into it by an anchor (a verbatim span), so they survive re-chunking: each anchor is
resolved to the chunk that holds it when the index is built.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from knowledge.scripts import ScriptConverter

log = logging.getLogger(__name__)

QUESTIONS_DIR = "passage_questions"
GLOSSARY_FILE = "glossary.yaml"
OFF_TOPIC_FILE = "off_topic.yaml"  # questions citizens ask a city bot that the corpus is not about


@dataclass(frozen=True)
class PassageQuestions:
    source: str  # "plan" or a guide's file name
    anchor: str  # verbatim span of the passage
    questions: tuple[str, ...]


@dataclass(frozen=True)
class Term:
    term: str  # Simplified, as the plan says it
    plan: str  # verbatim in the plan (Traditional), to find the passages that use it
    explain: str  # a plain explanation
    everyday: tuple[str, ...]  # what people say instead


def fold(text: str, scripts: ScriptConverter) -> str:
    """Simplified, half-width, without whitespace or punctuation: anchors match across both."""
    text = scripts.to_simplified(unicodedata.normalize("NFKC", text))
    return "".join(c for c in text if not unicodedata.category(c).startswith(("P", "Z", "C")))


def _read_list(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text("utf-8")) or []
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a list of entries")
    return [entry for entry in data if isinstance(entry, dict)]


def load_passage_questions(corpus_dir: Path) -> list[PassageQuestions]:
    entries = []
    for path in sorted((corpus_dir / QUESTIONS_DIR).glob("*.yaml")):
        default_source = "plan" if path.stem == "plan" else ""
        for entry in _read_list(path):
            questions = tuple(
                str(q).strip() for q in entry.get("questions") or () if str(q).strip()
            )
            anchor = str(entry.get("anchor") or "").strip()
            if anchor and questions:
                source = str(entry.get("source") or default_source)
                entries.append(PassageQuestions(source, anchor, questions))
    return entries


def load_glossary(corpus_dir: Path) -> list[Term]:
    path = corpus_dir / GLOSSARY_FILE
    if not path.exists():
        return []
    terms = []
    for entry in _read_list(path):
        term = str(entry.get("term") or "").strip()
        explain = str(entry.get("explain") or "").strip()
        if not term or not explain:
            continue
        everyday = tuple(
            w for w in (str(w).strip() for w in entry.get("everyday") or ()) if w and w != term
        )
        terms.append(Term(term, str(entry.get("plan") or term).strip(), explain, everyday))
    return terms


def load_off_topic(corpus_dir: Path) -> list[str]:
    """Counter-examples for the coverage decision: how far a question is from these, against
    how close it is to the passages' own questions."""
    path = corpus_dir / OFF_TOPIC_FILE
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text("utf-8")) or []
    return [str(q).strip() for q in data if str(q).strip()]
