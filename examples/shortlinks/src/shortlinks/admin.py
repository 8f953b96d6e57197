"""The admin process: one-off tasks, run explicitly (a release step, an operator), never at boot.

    python -m shortlinks admin migrate                          schema migrations (alembic)
    python -m shortlinks admin backfill [--from DAY] [--to DAY] recompute daily counts

Each loads the same config as the other processes (exit 78 on any problem, before any
work), logs JSON lines, and exits 0 on success, 1 when the task failed.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Sequence
from typing import NoReturn

from shortlinks.backfill import DayRange, recompute_daily_counts
from twelve import kit

EX_USAGE = 2


def tasks(days: DayRange | None = None) -> kit.AdminTasks:
    """The service's admin tasks.

    Args:
        days: the range `backfill` recomputes (default: the last 30 days).
    """
    registry = kit.AdminTasks()
    registry.task("migrate", description="Apply pending schema migrations (alembic)")(migrate)
    registry.task("backfill", description="Recompute daily click counts from raw events")(
        functools.partial(backfill, days=days)
    )
    return registry


def run(argv: Sequence[str]) -> NoReturn:
    """`admin TASK [options]`: run one task and exit; no task lists them.

    Args:
        argv: the arguments after `admin`.
    """
    name, options = (argv[0], list(argv[1:])) if argv else ("", [])
    days = None
    if name == "backfill":
        days = DayRange.parse(options)
    elif options:
        sys.stderr.write(f"admin {name} takes no options, got: {' '.join(options)}\n")
        raise SystemExit(EX_USAGE)
    tasks(days).main([name] if name else [], load=kit.load_config)


def migrate(config: kit.Config) -> None:
    """Bring the schema to the newest migration; a no-op when it is there already.

    Args:
        config: the loaded config.
    """
    from shortlinks.migrations import upgrade  # noqa: PLC0415 -- alembic only for this task

    upgrade(config.get_str("DATABASE_URL"))


async def backfill(config: kit.Config, days: DayRange | None) -> None:
    """Recompute the daily counts of a range of days from the raw click events.

    Args:
        config: the loaded config.
        days: the range (default: the last 30 days).
    """
    days = days or DayRange.parse([])
    database = kit.Postgres(config.get_str("DATABASE_URL"), min_size=1, max_size=1)
    try:
        async with database.connection() as conn:
            rows = await recompute_daily_counts(conn, days)
    finally:
        await database.close()
    log = kit.get_logger("shortlinks.admin")
    log.info("daily counts recomputed", first=str(days.first), last=str(days.last), rows=rows)
