"""A fleet for the tests and the benchmark: worker processes (`threadbrief run --role worker`)
against the Discord stand-in and a real PostgreSQL, started, waited for and killed."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import asyncpg

from bot.cluster import queue
from bot.cluster.payload import QueuedBrief, Reply
from bot.jobs import SourceRequest
from bot.pipeline import BriefOptions
from tests.fakediscord.botprocess import ROOT
from tests.fakediscord.rest import InteractionRecord
from tests.fakediscord.server import APP_ID, TOKEN, FakeDiscord


def write_fleet_config(
    directory: Path,
    queue: str,
    *,
    store: str = "bot.sqlite3",
    monitor: int | None = None,
    name: str = "config.toml",
    **bot: object,
) -> Path:
    """The config every process of the fleet reads: same token, same queue (`store`: the
    settings' database, PostgreSQL for gateways that share it; `monitor`: the port of its
    /healthz and /metrics, for one process)."""
    lines = ["[bot]", f'token = "{TOKEN}"', f'database = "{store}"']
    lines += [f"{key} = {value}" for key, value in bot.items()]
    lines += ["", "[fetch]", "allow_loopback = true", "", "[cluster]", f'queue = "{queue}"']
    if monitor is not None:
        lines += ["", "[monitor]", "enabled = true", f"port = {monitor}"]
    path = directory / name
    path.write_text("\n".join(lines) + "\n")
    return path


class FleetProcess:
    """`threadbrief --config CONFIG run ARGS` as its own process, with discord.py pointed at the
    stand-in; started (ready once its log says `READY` anew), killed, stopped, started again."""

    READY = b""

    def __init__(self, fake: FakeDiscord, config: Path, name: str, args: list[str]) -> None:
        self.fake = fake
        self.config = config
        self.name = name
        self.args = args
        self.log = config.parent / f"{name}.log"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, within: float = 90.0) -> None:
        offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tests.fakediscord.botprocess",
                self.fake.api_base,
                self.fake.gateway_url,
                str(self.config),
                "cli",
                *self.args,
                cwd=ROOT,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )
        ends = time.monotonic() + within
        while self.READY not in self.log.read_bytes()[offset:]:
            if self.process.returncode is not None or time.monotonic() > ends:
                tail = self.log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{self.name} did not start; its log ends:\n{tail}")
            await asyncio.sleep(0.05)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL: the process stops mid-work, with no chance to say so."""
        if self.process is not None and self.process.returncode is None:
            try:
                os.kill(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    async def wait(self) -> int:
        assert self.process is not None
        return await self.process.wait()

    async def stop(self) -> None:
        """SIGTERM, as `docker stop` sends it; SIGKILL after 15 s."""
        if self.process is None or self.process.returncode is not None:
            return
        self.process.terminate()
        try:
            await asyncio.wait_for(self.process.wait(), 15)
        except TimeoutError:
            self.kill()
            await self.process.wait()


class WorkerProcess(FleetProcess):
    """`threadbrief --config CONFIG run --role worker`."""

    READY = b"takes briefs from the queue"

    def __init__(self, fake: FakeDiscord, config: Path, name: str) -> None:
        super().__init__(fake, config, name, ["--role", "worker"])


class GatewayProcess(FleetProcess):
    """`threadbrief --config CONFIG run --role gateway --shard-count N --shards K`: one gateway
    holding some of the bot's shards (discord.py's AutoShardedBot), ready once logged in."""

    READY = b"Logged in as"

    def __init__(
        self, fake: FakeDiscord, config: Path, name: str, *, shards: str, shard_count: int
    ) -> None:
        args = ["--role", "gateway", "--shard-count", str(shard_count), "--shards", shards]
        super().__init__(fake, config, name, args)


async def ledger_row(dsn: str, interaction_id: str) -> dict[str, object] | None:
    """The fleet's record of one interaction's brief (bot/cluster/queue.py)."""
    conn = await asyncpg.connect(dsn)
    try:
        row = await conn.fetchrow(
            "SELECT * FROM threadbrief_briefs WHERE interaction_id = $1", int(interaction_id)
        )
    finally:
        await conn.close()
    return dict(row) if row is not None else None


async def queue_file_brief(
    fake: FakeDiscord, pool: asyncpg.Pool, data: bytes, filename: str
) -> InteractionRecord:
    """`/summarize file` as a gateway leaves it: a deferred interaction the stand-in knows, and
    its job in the queue (what a gateway does, without one)."""
    interaction_id = int(fake.snowflake())
    token = f"token-{interaction_id}"
    record = InteractionRecord({"id": str(interaction_id), "type": 2, "token": token})
    record.callbacks.append({"type": 5})
    record.original = fake.bot_message({}, flags=128)
    fake.interactions[token] = record
    job = QueuedBrief(
        reply=Reply(
            application_id=APP_ID,
            interaction_id=interaction_id,
            token=token,
            created_at=time.time(),
            user_id=1,
        ),
        request=SourceRequest(data=data, filename=filename),
        options=BriefOptions(),
        enqueued_at=time.time(),
    )
    await queue.enqueue(pool, job)
    return record
