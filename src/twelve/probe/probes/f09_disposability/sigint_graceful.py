"""P0906 sigint-graceful."""

import signal
from collections.abc import Iterator

from twelve.model import Severity, Verdict, fail, passed
from twelve.probe.context import ProbeContext, ProcessUnderTest
from twelve.probe.probe import probe
from twelve.probe.probes.f09_disposability._shutdown import (
    SETTLE_S,
    InflightRequest,
    await_exit,
)

JOIN_S = 1.0  # after the exit, the in-flight response has arrived or been cut


@probe(
    id="P0906",
    name="sigint-graceful",
    factor=9,
    severity=Severity.ERROR,
    summary="SIGINT (Ctrl-C) stops the web process as gracefully as SIGTERM",
    remediation="Handle SIGINT like SIGTERM: finish in-flight requests, then exit 0 in time.",
)
def sigint_graceful(service: ProcessUnderTest, ctx: ProbeContext) -> Iterator[Verdict]:
    """
    ## What it does
    Starts a fresh instance, puts the contract's `drain_request` in flight (when one is
    declared) and sends SIGINT. The process must exit 0 within `shutdown_timeout` (with
    `--lenient-exit`, 130 and -2 are accepted too) and the in-flight request must get its
    whole 2xx response. A process still running at the limit gets SIGKILL and fails.

    ## Why is this bad?
    SIGINT is what Ctrl-C sends in a terminal, and what some process managers and
    container runtimes (`STOPSIGNAL SIGINT`) use to stop a process. A service that only
    handles SIGTERM crashes with a traceback on SIGINT, or dies mid-request, and behaves
    differently in development than in production.

    ## Example
    ```python
    signal.signal(signal.SIGTERM, graceful_stop)
    server.serve_forever()     # Ctrl-C: KeyboardInterrupt, traceback, exit 1
    ```

    ## Use instead
    ```python
    signal.signal(signal.SIGTERM, graceful_stop)
    signal.signal(signal.SIGINT, graceful_stop)
    server.serve_forever()
    sys.exit(0)
    ```
    """
    process = service.process
    limit = process.shutdown_timeout
    with ctx.ready_instance(service) as instance:
        timeout = SETTLE_S + limit + JOIN_S
        inflight, why = InflightRequest.keep_alive(instance, process.drain_request, ctx, timeout)
        sent = ctx.clock.now()
        instance.signal(signal.SIGINT)
        ended = await_exit(instance, signal.SIGINT, sent, limit, ctx.clock)
        problems = [ended.problem(lenient=ctx.settings.lenient_exit)]
        if inflight is not None:
            inflight.join(JOIN_S)
            cut = inflight.problem()
            problems.append(f"in-flight {inflight.request} {cut}" if cut else None)
        found = [problem for problem in problems if problem is not None]
        if found:
            evidence = (*(inflight.evidence() if inflight else ()), *instance.evidence())
            yield fail("; ".join(found), evidence=evidence)
            return
        if inflight is not None:
            done = f"; in-flight {inflight.request} completed"
        else:
            done = f"; in-flight not tested ({why})" if why else "; no drain_request declared"
        yield passed(ended.summary() + done)
