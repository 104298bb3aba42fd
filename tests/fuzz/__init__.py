"""The fuzz harness: mutated and generated inputs of every format, through every stage.

A case is bytes (and, for seeds that know it, how many comments they hold). It goes where a user's
file goes: format detection and the reader, then the brief, the terminal, JSON and embed
renderers, and the JSON written is read back. Each case ends as one of:

- ok: a brief was made and every renderer ran;
- refused: the core raised one of its own user errors (a clear message);
- crash: anything else escaped (a bug: the CLI would say "internal error");
- hang: the case took more CPU time than the hang limit (and one that runs away is stopped by
  an alarm at six times the limit in wall time); CPU time, because on a shared machine the wall
  time of a case says more about its neighbours than about it. Cases past the limit in wall
  time only are counted apart ("slow under load");
- drop: comments went missing without being counted (shown + counted missing < what the file
  holds), or the JSON written did not read back with the same comments.

`python -m tests.fuzz --family json --cases 10000` runs one family and prints the figures; the test
suite runs a short seeded run of each family (tests/test_fuzz.py).
"""

from __future__ import annotations

import io
import json
import random
import signal
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from hypothesis import strategies as st

from tests.fuzz.seeds import FAMILIES, Seed

TOKENS = (
    b"<",
    b">",
    b"</",
    b"<![",
    b"<!--",
    b"&#",
    b"&amp;",
    b"\x00",
    b"\xff",
    b"\xef\xbb\xbf",
    b"\xff\xfe\x00\x00",
    b"\r",
    b"\n\n",
    b"From ",
    b"</s>",
    b"{",
    b"[",
    b'"',
    b"\\u",
    b"\\ud800",
    b" " * 64,
    b"." * 64,
    b"Subject:",
    b"Content-Type: text/plain; charset",
    b"=?utf-8?q?=ff?=",
    b"<!DOCTYPE x [<!ENTITY a 'b'>]>",
    b"5 comments",
    b" says:",
    b"1. ",
)

JSON_KEYS = (
    "id",
    "text",
    "author",
    "by",
    "kids",
    "children",
    "parent_id",
    "points",
    "score",
    "title",
    "data",
    "replies",
    "body",
    "kind",
    "post_number",
    "reply_to_post_number",
    "cooked",
    "account",
    "display_name",
    "in_reply_to_id",
    "content",
    "comments",
    "article",
    "paragraphs",
    "published",
    "spans",
    "type",
    "created_at_i",
    "messages",
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(JSON_KEYS) | st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)


@dataclass(frozen=True)
class Case:
    data: bytes
    expected: int | None
    """Comments the input holds, where its builder knows (unmutated seeds)."""
    how: str


