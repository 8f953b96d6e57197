"""Benchmark: the runtime kit's costs, side by side with its peers, in one run.

1. Cost per JSON log event (CPU µs): the kit's logger with redaction on (2 secrets) vs
   structlog + orjson as structlog's performance docs configure it, vs stdlib logging with
   python-json-logger. Target: kit ≤ 1.25x structlog + orjson.
2. Requests/s of a hello endpoint under uvicorn: the kit's middleware and runner vs the bare
   app, load from wrk in a separate process on loopback (see kit_http.py; without wrk a
   Python client stands in and the report says its figures measure the client).
   Target: kit ≥ 90% of bare.
3. Start-up of the tiny app (tests/fixtures/kit_app): exec until /readyz answers 200 (its
   Postgres check included, against pgserver), target < 300 ms; beside it the floor of
   any uvicorn service on this machine (a bare hello), and of any whose readiness needs
   psycopg (the same hello importing psycopg first); and exec until the exit 78 of a
   start with a missing config key, target well under 300 ms.

    .venv/bin/python benchmarks/kit_runtime.py [--rounds 7] [--http-rounds 25] [--seconds 1]

Contenders alternate round by round, so machine noise hits them alike. Bytecode is compiled
first, as an installed package has it. The load of the machine is shown before and after:
figures from a busy machine are slower, the CPU figures less so than the wall times.
"""

from __future__ import annotations

import argparse
import compileall
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
from kit_http import HttpResult, bench_http
from pythonjsonlogger.json import JsonFormatter

import twelve
from twelve.kit.config import Config
from twelve.kit.logs import get_logger, setup_logging
from twelve.kit.secret import Secret

KIT_APP = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "kit_app"
KIT_HTTP = Path(__file__).resolve().parent / "kit_http.py"
SECRETS = {
    "DATABASE_URL": "postgresql://app:s3cr3t-pw-0f9e@127.0.0.1/app",
    "TOKEN": "tok-1a2b3c4d5e",
}
Row = tuple[str, str, str, str]


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


def bench_startup(rounds: int) -> dict[str, list[float]]:
    """Per round: ms from exec of `python -m kit_app` to /readyz 200 (wall, and the CPU the
    process used), import and config phases, and exec to exit 78 on a missing key."""
    for tree in (Path(twelve.__file__).parent, KIT_APP):
        compileall.compile_dir(tree, quiet=1)
    samples: dict[str, list[float]] = {
        "import": [],
        "config": [],
        "ready": [],
        "ready cpu": [],
        "bare ready": [],
        "bare ready cpu": [],
        "psycopg ready": [],
        "psycopg ready cpu": [],
        "config error": [],
        "config error cpu": [],
    }
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
                wall, cpu = _ready_ms(env, ["-m", "kit_app"], "/readyz")
                samples["ready"].append(wall)
                samples["ready cpu"].append(cpu)
                # The floor any uvicorn service starts from on this machine: hello, no kit.
                wall, cpu = _ready_ms(env, [str(KIT_HTTP), "serve", "bare", "{port}"], "/")
                samples["bare ready"].append(wall)
                samples["bare ready cpu"].append(cpu)
                # The floor of a service whose readiness needs psycopg: the same, importing it.
                argv = [str(KIT_HTTP), "serve", "bare+psycopg", "{port}"]
                wall, cpu = _ready_ms(env, argv, "/")
                samples["psycopg ready"].append(wall)
                samples["psycopg ready cpu"].append(cpu)
                wall, cpu = _config_error_ms({k: v for k, v in env.items() if k != "API_TOKEN"})
                samples["config error"].append(wall)
                samples["config error cpu"].append(cpu)
        finally:
            database.cleanup()
    return samples


