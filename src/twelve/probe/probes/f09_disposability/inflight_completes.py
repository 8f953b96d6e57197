"""P0903 inflight-completes."""

import signal
from collections.abc import Iterator

from twelve.model import Severity, Verdict, fail, inconclusive, passed
from twelve.probe.context import ProbeContext, ProcessUnderTest
from twelve.probe.probe import probe
from twelve.probe.probes.f09_disposability._shutdown import (
    JUDGED_GRACE_S,
    SETTLE_S,
    InflightRequest,
)

MARGIN_S = 1.0  # beyond shutdown_timeout, for the last bytes to travel
AFTER_S = 0.5  # a moment for the process to exit on its own, for cleaner evidence


@probe(
    id="P0903",
    name="inflight-completes",
    factor=9,
    severity=Severity.ERROR,
    summary="A request in flight at SIGTERM gets its whole response",
    remediation="On SIGTERM, stop accepting but let every in-flight request finish before exiting.",
)
def inflight_completes(service: ProcessUnderTest, ctx: ProbeContext) -> Iterator[Verdict]:
    """
    ## What it does
    Starts a fresh instance, sends the contract's `drain_request` (e.g. `GET /slow?ms=1500`),
    and once the service is working on it sends SIGTERM. The response must arrive whole: a
    2xx status and every byte of the body (all of `Content-Length`, or the last chunk of a
    chunked body) within `shutdown_timeout`. A cut body fails even when the process exits 0.
    Without a `drain_request` the probe is inconclusive.

    ## Why is this bad?
    Deploys and scale-ins send SIGTERM while requests are being served. A process that
    exits at once, or closes connections mid-body, turns every deploy into a burst of
    errors and truncated responses that clients may not even notice are truncated.

    ## Example
    ```python
    def on_sigterm(signum, frame):
        sys.exit(0)   # in-flight responses die with the process
    ```

    ## Use instead
    ```python
    def on_sigterm(signum, frame):
        threading.Thread(target=server.shutdown).start()   # waits for in-flight requests
    ```

    ## Known problems
    The `drain_request` must take longer than a quarter of a second (so it is still in
    flight at the signal) and less than `shutdown_timeout`.
    """
    process = service.process
    if not process.drain_request:
        yield inconclusive("no drain_request declared in the contract")
        return
    limit = process.shutdown_timeout
    with ctx.ready_instance(service) as instance:
        inflight = InflightRequest(
            instance, process.drain_request, ctx, timeout=SETTLE_S + limit + MARGIN_S
        )
        inflight.start_in_flight()
        sent = ctx.clock.now()
        instance.signal(signal.SIGTERM)
        inflight.join(limit + MARGIN_S)
        instance.proc.wait_exit(AFTER_S)
        problem = inflight.problem()  # before the stop, which would cut a late response
        evidence = (*inflight.evidence(), *instance.evidence())
        instance.stop(JUDGED_GRACE_S)
    if problem is not None:
        yield fail(f"in-flight {inflight.request} {problem}", evidence=evidence)
        return
    after = (inflight.finished_at or sent) - sent
    yield passed(
        f"in-flight {inflight.request} completed: {inflight.status}, "
        f"{inflight.received} bytes, {after:.2f} s after SIGTERM"
    )
