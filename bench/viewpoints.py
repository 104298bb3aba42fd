"""Viewpoint benchmark: ThreadBrief's viewpoints against human key-point labels (IBM ArgKP).

    python -m bench.viewpoints [--data DIR] [--split train] [--topics N] [--cli]

Each topic is read as one thread, as a commenter would meet it: the topic as the article's title
and its arguments of both stances as the comments, in a shuffled order (seeded by the topic). The
thread goes through the same path as `threadbrief summarize FILE --json --viewpoints 25` (the JSON
source, then the brief), in this process; `--cli` runs the command itself instead, to check that
both agree. Measures, per topic, then averaged over topics:

* stance purity: share of grouped comments holding their group's majority stance;
* key-point purity: share of comments with a labelled key point that make their group's most
  common one;
* NMI / ARI: groups against key points, over comments that make exactly one;
* coverage@5 / coverage@kp: prevalence of the key points made by the quotes of the 5 (or as many
  as the topic has key points) heaviest viewpoints, over the prevalence of all the topic's;
* distinct@5 / distinct@kp: distinct key points those quotes make, over 5 (or the number shown);
* grouped: share of the comments placed in a viewpoint (the rest are unclassified).

Baselines in the same run: random groups of ThreadBrief's sizes (quoting two members each),
TF-IDF k-means and WordLlama-vector k-means with k = the topic's key points (scikit-learn, from
the `bench` extra; quoting the two members nearest each centre), and an oracle (the human groups,
heaviest first, quoting two members each).

Data: IBM Debater(R) ArgKP v1 (Bar-Haim et al., ACL 2020; CDLA-Sharing 1.0), read from
../shared/eval/argkp; it is not copied into this repository.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "eval" / "argkp"
CREDIT = (
    "Data: IBM Debater(R) ArgKP v1, {split} split (Bar-Haim et al., ACL 2020; CDLA-Sharing 1.0)."
)
MEASURES = ("stance", "kp_purity", "nmi", "ari", "cov@5", "distinct@5", "cov@kp", "distinct@kp")

Group = tuple[list[str], list[str]]
"""(comment ids of a viewpoint, ids of the comments it quotes), heaviest viewpoint first."""


@dataclass(frozen=True)
class Topic:
    title: str
    arguments: list[dict[str, str]]
    """Shuffled, as the thread presents them."""
    key_points: list[str]
    makes: dict[str, set[str]]
    """Argument id -> key points it makes (human labels)."""


def load(data: Path, split: str) -> list[Topic]:
    def rows(name: str) -> list[dict[str, str]]:
        with open(data / f"{name}_{split}.csv", encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    makes: dict[str, set[str]] = defaultdict(set)
    for row in rows("labels"):
        if row["label"] == "1":
            makes[row["arg_id"]].add(row["key_point_id"])
    arguments: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows("arguments"):
        arguments[row["topic"]].append(row)
    key_points: dict[str, list[str]] = defaultdict(list)
    for row in rows("key_points"):
        key_points[row["topic"]].append(row["key_point_id"])
    topics = []
    for title in sorted(arguments):
        shuffled = arguments[title][:]
        random.Random(title).shuffle(shuffled)
        topics.append(Topic(title, shuffled, key_points[title], makes))
    return topics


def thread_json(topic: Topic) -> dict[str, object]:
    return {
        "source": "argkp",
        "article": {"title": topic.title, "paragraphs": [topic.title + "."]},
        "comments": [
            {"id": a["arg_id"], "author": f"user{i}", "text": a["argument"]}
            for i, a in enumerate(topic.arguments)
        ],
    }


def threadbrief_groups(topic: Topic) -> list[Group]:
    from bot.pipeline import BriefOptions, make_brief
    from bot.sources import parse_json

    brief = make_brief(parse_json(thread_json(topic)), BriefOptions(viewpoints=25))
    return [(list(v.comment_ids), [q.comment_id for q in v.quotes]) for v in brief.viewpoints]


def cli_groups(topic: Topic) -> list[Group]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(thread_json(topic), f)
    try:
        out = subprocess.run(
            [sys.executable, "-m", "bot", "summarize", f.name, "--json", "--viewpoints", "25"],
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
    finally:
        Path(f.name).unlink()
    brief = json.loads(out.stdout)["brief"]
    return [
        (list(v["comment_ids"]), [q["comment_id"] for q in v["quotes"]])
        for v in brief["viewpoints"]
    ]


def random_groups(topic: Topic, sizes: Sequence[int], rng: random.Random) -> list[Group]:
    ids = [a["arg_id"] for a in topic.arguments]
    rng.shuffle(ids)
    groups, at = [], 0
    for size in sizes:
        members = ids[at : at + size]
        at += size
        groups.append((members, members[:2]))
    return groups


def kmeans_groups(topic: Topic, vectors: Any, seed: int = 0) -> list[Group]:
    from sklearn.cluster import KMeans

    k = len(topic.key_points)
    model = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(vectors)
    groups = []
    for j in range(k):
        index = np.flatnonzero(model.labels_ == j)
        if not len(index):
            continue
        rows = vectors[index]
        rows = rows.toarray() if hasattr(rows, "toarray") else rows
        distance = ((rows - model.cluster_centers_[j]) ** 2).sum(axis=1)
        order = index[np.argsort(distance)]
        ids = [topic.arguments[i]["arg_id"] for i in order]
        groups.append((ids, ids[:2]))
    return sorted(groups, key=lambda g: -len(g[0]))


def tfidf_vectors(topic: Topic) -> Any:
    """Sparse, as scikit-learn's k-means then runs its sparse path."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [a["argument"] for a in topic.arguments]
    return TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts)


