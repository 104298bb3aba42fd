"""The viewpoints of a discussion: the points commenters make, each in one of their sentences.

A viewpoint is a key point (a short, real sentence of one member that states it), the comments
that make that point, their share of the discussion, a side of the article's claim where the
thread shows one, and further quotes. Comments of each language are read apart; a language too
rare in the thread to hold its own points is gathered into one group named by the language.

In a small thread every comment matters: one that shares its point with nobody stands as its own
viewpoint. In a large one, such comments are left unclassified rather than forced into a group.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np

from bot.brief import Quote, Viewpoint
from bot.text.language import UNDETERMINED, language_label
from bot.text.words import tokenize_words
from bot.thread import Comment, Thread
from bot.viewpoints import keypoints, stance
from bot.viewpoints.features import Preparer, SentenceRows, Space, Unit, Vectors

MIN_TERMS = 3
"""Comments with fewer content words than this ("+1", "so true") are left unclassified."""
SMALL_THREAD = 40
"""Up to this many comments in a language, a comment with a point of its own is a viewpoint."""
SMALL_JOIN = 0.05
"""In a small thread, comments left over join the group they are closest to above this
similarity, or each other (average link), rather than standing alone: with few comments, a point
is rarely made twice in the same words."""
MIN_LANGUAGE_GROUP = 4
"""A language needs this many comments to be grouped on its own; rarer ones are gathered."""
MAX_POINTS = 25
"""Key points per language at most: as many as a brief can page through."""
KEY_WORDS = (4, 25)
"""Words in a sentence that can state a key point: long enough to say something, short enough
to read at a glance."""

SENTENCE_CHUNK = 4096
"""Sentences vectorised at a time to rank a group's quotes, so memory stays bounded."""


@dataclass(frozen=True, slots=True)
class ViewpointResult:
    viewpoints: tuple[Viewpoint, ...]
    unclassified: tuple[str, ...]


@dataclass(frozen=True)
class _Language:
    """One language's comments, read: units, their vectors, and each one's side."""

    units: list[Unit]
    space: Space
    vectors: Vectors
    sentences: SentenceRows
    cues: np.ndarray
    preparer: Preparer


def _read(
    units: list[Unit], preparer: Preparer, title: str | None, parent_of: dict[str, str]
) -> _Language:
    space = Space(units, preparer.language)
    vectors, sentences = space.read(units)
    claim = stance.ClaimCue(title, preparer.language, tokenize_words, preparer.stem, preparer.stops)
    cues = [claim.restated(u.comment.own_text()) for u in units]
    position = {u.comment.id: i for i, u in enumerate(units)}
    parents = [position.get(parent_of.get(u.comment.id, "")) for u in units]
    relations = [stance.reply_relation(u.comment.own_text()) for u in units]
    stance.propagate(cues, parents, relations)
    return _Language(units, space, vectors, sentences, np.asarray(cues, dtype=np.int64), preparer)


def _candidates(read: _Language) -> tuple[list[tuple[int, int]], np.ndarray]:
    """Sentences that could state a key point, and their comments."""
    low, high = KEY_WORDS
    spots = [
        (i, k)
        for i, u in enumerate(read.units)
        for k, words in enumerate(u.sentence_words)
        if low <= words <= high and u.sentence_terms[k]
    ]
    return spots, np.asarray([i for i, _ in spots], dtype=np.int64)


def _key_points(read: _Language, small: bool) -> tuple[keypoints.Groups, list[int]]:
    """Groups of comments around key points, and the comments left over."""
    n = len(read.units)
    spots, owners = _candidates(read)
    keep = keypoints.shortlist(
        read.vectors, len(spots), lambda rows: read.sentences.take([spots[r] for r in rows])
    )
    vectors, owners = read.sentences.take([spots[r] for r in keep]), owners[keep]
    chosen = keypoints.choose(
        read.vectors, vectors, owners, read.cues, min_size=2 if small else 3, limit=MAX_POINTS
    )
    seeds = vectors.take(chosen)
    groups = keypoints.gather(read.vectors, seeds, read.cues, read.cues[owners[chosen]])
    placed = np.zeros(n, dtype=bool)
    for m in groups.members:
        placed[m] = True
    return groups, [int(i) for i in np.flatnonzero(~placed)]


def _ranked_sentences(
    read: _Language, members: np.ndarray, centre: Vectors
) -> list[tuple[float, int, int]]:
    """Members' sentences by closeness to the group's centre, readable lengths first."""
    low, high = KEY_WORDS
    spots = [
        (int(i), k)
        for i in members
        for k, terms in enumerate(read.units[i].sentence_terms)
        if terms and read.units[i].sentence_words[k] >= 3
    ]
    if not spots:
        return []
    # A chunk of sentences at a time: a large group has tens of thousands.
    closeness = np.concatenate(
        [
            read.sentences.take(spots[start : start + SENTENCE_CHUNK]).dot(centre).ravel()
            for start in range(0, len(spots), SENTENCE_CHUNK)
        ]
    )
    ranked = []
    for (i, k), c in zip(spots, closeness, strict=True):
        words = read.units[i].sentence_words[k]
        fit = 1.0 if low <= words <= high else (0.7 if words < low else high / words)
        ranked.append((float(c) * fit, i, k))
    ranked.sort(key=lambda r: (-r[0], r[1], r[2]))
    return ranked


