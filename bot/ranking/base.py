"""The part of sumy's `AbstractSummarizer` every ranking here shares, without its NLTK import."""

from __future__ import annotations

from collections.abc import Callable, Iterable


class Summarizer:
    """A stemmer at construction, sumy's word normalisation, and normalised stop words."""

    def __init__(self, stemmer: Callable[[str], str] = str.lower) -> None:
        if not callable(stemmer):
            raise TypeError("Stemmer has to be a callable object")
        self._stemmer = stemmer
        self._stop_words: frozenset[str] = frozenset()

    @staticmethod
    def normalize_word(word: str) -> str:
        return str(word).lower()

    def stem_word(self, word: str) -> str:
        return self._stemmer(self.normalize_word(word))

    @property
    def stop_words(self) -> frozenset[str]:
        return self._stop_words

    @stop_words.setter
    def stop_words(self, words: Iterable[str]) -> None:
        self._stop_words = frozenset(map(self.normalize_word, words))

    def stem_cache(self) -> Callable[[str], str]:
        """`stem_word` memoised for one document: stemming, not ranking, dominates sumy's time."""
        cache: dict[str, str] = {}

        def stem(word: str) -> str:
            stemmed = cache.get(word)
            if stemmed is None:
                stemmed = cache[word] = self.stem_word(word)
            return stemmed

        return stem
