"""`threadbrief`: the command line.

`summarize` prints a brief of a file, a URL or standard input; `list` shows what a multi-thread
file holds; `run` starts the Discord bot. Global options (`--config`, `-v`, `-q`, `--log-level`,
`--log-format`, `--debug`) go anywhere on the line. Option values are checked while the line is
parsed, before any input is read. User errors print one message and exit 2; anything else is a
bug, reported with a reference id (exit 1) and shown in full only with --debug. Heavy modules are
imported by the command that needs them, so `summarize` never pays for discord.py.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

from bot.config import ALGORITHMS, load_config, with_cluster_flags
from bot.errors import BadInput, ThreadBriefError, TooLarge, TooManyComments
from bot.logs import FORMATS, LEVELS, configure
from bot.process import one_blas_thread
from bot.render.json import document
from bot.sources import read_bytes
from bot.summarize import check_algorithm, check_count

EXIT_USAGE = 2
EXIT_BROKEN_PIPE = 141
"""128 + SIGPIPE: what a shell reports for a writer whose reader went away (`| head -1`)."""

log = logging.getLogger("threadbrief.cli")


def _version() -> str:
    # start-up: importlib.metadata costs 0.06 s; only --version needs it
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("threadbrief")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


class _VersionAction(argparse.Action):
    """--version, looked up only when asked: reading package metadata costs every start 30 ms."""

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        sys.stdout.write(f"threadbrief {_version()}\n")
        parser.exit()


def _algorithm(value: str) -> str:
    try:
        return check_algorithm(value)
    except ThreadBriefError as e:
        raise argparse.ArgumentTypeError(e.user_message()) from None


def _sentences(value: str) -> int | str:
    try:
        return check_count(int(value) if value.strip().isdigit() else value)
    except ThreadBriefError as e:
        raise argparse.ArgumentTypeError(e.user_message()) from None


def _bounded(name: str, low: int, high: int) -> Any:
    def parse(value: str) -> int:
        if not value.strip().isdigit() or not low <= int(value) <= high:
            raise argparse.ArgumentTypeError(
                f"{name} must be a whole number from {low} to {high}, not '{value}'."
            )
        return int(value)

    return parse


def _megabytes(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    if not 0 < number <= 100_000:
        raise argparse.ArgumentTypeError(
            f"--max-input-mb must be a number of megabytes above 0, not '{value}'."
        )
    return number


def _lower(value: str) -> str:
    return value.strip().lower()


def _global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """The options every command takes; on subcommands they default to 'not given'."""
    default: Any = None if top else argparse.SUPPRESS

    group = parser.add_argument_group("global options (anywhere on the line)")
    group.add_argument(
        "--config",
        type=Path,
        default=default,
        metavar="FILE",
        help="config.toml to read (default: $THREADBRIEF_CONFIG, else none)",
    )
    loud = group.add_mutually_exclusive_group()
    loud.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0 if top else argparse.SUPPRESS,
        help="say more: -v for progress, -vv for debugging detail",
    )
    loud.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="print only the result and errors",
    )
    group.add_argument(
        "--log-level",
        type=_lower,
        choices=LEVELS,
        default=default,
        help="log level (overrides -v/-q)",
    )
    group.add_argument(
        "--log-format",
        type=_lower,
        choices=FORMATS,
        default="text" if top else argparse.SUPPRESS,
        help="log lines as text (default) or one JSON object per line",
    )
    group.add_argument(
        "--debug",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="show tracebacks of internal errors",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="threadbrief",
        description="Brief an article and its comment thread: what it says, what commenters argue.",
        epilog="Run 'threadbrief COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action=_VersionAction, nargs=0, help="show the version")
    _global_options(parser, top=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    s = commands.add_parser(
        "summarize", help="print the brief of a file, URL or - (stdin)", description=None
    )
    s.add_argument("source", help="a file, an http(s) URL, or - for standard input")
    s.add_argument(
        "-s",
        "--sentences",
        type=_sentences,
        metavar="N|N%",
        help="summary length: sentences (3) or a share of the article (20%%)",
    )
    s.add_argument(
        "-a",
        "--algorithm",
        type=_algorithm,
        metavar="NAME",
        help=f"{', '.join(ALGORITHMS)} (default lexrank; any case)",
    )
    s.add_argument(
        "-n",
        "--viewpoints",
        type=_bounded("--viewpoints", 1, 25),
        metavar="N",
        help="viewpoints to show (default 5)",
    )
    s.add_argument(
        "--quotes",
        type=_bounded("--quotes", 1, 5),
        metavar="N",
        help="quotes per viewpoint (default 2)",
    )
    s.add_argument(
        "-p",
        "--pick",
        metavar="TITLE",
        help="which post of an export, item of a feed or thread of an mbox (title, slug or "
        "link; 'threadbrief list FILE' shows them)",
    )
    s.add_argument(
        "--max-comments",
        type=_bounded("--max-comments", 1, 10**9),
        metavar="N",
        help="refuse threads of more than N comments (default brief.max_comments, 100000)",
    )
    s.add_argument(
        "--max-input-mb",
        type=_megabytes,
        metavar="MB",
        help="refuse files or standard input larger than MB (default brief.max_input_mb, 8)",
    )
    s.add_argument("--json", action="store_true", help="print the brief as JSON (schema_version 1)")
    _global_options(s, top=False)

    lister = commands.add_parser(
        "list", help="list the posts, items or threads of an export, feed or mbox, busiest first"
    )
    lister.add_argument("source", help="a file, an http(s) URL, or - for standard input")
    lister.add_argument("--json", action="store_true", help="print the list as JSON")
    _global_options(lister, top=False)

    r = commands.add_parser(
        "run", help="start the Discord bot (token from DISCORD_TOKEN or config)"
    )
    r.add_argument(
        "--role",
        choices=("single", "gateway", "worker"),
        help="single: the whole bot in one process (default); gateway: Discord shards, briefs "
        "queued in PostgreSQL; worker: makes the queued briefs (cluster.role)",
    )
    r.add_argument(
        "--shards",
        metavar="IDS",
        help="the shards this gateway connects, as 0,1,2 (cluster.shard_ids)",
    )
    r.add_argument(
        "--shard-count",
        type=int,
        metavar="N",
        help="shards of the whole bot (cluster.shard_count)",
    )
    _global_options(r, top=False)
    return parser


def _config_path(args: argparse.Namespace) -> Path | None:
    if args.config is not None:
        return Path(args.config)
    env = os.environ.get("THREADBRIEF_CONFIG")
    return Path(env) if env else None


def _log_level(args: argparse.Namespace) -> str:
    if args.log_level:
        return str(args.log_level)
    if args.quiet:
        return "error"
    if args.verbose >= 2:
        return "debug"
    if args.verbose == 1 or args.command == "run":
        return "info"
    return "warning"


def _options(args: argparse.Namespace, config: Any) -> Any:
    # start-up: the pipeline (numpy, the rankers) costs 0.35 s; only summarize needs it
    from bot.pipeline import BriefOptions

    return BriefOptions(
        max_sentences=config.brief.max_sentences,
        viewpoint_chars=config.brief.viewpoint_chars,
        algorithm=args.algorithm or config.brief.algorithm,
        sentences=args.sentences if args.sentences is not None else config.brief.sentences,
        viewpoints=args.viewpoints if args.viewpoints is not None else config.brief.viewpoints,
        quotes=args.quotes if args.quotes is not None else config.brief.quotes,
    ).checked()


def _source_bytes(args: argparse.Namespace, config: Any) -> tuple[bytes, str]:
    """The bytes of a file, of standard input or of a download, with a name for messages."""
    source: str = args.source
    if source.startswith(("http://", "https://")):
        # start-up: aiohttp and the fetcher cost 0.3 s; only a URL needs them
        import asyncio

        from bot.fetch import Fetcher, settings_from
        from bot.sources.url import ACCEPTED

        async def download() -> bytes:
            async with Fetcher(settings_from(config.fetch)) as fetcher:
                return (await fetcher.get(source, accept=ACCEPTED)).body

        return asyncio.run(download()), source
    flag = getattr(args, "max_input_mb", None)
    limit_mb: float = flag or config.brief.max_input_mb
    key = "--max-input-mb" if flag else "brief.max_input_mb"
    if source == "-":
        return _read_bounded(sys.stdin.buffer, "standard input", limit_mb, key), "standard input"
    path = Path(source)
    if "://" in source:
        raise BadInput(
            f"'{source}' is not a URL ThreadBrief can read.",
            hint="Give an http:// or https:// URL, or a file.",
        )
    if not path.exists():
        raise BadInput(f"No such file: {source}.", hint="Check the path, or give a URL.")
    if path.is_dir():
        raise BadInput(f"{source} is a directory.", hint="Give a file with a thread in it.")
    try:
        with path.open("rb") as file:
            return _read_bounded(file, source, limit_mb, key), source
    except OSError as e:
        raise BadInput(f"{source} could not be read: {e.strerror or e}.") from None


def _read_bounded(stream: Any, name: str, limit_mb: float, key: str) -> bytes:
    """Read at most the limit (and one byte more to know): a huge input is refused unread."""
    limit = int(limit_mb * 2**20)
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(
            f"{name} is larger than {limit_mb:g} MB, the most ThreadBrief reads ({key}).",
            hint="Pass --max-input-mb with a larger number to brief it anyway.",
        )
    return bytes(data)


def _read(args: argparse.Namespace, config: Any) -> Any:
    default: int = config.brief.max_comments
    most: int = default if args.max_comments is None else args.max_comments
    try:
        return _read_at_most(args, config, most)
    except TooManyComments as e:
        e.hint = (
            "Pass --max-comments with a larger number to brief it anyway "
            f"(the default, brief.max_comments in the config, is {default:,})."
        )
        raise


def _read_at_most(args: argparse.Namespace, config: Any, most: int) -> Any:
    """The thread, read no further than its comment `most` + 1 (then TooManyComments)."""
    if args.source.startswith(("http://", "https://")):
        # start-up: the job runner costs 0.7 s; only a URL needs it
        from bot.jobs import SourceRequest, read_source

        return read_source(SourceRequest(url=args.source, pick=args.pick), config.fetch, most)
    data, name = _source_bytes(args, config)
    try:
        return read_bytes(data, pick=args.pick, max_comments=most)
    except ThreadBriefError as e:
        e.message = f"{name}: {e.message}"
        raise


@contextmanager
def _progress(args: argparse.Namespace) -> Iterator[Callable[[str], None]]:
    """What the brief is doing, on stderr while it works: only for a person at a terminal.

    Nothing is shown on a pipe, with --json (a script is reading) or with -q.
    """
    if args.json or args.quiet or not sys.stderr.isatty():
        yield lambda _: None
        return
    # start-up: rich costs 0.08 s; only a terminal watching needs it
    from rich.console import Console
    from rich.live import Live
    from rich.spinner import Spinner

    spinner = Spinner("dots", text="Reading…", style="green")
    with Live(spinner, console=Console(stderr=True), transient=True) as live:

        def show(step: str) -> None:
            spinner.update(text=f"{step}…")
            live.refresh()  # each step as it starts, not at the next tick

        yield show


def summarize(args: argparse.Namespace, config: Any) -> int:
    options = _options(args, config)
    # start-up: the pipeline, as above
    from bot.pipeline import annotate_languages, make_brief

    with _progress(args) as progress:
        progress(f"Reading {args.source}")
        thread = _read(args, config)
        log.info("read %d comments from %s", thread.present_count, args.source)
        progress(f"Reading {thread.present_count:,} comments: telling their languages")
        thread = annotate_languages(thread)
        brief = make_brief(thread, options, progress)
        progress("Writing the brief")
    if args.json:
        # One compact line through json's C encoder: indenting takes the pure-Python encoder,
        # 3.5 s of a 20,000-comment brief. `jq .` or `python -m json.tool` indents it for reading.
        sys.stdout.write(
            json.dumps(
                document(brief, thread, asdict(options)), ensure_ascii=False, separators=(",", ":")
            )
        )
        sys.stdout.write("\n")
    else:
        # start-up: rich and the terminal renderer cost 0.08 s; --json does without
        from rich.console import Console

        from bot.render.terminal import render

        render(brief, Console(), viewpoints=options.viewpoints)
    return 0


def list_command(args: argparse.Namespace, config: Any) -> int:
    # start-up: the listing imports every multi-thread reader (0.08 s); only list needs it
    from bot.listing import list_threads

    data, name = _source_bytes(args, config)
    try:
        listing = list_threads(data)
    except ThreadBriefError as e:
        e.message = f"{name}: {e.message}"
        raise
    if args.json:
        rows = [
            {
                "title": e.title,
                "comments": e.comments,
                "link": e.link,
                "slug": e.slug,
                "published": e.published.isoformat() if e.published else None,
            }
            for e in listing.entries
        ]
        json.dump({"kind": listing.kind, "entries": rows}, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    out = sys.stdout
    if listing.kind == "single":
        out.write(f"{name} holds one thread: brief it with 'threadbrief summarize {name}'.\n")
        return 0
    n = len(listing.entries)
    out.write(f"{name}: {listing.kind}, {n} {listing.noun if n != 1 else listing.noun[:-1]}\n")
    width = max([len("comments"), *(len(str(e.comments or 0)) for e in listing.entries)])
    out.write(f"{'comments':>{width}}  title\n")
    for entry in listing.entries:
        count = "-" if entry.comments is None else str(entry.comments)
        detail = " · ".join(x for x in (entry.slug, entry.link) if x)
        line = f"{count:>{width}}  {entry.title or '(untitled)'}"
        out.write(line + (f"  ({detail})" if detail else "") + "\n")
    if listing.entries:
        first = listing.entries[0].pick.replace('"', '\\"')
        out.write(f'Brief one with: threadbrief summarize {name} --pick "{first}"\n')
    return 0


def _terminal_width(stream: IO[str]) -> int | None:
    """The terminal's width, or None when the stream is not a terminal (a pipe or a log)."""
    try:
        if not stream.isatty():
            return None
        columns = os.environ.get("COLUMNS", "")
        return int(columns) if columns.isdigit() else os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):
        return None


