"""TextRank over sparse matrices: sumy's algorithm without its n^2 Python loop.

sumy rates each pair of sentences by their shared words (with repeats) over the sum of the logs
of their lengths, row-normalises, adds PageRank's damping and iterates to a fixed point. Shared
word counts are one sparse product of the count matrix with itself; the damping term is added to
the iteration instead of filling an n x n dense matrix.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from bot.ranking.counts import best_sentences

DAMPING = 0.85
EPSILON = 1e-4
_ZERO_DIVISION_PREVENTION = 1e-7


def textrank_scores(
    token_lists: Sequence[Sequence[str]], *, damping: float = DAMPING, epsilon: float = EPSILON
) -> np.ndarray:
    """TextRank of each sentence, given its stemmed, stop-word-free tokens (repeats count)."""
    n = len(token_lists)
    if n == 0:
        return np.zeros(0)
    vocabulary: dict[str, int] = {}
    rows, cols, counts = [], [], []
    for i, tokens in enumerate(token_lists):
        for term, c in Counter(tokens).items():
            rows.append(i)
            cols.append(vocabulary.setdefault(term, len(vocabulary)))
            counts.append(float(c))
    matrix = sp.csr_matrix((counts, (rows, cols)), shape=(n, max(1, len(vocabulary))))
    shared = (matrix @ matrix.T).tocoo()
    lengths = np.array([len(t) for t in token_lists], dtype=np.float64)
    logs = np.log(np.maximum(lengths, 1.0))
    norm = logs[shared.row] + logs[shared.col]
    # sumy: a shared-word count over a norm of (almost) zero is the count itself.
    close_to_zero = np.isclose(norm, 0.0)
    values = np.where(close_to_zero, shared.data, shared.data / np.where(close_to_zero, 1, norm))
    weights = sp.csr_matrix((values, (shared.row, shared.col)), shape=(n, n))
    row_sums = np.asarray(weights.sum(axis=1)).ravel() + _ZERO_DIVISION_PREVENTION
    weights_t = sp.csr_matrix((sp.diags(1.0 / row_sums) @ weights).T)
    p = np.full(n, 1.0 / n)
    step = 1.0
    while step > epsilon:
        following = (1.0 - damping) / n * p.sum() + damping * (weights_t @ p)
        step = float(np.linalg.norm(following - p))
        p = following
    return p


class TextRankSummarizer:
    """sumy's `TextRankSummarizer`, same interface and same selection."""

    damping = DAMPING
    epsilon = EPSILON

    def __init__(self, stemmer: Callable[[str], str] = str.lower) -> None:
        self._stemmer = stemmer
        self._stop_words: frozenset[str] = frozenset()

    @property
    def stop_words(self) -> frozenset[str]:
        return self._stop_words

    @stop_words.setter
    def stop_words(self, words: Iterable[str]) -> None:
        self._stop_words = frozenset(w.lower() for w in words)

    def __call__(self, document: Any, sentences_count: int | str) -> tuple[Any, ...]:
        sentences = list(document.sentences)
        if not sentences:
            return ()
        tokens = [
            [self._stemmer(w) for w in (x.lower() for x in s.words) if w not in self._stop_words]
            for s in sentences
        ]
        scores = textrank_scores(tokens, damping=self.damping, epsilon=self.epsilon)
        last = {s: float(score) for s, score in zip(sentences, scores, strict=True)}
        return best_sentences(sentences, [last[s] for s in sentences], sentences_count)
