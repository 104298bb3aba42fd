"""Quality benchmark: briefs of mailing-list threads scored against human summaries.

    python -m bench.quality [--data DIR] [--budget 75] [--limit N]

Every system gets the same word budget and the same sentences (the thread split by ThreadBrief's
offline splitter), and is scored with ROUGE-1/2/L F1 (the `rouge-score` package, stemming on):

* Lead: the thread's first sentences.
* sumy LexRank, TextRank, LSA: plain sumy over the whole thread, sentences taken in sumy's rating
  order until the budget is spent.
* Random: a seeded random pick.
* Oracle: greedy extraction against the reference (the ceiling of any extractive system).
* ThreadBrief: the rendered discussion brief ("Name: sentence" for each viewpoint's quotes).

Data: the ConvoSumm email threads (Fabbri et al., ACL 2021, CC BY-SA 4.0), read from
../shared/eval/convosumm-email; they are not copied into this repository.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "eval" / "convosumm-email"
CREDIT = "Data: ConvoSumm email threads, validation split (Fabbri et al., ACL 2021; CC BY-SA 4.0)."


def cut(sentences: Sequence[str], budget: int) -> str:
    """Sentences joined, truncated to `budget` words."""
    words = " ".join(sentences).split()
    return " ".join(words[:budget])


def take_until(sentences: Sequence[str], order: Sequence[int], budget: int) -> list[str]:
    chosen: list[int] = []
    used = 0
    for i in order:
        if used >= budget:
            break
        chosen.append(i)
        used += len(sentences[i].split())
    return [sentences[i] for i in sorted(chosen)]


def thread_sentences(thread: Any) -> list[str]:
    from bot.text.sentences import split_sentences

    return [
        s
        for c in thread.comments
        for p in c.text.split("\n\n")
        for s in split_sentences(p)
        if len(s.split()) >= 3
    ]


def sumy_pick(name: str, sentences: list[str], budget: int) -> list[str]:
    """Plain sumy on the whole thread (its own stemmer and English stop words)."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.lsa import LsaSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer
    from sumy.utils import get_stop_words

    from bot.text.words import OfflineTokenizer

    tokenizer = OfflineTokenizer("en")
    objects = [Sentence(s, tokenizer) for s in sentences]
    document = ObjectDocumentModel([Paragraph(objects)])
    cls = {"lexrank": LexRankSummarizer, "textrank": TextRankSummarizer, "lsa": LsaSummarizer}[name]
    summarizer = cls(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")

    def budgeted(infos: list[Any]) -> list[Any]:
        kept, used = [], 0
        for info in infos:
            if used >= budget:
                break
            kept.append(info)
            used += len(str(info.sentence).split())
        return kept

    picked = {id(s) for s in summarizer(document, budgeted)}
    return [s for s, o in zip(sentences, objects, strict=True) if id(o) in picked]


class Oracle:
    """Greedy extraction maximising ROUGE-1 + ROUGE-2 recall-precision F against the reference."""

    def __init__(self, tokenize: Callable[[str], list[str]]) -> None:
        self.tokenize = tokenize

    @staticmethod
    def _grams(tokens: list[str], n: int) -> Counter[tuple[str, ...]]:
        return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))

    def _f(self, cand: list[str], ref: list[str], n: int) -> float:
        c, r = self._grams(cand, n), self._grams(ref, n)
        overlap = sum((c & r).values())
        if not overlap:
            return 0.0
        p, rec = overlap / sum(c.values()), overlap / sum(r.values())
        return 2 * p * rec / (p + rec)

    def pick(self, sentences: list[str], reference: str, budget: int) -> list[str]:
        ref = self.tokenize(reference)
        tokens = [self.tokenize(s) for s in sentences]
        chosen: list[int] = []
        best = 0.0
        while sum(len(sentences[i].split()) for i in chosen) < budget:
            scored = []
            for i in range(len(sentences)):
                if i in chosen:
                    continue
                cand = [t for j in sorted([*chosen, i]) for t in tokens[j]]
                scored.append((self._f(cand, ref, 1) + self._f(cand, ref, 2), i))
            if not scored:
                break
            score, i = max(scored)
            if score <= best:
                break
            best = score
            chosen.append(i)
        return [sentences[i] for i in sorted(chosen)]


