"""Cluster benchmark: briefs through the PostgreSQL queue with 1, 2 and 4 worker processes.

    python -m bench.cluster [--jobs 8] [--comments 2000] [--workers 1,2,4] [--kills 5]

A real PostgreSQL (tests/pgserver.py), the local Discord stand-in, and worker processes started
as `threadbrief run --role worker` (one brief at a time each, bot.max_jobs = 1). Jobs are queued
as a gateway queues them (bot/cluster/queue.py) for interactions the stand-in knows, and a job is
done when the worker's brief has replaced the "thinking…" reply. It prints:

* throughput: briefs of `--comments`-comment threads per second with each worker count, after a
  warm-up round, with the workers' CPU seconds (user+sys) and the server's, and the ratio to one
  worker;
* queue latency at rest: from enqueue to the worker's start of the job, p50/p95 of 40 jobs sent
  one by one to idle workers;
* the kill test: `--kills` times, a worker is killed with SIGKILL while it briefs, and the job
  must be answered once by another worker; it prints the answers counted and the seconds from the
  kill to the answer;
* the load average before and after, since other processes share this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import asyncpg

from bot.cluster import queue
from bot.render.json import thread_dict
from tests import pgserver
from tests.cluster import WorkerProcess, queue_file_brief, write_fleet_config
from tests.fakediscord.rest import InteractionRecord
from tests.fakediscord.server import FakeDiscord
from tests.threads import big_thread

SMALL = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "tram-vote.txt"


def tree_cpu(pid: int) -> float:
    """CPU seconds (user+sys) of a process and its living descendants, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue
    return total


class Bench:
    def __init__(self, fake: FakeDiscord, pool: asyncpg.Pool, config: Path) -> None:
        self.fake = fake
        self.pool = pool
        self.config = config
        self.started = 0

    async def workers(self, n: int) -> list[WorkerProcess]:
        fleet = []
        for _ in range(n):
            self.started += 1
            fleet.append(WorkerProcess(self.fake, self.config, f"worker-{self.started}"))
        await asyncio.gather(*(w.start() for w in fleet))
        return fleet

    async def submit(self, data: bytes, filename: str) -> InteractionRecord:
        return await queue_file_brief(self.fake, self.pool, data, filename)

    async def answered(self, records: Sequence[InteractionRecord], within: float = 600) -> None:
        def done() -> bool:
            return all(r.original and r.original.get("embeds") for r in records)

        await self.fake.wait_for(done, within)

    async def latencies(self) -> list[float]:
        rows = await self.pool.fetch(
            "SELECT first_started_at - enqueued_at AS waited FROM threadbrief_briefs"
        )
        return [float(r["waited"]) for r in rows]


def postmaster_pid(server: pgserver.PgServer) -> int:
    return int((server.data_dir / "postmaster.pid").read_text().split()[0])


async def throughput(
    bench: Bench, server: pgserver.PgServer, workers: int, jobs: int, big: bytes
) -> tuple[float, float, float, float]:
    """(briefs per second, workers' CPU s, PostgreSQL's CPU s, this process's CPU s: the
    stand-in and the benchmark) for `jobs` briefs."""
    fleet = await bench.workers(workers)
    try:
        await bench.answered([await bench.submit(big, "big.json") for _ in range(workers)])
        cpu = sum(tree_cpu(w.pid) for w in fleet)
        pg_cpu = tree_cpu(postmaster_pid(server))
        own = time.process_time()
        start = time.monotonic()
        records = [await bench.submit(big, "big.json") for _ in range(jobs)]
        await bench.answered(records)
        elapsed = time.monotonic() - start
        cpu = sum(tree_cpu(w.pid) for w in fleet) - cpu
        pg_cpu = tree_cpu(postmaster_pid(server)) - pg_cpu
        own = time.process_time() - own
    finally:
        await asyncio.gather(*(w.stop() for w in fleet))
    return jobs / elapsed, cpu, pg_cpu, own


async def rest_latency(bench: Bench, count: int) -> list[float]:
    await bench.pool.execute("TRUNCATE threadbrief_briefs")
    fleet = await bench.workers(2)
    try:
        small = SMALL.read_bytes()
        for _ in range(count):
            await bench.answered([await bench.submit(small, "tram-vote.txt")])
            await asyncio.sleep(0.05)
        return await bench.latencies()
    finally:
        await asyncio.gather(*(w.stop() for w in fleet))


