"""The bot in its own process, against the stand-in: for tests that kill it with SIGKILL.

`python -m tests.fakediscord.botprocess API_BASE GATEWAY_URL CONFIG` runs the real bot (the same
`create_bot` as `threadbrief run`) with discord.py pointed at the stand-in; with a fifth argument
`cli` it runs `threadbrief --config CONFIG run` itself (further arguments, such as `--role worker`,
go to `run`). `BotProcess` starts
it from a test or a benchmark, waits for it to connect, and kills it.
"""

from __future__ import annotations

import asyncio
import faulthandler
import logging
import os
import signal
import sys
from pathlib import Path

import discord
import yarl
from discord.gateway import DiscordWebSocket

from bot.config import load_config
from bot.runner import create_bot
from tests.fakediscord.server import TOKEN, FakeDiscord

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    api_base, gateway, config_path = sys.argv[1:4]
    faulthandler.register(signal.SIGUSR1)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    discord.http.Route.BASE = api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
    if sys.argv[4:5] == ["cli"]:  # exactly `threadbrief --config CONFIG run [ARGS]`
        from bot.cli import main as cli

        sys.exit(cli(["--config", config_path, "run", *sys.argv[5:]]))
    config = load_config(Path(config_path), environ={})
    bot = create_bot(config, guild_ready_timeout=0.05)
    bot.run(TOKEN, log_handler=None)


def write_config(directory: Path, **bot: object) -> Path:
    lines = ["[bot]", f'token = "{TOKEN}"', 'database = "bot.sqlite3"']
    lines += [f"{key} = {value}" for key, value in bot.items()]
    lines += ["", "[fetch]", "allow_loopback = true"]
    path = directory / "config.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


class BotProcess:
    def __init__(self, fake: FakeDiscord, config: Path) -> None:
        self.fake = fake
        self.config = config
        self.process: asyncio.subprocess.Process | None = None
        self.log = config.parent / "bot.log"

    async def start(self) -> None:
        connected = self.fake.identifies
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tests.fakediscord.botprocess",
                self.fake.api_base,
                self.fake.gateway_url,
                str(self.config),
                cwd=ROOT,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )
        await self.fake.wait_for(lambda: self.fake.identifies > connected or self.exited, 60)
        if self.exited:
            raise RuntimeError(f"the bot process exited at start; see {self.log}")

    @property
    def exited(self) -> bool:
        return self.process is None or self.process.returncode is not None

    def kill(self) -> None:
        """SIGKILL: no cleanup, no flush, exactly like a crash or the OOM killer."""
        if self.process is not None and self.process.returncode is None:
            try:
                os.kill(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    async def wait(self) -> None:
        if self.process is not None:
            await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.kill()
                await self.process.wait()


if __name__ == "__main__":
    main()
