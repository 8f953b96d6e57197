"""Benchmark: the runtime kit's costs, side by side with its peers, in one run.

1. Cost per JSON log event (CPU µs): the kit's logger with redaction on (3 secrets) vs
   structlog + orjson as structlog's performance docs configure it, vs stdlib logging with
   python-json-logger. Target: kit ≤ 1.25x structlog + orjson.
2. Requests/s of a hello endpoint under uvicorn: the kit's middleware and runner vs the bare
   app, load from a separate process on loopback (a bounded asyncio keep-alive client).
   Target: kit ≥ 90% of bare.
3. Import + config + ready time of the tiny app (tests/fixtures/kit_app): exec until
   /readyz answers 200 (its Postgres check included, against pgserver). Target < 300 ms.

    .venv/bin/python benchmarks/kit_runtime.py [--rounds 5] [--seconds 3]

Rounds alternate between the contenders so machine noise hits them alike; medians are shown.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import orjson
import pgserver
import psutil
import structlog
from pythonjsonlogger.json import JsonFormatter

from twelve.kit.config import Config
from twelve.kit.logs import get_logger, setup_logging
from twelve.kit.secret import Secret

HERE = Path(__file__).resolve().parent
KIT_APP = HERE.parent / "tests" / "fixtures" / "kit_app"
HTTP = HERE / "kit_http.py"  # the server and the load client, each its own process
SECRETS = {
    "DATABASE_URL": "postgresql://app:s3cr3t-pw-0f9e@127.0.0.1/app",
    "TOKEN": "tok-1a2b3c4d5e",
}


def bench_logging(rounds: int, events: int = 20000) -> dict[str, float]:
    """Median CPU µs per event for each logger, rounds interleaved."""
    sink = Path(os.devnull).open("wb")  # noqa: SIM115 -- open for the whole benchmark
    text_sink = Path(os.devnull).open("w")  # noqa: SIM115 -- open for the whole benchmark
    config = Config(
        service="bench",
        version="v1",
        env="bench",
        values={k: Secret(v) for k, v in SECRETS.items()},
    )
    setup_logging(config, stream=sink)
    sys.excepthook = sys.__excepthook__  # this script's own errors go to the terminal
    kit = get_logger("bench")
    peer = structlog.wrap_logger(
        structlog.BytesLogger(sink),
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        cache_logger_on_first_use=True,
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.format_exc_info,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.JSONRenderer(serializer=orjson.dumps),
        ],
    )
    stdlib = logging.getLogger("bench.stdlib")
    stdlib.propagate = False
    handler = logging.StreamHandler(text_sink)
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    stdlib.addHandler(handler)
    stdlib.setLevel(logging.INFO)

    def run_structlog(log: Any) -> float:
        started = time.process_time()
        for i in range(events):
            log.info("user logged in", user_id=i, path="/login", ok=True)
        return (time.process_time() - started) / events * 1e6

    def run_stdlib() -> float:
        started = time.process_time()
        for i in range(events):
            stdlib.info("user logged in", extra={"user_id": i, "path": "/login", "ok": True})
        return (time.process_time() - started) / events * 1e6

    samples: dict[str, list[float]] = {"kit": [], "structlog+orjson": [], "stdlib+json-logger": []}
    for _ in range(rounds):
        samples["kit"].append(run_structlog(kit))
        samples["structlog+orjson"].append(run_structlog(peer))
        samples["stdlib+json-logger"].append(run_stdlib())
    return {name: statistics.median(values) for name, values in samples.items()}


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


def bench_http(rounds: int, seconds: float, concurrency: int = 16) -> dict[str, float]:
    """Median requests/s, and server CPU µs per request, for bare and kit (a fresh server
    and client process per round, the two alternating)."""
    samples: dict[str, list[float]] = {"bare": [], "kit": [], "bare cpu": [], "kit cpu": []}
    for _ in range(rounds):
        for kind in ("bare", "kit"):
            port = _free_port()
            server = subprocess.Popen(
                [sys.executable, str(HTTP), "serve", kind, str(port)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                _wait_accepting(port)
                cpu = psutil.Process(server.pid)
                before = sum(cpu.cpu_times()[:2])
                out = subprocess.run(
                    [sys.executable, str(HTTP), "load", str(port), str(seconds), str(concurrency)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                used = sum(cpu.cpu_times()[:2]) - before
                rps, served = (float(x) for x in out.stdout.split())
                samples[kind].append(rps)
                samples[f"{kind} cpu"].append(used / served * 1e6)
            finally:
                server.terminate()
                server.wait(15)
    return {name: statistics.median(values) for name, values in samples.items()}


def bench_startup(rounds: int) -> dict[str, float]:
    """Median ms from exec of `python -m kit_app` to /readyz 200, and its import and config."""
    with tempfile.TemporaryDirectory() as scratch:
        database = pgserver.get_server(Path(scratch) / "pg")
        env = {
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": ".",
            "PYTHONDONTWRITEBYTECODE": "1",
            "DATABASE_URL": database.get_uri(),
            "API_TOKEN": SECRETS["TOKEN"],
            "UPSTREAM_URL": "https://svc:pw@127.0.0.1:9/api",
            "GIT_SHA": "bench",
        }
        phases = (
            "import time; t0 = time.perf_counter(); import kit_app; from twelve import kit;"
            " t1 = time.perf_counter(); kit.load_config(kit_app.CONTRACT, process='web');"
            " t2 = time.perf_counter(); print((t1 - t0) * 1e3, (t2 - t1) * 1e3)"
        )
        samples: dict[str, list[float]] = {
            "import": [],
            "config": [],
            "exec -> ready": [],
            "ready cpu": [],
        }
        try:
            for _ in range(rounds):
                out = subprocess.run(
                    [sys.executable, "-c", phases],
                    cwd=KIT_APP,
                    env=env | {"PORT": "1"},
                    capture_output=True,
                    text=True,
                    check=True,
                )
                imported, configured = map(float, out.stdout.split())
                samples["import"].append(imported)
                samples["config"].append(configured)
                wall, cpu = _ready_ms(env)
                samples["exec -> ready"].append(wall)
                samples["ready cpu"].append(cpu)
        finally:
            database.cleanup()
    return {name: statistics.median(values) for name, values in samples.items()}


def _ready_ms(env: dict[str, str]) -> tuple[float, float]:
    """(wall ms, CPU ms of the process) from exec to the first /readyz 200."""
    port = _free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "kit_app"],
        cwd=KIT_APP,
        env=env | {"PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(trust_env=False, timeout=2.0) as client:
            while True:
                try:
                    if client.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                        wall = (time.perf_counter() - started) * 1e3
                        return wall, sum(psutil.Process(process.pid).cpu_times()[:2]) * 1e3
                except httpx.TransportError:
                    pass
                if process.poll() is not None:
                    raise RuntimeError(f"kit_app exited {process.returncode}")
                time.sleep(0.002)
    finally:
        process.terminate()
        process.wait(15)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    logs = bench_logging(args.rounds)
    http = bench_http(max(args.rounds // 2, 2), args.seconds)
    start = bench_startup(args.rounds)
    rows = [
        (
            "log event, kit (redaction on)",
            f"{logs['kit']:.2f} µs",
            f"{logs['kit'] / logs['structlog+orjson']:.2f}x structlog+orjson",
            "≤ 1.25x",
        ),
        ("log event, structlog + orjson", f"{logs['structlog+orjson']:.2f} µs", "1.00x", ""),
        (
            "log event, stdlib + python-json-logger",
            f"{logs['stdlib+json-logger']:.2f} µs",
            f"{logs['stdlib+json-logger'] / logs['structlog+orjson']:.2f}x",
            "",
        ),
        ("hello req/s, bare uvicorn", f"{http['bare']:.0f}", "100%", ""),
        ("hello server CPU/request, bare", f"{http['bare cpu']:.0f} µs", "", ""),
        (
            "hello req/s, kit middleware + runner",
            f"{http['kit']:.0f}",
            f"{http['kit'] / http['bare']:.0%} of bare",
            "≥ 90%",
        ),
        (
            "hello server CPU/request, kit",
            f"{http['kit cpu']:.0f} µs",
            f"bare/kit = {http['bare cpu'] / http['kit cpu']:.0%}",
            "",
        ),
        ("tiny app: import", f"{start['import']:.0f} ms", "", ""),
        ("tiny app: config", f"{start['config']:.0f} ms", "", ""),
        (
            "tiny app: exec -> /readyz 200",
            f"{start['exec -> ready']:.0f} ms",
            f"its CPU {start['ready cpu']:.0f} ms",
            "< 300 ms",
        ),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    print(
        f"machine: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f};"
        f" medians of {args.rounds} rounds"
    )
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


if __name__ == "__main__":
    main()
