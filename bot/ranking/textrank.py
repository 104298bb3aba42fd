"""TextRank over sparse matrices: sumy's algorithm without its n^2 Python loop.

sumy rates each pair of sentences by their shared words (with repeats) over the sum of the logs
of their lengths, row-normalises, adds PageRank's damping and iterates to a fixed point. Shared
word counts are one sparse product of the count matrix with itself; the damping term is added to
the iteration instead of filling an n x n dense matrix. When nearly every pair shares a word
(a long text with a small vocabulary), even the sparse pair matrix is n x n: the iteration is then
factored by sentence length, which never builds it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from bot.ranking.base import Summarizer
from bot.ranking.counts import best_sentences

DAMPING = 0.85
EPSILON = 1e-4
_ZERO_DIVISION_PREVENTION = 1e-7


def textrank_scores(
    token_lists: Sequence[Sequence[str]],
    *,
    damping: float = DAMPING,
    epsilon: float = EPSILON,
    method: str = "auto",
) -> np.ndarray:
    """TextRank of each sentence, given its stemmed, stop-word-free tokens (repeats count).

    `method` is "pairs" (the sparse matrix of sentence pairs that share a word), "lengths"
    (factored by sentence length, for texts where nearly every pair shares a word) or "auto".
    """
    n = len(token_lists)
    if n == 0:
        return np.zeros(0)
    matrix = _counts(token_lists)
    lengths = np.maximum(np.array([len(t) for t in token_lists], dtype=np.float64), 1.0)
    if method == "auto":
        # Measured on random texts: the two costs take about as long per unit.
        method = "lengths" if _pairs_cost(matrix) > 2 * _lengths_cost(matrix, lengths) else "pairs"
    step_of = _by_pairs(matrix, lengths) if method == "pairs" else _by_lengths(matrix, lengths)
    p = np.full(n, 1.0 / n)
    step = 1.0
    while step > epsilon:
        following = (1.0 - damping) / n * p.sum() + damping * step_of(p)
        step = float(np.linalg.norm(following - p))
        p = following
    return p


def _counts(token_lists: Sequence[Sequence[str]]) -> sp.csr_matrix:
    """Sentence x term counts."""
    vocabulary: dict[str, int] = {}
    rows, cols, counts = [], [], []
    for i, tokens in enumerate(token_lists):
        for term, c in Counter(tokens).items():
            rows.append(i)
            cols.append(vocabulary.setdefault(term, len(vocabulary)))
            counts.append(float(c))
    shape = (len(token_lists), max(1, len(vocabulary)))
    return sp.csr_matrix((counts, (rows, cols)), shape=shape)


def _pairs_cost(matrix: sp.csr_matrix) -> float:
    """Entries of the pair matrix, at most: sentences sharing a term, summed over terms."""
    frequencies = np.bincount(matrix.indices, minlength=matrix.shape[1]).astype(np.float64)
    return float((frequencies**2).sum())


def _lengths_cost(matrix: sp.csr_matrix, lengths: np.ndarray) -> float:
    groups = len(np.unique(lengths))
    return float(matrix.nnz + groups * groups * matrix.shape[1])


def _pair_weight(logs_a: np.ndarray, logs_b: np.ndarray) -> np.ndarray:
    """sumy's normaliser of a shared-word count: the sum of the logs of the two lengths, or 1
    where that sum is (almost) zero (two one-word sentences)."""
    norm = logs_a + logs_b
    close_to_zero = np.isclose(norm, 0.0)
    return np.where(close_to_zero, 1.0, 1.0 / np.where(close_to_zero, 1.0, norm))


def _by_pairs(matrix: sp.csr_matrix, lengths: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """W^T p over the sparse matrix of sentence pairs: fast when few pairs share a word."""
    n = matrix.shape[0]
    shared = (matrix @ matrix.T).tocoo()
    logs = np.log(lengths)
    values = shared.data * _pair_weight(logs[shared.row], logs[shared.col])
    weights = sp.csr_matrix((values, (shared.row, shared.col)), shape=(n, n))
    row_sums = np.asarray(weights.sum(axis=1)).ravel() + _ZERO_DIVISION_PREVENTION
    weights_t = sp.csr_matrix((sp.diags(1.0 / row_sums) @ weights).T)
    return lambda p: np.asarray(weights_t @ p)


def _by_lengths(matrix: sp.csr_matrix, lengths: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """W^T p without the n x n matrix, for small vocabularies where every pair shares a word.

    A pair's weight is its shared-word count c_ij = m_i . m_j times a factor that depends only on
    the two sentences' lengths. Sentences fall into few length groups, so with U_a = sum of the
    rows of group a (weighted by p), sum_i w_ij p_i = m_j . sum_a f(a, g(j)) U_a.
    """
    kinds, group = np.unique(lengths, return_inverse=True)
    logs = np.log(kinds)
    factor = _pair_weight(logs[:, None], logs[None, :])  # groups x groups, symmetric
    member = sp.csr_matrix(
        (np.ones(len(group)), (group, np.arange(len(group)))), shape=(len(kinds), len(group))
    )
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    entry_group = group[rows]

    def dot_rows(per_group: np.ndarray) -> np.ndarray:
        """m_j . per_group[g(j)] for every sentence j, over the nonzero counts only."""
        values = matrix.data * per_group[entry_group, matrix.indices]
        return np.bincount(rows, weights=values, minlength=matrix.shape[0])

    totals = np.asarray((member @ matrix).todense())  # per group: the sum of its rows
    row_sums = dot_rows(factor @ totals) + _ZERO_DIVISION_PREVENTION

    def step(p: np.ndarray) -> np.ndarray:
        weighted = np.asarray((member @ sp.diags(p / row_sums) @ matrix).todense())
        return dot_rows(factor @ weighted)

    return step


class TextRankSummarizer(Summarizer):
    """sumy's `TextRankSummarizer`, same interface and same selection."""

    damping = DAMPING
    epsilon = EPSILON
    method = "auto"

    def __call__(self, document: Any, sentences_count: int | str) -> tuple[Any, ...]:
        sentences = list(document.sentences)
        if not sentences:
            return ()
        tokens = [
            [self._stemmer(w) for w in (x.lower() for x in s.words) if w not in self._stop_words]
            for s in sentences
        ]
        scores = textrank_scores(
            tokens, damping=self.damping, epsilon=self.epsilon, method=self.method
        )
        last = {s: float(score) for s, score in zip(sentences, scores, strict=True)}
        return best_sentences(sentences, [last[s] for s in sentences], sentences_count)
