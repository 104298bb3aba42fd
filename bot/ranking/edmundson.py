"""Edmundson's cue, key, title and location methods, as sumy rates them, over arrays.

sumy stems every word of the document once per method and rates sentences word by word. Here each
word is stemmed once, the stems become indices, and every method's rating is a count of stems in a
set: one array lookup and one `bincount` per method. The ratings are sumy's integers, so the
selection is exactly sumy's, including its quirks: `__call__` adds the ratings of every method
whose weight is positive (the weights only switch methods on), and a repeated sentence takes one
rating (sumy keys ratings by sentence), for location its last occurrence's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from bot.ranking.base import Summarizer
from bot.ranking.counts import best_sentences


class _Stems:
    """Every sentence's stems as indices, and counts per sentence of stems in a set."""

    def __init__(self, document: Any, stem: Callable[[str], str]) -> None:
        self.vocabulary: dict[str, int] = {}
        ids: list[int] = []
        lengths: list[int] = []
        for sentence in document.sentences:
            words = sentence.words
            ids.extend(self.vocabulary.setdefault(stem(w), len(self.vocabulary)) for w in words)
            lengths.append(len(words))
        self.ids = np.asarray(ids, dtype=np.int64)
        self.owner = np.repeat(np.arange(len(lengths)), lengths)
        self.n = len(lengths)

    def count(self, stems: Iterable[str] | frozenset[str]) -> np.ndarray:
        chosen = frozenset(stems)
        member = np.fromiter(
            (w in chosen for w in self.vocabulary), dtype=bool, count=len(self.vocabulary)
        )
        hits = member[self.ids] if len(self.ids) else np.zeros(0, dtype=bool)
        return np.bincount(self.owner[hits], minlength=self.n).astype(np.int64)


def _by_sentence(sentences: tuple[Any, ...], ratings: Iterable[float]) -> dict[Any, float]:
    """sumy's ratings dict: a repeated sentence keeps its last rating."""
    return dict(zip(sentences, ratings, strict=True))


