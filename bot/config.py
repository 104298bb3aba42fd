"""Settings: one validated object built at start-up from config.toml and the environment.

Nothing else reads the environment or the file. A missing or invalid setting stops start-up with
one line naming the key and what is wrong (`ConfigError`). config.example.toml documents every key
with its default; `DEFAULTS` below is the same table in code, and a test keeps the two in step.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

from bot.errors import ConfigError

Algorithm = Literal["lexrank", "textrank", "lsa", "luhn", "kl", "sumbasic", "edmundson"]
"""The summary algorithms, by the names users give: the one list (the commands offer these)."""
ALGORITHMS: tuple[str, ...] = get_args(Algorithm)


@dataclass(frozen=True, slots=True)
class FetchConfig:
    connect_timeout: float = 5.0
    total_timeout: float = 20.0
    max_download_mb: float = 5.0
    max_redirects: int = 5
    retries: int = 2
    per_host_limit: int = 4
    deadline: float = 45.0
    """Seconds one source read may take in all: every request, redirect and retry together."""
    allow_loopback: bool = False
    """Let URLs reach 127.0.0.1/::1. Only for local testing: never on a public bot."""
    hackernews_api: str = "https://hn.algolia.com/api/v1"
    """Where Hacker News threads are read (Algolia's items API, or a compatible mirror)."""


@dataclass(frozen=True, slots=True)
class BriefConfig:
    algorithm: str = "lexrank"
    sentences: int = 3
    viewpoints: int = 5
    quotes: int = 2
    max_comments: int = 100000
    """Comments the CLI reads at most (--max-comments overrides; the bot's is bot.max_comments)."""
    max_input_mb: float = 8.0
    """Largest file or standard input the CLI reads (--max-input-mb overrides; the bot's is
    bot.max_attachment_mb)."""
    max_sentences: int = 1000
    """Article sentences ranked together at most; a longer article is ranked in parts."""
    viewpoint_chars: int = 1_500_000
    """Characters of comments the viewpoints read at most; past it the longest comments are cut
    to one shared length (bot/viewpoints/budget.py), and the brief says so."""


DIGEST_LIMIT_MAX = 25
"""One /digest list message shows 25 subscriptions (Discord's field limit)."""


@dataclass(frozen=True, slots=True)
class BotConfig:
    token: str | None = field(default=None, repr=False)
    dev_guild_id: int | None = None
    database: Path | str = Path("threadbrief.sqlite3")
    """A SQLite file (one bot process), or a postgresql:// URL (any number of processes)."""
    max_jobs: int = 2
    """Briefs computed at once; more wait their turn (with a message) rather than stall."""
    digest_jobs: int = 1
    """Of those, how many digests may hold at once (at most max_jobs): a waiting user's brief
    always goes before a digest's next item."""
    user_cooldown: float = 20.0
    """Seconds a user waits between two briefs."""
    max_attachment_mb: float = 8.0
    max_comments: int = 20000
    job_deadline: float = 300.0
    """Seconds one brief may take, reading and briefing together; then it is stopped."""
    worker_memory_mb: int = 1024
    """Address space of each worker process (RLIMIT_AS): an input needing more ends its own
    brief with a message instead of taking the host's memory."""
    history_messages: int = 1000
    """Messages /summarize here reads at most; the user may ask for fewer."""
    digest_limit: int = 10
    """Subscriptions per guild."""
    digest_items: int = 10
    """Items in one digest at most; newer items beyond it wait for the next run."""
    message_content: bool = False
    """Ask for the privileged Message Content intent: needed to read message text (briefs of a
    conversation, auto-summary channels)."""


@dataclass(frozen=True, slots=True)
class MonitorConfig:
    """The bot's health and metrics endpoint (`/healthz`, `/metrics`)."""

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = 9877


ROLES = ("single", "gateway", "worker")
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


@dataclass(frozen=True, slots=True)
class ClusterConfig:
    """Running past one machine: gateways and workers sharing one PostgreSQL job queue."""

    role: str = "single"
    """single (one process, the default), gateway (Discord shards, queues the briefs) or worker
    (makes and posts the briefs); `threadbrief run --role` overrides it."""
    queue: str = ""
    """PostgreSQL URL of the job queue; empty: bot.database, when that is a postgresql:// URL."""
    shard_count: int = 0
    """Shards of the whole bot; 0: one gateway holds every server (no sharding)."""
    shard_ids: tuple[int, ...] = ()
    """The shards this gateway connects; empty: all of them."""
    rest_per_second: float = 40.0
    """Discord REST requests per second of all workers together (Discord allows 50)."""
    rest_burst: float = 10.0
    """Requests the fleet may send at once after a quiet spell, above the steady rate."""
    job_heartbeat: float = 2.0
    """Seconds without a heartbeat after which a worker's job goes to another worker."""


@dataclass(frozen=True, slots=True)
class Config:
    bot: BotConfig = BotConfig()
    fetch: FetchConfig = FetchConfig()
    brief: BriefConfig = BriefConfig()
    monitor: MonitorConfig = MonitorConfig()
    cluster: ClusterConfig = ClusterConfig()
    path: Path | None = None

    def queue_url(self) -> str | None:
        """Where the job queue lives, or None when this bot runs as one process."""
        if self.cluster.queue:
            return self.cluster.queue
        database = str(self.bot.database)
        return database if database.startswith(POSTGRES_SCHEMES) else None


_SECTIONS: Mapping[str, type] = {
    "bot": BotConfig,
    "fetch": FetchConfig,
    "brief": BriefConfig,
    "monitor": MonitorConfig,
    "cluster": ClusterConfig,
}


def _check_cluster(key: str, value: Any) -> Any:
    name = f"cluster.{key}"
    if key == "role":
        if value not in ROLES:
            raise ConfigError(
                f"Config key '{name}' is {value!r}; choose one of {', '.join(ROLES)}."
            )
        return value
    if key == "queue":
        if not isinstance(value, str) or (value and not value.startswith(POSTGRES_SCHEMES)):
            raise ConfigError(
                f"Config key '{name}' must be a postgresql:// URL (or empty), not {value!r}."
            )
        return value
    if key == "shard_count":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"Config key '{name}' must be a whole number from 0, not {value!r}.")
        return value
    if key == "shard_ids":
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value
        ):
            raise ConfigError(
                f"Config key '{name}' must be a list of shard numbers, not {value!r}."
            )
        return tuple(value)
    return None


