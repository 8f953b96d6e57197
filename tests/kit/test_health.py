"""Readiness checks: concurrent, each under its own timeout, safe reasons, draining."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

from twelve.contract import parse_contract
from twelve.kit.config import Config
from twelve.kit.health import STILL_RUNNING, CheckFailed, Health

CONFIG = Config(service="demo", version="v1", env="test")


def _ready(health: Health) -> tuple[int, dict[str, object]]:
    return asyncio.run(health.ready())


def test_all_checks_pass() -> None:
    """Every check passing (async, sync, returning None or True): 200 and each one ok."""
    health = Health(CONFIG)

    async def database() -> None:
        await asyncio.sleep(0)

    health.add_check("database", database)
    health.add_check("cache", lambda: True)
    status, body = _ready(health)
    assert status == 200
    assert body["status"] == "ready"
    checks = body["checks"]
    assert isinstance(checks, dict)
    assert {name: outcome["ok"] for name, outcome in checks.items()} == {
        "database": True,
        "cache": True,
    }


def test_failing_checks_are_named_with_safe_reasons() -> None:
    """503 names each failing check: CheckFailed's reason, "check returned false", the
    exception type (never its message), "timed out after 0.2 s"; passing ones are not listed."""
    health = Health(CONFIG)

    async def leaky() -> None:
        raise ConnectionError("postgresql://app:hunter2@db/app refused")

    async def slow() -> None:
        await asyncio.sleep(5)

    def lagging() -> None:
        raise CheckFailed("replica lag above 10 s")

    health.add_check("db", leaky)
    health.add_check("queue", slow, timeout=0.2)
    health.add_check("replica", lagging)
    health.add_check("flag", lambda: False)
    health.add_check("fine", lambda: None)
    started = time.monotonic()
    status, body = _ready(health)
    assert time.monotonic() - started < 2.0
    assert status == 503
    assert body["status"] == "not_ready"
    assert body["failing"] == {
        "db": "ConnectionError",
        "queue": "timed out after 0.2 s",
        "replica": "replica lag above 10 s",
        "flag": "check returned false",
    }
    assert "hunter2" not in str(body)


def test_checks_run_concurrently() -> None:
    """Three checks of 0.3 s each finish in well under their 0.9 s sum."""
    health = Health(CONFIG)
    for name in ("a", "b", "c"):
        health.add_check(name, lambda: asyncio.sleep(0.3), timeout=2.0)
    started = time.monotonic()
    status, _ = _ready(health)
    assert status == 200
    assert time.monotonic() - started < 0.8


def test_a_hung_sync_check_holds_one_thread_and_starves_nothing() -> None:
    """Polled 10 times while it hangs, a sync check runs once: "timed out after 0.1 s", then
    STILL_RUNNING; a quick sync check and the loop's default executor stay fine throughout
    (10 hung threads would exhaust its 6); once the check returns, it runs again and passes."""
    release = threading.Event()
    runs: list[str] = []

    def stuck() -> None:
        runs.append("stuck")
        release.wait(10)

    async def scenario() -> list[dict[str, object]]:
        health = Health(CONFIG)
        health.add_check("stuck", stuck, timeout=0.1)
        health.add_check("quick", lambda: True, timeout=0.5)
        try:
            bodies = [(await health.ready())[1] for _ in range(10)]
            assert await asyncio.wait_for(asyncio.to_thread(lambda: "free"), 1.0) == "free"
            assert runs == ["stuck"]
        finally:
            release.set()
        for _ in range(100):  # the thread notices the event within milliseconds
            status, body = await health.ready()
            if status == 200:
                return [*bodies, body]
            await asyncio.sleep(0.01)
        raise AssertionError("the released check never passed")

    bodies = asyncio.run(scenario())
    assert [body.get("failing") for body in bodies] == [
        {"stuck": "timed out after 0.1 s"},
        *[{"stuck": STILL_RUNNING}] * 9,
        None,
    ]
    assert runs == ["stuck", "stuck"]


def test_a_hung_sync_check_does_not_hold_up_the_loop_ending() -> None:
    """asyncio.run(ready()) returns at the check's timeout, not when its thread returns
    (the default executor's threads are waited for when the loop ends)."""
    release = threading.Event()
    health = Health(CONFIG)
    health.add_check("stuck", lambda: release.wait(5), timeout=0.1)
    started = time.monotonic()
    try:
        _, first = _ready(health)
        _, second = _ready(health)
    finally:
        release.set()
    assert time.monotonic() - started < 1.0
    assert first["failing"] == {"stuck": "timed out after 0.1 s"}
    assert second["failing"] == {"stuck": STILL_RUNNING}


def test_an_async_check_ignoring_cancellation_is_not_started_again() -> None:
    """An async check that outlives its cancellation is one task: "timed out", then
    STILL_RUNNING, never a second run until it ends; then it runs again."""
    runs: list[str] = []

    async def scenario() -> list[dict[str, object]]:
        release = asyncio.Event()

        async def stubborn() -> None:
            runs.append("stubborn")
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                await release.wait()  # swallows the cancellation, as a careless driver may

        health = Health(CONFIG)
        health.add_check("stubborn", stubborn, timeout=0.1)
        bodies = [(await health.ready())[1] for _ in range(5)]
        assert runs == ["stubborn"]
        release.set()
        await asyncio.sleep(0)  # the first run returns
        bodies.append((await health.ready())[1])  # a second run: timed out again
        return bodies

    bodies = asyncio.run(scenario())
    assert [body["failing"] for body in bodies] == [
        {"stubborn": "timed out after 0.1 s"},
        *[{"stubborn": STILL_RUNNING}] * 4,
        {"stubborn": "timed out after 0.1 s"},
    ]
    assert runs == ["stubborn", "stubborn"]


def test_concurrent_polls_share_one_run() -> None:
    """Two /readyz polls at once wait for the same run of a check; both pass."""
    runs: list[str] = []

    async def slow() -> None:
        runs.append("slow")
        await asyncio.sleep(0.2)

    async def scenario() -> list[tuple[int, dict[str, object]]]:
        health = Health(CONFIG)
        health.add_check("slow", slow, timeout=1.0)
        return await asyncio.gather(health.ready(), health.ready())

    assert [status for status, _ in asyncio.run(scenario())] == [200, 200]
    assert runs == ["slow"]


def test_draining_answers_503_without_running_checks() -> None:
    """After drain(): 503 {"status": "draining"} and no check is called."""
    calls: list[str] = []
    health = Health(CONFIG)
    health.add_check("db", lambda: calls.append("db"))
    health.drain()
    assert _ready(health) == (503, {"status": "draining"})
    assert calls == []


def test_paths_and_identity_come_from_the_contract() -> None:
    """Paths are the contract's (a custom version path); /version shows service, version, env."""
    contract = parse_contract(
        '[service]\nname = "demo"\n[processes.web]\ncommand = "x"\n'
        'liveness = "/live"\nreadiness = ""\nversion = "/about"\n',
        Path("twelve.toml"),
    )
    health = Health(
        Config(service="demo", version="v9", env="prod", contract=contract, process="web")
    )
    assert (health.liveness_path, health.readiness_path, health.version_path) == (
        "/live",
        "",
        "/about",
    )
    assert health.identity() == {"service": "demo", "version": "v9", "env": "prod"}