def _quotes(read: _Language, members: np.ndarray, centre: Vectors, count: int) -> tuple[Quote, ...]:
    """The key sentence first, then the next closest sentences of other members, never repeats."""
    chosen: list[tuple[int, int]] = []
    used: set[int] = set()
    for _score, i, k in _ranked_sentences(read, members, centre):
        if len(chosen) == count:
            break
        bag = set(read.units[i].sentence_terms[k])
        if i in used or any(
            _jaccard(bag, set(read.units[j].sentence_terms[m])) > 0.5 for j, m in chosen
        ):
            continue
        chosen.append((i, k))
        used.add(i)
    if not chosen:
        first = next((int(i) for i in members if read.units[i].sentences), None)
        if first is not None:
            chosen.append((first, 0))
    return tuple(
        Quote(
            text=read.units[i].sentences[k],
            comment_id=read.units[i].comment.id,
            author=read.units[i].comment.author,
            url=read.units[i].comment.url,
        )
        for i, k in chosen
    )


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a | b) and len(a & b) / len(a | b)


def _label(read: _Language, members: np.ndarray, size: int) -> str:
    """The group's most distinctive terms, as the words its members wrote."""
    counts: Counter[str] = Counter()
    for i in members:
        counts.update(set(read.units[i].terms))
    idf = read.space.idf
    vocabulary = read.space.vocabulary
    top = sorted(
        counts, key=lambda t: (-counts[t] * float(idf[vocabulary[t]]) if t in vocabulary else 0, t)
    )[:size]
    written: dict[str, Counter[str]] = defaultdict(Counter)
    wanted = set(top)
    for i in members:
        for term, word in read.units[i].surface:
            if term in wanted:
                written[term][word] += 1
    return ", ".join(_most_written(written[t]) if written[t] else t for t in top)


def _most_written(words: Counter[str]) -> str:
    """The spelling most members used; ties go to the shorter, then the first in order, so the
    label never depends on the order members were read in."""
    return min(words, key=lambda w: (-words[w], len(w), w))


def _central_first(read: _Language, members: np.ndarray, centre: Vectors) -> np.ndarray:
    closeness = read.vectors.take(members).dot(centre).ravel()
    return members[np.argsort(-closeness, kind="stable")]


_SIDES = {stance.FOR: "for", stance.AGAINST: "against"}


def _viewpoint(
    read: _Language,
    members: np.ndarray,
    centre: Vectors,
    side: int,
    total: int,
    quotes: int,
    language: str | None,
) -> Viewpoint:
    members = _central_first(read, members, centre)
    comments = [read.units[i].comment for i in members]
    label = _label(read, members, 3)
    if language is not None:
        label = f"in {language_label(language)}" + (f": {label}" if label else "")
    scores = [c.score for c in comments if c.score is not None]
    return Viewpoint(
        label=label or "other remarks",
        comment_ids=tuple(c.id for c in comments),
        authors=len({c.author for c in comments if c.author}),
        share=len(comments) / total if total else 0.0,
        quotes=_quotes(read, members, centre, quotes),
        language=language,
        score=sum(scores) if scores else None,
        side=_SIDES.get(side),
    )


def _weight(viewpoint: Viewpoint) -> float:
    bonus = math.log1p(max(viewpoint.score or 0, 0)) if viewpoint.score is not None else 0.0
    return viewpoint.size + 0.5 * bonus


def _join_nearest(
    read: _Language, groups: keypoints.Groups, left: list[int]
) -> tuple[list[np.ndarray], list[int]]:
    """Small threads: each comment left over joins its nearest group if close enough."""
    if not groups.members or not left:
        return list(groups.members), left
    closeness = read.vectors.take(left).dot(groups.centres)
    opposed = read.cues[left][:, None] * groups.sides[None, :] < 0
    closeness[opposed] = -np.inf  # never counted with the other side
    nearest = closeness.argmax(axis=1)
    joins = closeness.max(axis=1) >= SMALL_JOIN
    members = [
        np.sort(
            np.concatenate([m, [i for r, i in enumerate(left) if joins[r] and nearest[r] == j]])
        ).astype(np.int64)
        for j, m in enumerate(groups.members)
    ]
    return members, [i for r, i in enumerate(left) if not joins[r]]


def _opposite_members(read: _Language, left: list[int], a: list[int], b: list[int]) -> bool:
    """Some member of one group clearly takes the side opposite to a member of the other."""
    cues_a = {int(read.cues[left[k]]) for k in a} - {0}
    cues_b = {int(read.cues[left[k]]) for k in b} - {0}
    return any(x * y < 0 for x in cues_a for y in cues_b)


