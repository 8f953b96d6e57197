"""A process's lifecycle in Kubernetes terms: probes, the preStop sleep, the grace period.

Timeline of a pod's stop, all inside `terminationGracePeriodSeconds`: the preStop hook
sleeps `drain_delay` while endpoints and load balancers drop the pod (the kubelet sends
SIGTERM only after it); the process then drains for its own `drain_delay` and stops within
`shutdown_timeout`; the margin covers what follows its own deadline (closing pools,
flushing the last log line, exiting) before the kubelet's SIGKILL.
"""

from __future__ import annotations

import math
from typing import Any

from twelve.contract import ProcessType

GRACE_MARGIN = 5
STARTUP_PERIOD = 2
PROBE_TIMEOUT = 2
READINESS_PERIOD, READINESS_FAILURES = 5, 2
LIVENESS_PERIOD, LIVENESS_FAILURES = 10, 3


def http_probes(process: ProcessType) -> dict[str, Any]:
    """startupProbe, readinessProbe and livenessProbe for the paths the contract declares.

    The startup probe asks the liveness path, not readiness: a backing service down at
    startup must keep the pod out of rotation, not restart it. It tolerates
    `startup_timeout` of failures (see `startup_failures`). A process that declares no
    liveness path gets neither a startup nor a liveness probe.

    Args:
        process: a web process.
    """
    probes: dict[str, Any] = {}
    if process.liveness:
        failures = startup_failures(process.startup_timeout)
        probes["startupProbe"] = _http(process.liveness, STARTUP_PERIOD, failures)
    if process.readiness:
        probes["readinessProbe"] = _http(process.readiness, READINESS_PERIOD, READINESS_FAILURES)
    if process.liveness:
        probes["livenessProbe"] = _http(process.liveness, LIVENESS_PERIOD, LIVENESS_FAILURES)
    return probes


def startup_failures(startup_timeout: float) -> int:
    """Failures the startup probe tolerates so that a process ready within `startup_timeout`
    is never killed: the first probe runs at once, so N failures span (N - 1) periods, and
    N - 1 periods must reach `startup_timeout`.

    Args:
        startup_timeout: the contract's exec-to-ready bound, in seconds.
    """
    return math.ceil(startup_timeout / STARTUP_PERIOD) + 1


def pre_stop_seconds(process: ProcessType) -> int:
    """Seconds the preStop hook sleeps: `drain_delay`, rounded up (0: no hook).

    Args:
        process: a process of the contract.
    """
    return math.ceil(process.drain_delay)


def grace_period(process: ProcessType) -> int:
    """`terminationGracePeriodSeconds`: preStop + `drain_delay` + `shutdown_timeout` + margin.

    Args:
        process: a process of the contract.
    """
    needed = pre_stop_seconds(process) + process.drain_delay + process.shutdown_timeout
    return math.ceil(needed) + GRACE_MARGIN


def lifecycle(process: ProcessType) -> dict[str, Any] | None:
    """The preStop hook: the kubelet's own `sleep` action (Kubernetes >= 1.30), which needs
    no shell or `sleep` binary in the image; None when the process declares no drain delay.

    Args:
        process: a process of the contract.
    """
    seconds = pre_stop_seconds(process)
    return {"preStop": {"sleep": {"seconds": seconds}}} if seconds else None


def _http(path: str, period: int, failures: int) -> dict[str, Any]:
    return {
        "httpGet": {"path": path, "port": "http"},
        "periodSeconds": period,
        "timeoutSeconds": PROBE_TIMEOUT,
        "failureThreshold": failures,
    }
