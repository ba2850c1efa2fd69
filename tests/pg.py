"""A throwaway PostgreSQL server for tests, on 127.0.0.1 with trust auth, in a temp folder.

Uses the server binaries of the distribution's `postgresql` package
(/usr/lib/postgresql/<version>/bin). PostgreSQL refuses to run as root, so under root every
server command runs as the `postgres` user the package creates, in a folder that user owns;
under any other user it runs as that user.

`require_postgres(reason)` skips a test when there is no server to start, except under CI
(the CI environment variable set), where it fails: CI must run the PostgreSQL tests.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

SERVER_ROOT = Path("/usr/lib/postgresql")  # <version>/bin/pg_ctl
SERVER_USER = "postgres"  # the account Debian's postgresql package creates
SUPERUSER = "postgres"
START_TIMEOUT_S = 60
START_ATTEMPTS = 3  # a free port can be taken by someone else before the server binds it
# Durability is worthless for a server that lives for one test session; skipping fsync keeps
# initdb and CREATE DATABASE fast.
SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "unix_socket_directories": "''",  # TCP only: no socket file in a folder someone else owns
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}


def require_postgres(reason: str) -> NoReturn:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the PostgreSQL tests (install the postgresql package)")
    pytest.skip(reason)


def server_bin() -> Path | None:
    """The newest installed server's bin folder, or None."""
    found = [path for path in SERVER_ROOT.glob("*/bin") if (path / "pg_ctl").is_file()]
    return max(found, key=lambda p: _version(p.parent.name)) if found else None


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in name.split(".") if part.isdigit())


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class PostgresServer:
    """One running server; `url(db)` is how a client reaches database `db` on it."""

    bin: Path
    root: Path
    port: int
    as_user: str | None  # run server commands as this user (when we are root)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if self.as_user:
            command = ["runuser", "-u", self.as_user, "--", *command]
        # cwd: the server user may not be allowed into the caller's folder
        result = subprocess.run(command, cwd=self.root, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{tool} failed ({result.returncode}): {result.stderr.strip()}\n{log}")

    def init(self) -> None:
        self.run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust", "--no-sync",
                 "--encoding=UTF8", "--no-locale")  # fmt: skip
        with open(self.data / "postgresql.conf", "a") as conf:
            for key, value in {**SETTINGS, "port": str(self.port)}.items():
                conf.write(f"{key} = {value}\n")

    def start(self) -> None:
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", str(START_TIMEOUT_S),
                 "start")  # fmt: skip

    def stop(self) -> None:
        # immediate: nothing here needs a clean shutdown, and the folder goes next
        self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def create_database(self) -> str:
        """A new empty database; its name."""
        name = f"t_{uuid.uuid4().hex[:16]}"
        self._admin(f"CREATE DATABASE {name}")
        return name

    def drop_database(self, name: str) -> None:
        # FORCE: a test that failed halfway may have left a connection open
        self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def _admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(statement)


def start_server(bin_dir: Path) -> PostgresServer:
    """A fresh server in a new temp folder, started; stop it with `stop_server`."""
    as_user = SERVER_USER if os.geteuid() == 0 else None
    last_error: RuntimeError | None = None
    for _ in range(START_ATTEMPTS):
        # tempfile's folder, not pytest's tmp_path: that one is private to root (mode 0700)
        root = Path(tempfile.mkdtemp(prefix="spillguard-pg-"))
        if as_user:
            account = pwd.getpwnam(as_user)
            os.chown(root, account.pw_uid, account.pw_gid)
        server = PostgresServer(bin_dir, root, free_port(), as_user)
        try:
            server.init()
            server.start()
            return server
        except RuntimeError as exc:
            last_error = exc
            shutil.rmtree(root, ignore_errors=True)
    raise RuntimeError(f"PostgreSQL did not start: {last_error}")


def stop_server(server: PostgresServer) -> None:
    try:
        server.stop()
    finally:
        shutil.rmtree(server.root, ignore_errors=True)


def missing_requirements() -> Sequence[str]:
    """Why no test server can be started here (empty when it can)."""
    problems = []
    if server_bin() is None:
        problems.append(f"no PostgreSQL server in {SERVER_ROOT}/*/bin")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            problems.append(f"running as root and there is no {SERVER_USER!r} user to run the server")
        if shutil.which("runuser") is None:
            problems.append("running as root and runuser is missing")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        problems.append("psycopg is not installed (spillguard[respond])")
    return problems
