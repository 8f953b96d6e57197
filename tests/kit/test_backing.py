"""Backing services: Postgres with timeouts and a readiness check against a real server
stopped and restarted; an HTTP client with explicit timeouts against a real socket."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Any

import httpx
import psycopg
import pytest

from tests.kit.conftest import Database
from twelve.kit.asgi import instrument
from twelve.kit.backing import Postgres, attach_postgres, http_client
from twelve.kit.config import Config
from twelve.kit.health import Health
from twelve.kit.secret import Secret
from twelve.kit.shutdown import ShutdownHooks
from twelve.kit.testing import app_server, capture_logs

pytestmark = pytest.mark.slow


async def _no_app(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 404, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def _wait_for(url: str, status: int, seconds: float) -> tuple[float, dict[str, Any]]:
    """Poll `url` until it answers `status`; (seconds it took, body). Fails after `seconds`."""
    started = time.monotonic()
    while True:
        response = httpx.get(url, timeout=3.0)
        if response.status_code == status:
            return time.monotonic() - started, response.json()
        assert time.monotonic() - started < seconds, f"still {response.status_code}"
        time.sleep(0.1)


def test_readiness_follows_postgres_stopped_and_restarted(database: Database) -> None:
    """/readyz is 200 with Postgres up, 503 naming "postgres" with a safe reason within 2 s of
    it stopping, 200 again within 10 s of it restarting; /healthz stays 200 throughout;
    the database URL (a secret) appears in no answer and no log line."""
    config = Config(service="demo", values={"DATABASE_URL": Secret(database.url)})
    health = Health(config)
    attach_postgres(config, health=health, hooks=ShutdownHooks(), check_timeout=1.0)
    with capture_logs(config) as logs, app_server(instrument(_no_app, health)) as url:
        _, up = _wait_for(url + "/readyz", 200, 10)
        assert up["checks"]["postgres"]["ok"] is True
        database.stop()
        try:
            noticed, down = _wait_for(url + "/readyz", 503, 5)
            assert httpx.get(url + "/healthz").status_code == 200
        finally:
            database.start()
        recovered, _ = _wait_for(url + "/readyz", 200, 10)
    assert noticed < 2.0
    assert recovered < 10.0
    assert down["status"] == "not_ready"
    assert down["failing"]["postgres"] in {
        "no connection within 0.9 s",
        "query failed (OperationalError)",
    }
    assert database.url not in str(down)
    assert database.url not in "\n".join(logs.lines)


def test_statement_timeout_is_enforced_by_the_server(database: Database) -> None:
    """With statement_timeout 0.5 s, `pg_sleep(5)` is cancelled by Postgres in under 2 s."""

    async def scenario() -> float:
        db = Postgres(database.url, statement_timeout=0.5)
        started = time.monotonic()
        try:
            with pytest.raises(psycopg.errors.QueryCanceled):
                async with db.connection() as conn:
                    await conn.execute("SELECT pg_sleep(5)")
            return time.monotonic() - started
        finally:
            await db.close()

    assert asyncio.run(scenario()) < 2.0


@pytest.mark.parametrize(
    ("url_options", "statement_timeout"),
    [
        ("-csearch_path%3Dtenant1", "1500ms"),
        ("-csearch_path%3Dtenant1%20-cstatement_timeout%3D250", "250ms"),
    ],
    ids=["kit-timeout-added", "url-timeout-wins"],
)
def test_url_options_are_kept_with_the_statement_timeout(
    database: Database, url_options: str, statement_timeout: str
) -> None:
    """The URL's own `options` (search_path here) reach the server along with the kit's
    statement timeout; a statement_timeout set in the URL wins over the kit's."""
    url = f"{database.url}{'&' if '?' in database.url else '?'}options={url_options}"

    async def scenario() -> tuple[str, str]:
        db = Postgres(url, min_size=1, max_size=1, statement_timeout=1.5)
        try:
            async with db.connection() as conn:
                path = await (await conn.execute("SHOW search_path")).fetchone()
                timeout = await (await conn.execute("SHOW statement_timeout")).fetchone()
            assert path is not None
            assert timeout is not None
            return path[0], timeout[0]
        finally:
            await db.close()

    assert asyncio.run(scenario()) == ("tenant1", statement_timeout)


def test_an_unparsable_url_fails_without_showing_it() -> None:
    """A URL libpq cannot parse raises ValueError at once; the message (which libpq would
    fill with the URL, password included) and its cause do not show it."""
    with pytest.raises(ValueError, match="not a valid connection string") as raised:
        Postgres("postgresql://app:hunter2@[db/app")
    assert "hunter2" not in str(raised.value)
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__ is True


def test_close_hook_closes_the_pool(database: Database) -> None:
    """attach_postgres registers a "close postgres" hook; running the hooks closes the pool."""
    config = Config(service="demo", values={"DATABASE_URL": Secret(database.url)})
    hooks = ShutdownHooks()
    db = attach_postgres(config, hooks=hooks)

    async def scenario() -> bool:
        async with db.connection() as conn:
            await conn.execute("SELECT 1")
        await hooks.run()
        return db.pool.closed

    with capture_logs(config) as logs:
        assert asyncio.run(scenario()) is True
    done = [e for e in logs.events if e["message"] == "shutdown hook done"]
    assert [e["hook"] for e in done] == ["close postgres"]


def test_http_client_has_explicit_timeouts_and_they_apply() -> None:
    """Every phase has the given timeout; a server that accepts and never answers raises
    ReadTimeout after about `read` seconds."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        accepted: list[socket.socket] = []
        threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True).start()

        async def scenario() -> tuple[httpx.Timeout, float]:
            client = http_client(f"http://127.0.0.1:{port}", connect=1.0, read=0.3, write=1.0)
            started = time.monotonic()
            async with client:
                with pytest.raises(httpx.ReadTimeout):
                    await client.get("/")
            return client.timeout, time.monotonic() - started

        timeout, took = asyncio.run(scenario())
        for sock in accepted:
            sock.close()
    assert (timeout.connect, timeout.read, timeout.write, timeout.pool) == (1.0, 0.3, 1.0, 2.0)
    assert 0.25 < took < 1.5
