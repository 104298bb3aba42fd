"""KL-Sum as sumy runs it, with each greedy pass one computation over a sparse matrix.

sumy adds, again and again, the remaining sentence whose words joined with the summary's make the
distribution closest to the document's: it rebuilds the joint word counts of every remaining
sentence in Python, n passes of n sentences. With quirks kept, since they decide the picks: a
sentence's words are lowercased and then stop words dropped, but the document's are filtered
before lowercasing ("The" counts), the summary contributes its raw words (stop words and case
kept), stop words are compared unnormalised and nothing is stemmed. The divergence over the joint
words w of a candidate s with the summary S, with document frequency d_w, joint count s_w + S_w
and T words in all, sum d_w log(d_w T / (s_w + S_w)), splits into a part that depends only on the
summary plus one term per (sentence, word) entry, so a pass is a few array operations over the
entries of the sentence x word matrix.

Parity bound: sumy sums each divergence in its own word order, so two candidates whose divergences
are equal in exact arithmetic (a sentence with the same words in another order, or other words of
the same frequencies) can come out in either order there. Here candidates within 1e-9 of the
smallest divergence (relative to it, or absolute below 1) count as tied and the first in document
order wins. The greedy sequences therefore agree up to a pass where sumy picks among such ties
differently; at every pass sumy's pick is within 1e-9 of the smallest divergence computed here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from bot.ranking.base import Summarizer
from bot.ranking.counts import best_sentences

TIE = 1e-9


class KLGreedy:
    """The state of sumy's KL greedy pass: divergences of all candidates, and adding a pick."""

    def __init__(
        self,
        content: Sequence[Sequence[str]],
        raw: Sequence[Sequence[str]],
        document_words: Iterable[str],
    ) -> None:
        self._vocabulary: dict[str, int] = {}
        ids = self._ids
        doc_counts = Counter(ids(document_words))
        total = sum(doc_counts.values())
        rows: list[int] = []
        cols: list[int] = []
        counts: list[float] = []
        for r, words in enumerate(content):
            for c, n in sorted(Counter(ids(words)).items()):
                rows.append(r)
                cols.append(c)
                counts.append(float(n))
        self._raw = [ids(words) for words in raw]
        size = len(self._vocabulary)
        self._d = np.zeros(size)
        for c, n in doc_counts.items():
            self._d[c] = n / total
        self._rows = np.asarray(rows, dtype=np.int64)
        self._cols = np.asarray(cols, dtype=np.int64)
        self._counts = np.asarray(counts)
        d = self._d[self._cols]
        known = d > 0
        # Only words of the document count; entries of the others contribute nothing.
        self._rows, self._cols, self._counts, d = (
            self._rows[known],
            self._cols[known],
            self._counts[known],
            d[known],
        )
        self._entry_d = d
        self._entry_alone = d * (np.log(d) - np.log(self._counts))
        self._lengths = np.array([len(w) for w in content], dtype=np.float64)
        self._n = len(content)
        self._summary = np.zeros(size)
        self._summary_length = 0
        self.remaining = np.ones(self._n, dtype=bool)

    def _ids(self, words: Iterable[str]) -> list[int]:
        vocabulary = self._vocabulary
        return [vocabulary.setdefault(w, len(vocabulary)) for w in words]

    def divergences(self) -> np.ndarray:
        """KL(document || candidate joined with the summary) for every sentence, picked or not."""
        d, summary = self._d, self._summary
        in_summary = (summary > 0) & (d > 0)
        ds = d[in_summary]
        constant = float(ds @ (np.log(ds) - np.log(summary[in_summary])))
        weight = np.full(self._n, float(ds.sum()))
        shared = summary[self._cols]
        alone = shared == 0
        # A word of the candidate only: d (log d - log c) + d log T.
        per_entry = np.where(alone, self._entry_alone, 0.0)
        # A word of both: the summary's term d (log d + log T - log S) loses d log((S + c) / S).
        both = ~alone
        per_entry[both] = -self._entry_d[both] * (
            np.log(shared[both] + self._counts[both]) - np.log(shared[both])
        )
        entries = np.bincount(self._rows, weights=per_entry, minlength=self._n)
        weight += np.bincount(
            self._rows, weights=np.where(alone, self._entry_d, 0.0), minlength=self._n
        )
        total = self._lengths + self._summary_length
        log_total = np.log(np.maximum(total, 1.0))  # no words at all: every weight is 0
        return constant + weight * log_total + entries

    def pick(self) -> int:
        """The first remaining sentence whose divergence ties the smallest (sumy's `index(min)`)."""
        kls = np.where(self.remaining, self.divergences(), np.inf)
        smallest = float(kls.min())
        return int(np.argmax(kls <= smallest + TIE * max(abs(smallest), 1.0)))

    def add(self, index: int) -> None:
        self.remaining[index] = False
        raw = self._raw[index]
        np.add.at(self._summary, raw, 1.0)
        self._summary_length += len(raw)


class KLSummarizer(Summarizer):
    """sumy's `KLSummarizer`, same interface; same selection except where divergences tie."""

    @property
    def stop_words(self) -> frozenset[str]:
        return self._stop_words

    @stop_words.setter
    def stop_words(self, words: Iterable[str]) -> None:
        self._stop_words = frozenset(words)  # sumy's KL keeps them as given

    def greedy(self, document: Any) -> KLGreedy:
        sentences = document.sentences
        stop = self._stop_words
        content = [
            [w for w in map(self.normalize_word, s.words) if w not in stop] for s in sentences
        ]
        raw = [list(s.words) for s in sentences]
        document_words = (self.normalize_word(w) for s in raw for w in s if w not in stop)
        return KLGreedy(content, raw, document_words)

    def __call__(self, document: Any, sentences_count: int | str) -> tuple[Any, ...]:
        sentences = document.sentences
        state = self.greedy(document)
        ratings: dict[Any, int] = {}
        for _ in range(len(sentences)):
            index = state.pick()
            state.add(index)
            ratings[sentences[index]] = -len(ratings)  # sumy's dict: a repeated sentence keeps one
        return best_sentences(sentences, [ratings[s] for s in sentences], sentences_count)
