"""Comments and their sentences as vectors in one space: TF-IDF of stems beside static embeddings.

Each comment is tokenised and stemmed once (stems cached per word); a sentence's terms are a slice
of its comment's. TF-IDF finds comments that use the same words; the embeddings find those that say
the same thing in other words. Both leave out the words of the article's title, which every comment
shares and which say nothing about the point being made, and the embeddings are centred on the
thread's mean so that what all comments have in common does not make them look alike.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple, Union

import numpy as np

from bot.text.sentences import split_sentences
from bot.text.words import stemmer, stop_words, tokenize_words
from bot.thread import Comment
from bot.viewpoints.embedding import WordRows, token_table

if TYPE_CHECKING:
    import scipy.sparse as sp

CENTRE_PRIOR = 10
"""Comments' worth of zero vector the thread's mean is blended with before it is taken off."""
EMBEDDING_WEIGHT = {"en": 0.5}
"""Share of the similarity that comes from the embeddings, by language. The token table was
distilled on English text; other languages rely on their stems alone."""
EMBED_CHUNK = 4096
"""Comments embedded at a time."""
DENSE_TERMS = (200, 3000)
"""Comments and distinct stems up to which TF-IDF rows are dense arrays: a small thread's
products cost less in dense form than importing scipy, which a brief of a few comments would
otherwise spend most of its time on."""


@dataclass(frozen=True, slots=True)
class Unit:
    """A comment prepared once: its own sentences, their stems and the text to embed."""

    comment: Comment
    sentences: tuple[str, ...]
    sentence_terms: tuple[tuple[str, ...], ...]
    sentence_words: tuple[int, ...]
    surface: tuple[tuple[str, str], ...]
    """(stem, word as written, lowercased), to name a group by the words its members used."""
    sentence_content: tuple[tuple[str, ...], ...]
    """Each sentence's words without the title's, for the embedding. Words, stems and surface
    pairs are the preparer's one copy of each, shared by every comment that uses them."""
    content_words: int
    """Words that are not stop words, the title's included: how much the comment says."""

    @property
    def has_terms(self) -> bool:
        return any(self.sentence_terms)

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
        self._words: dict[str, _Word] = {}
        self.title_stems = frozenset(
            self.stem(w) for w in tokenize_words(title or "") if w.lower() not in self.stops
        )

    def stem(self, word: str) -> str:
        found = self._stems.get(word)
        if found is None:
            found = self._stems[word] = self._stem(word)
        return found

    def _word(self, word: str) -> _Word:
        """What a word is to the grouping, worked out once per distinct word."""
        found = self._words.get(word)
        if found is None:
            lowered = word.lower()
            stem = self.stem(word)
            found = self._words[word] = _Word(
                stem,
                (stem, lowered),
                len(word) > 2 and lowered not in self.stops,
                stem in self.title_stems,
                word,
            )
        return found

    def unit(self, comment: Comment) -> Unit:
        sentences = tuple(
            s for p in comment.own_text().split("\n\n") for s in split_sentences(p, self.language)
        )
        surface: list[tuple[str, str]] = []
        sentence_terms: list[tuple[str, ...]] = []
        sentence_words: list[int] = []
        content: list[tuple[str, ...]] = []
        said = 0
        known = self._words.get
        for sentence in sentences:
            kept: list[str] = []
            sentence_words.append(len(sentence.split()))
            terms: list[str] = []
            for word in tokenize_words(sentence):
                stem, pair, meaningful, in_title, same = known(word) or self._word(word)
                said += meaningful
                if in_title:
                    continue
                kept.append(same)
                if meaningful:
                    terms.append(stem)
                    surface.append(pair)
            sentence_terms.append(tuple(terms))
            content.append(tuple(kept))
        return Unit(
            comment,
            sentences,
            tuple(sentence_terms),
            tuple(sentence_words),
            tuple(surface),
            tuple(content),
            said,
        )


class _Word(NamedTuple):
    stem: str
    surface: tuple[str, str]
    """(stem, the word lowercased)."""
    meaningful: bool
    """Not a stop word, and longer than two letters."""
    in_title: bool
    word: str
    """The preparer's copy of the word."""


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.asarray(matrix / norms)


Terms = Union[np.ndarray, "sp.csr_matrix"]
"""TF-IDF rows: a dense array for a small thread, a scipy CSR matrix for a large one (see
`DENSE_TERMS`). Both answer the same few operations below."""


