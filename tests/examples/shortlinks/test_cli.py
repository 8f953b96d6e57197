"""The command line: which process runs, and usage errors before any config is read."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.examples.shortlinks.conftest import EXAMPLE


def shortlinks(*argv: str) -> subprocess.CompletedProcess[str]:
    """`python -m shortlinks ARGV` in the service directory, with an empty environment."""
    return subprocess.run(
        [sys.executable, "-m", "shortlinks", *argv],
        env={"PATH": os.environ["PATH"]},
        cwd=EXAMPLE,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.mark.parametrize("argv", [[], ["serve"]])
def test_unknown_process_is_a_usage_error(argv: list[str]) -> None:
    """No process name, or an unknown one, prints the usage and exits 2."""
    done = shortlinks(*argv)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "usage: python -m shortlinks web | worker | admin TASK [options]\n"


def test_admin_lists_its_tasks() -> None:
    """`admin list` names both tasks with their descriptions and exits 0."""
    done = shortlinks("admin", "list")
    assert done.returncode == 0
    assert done.stdout.splitlines() == [
        "admin tasks:",
        "  migrate              Apply pending schema migrations (alembic)",
        "  backfill             Recompute daily click counts from raw events",
    ]


def test_options_are_checked_before_the_config() -> None:
    """Options a task does not take, or bad backfill dates, are usage errors (2) even without
    any config; a missing DATABASE_URL is then the config error (78)."""
    extra = shortlinks("admin", "migrate", "--now")
    assert (extra.returncode, extra.stderr) == (2, "admin migrate takes no options, got: --now\n")
    dates = shortlinks("admin", "backfill", "--from", "2025-13-01")
    assert dates.returncode == 2
    assert "argument --from: invalid fromisoformat value: '2025-13-01'" in dates.stderr
    unconfigured = shortlinks("admin", "backfill", "--from", "2025-01-01")
    assert unconfigured.returncode == 78
    assert "missing DATABASE_URL" in unconfigured.stderr