def threadbrief_text(thread: Any, budget: int = 75) -> list[str]:
    from bot.pipeline import BriefOptions, make_brief
    from bot.render.plain import brief_text

    brief = make_brief(thread, BriefOptions(viewpoints=25, quotes=2, words=budget))
    return [brief_text(brief, thread, budget)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--budget", type=int, default=75, help="words per summary (75)")
    parser.add_argument("--limit", type=int, help="only the first N threads")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    source, target = args.data / "val.source", args.data / "val.target"
    if not source.is_file() or not target.is_file():
        print(
            f"quality benchmark: no data at {args.data} (val.source, val.target)", file=sys.stderr
        )
        return 2

    from rouge_score import rouge_scorer, tokenize
    from rouge_score.rouge_scorer import _create_ngrams  # noqa: F401  (checks the version)

    from bot.sources.mailinglist import parse

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    stemmer = scorer._tokenizer._stemmer if hasattr(scorer, "_tokenizer") else None
    oracle = Oracle(lambda text: tokenize.tokenize(text, stemmer))
    rng = random.Random(args.seed)
    threads = source.read_text("utf-8").splitlines()
    references = target.read_text("utf-8").splitlines()
    pairs = list(zip(threads, references, strict=True))[: args.limit]

    systems = [
        "Lead",
        "sumy LexRank",
        "sumy TextRank",
        "sumy LSA",
        "Random",
        "Oracle",
        "ThreadBrief",
    ]
    scores: dict[str, list[tuple[float, float, float]]] = {s: [] for s in systems}
    seconds: dict[str, float] = dict.fromkeys(systems, 0.0)
    for line, reference in pairs:
        thread = parse(line)
        sentences = thread_sentences(thread)
        order = list(range(len(sentences)))
        rng.shuffle(order)
        budget = args.budget
        makers: dict[str, Callable[[], list[str]]] = {
            "Lead": partial(list, sentences),
            "sumy LexRank": partial(sumy_pick, "lexrank", sentences, budget),
            "sumy TextRank": partial(sumy_pick, "textrank", sentences, budget),
            "sumy LSA": partial(sumy_pick, "lsa", sentences, budget),
            "Random": partial(take_until, sentences, order, budget),
            "Oracle": partial(oracle.pick, sentences, reference, budget),
            "ThreadBrief": partial(threadbrief_text, thread, budget),
        }
        for name, make in makers.items():
            start = time.perf_counter()
            summary = cut(make(), budget)
            seconds[name] += time.perf_counter() - start
            result = scorer.score(reference, summary)
            scores[name].append(
                tuple(100 * result[k].fmeasure for k in ("rouge1", "rouge2", "rougeL"))  # type: ignore[arg-type]
            )

    baselines = ["Lead", "sumy LexRank", "sumy TextRank", "sumy LSA", "Random"]
    print(f"{len(pairs)} threads, {args.budget}-word budget, ROUGE F1 x100 (stemmed)")
    print(f"{'system':<15}{'R-1':>7}{'R-2':>7}{'R-L':>7}{'s/thread':>10}")
    for name in systems:
        r1, r2, rl = (statistics.fmean(x[k] for x in scores[name]) for k in range(3))
        print(f"{name:<15}{r1:>7.1f}{r2:>7.1f}{rl:>7.1f}{seconds[name] / len(pairs):>10.3f}")
    best = max(baselines, key=lambda b: statistics.fmean(x[0] for x in scores[b]))
    wins = sum(
        1
        for ours, theirs in zip(scores["ThreadBrief"], scores[best], strict=True)
        if sum(ours) > sum(theirs)
    )
    print(
        f"ThreadBrief beats the best baseline ({best}) on {wins} of {len(pairs)} threads "
        "(by R-1 + R-2 + R-L)."
    )
    print(CREDIT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
