"""P0602 instances-coexist."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

from twelve.model import Evidence, Severity, Verdict, fail, inconclusive, passed
from twelve.probe.context import (
    READY_SLACK_S,
    ProbeContext,
    ProcessUnderTest,
    listening_elsewhere,
)
from twelve.probe.instance import Instance, Readiness
from twelve.probe.probe import probe

_TIMEOUT_S = 5.0  # how fast liveness answers is liveness-endpoint's concern


@probe(
    id="P0602",
    name="instances-coexist",
    factor=6,
    severity=Severity.ERROR,
    summary="Two instances run side by side on two ports, both ready and live",
    remediation="Drop fixed ports, lock files and other machine-wide singletons from the process.",
)
def instances_coexist(service: ProcessUnderTest, ctx: ProbeContext) -> Iterator[Verdict]:
    """
    ## What it does
    Starts two fresh instances at the same time, each with its own port, waits until both
    are ready, then asks each one's liveness path (readiness when there is none). Both
    must be ready at the same time and answer 2xx. When exactly one becomes ready, a third
    instance on a fresh port gets a second chance beside it (a port taken by another
    program between picking and binding looks the same); when that fails too, instances
    cannot coexist.

    ## Why is this bad?
    Scaling out means running more copies of the same process. A process that holds a
    fixed extra port, a lock file, or assumes it is the only consumer of something, runs
    once per machine at most: the second copy crash-loops and the service cannot grow or
    roll over without downtime.

    ## Example
    ```python
    metrics = socket.create_server(("127.0.0.1", 9100))   # a fixed port: one per machine
    serve(app, port=int(os.environ["PORT"]))
    ```

    ## Use instead
    ```python
    serve(app, port=int(os.environ["PORT"]))   # metrics on the same port, at /metrics
    ```

    ## Known problems
    Other probes start instances of the same service at the same time, so a singleton
    resource may be held by one of theirs. When both instances exit at start (a lone
    instance does start: the run checks that first), that counts as a failure; when they
    merely time out, the probe cannot tell.
    """
    with ExitStack() as stack:
        pair = [stack.enter_context(ctx.launch(service)) for _ in range(2)]
        timeout = service.process.startup_timeout
        with ThreadPoolExecutor(2, "twelve-coexist") as pool:
            first, second = pool.map(lambda instance: _ready(instance, timeout), pair)
        evidence = [e for instance in pair for e in instance.evidence()]
        if not first.ready and not second.ready:
            codes = [code for instance in pair if (code := instance.proc.poll()) is not None]
            if len(codes) == 2 and all(codes):
                # Both exited at start although a lone instance starts (the preflight did):
                # something held what they need, and here that is another instance.
                yield fail(
                    f"neither of two instances started beside the others: {first.reason};"
                    f" {second.reason}",
                    evidence=evidence,
                )
                return
            yield inconclusive(
                f"neither instance became ready ({first.reason}; {second.reason})",
                evidence=evidence,
            )
            return
        if not first.ready or not second.ready:
            up, down = pair if first.ready else pair[::-1]
            why = second if first.ready else first
            # A port taken by a stranger between picking and binding looks the same: a
            # second try on a fresh port tells a race from a process that cannot coexist.
            spare = stack.enter_context(ctx.launch(service))
            again = _ready(spare, timeout)
            if not again.ready:
                yield fail(
                    f"instance on :{down.port} not ready while the one on :{up.port} ran:"
                    f" {why.reason}; again on :{spare.port}: {again.reason}",
                    evidence=[*evidence, *spare.evidence()],
                )
                return
            pair, (first, second) = [up, spare], (first if first.ready else second, again)
        path = service.process.liveness or service.process.readiness
        if not path:
            yield passed(f"both ready (:{pair[0].port}, :{pair[1].port}); no liveness path")
            return
        with ThreadPoolExecutor(2, "twelve-coexist") as pool:
            exchanges = list(pool.map(lambda i: i.request("GET", path, timeout=_TIMEOUT_S), pair))
        bad = [x for x in exchanges if x.status is None or not 200 <= x.status < 300]
        described = Evidence("liveness", tuple(x.describe() for x in exchanges))
        if bad:
            yield fail(
                f"both ready, but GET {path} -> {', '.join(str(x.status or x.error) for x in bad)}",
                evidence=[described, *evidence],
            )
            return
        yield passed(
            f"both ready at once (:{pair[0].port} in {first.seconds:.2f} s,"
            f" :{pair[1].port} in {second.seconds:.2f} s), GET {path} 2xx on each",
        )


def _ready(instance: Instance, timeout: float) -> Readiness:
    """Wait like `ctx.ready_instance` does: startup_timeout, then slack if it may still come."""
    readiness = instance.wait_ready(timeout)
    if not readiness.ready and not listening_elsewhere(instance):
        readiness = instance.wait_ready(READY_SLACK_S)
    return readiness
