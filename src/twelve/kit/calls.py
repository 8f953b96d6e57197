"""Calling a user's function that may be sync or async, without blocking the event loop."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable


async def call_either(fn: Callable[..., Awaitable[object] | object], *args: object) -> None:
    """Await `fn(*args)`: a coroutine function directly, a plain one in a worker thread.

    A plain function that returns an awaitable (a lambda around a coroutine) is awaited too.

    Args:
        fn: the task or worker main.
        *args: its arguments.
    """
    if inspect.iscoroutinefunction(fn):
        await fn(*args)
        return
    result = await asyncio.to_thread(fn, *args)
    if inspect.isawaitable(result):
        await result
