"""Comments and their sentences as vectors in one space: TF-IDF of stems beside static embeddings.

Each comment is tokenised and stemmed once (stems cached per word); a sentence's terms are a slice
of its comment's. TF-IDF finds comments that use the same words; the embeddings find those that say
the same thing in other words. Both leave out the words of the article's title, which every comment
shares and which say nothing about the point being made, and the embeddings are centred on the
thread's mean so that what all comments have in common does not make them look alike.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from bot.text.sentences import split_sentences
from bot.text.words import stemmer, stop_words, tokenize_words
from bot.thread import Comment
from bot.viewpoints.embedding import token_table

EMBEDDING_WEIGHT = {"en": 0.5}
"""Share of the similarity that comes from the embeddings, by language. The token table was
distilled on English text; other languages rely on their stems alone."""


@dataclass(frozen=True, slots=True)
class Unit:
    """A comment prepared once: its own sentences, their stems and the text to embed."""

    comment: Comment
    sentences: tuple[str, ...]
    sentence_terms: tuple[tuple[str, ...], ...]
    sentence_words: tuple[int, ...]
    surface: tuple[tuple[str, str], ...]
    """(stem, word as written, lowercased), to name a group by the words its members used."""
    sentence_content: tuple[str, ...]
    """Each sentence's words without the title's, for the embedding."""
    content_words: int
    """Words that are not stop words, the title's included: how much the comment says."""

    @property
    def content(self) -> str:
        return " ".join(self.sentence_content)

    @property
    def terms(self) -> list[str]:
        return [t for terms in self.sentence_terms for t in terms]


class Preparer:
    """Tokenises and stems the comments of one language, caching each word's stem."""

    def __init__(self, language: str, title: str | None) -> None:
        self.language = language
        self._stem = stemmer(language)
        self.stops = stop_words(language)
        self._stems: dict[str, str] = {}
        self.title_stems = frozenset(
            self.stem(w) for w in tokenize_words(title or "") if w.lower() not in self.stops
        )

    def stem(self, word: str) -> str:
        found = self._stems.get(word)
        if found is None:
            found = self._stems[word] = self._stem(word)
        return found

    def unit(self, comment: Comment) -> Unit:
        sentences = tuple(
            s for p in comment.own_text().split("\n\n") for s in split_sentences(p, self.language)
        )
        surface: list[tuple[str, str]] = []
        sentence_terms: list[tuple[str, ...]] = []
        sentence_words: list[int] = []
        content: list[str] = []
        said = 0
        for sentence in sentences:
            kept: list[str] = []
            words = tokenize_words(sentence)
            sentence_words.append(len(sentence.split()))
            terms: list[str] = []
            for word in words:
                lowered = word.lower()
                meaningful = len(word) > 2 and lowered not in self.stops
                said += meaningful
                stem = self.stem(word)
                if stem in self.title_stems:
                    continue
                kept.append(word)
                if meaningful:
                    terms.append(stem)
                    surface.append((stem, lowered))
            sentence_terms.append(tuple(terms))
            content.append(" ".join(kept))
        return Unit(
            comment,
            sentences,
            tuple(sentence_terms),
            tuple(sentence_words),
            tuple(surface),
            tuple(content),
            said,
        )


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.asarray(matrix / norms)


def unit_sparse_rows(matrix: sp.spmatrix) -> sp.csr_matrix:
    matrix = sp.csr_matrix(matrix)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ matrix)


