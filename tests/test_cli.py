"""`threadbrief summarize` as a user runs it: a subprocess, its output, its exit code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.render.json import thread_dict
from tests.threads import tram_thread


def threadbrief(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


SCHEMA: dict[str, Any] = {
    "schema_version": int,
    "brief": {
        "source": str,
        "title": (str, type(None)),
        "author": (str, type(None)),
        "site": (str, type(None)),
        "url": (str, type(None)),
        "published": (str, type(None)),
        "language": str,
        "algorithm": str,
        "options": dict,
        "summary": list,
        "viewpoints": list,
        "sides": dict,
        "unclassified": list,
        "counts": dict,
        "closed": (bool, type(None)),
        "notes": list,
        "timeline": list,
    },
    "thread": {
        "source": str,
        "url": (str, type(None)),
        "declared_count": (int, type(None)),
        "missing": int,
        "closed": (bool, type(None)),
        "notes": list,
        "article": (dict, type(None)),
        "comments": list,
        "extra": dict,
    },
}
VIEWPOINT_KEYS = {
    "headline",
    "side",
    "label",
    "share",
    "comments",
    "authors",
    "score",
    "language",
    "comment_ids",
    "quotes",
}


def check_schema(document: dict[str, Any], schema: dict[str, Any] = SCHEMA) -> None:
    assert set(document) == set(schema)
    for key, expected in schema.items():
        if isinstance(expected, dict):
            check_schema(document[key], expected)
        else:
            assert isinstance(document[key], expected), key


def test_sample_brief_as_json_reports_the_thread_facts(sample) -> None:
    result = threadbrief("summarize", str(sample("informed-comment-mosul.txt")), "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    check_schema(document)
    brief, thread = document["brief"], document["thread"]
    assert document["schema_version"] == 1
    assert brief["title"] == "ISIL Boasts: America will go down to defeat in the Streets of Mosul"
    assert (brief["author"], brief["site"]) == ("Juan Cole", "Informed Comment")
    assert brief["counts"]["presence"] == "5 of 6 responses present"
    assert brief["counts"]["languages"] == {"en": 4, "fr": 1}
    assert brief["closed"] is True
    assert len(thread["article"]["paragraphs"]) == 7
    [reply] = [c for c in thread["comments"] if c["parent_id"] == "1"]
    assert reply["language"] == "fr"
    assert thread["comments"][0]["spans"][0]["kind"] == "quote"
    assert len(brief["summary"]) == 3
    for viewpoint in brief["viewpoints"]:
        assert set(viewpoint) == VIEWPOINT_KEYS
        assert viewpoint["headline"] == viewpoint["quotes"][0]["text"]
        for quote in viewpoint["quotes"]:
            [comment] = [c for c in thread["comments"] if c["id"] == quote["comment_id"]]
            assert quote["text"] in comment["text"]


def test_sample_brief_in_the_terminal_shows_title_counts_and_viewpoints(sample) -> None:
    result = threadbrief("summarize", str(sample("informed-comment-mosul.txt")))
    assert result.returncode == 0, result.stderr
    assert "ISIL Boasts" in result.stdout
    assert "5 of 6 responses present" in result.stdout
    assert "What commenters argue" in result.stdout and "in French" in result.stdout


def test_json_output_reads_back_to_the_same_brief(tmp_path: Path) -> None:
    source = tmp_path / "thread.json"
    source.write_text(json.dumps({"source": "test", **thread_dict(tram_thread())}))
    first = threadbrief("summarize", str(source), "--json")
    assert first.returncode == 0, first.stderr
    again = tmp_path / "again.json"
    again.write_text(first.stdout)
    second = threadbrief("summarize", str(again), "--json")
    assert json.loads(second.stdout)["brief"] == json.loads(first.stdout)["brief"]


def test_stdin_is_read_with_a_dash() -> None:
    text = "A title\n\nThe article says one thing. It says another.\n\n1 Comment\n\n1. I disagree."
    result = threadbrief("summarize", "-", "--json", stdin=text.encode())
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["brief"]["title"] == "A title"


def test_options_change_length_and_algorithm(sample) -> None:
    result = threadbrief(
        "summarize",
        str(sample("informed-comment-mosul.txt")),
        "--json",
        "--sentences",
        "2",
        "--algorithm",
        "textrank",
    )
    brief = json.loads(result.stdout)["brief"]
    assert len(brief["summary"]) == 2 and brief["algorithm"] == "textrank"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: str(p / "missing.txt"), "No such file"),
        (
            lambda p: (
                ((p / "empty.txt").write_text("") and str(p / "empty.txt")) or str(p / "empty.txt")
            ),
            "empty",
        ),
        (lambda p: (p / "x.bin").write_bytes(b"\x00\x01\x02" * 50) and str(p / "x.bin"), "binary"),
        (lambda p: (p / "x.pdf").write_bytes(b"%PDF-1.7\n...") and str(p / "x.pdf"), "PDF"),
        (
            lambda p: (p / "x.json").write_text('{"a": 1}') and str(p / "x.json"),
            "not a thread format",
        ),
        (lambda p: (p / "bad.json").write_text('{"a": ') and str(p / "bad.json"), "line 1"),
        (lambda p: str(p), "directory"),
    ],
    ids=["missing", "empty", "binary", "pdf", "unknown-json", "broken-json", "directory"],
)
def test_bad_input_prints_one_clear_line_and_exits_2(
    tmp_path: Path, make: Any, message: str
) -> None:
    result = threadbrief("summarize", make(tmp_path))
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_bad_option_value_exits_2_naming_it(sample) -> None:
    result = threadbrief("summarize", str(sample("informed-comment-mosul.txt")), "-s", "0")
    assert result.returncode == 2 and "at least 1" in result.stderr


def test_a_url_is_refused_for_loopback_unless_the_config_allows_it(tmp_path: Path) -> None:
    result = threadbrief("summarize", "http://127.0.0.1:9/post")
    assert result.returncode == 2 and "loopback" in result.stderr


def test_a_discord_channel_export_is_briefed_in_the_terminal() -> None:
    export = Path(__file__).parent / "fixtures" / "discord-export.json"
    result = threadbrief("summarize", str(export))
    assert result.returncode == 0, result.stderr
    assert "Read 10 messages in #library" in result.stdout
    assert "Could they open Sunday afternoons only" in result.stdout


def test_a_thread_past_max_comments_is_refused_saying_how_to_brief_it(tmp_path: Path) -> None:
    path = tmp_path / "thread.json"
    path.write_text(json.dumps({"source": "test", **thread_dict(tram_thread())}))
    result = threadbrief("summarize", str(path), "--max-comments", "3")
    assert result.returncode == 2
    assert "more than 3 comments" in result.stderr and "--max-comments" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert threadbrief("summarize", str(path), "--max-comments", "7").returncode == 0


def _with_terminal_stderr(*args: str) -> tuple[str, str]:
    """Run the CLI with stderr on a pseudo-terminal, as at a shell: (stdout, what the tty saw)."""
    import os
    import pty

    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        stdout=subprocess.PIPE,
        stderr=follower,
        env={**os.environ, "COLUMNS": "100", "TERM": "xterm"},
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    out = process.stdout.read() if process.stdout else b""
    process.wait(timeout=60)
    os.close(leader)
    return out.decode(), seen.decode(errors="replace")


def test_a_terminal_sees_what_the_brief_is_doing_and_a_pipe_or_json_does_not(
    tmp_path: Path,
) -> None:
    path = tmp_path / "thread.json"
    path.write_text(json.dumps({"source": "test", **thread_dict(tram_thread())}))
    out, terminal = _with_terminal_stderr("summarize", str(path))
    assert "Reading 7 comments" in terminal and "Grouping 7 comments into viewpoints" in terminal
    assert "Grouping" not in out and "The city council votes" in out

    out, terminal = _with_terminal_stderr("summarize", str(path), "--json")
    assert terminal == "" and json.loads(out)["brief"]["counts"]["comments"] == 7

    piped = threadbrief("summarize", str(path))
    assert piped.returncode == 0 and piped.stderr == ""


def test_json_is_one_compact_line() -> None:
    result = threadbrief(
        "summarize", "-", "--json", stdin=json.dumps(thread_dict(tram_thread())).encode()
    )
    assert result.returncode == 0
    assert result.stdout.count("\n") == 1 and json.loads(result.stdout)["schema_version"] == 1
