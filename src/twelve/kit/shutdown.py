"""What web and worker processes share when they stop: ordered hooks, a deadline, a clean exit."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import NoReturn

from twelve.kit.logs import flush, get_logger

Hook = Callable[[], Awaitable[object] | object]
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@dataclass(frozen=True, slots=True)
class _Registered:
    name: str
    hook: Hook
    timeout: float


class ShutdownHooks:
    """Cleanup to run on the way out (close pools, flush buffers), last registered first.

    Each hook runs under its own timeout and the whole run under the process's remaining
    shutdown budget; a hook that fails or overruns is logged and the next one still runs.
    """

    def __init__(self) -> None:
        self._hooks: list[_Registered] = []

    def add(self, hook: Hook, *, name: str | None = None, timeout: float = 5.0) -> None:
        """Register `hook` (async, or sync: run in a thread).

        Args:
            hook: the cleanup.
            name: shown in the log (default: the callable's name).
            timeout: seconds it may take.
        """
        label = name or getattr(hook, "__qualname__", None) or repr(hook)
        self._hooks.append(_Registered(label, hook, timeout))

    @property
    def total_timeout(self) -> float:
        """The sum of every hook's timeout."""
        return sum(registered.timeout for registered in self._hooks)

    async def run(self, deadline: float | None = None) -> None:
        """Run every hook in reverse order of registration.

        Args:
            deadline: `time.monotonic()` value by which all must be done (None: no limit).
        """
        log = get_logger("twelve.kit.shutdown")
        for registered in reversed(self._hooks):
            timeout = registered.timeout
            if deadline is not None:
                timeout = min(timeout, deadline - time.monotonic())
            if timeout <= 0:
                log.warning("shutdown hook skipped", hook=registered.name, reason="no time left")
                continue
            started = time.monotonic()
            try:
                async with asyncio.timeout(timeout):
                    await _call(registered.hook)
            except TimeoutError:
                log.error("shutdown hook timed out", hook=registered.name, timeout_s=timeout)
            except Exception:  # one failing hook must not stop the others
                log.exception("shutdown hook failed", hook=registered.name)
            else:
                seconds = round(time.monotonic() - started, 3)
                log.info("shutdown hook done", hook=registered.name, seconds=seconds)


async def _call(hook: Hook) -> None:
    if inspect.iscoroutinefunction(hook):
        await hook()
        return
    result = await asyncio.to_thread(hook)
    if inspect.isawaitable(result):
        await result


def exit_now(code: int) -> NoReturn:
    """Flush the logs and stdio, then end the process at once with `code`.

    Threads a timed-out hook or check left behind (blocked in a driver, say) would keep
    a normal interpreter exit waiting forever; the shutdown is bounded, so is the exit.

    Args:
        code: the exit code.
    """
    flush()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)
