"""Helpers for a kit-based service's own tests: captured log events, the app on a real server.

with capture_logs() as logs:
    do_something()
assert logs.events[-1]["message"] == "done"

with app_server(app) as url:          # real uvicorn on a loopback port, in a thread
    httpx.get(url + "/healthz")

with running(["python", "-m", "myapp"], env={"DATABASE_URL": ...}) as service:
    httpx.get(service.url + "/readyz")     # a real process with its own env and PORT
    assert service.stop() == 0             # SIGTERM, then its exit code
"""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from twelve.kit.config import Config
from twelve.kit.logs import add_secrets, restored_after, setup_logging
from twelve.kit.redact import REDACTOR


@dataclass(slots=True)
class CapturedLogs:
    """What the kit wrote while capturing: every line, as the platform would read it."""

    stream: io.BytesIO = field(default_factory=io.BytesIO)

    @property
    def lines(self) -> list[str]:
        """The raw lines (redacted, as written)."""
        return self.stream.getvalue().decode().splitlines()

    @property
    def events(self) -> list[dict[str, Any]]:
        """Each line parsed as a JSON object."""
        return [orjson.loads(line) for line in self.lines]

    def wait_for(self, message: str, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        """The events with `message`, once there are `count` of them.

        A server in another thread may write a request's access line just after the
        client has its response: wait for it instead of sleeping.

        Args:
            message: the events' message.
            count: how many to wait for.
            timeout: seconds to wait before raising `TimeoutError`.
        """
        deadline = time.monotonic() + timeout
        while True:
            found = [event for event in self.events if event.get("message") == message]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(found)} of {count} {message!r} events")
            time.sleep(0.005)


@contextmanager
def capture_logs(config: Config | None = None, *, level: str = "debug") -> Iterator[CapturedLogs]:
    """Configure the kit's logging (as the service does) into memory for the block; the
    logging set up before (stream, fields, level, loggers) is back when the block ends.

    Args:
        config: service fields and secrets to redact (default: service "test").
        level: the minimum level captured.
    """
    captured = CapturedLogs()
    with restored_after():
        secrets = REDACTOR.secrets  # the service's own stay redacted in the block too
        setup_logging(config or Config(service="test"), stream=captured.stream, level=level)
        add_secrets(secrets)
        yield captured


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def app_server(app: Any, *, port: int | None = None, timeout: float = 10.0) -> Iterator[str]:
    """Run an ASGI app on real uvicorn in a thread on 127.0.0.1, its lifespan (startup and
    shutdown) included when it has one; yields its base URL.

    Args:
        app: the ASGI app.
        port: the port (default: a free one).
        timeout: seconds to wait for it to start.
    """
    import uvicorn  # noqa: PLC0415 -- only tests that serve need it

    port = port or free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_config=None, access_log=False, lifespan="auto"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="twelve-kit-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"the app did not start on :{port} within {timeout:g} s")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout)


@dataclass(slots=True)
class RunningService:
    """A service process started by `running`.

    Args:
        process: the process.
        url: its base URL on loopback.
    """

    process: subprocess.Popen[bytes]
    url: str
    _out: list[bytes] = field(default_factory=list)
    _reader: threading.Thread | None = None

    def _read(self) -> None:
        for line in self.process.stdout or ():
            self._out.append(line)

    def output(self) -> list[str]:
        """Every line it wrote on stdout and stderr so far."""
        return [line.decode(errors="replace").rstrip("\n") for line in list(self._out)]

    def events(self) -> list[dict[str, Any]]:
        """Its JSON lines, parsed (other lines are skipped)."""
        found = []
        for line in self.output():
            try:
                found.append(orjson.loads(line))
            except orjson.JSONDecodeError:
                continue
        return found

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        """Send `sig` and wait for the exit; its exit code (SIGKILL after `timeout`)."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()
        finally:
            if self._reader is not None:
                self._reader.join(5)


@contextmanager
def running(
    command: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | str | None = None,
    ready_path: str = "/readyz",
    timeout: float = 20.0,
) -> Iterator[RunningService]:
    """Start the service as a real process with `env` and a free `PORT`; wait until ready.

    Args:
        command: argv, e.g. `[sys.executable, "-m", "myapp"]`.
        env: its environment (the parent's PATH is kept); PORT is added.
        cwd: its working directory.
        ready_path: polled until it answers 2xx.
        timeout: seconds to become ready.
    """
    import httpx  # noqa: PLC0415 -- only process tests need it

    port = free_port()
    full_env = {"PATH": os.environ.get("PATH", ""), **(env or {}), "PORT": str(port)}
    process = subprocess.Popen(
        list(command),
        env=full_env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    service = RunningService(process, f"http://127.0.0.1:{port}")
    service._reader = threading.Thread(target=service._read, daemon=True)
    service._reader.start()
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"exited {process.returncode}: {service.output()[-5:]}")
            try:
                if httpx.get(service.url + ready_path, timeout=1.0).is_success:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"not ready within {timeout:g} s: {service.output()[-5:]}")
            time.sleep(0.05)
        yield service
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if service._reader is not None:
            service._reader.join(5)
