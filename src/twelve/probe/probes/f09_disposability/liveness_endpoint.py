"""P0908 liveness-endpoint."""

from collections.abc import Iterator

from twelve.model import Evidence, Severity, Verdict, fail, not_applicable, passed
from twelve.probe.context import ProbeContext, ProcessUnderTest
from twelve.probe.instance import Exchange
from twelve.probe.probe import probe
from twelve.probe.probes.f09_disposability._loopback import fetch
from twelve.probe.probes.f09_disposability._shutdown import JUDGED_GRACE_S

TIMES = 3  # best of three: one hiccup of a loaded test machine is not the service's fault
LIMIT_S = 1.0  # an orchestrator's default probe timeout (Kubernetes: 1 s)
WAIT_S = 3.0  # wait longer than the limit, so a slow answer is measured, not just cut off


@probe(
    id="P0908",
    name="liveness-endpoint",
    factor=9,
    severity=Severity.ERROR,
    summary="The liveness path answers 2xx within a second",
    remediation="Answer liveness from memory in constant time; never wait on I/O or locks there.",
    shared=True,
)
def liveness_endpoint(service: ProcessUnderTest, ctx: ProbeContext) -> Iterator[Verdict]:
    """
    ## What it does
    Uses the run's shared ready instance (the one the preflight started, kept while the
    probes that only observe an instance run), and requests the contract's `liveness`
    path up to three times in a row. Every answer must be a 2xx (200, or 204),
    and at least two of three must arrive within one second, the default timeout of a
    Kubernetes liveness probe. Any other status (a redirect, an error) fails at once.

    ## Why is this bad?
    The orchestrator restarts a process whose liveness check fails or times out. A slow or
    flaky liveness endpoint gets healthy instances killed under load, exactly when they
    are needed most; a redirect or an error status gets them killed at once.

    ## Example
    ```python
    @app.get("/healthz")
    def healthz():
        db.execute("SELECT 1")     # slow under load; a database outage restarts every pod
        return {"status": "ok"}
    ```

    ## Use instead
    ```python
    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}    # alive = the process answers; dependencies go in /readyz
    ```
    """
    path = service.process.liveness
    if not path:
        yield not_applicable("no liveness path declared")
        return
    with ctx.shared_instance(service) as instance:
        seen: list[Exchange] = []
        problems: list[str] = []
        while len(seen) - len(problems) < 2 and len(problems) < 2 and not _wrong(seen):
            seen.append(fetch(instance, ctx, path, timeout=WAIT_S))
            if (problem := _problem(seen[-1])) is not None:
                problems.append(problem)
        evidence = (Evidence("requests", tuple(e.describe() for e in seen)), *instance.evidence())
        if ctx.owns(instance):
            instance.stop(JUDGED_GRACE_S)
    if problems and (len(problems) > 1 or _wrong(seen)):
        yield fail(f"GET {path} {problems[-1]}", evidence=evidence)
        return
    times = ", ".join(f"{exchange.seconds:.3f}" for exchange in seen)
    yield passed(f"GET {path} answered {seen[-1].status} in {times} s")


def _wrong(seen: list[Exchange]) -> bool:
    """True once an answer had a status other than 2xx: that is no hiccup."""
    return any(e.status is not None and not 200 <= e.status < 300 for e in seen)


def _problem(answer: Exchange) -> str | None:
    """Why one liveness answer is not good enough, or None."""
    if answer.status is None:
        return f"got no answer within {WAIT_S:g} s ({answer.error})"
    if not 200 <= answer.status < 300:
        return f"answered {answer.status} (expected 2xx)"
    if answer.seconds > LIMIT_S:
        return f"answered {answer.status} after {answer.seconds:.2f} s (limit {LIMIT_S:g} s)"
    return None