def _ready_ms(env: dict[str, str], argv: list[str], path: str) -> tuple[float, float]:
    """(wall ms, CPU ms of the process) from exec of `python argv` to the first 200 on `path`.

    `{port}` in argv is replaced by the port it gets (also in PORT).
    """
    port = _free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, *(arg.replace("{port}", str(port)) for arg in argv)],
        cwd=KIT_APP,
        env=env | {"PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = started + 30
    try:
        with httpx.Client(trust_env=False, timeout=2.0) as client:
            while time.perf_counter() < deadline:
                try:
                    if client.get(f"http://127.0.0.1:{port}{path}").status_code == 200:
                        wall = (time.perf_counter() - started) * 1e3
                        return wall, sum(psutil.Process(process.pid).cpu_times()[:2]) * 1e3
                except httpx.TransportError:
                    pass
                if process.poll() is not None:
                    raise RuntimeError(f"{argv} exited {process.returncode}")
                time.sleep(0.002)
        raise RuntimeError(f"{argv} not ready within 30 s")
    finally:
        process.terminate()
        process.wait(15)


def _config_error_ms(env: dict[str, str]) -> tuple[float, float]:
    """(wall ms, CPU ms) from exec to the exit 78 of a start with a missing key."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "kit_app"],
        cwd=KIT_APP,
        env=env | {"PORT": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = (time.perf_counter() - started) * 1e3
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 78:
        raise RuntimeError(f"expected exit 78, got {process.returncode}")
    return wall, (usage.ru_utime + usage.ru_stime) * 1e3


def _spread(values: list[float], unit: str) -> str:
    return f"min {min(values):.0f} {unit}, median {statistics.median(values):.0f} {unit}"


def _rows(logs: dict[str, float], http: HttpResult, start: dict[str, list[float]]) -> list[Row]:
    ratios = http.ratios()
    cpu = {kind: statistics.median(values) for kind, values in http.cpu_us.items()}
    return [
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
        ("hello req/s, bare uvicorn", f"{http.median('bare'):.0f}", "100%", ""),
        (
            "hello req/s, kit middleware + runner",
            f"{http.median('kit'):.0f}",
            f"{statistics.median(ratios):.0%} of bare (rounds {min(ratios):.0%}-{max(ratios):.0%})",
            "≥ 90%",
        ),
        (
            "hello server CPU/request, bare / kit",
            f"{cpu['bare']:.0f} / {cpu['kit']:.0f} µs",
            f"bare/kit = {cpu['bare'] / cpu['kit']:.0%}",
            "",
        ),
        ("tiny app: import", f"{statistics.median(start['import']):.0f} ms", "", ""),
        ("tiny app: config", f"{statistics.median(start['config']):.0f} ms", "", ""),
        (
            "tiny app: exec -> /readyz 200",
            _spread(start["ready"], "ms"),
            f"its CPU: {_spread(start['ready cpu'], 'ms')}",
            "< 300 ms",
        ),
        (
            "bare uvicorn hello: exec -> 200 (floor)",
            _spread(start["bare ready"], "ms"),
            f"its CPU: {_spread(start['bare ready cpu'], 'ms')}",
            "",
        ),
        (
            "bare hello + import psycopg: exec -> 200",
            _spread(start["psycopg ready"], "ms"),
            f"its CPU: {_spread(start['psycopg ready cpu'], 'ms')}",
            "",
        ),
        (
            "tiny app: exec -> exit 78 (missing key)",
            _spread(start["config error"], "ms"),
            f"its CPU: {_spread(start['config error cpu'], 'ms')}",
            "< 300 ms",
        ),
    ]


def _machine() -> str:
    busy = psutil.cpu_percent(interval=1.0)
    load = os.getloadavg()[0]
    return f"{os.cpu_count()} CPUs, {busy:.0f}% busy over 1 s, load {load:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--http-rounds", type=int, default=25)
    parser.add_argument("--seconds", type=float, default=1.0, help="per HTTP load run")
    args = parser.parse_args()
    before = _machine()
    logs = bench_logging(args.rounds)
    http = bench_http(args.http_rounds, args.seconds)
    start = bench_startup(args.rounds)
    rows = _rows(logs, http, start)
    print(f"machine before: {before}; after: {_machine()}")
    print(
        f"{args.rounds} rounds (HTTP: {args.http_rounds}), contenders alternating; HTTP load:"
        f" {http.generator}, 16 connections, {args.seconds:g} s per server and round"
    )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    bare, kit = (" ".join(f"{v:.0f}" for v in http.rps[kind]) for kind in ("bare", "kit"))
    print(f"req/s by round: bare {bare}; kit {kit}")


if __name__ == "__main__":
    main()
