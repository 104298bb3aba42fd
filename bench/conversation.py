"""Briefing a Discord conversation: /summarize here, from the command to the brief on screen.

    python -m bench.conversation [--sizes 300,1000] [--repeat 5]

The bot runs in this process against the local Discord stand-in, with its real worker pool; a
forum post holds the messages (three languages, replies, bursts, a bot, unreadable messages; the
starter shares a link to a local article page). For each size it prints the median time from the
interaction to the final brief, the history pages read, and plain sumy's LexRank over the same
messages as one document, run in the same process, for comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import discord
import yarl
from discord.gateway import DiscordWebSocket

from bench.speed import plain_sumy_lexrank
from bot.jobs import process_pool
from bot.text.sentences import split_sentences
from tests.conversation import post_conversation
from tests.fakediscord.fixtures import bot_config, start_bot, stop_bot
from tests.fakediscord.server import FORUM_POST_ID, FakeDiscord
from tests.localweb import page_app, serving

PAGE = """<html><head><title>Night buses</title></head><body><article>
<h1>Night buses return to the eastern suburbs</h1>
<p>The city council voted on Thursday to bring back night buses to the eastern suburbs.</p>
<p>Buses will run every thirty minutes between midnight and five in the morning.</p>
<p>The service will be paid for by a new levy on parking in the city centre.</p>
</article></body></html>"""


async def one_size(size: int, repeat: int) -> tuple[list[float], int, list[str]]:
    fake = FakeDiscord()
    await fake.start()
    discord.http.Route.BASE = fake.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    async with serving(page_app("/night-buses", PAGE)) as base:
        posted = post_conversation(
            fake,
            FORUM_POST_ID,
            size,
            opener=f"Back at last: {base}/night-buses",
            opener_id=str(FORUM_POST_ID),
        )
        pages, times = await _briefs(fake, size, repeat)
    await fake.stop()
    sentences = [
        s for m in posted for s in split_sentences(str(m["content"]), "en") if m["content"]
    ]
    return times, pages, sentences


async def _briefs(fake: FakeDiscord, size: int, repeat: int) -> tuple[int, list[float]]:
    times: list[float] = []
    pages = 0
    with tempfile.TemporaryDirectory() as directory, process_pool(2) as pool:
        list(pool.map(abs, [1, 2]))
        bot = await start_bot(
            bot_config(Path(directory), history_messages=max(size, 1000), message_content=True),
            pool,
        )
        try:
            for _ in range(repeat):
                before = len(fake.requests)
                started = time.perf_counter()
                record = await fake.invoke_slash(
                    "summarize", subcommand="here", in_channel=FORUM_POST_ID
                )
                await fake.wait_for(
                    lambda r=record: (  # type: ignore[misc]
                        r.original and r.original["embeds"] and not r.original["flags"] & 128
                    ),
                    120,
                )
                times.append(time.perf_counter() - started)
                pages = sum(
                    1 for r in fake.requests[before:] if r.method == "GET" and "/messages" in r.path
                )
        finally:
            await stop_bot(bot)
    return pages, times


async def run(args: argparse.Namespace) -> None:
    head = ("messages", "brief (median)", "pages", "sentences", "sumy LexRank", "ratio")
    print(" ".join(f"{h:>{w}}" for h, w in zip(head, (9, 15, 6, 10, 13, 7), strict=True)))
    for size in (int(s) for s in args.sizes.split(",")):
        times, pages, sentences = await one_size(size, args.repeat)
        started = time.perf_counter()
        plain_sumy_lexrank(sentences)
        sumy = time.perf_counter() - started
        median = statistics.median(times)
        print(
            f"{size:>9,} {median:>14.3f}s {pages:>6} {len(sentences):>10,} {sumy:>12.2f}s "
            f"{sumy / median:>6.0f}x"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="300,1000")
    parser.add_argument("--repeat", type=int, default=5)
    asyncio.run(run(parser.parse_args(argv)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
