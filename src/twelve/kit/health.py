"""Liveness, readiness and identity: what `/healthz`, `/readyz` and `/version` answer.

Liveness never touches a dependency: the process answers, so it is alive. Readiness runs
every registered check at once, each under its own timeout, and answers 503 naming the
failing checks with a safe reason (a `CheckFailed` message, "timed out after 1 s", or the
exception's type, never its message, which may hold a connection string). From the first
stop signal on, readiness answers 503 "draining" without running checks.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from twelve.kit.config import Config

Check = Callable[[], Awaitable[object] | object]


class CheckFailed(Exception):
    """Raised by a readiness check; its message is shown in `/readyz`, so keep it safe.

    Args:
        reason: what is wrong, without values ("replica lag 12 s", "pool exhausted").
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class _Registered:
    name: str
    check: Check
    timeout: float


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
    reason: str | None = None
    try:
        async with asyncio.timeout(registered.timeout):
            result = await _call(registered.check)
        if result is False:
            reason = "check returned false"
    except TimeoutError:
        reason = f"timed out after {registered.timeout:g} s"
    except CheckFailed as failed:
        reason = failed.reason
    except Exception as exc:  # noqa: BLE001 -- any failure is "not ready"; the type is safe to show
        reason = type(exc).__name__
    outcome: dict[str, Any] = {
        "ok": reason is None,
        "ms": round((time.perf_counter() - started) * 1000, 1),
    }
    if reason is not None:
        outcome["reason"] = reason
    return registered.name, outcome


async def _call(check: Check) -> object:
    if inspect.iscoroutinefunction(check):
        return await check()
    result = await asyncio.to_thread(check)
    return await result if inspect.isawaitable(result) else result
