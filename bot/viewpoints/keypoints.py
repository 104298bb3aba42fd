"""Choose the key points of a discussion: real sentences that many comments make, each distinct.

The method of key-point analysis: every short sentence of a comment is a candidate statement of a
point. Greedily, the candidate that the most not-yet-covered comments match becomes a key point,
and candidates close to a chosen one are struck off, so no two key points make the same point.
Comments then gather around the key points (nearest one, if near enough), and each group's
centre is refined a few times as in k-means. A comment with a clear side is never counted for a
candidate or a group of the other side.

Every step is a product of the comments against at most `MAX_CANDIDATES` candidates or the key
points, so time and memory grow linearly with the thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from bot.viewpoints.features import Vectors

MATCH = 0.4
"""Similarity at which a comment counts as making a candidate's point."""
SAME_POINT = 0.3
"""Similarity at which a candidate makes the same point as a chosen key point."""
GATHER = 0.25
"""Similarity to a key point's centre needed to join its group; below it, unclassified."""
ROUNDS = 3
MAX_CANDIDATES = 400
PROBES = 600
"""Comments sampled to rank candidates when a thread has more than `MAX_CANDIDATES`."""
CHUNK = 2048


@dataclass(frozen=True)
class Groups:
    members: tuple[np.ndarray, ...]
    """Comment indices of each key point's group."""
    centres: Vectors
    sides: np.ndarray
    """Each group's side (+1, -1, 0 unknown) by its members' cues."""


def _opposed(cues: np.ndarray, sides: np.ndarray) -> np.ndarray:
    return np.asarray((cues[:, None] * sides[None, :]) < 0)


def shortlist(
    comments: Vectors, m: int, build: Callable[[np.ndarray], Vectors], seed: int = 11
) -> np.ndarray:
    """Indices of the `m` candidates most comments match, at most `MAX_CANDIDATES`.

    Candidates are vectorised a chunk at a time (`build`) and scored against a sample of the
    comments, so memory stays bounded however many sentences the thread has.
    """
    if m <= MAX_CANDIDATES:
        return np.arange(m)
    rng = np.random.default_rng(seed)
    n = len(comments)
    probes = comments.take(np.sort(rng.choice(n, size=min(n, PROBES), replace=False)))
    counts = np.zeros(m, dtype=np.int64)
    for start in range(0, m, CHUNK):
        rows = np.arange(start, min(m, start + CHUNK))
        counts[rows] = (probes.dot(build(rows)) >= MATCH).sum(axis=0)
    return np.sort(np.argsort(-counts, kind="stable")[:MAX_CANDIDATES])


def choose(
    comments: Vectors,
    candidates: Vectors,
    owners: np.ndarray,
    cues: np.ndarray,
    *,
    min_size: int,
    limit: int,
) -> list[int]:
    """Candidates chosen as key points, in the order chosen (most comments first)."""
    if not len(candidates) or not len(comments):
        return []
    hits = np.zeros((len(comments), len(candidates)), dtype=bool)
    sides = cues[owners]
    for start in range(0, len(comments), CHUNK):  # a chunk of comments at a time: bounded memory
        rows = np.arange(start, min(len(comments), start + CHUNK))
        hits[rows] = (comments.take(rows).dot(candidates) >= MATCH) & ~_opposed(cues[rows], sides)
    struck = np.zeros(len(candidates), dtype=bool)
    same = candidates.dot(candidates) >= SAME_POINT
    covered = np.zeros(len(comments), dtype=bool)
    chosen: list[int] = []
    while len(chosen) < limit:
        gain = hits[~covered].sum(axis=0)
        gain[struck] = -1
        best = int(np.argmax(gain))
        if gain[best] < min_size:
            break
        chosen.append(best)
        covered |= hits[:, best]
        struck |= same[best]
    return chosen


def gather(comments: Vectors, seeds: Vectors, cues: np.ndarray, seed_sides: np.ndarray) -> Groups:
    """Comments around the key points, refined: each group's centre becomes its members' mean.

    A group starts on its key sentence's side, so a comment of the other side never joins it.
    """
    similar = comments.dot(seeds)
    sides = np.asarray(seed_sides, dtype=np.int64)
    centres = seeds
    members: list[np.ndarray] = []
    for _ in range(ROUNDS + 1):
        adjusted = np.where(_opposed(cues, sides), -np.inf, similar)
        best = adjusted.argmax(axis=1) if adjusted.shape[1] else np.zeros(0, dtype=np.int64)
        near = adjusted.max(axis=1) >= GATHER if adjusted.shape[1] else best.astype(bool)
        members = [np.flatnonzero(near & (best == j)) for j in range(adjusted.shape[1])]
        members = [m for m in members if len(m)]
        if not members:
            break
        kept = [j for j in range(adjusted.shape[1]) if (near & (best == j)).any()]
        centres = comments.centroids(members)
        sides = np.array(
            [side_of(cues[m]) or int(sides[j]) for j, m in zip(kept, members, strict=True)],
            dtype=np.int64,
        )
        similar = comments.dot(centres)
    return Groups(tuple(members), centres.take(np.arange(len(members))), sides)


def side_of(cues: np.ndarray) -> int:
    """The side at least two members and three quarters of those with a side take."""
    decided = cues[cues != 0]
    total = int(decided.sum())
    if abs(total) >= 2 and max((decided > 0).sum(), (decided < 0).sum()) >= 0.75 * len(decided):
        return 1 if total > 0 else -1
    return 0


def distinct_order(weights: np.ndarray, centres: Vectors, penalty: float = 2.0) -> list[int]:
    """Heaviest first, except that a group close to one already placed waits its turn.

    A group's weight is discounted by its closeness to the groups before it, so the first few
    shown are distinct points, and a near-repeat of a heavier point comes after them.
    """
    left = list(range(len(weights)))
    if len(left) < 2:
        return left
    closeness = np.clip(centres.dot(centres), 0.0, None)
    order: list[int] = []
    nearest = np.zeros(len(weights), dtype=np.float64)
    while left:
        values = [weights[j] * (1.0 - penalty * nearest[j]) for j in left]
        pick = left[int(np.argmax(values))]
        order.append(pick)
        left.remove(pick)
        nearest = np.maximum(nearest, closeness[pick])
    return order
