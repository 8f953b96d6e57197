"""A throwaway Postgres for one probe run, run from the binaries of the `pgserver` package.

pgserver's own server handle listens on a Unix socket only, but services under test and the
fault proxy need TCP, so twelve runs the same binaries itself: `postgres` on 127.0.0.1 and a
free port, trust authentication, no durability, in a temporary directory, as a harness
`ServiceProcess`, so the run's teardown stops it even on Ctrl-C. Postgres refuses to run as
root; as root it runs as `nobody`.
"""

from __future__ import annotations

import atexit
import functools
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import warnings
from pathlib import Path
from typing import Self

from twelve.probe.clock import Clock, Deadline
from twelve.probe.db_snapshot import SNAPSHOT_SQL, Snapshot
from twelve.probe.harness import ServiceProcess
from twelve.probe.ports import free_port

__all__ = ["APP_ROLE", "EphemeralPostgres", "PostgresUnavailable", "Snapshot"]

APP_ROLE = "twelve"  # the role services log in as; owns every database it gets
HOST = "127.0.0.1"
START_TIMEOUT_S = 15.0
PSQL_TIMEOUT_S = 15.0
STOP_TIMEOUT_S = 5.0
INITDB_TIMEOUT_S = 120.0
_SHM = Path("/dev/shm")  # memory-backed: copying a cluster there takes 0.1 s, not 1.5 s
_SHM_NEEDED = 512 * 1024 * 1024  # a container's 64 MB /dev/shm is too small for two clusters
_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=400")
# Runs as root's stand-in: drop to the given uid/gid, then become the real program.
_DROP = (
    "import os, sys; os.setgroups([]); os.setgid(int(sys.argv[2])); "
    "os.setuid(int(sys.argv[1])); os.execv(sys.argv[3], sys.argv[3:])"
)


class PostgresUnavailable(Exception):
    """twelve cannot provide a Postgres here; the message says why."""


class EphemeralPostgres:
    """A Postgres cluster on 127.0.0.1 for one run: databases on demand, gone after `stop()`.

    Args:
        clock: the run's clock (the server's timeline uses it).
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._bin = _binaries()
        self._dir: Path | None = None
        self._forget: functools.partial[None] | None = None
        self._proc: ServiceProcess | None = None
        self._lock = threading.Lock()
        self.port = 0
        self.version = ""

    def start(self) -> Self:
        """Copy a fresh cluster, start the server, create the `twelve` role.

        Raises:
            PostgresUnavailable: no binaries, initdb failed, or the server did not start.
        """
        template = _template(self._bin)
        self._dir = Path(tempfile.mkdtemp(prefix="twelve-pg-", dir=_scratch_root()))
        self._forget = functools.partial(shutil.rmtree, self._dir, ignore_errors=True)
        atexit.register(self._forget)  # Ctrl-C: the teardown stops the server, this the files
        data = self._dir / "data"
        shutil.copytree(template, data, symlinks=True)
        _give_away(self._dir)
        try:
            self._serve(data)
            self.sql("postgres", f"CREATE ROLE {APP_ROLE} LOGIN CREATEDB")
            self.version = self.sql("postgres", "SHOW server_version")[0]
        except BaseException:
            self.stop()
            raise
        return self

    def _serve(self, data: Path) -> None:
        assert self._dir is not None
        for _ in range(3):  # a free port may be taken before the server binds it
            self.port = free_port(HOST)
            argv = [*_as_owner(), str(self._bin / "postgres"), "-D", str(data), "-h", HOST]
            argv += ["-p", str(self.port), "-k", str(self._dir)]
            argv += [arg for setting in _SETTINGS for arg in ("-c", setting)]
            env = {"PATH": os.environ.get("PATH", ""), "LC_ALL": "C"}
            self._proc = ServiceProcess(argv, env, cwd=self._dir, clock=self._clock)
            if self._proc.wait_listening(self.port, START_TIMEOUT_S) and self._wait_accepting():
                return
            tail = " / ".join(line.text for line in self._proc.output()[-3:])
            self._proc.stop(1.0)
            if self._proc.poll() is None or "could not bind" not in tail:
                raise PostgresUnavailable(f"postgres did not start: {tail or 'no output'}")
        raise PostgresUnavailable("postgres found no free port in 3 attempts")

    def _wait_accepting(self) -> bool:
        """Right after binding, the server may still answer "starting up"."""
        deadline = Deadline(self._clock, START_TIMEOUT_S)
        while not deadline.expired():
            try:
                self.sql("postgres", "SELECT 1")
            except PostgresUnavailable:
                deadline.sleep(0.05)
                continue
            return True
        return False

    @property
    def address(self) -> tuple[str, int]:
        """(host, port) the server listens on."""
        return HOST, self.port

    def url(self, database: str, *, scheme: str = "postgresql", password: str | None = None) -> str:
        """A URL for the app role: `postgresql://twelve:<password>@127.0.0.1:<port>/<database>`.

        Args:
            database: the database name.
            scheme: `postgresql` or `postgres`.
            password: put into the URL (trust authentication ignores it), e.g. `{canary}`.
        """
        user = APP_ROLE if password is None else f"{APP_ROLE}:{password}"
        return f"{scheme}://{user}@{HOST}:{self.port}/{database}"

    def create_database(self) -> str:
        """A new empty database owned by the app role; returns its name."""
        name = f"twelve_{secrets.token_hex(5)}"
        with self._lock:  # CREATE DATABASE copies template1: one at a time
            self.sql("postgres", f'CREATE DATABASE "{name}" OWNER {APP_ROLE}')
        return name

    def snapshot(self, database: str) -> Snapshot:
        """Tables with row counts and content hashes, columns and indexes of `database`."""
        return Snapshot.parse(self.sql(database, *SNAPSHOT_SQL))

    def sql(self, database: str, *statements: str) -> list[str]:
        """Run statements with psql as the superuser; the non-empty output lines.

        Raises:
            PostgresUnavailable: psql failed (the message carries its error).
        """
        argv = [str(self._bin / "psql"), "-X", "-q", "-A", "-t", "-F", "\t"]
        argv += ["-v", "ON_ERROR_STOP=1", "-h", HOST, "-p", str(self.port), "-U", "postgres"]
        argv += ["-d", database, *(arg for s in statements for arg in ("-c", s))]
        env = {"PATH": os.environ.get("PATH", ""), "PGCONNECT_TIMEOUT": "5", "LC_ALL": "C"}
        try:
            done = subprocess.run(
                argv, env=env, capture_output=True, text=True, timeout=PSQL_TIMEOUT_S, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PostgresUnavailable(f"psql failed: {exc}") from None
        if done.returncode != 0:
            raise PostgresUnavailable(f"psql failed: {done.stderr.strip()[:300]}")
        return [line for line in done.stdout.splitlines() if line]

    def stop(self) -> None:
        """Fast shutdown (SIGINT), KILL if needed, then delete the cluster; idempotent."""
        if self._proc is not None:
            if self._proc.send_signal(signal.SIGINT):  # fast: frees its shared memory
                self._proc.wait_exit(STOP_TIMEOUT_S)
            self._proc.stop(1.0)
            self._proc = None
        if self._forget is not None:
            self._forget()
            atexit.unregister(self._forget)
            self._forget = self._dir = None


def _scratch_root() -> Path | None:
    """/dev/shm when it is there and roomy, else the system's temporary directory."""
    try:
        stat = os.statvfs(_SHM)
    except OSError:
        return None
    roomy = stat.f_bavail * stat.f_frsize >= _SHM_NEEDED
    return _SHM if roomy and os.access(_SHM, os.W_OK | os.X_OK) else None


