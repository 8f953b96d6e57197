"""Benchmark: wall time of the full probe suite on the well-behaved Python fixture service.

Prints the total wall time, the sum of the per-probe times (what a sequential run would
cost) and the critical path (the longest single probe). Targets on 2 cores: total wall
≤ 1.3 x critical path, and the whole suite under 10 s. Per run it also prints the CPU
seconds of twelve itself and of the services, and the machine's load average: a run is
mostly CPU-bound starts, so on a shared machine the wall time follows the load.

    .venv/bin/python benchmarks/probe_wall.py [--runs 3] [--fixture py-good] [--jobs J]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

from twelve.contract import load_contract
from twelve.model import Outcome
from twelve.probe.runner import ProbeOptions, probe_service

FIXTURES = Path(__file__).parent.parent / "tests" / "fixtures" / "services"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--fixture", default="py-good")
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()
    # The fixture's command is `python3 ...`: use this interpreter's directory first, so a
    # version-manager shim on PATH (pyenv) does not add its own start-up cost to every probe.
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]
    root = FIXTURES / args.fixture
    contract = load_contract(root / "twelve.toml")
    print(f"fixture {args.fixture}, {os.cpu_count()} cores, {args.runs} runs")
    print(f"{'run':>3} {'wall s':>7} {'sum s':>7} {'critical s':>10} {'wall/crit':>9}  outcomes")
    walls = []
    for run in range(1, args.runs + 1):
        started = time.perf_counter()
        own, services = _cpu()
        report = probe_service(root, contract, ProbeOptions(jobs=args.jobs))
        wall = time.perf_counter() - started
        own_after, services_after = _cpu()
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        print(
            f"cpu: twelve {own_after - own:.2f} s, services {services_after - services:.2f} s;"
            f" load average {load}"
        )
        durations = [r.duration or 0.0 for r in report.results]
        critical = max(durations)
        counts = {o.value: n for o, n in report.counts().items() if n}
        walls.append(wall)
        print(
            f"{run:>3} {wall:7.2f} {sum(durations):7.2f} {critical:10.2f} "
            f"{wall / critical:9.2f}  {counts}"
        )
        slowest = max(report.results, key=lambda r: r.duration or 0.0)
        if run == args.runs:
            print(f"critical path: {slowest.check.name} ({slowest.duration or 0:.2f} s)")
            bad = [r for r in report.results if r.outcome is not Outcome.PASS]
            for result in bad:
                print(f"  {result.check.id} {result.outcome}: {result.message}")
    print(f"median wall {statistics.median(walls):.2f} s over {len(walls)} runs")


def _cpu() -> tuple[float, float]:
    """CPU seconds (user + system) of twelve itself and of the processes it waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


if __name__ == "__main__":
    main()