def _merge_small(read: _Language, left: list[int]) -> list[np.ndarray]:
    """Average-link merging of a small thread's leftovers: join the two closest groups until
    none is close enough. Quadratic, but only ever over `SMALL_THREAD` comments."""
    if not left:
        return []
    similarity = read.vectors.take(left).dot(read.vectors.take(left))
    groups: list[list[int]] = [[k] for k in range(len(left))]
    while len(groups) > 1:
        best, pair = SMALL_JOIN, None
        sides = [keypoints.side_of(read.cues[[left[k] for k in g]]) for g in groups]
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                if sides[a] * sides[b] < 0 or _opposite_members(read, left, groups[a], groups[b]):
                    continue
                link = float(similarity[np.ix_(groups[a], groups[b])].mean())
                if link >= best:
                    best, pair = link, (a, b)
        if pair is None:
            break
        a, b = pair
        groups[a] = groups[a] + groups.pop(b)
    return [np.asarray(sorted(left[k] for k in g), dtype=np.int64) for g in groups]


def _language_viewpoints(
    read: _Language, total: int, quotes: int, tag: str | None
) -> tuple[list[Viewpoint], list[Vectors], list[str]]:
    small = len(read.units) <= SMALL_THREAD
    groups, left = _key_points(read, small)
    grouped = list(groups.members)
    if small:
        grouped, left = _join_nearest(read, groups, left)
    rest = _merge_small(read, left) if small else []
    members_of = [*grouped, *rest]
    sides = [*(int(s) for s in groups.sides), *(keypoints.side_of(read.cues[m]) for m in rest)]
    found: list[Viewpoint] = []
    centres: list[Vectors] = []
    for members, side in zip(members_of, sides, strict=True):
        centre = read.vectors.centroids([members])
        found.append(_viewpoint(read, members, centre, side, total, quotes, tag))
        centres.append(centre)
    unclassified = [] if small else [read.units[i].comment.id for i in left]
    return found, centres, unclassified


def _order(found: list[Viewpoint], centres: list[Vectors]) -> list[Viewpoint]:
    """Heaviest first, near-repeats of a heavier point after the distinct ones (per language)."""
    if len(found) < 2:
        return found
    stacked = Vectors.stack(centres)
    weights = np.asarray([_weight(v) for v in found])
    return [found[j] for j in keypoints.distinct_order(weights, stacked)]


def find_viewpoints(thread: Thread, *, main_language: str, quotes: int = 2) -> ViewpointResult:
    """Every discussion comment ends up in exactly one viewpoint or in `unclassified`.

    All viewpoints are returned, the heaviest distinct points first: renderers show the first
    few and page to the rest.
    """
    discussion = list(thread.discussion())
    total = len(discussion)
    title = thread.article.title if thread.article else None
    parent_of = {c.id: c.parent_id for c in discussion if c.parent_id}
    by_language: dict[str, list[Comment]] = defaultdict(list)
    for comment in discussion:
        language = comment.language or main_language
        by_language[main_language if language == UNDETERMINED else language].append(comment)

    viewpoints: list[Viewpoint] = []
    unclassified: list[str] = []
    gathered: dict[str, tuple[Preparer, list[Unit]]] = {}
    for language, comments in by_language.items():
        # Each comment is split, tokenised and stemmed once; those too short to place are
        # set aside before any vector is made.
        preparer = Preparer(language, title)
        units = [preparer.unit(c) for c in comments]
        kept = [u for u in units if u.content_words >= MIN_TERMS and u.has_terms]
        unclassified.extend(
            u.comment.id for u in units if u.content_words < MIN_TERMS or not u.has_terms
        )
        if not kept:
            continue
        if language != main_language and len(kept) < MIN_LANGUAGE_GROUP:
            gathered.setdefault(language, (preparer, []))[1].extend(kept)
            continue
        read = _read(kept, preparer, title, parent_of)
        tag = language if language != main_language else None
        found, centres, left = _language_viewpoints(read, total, quotes, tag)
        viewpoints.extend(_order(found, centres))
        unclassified.extend(left)
    for language, (preparer, units) in gathered.items():
        read = _read(units, preparer, title, parent_of)
        members = np.arange(len(read.units))
        centre = read.vectors.centroids([members])
        viewpoints.append(_viewpoint(read, members, centre, 0, total, quotes, language))
    main = [v for v in viewpoints if v.language is None]
    other = sorted((v for v in viewpoints if v.language is not None), key=_weight, reverse=True)
    return ViewpointResult(tuple(_interleave(main, other)), tuple(unclassified))


def _interleave(main: list[Viewpoint], other: list[Viewpoint]) -> list[Viewpoint]:
    """The main language's points in their order, other languages' groups placed by weight."""
    result: list[Viewpoint] = []
    queue = list(other)
    for v in main:
        while queue and _weight(queue[0]) > _weight(v):
            result.append(queue.pop(0))
        result.append(v)
    return result + queue
