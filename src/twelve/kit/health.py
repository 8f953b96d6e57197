"""Liveness, readiness and identity: what `/healthz`, `/readyz` and `/version` answer.

Liveness never touches a dependency: the process answers, so it is alive. Readiness runs
every registered check at once, each under its own timeout, and answers 503 naming the
failing checks with a safe reason (a `CheckFailed` message, "timed out after 1 s", or the
exception's type, never its message, which may hold a connection string). From the first
stop signal on, readiness answers 503 "draining" without running checks.

A check that hangs is never run twice at once: until its timed-out run returns, every poll
answers it as failing, "still running (previous run timed out)", without starting another;
once it returns, the next poll runs it afresh. A poll arriving while a run is still within
its timeout (two probes at once) waits for that run instead of starting a second one. So a
check holds at most one thread or task however often `/readyz` is polled.

A sync check runs on a daemon thread of its own, not in the event loop's default executor
(`asyncio.to_thread`): a hung check would keep one of that executor's few threads (6 on a
2-CPU machine), so a handful of them would starve every other sync check, shutdown hook,
admin task and worker main sharing it; `asyncio.run` would also wait for that thread when
the server stops, and so would the interpreter at exit. Threads here stay at most one per
sync check, so no pool is needed to bound them.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import inspect
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

from twelve.kit.config import Config

Check = Callable[[], Awaitable[object] | object]

STILL_RUNNING = "still running (previous run timed out)"


class CheckFailed(Exception):
    """Raised by a readiness check; its message is shown in `/readyz`, so keep it safe.

    Args:
        reason: what is wrong, without values ("replica lag 12 s", "pool exhausted").
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Registered:
    """A check, its timeout, and its run in flight (at most one).

    Args:
        name: shown in `/readyz`.
        check: the check.
        timeout: seconds a run may take.
    """

    __slots__ = ("check", "name", "run", "thread", "timed_out", "timeout")

    def __init__(self, name: str, check: Check, timeout: float) -> None:
        self.name = name
        self.check = check
        self.timeout = timeout
        self.run: asyncio.Task[object] | None = None
        self.thread: concurrent.futures.Future[object] | None = None
        self.timed_out = False

    def start(self) -> asyncio.Task[object] | None:
        """The run to wait for: the one in flight within its timeout, else a new one.

        None while a timed-out run (its task or, for a sync check, its thread) is still going.
        """
        in_flight = [f for f in (self.run, self.thread) if f is not None and not f.done()]
        if in_flight:
            return None if self.timed_out else self.run
        self.timed_out = False
        self.run = asyncio.get_running_loop().create_task(self._call())
        return self.run

    async def _call(self) -> object:
        if inspect.iscoroutinefunction(self.check):
            return await self.check()
        self.thread = _in_thread(self.check, self.name)
        result = await asyncio.wrap_future(self.thread)
        return await result if inspect.isawaitable(result) else result


def _in_thread(check: Check, name: str) -> concurrent.futures.Future[object]:
    """Start `check` on a daemon thread of its own (see the module doc); its future result."""
    future: concurrent.futures.Future[object] = concurrent.futures.Future()
    future.set_running_or_notify_cancel()  # running: a cancelled waiter cannot cancel it
    context = contextvars.copy_context()  # as asyncio.to_thread does

    def work() -> None:
        try:
            future.set_result(context.run(check))
        except BaseException as exc:  # noqa: BLE001 -- handed to the waiter, as an executor does
            future.set_exception(exc)

    threading.Thread(target=work, name=f"readiness check {name}", daemon=True).start()
    return future


class Health:
    """The process's health state, its readiness checks, and its identity.

    Args:
        config: service, version, env and (from the contract) the endpoint paths.
        liveness: liveness path (default: the contract's, else "/healthz"; "" = none).
        readiness: readiness path (default: the contract's, else "/readyz"; "" = none).
        version: identity path (default: the contract's, else "/version"; "" = none).
    """

    def __init__(
        self,
        config: Config,
        *,
        liveness: str | None = None,
        readiness: str | None = None,
        version: str | None = None,
    ) -> None:
        spec = config.plain_process()
        self.config = config
        self.liveness_path = (
            liveness if liveness is not None else (spec.liveness if spec else "/healthz")
        )
        self.readiness_path = (
            readiness if readiness is not None else (spec.readiness if spec else "/readyz")
        )
        contract_version = spec.version if spec else None
        self.version_path = version if version is not None else (contract_version or "/version")
        self.draining = False
        self._checks: list[_Registered] = []

    def add_check(self, name: str, check: Check, *, timeout: float = 1.0) -> None:
        """Register a readiness check: async or sync, it fails by raising or returning False.

        Args:
            name: shown in `/readyz` ("database").
            check: the check; a sync one runs in a thread.
            timeout: seconds it may take before it counts as failed.
        """
        self._checks.append(_Registered(name, check, timeout))

    def drain(self) -> None:
        """Readiness answers 503 from now on (the stop signal came)."""
        self.draining = True

    def identity(self) -> dict[str, str]:
        """The `/version` body: service, version, env."""
        config = self.config
        return {"service": config.service, "version": config.version, "env": config.env}

    async def ready(self) -> tuple[int, dict[str, Any]]:
        """Run every check concurrently; (200, body) when all pass, else (503, body)."""
        if self.draining:
            return 503, {"status": "draining"}
        results = await asyncio.gather(*(_run(registered) for registered in self._checks))
        checks = dict(results)
        failing = {name: o["reason"] for name, o in checks.items() if not o["ok"]}
        if failing:
            return 503, {"status": "not_ready", "failing": failing, "checks": checks}
        return 200, {"status": "ready", "checks": checks}


async def _run(registered: _Registered) -> tuple[str, dict[str, Any]]:
    """One check under its timeout: its name and {ok, ms, reason?}."""
    started = time.perf_counter()
    run = registered.start()
    reason: str | None = None
    if run is None:
        reason = STILL_RUNNING
    else:
        done, _ = await asyncio.wait({run}, timeout=registered.timeout)
        if not done or run.cancelled():
            registered.timed_out = True
            run.cancel()  # an async check stops at its next await; a thread cannot be stopped
            reason = f"timed out after {registered.timeout:g} s"
        else:
            reason = _reason(run)
    outcome: dict[str, Any] = {
        "ok": reason is None,
        "ms": round((time.perf_counter() - started) * 1000, 1),
    }
    if reason is not None:
        outcome["reason"] = reason
    return registered.name, outcome


def _reason(run: asyncio.Task[object]) -> str | None:
    """Why a finished run failed (a safe reason), or None when it passed."""
    try:
        result = run.result()
    except CheckFailed as failed:
        return failed.reason
    except Exception as exc:  # noqa: BLE001 -- any failure is "not ready"; the type is safe to show
        return type(exc).__name__
    return "check returned false" if result is False else None
