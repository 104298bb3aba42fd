"""`python -m tests.fuzz [--family F ...] [--cases N] [--seed S]`: the long fuzz run.

Prints, per family, how many cases were briefed, refused, crashed, hung (past --hang seconds)
or lost comments silently, and the places of the crashes; writes each crashing input, and each
hang's or drop's, to --save (default: fuzz-crashes/) to pin as a regression test. Exits 1 if
anything failed.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from tests.fuzz import run_family
from tests.fuzz.seeds import FAMILIES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("--family", action="append", choices=sorted(FAMILIES))
    parser.add_argument("--cases", type=int, default=1000, help="cases per family (1000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hang", type=float, default=5.0, help="seconds that make a hang (5)")
    parser.add_argument("--save", type=Path, default=Path("fuzz-crashes"))
    args = parser.parse_args(argv)
    logging.disable(logging.CRITICAL)  # readers log what they skip; the figures are the output
    failed = 0
    for family in args.family or sorted(FAMILIES):
        start = time.perf_counter()
        report = run_family(
            family,
            args.cases,
            seed=args.seed,
            hang_after=args.hang,
            progress=lambda r: print(f"  ... {r.summary()}", flush=True),
        )
        print(f"{report.summary()}; {time.perf_counter() - start:.0f} s", flush=True)
        for place, data in sorted(report.crashes.items()):
            args.save.mkdir(parents=True, exist_ok=True)
            name = args.save / f"{family}-{abs(hash(place)) % 10**8:08d}.bin"
            name.write_bytes(data)
            print(f"  crash: {place} ({len(data)} bytes, saved to {name})")
        for n, (problem, (kind, data)) in enumerate(
            zip(report.problems, report.problem_inputs, strict=True)
        ):
            args.save.mkdir(parents=True, exist_ok=True)
            name = args.save / f"{family}-{kind}-{n}.bin"
            name.write_bytes(data)
            if n < 20:
                print(f"  {problem} (saved to {name})")
        failed += report.failures()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
