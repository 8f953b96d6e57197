"""A miniature twelve: starts a forking service through the harness, then goes away.

Prints one JSON line {"marker", "service", "children"} once the service's children are set up,
then reads one line from stdin, during which the test may signal it instead:
  exit   return normally without stopping the service (atexit must clean up)
  crash  raise an uncaught exception without stopping the service
"""

import json
import sys
import time
from pathlib import Path

from twelve.probe.harness import ServiceProcess
from twelve.probe.teardown import install_teardown

FORKER = Path(__file__).with_name("forker.py")


def main() -> None:
    """Start the service, report its pids, then do what stdin says."""
    install_teardown(grace_s=0.5)
    service = ServiceProcess(
        [sys.executable, str(FORKER), "plain", "stubborn", "session"], env={}, cwd=None
    )
    end = time.monotonic() + 5
    while not any(line.text == "ready" for line in service.output()):
        if time.monotonic() > end:
            raise SystemExit("service never became ready")
        time.sleep(0.01)
    children = [int(line.text.split()[2]) for line in service.output() if line.text[:5] == "child"]
    report = {"marker": service.marker, "service": service.pid, "children": children}
    print(json.dumps(report), flush=True)
    # EOF (the test went away) counts as "exit": the service must not outlive us either way.
    if sys.stdin.readline().strip() == "crash":
        raise RuntimeError("driver crashed on purpose")


if __name__ == "__main__":
    main()
