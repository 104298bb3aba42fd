"""Words, stems and stop words of each language, for sumy and for the viewpoint grouping.

sumy's own Tokenizer needs NLTK's punkt data, which is downloaded at run time; `OfflineTokenizer`
is a drop-in replacement (sumy only calls `to_sentences`, `to_words` and reads `language`).
Stemming uses PyStemmer, the Snowball project's C binding, instead of sumy's NLTK stemmer: the same
Snowball algorithms, without NLTK's 1.4 s import. Stop words are sumy's own lists, read directly.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import Stemmer  # PyStemmer

from bot.text.language import language_name
from bot.text.sentences import split_sentences

# sumy's word rule: a letter, then letters, apostrophes or hyphens.
_WORD_RE = re.compile(r"[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_]))*", re.UNICODE)


def tokenize_words(sentence: str) -> tuple[str, ...]:
    return tuple(_WORD_RE.findall(sentence))


@cache
def stop_words(code: str) -> frozenset[str]:
    """sumy's stop words for a language; an empty set where sumy has none."""
    name = language_name(code)
    try:
        data = resources.files("sumy").joinpath(f"data/stopwords/{name}.txt").read_text("utf-8")
    except (FileNotFoundError, OSError):
        return frozenset()
    return frozenset(w.strip().lower() for w in data.splitlines() if w.strip())


@cache
def stemmer(code: str) -> Callable[[str], str]:
    """A function word -> stem with the Snowball rules of the language (lowercasing for others)."""
    name = language_name(code)
    if name not in Stemmer.algorithms():
        return str.lower
    snowball = Stemmer.Stemmer(name)  # with PyStemmer's cache of recent words

    def stem(word: str) -> str:
        return str(snowball.stemWord(word.lower()))

    return stem


@dataclass(frozen=True, slots=True)
class OfflineTokenizer:
    """sumy's tokenizer interface over the offline splitter and word pattern."""

    code: str = "en"

    @property
    def language(self) -> str:
        return language_name(self.code)

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(split_sentences(paragraph, self.code))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tokenize_words(sentence)
