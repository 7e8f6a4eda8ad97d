"""Build and load the knowledge index: chunks, their BM25 postings, their vectors, and Chroma.

On disk (in `index_dir`): `manifest.json` (what it was built from), `sections.json`,
`chunks.jsonl` (text and tokens) and `vectors.npy` (normalised, for reranking); the Chroma
collection lives in its own directory or server. A changed corpus, model or chunker makes the
manifest stale and `ensure_index` rebuilds.
"""

from __future__ import annotations

import json
import logging
import re
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
from knowledge.probes import PassageQuestions, fold, load_off_topic, load_passage_questions
from knowledge.scripts import ScriptConverter
from knowledge.sections import Departments, Section
from knowledge.vectors import PrecomputedEmbeddings, nearest, open_store, replace_all

if TYPE_CHECKING:
    from langchain_chroma import Chroma
    from langchain_core.embeddings import Embeddings

log = logging.getLogger(__name__)

INDEX_VERSION = 8  # bump when chunking, tokenizing or the stored layout changes
EMBED_BATCH = 32
QUERY_CACHE_SIZE = 2048
Progress = Callable[[int, int], None]
QUESTION_KEY = "问："  # a probe's text in the store and the vector cache: never a passage's


@dataclass(frozen=True)
class IndexedChunk:
    id: str
    section_id: str
    position: int
    text: str  # as written in the source
    search_text: str  # Simplified, prefixed with the section title: what is embedded
    tokens: tuple[str, ...]


@dataclass(frozen=True)
class Probe:
    """A question a citizen would ask about a passage: searched beside the passages, it leads
    to the chunk that answers it."""

    text: str  # Simplified
    chunk: int  # position in the index's chunks
    tokens: tuple[str, ...]
    anchor: str = ""  # the span of the chunk it asks about (folded): which sentence answers


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
        probes: list[Probe] | None = None,
        probe_vectors: np.ndarray | None = None,
        off_topic_vectors: np.ndarray | None = None,
    ) -> None:
        self.sections = {section.id: section for section in sections}
        self.chunks = chunks
        self.position = {chunk.id: n for n, chunk in enumerate(chunks)}
        self.vectors = vectors
        self.probes = probes or []
        self.probe_vectors = (
            probe_vectors if probe_vectors is not None else np.zeros((0, vectors.shape[1]))
        )
        self.probe_bm25 = BM25Index([list(p.tokens) for p in self.probes])
        self.off_topic_vectors = (
            off_topic_vectors
            if off_topic_vectors is not None
            else np.zeros((0, vectors.shape[1]), dtype=np.float32)
        )
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
        """(chunk index, cosine) of the nearest passages from Chroma's HNSW index, best first."""
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


def make_probes(
    chunks: list[IndexedChunk],
    sections: dict[str, Section],
    entries: list[PassageQuestions],
    tokenizer: Tokenizer,
    scripts: ScriptConverter,
) -> list[Probe]:
    """Each entry's questions, pointed at the chunk of its source that holds its anchor."""
    folded = [fold(chunk.search_text, scripts) for chunk in chunks]  # the title too
    families = [_family(sections[chunk.section_id].source) for chunk in chunks]
    probes: list[Probe] = []
    missing = 0
    for entry in entries:
        # "(三)坚决遏制…" names a measure by its number, which titles drop.
        anchor = fold(re.sub(r"^[(（][一二三四五六七八九十]+[)）]", "", entry.anchor), scripts)
        family = _family(entry.source)
        target = next(
            (n for n, text in enumerate(folded) if families[n] == family and anchor in text),
            None,
        )
        if target is None:
            missing += 1
            continue
        for question in entry.questions:
            text = scripts.to_simplified(question)
            probes.append(
                Probe(text=text, chunk=target, tokens=tuple(tokenizer.tokens(text)), anchor=anchor)
            )
    if missing:
        log.warning("%d passage-question anchors match no passage", missing)
    return probes


def _family(source: str) -> str:
    """ "plan", or the guide's slug (a section's `guide:home-energy`, an entry's
    `home-energy.md`)."""
    if source in ("", "plan"):
        return "plan"
    return source.removeprefix("guide:").removesuffix(".md")


