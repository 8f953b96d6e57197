"""P0905 refuses-after-drain."""

import signal
from collections.abc import Iterator

from twelve.model import Evidence, Severity, Verdict, fail, passed
from twelve.probe.clock import Deadline
from twelve.probe.context import ProbeContext, ProcessUnderTest
from twelve.probe.instance import Exchange, Instance
from twelve.probe.probe import probe
from twelve.probe.probes.f09_disposability._loopback import fetch, no_answer, since_exec
from twelve.probe.probes.f09_disposability._shutdown import (
    JUDGED_GRACE_S,
    SETTLE_S,
    InflightRequest,
)

AFTER_DRAIN_S = 0.1  # first look this long after the drain's end
WATCH_S = 1.5  # answers are forgiven this long after that (a loaded or late process)
ANSWER_S = 1.0  # a new connection must be answered or refused within this
POLL_S = 0.1


@probe(
    id="P0905",
    name="refuses-after-drain",
    factor=9,
    severity=Severity.ERROR,
    summary="After SIGTERM and the drain, new connections are refused, not left hanging",
    remediation="Close the listening socket once the drain ends, instead of just not accepting.",
)
def refuses_after_drain(service: ProcessUnderTest, ctx: ProbeContext) -> Iterator[Verdict]:
    """
    ## What it does
    Starts a fresh instance, keeps the contract's `drain_request` in flight (so the process
    is still alive after the drain), sends SIGTERM and, once `drain_delay` has passed, opens
    new connections. They must be refused, or the process be gone. A connection that is
    accepted but gets no answer within a second, a connect that times out, or a connection
    still answered 1.5 s after the drain ended, fails.

    ## Why is this bad?
    A server that stops calling `accept()` but keeps its listening socket open lets the
    kernel queue new connections that nobody will ever serve: clients hang until their own
    timeout instead of failing over at once to another instance. One that never stops
    accepting keeps taking work it may not finish before it is killed.

    ## Example
    ```python
    server.shutdown()        # the accept loop stops, the socket stays open
    wait_for_inflight()
    ```

    ## Use instead
    ```python
    server.shutdown()
    server.server_close()    # new connects are refused from here on
    wait_for_inflight()
    ```

    ## Known problems
    Without a `drain_request`, a process that exits right after its drain passes without
    its listener being tested.
    """
    process = service.process
    drain, limit = process.drain_delay, process.shutdown_timeout
    path = process.liveness or process.readiness or "/"
    with ctx.ready_instance(service) as instance:
        timeout = SETTLE_S + limit + 1
        inflight, _ = InflightRequest.keep_alive(instance, process.drain_request, ctx, timeout)
        sent = ctx.clock.now()
        instance.signal(signal.SIGTERM)
        instance.proc.wait_exit(max(sent + drain + AFTER_DRAIN_S - ctx.clock.now(), 0.0))
        verdict = _watch(instance, path, drain, sent, ctx)
        instance.stop(JUDGED_GRACE_S)
        if inflight is not None:
            inflight.join(JUDGED_GRACE_S)
    yield verdict


def _watch(instance: Instance, path: str, drain: float, sent: float, ctx: ProbeContext) -> Verdict:
    """Open new connections until one is refused or hangs, or the process is gone."""
    watch = Deadline(ctx.clock, WATCH_S)
    seen: list[Exchange] = []
    while (code := instance.proc.poll()) is None:
        answer = fetch(instance, ctx, path, timeout=ANSWER_S)
        seen.append(answer)
        at = answer.t - since_exec(instance, sent)
        if answer.status is None:
            how = no_answer(answer.error)
            if how not in ("not answered", "connect timed out"):
                return passed(f"new connection {how} {at:.2f} s after SIGTERM")
            return fail(
                f"new connection {how} within {ANSWER_S:g} s, "
                f"{at:.2f} s after SIGTERM (drain {drain:g} s)",
                evidence=(_requests(seen), *instance.evidence()),
            )
        if watch.expired():
            return fail(
                f"new connection still answered {answer.status} {at:.2f} s after SIGTERM "
                f"(drain {drain:g} s)",
                evidence=(_requests(seen), *instance.evidence()),
            )
        watch.sleep(POLL_S)
    after = ctx.clock.now() - sent
    return passed(f"gone {after:.2f} s after SIGTERM (exit {code}): new connections refused")


def _requests(seen: list[Exchange]) -> Evidence:
    """The new-connection attempts, the last few."""
    return Evidence("new connections after the drain", tuple(e.describe() for e in seen[-8:]))
