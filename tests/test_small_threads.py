"""A small thread is computed with dense arrays and no scipy; the brief is the same either way."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bench.speed import generate
from bot.pipeline import annotate_languages, make_brief
from bot.ranking import lexrank
from bot.viewpoints import embedding, features

SAMPLE = Path(__file__).parent / "fixtures" / "tram-vote.txt"


def _groups(n: int) -> list[tuple[tuple[str, ...], str, str | None]]:
    brief = make_brief(annotate_languages(generate(n)))
    return [
        (tuple(sorted(v.comment_ids)), v.label, v.headline.text if v.headline else None)
        for v in brief.viewpoints
    ]


@pytest.mark.parametrize("n", [12, 60, 150])
def test_a_small_thread_has_the_viewpoints_the_large_thread_path_finds(
    n: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    dense = _groups(n)
    monkeypatch.setattr(features, "DENSE_TERMS", (0, 0))
    assert _groups(n) == dense


def test_an_articles_ranking_is_the_same_in_dense_and_sparse_form(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(5)
    words = [f"w{i}" for i in range(60)]
    tokens = [list(rng.choice(words, size=int(rng.integers(0, 12)))) for _ in range(120)]
    dense = lexrank.lexrank_scores(tokens)
    monkeypatch.setattr(lexrank, "DENSE_CELLS", 0)
    sparse = lexrank.lexrank_scores(tokens)
    assert np.allclose(dense, sparse, rtol=1e-12, atol=1e-15)
    assert list(np.argsort(-dense, kind="stable")[:20]) == list(
        np.argsort(-sparse, kind="stable")[:20]
    )


def test_a_large_graph_built_in_many_row_blocks_ranks_as_the_dense_graph(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Blocks of 16 rows, with sentences that have no content word, so that block edges and
    # empty rows both occur in the sparse assembly.
    rng = np.random.default_rng(8)
    words = [f"w{i}" for i in range(40)]
    tokens = [list(rng.choice(words, size=int(rng.integers(0, 6)))) for _ in range(150)]
    assert sum(1 for t in tokens if not t) > 5
    dense = lexrank.lexrank_scores(tokens)
    monkeypatch.setattr(lexrank, "DENSE_CELLS", 0)
    monkeypatch.setattr(lexrank, "_BLOCK", 16)
    sparse = lexrank.lexrank_scores(tokens)
    assert np.allclose(dense, sparse, rtol=1e-12, atol=1e-15)


def test_the_mapped_token_table_holds_the_shipped_vectors() -> None:
    table = embedding.token_table()
    if table is None:
        pytest.skip("the WordLlama wheel is not installed")
    from safetensors.numpy import load_file

    spec = importlib.util.find_spec("wordllama")
    assert spec is not None and spec.submodule_search_locations
    path = Path(next(iter(spec.submodule_search_locations)))
    shipped = next(iter(load_file(str(path / embedding._WEIGHTS)).values()))
    assert table.table.shape == shipped.shape
    rows = [0, 1, 500, shipped.shape[0] - 1]
    assert np.array_equal(np.asarray(table.table[rows]), shipped[rows])


def test_briefing_a_small_file_never_imports_scipy() -> None:
    code = (
        "import sys; from bot.cli import main; main(['summarize', sys.argv[1], '--json']); "
        "print([m for m in sys.modules if m.split('.')[0] == 'scipy'], file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(SAMPLE)], capture_output=True, text=True, check=True
    )
    assert '"viewpoints"' in done.stdout
    assert done.stderr.strip().splitlines()[-1] == "[]"
