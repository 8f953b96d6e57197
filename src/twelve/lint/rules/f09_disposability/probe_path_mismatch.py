"""S0903 probe-path-mismatch."""

from collections.abc import Iterator

from twelve.lint.facts import Facts
from twelve.lint.facts.parse import KeyPath
from twelve.lint.facts.yamldocs import K8sObject
from twelve.lint.rule import rule
from twelve.lint.rules.f09_disposability._workloads import (
    http_path,
    match_process,
    workload_containers,
)
from twelve.model import Location, Severity, Verdict, fail, not_applicable

_PROBES = (("livenessProbe", "liveness"), ("readinessProbe", "readiness"))


@rule(
    id="S0903",
    name="probe-path-mismatch",
    factor=9,
    severity=Severity.WARNING,
    summary="A Kubernetes probe path differs from the contract's, or liveness = readiness",
    remediation=(
        "Point `livenessProbe` at the contract's liveness path and `readinessProbe` at its "
        "readiness path (by default /healthz and /readyz), and keep them different."
    ),
)
def probe_path_mismatch(facts: Facts) -> Iterator[Verdict]:
    """
    ## What it does
    Checks the `httpGet` liveness and readiness probes of the containers of
    long-running Kubernetes workloads:

    - with a contract, a probe path that differs from the `liveness` or `readiness`
      path of the process the container runs (matched as in S0902: by command, then by
      name, then the single web process) is reported at the probe's path; the query
      string is ignored;
    - a `livenessProbe` and a `readinessProbe` with the same path are reported, unless
      the contract declares the same path for both.

    Not applicable without Kubernetes workloads.

    ## Why is this bad?
    The contract's paths are the ones the service serves and the probe tests; a
    manifest probing another path gets 404s, and Kubernetes restarts healthy pods in a
    loop or never sends them traffic. Liveness and readiness answer different
    questions: readiness fails while a dependency is down, to take the pod out of
    rotation; liveness must not, or a database outage restarts every pod at once. One
    endpoint for both does one of the two jobs wrong.

    ## Example
    ```yaml
    livenessProbe:
      httpGet: {path: /health, port: http}
    readinessProbe:
      httpGet: {path: /health, port: http}
    ```

    ## Use instead
    ```yaml
    livenessProbe:
      httpGet: {path: /healthz, port: http}
    readinessProbe:
      httpGet: {path: /readyz, port: http}
    ```

    ## Known problems
    `exec` and `tcpSocket` probes are not compared. A container that matches no process
    is only checked for equal paths.
    """
    containers = list(workload_containers(facts))
    if not containers:
        yield not_applicable("no Kubernetes workloads")
        return
    contract = facts.contract
    for obj, (container, at) in containers:
        paths = {probe: http_path(container, probe) for probe, _ in _PROBES}
        match = match_process(obj, container, contract) if contract else None
        declared_same = False
        if match is not None:
            name, process = match
            declared_same = process.liveness == process.readiness
            for probe, field in _PROBES:
                written, wanted = paths[probe], getattr(process, field)
                if written is not None and wanted and _bare(written) != wanted:
                    yield fail(
                        f"{probe} path `{written}` is not the {field} path `{wanted}` of "
                        f"process `{name}`",
                        _location(obj, at, probe, written),
                    )
        live, ready = paths["livenessProbe"], paths["readinessProbe"]
        same = live is not None and ready is not None and _bare(live) == _bare(ready)
        if same and ready is not None and not declared_same:
            yield fail(
                f"livenessProbe and readinessProbe both use `{_bare(ready)}`",
                _location(obj, at, "readinessProbe", ready),
            )


def _bare(path: str) -> str:
    return path.split("?", 1)[0]


def _location(obj: K8sObject, at: KeyPath, probe: str, path: str) -> Location:
    line = obj.doc.line_of((*at, probe, "httpGet", "path"))
    return Location(obj.doc.path, line, snippet=f"path: {path}")
