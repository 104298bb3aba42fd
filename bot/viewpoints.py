"""Group comments by what they argue, and quote each group's most representative sentences.

Comments become TF-IDF vectors of their own words (quotations and signatures left out), stemmed
with the rules of each comment's language. Comments of one language are grouped together:
average-link merging for small threads, where every comment matters; spherical k-means over sparse
vectors for large ones, so grouping grows linearly with the thread. Comments in a language too rare
in the thread to form groups of their own are gathered into one group labelled with the language.

A group's quotes are sentences of its members closest to the group's centre, each from a different
comment and never near-duplicates of one another.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from bot.brief import Quote, Viewpoint
from bot.text.language import UNDETERMINED
from bot.text.sentences import split_sentences
from bot.text.words import stemmer, stop_words, tokenize_words
from bot.thread import Comment, Thread

MIN_TERMS = 3
"""Comments with fewer content words than this ("+1", "so true") are left unclassified."""
SMALL_THREAD = 40
"""Up to this many comments in a language, groups are formed by pairwise merging."""
MERGE_SIMILARITY = 0.08
"""Average cosine similarity above which two small-thread groups are merged."""
MIN_LANGUAGE_GROUP = 4
"""A language needs this many comments to be grouped on its own; rarer ones are gathered."""

_LANGUAGE_LABELS = {
    "ar": "Arabic", "cs": "Czech", "da": "Danish", "de": "German", "el": "Greek",
    "en": "English", "es": "Spanish", "fi": "Finnish", "fr": "French", "he": "Hebrew",
    "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "ja": "Japanese", "ko": "Korean",
    "nl": "Dutch", "no": "Norwegian", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian",
    "ru": "Russian", "sk": "Slovak", "sv": "Swedish", "th": "Thai", "tr": "Turkish",
    "uk": "Ukrainian", "zh": "Chinese", UNDETERMINED: "another language",
}  # fmt: skip


def language_label(code: str) -> str:
    return _LANGUAGE_LABELS.get(code, code)


@dataclass(frozen=True, slots=True)
class ViewpointResult:
    viewpoints: tuple[Viewpoint, ...]
    unclassified: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Unit:
    """A comment prepared for grouping: its sentences and their stemmed content words."""

    comment: Comment
    language: str
    sentences: tuple[str, ...]
    sentence_terms: tuple[tuple[str, ...], ...]
    surface: tuple[tuple[str, str], ...]
    """(stem, word as written, lowercased) for each content word, to label groups."""

    @property
    def terms(self) -> list[str]:
        return [t for terms in self.sentence_terms for t in terms]


def _prepare(comment: Comment, main_language: str) -> _Unit:
    language = comment.language or main_language
    if language == UNDETERMINED:
        language = main_language
    stem = stemmer(language)
    stops = stop_words(language)
    sentences = tuple(
        s for p in comment.own_text().split("\n\n") for s in split_sentences(p, language)
    )
    surface: list[tuple[str, str]] = []
    sentence_terms = []
    for sentence in sentences:
        terms = []
        for word in tokenize_words(sentence):
            lowered = word.lower()
            if len(word) > 2 and lowered not in stops:
                terms.append(stem(word))
                surface.append((terms[-1], lowered))
        sentence_terms.append(tuple(terms))
    return _Unit(comment, language, sentences, tuple(sentence_terms), tuple(surface))


class _Vectors:
    """Sublinear TF-IDF over one language's comments, L2-normalised rows."""

    def __init__(self, units: Sequence[_Unit]) -> None:
        self.vocabulary: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for i, unit in enumerate(units):
            for term, n in Counter(unit.terms).items():
                j = self.vocabulary.setdefault(term, len(self.vocabulary))
                rows.append(i)
                cols.append(j)
                vals.append(1.0 + math.log(n))
        shape = (len(units), max(1, len(self.vocabulary)))
        tf = sp.csr_matrix((vals, (rows, cols)), shape=shape, dtype=np.float64)
        df = np.bincount(cols, minlength=shape[1]).astype(np.float64)
        self.idf = np.log((1.0 + len(units)) / (1.0 + df)) + 1.0
        self.matrix = _normalise(tf.multiply(self.idf).tocsr())

    def cosine(self, terms: Sequence[str], centre: np.ndarray) -> float:
        """Cosine of a bag of terms (a sentence) with a unit vector in this vocabulary.

        Plain Python over the sentence's few terms: building a sparse row per sentence costs
        a hundred times more.
        """
        weights = {
            j: (1.0 + math.log(n)) * float(self.idf[j])
            for t, n in Counter(terms).items()
            if (j := self.vocabulary.get(t)) is not None
        }
        norm = math.sqrt(sum(w * w for w in weights.values()))
        if not norm:
            return 0.0
        return sum(w * float(centre[j]) for j, w in weights.items()) / norm


