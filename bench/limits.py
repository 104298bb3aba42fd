"""Limits benchmark: CPU time and peak memory of one brief of a large input, in a fresh process.

    python -m bench.limits [--sizes 1,2,4,8] [--kinds paragraphs,line,json,xml,mail] [--repeat 1]

For each kind and size (MB) an input is generated deterministically (our own text, no samples):
plain paragraphs, the same text as one line, a Hacker News JSON thread, a WordPress export and a
mailing-list archive. Each is briefed, as `threadbrief summarize FILE --json` would, in a fresh
interpreter with the default limits, which reports its own CPU seconds (user + system) and peak
resident memory (ru_maxrss), and whether it briefed or refused (with the refusal's line). The
baseline row is a fresh interpreter that imports the pipeline and briefs nothing: the fixed cost
inside every other row. Targets: <= 10 s CPU and <= 500 MB peak RSS for every row.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from html import escape
from pathlib import Path

KINDS = ("paragraphs", "line", "json", "xml", "mail")
CPU_TARGET = 10.0
RSS_TARGET_MB = 500.0

_WORDS = [
    "the",
    "council",
    "tram",
    "line",
    "budget",
    "city",
    "street",
    "shops",
    "traffic",
    "air",
    "cars",
    "bus",
    "station",
    "university",
    "students",
    "workers",
    "vote",
    "night",
    "debate",
    "plan",
    "cost",
    "money",
    "tax",
    "fund",
    "contract",
    "project",
    "years",
    "month",
    "people",
    "town",
    "centre",
    "market",
    "river",
    "bridge",
    "road",
    "works",
    "noise",
    "rail",
    "stop",
    "route",
    "ticket",
    "price",
    "fare",
    "morning",
    "evening",
    "weekend",
    "family",
    "school",
    "doctor",
    "hospital",
    "park",
    "trees",
    "green",
    "energy",
    "power",
    "water",
    "rain",
    "summer",
    "winter",
    "report",
    "study",
    "expert",
    "engineer",
    "mayor",
    "party",
    "opposition",
    "majority",
    "minority",
    "question",
    "answer",
    "reason",
    "problem",
    "solution",
    "change",
    "future",
    "history",
    "rule",
    "law",
    "court",
]
_GLUE = [
    "is",
    "was",
    "will",
    "would",
    "can",
    "could",
    "should",
    "must",
    "has",
    "had",
    "and",
    "but",
    "or",
    "because",
    "while",
    "if",
]
_SMALL = [
    "a",
    "the",
    "this",
    "that",
    "every",
    "some",
    "no",
    "one",
    "more",
    "less",
    "new",
    "old",
    "long",
    "short",
]


def _sentence(rng: random.Random) -> str:
    words = []
    for _ in range(rng.randint(8, 22)):
        pool = rng.choice((_WORDS, _WORDS, _GLUE, _SMALL))
        words.append(rng.choice(pool))
    return " ".join(words).capitalize() + "."


def _paragraphs(rng: random.Random, size: int) -> list[str]:
    out: list[str] = []
    total = 0
    while total < size:
        paragraph = " ".join(_sentence(rng) for _ in range(rng.randint(3, 7)))
        out.append(paragraph)
        total += len(paragraph) + 2
    return out


def paragraphs(size: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    return ("The tram line\n\n" + "\n\n".join(_paragraphs(rng, size))).encode()[:size]


def one_line(size: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    return " ".join(_paragraphs(rng, size)).encode()[:size]


def hn_json(size: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    article = "".join(f"<p>{escape(p)}</p>" for p in _paragraphs(rng, size // 4))
    comments: list[dict[str, object]] = []
    top: list[dict[str, object]] = []
    total = len(article)
    n = 0
    while total < size * 0.95:  # markup and escaping come on top
        n += 1
        text = "".join(f"<p>{escape(p)}</p>" for p in _paragraphs(rng, rng.randint(200, 900)))
        comment = {
            "id": 1000 + n,
            "author": f"reader{n % 997}",
            "created_at_i": 1_700_000_000 + n,
            "points": None,
            "text": text,
            "children": [],
        }
        parent = rng.choice(comments[-50:]) if comments and rng.random() < 0.6 else None
        children = parent["children"] if parent is not None else top
        if isinstance(children, list):
            children.append(comment)
        comments.append(comment)
        total += len(text) + 120
    root = {
        "id": 1,
        "type": "story",
        "title": "The tram line",
        "author": "editor",
        "created_at_i": 1_700_000_000,
        "points": 120,
        "text": article,
        "children": top,
    }
    return json.dumps(root).encode()


def wxr(size: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    article = "".join(f"<p>{escape(p)}</p>" for p in _paragraphs(rng, size // 4))
    parts: list[str] = []
    total = len(article)
    n = 0
    while total < size * 0.95:  # markup and escaping come on top
        n += 1
        text = escape(" ".join(_paragraphs(rng, rng.randint(200, 900))))
        parent = rng.randint(1, n - 1) if n > 1 and rng.random() < 0.5 else 0
        parts.append(
            f"<wp:comment><wp:comment_id>{n}</wp:comment_id>"
            f"<wp:comment_author>reader{n % 997}</wp:comment_author>"
            f"<wp:comment_content>{text}</wp:comment_content>"
            "<wp:comment_approved>1</wp:comment_approved>"
            f"<wp:comment_parent>{parent}</wp:comment_parent></wp:comment>\n"
        )
        total += len(parts[-1])
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
        '     xmlns:wp="http://wordpress.org/export/1.2/">\n'
        "<channel><title>Town blog</title>\n"
        "<item><title>The tram line</title><link>https://example.org/tram</link>\n"
        f"<content:encoded><![CDATA[{article}]]></content:encoded>\n"
        "<wp:post_type>post</wp:post_type>\n" + "".join(parts) + "</item></channel></rss>\n"
    ).encode()


def mbox(size: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    parts: list[str] = []
    total = 0
    n = 0
    while total < size * 0.95:  # markup and escaping come on top
        n += 1
        body = "\n\n".join(_paragraphs(rng, rng.randint(200, 1200)))
        reply = f"In-Reply-To: <m{rng.randint(1, n - 1)}@lists.example>\n" if n > 1 else ""
        parts.append(
            f"From reader{n % 97}@lists.example Mon Jan  1 00:00:00 2024\n"
            f"From: Reader {n % 97} <reader{n % 97}@lists.example>\n"
            f"Subject: {'Re: ' if n > 1 else ''}The tram line\n"
            f"Date: Mon, 1 Jan 2024 {n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d} +0000\n"
            f"Message-ID: <m{n}@lists.example>\n{reply}\n{body}\n\n"
        )
        total += len(parts[-1])
    return "".join(parts).encode()


GENERATORS: dict[str, Callable[[int], bytes]] = {
    "paragraphs": paragraphs,
    "line": one_line,
    "json": hn_json,
    "xml": wxr,
    "mail": mbox,
}

_CHILD = """
import json, resource, sys
from bot import cli
outcome = "baseline"
if len(sys.argv) > 1:
    import io, contextlib
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = cli.main(["summarize", sys.argv[1], "--json"])
    outcome = "briefed" if code == 0 else f"exit {code}: " + err.getvalue().strip()[:160]
