"""Benchmark: wall time of the full probe suite on the well-behaved Python fixture service.

Prints the total wall time, the sum of the per-probe times (what a sequential run would
cost) and the critical path (the longest single probe). Targets on 2 cores: total wall
≤ 1.3 x critical path, and the whole suite under 10 s.

    .venv/bin/python benchmarks/probe_wall.py [--runs 3] [--fixture py-good]
"""

from __future__ import annotations

import argparse
import os
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
        report = probe_service(root, contract, ProbeOptions())
        wall = time.perf_counter() - started
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


if __name__ == "__main__":
    main()