def _normalise(matrix: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ matrix)


def _merge_small(similarity: np.ndarray) -> list[list[int]]:
    """Average-link merging: join the two closest groups until none is close enough."""
    groups: list[list[int]] = [[i] for i in range(similarity.shape[0])]
    while len(groups) > 1:
        best, pair = MERGE_SIMILARITY, None
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                link = float(similarity[np.ix_(groups[a], groups[b])].mean())
                if link > best:
                    best, pair = link, (a, b)
        if pair is None:
            break
        a, b = pair
        groups[a] = groups[a] + groups.pop(b)
    return groups


def _kmeans(matrix: sp.csr_matrix, k: int, seed: int = 7, rounds: int = 12) -> list[list[int]]:
    """Spherical k-means with k-means++ seeding; linear in the number of comments per round."""
    n = matrix.shape[0]
    rng = np.random.default_rng(seed)
    first = int(rng.integers(n))
    centres = [matrix[first].toarray().ravel()]
    closest = 1.0 - (matrix @ centres[0])
    for _ in range(1, k):
        weights = np.clip(closest, 0.0, None) ** 2
        total = weights.sum()
        pick = int(rng.choice(n, p=weights / total)) if total > 0 else int(rng.integers(n))
        centres.append(matrix[pick].toarray().ravel())
        closest = np.minimum(closest, 1.0 - (matrix @ centres[-1]))
    c = np.vstack(centres)
    labels = np.zeros(n, dtype=np.int64)
    for _ in range(rounds):
        new_labels = np.asarray((matrix @ c.T).argmax(axis=1)).ravel()
        if _ > 0 and np.array_equal(new_labels, labels):
            break
        labels = new_labels
        for j in range(k):
            members = labels == j
            if members.any():
                centre = np.asarray(matrix[members].sum(axis=0)).ravel()
                norm = np.linalg.norm(centre)
                c[j] = centre / norm if norm else centre
    return [list(np.flatnonzero(labels == j)) for j in range(k) if (labels == j).any()]


def _group(vectors: _Vectors) -> list[list[int]]:
    n = vectors.matrix.shape[0]
    if n <= SMALL_THREAD:
        similarity = (vectors.matrix @ vectors.matrix.T).toarray()
        return _merge_small(similarity)
    k = min(24, max(2, round(math.sqrt(n / 2))))
    return _kmeans(vectors.matrix, k)


def _label(vectors: _Vectors, members: Sequence[int], units: Sequence[_Unit], size: int) -> str:
    """The group's most distinctive terms, shown as the words commenters wrote."""
    centre = np.asarray(vectors.matrix[list(members)].sum(axis=0)).ravel()
    inverse = {j: t for t, j in vectors.vocabulary.items()}
    top = [inverse[j] for j in np.argsort(-centre)[:size] if centre[j] > 0]
    surface: dict[str, Counter[str]] = defaultdict(Counter)
    wanted = set(top)
    for i in members:
        for term, word in units[i].surface:
            if term in wanted:
                surface[term][word] += 1
    return ", ".join(surface[t].most_common(1)[0][0] if surface[t] else t for t in top)


