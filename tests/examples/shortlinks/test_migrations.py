"""Migrations: from an empty database to the newest revision, and a second run is a no-op."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg
from shortlinks.migrations import current, upgrade

from tests.examples.shortlinks.conftest import EXAMPLE, Server, rows
from twelve.probe.db_snapshot import SNAPSHOT_SQL, Snapshot

TABLES = {
    "public.alembic_version",
    "public.clicks",
    "public.daily_clicks",
    "public.links",
    "public.procrastinate_events",
    "public.procrastinate_jobs",
    "public.procrastinate_periodic_defers",
    "public.procrastinate_workers",
}


def snapshot(url: str) -> Snapshot:
    """Tables with row hashes, columns and indexes: what twelve's idempotency probe compares."""
    with psycopg.connect(url) as conn:
        conn.execute(SNAPSHOT_SQL[0])
        found = conn.execute(SNAPSHOT_SQL[1]).fetchall()
    return Snapshot.parse("\t".join(str(part) for part in row) for row in found)


def admin(task: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `python -m shortlinks admin TASK` as the platform would, in the service directory."""
    return subprocess.run(
        [sys.executable, "-m", "shortlinks", "admin", task],
        env={"PATH": os.environ["PATH"], **env},
        cwd=EXAMPLE,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_upgrade_from_empty_creates_the_schema(postgres: Server) -> None:
    """An empty database gets the service's tables and the click queue's, at revision 0002."""
    url = postgres.create_database()
    assert current(url) is None
    assert snapshot(url).tables == {}
    upgrade(url)
    assert current(url) == "0002"
    assert set(snapshot(url).tables) == TABLES
    assert rows(url, "SELECT proname FROM pg_proc WHERE proname = 'procrastinate_defer_jobs_v1'")


def test_migrate_task_twice_changes_nothing(postgres: Server) -> None:
    """The `migrate` admin task (a real process) on a migrated database exits 0, logs JSON,
    and leaves every table, column, index and row as it was."""
    url = postgres.create_database()
    upgrade(url)
    before = snapshot(url)
    done = admin("migrate", {"DATABASE_URL": url})
    assert done.returncode == 0, done.stdout + done.stderr
    assert '"message":"admin task finished"' in done.stdout
    assert '"task":"migrate"' in done.stdout
    assert before.changes(snapshot(url)) == []
    assert current(url) == "0002"


def test_migrate_without_database_url_fails_fast() -> None:
    """Without DATABASE_URL the task does nothing: exit 78 and the key named on stderr."""
    done = admin("migrate", {})
    assert done.returncode == 78
    assert "missing DATABASE_URL" in done.stderr
