"""Admin tasks: registered by name, run as one-off processes with the service's config and logs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import psycopg
import pytest

from tests.kit.conftest import Database
from twelve.kit.admin import AdminTasks
from twelve.kit.config import EX_CONFIG, Config

FIXTURE = Path(__file__).parent.parent / "fixtures" / "kit_app"
pytestmark = pytest.mark.slow


def _run(*args: str, **env: str) -> tuple[int, list[dict[str, Any]], str]:
    done = subprocess.run(
        [sys.executable, "-m", "kit_app", "admin", *args],
        cwd=FIXTURE,
        env={"PATH": os.environ["PATH"], "PYTHONPATH": ".", "PYTHONDONTWRITEBYTECODE": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    events = [orjson.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return done.returncode, events, done.stdout + done.stderr


def test_registering_runs_nothing_and_names_are_listed() -> None:
    """Decorating registers (name from the argument or the function, doc as description)."""
    ran: list[str] = []
    admin = AdminTasks()

    @admin.task()
    def backfill_users(config: Config) -> None:
        """Fill in missing user rows."""
        ran.append("backfill")

    @admin.task("migrate", description="Apply schema")
    def migrate(config: Config) -> None:
        ran.append("migrate")

    assert ran == []
    assert admin.names == ["backfill-users", "migrate"]
    with pytest.raises(ValueError, match="registered twice"):
        admin.task("migrate")(migrate)


def test_task_results_map_to_exit_codes() -> None:
    """In-process run: 0 on success, 1 when the task raises (logged), 2 for an unknown name."""
    admin = AdminTasks()

    @admin.task("ok")
    async def ok(config: Config) -> None:
        return None

    @admin.task("broken")
    def broken(config: Config) -> None:
        raise RuntimeError("no")

    config = Config(service="demo")
    assert [admin.run(name, config) for name in ("ok", "broken", "nope")] == [0, 1, 2]


def test_a_task_with_a_second_parameter_gets_the_arguments_after_its_name() -> None:
    """`admin backfill --since 2026-01 users` passes the three words, in order, to a task
    taking (config, args), sync or async; without arguments it gets an empty list."""
    got: list[tuple[str, list[str]]] = []
    admin = AdminTasks()

    @admin.task("backfill")
    def backfill(config: Config, args: list[str]) -> None:
        got.append(("sync", args))

    @admin.task("reindex")
    async def reindex(config: Config, *args: list[str]) -> None:
        got.append(("async", args[0]))

    config = Config(service="demo")
    assert admin.run("backfill", config, ["--since", "2026-01", "users"]) == 0
    assert admin.run("reindex", config, ("orders",)) == 0
    assert admin.run("backfill", config) == 0
    assert got == [("sync", ["--since", "2026-01", "users"]), ("async", ["orders"]), ("sync", [])]


def test_migrate_runs_as_a_one_off_process_with_config_and_logs(database: Database) -> None:
    """`python -m kit_app admin migrate` twice: each exits 0 with JSON lines carrying the
    service fields, start and finish; the table exists; the second run changes nothing."""
    env = {
        "DATABASE_URL": database.url,
        "API_TOKEN": "tok-admin-secret",
        "UPSTREAM_URL": "https://svc:pw-admin-secret@127.0.0.1:9/api",
        "GIT_SHA": "sha-1",
    }
    first, events, output = _run("migrate", **env)
    second, _, _ = _run("migrate", **env)
    assert (first, second) == (0, 0)
    messages = [(e["message"], e.get("task")) for e in events]
    assert messages == [("admin task started", "migrate"), ("admin task finished", "migrate")]
    assert all((e["service"], e["version"]) == ("kit-app", "sha-1") for e in events)
    assert "admin-secret" not in output
    with psycopg.connect(database.url) as conn:
        assert conn.execute("SELECT to_regclass('greetings') IS NOT NULL").fetchone() == (True,)


def test_admin_without_config_exits_78_and_unknown_task_exits_2() -> None:
    """Missing config: 78 naming the keys. Unknown task (with config): 2 naming the known."""
    code, _, output = _run("migrate")
    assert code == EX_CONFIG
    assert '"missing":["DATABASE_URL","API_TOKEN","UPSTREAM_URL"]' in output
    env = {
        "DATABASE_URL": "postgresql://127.0.0.1/x",
        "API_TOKEN": "t" * 8,
        "UPSTREAM_URL": "https://127.0.0.1/",
    }
    code, events, _ = _run("nope", **env)
    assert code == 2
    assert (events[-1]["message"], events[-1]["known"]) == ("unknown admin task", ["migrate"])


def test_arguments_to_a_task_that_takes_none_exit_2_unrun_and_unechoed() -> None:
    """`admin migrate --dry-run s3cr3t-word`: exit 2, the task never starts, and the error
    line counts the arguments without echoing them (one could be a secret)."""
    env = {
        "DATABASE_URL": "postgresql://127.0.0.1:9/x",
        "API_TOKEN": "t" * 8,
        "UPSTREAM_URL": "https://127.0.0.1/",
    }
    code, events, output = _run("migrate", "--dry-run", "s3cr3t-word", **env)
    assert code == 2
    assert [(e["message"], e["task"], e.get("arguments")) for e in events] == [
        ("admin task takes no arguments", "migrate", 2)
    ]
    assert "s3cr3t-word" not in output
