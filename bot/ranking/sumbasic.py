"""SumBasic as sumy runs it, one vectorised pass per picked sentence.

sumy picks, again and again, the remaining sentence whose content stems have the highest average
document probability (the first on ties), then squares the probability of each of its stems once
per occurrence. Each pass here rates every sentence at once. The sums run over each sentence's
stems left to right (a cumulative sum over a padded matrix of stem indices, sentences bucketed by
length so the padding stays small), which is the order of sumy's `sum`, so the averages, and the
picks, are bit-for-bit sumy's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from bot.ranking.base import Summarizer
from bot.ranking.counts import best_sentences


class _Buckets:
    """Sentences' stem indices, padded per bucket of similar lengths with a stem of probability 0"""

    def __init__(self, indices: Sequence[Sequence[int]], pad: int) -> None:
        lengths = np.array([len(s) for s in indices], dtype=np.int64)
        self.lengths = lengths.astype(np.float64)
        size = np.where(lengths > 0, 1 << np.ceil(np.log2(np.maximum(lengths, 1))).astype(int), 0)
        self.groups: list[tuple[np.ndarray, np.ndarray]] = []
        for width in np.unique(size[size > 0]):
            rows = np.flatnonzero(size == width)
            matrix = np.full((len(rows), int(width)), pad, dtype=np.int64)
            for k, row in enumerate(rows.tolist()):
                matrix[k, : len(indices[row])] = indices[row]
            self.groups.append((rows, matrix))

    def averages(self, probability: np.ndarray) -> np.ndarray:
        """Each sentence's probabilities summed left to right, over its length; 0 if empty."""
        result = np.zeros(len(self.lengths))
        for rows, matrix in self.groups:
            sums = np.add.accumulate(probability[matrix], axis=1)[:, -1]
            result[rows] = sums / self.lengths[rows]
        return result


def sumbasic_order(stems: Sequence[Sequence[str]]) -> list[int]:
    """Indices of the sentences in the order SumBasic picks them, given their content stems."""
    vocabulary: dict[str, int] = {}
    indices = [[vocabulary.setdefault(w, len(vocabulary)) for w in s] for s in stems]
    counts = Counter(i for s in indices for i in s)
    total = sum(counts.values())
    probability = np.zeros(len(vocabulary) + 1)  # the last stem pads the buckets
    for i, c in counts.items():
        probability[i] = c / total
    buckets = _Buckets(indices, pad=len(vocabulary))
    remaining = np.ones(len(stems), dtype=bool)
    order: list[int] = []
    for _ in range(len(stems)):
        averages = np.where(remaining, buckets.averages(probability), -np.inf)
        best = int(np.argmax(averages))
        order.append(best)
        remaining[best] = False
        for i in indices[best]:
            probability[i] *= probability[i]
    return order


class SumBasicSummarizer(Summarizer):
    """sumy's `SumBasicSummarizer`, same interface and same selection."""

    def content_stems(self, document: Any) -> list[list[str]]:
        stem = self.stem_cache()
        return [
            [stem(w) for w in map(self.normalize_word, s.words) if w not in self._stop_words]
            for s in document.sentences
        ]

    def __call__(self, document: Any, sentences_count: int | str) -> tuple[Any, ...]:
        sentences = document.sentences
        ratings: dict[Any, int] = {}
        for index in sumbasic_order(self.content_stems(document)):
            ratings[sentences[index]] = -len(ratings)  # sumy's dict: a repeated sentence keeps one
        return best_sentences(sentences, [ratings[s] for s in sentences], sentences_count)
