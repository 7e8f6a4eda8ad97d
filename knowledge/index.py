"""Build and load the knowledge index: chunks, their BM25 postings, their vectors, and Chroma.

On disk (in `index_dir`): `manifest.json` (what it was built from), `sections.json`,
`chunks.jsonl` (text and tokens) and `vectors.npy` (normalised, for reranking); the Chroma
collection lives in its own directory or server. A changed corpus, model or chunker makes the
manifest stale and `ensure_index` rebuilds.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from knowledge.chunking import chunk_sections
from knowledge.lexical import BM25Index
from knowledge.lexicon import Tokenizer
from knowledge.scripts import ScriptConverter
from knowledge.sections import Departments, Section
from knowledge.vectors import PrecomputedEmbeddings, nearest, open_store, replace_all

if TYPE_CHECKING:
    from langchain_chroma import Chroma
    from langchain_core.embeddings import Embeddings

log = logging.getLogger(__name__)

INDEX_VERSION = 3  # bump when chunking, tokenizing or the stored layout changes
EMBED_BATCH = 32
QUERY_CACHE_SIZE = 2048
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class IndexedChunk:
    id: str
    section_id: str
    position: int
    text: str  # as written in the source
    search_text: str  # Simplified, prefixed with the section title: what is embedded
    tokens: tuple[str, ...]


@dataclass(frozen=True)
class IndexConfig:
    index_dir: Path
    model: str
    chroma_dir: Path | None
    chroma_server_url: str | None = None

    @property
    def collection(self) -> str:
        slug = "".join(c if c.isalnum() else "-" for c in Path(self.model).name.lower())
        return f"greenbot-{slug}"[:60].strip("-")


class KnowledgeIndex:
    """Everything retrieval needs in memory, plus the Chroma store for nearest neighbours."""

    def __init__(
        self,
        *,
        sections: list[Section],
        chunks: list[IndexedChunk],
        vectors: np.ndarray,
        store: Chroma,
        embeddings: Embeddings,
        tokenizer: Tokenizer,
        scripts: ScriptConverter,
    ) -> None:
        self.sections = {section.id: section for section in sections}
        self.chunks = chunks
        self.position = {chunk.id: n for n, chunk in enumerate(chunks)}
        self.vectors = vectors
        self.store = store
        self.embeddings = embeddings
        self.tokenizer = tokenizer
        self.scripts = scripts
        self.bm25 = BM25Index([list(chunk.tokens) for chunk in chunks])
        self._query_cache: dict[str, np.ndarray] = {}

    def embed_query(self, text: str) -> np.ndarray:
        """Cached: citizens ask the same questions again and again (and tuning re-ranks them)."""
        vector = self._query_cache.get(text)
        if vector is None:
            vector = np.asarray(self.embeddings.embed_query(text), dtype=np.float32)
            if len(self._query_cache) >= QUERY_CACHE_SIZE:
                self._query_cache.pop(next(iter(self._query_cache)))
            self._query_cache[text] = vector
        return vector

    def dense(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        """(chunk index, cosine) from Chroma's HNSW index, best first."""
        hits = nearest(self.store, vector.tolist(), k)
        return [(self.position[cid], score) for cid, score in hits if cid in self.position]


def _section_to_dict(section: Section) -> dict[str, Any]:
    return asdict(section)


def _section_from_dict(data: dict[str, Any]) -> Section:
    departments = data.pop("departments")
    return Section(
        **{k: tuple(v) if k == "targets" else v for k, v in data.items()},
        departments=Departments(
            lead=tuple(departments["lead"]), responsible=tuple(departments["responsible"])
        ),
    )


def make_chunks(
    sections: list[Section], tokenizer: Tokenizer, scripts: ScriptConverter
) -> list[IndexedChunk]:
    by_id = {section.id: section for section in sections}
    chunks = []
    for chunk in chunk_sections(sections):
        section = by_id[chunk.section_id]
        title = scripts.to_simplified(section.title)
        text = scripts.to_simplified(chunk.text)
        chunks.append(
            IndexedChunk(
                id=chunk.id,
                section_id=chunk.section_id,
                position=chunk.position,
                text=chunk.text,
                search_text=f"{title}：{text}",
                tokens=tuple(tokenizer.tokens(title) + tokenizer.tokens(text)),
            )
        )
    return chunks


def _embed_unique(
    embeddings: Embeddings,
    texts: list[str],
    cache: dict[str, list[float]],
    progress: Progress | None,
) -> dict[str, list[float]]:
    """Embed each distinct text once, reusing vectors from the previous build."""
    todo = [t for t in dict.fromkeys(texts) if t not in cache]
    for start in range(0, len(todo), EMBED_BATCH):
        batch = todo[start : start + EMBED_BATCH]
        cache.update(zip(batch, embeddings.embed_documents(batch), strict=True))
        if progress:
            progress(min(start + EMBED_BATCH, len(todo)), len(todo))
    if progress and not todo:
        progress(0, 0)
    return cache


