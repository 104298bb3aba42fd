"""Digest benchmark: a round of many subscriptions, and kill-and-restart cycles while posting.

    python -m bench.digest [--subscriptions 50] [--items 20] [--rounds 3] [--kills 20]

The bot runs in its own process (the same code as `threadbrief run`) against the local Discord
stand-in, with one local feed site per subscription, every subscription due at start. A round is
timed from the bot's start to the last message of the last digest; it is repeated on fresh state
and the median printed. Then `--kills` cycles: a round on fresh state in which the bot is killed
with SIGKILL once (right after Discord created one of its messages, before the bot heard back, or
at a random moment) and restarted; every item must end up posted exactly once: it prints the
duplicates and losses it counted.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from tests.digest_crash import Outcome, crash_cycles, kill_plan, seed
from tests.fakediscord.botprocess import write_config
from tests.fakediscord.server import NEWS_ID, FakeDiscord
from tests.feeds import FeedSite, serve

START = datetime(2026, 11, 1, tzinfo=UTC)


@asynccontextmanager
async def sites(count: int, items: int) -> AsyncIterator[list[FeedSite]]:
    async with AsyncExitStack() as stack:
        served = []
        for n in range(count):
            site = await stack.enter_async_context(serve(FeedSite(name=f"Source {n}")))
            site.add(items, START)
            served.append(site)
        yield served


async def one_round(
    subscriptions: int, items: int, kills: Sequence[tuple[str, float]], within: float
) -> Outcome:
    fake = FakeDiscord()
    await fake.start()
    try:
        async with sites(subscriptions, items) as served:
            with tempfile.TemporaryDirectory() as directory:
                config = write_config(
                    Path(directory), digest_items=items, digest_limit=subscriptions
                )
                await seed(
                    Path(directory) / "bot.sqlite3",
                    [f"{s.base}/feed.xml" for s in served],
                    NEWS_ID,
                )
                expected = {f"{s.base}{e.link_path}" for s in served for e in s.entries}
                return await crash_cycles(fake, config, expected, NEWS_ID, kills, within=within)
    finally:
        await fake.stop()


async def run(args: argparse.Namespace) -> None:
    total = args.subscriptions * args.items
    print(f"{args.subscriptions} subscriptions x {args.items} items = {total} items per round")
    rounds = []
    for n in range(args.rounds):
        outcome = await one_round(args.subscriptions, args.items, [], args.within)
        rounds.append(outcome)
        print(
            f"  round {n + 1}: {outcome.seconds:6.2f} s, {outcome.messages} messages, "
            f"{outcome.posted}/{total} items, {outcome.duplicates} duplicates, "
            f"{outcome.losses} losses"
        )
    median = statistics.median(o.seconds for o in rounds)
    print(f"digest round, start to last post: median {median:.2f} s over {args.rounds} rounds")
    messages = rounds[0].messages if rounds else args.subscriptions
    cycles = []
    for n, kill in enumerate(kill_plan(args.kills, messages)):
        outcome = await one_round(args.subscriptions, args.items, [kill], args.within)
        cycles.append(outcome)
        when = f"after post {kill[1]:.0f}" if kill[0] == "post" else f"at {kill[1]:.2f} s"
        print(
            f"  cycle {n + 1}: killed {when}, restarted: {outcome.posted}/{total} items, "
            f"{outcome.duplicates} duplicates, {outcome.losses} losses, {outcome.seconds:.2f} s"
        )
    if cycles:
        print(
            f"{len(cycles)} kill-and-restart cycles (SIGKILL): "
            f"{sum(o.duplicates for o in cycles)} duplicates, {sum(o.losses for o in cycles)} "
            f"losses; round with a kill and a restart: median "
            f"{statistics.median(o.seconds for o in cycles):.2f} s"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscriptions", type=int, default=50)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--within", type=float, default=600.0, help="give up after (seconds)")
    asyncio.run(run(parser.parse_args(argv)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