async def kills(bench: Bench, cycles: int, big: bytes) -> tuple[int, int, list[float], list[float]]:
    """(jobs answered exactly once, answered otherwise, seconds from the kill to another
    worker's start of the job, seconds from the kill to the answer)."""
    once = wrong = 0
    delays: list[float] = []
    repicks: list[float] = []
    fleet = await bench.workers(2)
    try:
        for _ in range(cycles):
            record = await bench.submit(big, "big.json")
            await bench.fake.wait_for(
                lambda r=record: any(
                    "comments" in (e.get("content") or "") for e in r.original_edits
                ),
                120,
            )
            row = await bench.pool.fetchrow(
                "SELECT worker FROM threadbrief_briefs WHERE interaction_id = $1",
                int(record.payload["id"]),
            )
            [busy] = [w for w in fleet if f":{w.pid}:" in row["worker"]]
            busy.kill()
            killed, killed_at = time.monotonic(), time.time()
            await bench.answered([record])
            delays.append(time.monotonic() - killed)
            started = await bench.pool.fetchval(
                "SELECT started_at FROM threadbrief_briefs WHERE interaction_id = $1",
                int(record.payload["id"]),
            )
            repicks.append(float(started) - killed_at)
            finals = [e for e in record.original_edits if e.get("embeds")]
            if len(finals) == 1 and not record.followups:
                once += 1
            else:
                wrong += 1
            fleet.remove(busy)
            fleet += await bench.workers(1)
    finally:
        await asyncio.gather(*(w.stop() for w in fleet))
    return once, wrong, repicks, delays


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


async def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=8)
    parser.add_argument("--comments", type=int, default=2000)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--latency-jobs", type=int, default=40)
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.workers.split(",")]
    load_before = os.getloadavg()
    print(f"cores {os.cpu_count()}, load average before {load_before[0]:.2f} (1 min)")
    big = json.dumps(thread_dict(big_thread(args.comments))).encode()
    server = pgserver.launch()
    fake = FakeDiscord()
    await fake.start()
    pool = await queue.connect(server.dsn())
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = write_fleet_config(Path(tmp), server.dsn(), max_jobs=1)
            bench = Bench(fake, pool, config)
            rates: dict[int, float] = {}
            per_brief = 1.0
            print(f"throughput, briefs of {args.comments:,}-comment threads, {args.jobs} jobs:")
            for n in counts:
                rate, cpu, pg_cpu, own = await throughput(bench, server, n, args.jobs, big)
                rates[n] = rate
                ratio = rate / rates[counts[0]]
                used = cpu * rate / args.jobs  # CPU seconds per second: the cores they got
                print(
                    f"  {n} worker{'s' if n > 1 else ' '}: {rate:.3f} briefs/s "
                    f"({ratio:.2f}x {counts[0]}), workers {cpu / args.jobs:.2f} CPU s/brief "
                    f"on {used:.2f} cores, PostgreSQL {pg_cpu / args.jobs * 1000:.1f} CPU "
                    f"ms/brief, stand-in {own / args.jobs * 1000:.0f} CPU ms/brief"
                )
                if n == counts[0]:
                    per_brief = cpu / args.jobs  # the prediction's unit: one worker's cost
                last_pg = pg_cpu / args.jobs
            waits = await rest_latency(bench, args.latency_jobs)
            print(
                f"queue latency at rest (enqueue to job start, {len(waits)} jobs): "
                f"p50 {statistics.median(waits) * 1000:.1f} ms, p95 {p95(waits) * 1000:.1f} ms"
            )
            if args.kills:
                once, wrong, repicks, delays = await kills(bench, args.kills, big)
                print(
                    f"kill test: {args.kills} workers killed mid-brief; answered once {once}, "
                    f"otherwise {wrong}; kill to another worker's start median "
                    f"{statistics.median(repicks):.1f} s (max {max(repicks):.1f}), kill to answer "
                    f"median {statistics.median(delays):.1f} s (max {max(delays):.1f})"
                )
            ceiling = 1 / last_pg if last_pg > 0 else float("inf")
            print(
                f"prediction (extrapolated from CPU s per brief, not measured): each idle core "
                f"adds ~{1 / per_brief:.2f} briefs/s while workers <= cores, so 2 workers on 2 "
                f"idle cores ~{2 / per_brief:.2f} briefs/s; one PostgreSQL core serves the queue "
                f"work of ~{ceiling:,.0f} briefs/s"
            )
    finally:
        await pool.close()
        await fake.stop()
        server.remove()
    print(f"load average after {os.getloadavg()[0]:.2f} (1 min)")


if __name__ == "__main__":
    asyncio.run(main())