def check_shards(count: int, ids: tuple[int, ...]) -> None:
    """Shard ids need a count, and each must be below it (Discord closes with 4010 otherwise)."""
    if ids and not count:
        raise ConfigError("Config key 'cluster.shard_ids' needs 'cluster.shard_count' too.")
    wrong = [i for i in ids if i >= count]
    if wrong:
        raise ConfigError(
            f"Shard {wrong[0]} does not exist in a bot of {count} shard"
            f"{'s' if count != 1 else ''}: shard ids go from 0 to {count - 1}."
        )


def _check(section: str, key: str, value: Any, default: Any) -> Any:
    name = f"{section}.{key}"
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"Config key '{name}' must be true or false, not {value!r}.")
        return value
    if (isinstance(default, int) and not isinstance(default, bool)) or key == "dev_guild_id":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"Config key '{name}' must be a whole number, not {value!r}.")
        if value < (1 if key != "retries" else 0):
            raise ConfigError(f"Config key '{name}' must be positive, not {value}.")
        if name == "monitor.port" and value > 65535:
            raise ConfigError(f"Config key '{name}' must be a port from 1 to 65535, not {value}.")
        if name == "brief.viewpoint_chars" and not 10_000 <= value <= 1_000_000_000:
            raise ConfigError(
                f"Config key 'brief.viewpoint_chars' must be from 10,000 to 1,000,000,000, "
                f"not {value}."
            )
        if name == "bot.digest_limit" and value > DIGEST_LIMIT_MAX:
            raise ConfigError(
                f"Config key 'bot.digest_limit' is {value}; at most {DIGEST_LIMIT_MAX} digests "
                "per server fit in one /digest list."
            )
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ConfigError(f"Config key '{name}' must be a positive number, not {value!r}.")
        return float(value)
    if name == "bot.database":
        return _database(value)
    if isinstance(default, Path):
        if not isinstance(value, str) or not value:
            raise ConfigError(f"Config key '{name}' must be a file path.")
        return Path(value)
    if not isinstance(value, str) or not value:
        raise ConfigError(f"Config key '{name}' must be non-empty text.")
    if name == "brief.algorithm":
        # One rule for case, as on the command line: "LexRank" is lexrank.
        key = value.strip().lower().replace("-", "").replace("_", "")
        if key not in ALGORITHMS:
            raise ConfigError(
                f"Config key 'brief.algorithm' is '{value}'; choose one of {', '.join(ALGORITHMS)}."
            )
        return key
    return value


