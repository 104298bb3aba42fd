"""Luhn's significant-word chunks, as sumy rates them, over arrays.

sumy tests every word against a tuple of significant stems (a linear search per word) and builds
each chunk as a Python list. A chunk is a run of significant words in which no two consecutive
ones are separated by `max_gap_size` or more other words; its rating is (significant words)^2 over
its span, 0 for a lone word; a sentence takes its best chunk. With the positions of the
significant words in one array, chunks are where the gap is small enough, and their ratings are
a few array operations: the same numbers (integer squares over integer spans) as sumy's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from bot.ranking.base import Summarizer
from bot.ranking.counts import best_sentences

MAX_GAP_SIZE = 4


def luhn_scores(flags: Sequence[Sequence[bool]], max_gap_size: int = MAX_GAP_SIZE) -> np.ndarray:
    """The best chunk rating of each sentence, given which of its words are significant."""
    n = len(flags)
    scores = np.zeros(n)
    positions = [i for s in flags for i, f in enumerate(s) if f]
    if not positions:
        return scores
    sentence = np.repeat(np.arange(n), [sum(map(bool, s)) for s in flags])
    position = np.asarray(positions, dtype=np.int64)
    # A significant word opens a chunk when it starts its sentence's list or follows the previous
    # significant word by `max_gap_size` or more other words.
    starts = np.ones(len(position), dtype=bool)
    starts[1:] = (sentence[1:] != sentence[:-1]) | (np.diff(position) > max_gap_size)
    chunk = np.cumsum(starts) - 1
    first = np.flatnonzero(starts)
    last = np.append(first[1:], len(position)) - 1
    significant = np.bincount(chunk).astype(np.float64)
    span = (position[last] - position[first] + 1).astype(np.float64)
    ratings = np.where(significant == 1, 0.0, significant**2 / span)
    np.maximum.at(scores, sentence[first], ratings)
    return scores


class LuhnSummarizer(Summarizer):
    """sumy's `LuhnSummarizer`, same interface and same selection."""

    max_gap_size = MAX_GAP_SIZE
    significant_percentage = 1

    def significant_stems(self, document: Any) -> frozenset[str]:
        """Content stems used more than once, among the most frequent (all of them in sumy)."""
        stem = self.stem_cache()
        words = (self.normalize_word(w) for w in document.words)
        stems = [stem(w) for w in words if w not in self._stop_words]
        counts = Counter(s.lower() for s in stems)  # sumy's TfDocumentModel lowercases terms
        best = sorted(counts.items(), key=lambda i: -i[1])
        keep = int(len(stems) * self.significant_percentage)
        if keep > 0:
            best = best[:keep]
        return frozenset(term for term, count in best if count > 1)

    def __call__(self, document: Any, sentences_count: int | str) -> tuple[Any, ...]:
        significant = self.significant_stems(document)
        stem = self.stem_cache()
        flags = [[stem(w) in significant for w in s.words] for s in document.sentences]
        scores = luhn_scores(flags, self.max_gap_size)
        return best_sentences(document.sentences, scores.tolist(), sentences_count)