def _unit_term_rows(matrix: Terms, weight: float) -> Terms:
    """Rows of unit length times the square root of `weight` (zero rows stay zero)."""
    if isinstance(matrix, np.ndarray):
        return (unit_rows(matrix) * math.sqrt(weight)).astype(np.float32)
    # start-up: scipy.sparse costs 0.18 s over numpy; only large threads need it
    import scipy.sparse as sp

    matrix = sp.csr_matrix(matrix)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ matrix * math.sqrt(weight), dtype=np.float32)


def _term_products(a: Terms, b: Terms) -> np.ndarray:
    if isinstance(a, np.ndarray):
        return np.asarray(a @ b.T, dtype=np.float32)
    return np.asarray((a @ b.T).toarray(), dtype=np.float32)


def _take_terms(matrix: Terms, index: np.ndarray) -> Terms:
    if isinstance(matrix, np.ndarray):
        return matrix[index]
    # start-up: scipy.sparse, as above
    import scipy.sparse as sp

    return sp.csr_matrix(matrix[index])


def _stack_terms(parts: Sequence[Terms]) -> Terms:
    if isinstance(parts[0], np.ndarray):
        return np.vstack(parts)
    # start-up: scipy.sparse, as above
    import scipy.sparse as sp

    return sp.csr_matrix(sp.vstack(parts))


def _group_sums(matrix: Terms, groups: Sequence[np.ndarray]) -> Terms:
    """Each group's sum of rows."""
    if isinstance(matrix, np.ndarray):
        sums = np.zeros((len(groups), matrix.shape[1]), dtype=matrix.dtype)
        for j, members in enumerate(groups):
            sums[j] = matrix[members].sum(axis=0)
        return sums
    # start-up: scipy.sparse, as above
    import scipy.sparse as sp

    empty = np.zeros(0, dtype=np.int64)
    rows = np.concatenate([np.full(len(g), j) for j, g in enumerate(groups)] or [empty])
    cols = np.concatenate(list(groups) or [empty])
    pick = sp.csr_matrix(
        (np.ones(len(cols), dtype=np.float32), (rows, cols)), shape=(len(groups), matrix.shape[0])
    )
    return sp.csr_matrix(pick @ matrix)


@dataclass(frozen=True)
class Vectors:
    """Rows in the joint space: `dense` (weighted embeddings) and `terms` (weighted TF-IDF).

    Each part is unit length and scaled by the square root of its weight, so the dot product of
    two rows is the weighted sum of the two cosines.
    """

    dense: np.ndarray
    terms: Terms
    weight: float
    """Share of the embeddings in each dot product."""

    def __len__(self) -> int:
        return int(self.terms.shape[0])

    def dot(self, other: Vectors) -> np.ndarray:
        """Similarities, rows of self against rows of other (dense array)."""
        product = _term_products(self.terms, other.terms)
        if self.dense.shape[1]:
            product += self.dense @ other.dense.T
        return product

    def take(self, rows: Sequence[int] | np.ndarray) -> Vectors:
        index = np.asarray(rows, dtype=np.int64)
        return Vectors(self.dense[index], _take_terms(self.terms, index), self.weight)

    def centroids(self, groups: Sequence[np.ndarray]) -> Vectors:
        """Each group's mean direction, renormalised part by part like any other row."""
        dense = np.zeros((len(groups), self.dense.shape[1]), dtype=np.float32)
        for j, members in enumerate(groups):
            dense[j] = self.dense[members].sum(axis=0)
        return Vectors(
            _rescale(dense, self.weight),
            _unit_term_rows(_group_sums(self.terms, groups), 1.0 - self.weight),
            self.weight,
        )

    @staticmethod
    def stack(parts: Sequence[Vectors]) -> Vectors:
        return Vectors(
            np.vstack([p.dense for p in parts]),
            _stack_terms([p.terms for p in parts]),
            parts[0].weight,
        )