def wordllama_vectors(topic: Topic) -> np.ndarray:
    from bot.viewpoints.embedding import token_table

    table = token_table()
    if table is None:
        raise ImportError("wordllama is not installed")
    raw = table.embed([a["argument"] for a in topic.arguments])
    return raw / np.maximum(np.linalg.norm(raw, axis=1, keepdims=True), 1e-9)


def oracle_groups(topic: Topic) -> list[Group]:
    by_point: dict[str, list[str]] = defaultdict(list)
    for a in topic.arguments:
        made = topic.makes.get(a["arg_id"], set())
        if len(made) == 1:
            by_point[next(iter(made))].append(a["arg_id"])
    return sorted(((g, g[:2]) for g in by_point.values()), key=lambda g: -len(g[0]))


def _nmi_ari(predicted: Sequence[int], gold: Sequence[str]) -> tuple[float, float]:
    n = len(predicted)
    if n < 2:
        return math.nan, math.nan
    pc, gc, joint = Counter(predicted), Counter(gold), Counter(zip(predicted, gold, strict=True))

    def entropy(counts: Counter[int] | Counter[str]) -> float:
        return -sum(v / n * math.log(v / n) for v in counts.values())

    mutual = sum(v / n * math.log((v / n) / (pc[p] / n * gc[g] / n)) for (p, g), v in joint.items())
    hp, hg = entropy(pc), entropy(gc)
    nmi = 2 * mutual / (hp + hg) if hp + hg else 1.0

    def pairs(x: int) -> float:
        return x * (x - 1) / 2

    index = sum(pairs(v) for v in joint.values())
    a, b = sum(pairs(v) for v in pc.values()), sum(pairs(v) for v in gc.values())
    expected = a * b / pairs(n)
    most = (a + b) / 2
    ari = (index - expected) / (most - expected) if most != expected else 0.0
    return nmi, ari


