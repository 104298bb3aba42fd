"""Speed and memory benchmark: ThreadBrief at thread scale, beside plain sumy and the floor.

    python -m bench.speed [--sizes 10,100,1000,2000,5000] [--repeat 5] [--sumy-budget 120]
                          [--cli-sizes 2000,20000,50000] [--stall-size 20000]

Threads are generated deterministically (several languages, nested replies, quotations, comments
of one to eight sentences). It prints, in one run, with the machine's load average beside:

1. Stages in process, per size: median time of parsing, languages, splitting, the article summary,
   viewpoints, rendering and the whole brief, and Python's peak allocations during the brief.
2. LexRank like with like: sumy's LexRank and ThreadBrief's over the same sentences (the thread's
   article and comments as one document, the same tokens, stemmer and stop words), and the whole
   brief as a separate row. sumy runs for real while the time it is predicted to take fits the
   `--sumy-budget` (seconds, all sizes together); beyond that each cell is extrapolated from the
   two largest sizes it ran and labelled with the exponent fitted to them.
3. The CLI from start to exit (`threadbrief summarize FILE --json`) on the sample export and the
   `--cli-sizes` threads, wall and CPU time with the process's peak RSS, the growth exponent
   from the smallest to the largest size, and two floors measured in the same run: the bare
   interpreter and `python -c "import numpy, scipy.sparse"`.
4. The bot's cold start, and the largest event-loop stall while the bot's worker pool briefs a
   `--stall-size` thread.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.process import one_blas_thread
from bot.thread import Article, Comment, Span, Thread

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "samples" / "informed-comment-mosul.txt"
ROOT = Path(__file__).resolve().parents[1]

_TOPICS = {
    "en": [
        "the budget of the new tram line keeps growing and taxpayers will pay for the overruns",
        "cars clog the old town every morning and the air there is the worst in the region",
        "shops on the main street will lose customers during four years of closed roads",
        "the council should publish every contract and invoice of the project online",
        "a bus lane would cost a tenth of the tram and could open next year",
        "the university needs a faster link to the station for its twenty thousand students",
    ],
    "fr": [
        "le budget du tramway est beaucoup trop élevé pour une ville de cette taille",
        "les commerçants de la rue principale vont perdre leurs clients pendant les travaux",
    ],
    "de": [
        "die Straßenbahn ist für die Luft in der Altstadt die beste Lösung",
        "die Kosten des Projekts sind schon jetzt viel höher als geplant",
    ],
    "es": [
        "el presupuesto del tranvía es demasiado alto para esta ciudad",
        "los comercios de la calle mayor perderán clientes durante las obras",
    ],
}
_FILLER = ("honestly", "as far as I can tell", "in my view", "to be fair", "again", "frankly")
# What the issue of speed set out to reach on a quiet 2-core machine: printed beside each figure.
CLI_TARGETS = {"sample": 0.45, 2000: 1.0, 20000: 6.0, 50000: 15.0}
RSS_TARGET_MB = 400
EXPONENT_TARGET = 1.1
STALL_TARGET_MS = 50
LEXRANK_RATIO_TARGET = 500


def _sentence(rng: random.Random, language: str) -> str:
    base = rng.choice(_TOPICS[language])
    words = base.split()
    if language == "en" and rng.random() < 0.5:
        words.insert(rng.randrange(len(words)), rng.choice(_FILLER))
    rng.shuffle(words[-4:]) if rng.random() < 0.3 else None
    return " ".join(words).capitalize() + rng.choice([".", ".", ".", "?", "!"])


def generate(n: int, seed: int = 7) -> Thread:
    """A thread of `n` comments, about five sentences each on average."""
    rng = random.Random(seed + n)
    paragraphs = tuple(
        " ".join(_sentence(rng, "en") for _ in range(rng.randint(2, 5))) for _ in range(20)
    )
    article = Article(
        title="The tram vote",
        paragraphs=paragraphs,
        author="A. Writer",
        site="Example Gazette",
        url="https://example.org/tram",
    )
    comments = []
    for i in range(n):
        language = "en" if rng.random() < 0.88 else rng.choice(["fr", "de", "es"])
        text = " ".join(_sentence(rng, language) for _ in range(rng.randint(1, 8)))
        spans: tuple[Span, ...] = ()
        if i and rng.random() < 0.1:
            quoted = comments[rng.randrange(i)].text[:120]
            text = f"{quoted}\n\n{text}"
            spans = (Span(0, len(quoted)),)
        parent = f"c{rng.randrange(i)}" if i and rng.random() < 0.4 else None
        comments.append(
            Comment(
                id=f"c{i}",
                text=text,
                parent_id=parent,
                author=f"user{i % 300}",
                score=rng.randrange(-5, 60),
                spans=spans,
            )
        )
    return Thread(source="bench", article=article, comments=tuple(comments))


def median_time(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def thread_document_sentences(thread: Thread) -> list[str]:
    from bot.text.sentences import split_sentences

    texts = [
        *(thread.article.paragraphs if thread.article else ()),
        *(c.text for c in thread.comments),
    ]
    return [s for t in texts for p in t.split("\n\n") for s in split_sentences(p)]


def plain_sumy_lexrank(sentences: list[str]) -> tuple[str, ...]:
    """sumy's LexRank over the sentences, on sumy's own document model.

    It is given the same tokens, Snowball stemmer and stop words as ThreadBrief's, so the two
    differ in the ranking alone (sumy's NLTK stemmer is the same Snowball algorithm, slower).
    """
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.summarizers.lex_rank import LexRankSummarizer

    from bot.text.words import OfflineTokenizer, stemmer, stop_words

    tokenizer = OfflineTokenizer("en")
    document = ObjectDocumentModel([Paragraph([Sentence(s, tokenizer) for s in sentences])])
    summarizer = LexRankSummarizer(stemmer("en"))
    summarizer.stop_words = stop_words("en")
    with warnings.catch_warnings():
        # sumy divides by a zero norm on graphs without edges, and says so; the ranking stands.
        warnings.simplefilter("ignore", RuntimeWarning)
        return tuple(str(s) for s in summarizer(document, 3))


def our_lexrank(sentences: list[str]) -> tuple[str, ...]:
    """ThreadBrief's LexRank over the same sentences, tokens, stemmer and stop words."""
    from bot.ranking.lexrank import LexRankSummarizer
    from bot.text.document import Document, Paragraph, Sentence
    from bot.text.words import OfflineTokenizer, stemmer, stop_words

    tokenizer = OfflineTokenizer("en")
    document = Document((Paragraph(tuple(Sentence.of(s, tokenizer) for s in sentences)),))
    summarizer = LexRankSummarizer(stemmer("en"))
    summarizer.stop_words = stop_words("en")
    return tuple(str(s) for s in summarizer(document, 3))


def stages(thread: Thread, repeat: int) -> dict[str, float]:
    from bot.pipeline import BriefOptions, annotate_languages, make_brief, thread_language
    from bot.render.embeds import brief_pages
    from bot.render.json import document, thread_dict
    from bot.sources import read_bytes
    from bot.summarize import summarize_article
    from bot.text.sentences import split_sentences
    from bot.viewpoints import find_viewpoints

    data = json.dumps({"source": "bench", **thread_dict(thread)}).encode()
    annotated = annotate_languages(thread)
    language = thread_language(annotated)
    brief = make_brief(annotated)
    assert annotated.article is not None

    def whole() -> None:
        parsed = annotate_languages(read_bytes(data))
        result = make_brief(parsed, BriefOptions())
        brief_pages(result)
        json.dumps(document(result, parsed, {}))

    return {
        "parse": median_time(lambda: read_bytes(data), repeat),
        "languages": median_time(lambda: annotate_languages(thread), repeat),
        "sentences": median_time(
            lambda: [split_sentences(p) for c in thread.comments for p in c.text.split("\n\n")],
            repeat,
        ),
        "summary": median_time(lambda: summarize_article(annotated.article), repeat),  # type: ignore[arg-type]
        "viewpoints": median_time(
            lambda: find_viewpoints(annotated, main_language=language), repeat
        ),
        "render": median_time(
            lambda: (brief_pages(brief), json.dumps(document(brief, annotated, {}))), repeat
        ),
        "whole": median_time(whole, repeat),
    }


def peak_memory(thread: Thread) -> float:
    from bot.pipeline import make_brief

    tracemalloc.start()
    make_brief(thread)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def _maxrss_mb(maxrss: int) -> float:
    """ru_maxrss is in kilobytes on Linux and in bytes on macOS."""
    return maxrss / 2**20 if sys.platform == "darwin" else maxrss / 2**10


# Started once per measured command: it starts the command and reports its resource use. A
# process's peak RSS includes the memory of the process that started it, up to its exec (Linux
# records the old address space's high-water mark), so the benchmark, holding hundreds of MB of
# threads, must not be the direct parent of what it measures.
_LAUNCHER = """
import json, os, sys, time
start = time.perf_counter()
devnull = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ, file_actions=devnull)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
cpu = usage.ru_utime + usage.ru_stime
print(json.dumps([wall, cpu, usage.ru_maxrss, os.waitstatus_to_exitcode(status)]))
"""


def run_process(args: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MB) of one run of a command."""
    result = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        stdin=subprocess.DEVNULL,
    )
    wall, cpu, maxrss, code = json.loads(result.stdout.strip().splitlines()[-1])
    if code != 0:
        raise RuntimeError(f"{' '.join(args)} exited {code}: {result.stderr[-500:]}")
    return wall, cpu, _maxrss_mb(maxrss)


def command_figures(args: list[str], repeat: int) -> tuple[float, float, float]:
    """Medians of wall and CPU time, and the largest peak RSS, over `repeat` runs (one warm-up)."""
    run_process(args)  # the file cache warm, as for a user's second run
    runs = [run_process(args) for _ in range(repeat)]
    return (
        statistics.median(r[0] for r in runs),
        statistics.median(r[1] for r in runs),
        max(r[2] for r in runs),
    )


def event_loop_stall(n: int) -> float:
    """Largest gap between 5 ms ticks of the loop while the bot's job runner briefs `n` comments."""
    from bot.fetch import Fetcher, FetchSettings
    from bot.jobs import JobRunner, SourceRequest, process_pool
    from bot.pipeline import BriefOptions
    from bot.render.json import thread_dict

    data = json.dumps({"source": "bench", **thread_dict(generate(n))}).encode()

    async def run() -> float:
        with process_pool(2) as pool:
            runner = JobRunner(pool, Fetcher(FetchSettings()), max_comments=max(n, 20000))
            await asyncio.get_running_loop().run_in_executor(pool, int)  # workers started
            worst = 0.0
            done = asyncio.Event()

            async def ticker() -> None:
                nonlocal worst
                last = time.perf_counter()
                while not done.is_set():
                    await asyncio.sleep(0.005)
                    now = time.perf_counter()
                    worst = max(worst, now - last - 0.005)
                    last = now

            async def quiet(_: str) -> None:
                return None

            tick = asyncio.create_task(ticker())
            await runner.run(SourceRequest(data=data, filename="bench.json"), BriefOptions(), quiet)
            done.set()
            await tick
            return worst

    return asyncio.run(run())


def fitted_exponent(points: list[tuple[int, float]]) -> float:
    """The exponent k of t = c * n^k through the two largest points."""
    (n1, t1), (n2, t2) = points[-2], points[-1]
    return math.log(t2 / t1) / math.log(n2 / n1)


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} CPUs"