class EdmundsonSummarizer(Summarizer):
    """sumy's `EdmundsonSummarizer`: same words, weights, methods and selection."""

    def __init__(
        self,
        stemmer: Callable[[str], str] = str.lower,
        cue_weight: float = 1.0,
        key_weight: float = 0.0,
        title_weight: float = 1.0,
        location_weight: float = 1.0,
    ) -> None:
        super().__init__(stemmer)
        for weight in (cue_weight, key_weight, title_weight, location_weight):
            if weight < 0.0:
                raise ValueError("Negative weights are not allowed.")
        self._cue_weight = float(cue_weight)
        self._key_weight = float(key_weight)
        self._title_weight = float(title_weight)
        self._location_weight = float(location_weight)
        self._bonus_words: frozenset[str] = frozenset()
        self._stigma_words: frozenset[str] = frozenset()
        self._null_words: frozenset[str] = frozenset()

    @property
    def bonus_words(self) -> frozenset[str]:
        return self._bonus_words

    @bonus_words.setter
    def bonus_words(self, collection: Iterable[str]) -> None:
        self._bonus_words = frozenset(map(self.stem_word, collection))

    @property
    def stigma_words(self) -> frozenset[str]:
        return self._stigma_words

    @stigma_words.setter
    def stigma_words(self, collection: Iterable[str]) -> None:
        self._stigma_words = frozenset(map(self.stem_word, collection))

    @property
    def null_words(self) -> frozenset[str]:
        return self._null_words

    @null_words.setter
    def null_words(self, collection: Iterable[str]) -> None:
        self._null_words = frozenset(map(self.stem_word, collection))

    def _check(self, words: frozenset[str], name: str) -> None:
        if not words:
            raise ValueError(
                f"Set of {name} words is empty. "
                f"Please set attribute '{name}_words' with collection of words."
            )

    def cue_ratings(
        self,
        document: Any,
        stems: _Stems,
        bonus_word_value: float = 1,
        stigma_word_value: float = 1,
    ) -> np.ndarray:
        self._check(self._bonus_words, "bonus")
        self._check(self._stigma_words, "stigma")
        bonus = stems.count(self._bonus_words) * bonus_word_value
        return np.asarray(bonus - stems.count(self._stigma_words) * stigma_word_value)

    def key_ratings(self, document: Any, stems: _Stems, weight: float = 0.5) -> np.ndarray:
        self._check(self._bonus_words, "bonus")
        stem = self.stem_cache()
        counts: dict[str, int] = {}
        for word in document.words:  # headings included, as in sumy
            s = stem(word)
            if s in self._bonus_words:
                counts[s] = counts.get(s, 0) + 1
        if not counts:
            return np.zeros(stems.n, dtype=np.int64)
        top = max(counts.values())
        return stems.count(w for w, c in counts.items() if c / top > weight)

    def _heading_stems(self, document: Any) -> frozenset[str]:
        self._check(self._null_words, "null")
        stem = self.stem_cache()
        headings = (stem(w) for h in document.headings for w in h.words)
        return frozenset(s for s in headings if s not in self._null_words)

    def title_ratings(self, document: Any, stems: _Stems) -> np.ndarray:
        return stems.count(self._heading_stems(document))

    def location_ratings(
        self,
        document: Any,
        stems: _Stems,
        w_h: float = 1,
        w_p1: float = 1,
        w_p2: float = 1,
        w_s1: float = 1,
        w_s2: float = 1,
    ) -> np.ndarray:
        """Heading words, then the first or last paragraph and the first or last sentence."""
        ratings = stems.count(self._heading_stems(document)) * w_h
        bonus: list[float] = []
        paragraphs = document.paragraphs
        for p, paragraph in enumerate(paragraphs):
            sentences = paragraph.sentences
            for s in range(len(sentences)):
                extra = w_p1 if p == 0 else w_p2 if p == len(paragraphs) - 1 else 0
                extra += w_s1 if s == 0 else w_s2 if s == len(sentences) - 1 else 0
                bonus.append(extra)
        return np.asarray(ratings + np.asarray(bonus, dtype=np.float64))

    def _stems(self, document: Any) -> _Stems:
        return _Stems(document, self.stem_cache())

    def cue_method(
        self,
        document: Any,
        sentences_count: int | str,
        bonus_word_value: float = 1,
        stigma_word_value: float = 1,
    ) -> tuple[Any, ...]:
        ratings = self.cue_ratings(
            document, self._stems(document), bonus_word_value, stigma_word_value
        )
        return best_sentences(document.sentences, ratings.tolist(), sentences_count)

    def key_method(
        self, document: Any, sentences_count: int | str, weight: float = 0.5
    ) -> tuple[Any, ...]:
        ratings = self.key_ratings(document, self._stems(document), weight)
        return best_sentences(document.sentences, ratings.tolist(), sentences_count)

    def title_method(self, document: Any, sentences_count: int | str) -> tuple[Any, ...]:
        ratings = self.title_ratings(document, self._stems(document))
        return best_sentences(document.sentences, ratings.tolist(), sentences_count)

    def location_method(
        self,
        document: Any,
        sentences_count: int | str,
        w_h: float = 1,
        w_p1: float = 1,
        w_p2: float = 1,
        w_s1: float = 1,
        w_s2: float = 1,
    ) -> tuple[Any, ...]:
        sentences = document.sentences
        ratings = self.location_ratings(
            document, self._stems(document), w_h, w_p1, w_p2, w_s1, w_s2
        )
        last = _by_sentence(sentences, ratings.tolist())
        return best_sentences(sentences, [last[s] for s in sentences], sentences_count)

    def __call__(self, document: Any, sentences_count: int | str) -> tuple[Any, ...]:
        sentences = document.sentences
        stems = self._stems(document)
        methods = []
        if self._cue_weight > 0.0:
            methods.append(self.cue_ratings(document, stems))
        if self._key_weight > 0.0:
            methods.append(self.key_ratings(document, stems))
        if self._title_weight > 0.0:
            methods.append(self.title_ratings(document, stems))
        if self._location_weight > 0.0:
            methods.append(self.location_ratings(document, stems))
        total: dict[Any, float] = {}
        for ratings in methods:
            for sentence, rating in _by_sentence(sentences, ratings.tolist()).items():
                total[sentence] = total.get(sentence, 0) + rating
        return best_sentences(sentences, [total.get(s, 0) for s in sentences], sentences_count)