def say_error(message: str, stream: IO[str] | None = None) -> None:
    """`threadbrief: message`, wrapped to the terminal with a hanging indent; one line otherwise."""
    out = stream if stream is not None else sys.stderr
    text = f"threadbrief: {message}"
    width = _terminal_width(out)
    if width is not None and width > 20:
        text = textwrap.fill(text, width=width - 1, subsequent_indent="  ", break_on_hyphens=False)
    print(text, file=out)


def _quiet_broken_pipe() -> int:
    """The reader left: point stdout at /dev/null so the final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return EXIT_BROKEN_PIPE


def main(argv: Sequence[str] | None = None) -> int:
    one_blas_thread()
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0

    configure(_log_level(args), args.log_format)
    try:
        config = load_config(_config_path(args))
        if args.command == "run":
            # start-up: discord.py costs 1 s; only run needs it
            from bot.runner import run

            run(with_cluster_flags(config, args.role, args.shard_count, args.shards))
            return 0
        command = list_command if args.command == "list" else summarize
        result = command(args, config)
        sys.stdout.flush()
        return result
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except ThreadBriefError as e:
        say_error(e.user_message())
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception:
        ref = uuid.uuid4().hex[:8]
        if args.debug:
            raise
        # The bot's log is where an owner looks for the reference; the terminal has the line.
        level = logging.ERROR if args.command == "run" else logging.DEBUG
        log.log(level, "internal error (reference %s)", ref, exc_info=True)
        say_error(f"internal error (reference {ref}); rerun with --debug for details.")
        return 1


if __name__ == "__main__":
    sys.exit(main())
