"""The links and their statistics in Postgres: every query the web process runs.

Each function takes a psycopg connection, so a caller decides the transaction and the
tests run them against a real database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from psycopg import AsyncConnection, errors


@dataclass(frozen=True, slots=True)
class Link:
    """A stored short link.

    Args:
        code: the path it answers on.
        url: where it redirects.
        created_at: when it was made.
    """

    code: str
    url: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Totals:
    """Service-wide counts: links made, clicks aggregated so far."""

    links: int
    clicks: int


async def insert_link(conn: AsyncConnection[Any], code: str, url: str) -> Link | None:
    """Store a new link; None when the code is taken (nothing is changed then).

    Args:
        conn: the connection.
        code: the link's code.
        url: its target.
    """
    try:
        async with conn.transaction():
            cursor = await conn.execute(
                "INSERT INTO links (code, url) VALUES (%s, %s) RETURNING created_at", (code, url)
            )
            row = await cursor.fetchone()
    except errors.UniqueViolation:
        return None
    assert row is not None  # RETURNING gives the inserted row
    return Link(code, url, row[0])


async def find_link(conn: AsyncConnection[Any], code: str) -> Link | None:
    """The link with `code`, or None.

    Args:
        conn: the connection.
        code: the code.
    """
    cursor = await conn.execute("SELECT code, url, created_at FROM links WHERE code = %s", (code,))
    row = await cursor.fetchone()
    return None if row is None else Link(*row)


async def daily_clicks(
    conn: AsyncConnection[Any], code: str, since: date
) -> list[tuple[date, int]]:
    """(day, clicks) for each day from `since` on that has clicks, oldest first.

    Args:
        conn: the connection.
        code: the link's code.
        since: the first day (UTC).
    """
    cursor = await conn.execute(
        "SELECT day, clicks FROM daily_clicks WHERE code = %s AND day >= %s ORDER BY day",
        (code, since),
    )
    return [(day, int(clicks)) for day, clicks in await cursor.fetchall()]


async def total_clicks(conn: AsyncConnection[Any], code: str) -> int:
    """Every aggregated click of a link, all days.

    Args:
        conn: the connection.
        code: the link's code.
    """
    cursor = await conn.execute(
        "SELECT coalesce(sum(clicks), 0) FROM daily_clicks WHERE code = %s", (code,)
    )
    row = await cursor.fetchone()
    return int(row[0]) if row is not None else 0


async def totals(conn: AsyncConnection[Any]) -> Totals:
    """How many links exist and how many clicks have been aggregated.

    Args:
        conn: the connection.
    """
    cursor = await conn.execute(
        "SELECT (SELECT count(*) FROM links), (SELECT coalesce(sum(clicks), 0) FROM daily_clicks)"
    )
    row = await cursor.fetchone()
    assert row is not None  # a SELECT without FROM always has one row
    return Totals(int(row[0]), int(row[1]))
