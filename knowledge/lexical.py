"""BM25 over an inverted index: a question touches only the postings of its own words, so its
cost grows with how common those words are, not with the size of the corpus."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import numpy as np

K1 = 1.5
B = 0.75


class BM25Index:
    def __init__(self, documents: list[list[str]]) -> None:
        self.size = len(documents)
        lengths = np.array([len(doc) for doc in documents], dtype=np.float32)
        average = float(lengths.mean()) if self.size else 1.0
        self._norm = K1 * (1 - B + B * lengths / max(average, 1e-6))
        postings: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
        for doc_id, doc in enumerate(documents):
            for term, count in Counter(doc).items():
                ids, tfs = postings[term]
                ids.append(doc_id)
                tfs.append(count)
        self._postings = {
            term: (np.array(ids, dtype=np.int32), np.array(tfs, dtype=np.float32))
            for term, (ids, tfs) in postings.items()
        }
        self._idf = {
            term: math.log(1 + (self.size - len(ids) + 0.5) / (len(ids) + 0.5))
            for term, (ids, _) in self._postings.items()
        }

    def idf(self, term: str) -> float:
        return self._idf.get(term, 0.0)

    def search(self, terms: dict[str, float], k: int) -> list[tuple[int, float]]:
        """Top-k (doc index, score) for weighted query terms; empty when no term is known."""
        touched: list[tuple[np.ndarray, np.ndarray]] = []
        for term, weight in terms.items():
            posting = self._postings.get(term)
            if posting is None:
                continue
            ids, tfs = posting
            contribution = weight * self._idf[term] * tfs * (K1 + 1) / (tfs + self._norm[ids])
            touched.append((ids, contribution))
        if not touched:
            return []
        ids = np.concatenate([t[0] for t in touched])
        values = np.concatenate([t[1] for t in touched])
        unique, inverse = np.unique(ids, return_inverse=True)
        sums = np.zeros(len(unique), dtype=np.float32)
        np.add.at(sums, inverse, values)
        order = np.argsort(-sums)[:k]
        return [(int(unique[i]), float(sums[i])) for i in order]
