"""LSA as sumy rates it, without the SVD.

sumy builds the term x sentence matrix A (counts of stems, then max-tf smoothing: every cell of a
sentence's column with any term becomes 0.4 + 0.6 * count / column max, absent terms included),
takes A = U S V^T and rates sentence j by sqrt(sum_i s_i^2 v_ij^2) over *all* dimensions (its
reduction ratio is 1). That sum is the squared norm of column j of S V^T = U^T A, and U^T preserves
the norm of every column of A, which lies in U's span: the rating is exactly ||A[:, j]||. Here it
is computed from the sparse counts, in O(words), instead of an O(min(m, n)^2 max(m, n)) SVD of a
dense matrix.

Parity bound: the ratings agree with sumy's to rounding (relative 1e-9 is asserted; the SVD's
error is about 1e-15 times the largest singular value). Sentences whose ratings are equal in exact
arithmetic are common (any two sentences of distinct words, equally many) and sumy orders them by
the SVD's rounding noise, whereas here they keep document order. So the selection equals sumy's up
to exchanging sentences whose ratings are equal: the sorted ratings of both selections agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from bot.ranking.base import Summarizer
from bot.ranking.counts import best_sentences

SMOOTH = 0.4


def lsa_scores(counts: Sequence[dict[int, int]], terms: int, smooth: float = SMOOTH) -> np.ndarray:
    """sumy's LSA rating of each sentence, from its term counts over a dictionary of `terms`."""
    scores = np.zeros(len(counts))
    for j, column in enumerate(counts):
        if not column:
            continue  # sumy leaves a column without terms unsmoothed: all zeros
        values = np.fromiter(column.values(), dtype=np.float64, count=len(column))
        weights = smooth + (1.0 - smooth) * (values / values.max())
        scores[j] = float(weights @ weights) + smooth * smooth * (terms - len(column))
    return np.sqrt(scores)


class LsaSummarizer(Summarizer):
    """sumy's `LsaSummarizer`: same ratings to rounding, same selection up to equal ratings."""

    MIN_DIMENSIONS = 3
    REDUCTION_RATIO = 1 / 1

    def rate_sentences(self, document: Any) -> np.ndarray:
        stem = self.stem_cache()
        words = (self.normalize_word(w) for w in document.words)
        dictionary: dict[str, int] = {}
        for word in words:
            if word not in self._stop_words:
                dictionary.setdefault(stem(word), len(dictionary))
        counts: list[dict[int, int]] = []
        for sentence in document.sentences:
            column: dict[int, int] = {}
            for word in sentence.words:  # sumy counts every word whose stem is in the dictionary
                row = dictionary.get(stem(word))
                if row is not None:
                    column[row] = column.get(row, 0) + 1
            counts.append(column)
        return lsa_scores(counts, len(dictionary)) if dictionary else np.zeros(0)

    def __call__(self, document: Any, sentences_count: int | str) -> tuple[Any, ...]:
        scores = self.rate_sentences(document)
        if len(scores) == 0:
            return ()
        return best_sentences(document.sentences, scores.tolist(), sentences_count)
