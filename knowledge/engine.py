"""Assemble a ready answer engine from plain values: load the index, or build it when it is
missing or stale (a changed corpus, model or chunker)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from knowledge import learned
from knowledge.answer import AnswerEngine
from knowledge.bridge import Bridge
from knowledge.corpus import CORPUS_DIR, fingerprint, load_sections
from knowledge.coverage import CoverageJudge
from knowledge.curated.engine import CuratedEngine
from knowledge.curated.live import DatabaseReader, LiveCurated
from knowledge.glossary import Glossary
from knowledge.index import (
    IndexConfig,
    KnowledgeIndex,
    Progress,
    build_index,
    is_fresh,
    load_index,
)
from knowledge.probes import load_glossary
from knowledge.retrieval import Retriever
from knowledge.suggestions import SUGGESTIONS_FILE, Suggestions

MODELS_FILE = Path(__file__).parent / "models.json"  # fitted by `greenbot eval --train`

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EngineConfig:
    data_dir: Path
    model: str
    threshold: float
    chroma_dir: Path | None = None
    chroma_server_url: str | None = None
    corpus_dir: Path = CORPUS_DIR
    max_question_chars: int = 2000
    models: Path | None = MODELS_FILE
    database_url: str | None = None  # where approved curated answers are read; None: none
    curated_match_above: float = 0.955  # paraphrases ≥ 0.96, neighbours ≤ 0.95 (e5-small)
    curated_refresh_seconds: float = 2.0

    @property
    def index(self) -> IndexConfig:
        return IndexConfig(
            index_dir=self.data_dir / "index",
            model=self.model,
            chroma_dir=self.chroma_dir or self.data_dir / "chroma",
            chroma_server_url=self.chroma_server_url,
        )


def create_engine(
    config: EngineConfig,
    *,
    rebuild: bool = False,
    progress: Progress | None = None,
    rewriter=None,  # type: ignore[no-untyped-def]
) -> AnswerEngine:
    from knowledge.embeddings import load_embeddings

    embeddings = load_embeddings(config.model, config.data_dir / "models")
    stamp = fingerprint(config.corpus_dir)
    if rebuild or not is_fresh(config.index, stamp):
        log.info("building the knowledge index (%s)", "asked" if rebuild else "missing or stale")
        index = build_index(
            load_sections(config.corpus_dir),
            config.index,
            embeddings=embeddings,
            fingerprint=stamp,
            progress=progress,
            corpus_dir=config.corpus_dir,
        )
    else:
        index = load_index(config.index, embeddings=embeddings)
    return assemble(index, config, rewriter=rewriter)


def assemble(index: KnowledgeIndex, config: EngineConfig, *, rewriter=None) -> AnswerEngine:  # type: ignore[no-untyped-def]
    """The engine over a loaded index: the glossary and the bridge built on it, and the fitted
    ranking, coverage and lead models when `config.models` exists."""
    terms = load_glossary(config.corpus_dir)
    vocabulary = {token for chunk in index.chunks for token in chunk.tokens}
    bridge = Bridge(index.tokenizer, vocabulary, terms)
    models = learned.load(config.models) if config.models and config.models.exists() else {}
    retriever = Retriever(index, ranker=models.get("ranker"), bridge=bridge)
    suggestions = config.corpus_dir / SUGGESTIONS_FILE.name
    curated = (
        LiveCurated(
            DatabaseReader(config.database_url),
            index.embed_query,
            match_above=config.curated_match_above,
            refresh_seconds=config.curated_refresh_seconds,
        )
        if config.database_url
        else None
    )
    return CuratedEngine(
        index,
        retriever,
        threshold=config.threshold,
        max_question_chars=config.max_question_chars,
        rewriter=rewriter,
        judge=CoverageJudge(models.get("coverage"), threshold=config.threshold),
        glossary=Glossary(terms),
        suggestions=Suggestions.load(suggestions) if suggestions.exists() else None,
        lead_model=models.get("lead"),
        curated=curated,  # staff answers beside the corpus (knowledge/curated/engine.py)
    )
