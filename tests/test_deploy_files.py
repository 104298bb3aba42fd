"""The files a person deploys with: the image recipe, compose, systemd, licence and changelog.

No container engine runs in CI, so the recipes are read as Docker and systemd read them and
checked against what the bot needs; the health endpoint they call is tested for real in
tests/test_selfhost.py.
"""

from __future__ import annotations

import configparser
import re
import shlex
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import yaml

from bot.config import Config, load_config
from bot.runner import INVITE_PERMISSIONS

ROOT = Path(__file__).resolve().parents[1]


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text()
    text = re.sub(r"\\\n", " ", text)
    steps = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            steps.append((word.upper(), rest.strip()))
    return steps


def exec_form(args: str) -> list[str]:
    value = yaml.safe_load(args)
    assert isinstance(value, list), f"{args} is not in exec form (JSON array)"
    return value


def image_config():  # type: ignore[no-untyped-def]
    return load_config(ROOT / "deploy" / "config.toml", environ={})


def test_the_image_is_slim_python_runs_as_a_user_and_starts_the_bot() -> None:
    steps = dockerfile()
    [base] = [args for word, args in steps if word == "FROM"]
    assert re.fullmatch(r"python:3\.1[1-9]-slim(-\w+)?", base), base
    python = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert python == ">=3.11"
    users = [args for word, args in steps if word == "USER"]
    assert users and users[-1] not in ("root", "0")
    words = [word for word, _ in steps]
    assert words.index("USER") > max(i for i, w in enumerate(words) if w == "RUN")
    [entrypoint] = [exec_form(args) for word, args in steps if word == "ENTRYPOINT"]
    [command] = [exec_form(args) for word, args in steps if word == "CMD"]
    assert entrypoint == ["threadbrief"] and command == ["run"]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["threadbrief"] == "bot.cli:main"
    copied = [args.split()[0] for word, args in steps if word == "COPY"]
    for needed in ("bot", "cogs", "pyproject.toml"):
        assert any(needed in c for c in copied), needed


def test_the_database_is_on_the_volume_and_the_health_check_asks_the_bot() -> None:
    steps = dockerfile()
    [volume] = [exec_form(args) for word, args in steps if word == "VOLUME"]
    config = image_config()
    assert any(config.bot.database.is_relative_to(v) for v in volume)
    env = " ".join(args for word, args in steps if word == "ENV")
    assert "THREADBRIEF_CONFIG=/etc/threadbrief/config.toml" in env
    assert "COPY deploy/config.toml /etc/threadbrief/config.toml" in [f"{w} {a}" for w, a in steps]
    [health] = [args for word, args in steps if word == "HEALTHCHECK"]
    assert config.monitor.enabled
    assert f"http://127.0.0.1:{config.monitor.port}/healthz" in health
    assert f"EXPOSE {config.monitor.port}" in [f"{w} {a}" for w, a in steps]


def test_compose_runs_the_image_with_the_token_a_volume_and_the_same_health_check() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    [service] = [s for s in compose["services"].values() if "profiles" not in s]
    assert service["build"] == "."
    assert "DISCORD_TOKEN" in service["environment"]
    assert "${DISCORD_TOKEN:?" in service["environment"]["DISCORD_TOKEN"]
    [mount] = service["volumes"]
    name, target = mount.split(":")
    assert name in compose["volumes"] and target == "/data"
    port = image_config().monitor.port
    assert service["ports"] == [f"127.0.0.1:{port}:{port}"], "published on this machine only"
    assert f"http://127.0.0.1:{port}/healthz" in " ".join(service["healthcheck"]["test"])
    assert service["init"] is True and service["restart"] == "unless-stopped"


def scale_config(compose: dict[str, Any]) -> Config:
    """The fleet's config as compose writes it, with the password compose would put in."""
    content = compose["configs"]["threadbrief-scale"]["content"]
    text = content.replace("${POSTGRES_PASSWORD}", "secret")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.toml"
        path.write_text(text)
        return load_config(path, environ={})


def test_the_scale_profile_runs_postgres_a_gateway_and_two_workers_on_one_queue() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    scale = {name for name, s in services.items() if "scale" in s.get("profiles", [])}
    assert scale == {"postgres", "gateway", "worker"}
    postgres, gateway, worker = services["postgres"], services["gateway"], services["worker"]
    assert postgres["image"].startswith("postgres:")
    assert "pg_isready" in postgres["healthcheck"]["test"]
    assert "${POSTGRES_PASSWORD:?" in postgres["environment"]["POSTGRES_PASSWORD"]
    assert gateway["command"] == ["run", "--role", "gateway"]
    assert worker["command"] == ["run", "--role", "worker"]
    assert worker["deploy"]["replicas"] == 2
    config = scale_config(compose)
    user = postgres["environment"]["POSTGRES_USER"]
    database = postgres["environment"]["POSTGRES_DB"]
    url = f"postgresql://{user}:secret@postgres:5432/{database}"
    assert config.bot.database == url and config.queue_url() == url  # one shared database
    assert config.monitor.enabled and config.monitor.host == "0.0.0.0"
    for role in (gateway, worker):
        assert role["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert role["configs"] == [
            {"source": "threadbrief-scale", "target": "/etc/threadbrief/config.toml"}
        ]
        port = config.monitor.port
        assert f"http://127.0.0.1:{port}/healthz" in " ".join(role["healthcheck"]["test"])
        assert role["init"] is True and role["restart"] == "unless-stopped"
    for role in (gateway, worker):  # workers post digests and auto-summary replies with the token
        assert "${DISCORD_TOKEN:?" in role["environment"]["DISCORD_TOKEN"]
    assert gateway["ports"] == [f"127.0.0.1:{config.monitor.port}:{config.monitor.port}"]
    assert "postgres-data" in compose["volumes"]


def test_the_image_has_the_queue_s_libraries() -> None:
    [install] = [args for word, args in dockerfile() if word == "RUN" and "pip install" in args]
    assert "'.[postgres]'" in install
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert any(d.startswith("pgqueuer") for d in extra["optional-dependencies"]["postgres"])


def test_the_systemd_unit_runs_the_bot_as_its_own_user_and_restarts_it() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(ROOT / "deploy" / "threadbrief.service")
    service = unit["Service"]
    command = shlex.split(service["ExecStart"])
    assert command[0].endswith("/bin/threadbrief") and command[1:] == ["run"]
    assert service["User"] not in ("root", "0")
    assert service["Restart"] == "on-failure" and service["RestartPreventExitStatus"] == "2"
    assert "THREADBRIEF_CONFIG=" in service["Environment"]
    assert service["ReadWritePaths"] == f"/var/lib/{service['StateDirectory']}"
    assert unit["Install"]["WantedBy"] == "multi-user.target"
    assert "network-online.target" in unit["Unit"]["After"]


def test_the_licence_is_the_mit_licence_pyproject_names() -> None:
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"] == "MIT"
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License")
    assert "Permission is hereby granted, free of charge" in text


def test_the_changelog_has_this_version() -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    headings = re.findall(r"^## \[([^\]]+)\]", (ROOT / "CHANGELOG.md").read_text(), re.M)
    assert headings and headings[0] == version


def test_the_readme_gives_the_invite_link_and_the_compose_command_it_ships() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Run your own bot in five minutes") :]
    section = section[: section.index("\n## ", 4)]
    assert f"permissions={INVITE_PERMISSIONS.value}" in section
    assert "scope=bot+applications.commands" in section
    assert "docker compose up -d --build" in section
    assert "Application ID" in section and "DISCORD_TOKEN=" in section
    assert "/healthz" in section and "/metrics" in section
