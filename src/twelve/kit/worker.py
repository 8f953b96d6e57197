"""Worker processes: a job loop (yours, or procrastinate's) with the kit's config, logs and stop.

On SIGTERM or SIGINT the worker is told to stop (`Stopping` is set): it finishes the
current job and fetches no more. If it has not returned when `shutdown_timeout` (minus the
hooks' share) is up, it is cancelled. Shutdown hooks run last, then the process exits:
0 when the loop returned by itself, 1 when it crashed or had to be cancelled, 128 + N at
once on a second signal.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from twelve.kit.calls import call_either
from twelve.kit.config import Config
from twelve.kit.logs import get_logger
from twelve.kit.shutdown import STOP_SIGNALS, ShutdownHooks, exit_now

if TYPE_CHECKING:
    import procrastinate

DEFAULT_SHUTDOWN_TIMEOUT = 10.0
_HOOK_SHARE = 0.25
_EXIT_MARGIN_S = 0.25
WorkerMain = Callable[["Stopping"], Awaitable[object] | object]


class Stopping:
    """Set when the worker should stop; check it between jobs, or sleep on it."""

    __slots__ = ("_async", "_event", "_loop")

    def __init__(self) -> None:
        self._event = threading.Event()
        self._async: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def is_set(self) -> bool:
        """True once a stop signal came."""
        return self._event.is_set()

    def set(self) -> None:
        """Ask the worker to stop (thread-safe)."""
        self._event.set()
        if self._loop is not None and self._async is not None:
            self._loop.call_soon_threadsafe(self._async.set)

    def wait(self, timeout: float | None = None) -> bool:
        """Sleep up to `timeout` (sync code), waking at once on stop; True when stopping."""
        return self._event.wait(timeout)

    async def sleep(self, seconds: float | None) -> bool:
        """Sleep up to `seconds` (None: until stopped) in async code, waking at once on stop;
        True when stopping."""
        if self._async is None:
            self._loop = asyncio.get_running_loop()
            self._async = asyncio.Event()
            if self._event.is_set():
                self._async.set()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._async.wait()
        return self.is_set()


def run_worker(
    main: WorkerMain,
    config: Config,
    *,
    hooks: ShutdownHooks | None = None,
    shutdown_timeout: float | None = None,
) -> NoReturn:
    """Run `main(stopping)` until it returns; stop it gracefully on SIGTERM/SIGINT; exit.

    Args:
        main: the worker loop, async or sync (a sync one runs in a thread).
        config: the loaded config (its process gives the default shutdown_timeout).
        hooks: cleanup run after the loop has ended.
        shutdown_timeout: seconds from the signal to the exit.
    """
    limit = _limit(config, shutdown_timeout)
    code = asyncio.run(_supervise(main, hooks or ShutdownHooks(), limit))
    exit_now(code)


def _limit(config: Config, shutdown_timeout: float | None) -> float:
    """The given shutdown_timeout, else the contract's for this process, else 10 s."""
    if shutdown_timeout is not None:
        return shutdown_timeout
    spec = config.plain_process()
    return spec.shutdown_timeout if spec else DEFAULT_SHUTDOWN_TIMEOUT


async def _supervise(main: WorkerMain, hooks: ShutdownHooks, limit: float) -> int:
    """Run the loop under the kit's signal handling; the exit code."""
    log = get_logger("twelve.kit.worker")
    loop = asyncio.get_running_loop()
    stopping = Stopping()
    stopping._loop = loop
    stopping._async = asyncio.Event()
    task = asyncio.ensure_future(call_either(main, stopping))
    deadline: list[float] = []
    cancelled = False

    def on_signal(sig: signal.Signals) -> None:
        if deadline:
            log.warning("second stop signal: exiting now", signal=sig.name)
            exit_now(128 + sig)
        deadline.append(time.monotonic() + limit)
        log.info("shutdown requested", signal=sig.name, shutdown_timeout_s=limit)
        stopping.set()
        reserve = min(hooks.total_timeout, limit * _HOOK_SHARE) + _EXIT_MARGIN_S
        loop.call_later(max(limit - reserve, 0.0), cancel)

    def cancel() -> None:
        nonlocal cancelled
        if not task.done():
            cancelled = True
            log.error("worker still busy at its shutdown deadline: cancelling it")
            task.cancel()

    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, on_signal, sig)
    log.info("worker started", shutdown_timeout_s=limit)
    code = 0
    try:
        await task
    except asyncio.CancelledError:
        code = 1
    except Exception:
        log.exception("worker crashed")
        code = 1
    code = 1 if cancelled else code
    await hooks.run(deadline[0] - _EXIT_MARGIN_S / 2 if deadline else None)
    log.info("worker stopped", exit_code=code)
    return code


def run_procrastinate(
    app: procrastinate.App,
    config: Config,
    *,
    queues: Sequence[str] | None = None,
    concurrency: int = 1,
    hooks: ShutdownHooks | None = None,
    shutdown_timeout: float | None = None,
    **options: Any,
) -> NoReturn:
    """Run a procrastinate worker (a Postgres job queue) under the kit's stop and logs.

    On the signal the worker stops fetching and waits for running jobs until the budget
    is spent; procrastinate then aborts what still runs.

    Args:
        app: the procrastinate app (its connector is opened here).
        config: the loaded config.
        queues: queues to take jobs from (default: all).
        concurrency: jobs run at once.
        hooks: cleanup run after the worker stopped.
        shutdown_timeout: seconds from the signal to the exit.
        **options: passed to `run_worker_async`.
    """
    limit = _limit(config, shutdown_timeout)
    hooks = hooks or ShutdownHooks()
    graceful = max(limit - min(hooks.total_timeout, limit * _HOOK_SHARE) - 2 * _EXIT_MARGIN_S, 0.1)

    async def main(stopping: Stopping) -> None:
        async with app.open_async():
            if queues is not None:
                options["queues"] = list(queues)
            worker = asyncio.ensure_future(
                app.run_worker_async(
                    concurrency=concurrency,
                    install_signal_handlers=False,
                    shutdown_graceful_timeout=graceful,
                    **options,
                )
            )
            stop = asyncio.ensure_future(stopping.sleep(None))
            await asyncio.wait({worker, stop}, return_when=asyncio.FIRST_COMPLETED)
            stop.cancel()
            if not worker.done():
                worker.cancel()  # procrastinate's graceful stop: finish jobs, fetch no more
            with contextlib.suppress(asyncio.CancelledError):
                await worker

    run_worker(main, config, hooks=hooks, shutdown_timeout=limit)
