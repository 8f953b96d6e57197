"""Calling a user's function that may be sync or async, without blocking the event loop."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def call_either(fn: Callable[[T], Awaitable[object] | object], arg: T) -> None:
    """Await `fn(arg)`: a coroutine function directly, a plain one in a worker thread.

    A plain function that returns an awaitable (a lambda around a coroutine) is awaited too.

    Args:
        fn: the task or worker main.
        arg: its one argument.
    """
    if inspect.iscoroutinefunction(fn):
        await fn(arg)
        return
    result = await asyncio.to_thread(fn, arg)
    if inspect.isawaitable(result):
        await result
