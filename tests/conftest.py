"""Shared fixtures: the sample threads beside the repository, and the local Discord stand-in."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["tests.fakediscord.fixtures"]

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples"


class SampleFinder:
    """Paths of the shared sample threads; skips the test where they are not present."""

    def __call__(self, name: str) -> Path:
        path = SAMPLES / name
        if not path.is_file():
            pytest.skip(f"sample {name} not present (expected in {SAMPLES})")
        return path


@pytest.fixture
def sample() -> SampleFinder:
    return SampleFinder()
