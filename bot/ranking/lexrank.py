"""LexRank over sparse matrices: sumy's algorithm, in time that grows with the graph's edges.

sumy computes the idf-modified cosine of every pair of sentences in Python (n^2 pairs, 110 s for
3,000 sentences). Here the TF-IDF rows are a sparse matrix, the cosines come from one sparse
product per block of rows, and only the edges above the threshold are kept; the power method is
sumy's own (L2-normalised iterations until the step is at most epsilon). A small graph (an
article's sentences) is computed with dense arrays instead, which spares a brief the import of
scipy (a quarter of a second, more than the ranking itself).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from bot.ranking.base import Summarizer
from bot.ranking.counts import best_sentences

if TYPE_CHECKING:
    import scipy.sparse as sp

THRESHOLD = 0.1
EPSILON = 0.1
_BLOCK = 1024
DENSE_CELLS = 250_000
"""Sentences x vocabulary up to which the TF-IDF rows are a dense array: an article's few hundred
sentences, whose dense products cost less than importing scipy."""


def _tfidf(token_lists: Sequence[Sequence[str]]) -> np.ndarray | sp.csr_matrix:
    """Rows of tf (count / the sentence's largest count) times idf = log(n / (1 + df)).

    Terms are numbered in a single pass; counting, the largest count of each row and the
    document frequencies are array operations over the (sentence, term) pairs.
    """
    n = len(token_lists)
    vocabulary: dict[str, int] = {}
    ids = np.fromiter(
        (vocabulary.setdefault(t, len(vocabulary)) for tokens in token_lists for t in tokens),
        dtype=np.int64,
    )
    size = len(vocabulary)
    if size:
        lengths = np.fromiter(map(len, token_lists), dtype=np.int64, count=n)
        pairs, counts = np.unique(np.repeat(np.arange(n), lengths) * size + ids, return_counts=True)
        row_ids, col_ids = np.divmod(pairs, size)
        starts = np.flatnonzero(np.r_[True, row_ids[1:] != row_ids[:-1]])
        tops = np.maximum.reduceat(counts, starts)
        top = np.repeat(tops, np.diff(np.r_[starts, len(row_ids)]))
        idf = np.log(n / (1.0 + np.bincount(col_ids, minlength=size)))
        values = counts / top * idf[col_ids]
        rows, cols = row_ids, col_ids
    else:
        rows = cols = np.zeros(0, dtype=np.int64)
        values = np.zeros(0)
    shape = (n, max(1, len(vocabulary)))
    if shape[0] * shape[1] <= DENSE_CELLS:
        dense = np.zeros(shape)
        dense[rows, cols] = values
        return dense
    # start-up: scipy.sparse costs 0.18 s over numpy; only large texts need it
    import scipy.sparse as sp

    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    return sp.csr_matrix((values, cols, indptr), shape=shape)  # pairs come sorted by row


def _adjacency(weights: np.ndarray | sp.csr_matrix, threshold: float) -> np.ndarray | sp.csr_matrix:
    """Edges where the idf-modified cosine exceeds the threshold, block by block of rows."""
    if isinstance(weights, np.ndarray):
        norms = np.sqrt((weights * weights).sum(axis=1))
        inverse = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
        unit = weights * inverse[:, None]
        return np.asarray(unit @ unit.T > threshold, dtype=np.float64)
    # start-up: scipy.sparse, as above
    import scipy.sparse as sp

    # Unit rows, scaled in place of a diagonal product; the transpose is made row-major once,
    # so that no block's product converts it again.
    norms = np.sqrt(np.asarray(weights.multiply(weights).sum(axis=1)).ravel())
    inverse = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    unit = weights.copy()
    unit.data *= np.repeat(inverse, np.diff(unit.indptr))
    unit_t = unit.T.tocsr()
    n = unit.shape[0]
    columns: list[np.ndarray] = []
    counts: list[np.ndarray] = []
    for start in range(0, n, _BLOCK):
        cosine = unit[start : start + _BLOCK] @ unit_t
        keep = cosine.data > threshold
        columns.append(cosine.indices[keep])
        # Edges kept per row: a sum over each non-empty row's slice (reduceat needs them apart).
        kept = np.zeros(cosine.shape[0], dtype=np.int64)
        filled = np.diff(cosine.indptr) > 0
        if filled.any():
            starts = cosine.indptr[:-1][filled]
            kept[filled] = np.add.reduceat(keep.view(np.uint8), starts, dtype=np.int64)
        counts.append(kept)
    indices = np.concatenate(columns) if columns else np.zeros(0, dtype=np.int32)
    indptr = np.zeros(n + 1, dtype=np.int64)
    if counts:
        np.cumsum(np.concatenate(counts), out=indptr[1:])
    return sp.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(n, n))


MAX_GRAPH = 1000
"""Sentences in one similarity graph at most. Where the vocabulary is small nearly every pair of
sentences is an edge, so the graph is n x n however sparse its storage: past this size the
sentences are ranked in consecutive windows of this many, which keeps time and memory linear."""


def lexrank_scores(
    token_lists: Sequence[Sequence[str]],
    *,
    threshold: float = THRESHOLD,
    epsilon: float = EPSILON,
    max_graph: int = MAX_GRAPH,
) -> np.ndarray:
    """LexRank centrality of each sentence, given its stemmed, stop-word-free tokens.

    Up to `max_graph` sentences this is sumy's LexRank. Past it, each window of `max_graph`
    consecutive sentences is its own graph, and its scores are put on the scale of the whole
    (a window's uniform vector scores as the whole's would).
    """
    n = len(token_lists)
    if n == 0:
        return np.zeros(0)
    if n > max_graph:
        parts = []
        for start in range(0, n, max_graph):
            window = token_lists[start : start + max_graph]
            scores = _lexrank(window, threshold, epsilon)
            parts.append(scores * np.sqrt(len(window) / n))
        return np.concatenate(parts)
    return _lexrank(token_lists, threshold, epsilon)


def _lexrank(token_lists: Sequence[Sequence[str]], threshold: float, epsilon: float) -> np.ndarray:
    n = len(token_lists)
    adjacency = _adjacency(_tfidf(token_lists), threshold)
    degrees = np.asarray(adjacency.sum(axis=1)).ravel()
    degrees[degrees == 0] = 1.0
    if isinstance(adjacency, np.ndarray):
        transition_t: Any = np.ascontiguousarray((adjacency / degrees[:, None]).T)

        def step_of(p: np.ndarray) -> np.ndarray:
            return np.asarray(transition_t @ p)
    else:
        # The cosine is symmetric, so the transition's transpose times p is the adjacency times
        # p over the degrees: no transition matrix is built.
        inverse_degrees = 1.0 / degrees

        def step_of(p: np.ndarray) -> np.ndarray:
            return np.asarray(adjacency @ (p * inverse_degrees))

    p = np.full(n, 1.0 / n)
    step = 1.0
    while step > epsilon:
        following = step_of(p)
        norm = np.linalg.norm(following)
        if norm == 0:  # no sentence has a content word: every sentence is as central
            return p
        following /= norm
        step = float(np.linalg.norm(following - p))
        p = following
    return p


class LexRankSummarizer(Summarizer):
    """sumy's `LexRankSummarizer`, same interface and same selection."""

    threshold = THRESHOLD
    epsilon = EPSILON

    def tokens(self, words: Iterable[str]) -> list[str]:
        lowered = (w.lower() for w in words)
        return [self._stemmer(w) for w in lowered if w not in self._stop_words]

    def document_tokens(self, sentences: Iterable[Iterable[str]]) -> list[list[str]]:
        """`tokens` of each sentence, each distinct word looked at once ('' marks a stop word)."""
        memo: dict[str, str] = {}
        stop_words, stemmer = self._stop_words, self._stemmer

        def token(word: str) -> str:
            lowered = word.lower()
            memo[word] = found = "" if lowered in stop_words else stemmer(lowered)
            return found

        return [
            [t for t in (memo[w] if w in memo else token(w) for w in words) if t]
            for words in sentences
        ]

    def __call__(self, document: Any, sentences_count: int | str) -> tuple[Any, ...]:
        sentences = list(document.sentences)
        if not sentences:
            return ()
        scores = lexrank_scores(
            self.document_tokens(s.words for s in sentences),
            threshold=self.threshold,
            epsilon=self.epsilon,
            # sumy's graph, whole: the article is cut to size before it gets here (summarize.py).
            max_graph=len(sentences),
        )
        # sumy rates through a dict keyed by sentence: a repeated sentence takes its last score.
        last = {s: float(score) for s, score in zip(sentences, scores, strict=True)}
        return best_sentences(sentences, [last[s] for s in sentences], sentences_count)
