"""A short, seeded fuzz run of every format family: no crash, no hang, no comment lost.

The long run is `python -m tests.fuzz --cases 10000` (README, "Fuzzing"); this one draws the same
kinds of cases, few enough for every test run, from a fixed seed so a failure repeats.
"""

from __future__ import annotations

import pytest

from tests.fuzz import run_family
from tests.fuzz.seeds import FAMILIES


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_mutated_and_generated_inputs_brief_or_are_refused(family: str) -> None:
    # The limit here only catches a runaway case (60 s, far past any real one on a loaded
    # machine): the test measures no time. The long run reports the cases past 5 s.
    report = run_family(family, 25, seed=20261202, hang_after=60.0)
    assert report.total == 25
    assert report.outcomes["ok"] > 0  # the seeds are real threads: some must brief
    assert report.failures() == 0, (report.summary(), sorted(report.crashes), report.problems)
