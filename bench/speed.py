"""Speed and memory benchmark: ThreadBrief at thread scale, beside plain sumy in the same run.

    python -m bench.speed [--sizes 10,100,1000,2000,5000] [--repeat 5]

Threads are generated deterministically (several languages, nested replies, quotations, comments
of one to eight sentences), plus the sample export where present. For each size it prints the
median time of every stage, the whole brief, Python's peak memory during the brief (tracemalloc),
the process's peak resident memory for that brief alone (measured in a fresh interpreter), and plain
sumy's
LexRank on the same text (the thread's article and comments as one document). sumy grows as about
n^2.1, so beyond `--sumy-limit` sentences its time is extrapolated from the largest size it ran,
and marked "~". It also measures the CLI from start to exit, the bot's cold start, and the largest
event-loop stall while a 5,000-comment brief runs in the bot's worker pool.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.thread import Article, Comment, Span, Thread

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "samples" / "informed-comment-mosul.txt"

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


def plain_sumy_lexrank(sentences: list[str]) -> None:
    """sumy's LexRank, as a user of sumy would run it, over the whole thread."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.utils import get_stop_words

    from bot.text.words import OfflineTokenizer

    tokenizer = OfflineTokenizer("en")
    document = ObjectDocumentModel([Paragraph([Sentence(s, tokenizer) for s in sentences])])
    summarizer = LexRankSummarizer(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    summarizer(document, 3)


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


def peak_rss(n: int) -> float:
    """Peak resident memory (MB) of a fresh interpreter briefing `n` comments, imports included.

    A subprocess per size, since a process's peak never goes down: measured in this process, every
    size would report the largest one run before it.
    """
    code = (
        "import resource, sys\n"
        "from bench.speed import generate\n"
        "from bot.pipeline import make_brief\n"
        f"make_brief(generate({n}))\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, check=True, capture_output=True, text=True
    )
    return _maxrss_mb(int(result.stdout.split()[-1]))


def _maxrss_mb(maxrss: int) -> float:
    """ru_maxrss is in kilobytes on Linux and in bytes on macOS."""
    return maxrss / 2**20 if sys.platform == "darwin" else maxrss / 2**10


def event_loop_stall(n: int) -> float:
    """Largest gap between 5 ms ticks of the loop while the bot's job runner briefs `n` comments."""
    from bot.config import FetchConfig
    from bot.jobs import JobRunner, SourceRequest, process_pool
    from bot.pipeline import BriefOptions
    from bot.render.json import thread_dict

    data = json.dumps({"source": "bench", **thread_dict(generate(n))}).encode()

    async def run() -> float:
        with process_pool(2) as pool:
            runner = JobRunner(pool, FetchConfig())
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


def command_seconds(args: list[str], repeat: int) -> float:
    def once() -> None:
        subprocess.run(args, check=True, capture_output=True)

    once()  # warm the file cache
    return median_time(once, repeat)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10,100,1000,2000,5000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--sumy-limit",
        type=int,
        default=1200,
        help="largest number of sentences plain sumy is run on (default 1200)",
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]

    print("ThreadBrief speed benchmark (medians; seconds unless marked)")
    header = (
        f"{'comments':>8}{'sents':>7}{'parse':>7}{'lang':>7}{'split':>7}{'summ':>7}"
        f"{'views':>7}{'render':>7}{'WHOLE':>8}{'peakMB':>8}{'RSSMB':>7}{'sumy LR':>10}{'ratio':>9}"
    )
    print(header)
    sumy_fit: tuple[int, float] | None = None
    for n in sizes:
        thread = generate(n)
        sentences = thread_document_sentences(thread)
        repeat = args.repeat if n <= 2000 else max(1, args.repeat // 2)
        figures = stages(thread, repeat)
        memory = peak_memory(thread)
        rss = peak_rss(n)
        if len(sentences) <= args.sumy_limit:
            sumy = median_time(lambda s=sentences: plain_sumy_lexrank(s), 1 if n > 100 else 3)
            sumy_fit = (len(sentences), sumy)
            sumy_text = f"{sumy:>10.2f}"
        elif sumy_fit is not None:
            sumy = sumy_fit[1] * (len(sentences) / sumy_fit[0]) ** 2.1
            sumy_text = f"{'~' + format(sumy, '.0f'):>10}"
        else:
            sumy, sumy_text = float("nan"), f"{'-':>10}"
        print(
            f"{n:>8}{len(sentences):>7}"
            + "".join(
                f"{figures[k]:>7.3f}"
                for k in ("parse", "languages", "sentences", "summary", "viewpoints", "render")
            )
            + f"{figures['whole']:>8.3f}{memory:>8.0f}{rss:>7.0f}"
            + f"{sumy_text}{sumy / figures['whole']:>8.0f}x"
        )
    print("('~': sumy extrapolated as n^2.1 from the largest size it ran; ratio = sumy / WHOLE)")
    print(
        "(peakMB: Python allocations during the brief; RSSMB: peak RSS of a fresh process briefing)"
    )

    if SAMPLE.is_file():
        cli = command_seconds([sys.executable, "-m", "bot", "summarize", str(SAMPLE)], args.repeat)
        print(f"CLI start to exit on the sample export: {cli:.2f} s")
    cold = command_seconds(
        [
            sys.executable,
            "-c",
            "import bot.runner, cogs.summarize, cogs.settings, cogs.help, cogs.digest",
        ],
        args.repeat,
    )
    print(f"Bot cold start (interpreter, discord.py, runner and cogs imported): {cold:.2f} s")
    stall = statistics.median(event_loop_stall(max(sizes)) for _ in range(args.repeat))
    print(
        f"Largest event-loop stall while a {max(sizes):,}-comment brief runs in the worker pool "
        f"(median of {args.repeat}): {stall * 1000:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
