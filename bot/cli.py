"""`threadbrief`: the command line.

`summarize` prints a brief of a file, a URL or standard input; `run` starts the Discord bot.
User errors print one line and exit 2; anything else is a bug, reported with a reference id
(exit 1) and shown in full only with --debug. Heavy modules are imported by the command that
needs them, so `summarize` never pays for discord.py.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from pathlib import Path
from typing import Any

from bot.errors import ThreadBriefError

EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="threadbrief",
        description="Brief an article and its comment thread: what it says, what commenters argue.",
    )
    parser.add_argument("--config", type=Path, help="config.toml to read (default: none)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    commands = parser.add_subparsers(dest="command", required=True)

    s = commands.add_parser("summarize", help="print the brief of a file, URL or - (stdin)")
    s.add_argument("source", help="a file, an http(s) URL, or - for standard input")
    s.add_argument("-s", "--sentences", help="summary length: sentences (3) or a ratio (20%%)")
    s.add_argument(
        "-a",
        "--algorithm",
        help="lexrank (default), textrank, lsa, luhn, kl, sumbasic or edmundson",
    )
    s.add_argument("-v", "--viewpoints", type=int, help="viewpoints to show (default 5)")
    s.add_argument("-q", "--quotes", type=int, help="quotes per viewpoint (default 2)")
    s.add_argument("--pick", help="which post of a multi-post export or feed (title, slug, link)")
    s.add_argument("--json", action="store_true", help="print the brief as JSON (schema_version 1)")

    commands.add_parser("run", help="start the Discord bot (token from DISCORD_TOKEN or config)")
    return parser


def _options(args: argparse.Namespace, config: Any) -> Any:
    from bot.pipeline import BriefOptions

    sentences: int | str = config.brief.sentences
    if args.sentences is not None:
        sentences = int(args.sentences) if args.sentences.strip().isdigit() else args.sentences
    return BriefOptions(
        algorithm=args.algorithm or config.brief.algorithm,
        sentences=sentences,
        viewpoints=args.viewpoints if args.viewpoints is not None else config.brief.viewpoints,
        quotes=args.quotes if args.quotes is not None else config.brief.quotes,
    ).checked()


def _read(args: argparse.Namespace, config: Any) -> Any:
    from bot.errors import BadInput
    from bot.sources import read_bytes

    source: str = args.source
    if source.startswith(("http://", "https://")):
        from bot.jobs import SourceRequest, read_source

        return read_source(SourceRequest(url=source, pick=args.pick), config.fetch)
    if source == "-":
        data = sys.stdin.buffer.read()
        name = "standard input"
    else:
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
        data = path.read_bytes()
        name = source
    try:
        return read_bytes(data, pick=args.pick)
    except ThreadBriefError as e:
        e.message = f"{name}: {e.message}"
        raise


def summarize(args: argparse.Namespace, config: Any) -> int:
    options = _options(args, config)
    from bot.pipeline import annotate_languages, make_brief

    thread = annotate_languages(_read(args, config))

    brief = make_brief(thread, options)
    if args.json:
        from dataclasses import asdict

        from bot.render.json import document

        json.dump(
            document(brief, thread, asdict(options)), sys.stdout, ensure_ascii=False, indent=2
        )
        sys.stdout.write("\n")
    else:
        from rich.console import Console

        from bot.render.terminal import render

        render(brief, Console(), viewpoints=options.viewpoints)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        from bot.config import load_config

        config = load_config(args.config)
        if args.command == "run":
            from bot.runner import run

            run(config)
            return 0
        return summarize(args, config)
    except ThreadBriefError as e:
        print(f"threadbrief: {e.user_message()}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception:
        ref = uuid.uuid4().hex[:8]
        if args.debug:
            raise
        print(
            f"threadbrief: internal error (reference {ref}); rerun with --debug for details.",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