else:
    import bot.pipeline, bot.sources  # noqa: F401
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024,
                  "outcome": outcome}))
"""


def measure(path: Path | None, timeout: float = 600.0) -> dict[str, object]:
    """One brief in a fresh interpreter: its CPU seconds, peak RSS and outcome."""
    args = [sys.executable, "-c", _CHILD] + ([str(path)] if path is not None else [])
    try:
        run = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"cpu": float("nan"), "rss_mb": float("nan"), "outcome": f"killed at {timeout} s"}
    if run.returncode != 0 or not run.stdout.strip():
        tail = (run.stderr.strip().splitlines() or ["?"])[-1]
        return {"cpu": float("nan"), "rss_mb": float("nan"), "outcome": f"died: {tail[:120]}"}
    result: dict[str, object] = json.loads(run.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.limits", description=__doc__)
    parser.add_argument("--sizes", default="1,2,4,8", help="input sizes in MB (1,2,4,8)")
    parser.add_argument("--kinds", default=",".join(KINDS), help=",".join(KINDS))
    parser.add_argument("--repeat", type=int, default=1, help="runs per row (median shown)")
    args = parser.parse_args(argv)
    sizes = [float(s) for s in args.sizes.split(",")]
    kinds = [k.strip() for k in args.kinds.split(",")]
    print(f"{'input':<16}{'CPU s':>8}{'peak RSS MB':>13}  outcome")
    base = [measure(None) for _ in range(args.repeat)]
    base_cpu = statistics.median(float(str(r["cpu"])) for r in base)
    base_rss = statistics.median(float(str(r["rss_mb"])) for r in base)
    print(f"{'baseline':<16}{base_cpu:>8.2f}{base_rss:>13.0f}  start and import, nothing briefed")
    failed = 0
    with tempfile.TemporaryDirectory() as directory:
        for kind in kinds:
            for size in sizes:
                data = GENERATORS[kind](int(size * 2**20))
                path = Path(directory) / f"{kind}-{size:g}mb"
                path.write_bytes(data)
                runs = [measure(path) for _ in range(args.repeat)]
                cpu = statistics.median(float(str(r["cpu"])) for r in runs)
                rss = statistics.median(float(str(r["rss_mb"])) for r in runs)
                within = cpu <= CPU_TARGET and rss <= RSS_TARGET_MB
                failed += not within
                mark = "" if within else "  OVER TARGET"
                label = f"{kind} {size:g} MB"
                print(
                    f"{label:<16}{cpu:>8.2f}{rss:>13.0f}  {runs[-1]['outcome']}{mark}", flush=True
                )
    print(
        f"targets: <= {CPU_TARGET:g} s CPU, <= {RSS_TARGET_MB:g} MB peak RSS; "
        f"{failed} row(s) over. CPU includes the baseline's {base_cpu:.2f} s."
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