@dataclass(frozen=True)
class Vectors:
    """Rows in the joint space: `dense` (weighted embeddings) and `sparse` (weighted TF-IDF).

    Each part is unit length and scaled by the square root of its weight, so the dot product of
    two rows is the weighted sum of the two cosines.
    """

    dense: np.ndarray
    sparse: sp.csr_matrix
    weight: float
    """Share of the embeddings in each dot product."""

    def __len__(self) -> int:
        return int(self.sparse.shape[0])

    def dot(self, other: Vectors) -> np.ndarray:
        """Similarities, rows of self against rows of other (dense array)."""
        product = np.asarray((self.sparse @ other.sparse.T).toarray(), dtype=np.float32)
        if self.dense.shape[1]:
            product += self.dense @ other.dense.T
        return product

    def take(self, rows: Sequence[int] | np.ndarray) -> Vectors:
        index = np.asarray(rows, dtype=np.int64)
        return Vectors(self.dense[index], sp.csr_matrix(self.sparse[index]), self.weight)

    def centroids(self, groups: Sequence[np.ndarray]) -> Vectors:
        """Each group's mean direction, renormalised part by part like any other row."""
        empty = np.zeros(0, dtype=np.int64)
        rows = np.concatenate([np.full(len(g), j) for j, g in enumerate(groups)] or [empty])
        cols = np.concatenate(list(groups) or [empty])
        pick = sp.csr_matrix(
            (np.ones(len(cols), dtype=np.float32), (rows, cols)), shape=(len(groups), len(self))
        )
        return Vectors(
            _rescale(np.asarray(pick @ self.dense), self.weight),
            _rescale_sparse(pick @ self.sparse, 1.0 - self.weight),
            self.weight,
        )

    @staticmethod
    def stack(parts: Sequence[Vectors]) -> Vectors:
        return Vectors(
            np.vstack([p.dense for p in parts]),
            sp.csr_matrix(sp.vstack([p.sparse for p in parts])),
            parts[0].weight,
        )


def _rescale(matrix: np.ndarray, weight: float) -> np.ndarray:
    return (unit_rows(matrix) * math.sqrt(weight)).astype(np.float32)


def _rescale_sparse(matrix: sp.spmatrix, weight: float) -> sp.csr_matrix:
    return sp.csr_matrix(unit_sparse_rows(matrix) * math.sqrt(weight), dtype=np.float32)


class Space:
    """The vocabulary, IDF and embedding centre of one group of comments."""

    def __init__(self, units: Sequence[Unit], language: str) -> None:
        self.weight = EMBEDDING_WEIGHT.get(language, 0.0)
        self.table = token_table() if self.weight else None
        if self.table is None:
            self.weight = 0.0
        self.vocabulary: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        for i, unit in enumerate(units):
            for term in set(unit.terms):
                rows.append(i)
                cols.append(self.vocabulary.setdefault(term, len(self.vocabulary)))
        df = np.bincount(np.asarray(cols, dtype=np.int64), minlength=len(self.vocabulary))
        self.idf = (np.log((1.0 + len(units)) / (1.0 + df)) + 1.0).astype(np.float32)

    def read(self, units: Sequence[Unit]) -> tuple[Vectors, Vectors]:
        """Rows of the comments, and of all their sentences in order, from one pass of the
        tokenizer: a comment's embedding is its sentences' token-weighted mean."""
        sentences = [c for u in units for c in u.sentence_content]
        owner = np.repeat(np.arange(len(units)), [len(u.sentences) for u in units])
        comment_bags = [u.terms for u in units]
        sentence_bags = [t for u in units for t in u.sentence_terms]
        if self.table is None:
            return self._rows(comment_bags, None), self._rows(sentence_bags, None)
        means, tokens = self.table.embed_counted(sentences)
        pool = sp.csr_matrix(
            (tokens.astype(np.float32), (owner, np.arange(len(sentences)))),
            shape=(len(units), len(sentences)),
        )
        totals = np.maximum(np.asarray(pool.sum(axis=1)).ravel(), 1.0)
        comments = np.asarray(sp.diags(1.0 / totals) @ pool @ means, dtype=np.float32)
        centre = comments.mean(axis=0) if len(units) else np.zeros(means.shape[1], np.float32)
        return self._rows(comment_bags, comments - centre), self._rows(
            sentence_bags, means - centre
        )

    def _rows(self, bags: Sequence[Sequence[str]], dense: np.ndarray | None) -> Vectors:
        """Rows for bags of stems beside their (centred) embeddings."""
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for i, bag in enumerate(bags):
            for term, n in Counter(bag).items():
                j = self.vocabulary.get(term)
                if j is not None:
                    rows.append(i)
                    cols.append(j)
                    vals.append((1.0 + math.log(n)) * float(self.idf[j]))
        shape = (len(bags), max(1, len(self.vocabulary)))
        tfidf = sp.csr_matrix((vals, (rows, cols)), shape=shape, dtype=np.float32)
        sparse = _rescale_sparse(tfidf, 1.0 - self.weight)
        if dense is None:
            return Vectors(np.zeros((len(bags), 0), dtype=np.float32), sparse, 0.0)
        return Vectors(_rescale(dense, self.weight), sparse, self.weight)