def _rescale(matrix: np.ndarray, weight: float) -> np.ndarray:
    """Rows of unit length times the square root of `weight`, in place: callers pass arrays of
    their own, which for a large thread's comments are tens of megabytes."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    matrix /= norms
    matrix *= np.float32(math.sqrt(weight))
    return matrix


class SentenceRows:
    """The sentences of a group of comments, by (unit, sentence) pairs, vectorised on demand."""

    def __init__(self, space: Space, units: Sequence[Unit], centre: np.ndarray | None) -> None:
        self.space, self.units, self.centre = space, units, centre

    def take(self, spots: Sequence[tuple[int, int]]) -> Vectors:
        return self.space.rows(
            [self.units[i].sentence_terms[k] for i, k in spots],
            [self.units[i].sentence_content[k] for i, k in spots],
            self.centre,
        )


class Space:
    """The vocabulary, IDF and embedding centre of one group of comments."""

    def __init__(self, units: Sequence[Unit], language: str) -> None:
        self.weight = EMBEDDING_WEIGHT.get(language, 0.0)
        self.table = token_table() if self.weight else None
        if self.table is None:
            self.weight = 0.0
        self.vocabulary: dict[str, int] = {}
        vocabulary = self.vocabulary
        cols = [
            vocabulary.setdefault(term, len(vocabulary))
            for unit in units
            for term in {t for terms in unit.sentence_terms for t in terms}
        ]
        self._words: WordRows | None = self.table.words() if self.table is not None else None
        self.dense_terms = len(units) <= DENSE_TERMS[0] and len(self.vocabulary) <= DENSE_TERMS[1]
        df = np.bincount(np.asarray(cols, dtype=np.int64), minlength=len(self.vocabulary))
        self.idf = (np.log((1.0 + len(units)) / (1.0 + df)) + 1.0).astype(np.float32)

    def read(self, units: Sequence[Unit]) -> tuple[Vectors, SentenceRows]:
        """Rows of the comments, and a way to the rows of any of their sentences.

        Sentences are vectorised only when asked for (candidates, quotes): a large thread has
        five times as many sentences as comments, and most are never compared.
        """
        comment_tfidf = self._weigh(self._counts([u.terms for u in units]))
        centre: np.ndarray | None = None
        dense: np.ndarray = np.zeros((0, 0), dtype=np.float32)
        if self.table is not None:
            means = np.zeros((len(units), self.table.table.shape[1]), dtype=np.float32)
            for start in range(0, len(units), EMBED_CHUNK):  # bounded memory, however large
                part = units[start : start + EMBED_CHUNK]
                words = [[w for c in u.sentence_content for w in c] for u in part]
                means[start : start + len(part)] = self.table.embed_words(words, self._words)[0]
            # What all comments share, shrunk towards nothing in small threads: with two
            # comments the plain mean would make them exact opposites, however alike they are.
            shrink = len(units) / (len(units) + CENTRE_PRIOR)
            centre = means.mean(axis=0) * shrink if len(units) else np.zeros(means.shape[1])
            means -= centre
            dense = means
        return self._assemble(comment_tfidf, dense), SentenceRows(self, units, centre)

    def _counts(self, bags: Sequence[Sequence[str]]) -> Terms:
        vocabulary = self.vocabulary
        get = vocabulary.get
        total = sum(len(bag) for bag in bags)
        cols = np.fromiter((get(t, -1) for bag in bags for t in bag), dtype=np.int64, count=total)
        rows = np.repeat(np.arange(len(bags)), [len(bag) for bag in bags])
        known = cols >= 0
        rows, cols = rows[known], cols[known]
        shape = (len(bags), max(1, len(vocabulary)))
        if self.dense_terms:
            counts = np.zeros(shape, dtype=np.float32)
            np.add.at(counts, (rows, cols), 1.0)
            return counts
        # start-up: scipy.sparse, as above
        import scipy.sparse as sp

        matrix = sp.csr_matrix((np.ones(len(cols), dtype=np.float32), (rows, cols)), shape=shape)
        matrix.sum_duplicates()
        return matrix

    def rows(
        self,
        bags: Sequence[Sequence[str]],
        words: Sequence[Sequence[str]],
        centre: np.ndarray | None,
    ) -> Vectors:
        """Rows for texts given as their stems and their words."""
        tfidf = self._weigh(self._counts(bags))
        if self.table is None or centre is None:
            return self._assemble(tfidf, np.zeros((0, 0), dtype=np.float32))
        means, _tokens = self.table.embed_words(words, self._words)
        return self._assemble(tfidf, means - centre)

    def _weigh(self, counts: Terms) -> Terms:
        """Sublinear term frequency times IDF, rows of unit length times the TF-IDF weight."""
        if isinstance(counts, np.ndarray):
            present = counts > 0
            weighted = np.zeros_like(counts)
            weighted[present] = 1.0 + np.log(counts[present])
            return _unit_term_rows(weighted * self.idf[: counts.shape[1]], 1.0 - self.weight)
        counts = counts.copy()
        counts.data = 1.0 + np.log(counts.data)
        return _unit_term_rows(counts.multiply(self.idf[: counts.shape[1]]), 1.0 - self.weight)

    def _assemble(self, terms: Terms, dense: np.ndarray) -> Vectors:
        if dense.ndim != 2 or dense.shape[1] == 0:  # no embeddings for this language
            return Vectors(np.zeros((terms.shape[0], 0), dtype=np.float32), terms, 0.0)
        return Vectors(_rescale(dense, self.weight), terms, self.weight)
