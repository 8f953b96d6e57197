"""Run an ASGI app on uvicorn, bound to PORT, with a graceful, bounded, ordered shutdown.

On SIGTERM or SIGINT: readiness answers 503 at once while every other request is still
served for `drain_delay` (the load balancer takes the instance out meanwhile); then the
listening socket closes (new connections are refused, not left hanging), in-flight requests
get the rest of `shutdown_timeout` (counted from the signal, as Kubernetes does), shutdown
hooks run last-registered first, each under its own timeout, the logs are flushed and the
process exits 0. A second signal exits at once (128 + its number). uvicorn closes its
listener the moment a signal arrives and has no drain: this subclass adds it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import time
from collections.abc import Generator
from typing import Any, NoReturn

import uvicorn

from twelve.contract.values import ValueType, problem_with
from twelve.kit.asgi import ASGIApp, Kit
from twelve.kit.config import ConfigError, report_config_error
from twelve.kit.health import Health
from twelve.kit.logs import get_logger
from twelve.kit.shutdown import STOP_SIGNALS, ShutdownHooks, exit_now

DEFAULT_SHUTDOWN_TIMEOUT = 10.0
_EXIT_MARGIN_S = 0.25  # kept back from shutdown_timeout for the hooks' bookkeeping and exit
_HOOK_SHARE = 0.25  # at most this share of shutdown_timeout is held back for hooks


def serve(
    app: ASGIApp,
    health: Health | None = None,
    *,
    hooks: ShutdownHooks | None = None,
    host: str = "0.0.0.0",  # a container's port must be reachable from outside it
    port: int | None = None,
    drain_delay: float | None = None,
    shutdown_timeout: float | None = None,
) -> NoReturn:
    """Serve `app` until a stop signal, then shut down gracefully and exit 0.

    Args:
        app: the ASGI app (an `instrument`-ed one brings its own `health`).
        health: the health state to flip on the signal (default: `app.health`).
        hooks: cleanup run after the last request.
        host: the address to bind.
        port: default: the config's port key (`PORT`).
        drain_delay: default: the contract's, else 0.
        shutdown_timeout: signal to exit, the drain included; default: the contract's, else 10 s.
    """
    health = health or (app.health if isinstance(app, Kit) else None)
    if health is None:
        raise TypeError("serve() needs a Health: pass it, or an app made by instrument()")
    spec = health.config.plain_process()
    port = port if port is not None else _port(health)
    drain = drain_delay if drain_delay is not None else (spec.drain_delay if spec else 0.0)
    limit = (
        shutdown_timeout
        if shutdown_timeout is not None
        else (spec.shutdown_timeout if spec else DEFAULT_SHUTDOWN_TIMEOUT)
    )
    config = uvicorn.Config(
        app, host=host, port=port, log_config=None, access_log=False, lifespan="auto"
    )
    server = DrainingServer(
        config, health=health, hooks=hooks or ShutdownHooks(), drain=drain, limit=limit
    )
    asyncio.run(server.serve())
    exit_now(0)


def _port(health: Health) -> int:
    """The config's port, else the process's port variable, validated like any config key."""
    config = health.config
    if config.port is not None:
        return config.port
    spec = config.plain_process()
    name = spec.port_env if spec else "PORT"
    raw = os.environ.get(name, "").strip()
    if not raw:
        report_config_error(ConfigError((name,), (), config.service))
    if (why := problem_with(raw, ValueType.PORT)) is not None:
        report_config_error(ConfigError((), ((name, why),), config.service))
    return int(raw)


class DrainingServer(uvicorn.Server):
    """uvicorn's server with the kit's signal handling: drain, bounded stop, hooks.

    Args:
        config: uvicorn's config.
        health: flipped to draining on the first signal.
        hooks: run after the server has stopped.
        drain: seconds to keep serving after the signal.
        limit: seconds from the signal to the exit.
    """

    def __init__(
        self,
        config: uvicorn.Config,
        *,
        health: Health,
        hooks: ShutdownHooks,
        drain: float,
        limit: float,
    ) -> None:
        super().__init__(config)
        self._health = health
        self._hooks = hooks
        self._drain = drain
        self._limit = limit
        self._deadline: float | None = None
        self._wake = asyncio.Event()  # bound to the loop on first use, not here
        self._log = get_logger("twelve.kit.serve")

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        await super().serve(sockets)
        # uvicorn's serve() has put the signal handlers back: the kit's stay for the hooks,
        # so that a second signal while they run still exits at once.
        with self.capture_signals():
            deadline = self._deadline or time.monotonic() + self._limit
            await self._hooks.run(deadline - _EXIT_MARGIN_S / 2)
            self._log.info("shutdown complete", seconds=self._since_signal())

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            self._log.info(
                "serving",
                port=self.config.port,
                drain_delay_s=self._drain,
                shutdown_timeout_s=self._limit,
            )

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        """The kit's handlers instead of uvicorn's (which stop at once and re-raise)."""
        loop = asyncio.get_running_loop()
        for sig in STOP_SIGNALS:
            loop.add_signal_handler(sig, self._on_signal, sig)
        try:
            yield
        finally:
            for sig in STOP_SIGNALS:
                loop.remove_signal_handler(sig)

    def _on_signal(self, sig: signal.Signals) -> None:
        if self._deadline is not None:
            self._log.warning("second stop signal: exiting now", signal=sig.name)
            exit_now(128 + sig)
        self._deadline = time.monotonic() + self._limit
        self._health.drain()
        self._log.info("shutdown requested", signal=sig.name, drain_delay_s=self._drain)
        asyncio.get_running_loop().call_later(self._drain, self._stop_serving)

    def _stop_serving(self) -> None:
        self._log.info("drain over: closing the listener", seconds=self._since_signal())
        self.should_exit = True
        self._wake.set()

    async def main_loop(self) -> None:
        """uvicorn's loop, woken at once when the drain ends instead of on its next tick."""
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 0.1)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """uvicorn's shutdown, with in-flight requests bounded by what is left of the budget."""
        deadline = self._deadline or time.monotonic() + self._limit
        reserve = min(self._hooks.total_timeout, self._limit * _HOOK_SHARE) + _EXIT_MARGIN_S
        budget = max(deadline - reserve - time.monotonic(), 0.1)
        settable: Any = self.config
        settable.timeout_graceful_shutdown = budget
        try:
            # The app's lifespan shutdown comes after the in-flight wait and has no limit
            # of its own in uvicorn: the whole step is bounded here.
            async with asyncio.timeout(budget + reserve / 2):
                await super().shutdown(sockets)
        except TimeoutError:
            self._log.error("server shutdown overran its budget", budget_s=round(budget, 3))
        self._log.info("server stopped", seconds=self._since_signal())

    def _since_signal(self) -> float | None:
        if self._deadline is None:
            return None
        return round(time.monotonic() - (self._deadline - self._limit), 3)
