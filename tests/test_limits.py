"""Huge inputs: refused early with the limit named, or briefed in bounded work, never unbounded.

Counts, not timings: the tests record the largest document any ranking saw and how far an input
was read, so a quadratic step or an unbounded read fails here whatever the machine's speed.
"""

from __future__ import annotations

import io
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench import limits as bench
from bot import cli
from bot.errors import TooLarge
from bot.pipeline import BriefOptions, make_brief
from bot.ranking import lexrank
from bot.sources import read_bytes
from bot.summarize import ALGORITHMS, summarize_bounded, summarize_paragraphs
from bot.thread import Article, Thread

WORDS = [
    "tram",
    "bus",
    "budget",
    "council",
    "street",
    "shop",
    "air",
    "traffic",
    "vote",
    "river",
    "station",
    "fare",
]


def article_paragraphs(sentences: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    said = [
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).capitalize() + "."
        for _ in range(sentences)
    ]
    return [" ".join(said[i : i + 5]) for i in range(0, len(said), 5)]


@pytest.fixture
def largest_ranked(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Records the number of sentences of every document any summarizer ranks."""
    import bot.summarize as summarize

    seen: list[int] = []
    make = summarize.make_summarizer

    def recording(*args: Any, **kwargs: Any) -> Any:
        inner = make(*args, **kwargs)

        def rank(document: Any, count: Any) -> Any:
            seen.append(len(document.sentences))
            return inner(document, count)

        return rank

    monkeypatch.setattr(summarize, "make_summarizer", recording)
    return seen


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_a_huge_article_is_ranked_in_bounded_parts(
    algorithm: str, largest_ranked: list[int]
) -> None:
    summary = summarize_bounded(
        article_paragraphs(2600), language="en", algorithm=algorithm, count=3, max_sentences=500
    )
    assert len(summary.sentences) == 3
    assert max(largest_ranked) <= 500 and len(largest_ranked) >= 6
    assert summary.parts == 6 and "2,600 sentences" in (summary.note() or "")


def test_a_ratio_of_a_huge_article_is_its_share_of_every_part(largest_ranked) -> None:
    summary = summarize_bounded(
        article_paragraphs(2000), language="en", count="10%", max_sentences=400
    )
    assert len(summary.sentences) == 200 and max(largest_ranked) <= 400


def test_a_single_huge_paragraph_is_cut_into_parts(largest_ranked: list[int]) -> None:
    one_line = [" ".join(article_paragraphs(1500))]
    summary = summarize_bounded(one_line, language="en", count=2, max_sentences=300)
    assert len(summary.sentences) == 2 and max(largest_ranked) <= 300


def test_an_article_within_the_bound_is_ranked_whole(largest_ranked: list[int]) -> None:
    paragraphs = article_paragraphs(400)
    bounded = summarize_paragraphs(paragraphs, language="en", count=3, max_sentences=400)
    assert largest_ranked == [400]
    assert bounded == summarize_paragraphs(paragraphs, language="en", count=3)


def test_the_picked_sentences_keep_article_order() -> None:
    paragraphs = article_paragraphs(1200)
    text = " ".join(paragraphs)
    summary = summarize_bounded(paragraphs, language="en", count=5, max_sentences=200)
    positions = [text.index(s) for s in summary.sentences]
    assert positions == sorted(positions)


def test_the_brief_of_a_huge_article_says_what_was_done() -> None:
    article = Article(title="Tram", paragraphs=tuple(article_paragraphs(1500)), language="en")
    brief = make_brief(
        Thread(source="text", article=article, comments=()), BriefOptions(max_sentences=500)
    )
    assert len(brief.summary) == 3
    assert any("1,500 sentences" in n and "ranked in 3 parts" in n for n in brief.notes)


def test_lexrank_on_many_sentences_builds_only_bounded_graphs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shapes: list[tuple[int, int]] = []
    adjacency = lexrank._adjacency

    def recording(weights: Any, threshold: float) -> Any:
        shapes.append(weights.shape)
        return adjacency(weights, threshold)

    monkeypatch.setattr(lexrank, "_adjacency", recording)
    tokens = [[WORDS[(i + j) % len(WORDS)] for j in range(6)] for i in range(5000)]
    scores = lexrank.lexrank_scores(tokens, max_graph=1000)
    assert len(scores) == 5000 and len(shapes) == 5
    assert max(rows for rows, _ in shapes) <= 1000


def test_lexrank_within_the_bound_is_unchanged() -> None:
    tokens = [[WORDS[(i * 7 + j) % len(WORDS)] for j in range(5)] for i in range(300)]
    assert list(lexrank.lexrank_scores(tokens, max_graph=300)) == list(
        lexrank.lexrank_scores(tokens, max_graph=10_000)
    )


class CountingStream(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.handed_out = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.handed_out += len(chunk)
        return chunk


def test_standard_input_past_the_limit_is_refused_without_reading_it_all() -> None:
    stream = CountingStream(b"x" * (5 * 2**20))
    with pytest.raises(TooLarge, match=r"larger than 1 MB, the most ThreadBrief reads"):
        cli._read_bounded(stream, "standard input", 1.0, "brief.max_input_mb")
    assert stream.handed_out == 2**20 + 1


def test_the_command_line_refuses_a_file_past_the_limit_naming_it(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(bench.paragraphs(3 * 2**20))
    run = subprocess.run(
        [sys.executable, "-m", "bot", "summarize", str(big), "--max-input-mb", "2"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        f"threadbrief: {big} is larger than 2 MB, the most ThreadBrief reads (--max-input-mb). "
        "Pass --max-input-mb with a larger number to brief it anyway."
    ]


def test_the_input_limit_comes_from_the_config_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[brief]\nmax_input_mb = 0.5\n")
    data = tmp_path / "thread.txt"
    data.write_bytes(bench.paragraphs(2**20))
    assert cli.main(["--config", str(config), "summarize", str(data)]) == 2
    assert "(brief.max_input_mb)" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["0", "-1", "lots"])
def test_a_bad_input_limit_is_a_usage_error(value: str) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["summarize", "x.txt", "--max-input-mb", value])
    assert exit_.value.code == 2


@pytest.mark.parametrize(
    ("kind", "source"),
    [
        ("paragraphs", "text-dump"),
        ("line", "text-dump"),
        ("json", "hacker-news"),
        ("xml", "wordpress"),
        ("mail", "mbox"),
    ],
)
def test_the_benchmark_inputs_are_read_as_their_format(kind: str, source: str) -> None:
    data = bench.GENERATORS[kind](64 * 1024)
    assert 56 * 1024 <= len(data) <= 64 * 1024  # the size asked for, never more
    thread = read_bytes(data)
    assert thread.source == source
    if kind in ("json", "xml", "mail"):
        assert len(thread.comments) >= 20
