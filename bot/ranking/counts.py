"""How many sentences to keep, and which, exactly as sumy decides."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def items_count(count: int | str, total: int) -> int:
    """sumy's ItemsCount: a number, or a percentage of `total` that keeps at least one."""
    if isinstance(count, str):
        if count.endswith("%"):
            return max(1, total * int(count[:-1]) // 100)
        return int(count)
    return int(count)


def best_sentences(
    sentences: Sequence[T], ratings: Sequence[float], count: int | str
) -> tuple[T, ...]:
    """The best-rated sentences in document order; ties keep document order, as in sumy."""
    order = sorted(range(len(sentences)), key=lambda i: ratings[i], reverse=True)
    keep = sorted(order[: items_count(count, len(sentences))])
    return tuple(sentences[i] for i in keep)
