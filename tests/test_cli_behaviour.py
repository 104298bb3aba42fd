"""The command line behaves like one: version, help, options anywhere, pipes, listing exports."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from tests.test_cli import threadbrief

ROOT = Path(__file__).resolve().parents[1]
TRAM = ROOT / "tests" / "fixtures" / "tram-vote.txt"


def run(
    *args: str, env: dict[str, str] | None = None, **kw: object
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
        **kw,  # type: ignore[arg-type]
    )


def test_version_prints_the_package_version() -> None:
    result = threadbrief("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == "threadbrief 0.1.0"


def test_no_command_prints_the_help_instead_of_an_error() -> None:
    result = threadbrief()
    assert result.returncode == 0
    assert "summarize" in result.stdout and "list" in result.stdout and "run" in result.stdout
    assert "error" not in result.stderr


def test_config_is_read_after_the_command_and_from_the_environment(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[brief]\nsentences = 1\nalgorithm = "TextRank"\n')
    after = threadbrief("summarize", str(TRAM), "--json", "--config", str(config))
    assert after.returncode == 0, after.stderr
    brief = json.loads(after.stdout)["brief"]
    assert len(brief["summary"]) == 1 and brief["algorithm"] == "textrank"
    from_env = run("summarize", str(TRAM), "--json", env={"THREADBRIEF_CONFIG": str(config)})
    assert len(json.loads(from_env.stdout)["brief"]["summary"]) == 1
    missing = run("summarize", str(TRAM), env={"THREADBRIEF_CONFIG": str(tmp_path / "no.toml")})
    assert missing.returncode == 2 and "no.toml does not exist" in missing.stderr


def test_short_options_mean_what_they_mean_elsewhere() -> None:
    result = threadbrief("summarize", str(TRAM), "--json", "-n", "2", "--quotes", "1", "-v")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["brief"]["options"]["viewpoints"] == 2
    assert all(len(v["quotes"]) <= 1 for v in document["brief"]["viewpoints"])
    quiet = threadbrief("-q", "summarize", str(TRAM))
    assert quiet.returncode == 0 and quiet.stderr == ""
    both = threadbrief("summarize", str(TRAM), "-v", "-q")
    assert both.returncode == 2 and "not allowed with" in both.stderr


def test_algorithm_case_is_one_rule_on_the_command_line_and_in_the_config() -> None:
    result = threadbrief("summarize", str(TRAM), "--json", "-a", "LexRank")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["brief"]["algorithm"] == "lexrank"


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["-a", "magic"], "'magic' is not a summary algorithm"),
        (["-s", "0"], "at least 1"),
        (["-n", "99"], "--viewpoints must be a whole number from 1 to 25"),
        (["--log-format", "xml"], "invalid choice: 'xml'"),
    ],
)
def test_a_bad_option_is_refused_before_any_input_is_read(option: list[str], message: str) -> None:
    # Standard input stays open and empty: a command that read it first would hang here.
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "summarize", "-", *option],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        process.wait(timeout=30)
    finally:
        process.kill()
    _, err = process.communicate()
    assert process.returncode == 2
    assert message in err


def test_json_into_a_pipe_that_closes_early_ends_quietly(tmp_path: Path) -> None:
    from bot.render.json import thread_dict
    from tests.threads import big_thread

    source = tmp_path / "big.json"
    source.write_text(json.dumps({"source": "test", **thread_dict(big_thread(400))}))
    for _ in range(3):
        result = subprocess.run(
            f"{sys.executable} -m bot summarize {source} --json | head -c 20",
            shell=True,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.stdout == '{"schema_version":1,'
        assert result.stderr == "", result.stderr


def on_a_terminal(*args: str, columns: int) -> str:
    """Run with stdout and stderr on a pseudo-terminal `columns` wide; returns what it showed."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        env={**env, "TERM": "dumb"},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


def test_errors_wrap_to_the_terminal_with_a_hanging_indent(tmp_path: Path) -> None:
    shown = on_a_terminal("summarize", str(tmp_path / "a-file-that-is-not-here.txt"), columns=40)
    lines = shown.strip().splitlines()
    assert len(lines) > 1 and all(len(line) < 40 for line in lines)
    assert lines[0].startswith("threadbrief: No such file")
    assert all(line.startswith("  ") for line in lines[1:])
    # Not on a terminal: one line, for logs and grep.
    assert len(threadbrief("summarize", str(tmp_path / "x.txt")).stderr.splitlines()) == 1


def test_wrapped_bullets_and_quotes_keep_their_indent() -> None:
    shown = on_a_terminal("summarize", str(TRAM), columns=60)
    lines = [line.strip("│ ").rstrip() for line in shown.splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("• The city council"))
    continuation = shown.splitlines()[start + 1]
    assert continuation.startswith("│   ") and not continuation.startswith("│    ")
    quote = next(i for i, line in enumerate(shown.splitlines()) if "“The fund must pay" in line)
    assert shown.splitlines()[quote + 1].startswith("│     ")


WXR = """<?xml version="1.0"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Garden notes</title>
{items}
</channel></rss>"""
ITEM = """<item><title>{title}</title><link>https://garden.example/{slug}</link>
<content:encoded><![CDATA[<p>{title} is what this post is about, at some length.</p>]]>
</content:encoded><wp:post_name>{slug}</wp:post_name><wp:post_type>post</wp:post_type>
{comments}</item>"""
COMMENT = """<wp:comment><wp:comment_id>{n}</wp:comment_id>
<wp:comment_author>Reader {n}</wp:comment_author><wp:comment_approved>1</wp:comment_approved>
<wp:comment_content>I think the {title} advice is sound, number {n}.</wp:comment_content>
</wp:comment>"""


