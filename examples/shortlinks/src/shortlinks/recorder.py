"""The web process's side of the click queue: enqueue a click event per redirect.

procrastinate is imported on the first redirect, not at startup: most starts (health
checks, config errors, a rollout's readiness) never enqueue anything.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shortlinks.clicks import ClickEvent
    from twelve import kit


class ClickRecorder:
    """Enqueues click events on the queue, through the web process's own connection pool.

    Args:
        database: the pool the queue borrows connections from.
    """

    def __init__(self, database: kit.Postgres) -> None:
        self._database = database
        self._defer: Callable[[ClickEvent], Awaitable[int]] | None = None
        self._lock = asyncio.Lock()

    async def record(self, event: ClickEvent) -> None:
        """Enqueue one click event (a job for the worker).

        Args:
            event: the click.
        """
        defer = self._defer or await self._open()
        await defer(event)

    async def _open(self) -> Callable[[ClickEvent], Awaitable[int]]:
        async with self._lock:
            if self._defer is None:
                # The first import takes a moment: off the event loop.
                queue = await asyncio.to_thread(importlib.import_module, "shortlinks.queue")
                app = queue.make_queue()
                await self._database.open()
                await app.open_async(pool=self._database.pool)
                self._defer = functools.partial(queue.defer_click, app)
        return self._defer
