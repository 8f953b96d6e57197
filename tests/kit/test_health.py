"""Readiness checks: concurrent, each under its own timeout, safe reasons, draining."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from twelve.contract import parse_contract
from twelve.kit.config import Config
from twelve.kit.health import CheckFailed, Health

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
