"""The quality benchmark runs end to end on a few threads (a smoke test: no score threshold)."""

from __future__ import annotations

import pytest

from bench.quality import DEFAULT_DATA, main


def test_quality_benchmark_prints_every_system_on_20_threads(
    capsys: pytest.CaptureFixture[str],
) -> None:
    if not (DEFAULT_DATA / "val.source").is_file():
        pytest.skip(f"ConvoSumm data not present at {DEFAULT_DATA}")
    assert main(["--limit", "20"]) == 0
    out = capsys.readouterr().out
    for system in (
        "Lead",
        "sumy LexRank",
        "sumy TextRank",
        "sumy LSA",
        "Random",
        "Oracle",
        "ThreadBrief",
    ):
        assert f"\n{system} " in out
    assert "20 threads" in out and "Fabbri" in out
