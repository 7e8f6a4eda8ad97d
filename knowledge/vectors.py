"""Dense retrieval: chunk embeddings in Chroma (on disk by default, a server by URL), through
langchain-chroma. Telemetry is off; embeddings are always passed in, because Chroma's own default
model would be downloaded, which this deployment cannot do."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

if TYPE_CHECKING:
    from langchain_chroma import Chroma
    from langchain_core.embeddings import Embeddings

ADD_BATCH = 1000  # below Chroma's max batch size


class PrecomputedEmbeddings:
    """Hands Chroma the vectors ingest already computed (and cached for reranking); anything
    new goes to the real model."""

    def __init__(self, model: Embeddings, known: dict[str, list[float]]) -> None:
        self.model = model
        self.known = known

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        missing = [t for t in texts if t not in self.known]
        if missing:
            self.known.update(zip(missing, self.model.embed_documents(missing), strict=True))
        return [self.known[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.model.embed_query(text)


def open_store(
    *,
    collection: str,
    embeddings: Embeddings | PrecomputedEmbeddings,
    persist_dir: Path | None,
    server_url: str | None,
) -> Chroma:
    import chromadb
    from langchain_chroma import Chroma

    settings = chromadb.config.Settings(anonymized_telemetry=False, allow_reset=True)
    if server_url:
        url = urlparse(server_url)
        client = chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=url.port or 8000,
            ssl=url.scheme == "https",
            settings=settings,
        )
    else:
        assert persist_dir is not None
        persist_dir.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(path=str(persist_dir), settings=settings)
    return Chroma(
        collection_name=collection,
        embedding_function=embeddings,  # type: ignore[arg-type]
        client=client,
        collection_configuration={"hnsw": {"space": "cosine"}},
    )


def replace_all(
    store: Chroma, *, ids: Sequence[str], texts: Sequence[str], metadatas: Sequence[dict]
) -> None:
    """Empty the collection and add every chunk, in batches."""
    store.reset_collection()
    for start in range(0, len(ids), ADD_BATCH):
        end = start + ADD_BATCH
        store.add_texts(
            texts=list(texts[start:end]),
            metadatas=list(metadatas[start:end]),
            ids=list(ids[start:end]),
        )


def nearest(store: Chroma, vector: list[float], k: int) -> list[tuple[str, float]]:
    """(chunk id, cosine similarity) of the k nearest chunks, best first."""
    hits = store.similarity_search_by_vector_with_relevance_scores(vector, k=k)
    return [(doc.id or "", 1.0 - distance) for doc, distance in hits]
