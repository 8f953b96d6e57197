"""Attached resources: Postgres from a URL config key, an HTTP client, both with explicit timeouts.

    db = attach_postgres(config, "DATABASE_URL", health=health, hooks=hooks)
    async with db.connection() as conn:
        await conn.execute(...)

The pool opens on first use (inside the event loop), its readiness check is registered
with `health`, and closing it with `hooks`. Every connection has a connect timeout and a
server-side statement timeout, so no query can hang a request forever. psycopg is imported
when the pool is declared, before the server starts: the import takes a noticeable time
(100-300 ms on a small machine), and made on first use it would block the event loop
inside the first readiness check and its timeout.
"""

from __future__ import annotations

import asyncio
import functools
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from twelve.kit.config import Config
from twelve.kit.health import CheckFailed, Health
from twelve.kit.shutdown import ShutdownHooks

if TYPE_CHECKING:
    import httpx
    from psycopg import AsyncConnection
    from psycopg_pool import AsyncConnectionPool


class Postgres:
    """A psycopg connection pool for one database, opened lazily, with explicit timeouts.

    Args:
        url: the connection URL (a secret: never logged).
        min_size: connections kept open.
        max_size: connections at most.
        connect_timeout: seconds to establish a connection (libpq rounds up to 2 at least).
        statement_timeout: seconds any statement may run, enforced by the server (added to
            the URL's own `options`; a statement_timeout set there wins).
        acquire_timeout: seconds a request waits for a free connection.
    """

    def __init__(
        self,
        url: str,
        *,
        min_size: int = 1,
        max_size: int = 10,
        connect_timeout: float = 5.0,
        statement_timeout: float = 5.0,
        acquire_timeout: float = 5.0,
    ) -> None:
        import psycopg_pool  # noqa: F401, PLC0415 -- now, not in a request (see module doc)

        self.acquire_timeout = acquire_timeout
        self._lock: asyncio.Lock | None = None
        self._opened = False
        self._pool: AsyncConnectionPool[AsyncConnection[Any]] | None = None
        self._settings: dict[str, Any] = {
            "conninfo": url,
            "min_size": min_size,
            "max_size": max_size,
            "timeout": acquire_timeout,
            "reconnect_timeout": max(60.0, 10 * connect_timeout),
            "kwargs": {
                "connect_timeout": max(2, math.ceil(connect_timeout)),
                "options": _options(url, statement_timeout),
            },
        }

    @property
    def pool(self) -> AsyncConnectionPool[AsyncConnection[Any]]:
        """The psycopg pool (made on first use)."""
        if self._pool is None:
            from psycopg_pool import AsyncConnectionPool  # noqa: PLC0415 -- imported on use

            self._pool = AsyncConnectionPool(
                open=False, check=AsyncConnectionPool.check_connection, **self._settings
            )
        return self._pool

    async def open(self) -> None:
        """Open the pool (once); connections are made in the background."""
        if self._opened:
            return
        self._lock = self._lock or asyncio.Lock()
        async with self._lock:
            if not self._opened:
                await self.pool.open(wait=False)
                self._opened = True

    @asynccontextmanager
    async def connection(self, timeout: float | None = None) -> AsyncIterator[AsyncConnection[Any]]:
        """A connection from the pool, returned when the block ends.

        Args:
            timeout: seconds to wait for one (default: `acquire_timeout`).
        """
        await self.open()
        async with self.pool.connection(timeout=timeout or self.acquire_timeout) as conn:
            yield conn

    async def check(self, timeout: float = 1.0) -> None:
        """Readiness: a pooled connection answers `SELECT 1` within `timeout`.

        Raises:
            CheckFailed: with a reason that never includes the URL.
        """
        from psycopg import Error  # noqa: PLC0415 -- imported on use
        from psycopg_pool import PoolTimeout  # noqa: PLC0415 -- imported on use

        try:
            async with asyncio.timeout(timeout), self.connection(timeout) as conn:
                await conn.execute("SELECT 1")
        except (PoolTimeout, TimeoutError):
            raise CheckFailed(f"no connection within {timeout:g} s") from None
        except Error as exc:
            raise CheckFailed(f"query failed ({type(exc).__name__})") from None

    async def close(self, timeout: float = 5.0) -> None:
        """Close every connection (waits up to `timeout` for connections in use)."""
        if self._opened:
            await self.pool.close(timeout)
            self._opened = False


def _options(url: str, statement_timeout: float) -> str:
    """The server options: the statement timeout, then the URL's own `options`.

    A connection keyword replaces the URL's `options` whole (its `search_path`, a Neon
    `endpoint=...`), so the timeout is added to them instead. Postgres applies `-c` settings
    in order, so a `statement_timeout` the URL sets itself wins over the kit's.

    Args:
        url: the connection URL or key=value string.
        statement_timeout: seconds, sent in milliseconds.

    Raises:
        ValueError: the URL does not parse (libpq's message may quote it, so it is dropped).
    """
    from psycopg import ProgrammingError  # noqa: PLC0415 -- imported with the pool (see module doc)
    from psycopg.conninfo import conninfo_to_dict  # noqa: PLC0415 -- as above

    try:
        given = conninfo_to_dict(url).get("options")
    except ProgrammingError:
        raise ValueError("the database URL is not a valid connection string") from None
    timeout = f"-c statement_timeout={int(statement_timeout * 1000)}"
    return f"{timeout} {given}" if given else timeout


def attach_postgres(
    config: Config,
    key: str = "DATABASE_URL",
    *,
    health: Health | None = None,
    hooks: ShutdownHooks | None = None,
    name: str = "postgres",
    check_timeout: float = 1.0,
    **pool: Any,
) -> Postgres:
    """Postgres from a URL config key; readiness check and close hook registered.

    Args:
        config: the loaded config.
        key: the config key holding the URL.
        health: gets a readiness check named `name`.
        hooks: gets a hook closing the pool.
        name: the check's name in `/readyz`.
        check_timeout: seconds the readiness check may take.
        **pool: passed to `Postgres` (sizes and timeouts).
    """
    database = Postgres(config.get_str(key), **pool)
    if health is not None:
        # The check's own deadline is a little shorter, so it reports its reason itself.
        # A partial of a coroutine function is awaited in the loop; a lambda would be taken
        # for a sync check and run in a thread.
        check = functools.partial(database.check, check_timeout * 0.9)
        health.add_check(name, check, timeout=check_timeout)
    if hooks is not None:
        hooks.add(database.close, name=f"close {name}", timeout=5.0)
    return database


def http_client(
    base_url: str = "",
    *,
    connect: float = 2.0,
    read: float = 5.0,
    write: float = 5.0,
    pool: float = 2.0,
    hooks: ShutdownHooks | None = None,
    **kwargs: Any,
) -> httpx.AsyncClient:
    """An httpx client whose every phase has an explicit timeout (never httpx's blanket 5 s).

    Args:
        base_url: prefix for relative URLs.
        connect: seconds to connect.
        read: seconds between bytes received.
        write: seconds between bytes sent.
        pool: seconds to wait for a free connection.
        hooks: gets a hook closing the client.
        **kwargs: passed to `httpx.AsyncClient`.
    """
    import httpx  # noqa: PLC0415 -- imported on use

    timeout = httpx.Timeout(connect=connect, read=read, write=write, pool=pool)
    client = httpx.AsyncClient(base_url=base_url, timeout=timeout, **kwargs)
    if hooks is not None:
        hooks.add(client.aclose, name="close http client", timeout=2.0)
    return client