def _binaries() -> Path:
    try:
        with warnings.catch_warnings():  # platformdirs warns about XDG_RUNTIME_DIR on import
            warnings.simplefilter("ignore")
            from pgserver._commands import POSTGRES_BIN_PATH  # noqa: PLC0415 -- optional extra
    except ImportError:
        raise PostgresUnavailable(
            "the pgserver package is not installed (pip install pgserver)"
        ) from None
    path = Path(POSTGRES_BIN_PATH)
    if not (path / "postgres").is_file():
        raise PostgresUnavailable(f"pgserver has no postgres binary in {path}")
    return path


def _owner() -> tuple[int, int] | None:
    """(uid, gid) to run Postgres as when twelve runs as root, else None."""
    if os.geteuid() != 0:
        return None
    nobody = pwd.getpwnam("nobody")
    return nobody.pw_uid, nobody.pw_gid


def _as_owner() -> list[str]:
    owner = _owner()
    return [] if owner is None else [sys.executable, "-c", _DROP, str(owner[0]), str(owner[1])]


def _give_away(root: Path) -> None:
    """Hand a directory tree to the user Postgres runs as (root only)."""
    owner = _owner()
    if owner is None:
        return
    for path in [root, *root.rglob("*")]:
        os.lchown(path, *owner)


_template_lock = threading.Lock()
_templates: dict[Path, Path] = {}


def _template(binaries: Path) -> Path:
    """An initdb'd cluster, made once per twelve process (initdb takes seconds), then copied."""
    with _template_lock:
        if (known := _templates.get(binaries)) is not None and (known / "PG_VERSION").exists():
            return known
        root = Path(tempfile.mkdtemp(prefix="twelve-pg-template-", dir=_scratch_root()))
        atexit.register(shutil.rmtree, root, True)
        _give_away(root)
        data = root / "data"
        argv = [*_as_owner(), str(binaries / "initdb"), "-D", str(data), "--auth=trust"]
        argv += ["-U", "postgres", "--encoding=UTF8", "--locale=C", "--no-sync", "--wal-segsize=1"]
        env = {"PATH": os.environ.get("PATH", ""), "LC_ALL": "C"}
        try:
            done = subprocess.run(
                argv,
                env=env,
                capture_output=True,
                text=True,
                timeout=INITDB_TIMEOUT_S,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PostgresUnavailable(f"initdb failed: {exc}") from None
        if done.returncode != 0:
            tail = " / ".join(done.stderr.strip().splitlines()[-2:])
            raise PostgresUnavailable(f"initdb failed (exit {done.returncode}): {tail}")
        _templates[binaries] = data
        return data
