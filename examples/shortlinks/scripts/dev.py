#!/usr/bin/env python3
"""Run shortlinks locally on a real, embedded Postgres: no Postgres to install.

    python scripts/dev.py [--port 8000] [--data .pgdata]

Starts the Postgres server that the `pgserver` package ships (the same engine as
production, in a data directory under this example, kept between runs), runs the
`migrate` admin task against it, then the web and worker processes exactly as the
Procfile runs them, each in its own process group. Ctrl-C (or SIGTERM) stops the web and
the worker gracefully (SIGTERM, then SIGKILL after their shutdown_timeout), then Postgres.
Any of them exiting on its own stops the others too.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

from twelve.contract import load_contract

ROOT = Path(__file__).resolve().parent.parent
STOP_GRACE_S = 1.0  # beyond a process's own shutdown_timeout before it is killed
POLL_S = 0.2


def main() -> int:
    """Start Postgres, migrate, run web + worker until Ctrl-C; the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8000, help="web port (default 8000)")
    parser.add_argument("--data", type=Path, default=ROOT / ".pgdata", help="Postgres data dir")
    args = parser.parse_args()
    with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
        warnings.simplefilter("ignore")
        from pgserver.postgres_server import get_server  # noqa: PLC0415 -- development only

    args.data.mkdir(parents=True, exist_ok=True)
    server = get_server(args.data, cleanup_mode="stop")  # stopped when we exit
    contract = load_contract(ROOT / "twelve.toml")
    env = {
        **os.environ,
        "DATABASE_URL": server.get_uri(),
        "PORT": str(args.port),
        "HOST": "127.0.0.1",
        "APP_ENV": os.environ.get("APP_ENV", "dev"),
    }
    say(f"postgres {server.get_uri()} (data in {args.data})")
    migrate = subprocess.run(
        command(contract.admin["migrate"].command), env=env, cwd=ROOT, check=False
    )
    if migrate.returncode != 0:
        say(f"migrate exited {migrate.returncode}: not starting the processes")
        return migrate.returncode
    children = {
        name: subprocess.Popen(
            command(spec.command),
            env=env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        for name, spec in contract.processes.items()
    }
    say(f"web on http://127.0.0.1:{args.port}; Ctrl-C stops everything")
    stop_requested: list[int] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda number, _frame: stop_requested.append(number))
    while not stop_requested and all(child.poll() is None for child in children.values()):
        time.sleep(POLL_S)
    for name, child in children.items():
        if child.poll() is not None:
            say(f"{name} exited {child.returncode}")
    limits = {name: spec.shutdown_timeout for name, spec in contract.processes.items()}
    return stop_all(children, limits)


def command(raw: str | list[str]) -> list[str]:
    """A contract command as argv, `python` being this interpreter (the project's environment).

    Args:
        raw: the contract's command, a string split like a shell or an argv list.
    """
    argv = shlex.split(raw) if isinstance(raw, str) else list(raw)
    return [sys.executable, *argv[1:]] if argv[0] == "python" else argv


def stop_all(children: dict[str, subprocess.Popen[bytes]], limits: dict[str, float]) -> int:
    """SIGTERM every process group, wait up to its limit, SIGKILL what is left; 0 if all exit 0.

    Args:
        children: the processes by name.
        limits: each one's shutdown_timeout.
    """
    for child in children.values():
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    worst = 0
    for name, child in children.items():
        try:
            code = child.wait(limits[name] + STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            say(f"{name} still running after {limits[name]:g} s: killing it")
            os.killpg(child.pid, signal.SIGKILL)
            code = child.wait()
        worst = worst or code
    say("stopped")
    return worst


def say(message: str) -> None:
    """A line for the developer on stderr (the services' own JSON logs are on stdout).

    Args:
        message: the line.
    """
    sys.stderr.write(f"dev: {message}\n")


if __name__ == "__main__":
    sys.exit(main())
