"""Workers: the current job finishes, no new one starts, the stop is bounded, exit codes."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson
import psycopg
import pytest

from tests.kit.conftest import Database

SCRIPT = Path(__file__).parent / "scripts" / "worker.py"
pytestmark = pytest.mark.slow


class Worker:
    """The worker script as a real process, and its JSON lines."""

    def __init__(self, **env: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(SCRIPT)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.lines: list[dict[str, Any]] = []

    def wait_for(self, message: str, timeout: float = 15.0) -> dict[str, Any]:
        """Read lines until one has `message`; that line."""
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            raw = self.process.stdout.readline()
            if not raw:
                break
            line = orjson.loads(raw)
            self.lines.append(line)
            if line["message"] == message:
                return line
        raise AssertionError(f"no {message!r} line; got {[e['message'] for e in self.lines]}")

    def finish(self, timeout: float = 15.0) -> int:
        """Read the rest of the output; the exit code."""
        out, _ = self.process.communicate(timeout=timeout)
        self.lines += [orjson.loads(line) for line in out.splitlines()]
        return self.process.returncode

    def messages(self) -> list[str]:
        return [str(e["message"]) for e in self.lines]


@pytest.mark.parametrize("mode", ["async", "sync"])
def test_sigterm_lets_the_current_job_finish_and_starts_no_other(mode: str) -> None:
    """SIGTERM mid-job: after "shutdown requested" exactly that job finishes, no job starts,
    the hook runs, "worker stopped"; the last job started is the last finished; exit 0."""
    worker = Worker(MODE=mode, LIMIT="5")
    started = worker.wait_for("job started")
    worker.process.send_signal(signal.SIGTERM)
    sent = time.monotonic()
    code = worker.finish()
    assert code == 0
    assert time.monotonic() - sent < 5
    messages = worker.messages()
    after = messages[messages.index("shutdown requested") :]
    assert after == [
        "shutdown requested",
        "job finished",
        "hook ran",
        "shutdown hook done",
        "worker stopped",
    ]
    last_started = [e["job"] for e in worker.lines if e["message"] == "job started"][-1]
    last_finished = [e["job"] for e in worker.lines if e["message"] == "job finished"][-1]
    assert last_started == last_finished >= started["job"]


def test_a_job_that_outlives_the_budget_is_cancelled_and_exits_1() -> None:
    """A 60 s job and shutdown_timeout 1.5 s: cancelled by the deadline, hooks run, exit 1."""
    worker = Worker(MODE="stuck", LIMIT="1.5")
    worker.wait_for("job started")
    sent = time.monotonic()
    worker.process.send_signal(signal.SIGTERM)
    code = worker.finish()
    took = time.monotonic() - sent
    assert code == 1
    assert 0.8 < took < 2.5
    assert "worker still busy at its shutdown deadline: cancelling it" in worker.messages()
    assert "hook ran" in worker.messages()


def test_second_signal_forces_exit() -> None:
    """A second SIGINT while a 60 s job runs ends the process at once with 128 + 2."""
    worker = Worker(MODE="stuck", LIMIT="10")
    worker.wait_for("job started")
    worker.process.send_signal(signal.SIGINT)
    worker.wait_for("shutdown requested")
    worker.process.send_signal(signal.SIGINT)
    assert worker.finish() == 128 + signal.SIGINT
    assert "second stop signal: exiting now" in worker.messages()


def test_a_crashing_loop_exits_1_with_its_exception_logged() -> None:
    """A loop that raises: one "worker crashed" line with the exception, hooks run, exit 1."""
    worker = Worker(MODE="crash", LIMIT="5")
    assert worker.finish() == 1
    (crash,) = [e for e in worker.lines if e["message"] == "worker crashed"]
    assert (crash["exc_type"], crash["exc_message"]) == ("RuntimeError", "job blew up")
    assert "hook ran" in worker.messages()


def test_procrastinate_worker_finishes_its_job_and_leaves_the_queue(database: Database) -> None:
    """procrastinate on a real Postgres, two 1.5 s jobs, concurrency 1: SIGTERM during the
    first; it succeeds, the second is never fetched (still todo), exit 0."""
    import procrastinate  # noqa: PLC0415 -- slow import, only this test needs it

    dbname = f"queue_{int(time.time() * 1000)}"
    with psycopg.connect(database.url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {dbname}")
    url = database.url.replace("/postgres?", f"/{dbname}?")
    app = procrastinate.App(connector=procrastinate.SyncPsycopgConnector(conninfo=url))
    with app.open():
        app.schema_manager.apply_schema()
        for n in (1, 2):
            app.configure_task(name="slow").defer(n=n)
    worker = Worker(MODE="procrastinate", LIMIT="6", DATABASE_URL=url)
    worker.wait_for("job started")
    worker.process.send_signal(signal.SIGTERM)
    code = worker.finish()
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT args->>'n', status FROM procrastinate_jobs ORDER BY id"
        ).fetchall()
    assert code == 0
    assert rows == [("1", "succeeded"), ("2", "todo")]
    assert [e["job"] for e in worker.lines if e["message"] == "job finished"] == [1]
