"""The knowledge base's sources on disk: the plan and the guides shipped in this package."""

from __future__ import annotations

import hashlib
from pathlib import Path

from knowledge.guides import parse_guides
from knowledge.plan import parse_plan
from knowledge.sections import Section

CORPUS_DIR = Path(__file__).parent / "corpus"
PLAN_FILE = CORPUS_DIR / "tongren-energy-saving-plan-2023.txt"
GUIDES_DIR = CORPUS_DIR / "guides"


def corpus_files(corpus_dir: Path = CORPUS_DIR) -> list[Path]:
    return sorted(p for p in corpus_dir.rglob("*") if p.suffix in {".txt", ".md", ".yaml"})


def load_sections(corpus_dir: Path = CORPUS_DIR) -> list[Section]:
    plan = corpus_dir / PLAN_FILE.name
    return parse_plan(plan) + parse_guides(corpus_dir / GUIDES_DIR.name)


def fingerprint(corpus_dir: Path = CORPUS_DIR) -> str:
    """Changes whenever any source file changes: a stale index is rebuilt."""
    digest = hashlib.sha256()
    for path in corpus_files(corpus_dir):
        digest.update(path.relative_to(corpus_dir).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