def wxr(posts: list[tuple[str, str, int]]) -> str:
    items = [
        ITEM.format(
            title=title,
            slug=slug,
            comments="".join(COMMENT.format(n=i, title=title) for i in range(count)),
        )
        for title, slug, count in posts
    ]
    return WXR.format(items="".join(items))


def test_list_shows_an_exports_posts_busiest_first_and_how_to_pick(tmp_path: Path) -> None:
    export = tmp_path / "garden.xml"
    export.write_text(
        wxr(
            [
                ("Tomatoes in pots", "tomatoes", 2),
                ("Pruning roses", "roses", 5),
                ("Compost", "compost", 0),
            ]
        )
    )
    result = threadbrief("list", str(export))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "WordPress export, 3 posts" in lines[0]
    titles = [line for line in lines if "garden.example" in line]
    assert "Pruning roses" in titles[0] and "Tomatoes" in titles[1] and "Compost" in titles[2]
    assert titles[0].split()[0] == "5"
    assert f'threadbrief summarize {export} --pick "Pruning roses"' in lines[-1]
    picked = threadbrief("summarize", str(export), "--pick", "tomatoes", "--json")
    assert json.loads(picked.stdout)["brief"]["title"] == "Tomatoes in pots"
    unpicked = json.loads(threadbrief("summarize", str(export), "--json").stdout)
    assert any("--pick" in note for note in unpicked["brief"]["notes"])
    as_json = json.loads(threadbrief("list", str(export), "--json").stdout)
    assert [e["comments"] for e in as_json["entries"]] == [5, 2, 0]


def test_list_shows_the_threads_of_an_mbox_and_pick_briefs_one(tmp_path: Path) -> None:
    def mail(n: int, subject: str, reply_to: str | None = None) -> str:
        head = f"From reader{n}@example.org Mon Jan  5 10:0{n}:00 2026\n"
        head += f"From: Reader {n} <reader{n}@example.org>\nSubject: {subject}\n"
        head += f"Message-ID: <m{n}@example.org>\nDate: Mon, 05 Jan 2026 10:0{n}:00 +0000\n"
        if reply_to:
            head += f"In-Reply-To: <{reply_to}@example.org>\n"
        return head + f"\nMessage {n} says the {subject.lower()} plan needs more thought.\n\n"

    box = tmp_path / "list.mbox"
    box.write_text(
        mail(1, "Bike racks")
        + mail(2, "Library hours")
        + mail(3, "Re: Library hours", "m2")
        + mail(4, "Re: Library hours", "m3")
        + mail(5, "Re: Bike racks", "m1")
    )
    result = threadbrief("list", str(box))
    assert result.returncode == 0, result.stderr
    rows = [line.split(maxsplit=1) for line in result.stdout.splitlines()[2:-1]]
    assert rows == [["3", "Library hours"], ["2", "Bike racks"]]
    picked = json.loads(threadbrief("summarize", str(box), "-p", "bike racks", "--json").stdout)
    assert len(picked["thread"]["comments"]) == 2


def test_list_of_a_single_thread_says_there_is_nothing_to_pick() -> None:
    result = threadbrief("list", str(TRAM))
    assert result.returncode == 0 and "holds one thread" in result.stdout


def test_json_logs_are_one_object_per_line_and_never_coloured(tmp_path: Path) -> None:
    result = threadbrief("--log-format", "json", "summarize", str(TRAM), "-vv")
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stderr.splitlines()]
    assert events and all({"time", "level", "logger", "message"} <= set(e) for e in events)
    assert any(e["message"].startswith("read 8 comments") for e in events)
    assert "\x1b[" not in result.stderr


DISQUS = """<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
<thread dsq:id="1"><link>https://news.example/a</link><title>Quiet street</title></thread>
<thread dsq:id="2"><link>https://news.example/b</link><title>Busy market</title></thread>
<post dsq:id="10"><message>The market needs more stalls on Saturdays.</message>
<thread dsq:id="2"/><author><name>Ann</name></author></post>
<post dsq:id="11"><message>More stalls would block the fire lane.</message>
<thread dsq:id="2"/><author><name>Bo</name></author></post>
<post dsq:id="12"><message>The street is too quiet after six.</message>
<thread dsq:id="1"/><author><name>Cy</name></author></post>
</disqus>"""


def test_list_shows_the_threads_of_a_disqus_export_busiest_first(tmp_path: Path) -> None:
    export = tmp_path / "disqus.xml"
    export.write_text(DISQUS)
    result = threadbrief("list", str(export))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].endswith("Disqus export, 2 threads")
    assert lines[2].split() == ["2", "Busy", "market", "(https://news.example/b)"]
    assert lines[3].split()[:3] == ["1", "Quiet", "street"]


async def test_list_reads_a_feed_from_a_link(tmp_path: Path) -> None:
    import asyncio

    from tests.localweb import page_app, serving

    feed = (ROOT / "tests" / "fixtures" / "feed.atom").read_bytes()
    config = tmp_path / "config.toml"
    config.write_text("[fetch]\nallow_loopback = true\n")
    async with serving(page_app("/feed", feed, "application/atom+xml")) as base:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "list",
            f"{base}/feed",
            "--config",
            str(config),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    text = out.decode()
    assert f"{base}/feed: feed, 2 items" in text and "Library opening hours" in text