def _stage_table(sizes: list[int], repeat: int) -> dict[int, float]:
    print(
        f"{'comments':>8}{'sents':>7}{'parse':>7}{'lang':>7}{'split':>7}{'summ':>7}"
        f"{'views':>7}{'render':>7}{'WHOLE':>8}{'peakMB':>8}"
    )
    whole: dict[int, float] = {}
    for n in sizes:
        thread = generate(n)
        sentences = thread_document_sentences(thread)
        figures = stages(thread, repeat if n <= 2000 else max(1, repeat // 2))
        whole[n] = figures["whole"]
        print(
            f"{n:>8,}{len(sentences):>7,}"
            + "".join(
                f"{figures[k]:>7.3f}"
                for k in ("parse", "languages", "sentences", "summary", "viewpoints", "render")
            )
            + f"{figures['whole']:>8.3f}{peak_memory(thread):>8.0f}"
        )
    print("(in process, seconds; peakMB: Python's allocations during the brief, tracemalloc)")
    return whole


def _lexrank_table(sizes: list[int], whole: dict[int, float], budget: float) -> None:
    print(
        f"{'comments':>8}{'sents':>7}{'ours LR':>9}{'sumy LR':>18}{'sumy/ours':>10}"
        f"{'WHOLE':>8}{'sumy/WHOLE':>11}{'same top 3':>11}"
    )
    measured: list[tuple[int, float]] = []
    spent = 0.0
    plain_sumy_lexrank(["One sentence here.", "Another one there."])  # imports, not timed
    for n in sizes:
        sentences = thread_document_sentences(generate(n))
        count = len(sentences)
        ours_picked = our_lexrank(sentences)
        ours = median_time(lambda s=sentences: our_lexrank(s), 3)
        exponent = fitted_exponent(measured) if len(measured) >= 2 else 2.0
        predicted = measured[-1][1] * (count / measured[-1][0]) ** exponent if measured else 0.0
        same = "-"
        if len(measured) < 2 or spent + predicted <= budget:  # two sizes at least, to fit
            start = time.perf_counter()
            sumy_picked = plain_sumy_lexrank(sentences)
            sumy = time.perf_counter() - start
            spent += sumy
            measured.append((count, sumy))
            cell = f"{sumy:>16.2f} s"
            same = "yes" if sumy_picked == ours_picked else "NO"
        else:
            exponent = fitted_exponent(measured)
            sumy = measured[-1][1] * (count / measured[-1][0]) ** exponent
            cell = f"~{sumy:>8,.0f} s n^{exponent:.2f}"
        print(
            f"{n:>8,}{count:>7,}{ours:>9.3f}{cell:>18}{sumy / ours:>9,.0f}x"
            f"{whole[n]:>8.3f}{sumy / whole[n]:>10,.0f}x{same:>11}"
        )
    print(
        f"(seconds; sumy run for real within a {budget:.0f} s budget, {spent:.0f} s used; '~': "
        "extrapolated from the two largest sizes sumy ran, with the exponent shown; "
        f"target: ours at least {LEXRANK_RATIO_TARGET}x sumy on 9,446 sentences)"
    )


def _cli_table(cli_sizes: list[int], repeat: int) -> None:
    python = sys.executable
    rows: list[tuple[str, list[str]]] = [
        ("interpreter (python -c pass)", [python, "-c", "pass"]),
        ("floor: import numpy, scipy.sparse", [python, "-c", "import numpy, scipy.sparse"]),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        from bot.render.json import thread_dict

        if SAMPLE.is_file():
            rows.append(("sample", [python, "-m", "bot", "summarize", str(SAMPLE), "--json"]))
        for n in cli_sizes:
            path = Path(tmp) / f"thread-{n}.json"
            path.write_text(json.dumps({"source": "bench", **thread_dict(generate(n))}))
            # Past the CLI's default input limit (8 MB) at 20,000 comments: raised, as a user would.
            limits = ["--max-input-mb", "1000", "--max-comments", str(max(n, 100_000))]
            command = [python, "-m", "bot", "summarize", str(path), "--json", *limits]
            rows.append((n, command))  # type: ignore[arg-type]
        print(f"{'CLI start to exit':<36}{'wall':>8}{'CPU':>8}{'peak RSS':>10}{'target':>10}")
        walls: dict[int, tuple[float, float]] = {}
        for label, args in rows:
            big = isinstance(label, int) and label > 2000
            wall, cpu, rss = command_figures(args, 1 if big else repeat)
            if isinstance(label, int):
                walls[label] = (wall, cpu)
            name = f"{label:,} comments" if isinstance(label, int) else str(label)
            target = CLI_TARGETS.get(label)  # type: ignore[call-overload]
            goal = f"<= {target:g} s" if target else ""
            print(f"{name:<36}{wall:>7.2f}s{cpu:>7.2f}s{rss:>7.0f} MB{goal:>10}")
    if len(walls) >= 2:
        low, high = min(walls), max(walls)
        k_wall = math.log(walls[high][0] / walls[low][0]) / math.log(high / low)
        k_cpu = math.log(walls[high][1] / walls[low][1]) / math.log(high / low)
        print(
            f"growth from {low:,} to {high:,} comments: n^{k_wall:.2f} (wall), n^{k_cpu:.2f} "
            f"(CPU); target n^{EXPONENT_TARGET}, peak RSS <= {RSS_TARGET_MB} MB at 50,000"
        )
    print(
        f"(medians of {repeat} runs after one warm-up, 1 run past 2,000 comments; "
        "`threadbrief summarize FILE --json`, the generated threads as ThreadBrief JSON)"
    )


def main(argv: list[str] | None = None) -> int:
    one_blas_thread()  # as `threadbrief` does, before numpy is loaded
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10,100,1000,2000,5000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--sumy-budget",
        type=float,
        default=120.0,
        help="seconds plain sumy may run in all (default 120); larger sizes are extrapolated",
    )
    parser.add_argument("--cli-sizes", default="2000,20000,50000")
    parser.add_argument("--stall-size", type=int, default=20000)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    cli_sizes = [int(s) for s in args.cli_sizes.split(",") if s]

    print(f"ThreadBrief speed benchmark (medians; {load()})")
    print()
    whole = _stage_table(sizes, args.repeat)
    print()
    _lexrank_table(sizes, whole, args.sumy_budget)
    print()
    _cli_table(cli_sizes, args.repeat)
    print()
    cold = command_figures(
        [
            sys.executable,
            "-c",
            "import bot.runner, cogs.summarize, cogs.settings, cogs.help, cogs.digest",
        ],
        args.repeat,
    )
    print(
        f"Bot cold start (interpreter, discord.py, runner and cogs imported): {cold[0]:.2f} s "
        f"wall, {cold[1]:.2f} s CPU"
    )
    stalls = [event_loop_stall(args.stall_size) for _ in range(3)]
    print(
        f"Largest event-loop stall while a {args.stall_size:,}-comment brief runs in the worker "
        f"pool (median of 3): {statistics.median(stalls) * 1000:.0f} ms "
        f"(target <= {STALL_TARGET_MS} ms)"
    )
    print(f"At the end: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