def score(topic: Topic, groups: Sequence[Group]) -> dict[str, float]:
    """Every measure of one topic (definitions in the module docstring)."""
    stance = {a["arg_id"]: a["stance"] for a in topic.arguments}
    makes = topic.makes
    grouped = [i for g, _ in groups for i in g]
    majority = sum(max(Counter(stance[i] for i in g).values()) for g, _ in groups if g)
    hits = labelled = 0
    for members, _ in groups:
        with_point = [i for i in members if makes.get(i)]
        if not with_point:
            continue
        top = Counter(k for i in with_point for k in makes[i]).most_common(1)[0][0]
        hits += sum(1 for i in with_point if top in makes[i])
        labelled += len(with_point)
    single = {i: next(iter(makes[i])) for i in grouped if len(makes.get(i, ())) == 1}
    label = {i: n for n, (g, _) in enumerate(groups) for i in g}
    ids = sorted(single)
    nmi, ari = _nmi_ari([label[i] for i in ids], [single[i] for i in ids])
    prevalence = Counter(k for a in topic.arguments for k in makes.get(a["arg_id"], ()))
    total = sum(prevalence[k] for k in topic.key_points) or 1
    result = {
        "stance": majority / max(1, len(grouped)),
        "kp_purity": hits / max(1, labelled),
        "nmi": nmi,
        "ari": ari,
        "grouped": len(grouped) / max(1, len(topic.arguments)),
        "groups": float(len(groups)),
    }
    for name, k in (("5", 5), ("kp", len(topic.key_points))):
        shown = {p for _, quotes in groups[:k] for i in quotes for p in makes.get(i, ())}
        result["cov@" + name] = sum(prevalence[p] for p in shown) / total
        result["distinct@" + name] = len(shown & set(topic.key_points)) / max(
            1, min(k, len(groups[:k]))
        )
    return result


def _row(name: str, rows: Sequence[dict[str, float]], keys: Sequence[str]) -> str:
    cells = "".join(_mean_cell([r[k] for r in rows]) for k in keys)
    return f"{name:28}{cells}"


def _mean_cell(values: Sequence[float]) -> str:
    """The mean of the topics where a measure is defined; "-" where it is defined for none."""
    defined = [v for v in values if not np.isnan(v)]
    return f"{float(np.mean(defined)):>11.3f}" if defined else f"{'-':>11}"


def run(topics: Sequence[Topic], systems: dict[str, Callable[[Topic], list[Group]]]) -> None:
    keys = (*MEASURES, "grouped", "groups")
    results: dict[str, list[dict[str, float]]] = defaultdict(list)
    seconds: list[float] = []
    rng = random.Random(0)
    for topic in topics:
        started = time.perf_counter()
        ours = systems["ThreadBrief"](topic)
        seconds.append(time.perf_counter() - started)
        results["ThreadBrief"].append(score(topic, ours))
        sizes = [len(g) for g, _ in ours]
        results["random (same sizes)"].append(score(topic, random_groups(topic, sizes, rng)))
        for name, system in systems.items():
            if name != "ThreadBrief":
                try:
                    results[name].append(score(topic, system(topic)))
                except ImportError:
                    pass
        results["oracle (human groups)"].append(score(topic, oracle_groups(topic)))
    print(f"{'system':28}" + "".join(f"{k:>11}" for k in keys))
    for name, rows in results.items():
        print(_row(name, rows, keys))
    print(
        f"ThreadBrief time per topic: median {statistics.median(seconds):.3f} s, "
        f"max {max(seconds):.3f} s ({sum(len(t.arguments) for t in topics) / len(topics):.0f}"
        " comments a topic)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.viewpoints", description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--split", default="train")
    parser.add_argument("--topics", type=int, help="only the first N topics (a quick check)")
    parser.add_argument("--cli", action="store_true", help="brief through the CLI, as a user")
    args = parser.parse_args(argv)
    if not (args.data / f"arguments_{args.split}.csv").exists():
        print(f"No ArgKP {args.split} split in {args.data}: pass --data DIR.", file=sys.stderr)
        return 2
    topics = load(args.data, args.split)[: args.topics]
    print(
        f"ArgKP {args.split}: {len(topics)} topics, "
        f"{sum(len(t.arguments) for t in topics):,} arguments"
    )
    systems: dict[str, Callable[[Topic], list[Group]]] = {
        "ThreadBrief": cli_groups if args.cli else threadbrief_groups,
        "tf-idf k-means (k=#kp)": lambda t: kmeans_groups(t, tfidf_vectors(t)),
        "wordllama k-means (k=#kp)": lambda t: kmeans_groups(t, wordllama_vectors(t)),
    }
    run(topics, systems)
    print(CREDIT.format(split=args.split))
    return 0


if __name__ == "__main__":
    sys.exit(main())