def _previous_vectors(config: IndexConfig) -> dict[str, list[float]]:
    manifest = read_manifest(config.index_dir)
    if not manifest or manifest.get("model") != config.model:
        return {}
    try:
        vectors = np.load(config.index_dir / "vectors.npy")
        texts = [
            json.loads(line)["search_text"]
            for line in (config.index_dir / "chunks.jsonl").read_text("utf-8").splitlines()
        ]
    except (OSError, ValueError, KeyError):
        return {}
    return {text: vectors[n].tolist() for n, text in enumerate(texts) if n < len(vectors)}


def _store(config: IndexConfig, embeddings: Embeddings) -> Chroma:
    return open_store(
        collection=config.collection,
        embeddings=embeddings,
        persist_dir=config.chroma_dir,
        server_url=config.chroma_server_url,
    )


def build_index(
    sections: list[Section],
    config: IndexConfig,
    *,
    embeddings: Embeddings,
    fingerprint: str,
    progress: Progress | None = None,
    tokenizer: Tokenizer | None = None,
    scripts: ScriptConverter | None = None,
) -> KnowledgeIndex:
    started = time.perf_counter()
    tokenizer = tokenizer or Tokenizer()
    scripts = scripts or ScriptConverter()
    chunks = make_chunks(sections, tokenizer, scripts)
    texts = [chunk.search_text for chunk in chunks]
    cache = _embed_unique(embeddings, texts, _previous_vectors(config), progress)
    vectors = np.asarray([cache[text] for text in texts], dtype=np.float32)
    store = _store(config, PrecomputedEmbeddings(embeddings, cache))
    replace_all(
        store,
        ids=[c.id for c in chunks],
        texts=texts,
        metadatas=[{"section": c.section_id, "position": c.position} for c in chunks],
    )
    _write(config.index_dir, sections, chunks, vectors, config, fingerprint)
    log.info("indexed %d chunks in %.1f s", len(chunks), time.perf_counter() - started)
    return KnowledgeIndex(
        sections=sections,
        chunks=chunks,
        vectors=vectors,
        store=_store(config, embeddings),
        embeddings=embeddings,
        tokenizer=tokenizer,
        scripts=scripts,
    )


def _write(
    index_dir: Path,
    sections: list[Section],
    chunks: list[IndexedChunk],
    vectors: np.ndarray,
    config: IndexConfig,
    fingerprint: str,
) -> None:
    """Write to a sibling folder and swap it in, so a crash never leaves half an index."""
    staging = index_dir.with_name(index_dir.name + ".building")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    (staging / "sections.json").write_text(
        json.dumps([_section_to_dict(s) for s in sections], ensure_ascii=False), "utf-8"
    )
    with (staging / "chunks.jsonl").open("w", encoding="utf-8") as out:
        for chunk in chunks:
            out.write(json.dumps(asdict(chunk), ensure_ascii=False) + "\n")
    np.save(staging / "vectors.npy", vectors)
    manifest = {
        "version": INDEX_VERSION,
        "fingerprint": fingerprint,
        "model": config.model,
        "collection": config.collection,
        "chunks": len(chunks),
        "built_at": time.time(),
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=1), "utf-8")
    shutil.rmtree(index_dir, ignore_errors=True)
    staging.rename(index_dir)


def read_manifest(index_dir: Path) -> dict[str, Any] | None:
    try:
        return json.loads((index_dir / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None


def is_fresh(config: IndexConfig, fingerprint: str) -> bool:
    manifest = read_manifest(config.index_dir)
    return bool(
        manifest
        and manifest.get("version") == INDEX_VERSION
        and manifest.get("fingerprint") == fingerprint
        and manifest.get("model") == config.model
        and (config.chroma_server_url or (config.chroma_dir and config.chroma_dir.exists()))
    )


def load_index(
    config: IndexConfig,
    *,
    embeddings: Embeddings,
    tokenizer: Tokenizer | None = None,
    scripts: ScriptConverter | None = None,
) -> KnowledgeIndex:
    sections = [
        _section_from_dict(d)
        for d in json.loads((config.index_dir / "sections.json").read_text("utf-8"))
    ]
    chunks = []
    for line in (config.index_dir / "chunks.jsonl").read_text("utf-8").splitlines():
        data = json.loads(line)
        data["tokens"] = tuple(data["tokens"])
        chunks.append(IndexedChunk(**data))
    return KnowledgeIndex(
        sections=sections,
        chunks=chunks,
        vectors=np.load(config.index_dir / "vectors.npy"),
        store=_store(config, embeddings),
        embeddings=embeddings,
        tokenizer=tokenizer or Tokenizer(),
        scripts=scripts or ScriptConverter(),
    )