def _mutate_bytes(data: bytes, draw: Any) -> bytes:
    buf = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        if not buf:
            buf.extend(draw(st.sampled_from(TOKENS)))
            continue
        at = draw(st.integers(0, len(buf)))
        op = draw(st.sampled_from(["flip", "insert", "token", "delete", "repeat", "truncate"]))
        if op == "flip" and at < len(buf):
            buf[at] = draw(st.integers(0, 255))
        elif op == "insert":
            buf[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif op == "token":
            buf[at:at] = draw(st.sampled_from(TOKENS)) * draw(st.sampled_from([1, 1, 2, 50]))
        elif op == "delete":
            del buf[at : at + draw(st.integers(1, 64))]
        elif op == "repeat":
            piece = bytes(buf[at : at + draw(st.integers(1, 64))])
            buf[at:at] = piece * draw(st.integers(1, 20))
        elif op == "truncate":
            del buf[at:]
    return bytes(buf)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a JSON document, iteratively (documents nest deep)."""
    stack = [(value, path)]
    while stack:
        node, where = stack.pop()
        yield where
        if isinstance(node, dict):
            stack.extend((v, (*where, k)) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, (*where, i)) for i, v in enumerate(node))


def _mutate_json(data: bytes, draw: Any) -> bytes:
    doc = json.loads(data)
    for _ in range(draw(st.integers(1, 4))):
        paths = list(_paths(doc))
        where = draw(st.sampled_from(paths))
        if not where:
            doc = draw(json_values)
            continue
        parent: Any = doc
        for step in where[:-1]:
            parent = parent[step]
        key = where[-1]
        op = draw(st.sampled_from(["replace", "delete", "duplicate", "wrap", "cycle", "deep"]))
        if op == "replace":
            parent[key] = draw(json_values)
        elif op == "delete":
            del parent[key]
        elif op == "duplicate" and isinstance(parent, list):
            parent.insert(key, json.loads(json.dumps(parent[key])))
        elif op == "wrap":
            parent[key] = [parent[key]]
        elif op == "cycle":
            # point an id-like field at another item's id: loops in kids and parent links
            ids = [
                v
                for p in paths
                if p and p[-1] == "id"
                for v in [_get(doc, p)]
                if v is None or isinstance(v, str | int | float)
            ]
            parent[key] = draw(st.sampled_from(ids)) if ids else 1
        elif op == "deep":
            depth = draw(st.integers(10, 200))
            parent[key] = json.loads("[" * depth + "]" * depth)
    try:
        return json.dumps(doc, allow_nan=True).encode()
    except RecursionError:  # mutations nested deeper than the encoder goes: deep is the point
        return b"[" * 5000 + b"]" * 5000


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        doc = doc[step]
    return doc


def _mutate_markup(data: bytes, draw: Any) -> bytes:
    """Structure at the level of tags: cut, repeat, nest and unclose elements."""
    text = data.decode("utf-8", "replace")
    for _ in range(draw(st.integers(1, 4))):
        starts = [i for i, ch in enumerate(text) if ch == "<"] or [0]
        at = draw(st.sampled_from(starts))
        end = text.find(">", at) + 1 or len(text)
        tag = text[at:end]
        op = draw(st.sampled_from(["drop-tag", "repeat", "nest", "swap-text", "id", "unclose"]))
        if op == "drop-tag":
            text = text[:at] + text[end:]
        elif op == "repeat":
            close = text.find("<", end)
            text = text[:at] + text[at:close] * draw(st.integers(2, 30)) + text[at:]
        elif op == "nest":
            text = text[:at] + tag * draw(st.integers(2, 300)) + text[at:]
        elif op == "swap-text":
            close = text.find("<", end)
            if close > end:
                text = text[:end] + draw(st.text(max_size=20)) + text[close:]
        elif op == "id":
            text = (
                text[:end]
                + draw(st.sampled_from(["0", "1", "2", "p1", "p0", "-1", ""]))
                + (text[text.find("<", end) :] if text.find("<", end) > 0 else "")
            )
        elif op == "unclose":
            text = text[: end - 1] + text[end:] if end > at + 1 else text
    return text.encode("utf-8", "surrogatepass")


def _mutate_lines(data: bytes, draw: Any) -> bytes:
    """Structure at the level of lines: headers and markers of mail and text dumps."""
    lines = data.decode("utf-8", "replace").split("\n")
    extras = [
        "From ",
        "From:",
        "From: =?x-unknown?q?a?= <@>",
        "Subject: " + "Re: " * 40,
        "Content-Type: text/html; charset=",
        "Content-Transfer-Encoding: base64",
        "In-Reply-To: <m0@lists.example>",
        "Message-ID: <m0@lists.example>",
        "Date: Fri, 99 May 2024 99:99:99 +9999",
        "> " * 30,
        "On Fri, someone wrote:",
        "-----Original Message-----",
        "-- ",
        "8 Comments",
        "Comments are closed.",
        "User says:",
        "  1. ",
        "  • ",
        "By " + " " * 200 + "x",
        "<ab> quoted",
        "</ab>",
        "",
    ]
    for _ in range(draw(st.integers(1, 5))):
        at = draw(st.integers(0, len(lines)))
        op = draw(st.sampled_from(["insert", "delete", "repeat", "swap"]))
        if op == "insert":
            lines.insert(at, draw(st.sampled_from(extras)) + draw(st.text(max_size=8)))
        elif op == "delete" and at < len(lines):
            del lines[at]
        elif op == "repeat" and at < len(lines):
            lines[at:at] = [lines[at]] * draw(st.integers(2, 50))
        elif op == "swap" and lines:
            other = draw(st.integers(0, len(lines) - 1))
            at = min(at, len(lines) - 1)
            lines[at], lines[other] = lines[other], lines[at]
    return "\n".join(lines).encode("utf-8", "surrogatepass")


STRUCTURE = {
    "json": _mutate_json,
    "xml": _mutate_markup,
    "html": _mutate_markup,
    "mail": _mutate_lines,
    "text": _mutate_lines,
}

_TAGS = ("p", "div", "blockquote", "br", "script", "li", "ol", "ul", "article", "h2", "a", "b")


@st.composite
def _generated(draw: Any, family: str) -> bytes:
    """Documents made from nothing: any JSON, element trees, tag soup, header soup, any text."""
    if family == "json":
        return json.dumps(draw(json_values), allow_nan=True).encode()
    if family in ("xml", "html"):
        root = draw(
            st.sampled_from(["rss", "feed", "disqus", "html", "body", "rdf:RDF", "channel"])
        )
        parts = [f"<{root}>"]
        for _ in range(draw(st.integers(0, 30))):
            tag = draw(st.sampled_from((*_TAGS, "item", "entry", "post", "thread", "title")))
            parts.append(
                draw(
                    st.sampled_from([f"<{tag}>", f"</{tag}>", f"<{tag} class='comment'>", "&amp;"])
                )
            )
            parts.append(draw(st.text(max_size=15)).replace("<", "&lt;"))
        head = '<?xml version="1.0"?>' if family == "xml" else "<!doctype html>"
        return (head + "".join(parts)).encode("utf-8", "surrogatepass")
    if family == "mail":
        headers = draw(
            st.lists(
                st.tuples(
                    st.sampled_from(
                        [
                            "From",
                            "Subject",
                            "Date",
                            "Message-ID",
                            "In-Reply-To",
                            "Content-Type",
                            "Content-Transfer-Encoding",
                            "X-Any",
                        ]
                    ),
                    st.text(max_size=20),
                ),
                max_size=8,
            )
        )
        body = draw(st.text(max_size=200))
        lines = [f"{k}: {v}".replace("\n", " ") for k, v in headers]
        return ("From x@y Fri May  3 10:00:00 2024\n" + "\n".join(lines) + "\n\n" + body).encode(
            "utf-8", "surrogatepass"
        )
    return draw(st.text(max_size=400)).encode("utf-8", "surrogatepass")


@st.composite
def cases(draw: Any, family: str) -> Case:
    """One input of a family: a seed as built, mutated in bytes or structure, or generated."""
    how = draw(st.sampled_from(["seed", "bytes", "structure", "structure", "generated"]))
    if how == "generated":
        return Case(draw(_generated(family)), None, how)
    builder: Seed = draw(st.sampled_from(FAMILIES[family]))
    data, expected = builder(random.Random(draw(st.integers(0, 2**32))))
    if how == "seed":
        return Case(data, expected, f"seed:{builder.__name__}")
    if how == "bytes":
        return Case(_mutate_bytes(data, draw), None, f"bytes:{builder.__name__}")
    return Case(STRUCTURE[family](data, draw), None, f"structure:{builder.__name__}")


# --- running a case ---------------------------------------------------------------------------


class Hang(BaseException):
    """Raised by the alarm when a case runs past the hang limit (BaseException: no reader's
    `except Exception` can swallow it)."""


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def ring(signum: int, frame: object) -> None:
        raise Hang

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class Outcome:
    kind: str  # ok, refused, crash, hang, drop
    where: str = ""
    """For a crash, the exception and the innermost frame in the project; else a description."""


def _where(error: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "/bot/" in f.filename]
    frame = frames[-1] if frames else traceback.extract_tb(error.__traceback__)[-1]
    path = frame.filename.split("/bot/")[-1]
    return f"{type(error).__name__} at bot/{path}:{frame.lineno} ({frame.name})"


def run_case(case: Case, hang_after: float = 5.0) -> Outcome:
    """Read, brief and render one input as the CLI and the bot would."""
    from rich.console import Console

    from bot.errors import ThreadBriefError
    from bot.pipeline import BriefOptions, make_brief
    from bot.render.embeds import brief_pages
    from bot.render.json import document
    from bot.render.terminal import render
    from bot.sources import read_bytes

    try:
        with _alarm(hang_after * 6):
            try:
                thread = read_bytes(case.data)
            except ThreadBriefError:
                return Outcome("refused")
            if case.expected is not None:
                accounted = len(thread.comments) + thread.missing
                if accounted < case.expected:
                    return Outcome("drop", f"{case.how}: {case.expected} in, {accounted} out")
            options = BriefOptions()
            brief = make_brief(thread, options)
            render(brief, Console(file=io.StringIO(), width=100))
            brief_pages(brief)
            written = json.dumps(document(brief, thread, asdict(options)), ensure_ascii=False)
            again = read_bytes(written.encode("utf-8"))
            if len(again.comments) != len(thread.comments):
                return Outcome(
                    "drop",
                    f"{case.how}: JSON read back {len(again.comments)} of {len(thread.comments)}",
                )
            return Outcome("ok")
    except Hang:
        return Outcome("hang", case.how)
    except Exception as error:  # the point of the harness: anything else is a crash
        return Outcome("crash", _where(error))


@dataclass
class Report:
    family: str
    outcomes: Counter[str] = field(default_factory=Counter)
    crashes: dict[str, bytes] = field(default_factory=dict)
    """One input per distinct crash site, the smallest seen."""
    problems: list[str] = field(default_factory=list)
    problem_inputs: list[tuple[str, bytes]] = field(default_factory=list)
    """The inputs of the hangs and drops in `problems`, whole."""
    slowest: float = 0.0
    """CPU seconds of the costliest case."""
    slowest_wall: float = 0.0
    slow_under_load: int = 0
    """Cases past the hang limit in wall time but not in CPU time."""

    def add(self, case: Case, outcome: Outcome, seconds: float, wall: float | None = None) -> None:
        self.outcomes[outcome.kind] += 1
        self.slowest = max(self.slowest, seconds)
        self.slowest_wall = max(self.slowest_wall, seconds if wall is None else wall)
        if outcome.kind == "crash":
            known = self.crashes.get(outcome.where)
            if known is None or len(case.data) < len(known):
                self.crashes[outcome.where] = case.data
        elif outcome.kind in ("hang", "drop") and len(self.problems) < 50:
            self.problems.append(f"{outcome.kind}: {outcome.where} {case.data[:200]!r}")
            self.problem_inputs.append((outcome.kind, case.data))

    @property
    def total(self) -> int:
        return sum(self.outcomes.values())

    def failures(self) -> int:
        return self.outcomes["crash"] + self.outcomes["hang"] + self.outcomes["drop"]

    def summary(self) -> str:
        o = self.outcomes
        return (
            f"{self.family}: {self.total} cases, {o['ok']} briefed, {o['refused']} refused, "
            f"{o['crash']} crashes ({len(self.crashes)} places), {o['hang']} hangs, "
            f"{o['drop']} silent drops; slowest case {self.slowest:.2f} s CPU, "
            f"{self.slowest_wall:.2f} s wall; {self.slow_under_load} past the limit in wall "
            "time only"
        )


def _warm_up(family: str) -> None:
    """What a worker does at start (imports, dateparser's caches), and one case of the family:
    the first case timed is then not the one that pays for loading the libraries."""
    from bot.jobs import _warm_up as warm_worker

    warm_worker()
    data, expected = FAMILIES[family][0](random.Random(0))
    run_case(Case(data, expected, "warm-up"), hang_after=60.0)


def run_family(
    family: str,
    cases_wanted: int,
    seed: int = 0,
    hang_after: float = 5.0,
    progress: Callable[[Report], None] | None = None,
) -> Report:
    """Draw `cases_wanted` inputs of a family from a seeded generator and run each; `progress`
    sees the report after every thousandth case."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hypothesis_seed

    report = Report(family)
    _warm_up(family)

    @hypothesis_seed(seed)
    @settings(
        max_examples=cases_wanted,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=("generate",),
    )
    @given(cases(family))
    def one(case: Case) -> None:
        start, cpu_start = time.perf_counter(), time.process_time()
        outcome = run_case(case, hang_after)
        wall, seconds = time.perf_counter() - start, time.process_time() - cpu_start
        if outcome.kind in ("ok", "refused"):
            if seconds > hang_after:
                outcome = Outcome("hang", f"{case.how}: {seconds:.1f} s CPU, {wall:.1f} s wall")
            elif wall > hang_after:
                report.slow_under_load += 1
        report.add(case, outcome, seconds, wall)
        if progress is not None and report.total % 1000 == 0:
            progress(report)

    one()
    return report
