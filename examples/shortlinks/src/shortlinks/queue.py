"""The click queue: a procrastinate app on the service's Postgres, and its one task.

The web process defers `record_click` jobs through its own connection pool; the worker
runs them. The queue's tables belong to the schema, so `admin migrate` creates them
(migration 0001), never a process at boot.
"""

from __future__ import annotations

from typing import Any, cast

import procrastinate
from procrastinate import JobContext, PsycopgConnector

from shortlinks.clicks import ClickEvent, record_click

QUEUE = "clicks"
TASK = "record_click"
# A failed job (the database away) is tried again after 2, 4, 8, 16, 32 s, then left
# failed: bounded, and the event stays in the jobs table for an operator to retry.
RETRY = procrastinate.RetryStrategy(max_attempts=5, exponential_wait=2)


def make_queue(
    url: str | None = None,
    *,
    max_size: int = 4,
    connect_timeout: int = 5,
    statement_timeout: float = 5.0,
) -> procrastinate.App:
    """A procrastinate app with `record_click` registered.

    With a `url`, the app makes its own pool when opened, with explicit timeouts; without
    one it must be opened with an existing pool (`app.open_async(pool=...)`).

    Args:
        url: the Postgres URL (a secret: never logged).
        max_size: connections at most.
        connect_timeout: seconds to connect (libpq takes whole seconds, at least 2).
        statement_timeout: seconds a statement may run, enforced by the server.
    """
    pool: dict[str, Any] = {}
    if url is not None:
        pool = {
            "conninfo": url,
            "min_size": 1,
            "max_size": max_size,
            "timeout": connect_timeout,
            "kwargs": {
                "connect_timeout": max(2, connect_timeout),
                "options": f"-c statement_timeout={int(statement_timeout * 1000)}",
            },
        }
    app = procrastinate.App(connector=PsycopgConnector(**pool))
    app.task(name=TASK, queue=QUEUE, retry=RETRY, pass_context=True)(_record_click_job)
    return app


async def _record_click_job(context: JobContext, /, **arguments: Any) -> None:
    """The job: fold one click event into the daily counts (idempotent, see `clicks`)."""
    event = ClickEvent.from_job(arguments)
    connector = cast(PsycopgConnector, context.app.connector)
    async with connector.pool.connection() as conn:
        await record_click(conn, event)


async def defer_click(app: procrastinate.App, event: ClickEvent) -> int:
    """Enqueue a click event; the job's id.

    Args:
        app: an opened queue app.
        event: the click.
    """
    return await app.configure_task(TASK, queue=QUEUE).defer_async(**event.as_job())
