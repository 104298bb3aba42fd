"""Every stage is linear in the thread's size: four times the comments, about four times the work.

Work is counted, not timed: the Python lines and calls a stage executes (sys.settrace), which a
noisy machine cannot change. A stage that compares each comment with every earlier one does 16
times the work on 4 times the comments and fails here, whatever the machine's speed.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

import pytest

from bench.formats import FORMATS
from bench.speed import generate
from bot.errors import TooManyComments
from bot.pipeline import annotate_languages, make_brief, thread_language
from bot.sources import read_bytes
from bot.text.sentences import split_sentences
from bot.thread import Thread
from bot.viewpoints import find_viewpoints
from bot.viewpoints.features import Preparer, Space, Vectors

SMALL, LARGE = 150, 600
VIEWS = 500
"""Comments of the smaller thread whose viewpoints are counted (past `DENSE_TERMS`)."""
LINEAR_ENOUGH = 6.0
"""Largest growth allowed for 4x the comments: 4 for linear work, 16 for a quadratic step."""


def steps(work: Callable[[], Any]) -> int:
    """Python lines and calls executed by `work`."""
    count = 0

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal count
        count += 1
        return trace

    sys.settrace(trace)
    try:
        work()
    finally:
        sys.settrace(None)
    return count


def growth(stage: Callable[[Thread], Any]) -> float:
    small, large = generate(SMALL), generate(LARGE)
    return steps(lambda: stage(large)) / steps(lambda: stage(small))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_reading_four_times_the_comments_is_about_four_times_the_work(fmt: str) -> None:
    small, large = FORMATS[fmt](generate(SMALL)), FORMATS[fmt](generate(LARGE))
    assert len(read_bytes(large).comments) == LARGE
    ratio = steps(lambda: read_bytes(large)) / steps(lambda: read_bytes(small))
    assert ratio < LINEAR_ENOUGH, f"{fmt}: {ratio:.1f}x the work for 4x the comments"


def test_a_repeated_comment_number_in_a_text_dump_costs_no_more_than_a_new_one() -> None:
    def dump(n: int) -> bytes:
        comments = "\n\n".join(f"1. Comment {i} says the tram costs too much." for i in range(n))
        return f"Title\n\nThe article.\n\n{n} Comments\n\n{comments}\n".encode()

    thread = read_bytes(dump(LARGE))
    assert len({c.id for c in thread.comments}) == LARGE  # each still gets an id of its own
    ratio = steps(lambda: read_bytes(dump(LARGE))) / steps(lambda: read_bytes(dump(SMALL)))
    assert ratio < LINEAR_ENOUGH, f"{ratio:.1f}x the work for 4x the comments"


def test_languages_and_sentences_grow_linearly() -> None:
    assert growth(annotate_languages) < LINEAR_ENOUGH
    assert (
        growth(lambda t: [split_sentences(p) for c in t.comments for p in c.text.split("\n\n")])
        < LINEAR_ENOUGH
    )


def test_viewpoints_grow_linearly(monkeypatch: pytest.MonkeyPatch) -> None:
    """Python steps and, for the array work, the cells of every similarity product: a step that
    compares each comment with every other shows in the cells, however fast numpy runs it."""
    cells: list[int] = []
    dot = Vectors.dot

    def counted(self: Vectors, other: Vectors) -> Any:
        cells.append(len(self) * len(other))
        return dot(self, other)

    monkeypatch.setattr(Vectors, "dot", counted)

    def work(n: int) -> tuple[int, int]:
        thread = annotate_languages(generate(n))
        language = thread_language(thread)
        find_viewpoints(thread, main_language=language)  # warm: caches and imports
        cells.clear()
        count = steps(lambda: find_viewpoints(thread, main_language=language))
        return count, sum(cells)

    # Both sizes past the small-thread rules and the dense arrays, so the same code runs.
    (small_steps, small_cells), (large_steps, large_cells) = work(VIEWS), work(4 * VIEWS)
    assert large_steps / small_steps < LINEAR_ENOUGH, f"{large_steps / small_steps:.1f}x steps"
    assert large_cells / small_cells < LINEAR_ENOUGH, f"{large_cells / small_cells:.1f}x cells"


def test_a_quadratic_product_would_be_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above can fail: comparing all comments with each other is 16x the cells."""
    cells: list[int] = []

    def all_pairs(n: int) -> int:
        thread = annotate_languages(generate(n))
        vectors = Space(
            units := [Preparer("en", None).unit(c) for c in thread.comments], "en"
        ).read(units)[0]
        cells.clear()
        cells.append(len(vectors) * len(vectors))
        vectors.dot(vectors)
        return sum(cells)

    assert all_pairs(4 * VIEWS) / all_pairs(VIEWS) > LINEAR_ENOUGH


def test_rendering_grows_linearly() -> None:
    from rich.console import Console

    from bot.render.embeds import brief_pages
    from bot.render.json import document
    from bot.render.terminal import render

    def rendered(n: int) -> Callable[[], Any]:
        thread = annotate_languages(generate(n))
        brief = make_brief(thread)

        def work() -> None:
            brief_pages(brief)
            render(brief, Console(file=io.StringIO(), width=100))
            json.dumps(document(brief, thread, {}))

        return work

    ratio = steps(rendered(LARGE)) / steps(rendered(SMALL))
    assert ratio < LINEAR_ENOUGH, f"{ratio:.1f}x the work for 4x the comments"


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_an_oversized_thread_is_refused_while_it_is_read(fmt: str) -> None:
    data = FORMATS[fmt](generate(LARGE))
    read_bytes(data)  # imports and caches warmed, so both counts are of reading alone
    with pytest.raises(TooManyComments, match=f"more than {SMALL:,} comments"):
        read_bytes(data, max_comments=SMALL)

    def refused() -> None:
        with pytest.raises(TooManyComments):
            read_bytes(data, max_comments=SMALL)

    # Stopping at a quarter of the comments costs well under the whole read.
    assert steps(refused) < 0.6 * steps(lambda: read_bytes(data))


def test_a_thread_at_the_limit_is_read_whole() -> None:
    data = FORMATS["text"](generate(SMALL))
    assert len(read_bytes(data, max_comments=SMALL).comments) == SMALL