def _quotes(
    vectors: _Vectors, members: Sequence[int], units: Sequence[_Unit], count: int
) -> tuple[Quote, ...]:
    """Sentences closest to the group's centre, one per comment, never near-duplicates."""
    centre = np.asarray(vectors.matrix[list(members)].sum(axis=0)).ravel()
    norm = np.linalg.norm(centre)
    if norm:
        centre = centre / norm
    candidates: list[tuple[float, int, int]] = []
    for i in members:
        unit = units[i]
        for k, terms in enumerate(unit.sentence_terms):
            words = len(unit.sentences[k].split())
            if not terms or words < 4:
                continue
            score = vectors.cosine(terms, centre)
            # Prefer sentences of a readable length: very long ones crowd out the rest.
            score *= 1.0 if words <= 45 else 45.0 / words
            candidates.append((score, i, k))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    chosen: list[tuple[int, int]] = []
    used_comments: set[int] = set()
    for _score, i, k in candidates:
        if len(chosen) == count:
            break
        bag = set(units[i].sentence_terms[k])
        if i in used_comments or any(
            _jaccard(bag, set(units[j].sentence_terms[m])) > 0.5 for j, m in chosen
        ):
            continue
        chosen.append((i, k))
        used_comments.add(i)
    if not chosen:  # every sentence too short: quote the first sentence of the most central
        i = members[0]
        if units[i].sentences:
            chosen.append((i, 0))
    return tuple(
        Quote(
            text=units[i].sentences[k],
            comment_id=units[i].comment.id,
            author=units[i].comment.author,
            url=units[i].comment.url,
        )
        for i, k in chosen
    )


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def _central_first(vectors: _Vectors, members: list[int]) -> list[int]:
    centre = np.asarray(vectors.matrix[members].sum(axis=0)).ravel()
    closeness = vectors.matrix[members] @ centre
    return [members[i] for i in np.argsort(-closeness, kind="stable")]


def _viewpoint(
    units: Sequence[_Unit],
    vectors: _Vectors,
    members: list[int],
    total: int,
    quotes: int,
    language: str | None,
) -> Viewpoint:
    members = _central_first(vectors, members)
    comments = [units[i].comment for i in members]
    label = _label(vectors, members, units, 3)
    if language is not None:
        label = f"in {language_label(language)}" + (f": {label}" if label else "")
    scores = [c.score for c in comments if c.score is not None]
    return Viewpoint(
        label=label or "other remarks",
        comment_ids=tuple(c.id for c in comments),
        authors=len({c.author for c in comments if c.author}),
        share=len(comments) / total if total else 0.0,
        quotes=_quotes(vectors, members, units, quotes),
        language=language,
        score=sum(scores) if scores else None,
    )


def _weight(viewpoint: Viewpoint) -> tuple[float, float]:
    bonus = math.log1p(max(viewpoint.score or 0, 0)) if viewpoint.score is not None else 0.0
    return (viewpoint.size + 0.5 * bonus, -len(viewpoint.label))


def find_viewpoints(thread: Thread, *, main_language: str, quotes: int = 2) -> ViewpointResult:
    """Every discussion comment ends up in exactly one viewpoint or in `unclassified`.

    All groups are returned, heaviest first: renderers show the first few and page to the rest.
    """
    discussion = list(thread.discussion())
    total = len(discussion)
    units = [_prepare(c, main_language) for c in discussion]
    unclassified = [u.comment.id for u in units if len(u.terms) < MIN_TERMS]
    by_language: dict[str, list[_Unit]] = defaultdict(list)
    for unit in units:
        if len(unit.terms) >= MIN_TERMS:
            by_language[unit.language].append(unit)

    viewpoints: list[Viewpoint] = []
    gathered: list[_Unit] = []
    for language, group in by_language.items():
        if language != main_language and len(group) < MIN_LANGUAGE_GROUP:
            gathered.extend(group)
            continue
        vectors = _Vectors(group)
        for members in _group(vectors):
            tag = language if language != main_language else None
            viewpoints.append(_viewpoint(group, vectors, members, total, quotes, tag))
    for language, group in _by_language(gathered).items():
        vectors = _Vectors(group)
        viewpoints.append(
            _viewpoint(group, vectors, list(range(len(group))), total, quotes, language)
        )
    viewpoints.sort(key=_weight, reverse=True)
    return ViewpointResult(tuple(viewpoints), tuple(unclassified))


def _by_language(units: Sequence[_Unit]) -> dict[str, list[_Unit]]:
    grouped: dict[str, list[_Unit]] = defaultdict(list)
    for unit in units:
        grouped[unit.language].append(unit)
    return grouped