def _database(value: Any) -> Path | str:
    """A SQLite path, or a PostgreSQL URL checked now: a typo must not wait for the first
    connection (or, worse, become a file named after the URL)."""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(
            "Config key 'bot.database' must be a SQLite file path or a postgresql:// URL."
        )
    scheme, sep, _ = value.partition("://")
    if not sep:
        if value.lower().startswith(("postgres:", "postgresql:")):
            raise ConfigError(
                "Config key 'bot.database' looks like a PostgreSQL URL but lacks '//': "
                "write postgresql://user:password@host:5432/dbname."
            )
        return Path(value)
    if scheme.lower() not in ("postgresql", "postgres"):
        raise ConfigError(
            f"Config key 'bot.database' is a {scheme}:// URL; ThreadBrief stores its state in a "
            "SQLite file (a path) or in PostgreSQL (postgresql://user:password@host/dbname)."
        )
    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018 (parsing it is the check)
    except ValueError:
        raise ConfigError(
            f"Config key 'bot.database' has a bad port in {_without_password(value)}: "
            "write postgresql://user:password@host:5432/dbname."
        ) from None
    if parts.path.strip("/") == "" and "dbname=" not in parts.query:
        raise ConfigError(
            f"Config key 'bot.database' names no database in {_without_password(value)}: "
            "end it with /dbname (postgresql://user:password@host:5432/dbname)."
        )
    return value


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


def _section(name: str, raw: Any, base: Path | None) -> Any:
    cls = _SECTIONS[name]
    if not isinstance(raw, dict):
        raise ConfigError(f"Config section [{name}] must be a table.")
    defaults = cls()
    known = {f.name for f in fields(cls)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            raise ConfigError(
                f"Unknown config key '{name}.{key}'; known keys: {', '.join(sorted(known))}."
            )
        checked = _check_cluster(key, value) if name == "cluster" else None
        if checked is None:
            checked = _check(name, key, value, getattr(defaults, key))
        values[key] = checked
    if name == "cluster":
        check_shards(values.get("shard_count", 0), values.get("shard_ids", ()))
    if name == "bot" and values.get("digest_jobs", 1) > values.get("max_jobs", defaults.max_jobs):
        raise ConfigError(
            f"Config key 'bot.digest_jobs' is {values.get('digest_jobs', 1)}, more than "
            f"bot.max_jobs ({values.get('max_jobs', defaults.max_jobs)}): digests share the "
            "brief slots, so they can hold at most all of them."
        )
    if name == "bot" and isinstance(values.get("database"), Path) and base is not None:
        db = values["database"]
        values["database"] = db if db.is_absolute() else base / db
    return cls(**values)


def load_config(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read `path` (if given) and the environment (DISCORD_TOKEN overrides bot.token)."""
    env = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"Config file {path} does not exist.") from None
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"Config file {path} is not valid TOML: {e}.") from None
    unknown = set(raw) - set(_SECTIONS)
    if unknown:
        raise ConfigError(
            f"Unknown config section [{sorted(unknown)[0]}]; known: {', '.join(_SECTIONS)}."
        )
    base = path.parent if path is not None else None
    sections = {name: _section(name, raw.get(name, {}), base) for name in _SECTIONS}
    bot: BotConfig = sections["bot"]
    token = env.get("DISCORD_TOKEN") or bot.token
    if path is not None and bot.database == Path("threadbrief.sqlite3"):
        bot = _replace_bot(bot, database=path.parent / "threadbrief.sqlite3")
    bot = _replace_bot(bot, token=token)
    return Config(
        bot=bot,
        fetch=sections["fetch"],
        brief=sections["brief"],
        monitor=sections["monitor"],
        cluster=sections["cluster"],
        path=path,
    )


def with_cluster_flags(
    config: Config, role: str | None, shard_count: int | None, shards: str | None
) -> Config:
    """`threadbrief run --role/--shard-count/--shards`, over what the config file says."""
    cluster = config.cluster
    changes: dict[str, Any] = {}
    if role is not None:
        changes["role"] = _check_cluster("role", role)
    if shard_count is not None:
        changes["shard_count"] = _check_cluster("shard_count", shard_count)
    if shards is not None:
        try:
            ids = [int(part) for part in shards.split(",") if part.strip()]
        except ValueError:
            raise ConfigError(f"--shards takes shard numbers like 0,1,2, not {shards!r}.") from None
        changes["shard_ids"] = _check_cluster("shard_ids", ids)
    cluster = replace(cluster, **changes)
    check_shards(cluster.shard_count, cluster.shard_ids)
    return replace(config, cluster=cluster)


def _replace_bot(bot: BotConfig, **changes: Any) -> BotConfig:
    return replace(bot, **changes)


def require_token(config: Config) -> str:
    """The bot token, or a ConfigError that says where to put it (never echoing a value)."""
    token = config.bot.token
    if not token or not token.strip():
        raise ConfigError(
            "No Discord bot token: set the DISCORD_TOKEN environment variable or 'bot.token' "
            "in config.toml."
        )
    if any(ch.isspace() for ch in token.strip()) or len(token.strip()) < 20:
        raise ConfigError("The Discord bot token is malformed (too short or contains spaces).")
    return token.strip()
