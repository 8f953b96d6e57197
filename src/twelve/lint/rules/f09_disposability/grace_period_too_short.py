"""S0902 grace-period-too-short."""

import re
from collections.abc import Iterator
from typing import Any

from twelve.contract import ProcessType
from twelve.lint.facts import Facts
from twelve.lint.facts.parse import KeyPath
from twelve.lint.facts.yamldocs import K8sObject, k8s_pod_spec
from twelve.lint.rule import rule
from twelve.lint.rules.f09_disposability._workloads import match_process, workload_containers
from twelve.model import Location, Severity, Verdict, fail, not_applicable

KUBERNETES_DEFAULT_GRACE = 30
_SECONDS = re.compile(r"^\d+(?:\.\d+)?$")


@rule(
    id="S0902",
    name="grace-period-too-short",
    factor=9,
    severity=Severity.ERROR,
    summary="terminationGracePeriodSeconds is shorter than the process's drain + shutdown time",
    remediation=(
        "Set `terminationGracePeriodSeconds` to at least the preStop delay + `drain_delay` "
        "+ `shutdown_timeout` of the process (plus a few seconds of margin), and give a "
        "process with a drain delay a preStop hook."
    ),
)
def grace_period_too_short(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    For each long-running Kubernetes workload (Deployment, StatefulSet, DaemonSet, Pod,
    ...), finds the contract process its container runs and compares the pod's
    `terminationGracePeriodSeconds` (30 when absent, the Kubernetes default) with the
    time the process needs to stop: its `drain_delay` plus its `shutdown_timeout`, plus
    the `sleep` of the container's preStop hook, which the grace period also has to
    cover. It also reports a process with a `drain_delay` whose container has no
    `preStop` hook.

    A container runs a process when its command starts like the process's command;
    otherwise when the container or workload is named after the process (`orders-web`
    runs `web`); otherwise, when the contract has a single web process, a container with
    an `httpGet` probe runs it. Containers that match no process, and Jobs and CronJobs,
    are skipped. Not applicable without a contract or without workloads.

    ## Why is this bad?
    When the grace period ends the kubelet sends SIGKILL. A process still draining or
    finishing in-flight requests is killed mid-work: clients see reset connections and
    5xx responses on every deploy and scale-in, and jobs stop half done. On Kubernetes the
    endpoint removal races SIGTERM, so a service that declares a drain delay expects
    traffic to keep arriving for a while after it is told to stop; a preStop `sleep`
    holds SIGTERM back until load balancers have caught up.

    ## Example
    ```toml
    [processes.web]
    command = "gunicorn orders.wsgi"
    drain_delay = "10s"
    shutdown_timeout = "30s"
    ```
    ```yaml
    spec:
      template:
        spec:                       # default grace period: 30 s < 10 s + 30 s
          containers:
            - name: web
    ```

    ## Use instead
    ```yaml
    spec:
      template:
        spec:
          terminationGracePeriodSeconds: 50   # 5 s preStop + 10 s drain + 30 s shutdown
          containers:
            - name: web
              lifecycle:
                preStop:
                  sleep: {seconds: 5}
    ```

    ## Known problems
    A service that keeps serving during its own drain delay (as `twelve.kit` does) can do
    without a preStop hook; suppress that finding with a reason. A grace period written
    as a template (`{{ .Values.grace }}`) is not checked.
    """
    contract = facts.contract
    if contract is None:
        yield not_applicable("no contract")
        return
    containers = list(workload_containers(facts))
    if not containers:
        yield not_applicable("no Kubernetes workloads")
        return
    seen: set[tuple[str, int, KeyPath]] = set()
    for obj, (container, at) in containers:
        found = k8s_pod_spec(obj)
        match = match_process(obj, container, contract)
        key = (obj.doc.path, obj.doc.index, obj.loc)
        if found is None or match is None or key in seen:
            continue
        seen.add(key)  # one process per pod: the first container that runs one
        name, process = match
        pre_stop = _pre_stop(container)
        yield from _grace(obj, found, match, pre_stop or 0.0)
        if process.drain_delay > 0 and pre_stop is None:
            snippet = f"- name: {container.get('name')}"
            location = Location(obj.doc.path, obj.doc.line_of(at), snippet=snippet)
            yield fail(
                f"process `{name}` drains for {_s(process.drain_delay)} but container "
                f"`{container.get('name', '?')}` has no preStop hook",
                location,
            )


def _grace(
    obj: K8sObject,
    pod: tuple[dict[str, Any], KeyPath],
    match: tuple[str, ProcessType],
    pre_stop: float,
) -> Iterator[Verdict]:
    """A finding when the pod's grace period is shorter than the process needs."""
    (spec, spec_loc), (name, process) = pod, match
    written = spec.get("terminationGracePeriodSeconds")
    if written is not None and not _SECONDS.match(str(written)):
        return  # a template or a typo: not a number to compare
    grace = KUBERNETES_DEFAULT_GRACE if written is None else float(written)
    needed = pre_stop + process.drain_delay + process.shutdown_timeout
    if grace >= needed:
        return
    parts = [
        f"{label} {_s(seconds)}"
        for label, seconds in (
            ("preStop", pre_stop),
            ("drain_delay", process.drain_delay),
            ("shutdown_timeout", process.shutdown_timeout),
        )
        if seconds
    ]
    if written is None:
        shown = f"terminationGracePeriodSeconds (default {KUBERNETES_DEFAULT_GRACE})"
        line = obj.doc.line_of(spec_loc)
        snippet = "spec:"
    else:
        shown = f"terminationGracePeriodSeconds {_s(grace).removesuffix('s')}"
        line = obj.doc.line_of((*spec_loc, "terminationGracePeriodSeconds"))
        snippet = f"terminationGracePeriodSeconds: {written}"
    yield fail(
        f"{shown} < {_s(needed)} needed by process `{name}` ({' + '.join(parts)})",
        Location(obj.doc.path, line, snippet=snippet),
    )


def _pre_stop(container: dict[str, Any]) -> float | None:
    """Seconds a preStop hook sleeps (0 when it does something else), None without one."""
    lifecycle = container.get("lifecycle")
    hook = lifecycle.get("preStop") if isinstance(lifecycle, dict) else None
    if not isinstance(hook, dict):
        return None
    sleep = hook.get("sleep")
    if isinstance(sleep, dict) and _SECONDS.match(str(sleep.get("seconds", ""))):
        return float(sleep["seconds"])
    command = hook.get("exec", {}).get("command") if isinstance(hook.get("exec"), dict) else None
    words = [str(w) for w in command] if isinstance(command, list) else []
    text = " ".join(words)
    found = re.search(r"\bsleep\s+(\d+(?:\.\d+)?)\b", text)
    return float(found[1]) if found else 0.0


def _s(seconds: float) -> str:
    return f"{seconds:g}s"
