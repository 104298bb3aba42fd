"""Settings: every key documented, every bad value stopped at start with one line naming it."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from dataclasses import fields
from pathlib import Path

import pytest

from bot.config import (
    BotConfig,
    BriefConfig,
    ClusterConfig,
    FetchConfig,
    MonitorConfig,
    load_config,
)
from bot.errors import ConfigError

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"


def test_the_example_config_documents_every_key_with_its_default() -> None:
    text = EXAMPLE.read_text("utf-8")
    documented = tomllib.loads(
        text.replace("# token", "token").replace("# dev_guild_id", "dev_guild_id")
    )
    sections = (
        ("bot", BotConfig),
        ("fetch", FetchConfig),
        ("brief", BriefConfig),
        ("monitor", MonitorConfig),
        ("cluster", ClusterConfig),
    )
    for section, cls in sections:
        names = {f.name for f in fields(cls)}
        assert set(documented[section]) == names, section
        defaults = cls()
        for key, value in documented[section].items():
            if key not in ("token", "dev_guild_id", "database"):
                value = tuple(value) if isinstance(value, list) else value
                assert value == getattr(defaults, key), f"{section}.{key}"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[brief]\nsentences = 'three'", "'brief.sentences' must be a whole number"),
        ("[brief]\nalgorithm = 'magic'", "choose one of lexrank"),
        ("[monitor]\nport = 70000", "'monitor.port' must be a port from 1 to 65535"),
        ("[fetch]\nmax_download_mb = -1", "'fetch.max_download_mb' must be a positive number"),
        ("[fetch]\nallow_loopback = 'yes'", "'fetch.allow_loopback' must be true or false"),
        ("[bot]\ncolour = 1", "Unknown config key 'bot.colour'"),
        ("[bot]\nmax_jobs = 2\ndigest_jobs = 3", "'bot.digest_jobs' is 3, more than bot.max_jobs"),
        ("[brief]\nviewpoint_chars = 500", "'brief.viewpoint_chars' must be from 10,000"),
        ("[digest]\nx = 1", "Unknown config section [digest]"),
        ("[bot\n", "not valid TOML"),
        ("[cluster]\nrole = 'boss'", "'cluster.role' is 'boss'; choose one of single"),
        ("[cluster]\nqueue = 'mysql://x'", "'cluster.queue' must be a postgresql:// URL"),
        ("[cluster]\nshard_ids = [0]", "'cluster.shard_ids' needs 'cluster.shard_count'"),
        ("[cluster]\nshard_count = 2\nshard_ids = [2]", "Shard 2 does not exist in a bot of 2"),
    ],
)
def test_a_bad_setting_is_named_with_what_is_wrong(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError, match=message.replace("[", r"\[")):
        load_config(path, environ={})


def test_the_token_comes_from_the_environment_before_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[bot]\ntoken = 'from-file-0123456789abcdef'")
    config = load_config(path, environ={"DISCORD_TOKEN": "from-env-0123456789abcdef"})
    assert config.bot.token == "from-env-0123456789abcdef"
    assert config.bot.database == tmp_path / "threadbrief.sqlite3"
    assert "from-env" not in repr(config)


def test_run_without_a_token_stops_with_one_line(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "threadbrief: No Discord bot token: set the DISCORD_TOKEN "
        "environment variable or 'bot.token' in config.toml."
    )


def test_algorithm_case_is_ignored_in_the_config_as_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[brief]\nalgorithm = "LexRank"\n')
    assert load_config(path, environ={}).brief.algorithm == "lexrank"


def test_the_viewpoint_bound_set_in_the_config_reaches_the_brief(tmp_path: Path) -> None:
    # 40 comments of some 1,500 characters: past a bound of 10,000 the brief says its viewpoints
    # read part of the longest comments; with the default bound it reads them whole.
    from dataclasses import replace

    from bot.render.json import thread_dict
    from tests.threads import big_thread

    sample = big_thread(40)
    long = replace(sample, comments=tuple(replace(c, text=c.text * 12) for c in sample.comments))
    thread = tmp_path / "thread.json"
    thread.write_text(json.dumps({"source": "test", **thread_dict(long)}))
    config = tmp_path / "config.toml"
    config.write_text("[brief]\nviewpoint_chars = 10000\n")

    def notes(*args: str) -> list[str]:
        command = [sys.executable, "-m", "bot", *args, "summarize", str(thread), "--json"]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        return list(json.loads(done.stdout)["brief"]["notes"])

    assert any("more than the 10,000 viewpoints read" in n for n in notes("--config", str(config)))
    assert not any("viewpoints read" in n for n in notes())
