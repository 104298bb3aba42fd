"""What `threadbrief summarize FIXTURE --json` shows, for the layout tests.

Each layout test runs the CLI as a user would and reads the facts off its JSON: comments, their
nesting, authors, what is quoted or signed rather than the writer's own words, and the notes.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

from bot.cli import main

LAYOUTS = Path(__file__).parent / "fixtures" / "layouts"


def summarize(name: str, *options: str) -> dict[str, Any]:
    """The --json document for a fixture under tests/fixtures/layouts/."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["summarize", str(LAYOUTS / name), "--json", *options])
    assert code == 0, f"summarize {name} exited {code}"
    document: dict[str, Any] = json.loads(out.getvalue())
    return document


def refused(name: str, capsys: Any, *options: str) -> str:
    """The one-line message a user gets when the CLI refuses a fixture."""
    code = main(["summarize", str(LAYOUTS / name), *options])
    assert code == 2
    message: str = capsys.readouterr().err
    return message


def comments(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return list(doc["thread"]["comments"])


def authors(doc: dict[str, Any]) -> list[str | None]:
    return [c["author"] for c in comments(doc)]


def depth(doc: dict[str, Any]) -> int:
    """How deep replies nest: 0 when every comment is top level."""
    level: dict[str, int] = {}
    for c in comments(doc):
        level[c["id"]] = level[c["parent_id"]] + 1 if c["parent_id"] in level else 0
    return max(level.values(), default=0)


def own_words(comment: dict[str, Any]) -> str:
    """The comment's text without its quotation and signature spans."""
    text, kept, pos = comment["text"], [], 0
    for span in sorted(comment["spans"], key=lambda s: s["start"]):
        kept.append(text[pos : span["start"]])
        pos = max(pos, span["end"])
    kept.append(text[pos:])
    return " ".join(" ".join(kept).split())


def not_own(comment: dict[str, Any], kind: str | None = None) -> str:
    """The parts of a comment that are someone else's words or a signature."""
    return " ".join(
        " ".join(comment["text"][s["start"] : s["end"]].split())
        for s in comment["spans"]
        if kind is None or s["kind"] == kind
    )


def quoted_anywhere(doc: dict[str, Any]) -> str:
    """Every sentence the brief shows as someone's words: viewpoint quotes and who-said-what."""
    brief = doc["brief"]
    lines = [q["text"] for v in brief["viewpoints"] for q in v["quotes"]]
    lines += [q["text"] for q in brief["timeline"]]
    return "\n".join(lines)
