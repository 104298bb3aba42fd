"""A real PostgreSQL server for the tests: initdb into a temporary folder, started, stopped after.

The server listens on a unix socket in its own folder and on 127.0.0.1 at a free port (password
auth there, so the DSN is the kind a user writes in config). initdb and postgres refuse to run as
root; as root the server runs as an unprivileged user (``THREADBRIEF_PG_USER``, else Debian's
``postgres``, else ``nobody``), which owns the folder.

Binaries: ``THREADBRIEF_PG_BIN`` if set, else ``/usr/lib/postgresql/15/bin``, else the newest
``/usr/lib/postgresql/*/bin``, else ``initdb`` on ``PATH``; ``.ci/run`` installs Debian's
``postgresql`` where it is missing. A machine without PostgreSQL fails the tests that need it,
with the reason; only outside CI (``CI`` unset) and with ``THREADBRIEF_SKIP_POSTGRES=1`` are they
skipped instead.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

DEFAULT_BIN = Path("/usr/lib/postgresql/15/bin")
SUPERUSER = "threadbrief"
DATABASE = "threadbrief"
START_TIMEOUT_S = 60


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server could be found or started here; the message says what to do."""


def find_bin_dir(env: Mapping[str, str] = os.environ) -> Path:
    """The folder holding initdb, pg_ctl and postgres, or PostgresUnavailable saying what to do."""
    candidates: list[Path] = []
    if env.get("THREADBRIEF_PG_BIN"):
        candidates.append(Path(env["THREADBRIEF_PG_BIN"]))
    else:
        candidates.append(DEFAULT_BIN)
        versions = sorted(
            Path("/usr/lib/postgresql").glob("*/bin"),
            key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
            reverse=True,
        )
        candidates.extend(versions)
        on_path = shutil.which("initdb", path=env.get("PATH"))
        if on_path:
            candidates.append(Path(on_path).parent)
    for folder in candidates:
        if all((folder / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return folder
    tried = ", ".join(str(c) for c in candidates)
    raise PostgresUnavailable(
        f"PostgreSQL server binaries (initdb, pg_ctl, postgres) not found in {tried}: "
        "install them (`apt-get install postgresql`) or set THREADBRIEF_PG_BIN to their folder; "
        "outside CI, THREADBRIEF_SKIP_POSTGRES=1 skips the tests that need PostgreSQL"
    )


def server_user(env: Mapping[str, str] = os.environ) -> pwd.struct_passwd | None:
    """The unprivileged account the server runs as when we are root; None when we are not."""
    if os.geteuid() != 0:
        return None
    names = [env["THREADBRIEF_PG_USER"]] if env.get("THREADBRIEF_PG_USER") else []
    names += ["postgres", "nobody"]
    for name in names:
        try:
            account = pwd.getpwnam(name)
        except KeyError:
            continue
        if account.pw_uid != 0:
            return account
    raise PostgresUnavailable(
        f"running as root and none of the accounts {names} exists to run PostgreSQL as "
        "(initdb and postgres refuse root): create one, or set THREADBRIEF_PG_USER"
    )


def should_skip(env: Mapping[str, str] = os.environ) -> bool:
    """Whether a missing PostgreSQL skips rather than fails: never in CI, locally only if asked."""
    return not env.get("CI") and env.get("THREADBRIEF_SKIP_POSTGRES") == "1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PgServer:
    """One PostgreSQL cluster in a temporary folder; ``start``/``stop``/``restart`` drive it."""

    bin_dir: Path
    account: pwd.struct_passwd | None
    root: Path = field(init=False)
    port: int = field(init=False)
    password: str = field(default_factory=lambda: secrets.token_hex(16))
    _databases: int = 0

    def __post_init__(self) -> None:
        # Short path under /tmp: a unix socket path must fit in 107 bytes, and pytest's own
        # tmp folders are private to root, which the server account could not enter.
        self.root = Path(tempfile.mkdtemp(prefix="tbpg-"))
        if self.account is not None:
            os.chown(self.root, self.account.pw_uid, self.account.pw_gid)
        self.port = free_port()

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    def dsn(self, database: str = DATABASE) -> str:
        """The TCP DSN of a database, as a user writes it in config (``database = ...``)."""
        return f"postgresql://{SUPERUSER}:{quote(self.password)}@127.0.0.1:{self.port}/{database}"

    def socket_dsn(self, database: str = DATABASE) -> str:
        """The same database through the unix socket."""
        return f"postgresql://{SUPERUSER}@/{database}?host={self.socket_dir}&port={self.port}"

    def _run(self, *args: str, as_server: bool = True) -> subprocess.CompletedProcess[str]:
        owner = self.account if as_server else None
        return subprocess.run(
            args,
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT_S,
            user=owner.pw_uid if owner else None,
            group=owner.pw_gid if owner else None,
            extra_groups=[] if owner else None,
            env={**os.environ, "LC_ALL": "C", "PGTZ": "UTC"},
            check=False,
        )

    def _check(self, done: subprocess.CompletedProcess[str], what: str) -> None:
        if done.returncode != 0:
            log = (
                self.log_file.read_text(errors="replace")[-2000:] if self.log_file.exists() else ""
            )
            raise PostgresUnavailable(
                f"{what} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}"
                + (f"\nserver log:\n{log}" if log else "")
            )

    def init(self) -> None:
        """initdb, with trust on the private socket and a password over TCP."""
        pwfile = self.root / "pwfile"
        pwfile.write_text(self.password + "\n")
        if self.account is not None:
            os.chown(pwfile, self.account.pw_uid, self.account.pw_gid)
        pwfile.chmod(0o600)
        done = self._run(
            str(self.bin_dir / "initdb"),
            "-D",
            str(self.data_dir),
            "-U",
            SUPERUSER,
            f"--pwfile={pwfile}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--no-instructions",
        )
        pwfile.unlink()
        self._check(done, "initdb")

    def start(self) -> None:
        options = (
            f"-k {self.socket_dir} -p {self.port} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off -c max_connections=200"
        )
        done = self._run(
            str(self.bin_dir / "pg_ctl"),
            "start",
            "-w",
            "-t",
            str(START_TIMEOUT_S),
            "-D",
            str(self.data_dir),
            "-l",
            str(self.log_file),
            "-o",
            options,
        )
        self._check(done, "pg_ctl start")

    def stop(self, mode: str = "fast") -> None:
        done = self._run(
            str(self.bin_dir / "pg_ctl"), "stop", "-w", "-m", mode, "-D", str(self.data_dir)
        )
        self._check(done, "pg_ctl stop")

    def restart(self) -> None:
        """Stop (fast: open connections are cut) and start again on the same port."""
        self.stop()
        self.start()

    def running(self) -> bool:
        done = self._run(str(self.bin_dir / "pg_ctl"), "status", "-D", str(self.data_dir))
        return done.returncode == 0

    def create_database(self, name: str | None = None) -> str:
        """A new empty database; returns its DSN. Each test that wants its own gets one."""
        if name is None:
            self._databases += 1
            name = f"t{os.getpid()}_{self._databases}"
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            done = self._run(
                str(self.bin_dir / "createdb"),
                "-h",
                str(self.socket_dir),
                "-p",
                str(self.port),
                "-U",
                SUPERUSER,
                name,
                as_server=False,
            )
            if done.returncode == 0 or time.monotonic() > deadline:
                break
            if "starting up" not in done.stderr and "shutting down" not in done.stderr:
                break
            time.sleep(0.2)
        self._check(done, f"createdb {name}")
        return self.dsn(name)

    def remove(self) -> None:
        """Stop the server if it runs and delete its folder."""
        if self.data_dir.exists() and self.running():
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


def launch(env: Mapping[str, str] = os.environ) -> PgServer:
    """A started server with the database ``threadbrief`` created; the caller removes it."""
    server = PgServer(find_bin_dir(env), server_user(env))
    try:
        server.init()
        server.start()
        server.create_database(DATABASE)
    except BaseException:
        server.remove()
        raise
    return server
