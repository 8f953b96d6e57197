"""serve() with real uvicorn, real signals, real in-flight requests (scripts/web.py)."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from twelve.kit.config import EX_CONFIG
from twelve.kit.testing import RunningService, running

SCRIPT = Path(__file__).parent / "scripts" / "web.py"
pytestmark = pytest.mark.slow


class Slow:
    """A GET /slow?ms=N in a thread, read to its last byte; in flight once constructed."""

    def __init__(self, service: RunningService, ms: int) -> None:
        self.status: int | None = None
        self.body = b""
        self.error: str | None = None
        self._thread = threading.Thread(target=self._run, args=(service.url, ms), daemon=True)
        seen = _started(service)
        self._thread.start()
        deadline = time.monotonic() + 10  # the server logs when it has begun serving it
        while _started(service) == seen and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _started(service) > seen, "the slow request did not reach the server"

    def _run(self, url: str, ms: int) -> None:
        try:
            response = httpx.get(f"{url}/slow?ms={ms}", timeout=30)
            self.status, self.body = response.status_code, response.content
        except httpx.HTTPError as exc:
            self.error = type(exc).__name__

    def join(self, seconds: float) -> None:
        self._thread.join(seconds)


@contextmanager
def web(**env: str) -> Iterator[RunningService]:
    with running([sys.executable, str(SCRIPT)], env=env) as service:
        yield service


def _status(url: str) -> int | str:
    try:
        return httpx.get(url, timeout=1.0).status_code
    except httpx.ConnectError:
        return "refused"


def _started(service: RunningService) -> int:
    return _messages(service).count("slow request started")


def _messages(service: RunningService) -> list[str]:
    return [str(e["message"]) for e in service.events()]


def test_sigterm_flips_readiness_drains_finishes_inflight_runs_hooks_exits_0() -> None:
    """SIGTERM: /readyz 503 within 0.5 s while /healthz is still 200; after the 1 s drain
    new connections are refused while the in-flight request finishes whole; hooks run
    last-registered first; exit 0 before shutdown_timeout."""
    with web(DRAIN="1", LIMIT="6", HOOKS="first:0,second:0") as service:
        slow = Slow(service, 2500)
        sent = time.monotonic()
        service.process.send_signal(signal.SIGTERM)
        flip = None
        while time.monotonic() - sent < 0.5:
            if _status(service.url + "/readyz") == 503:
                flip = time.monotonic() - sent
                break
        assert flip is not None
        assert _status(service.url + "/healthz") == 200
        time.sleep(max(0.0, 1.3 - (time.monotonic() - sent)))
        assert _status(service.url + "/healthz") == "refused"
        assert slow.status is None  # still in flight after the drain
        code = service.process.wait(10)
        took = time.monotonic() - sent
        slow.join(5)
    assert code == 0
    assert took < 6
    assert (slow.status, len(slow.body), slow.error) == (200, 1000, None)
    messages = _messages(service)
    order = [
        "shutdown requested",
        "drain over: closing the listener",
        "server stopped",
        "hook ran",
        "hook ran",
        "shutdown complete",
    ]
    assert [m for m in messages if m in order] == order
    hooks = [e["hook"] for e in service.events() if e["message"] == "hook ran"]
    assert hooks == ["second", "first"]


def test_sigint_is_as_graceful_as_sigterm() -> None:
    """SIGINT with a request in flight and no drain: the request completes, exit 0."""
    with web(DRAIN="0", LIMIT="5") as service:
        slow = Slow(service, 1200)
        code = service.stop(signal.SIGINT, timeout=10)
        slow.join(5)
    assert code == 0
    assert (slow.status, len(slow.body)) == (200, 1000)


@pytest.mark.parametrize(
    ("phase", "second"),
    [("drain", signal.SIGTERM), ("hooks", signal.SIGTERM), ("hooks", signal.SIGINT)],
)
def test_second_signal_forces_exit(phase: str, second: signal.Signals) -> None:
    """A second signal during a 5 s drain, or while a shutdown hook hangs, ends the process
    at once with 128 + its number, saying so on a log line."""
    env = {"DRAIN": "5", "LIMIT": "10"}
    if phase == "hooks":
        env = {"DRAIN": "0", "LIMIT": "10", "HOOKS": "h:hang", "HOOK_TIMEOUT": "4"}
    with web(**env) as service:
        service.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 5
        while phase == "hooks" and "hook ran" not in _messages(service):
            assert time.monotonic() < deadline, "the hook never started"
            time.sleep(0.05)
        time.sleep(0.3)
        sent = time.monotonic()
        code = service.stop(second, timeout=10)
        took = time.monotonic() - sent
    assert code == 128 + second
    assert took < 1.5
    assert "second stop signal: exiting now" in _messages(service)


def test_shutdown_timeout_bounds_a_request_that_never_ends() -> None:
    """A 20 s request in flight and shutdown_timeout 2 s: the process exits 0 in about 2 s."""
    with web(DRAIN="0", LIMIT="2") as service:
        slow = Slow(service, 20000)
        sent = time.monotonic()
        code = service.stop(signal.SIGTERM, timeout=10)
        took = time.monotonic() - sent
        slow.join(5)
    assert code == 0
    assert 1.0 < took < 3.5  # 2 s, and a margin for a loaded machine
    assert slow.status != 200


def test_a_hung_hook_is_abandoned_and_the_others_still_run() -> None:
    """Hooks a (quick) then b (hangs), timeout 0.5 s: b times out, a still runs, exit 0 fast."""
    with web(DRAIN="0", LIMIT="5", HOOKS="a:0,b:hang", HOOK_TIMEOUT="0.5") as service:
        sent = time.monotonic()
        code = service.stop(signal.SIGTERM, timeout=10)
        took = time.monotonic() - sent
    assert code == 0
    assert took < 2.5
    events = [(e["message"], e.get("hook")) for e in service.events() if "hook" in e]
    assert events == [
        ("hook ran", "b"),
        ("shutdown hook timed out", "b"),
        ("hook ran", "a"),
        ("shutdown hook done", "a"),
    ]


def test_no_port_exits_78() -> None:
    """Without PORT (and none given), serve() reports the missing key and exits 78."""
    done = subprocess.run(
        [sys.executable, str(SCRIPT)],
        env={},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == EX_CONFIG
    assert '"missing":["PORT"]' in done.stderr


def test_invalid_port_exits_78_naming_it() -> None:
    """PORT=http (and no config port): serve() reports PORT as invalid and exits 78."""
    done = subprocess.run(
        [sys.executable, str(SCRIPT)],
        env={"PORT": "http"},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == EX_CONFIG
    assert '"invalid":{"PORT":"not a port number (1-65535)"}' in done.stderr
