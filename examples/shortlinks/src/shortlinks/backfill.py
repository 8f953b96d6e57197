"""Recompute daily click counts from the raw click events, for a range of days.

The counts the worker keeps are derived data: after a bug fix, a restore or a manual
repair of `clicks`, this makes `daily_clicks` agree with the events again. It replaces
the counts of every day in the range with a fresh aggregate, in one transaction, so a
second run changes nothing.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from psycopg import AsyncConnection

DEFAULT_DAYS = 30
LOCK_TIMEOUT_S = 5  # waiting for workers' in-flight counts to commit, at most


@dataclass(frozen=True, slots=True)
class DayRange:
    """Days from `first` to `last`, both included (UTC)."""

    first: date
    last: date

    @classmethod
    def parse(cls, argv: Sequence[str], today: date | None = None) -> DayRange:
        """The range from `--from DAY --to DAY` (ISO dates); default the last 30 days.

        Args:
            argv: the task's arguments.
            today: the current UTC date (default: now).

        Raises:
            SystemExit: 2 with a usage message when the arguments are wrong.
        """
        today = today or datetime.now(UTC).date()
        parser = argparse.ArgumentParser(
            prog="python -m shortlinks admin backfill",
            description="Recompute daily click counts from raw click events.",
        )
        parser.add_argument("--from", dest="first", type=date.fromisoformat, metavar="DAY")
        parser.add_argument("--to", dest="last", type=date.fromisoformat, metavar="DAY")
        args = parser.parse_args(argv)
        last = args.last or today
        first = args.first or last - timedelta(days=DEFAULT_DAYS - 1)
        if first > last:
            parser.error("--from is after --to")
        return cls(first, last)


async def recompute_daily_counts(conn: AsyncConnection[Any], days: DayRange) -> int:
    """Replace the daily counts of `days` with counts of the raw events; the rows written.

    Holds a lock on `daily_clicks` while it runs: a worker's count in flight waits for
    it, then lands on the fresh rows, so no click is lost or counted twice.

    Args:
        conn: the connection (the work is one transaction of its own).
        days: the days to recompute.
    """
    async with conn.transaction():
        await conn.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_S}s'")
        await conn.execute("LOCK TABLE daily_clicks IN SHARE ROW EXCLUSIVE MODE")
        await conn.execute(
            "DELETE FROM daily_clicks WHERE day BETWEEN %s AND %s", (days.first, days.last)
        )
        cursor = await conn.execute(
            """
            INSERT INTO daily_clicks (code, day, clicks)
            SELECT code, (clicked_at AT TIME ZONE 'UTC')::date AS day, count(*)
              FROM clicks
             WHERE clicked_at >= %(first)s::date AT TIME ZONE 'UTC'
               AND clicked_at < (%(last)s::date + 1) AT TIME ZONE 'UTC'
             GROUP BY code, day
            """,
            {"first": days.first, "last": days.last},
        )
        return cursor.rowcount
