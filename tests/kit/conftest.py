"""A real Postgres (pgserver) for the kit's tests, started once and stopped at the end."""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest


class Database:
    """A pgserver instance that tests may stop and start again."""

    def __init__(self, directory: Path) -> None:
        import pgserver  # noqa: PLC0415 -- only the tests that use it pay for it

        self._server = pgserver.get_server(directory)
        self.url = self._server.get_uri()

    def stop(self) -> None:
        """Stop it (fast shutdown: sessions are cut, as in an outage); already down is fine."""
        from pgserver._commands import POSTGRES_BIN_PATH  # noqa: PLC0415 -- no public stop

        pg_ctl = [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(self._server.pgdata)]
        done = subprocess.run(
            [*pg_ctl, "-w", "-m", "fast", "stop"],
            user=self._server.system_user,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        output = done.stdout + done.stderr
        if done.returncode != 0 and not (
            "server running?" in output or "No such process" in output
        ):
            log = (self._server.pgdata / "log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"pg_ctl stop: {output}\nserver log:\n{log}")

    def start(self) -> None:
        """Start it again; pg_ctl sometimes fails while the old postmaster still exits."""
        for attempt in range(5):
            try:
                self._server.ensure_postgres_running()
                return
            except subprocess.CalledProcessError:
                if attempt == 4:
                    log = (self._server.pgdata / "log").read_text(errors="replace")
                    raise RuntimeError(f"postgres did not start again:\n{log[-2000:]}") from None
                time.sleep(0.5)

    def cleanup(self) -> None:
        self._server.cleanup()


@pytest.fixture(scope="session")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """A running Postgres on a unix socket; stopped when the session ends."""
    server = Database(tmp_path_factory.mktemp("pg") / "data")
    try:
        yield server
    finally:
        # Stop it whatever state a test left it in (stop tolerates "already down"), then
        # remove its files; a restart here would only add a way to fail.
        server.stop()
        with contextlib.suppress(subprocess.CalledProcessError):
            server.cleanup()
