"""The HTTP part of `kit_runtime.py`: a hello server, bare or with the kit, under load from wrk.

    python benchmarks/kit_http.py serve bare|bare+psycopg|middleware|kit PORT
    python benchmarks/kit_http.py load PORT SECONDS CONNECTIONS   # prints "rps served"

`bare` is the app on uvicorn with no access log (`bare+psycopg` imports the Postgres driver
first: the start-up floor of any service on psycopg); `middleware` adds the kit's ASGI layer on
plain uvicorn; `kit` is the kit's whole runner (`serve`). `bench_http` starts a bare and a
kit server and loads them in turn, many short rounds, from a separate process:

- wrk (https://github.com/wg/wrk; Debian/Ubuntu `apt-get install wrk`, macOS
  `brew install wrk`): a C load generator that needs far less CPU per request than the
  server, so the server is what is measured.
- without wrk, `load` here: a bounded asyncio keep-alive client. In Python it costs about as
  much CPU per request as the server, so on a small machine it saturates first and the
  figures measure the client; the report says so.

With two or more CPUs the server runs on CPU 0 and the load generator on the others, so the
two never take turns on one core.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

HERE = Path(__file__).resolve()
WRK_MISSING = (
    "wrk not found: the HTTP figures below come from the fallback asyncio client, which"
    " saturates before the server on a small machine, so they measure the client. Install"
    " wrk (Debian/Ubuntu: apt-get install wrk; macOS: brew install wrk) for a real figure."
)
_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
_TOTAL = re.compile(r"(\d+) requests in")
_ERRORS = re.compile(r"Socket errors:.*|Non-2xx or 3xx responses: \d+")


def serve(kind: str, port: int) -> None:
    """The hello app on uvicorn: bare, or with the kit's middleware, logs and runner."""
    import uvicorn  # noqa: PLC0415 -- only the server process needs it

    from twelve import kit  # noqa: PLC0415 -- only the server process needs it
    from twelve.kit.config import Config  # noqa: PLC0415 -- only the server process needs it

    async def hello(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        headers = [(b"content-type", b"text/plain"), (b"content-length", b"5")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"hello"})

    if kind == "bare+psycopg":
        import psycopg_pool  # noqa: F401, PLC0415 -- what a service on psycopg imports

        kind = "bare"
    if kind == "bare":
        uvicorn.run(hello, host="127.0.0.1", port=port, log_level="warning", access_log=False)
        return
    config = Config(service="bench", version="v1", env="bench")
    kit.setup_logging(config)
    app = kit.instrument(hello, kit.Health(config))
    if kind == "middleware":  # the kit's ASGI layer on plain uvicorn: isolates the runner
        uvicorn.run(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
        return
    kit.serve(app, host="127.0.0.1", port=port)


async def _client(port: int, until: float, counts: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n"
    done = 0
    while time.monotonic() < until:
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        await reader.readexactly(length)
        done += 1
    counts.append(done)
    writer.close()


def load(port: int, seconds: float, connections: int) -> None:
    """Print requests/s over `seconds` with `connections` keep-alive connections, one request
    in flight on each, and the number of requests served in that time."""

    async def main() -> tuple[float, int]:
        counts: list[int] = []
        started = time.monotonic()
        await asyncio.gather(
            *(_client(port, started + seconds, counts) for _ in range(connections))
        )
        return sum(counts) / (time.monotonic() - started), sum(counts)

    rps, served = asyncio.run(main())
    print(f"{rps:.1f} {served}")


@dataclass(frozen=True, slots=True)
class HttpResult:
    """Per kind ("bare", "kit"): req/s and server CPU µs per request of each round."""

    generator: str
    rps: dict[str, list[float]]
    cpu_us: dict[str, list[float]]

    def ratios(self) -> list[float]:
        """kit/bare req/s of each round (the two ran back to back)."""
        return [kit / bare for kit, bare in zip(self.rps["kit"], self.rps["bare"], strict=True)]

    def median(self, kind: str) -> float:
        """Median req/s of `kind`."""
        return statistics.median(self.rps[kind])


def bench_http(rounds: int, seconds: float, connections: int = 16) -> HttpResult:
    """Both servers up at once (only one is loaded at a time), load runs alternating between
    them, the order flipped every round: machine noise hits both alike.

    Args:
        rounds: rounds; each loads both servers once.
        seconds: seconds of each load run.
        connections: keep-alive connections of the load generator.
    """
    wrk = shutil.which("wrk")
    if wrk is None:
        print(WRK_MISSING, file=sys.stderr)
    rps: dict[str, list[float]] = {"bare": [], "kit": []}
    cpu: dict[str, list[float]] = {"bare": [], "kit": []}
    with contextlib.ExitStack() as stack:
        ports = {kind: stack.enter_context(_server(kind)) for kind in ("bare", "kit")}
        for port, _ in ports.values():
            _generate(wrk, port, 1.0, connections)  # warm-up
        for number in range(rounds):
            for kind in ("bare", "kit") if number % 2 == 0 else ("kit", "bare"):
                port, process = ports[kind]
                before = sum(process.cpu_times()[:2])
                measured, served = _generate(wrk, port, seconds, connections)
                used = sum(process.cpu_times()[:2]) - before
                rps[kind].append(measured)
                cpu[kind].append(used / served * 1e6)
    return HttpResult("wrk" if wrk else "asyncio client (fallback)", rps, cpu)


@contextlib.contextmanager
def _server(kind: str) -> Iterator[tuple[int, psutil.Process]]:
    """A hello server of `kind` on the server CPU: its port and process, stopped at the end."""
    port = _free_port()
    with _pinned(_SERVER_CPUS):
        server = subprocess.Popen(
            [sys.executable, str(HERE), "serve", kind, str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    try:
        _wait_accepting(port)
        yield port, psutil.Process(server.pid)
    finally:
        server.terminate()
        server.wait(15)


def _generate(wrk: str | None, port: int, seconds: float, connections: int) -> tuple[float, int]:
    """(req/s, requests) of one load run from a separate process."""
    if wrk is None:
        command = [sys.executable, str(HERE), "load", str(port), str(seconds), str(connections)]
    else:
        url = f"http://127.0.0.1:{port}/"
        command = [wrk, "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "5s", url]
    with _pinned(_LOAD_CPUS):
        done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=120)
    if wrk is None:
        measured, served = done.stdout.split()
        return float(measured), int(served)
    if errors := _ERRORS.search(done.stdout):
        raise RuntimeError(f"wrk saw failed requests: {errors[0]}")
    rate, total = _RPS.search(done.stdout), _TOTAL.search(done.stdout)
    if rate is None or total is None:
        raise RuntimeError(f"unexpected wrk output:\n{done.stdout}")
    return float(rate[1]), int(total[1])


_CPUS = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
_SERVER_CPUS = set(_CPUS[:1]) if len(_CPUS) >= 2 else set()
_LOAD_CPUS = set(_CPUS[1:]) if len(_CPUS) >= 2 else set()


@contextlib.contextmanager
def _pinned(cpus: set[int]) -> Iterator[None]:
    """Processes started in this block run on `cpus` (children inherit the affinity)."""
    if not cpus:
        yield
        return
    previous = os.sched_getaffinity(0)
    os.sched_setaffinity(0, cpus)
    try:
        yield
    finally:
        os.sched_setaffinity(0, previous)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_accepting(port: int, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.02)
    raise RuntimeError(f"nothing listening on :{port}")


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        load(int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]))
