"""Digest benchmark: a round of many subscriptions, and kill-and-restart cycles while posting.

    python -m bench.digest [--subscriptions 50] [--items 20] [--rounds 3] [--kills 20]

The bot runs in its own process (the same code as `threadbrief run`) against the local Discord
stand-in, with one local feed site per subscription, every subscription due at start. A round is
timed from the bot's start to the last message of the last digest; it is repeated on fresh state
and the median printed. Then `--kills` cycles: a round on fresh state in which the bot is killed
with SIGKILL once (right after Discord created one of its messages, before the bot heard back, or
at a random moment) and restarted; every item must end up posted exactly once: it prints the
duplicates and losses it counted.

First it times the outbox's own writes (plan a message, mark it sending, mark it sent: the three
commits of every digest post) on a database on disk, with the bot's durability (synchronous=FULL
and the WAL copied into the file before each post) and without (synchronous=NORMAL, the WAL left
to SQLite), interleaved in the same run: `--outbox` messages per setting, `--outbox-repeats`
times, medians per message and the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.digest.state import DigestState, PlannedMessage
from bot.store import Store
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


OUTBOX_SETTINGS: dict[str, dict[str, Any]] = {
    "synchronous=NORMAL, WAL left to SQLite": {"synchronous": "NORMAL", "checkpoint": False},
    "synchronous=FULL, WAL left to SQLite": {"synchronous": "FULL", "checkpoint": False},
    "synchronous=FULL + WAL into the file before each post (the bot)": {
        "synchronous": "FULL",
        "checkpoint": True,
    },
}


async def outbox_seconds(
    directory: Path, messages: int, synchronous: str, checkpoint: bool
) -> float:
    """Wall seconds per message for the three commits of a digest post."""
    path = directory / f"outbox-{synchronous}-{checkpoint}-{time.monotonic_ns()}.sqlite3"
    async with Store(path, synchronous=synchronous, checkpoint_durable=checkpoint) as store:  # type: ignore[arg-type]
        state = DigestState(store)
        now = datetime.now(UTC)
        subscription = await state.add(
            guild_id=1,
            channel_id=70,
            source="https://example.org/feed.xml",
            schedule="daily 08:00",
            timezone="UTC",
            created_by=None,
            now=now,
            next_run=now,
            limit=1,
        )
        started = time.perf_counter()
        for n in range(messages):
            keys = tuple(f"item-{n}-{k}" for k in range(10))
            payload = {"content": f"digest {n}", "embeds": [{"title": k} for k in keys]}
            (row,) = await state.plan(subscription, [PlannedMessage(payload, keys)], now)
            await state.mark_sending(row.id, now)
            await state.mark_sent(row.id, 1000 + n)
        seconds = (time.perf_counter() - started) / messages
    return seconds


async def outbox_table(messages: int, repeats: int) -> None:
    times: dict[str, list[float]] = {name: [] for name in OUTBOX_SETTINGS}
    cpu = os.times()
    with tempfile.TemporaryDirectory(dir=Path.cwd()) as directory:
        for _ in range(repeats):
            for name, setting in OUTBOX_SETTINGS.items():
                times[name].append(
                    await outbox_seconds(
                        Path(directory), messages, setting["synchronous"], setting["checkpoint"]
                    )
                )
    used = os.times()
    seconds = used.user - cpu.user + used.system - cpu.system
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"outbox writes per digest message (plan, sending, sent), {messages} messages x "
        f"{repeats} repeats, database in {Path.cwd()} (CPU {seconds:.1f} s, load {load}):"
    )
    baseline = statistics.median(times[next(iter(OUTBOX_SETTINGS))])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:<66} median {median * 1000:7.2f} ms  x{median / baseline:.2f}")


async def run(args: argparse.Namespace) -> None:
    if args.outbox:
        await outbox_table(args.outbox, args.outbox_repeats)
    total = args.subscriptions * args.items
    if args.rounds or args.kills:
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
    if rounds:
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
    parser.add_argument("--outbox", type=int, default=200, help="messages per setting, 0: skip")
    parser.add_argument("--outbox-repeats", type=int, default=5)
    parser.add_argument("--within", type=float, default=600.0, help="give up after (seconds)")
    asyncio.run(run(parser.parse_args(argv)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
