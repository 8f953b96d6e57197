"""Click events: what a redirect enqueues, and how the worker folds one into daily counts.

A click is recorded at most once, whatever the queue does: its `event_id` is made when the
redirect happens, the raw event is inserted with `ON CONFLICT DO NOTHING`, and the day's
count goes up only when that insert did something, in the same transaction. A job the
queue runs twice (a worker killed after the commit, before the ack) counts once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from psycopg import AsyncConnection

MAX_HEADER_LENGTH = 512  # of a stored referrer or user agent: they are the client's text


@dataclass(frozen=True, slots=True)
class ClickEvent:
    """One redirect served.

    Args:
        event_id: unique per redirect: makes recording it idempotent.
        code: the link's code.
        clicked_at: when (timezone-aware).
        referrer: the Referer header, if any (truncated).
        user_agent: the User-Agent header, if any (truncated).
    """

    event_id: uuid.UUID
    code: str
    clicked_at: datetime
    referrer: str | None = None
    user_agent: str | None = None

    @classmethod
    def now(cls, code: str, referrer: str | None, user_agent: str | None) -> ClickEvent:
        """A click on `code` happening now.

        Args:
            code: the link's code.
            referrer: the Referer header, if any.
            user_agent: the User-Agent header, if any.
        """
        return cls(uuid.uuid4(), code, datetime.now(UTC), _clip(referrer), _clip(user_agent))

    def as_job(self) -> dict[str, str | None]:
        """The event as job arguments (JSON-safe strings)."""
        return {
            "event_id": str(self.event_id),
            "code": self.code,
            "clicked_at": self.clicked_at.isoformat(),
            "referrer": self.referrer,
            "user_agent": self.user_agent,
        }

    @classmethod
    def from_job(cls, arguments: dict[str, Any]) -> ClickEvent:
        """The event back from its job arguments.

        Args:
            arguments: what `as_job` gave.
        """
        return cls(
            uuid.UUID(arguments["event_id"]),
            arguments["code"],
            datetime.fromisoformat(arguments["clicked_at"]),
            arguments.get("referrer"),
            arguments.get("user_agent"),
        )


def _clip(value: str | None) -> str | None:
    return value[:MAX_HEADER_LENGTH] if value else None


async def record_click(conn: AsyncConnection[Any], event: ClickEvent) -> bool:
    """Store the raw event and add it to its link's count for its day (UTC), atomically.

    Returns True when the event was new, False when it had been recorded before (or its
    link was deleted meanwhile): nothing changes then.

    Args:
        conn: the connection (the work is one transaction of its own).
        event: the click.
    """
    async with conn.transaction():
        cursor = await conn.execute(
            """
            INSERT INTO clicks (event_id, code, clicked_at, referrer, user_agent)
            SELECT %(event_id)s, code, %(clicked_at)s, %(referrer)s, %(user_agent)s
              FROM links WHERE code = %(code)s
            ON CONFLICT (event_id) DO NOTHING
            RETURNING (clicked_at AT TIME ZONE 'UTC')::date
            """,
            {
                "event_id": event.event_id,
                "code": event.code,
                "clicked_at": event.clicked_at,
                "referrer": event.referrer,
                "user_agent": event.user_agent,
            },
        )
        inserted = await cursor.fetchone()
        if inserted is None:
            return False
        await conn.execute(
            """
            INSERT INTO daily_clicks (code, day, clicks) VALUES (%s, %s, 1)
            ON CONFLICT (code, day) DO UPDATE SET clicks = daily_clicks.clicks + 1
            """,
            (event.code, inserted[0]),
        )
    return True