def _embed_unique(
    embeddings: Embeddings,
    texts: list[str],
    cache: dict[str, list[float]],
    progress: Progress | None,
) -> dict[str, list[float]]:
    """Embed each distinct text once, reusing vectors from the previous build. A probe's key
    starts with QUESTION_KEY and is embedded as a question."""
    todo = [t for t in dict.fromkeys(texts) if t not in cache]
    for start in range(0, len(todo), EMBED_BATCH):
        batch = todo[start : start + EMBED_BATCH]
        passages = [t for t in batch if not t.startswith(QUESTION_KEY)]
        questions = [t for t in batch if t.startswith(QUESTION_KEY)]
        cache.update(zip(passages, embeddings.embed_documents(passages), strict=True))
        if questions:
            embed = getattr(embeddings, "embed_questions", None) or embeddings.embed_documents
            stripped = [q[len(QUESTION_KEY) :] for q in questions]
            cache.update(zip(questions, embed(stripped), strict=True))
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
        known = {text: vectors[n].tolist() for n, text in enumerate(texts) if n < len(vectors)}
        probe_file = config.index_dir / "probes.jsonl"
        if probe_file.exists():
            probe_vectors = np.load(config.index_dir / "probe_vectors.npy")
            for n, line in enumerate(probe_file.read_text("utf-8").splitlines()):
                if n < len(probe_vectors):
                    known[QUESTION_KEY + json.loads(line)["text"]] = probe_vectors[n].tolist()
        off_topic_file = config.index_dir / "off_topic.json"
        if off_topic_file.exists():
            off_vectors = np.load(config.index_dir / "off_topic_vectors.npy")
            off_texts = json.loads(off_topic_file.read_text("utf-8"))
            known.update(zip(off_texts, off_vectors.tolist(), strict=False))
    except (OSError, ValueError, KeyError):
        return {}
    return known


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
    corpus_dir: Path | None = None,
) -> KnowledgeIndex:
    """`corpus_dir` holds the passage questions (none are indexed without it)."""
    started = time.perf_counter()
    tokenizer = tokenizer or Tokenizer()
    scripts = scripts or ScriptConverter()
    chunks = make_chunks(sections, tokenizer, scripts)
    probes = make_probes(
        chunks,
        {s.id: s for s in sections},
        load_passage_questions(corpus_dir) if corpus_dir else [],
        tokenizer,
        scripts,
    )
    texts = [chunk.search_text for chunk in chunks]
    probe_texts = [QUESTION_KEY + probe.text for probe in probes]
    off_topic = [
        QUESTION_KEY + scripts.to_simplified(q)
        for q in (load_off_topic(corpus_dir) if corpus_dir else [])
    ]
    cache = _embed_unique(
        embeddings, texts + probe_texts + off_topic, _previous_vectors(config), progress
    )

    vectors = np.asarray([cache[text] for text in texts], dtype=np.float32)
    probe_vectors = np.asarray([cache[text] for text in probe_texts], dtype=np.float32).reshape(
        len(probes), vectors.shape[1]
    )
    off_topic_vectors = np.asarray([cache[t] for t in off_topic], dtype=np.float32).reshape(
        len(off_topic), vectors.shape[1]
    )
    store = _store(config, PrecomputedEmbeddings(embeddings, cache))
    replace_all(  # the written questions stay out: they are few, and scored exactly in numpy
        store,
        ids=[c.id for c in chunks],
        texts=texts,
        metadatas=[{"section": c.section_id, "position": c.position} for c in chunks],
    )
    _write(
        config.index_dir,
        sections,
        chunks,
        vectors,
        config,
        fingerprint,
        (probes, probe_vectors),
        (off_topic, off_topic_vectors),
    )
    log.info("indexed %d chunks in %.1f s", len(chunks), time.perf_counter() - started)
    return KnowledgeIndex(
        sections=sections,
        chunks=chunks,
        vectors=vectors,
        store=_store(config, embeddings),
        embeddings=embeddings,
        tokenizer=tokenizer,
        scripts=scripts,
        probes=probes,
        probe_vectors=probe_vectors,
        off_topic_vectors=off_topic_vectors,
    )


def _write(
    index_dir: Path,
    sections: list[Section],
    chunks: list[IndexedChunk],
    vectors: np.ndarray,
    config: IndexConfig,
    fingerprint: str,
    questions: tuple[list[Probe], np.ndarray],
    off_topic: tuple[list[str], np.ndarray],
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
    probes, probe_vectors = questions
    with (staging / "probes.jsonl").open("w", encoding="utf-8") as out:
        for probe in probes:
            out.write(json.dumps(asdict(probe), ensure_ascii=False) + "\n")
    np.save(staging / "probe_vectors.npy", probe_vectors)
    (staging / "off_topic.json").write_text(json.dumps(off_topic[0], ensure_ascii=False), "utf-8")
    np.save(staging / "off_topic_vectors.npy", off_topic[1])
    manifest = {
        "version": INDEX_VERSION,
        "fingerprint": fingerprint,
        "model": config.model,
        "collection": config.collection,
        "chunks": len(chunks),
        "probes": len(probes),
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
    probes = []
    probe_file = config.index_dir / "probes.jsonl"
    if probe_file.exists():
        for line in probe_file.read_text("utf-8").splitlines():
            data = json.loads(line)
            probes.append(
                Probe(data["text"], data["chunk"], tuple(data["tokens"]), data.get("anchor", ""))
            )
    return KnowledgeIndex(
        sections=sections,
        chunks=chunks,
        vectors=np.load(config.index_dir / "vectors.npy"),
        store=_store(config, embeddings),
        embeddings=embeddings,
        tokenizer=tokenizer or Tokenizer(),
        scripts=scripts or ScriptConverter(),
        probes=probes,
        probe_vectors=np.load(config.index_dir / "probe_vectors.npy") if probes else None,
        off_topic_vectors=np.load(config.index_dir / "off_topic_vectors.npy"),
    )
