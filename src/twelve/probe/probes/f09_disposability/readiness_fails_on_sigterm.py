"""P0904 readiness-fails-on-sigterm."""

import signal
import threading
from collections.abc import Iterator

from twelve.model import Evidence, Severity, Verdict, fail, not_applicable, passed
from twelve.probe.context import ProbeContext, ProcessUnderTest
from twelve.probe.instance import Exchange, Instance
from twelve.probe.probe import probe
from twelve.probe.probes.f09_disposability._loopback import fetch, no_answer, since_exec
from twelve.probe.probes.f09_disposability._shutdown import JUDGED_GRACE_S

FLIP_S = 0.5  # readiness must fail this soon after SIGTERM (a Kubernetes period is >= 1 s)
END_MARGIN_S = 0.3  # stop checking this long before the drain ends: the request must land in it
POLL_S = 0.05
SERVE_EVERY_S = 0.15
TIMEOUT_S = 1.0


@probe(
    id="P0904",
    name="readiness-fails-on-sigterm",
    factor=9,
    severity=Severity.ERROR,
    summary="Readiness answers 5xx at once after SIGTERM while requests are still served",
    remediation="On SIGTERM, make readiness answer 503 at once and keep serving for drain_delay.",
)
def readiness_fails_on_sigterm(service: ProcessUnderTest, ctx: ProbeContext) -> Iterator[Verdict]:
    """
    ## What it does
    Starts a fresh instance, waits until it is ready and sends SIGTERM. Within half a second
    the readiness path must answer 5xx. For the rest of the `drain_delay`, ordinary requests
    (the liveness path, or the version path) must still be answered 2xx: the instance keeps
    serving while the load balancer takes it out of rotation. With `drain_delay = 0` the
    instance may instead stop listening at once; readiness then only must never answer 2xx
    after SIGTERM (5xx and a refused connection both pass).

    ## Why is this bad?
    Load balancers and Kubernetes keep sending traffic to an instance until its readiness
    fails. A process that keeps reporting ready while it shuts down, or that stops
    serving before the load balancer noticed, drops the requests routed to it meanwhile.

    ## Example
    ```python
    def on_sigterm(signum, frame):
        server.shutdown()          # readiness never failed; listener closed at once
    ```

    ## Use instead
    ```python
    def on_sigterm(signum, frame):
        state.ready = False        # /readyz answers 503 from now on
        threading.Timer(DRAIN_DELAY, server.shutdown).start()
    ```

    ## Known problems
    A refused connection counts as a failed readiness only when `drain_delay` is 0 or
    already over: during a declared drain the process must still be listening.
    """
    process = service.process
    if not process.readiness:
        yield not_applicable("no readiness path declared")
        return
    drain = process.drain_delay
    path = process.liveness or process.version
    with ctx.ready_instance(service) as instance:
        watch = _Watch(instance, ctx)
        serving = None
        if drain > 0 and path:
            serving = threading.Thread(
                target=watch.still_served, args=(path, drain, process.shutdown_timeout)
            )
            serving.start()
        problem = watch.readiness_fails(process.readiness, drain)
        if serving is not None:
            serving.join(process.shutdown_timeout + TIMEOUT_S)
            problem = problem or watch.serve_problem
        seen = sorted(watch.readiness + watch.served, key=lambda exchange: exchange.t)
        lines = tuple(f"{e.describe()} {e.body[:100]}".rstrip() for e in seen[-12:])
        evidence = (Evidence("requests after SIGTERM", lines), *instance.evidence())
        instance.stop(JUDGED_GRACE_S)
    if problem is not None:
        yield fail(problem, evidence=evidence)
        return
    flip = watch.readiness[-1]
    how = str(flip.status) if flip.status is not None else no_answer(flip.error)
    message = f"readiness {how} {watch.offset(flip):.2f} s after SIGTERM"
    if serving is not None and watch.served:
        message += f"; {path} served {len(watch.served)}x during the {drain:g} s drain"
    elif serving is not None:
        message += f"; {path} not checked: the machine was too slow for the {drain:g} s drain"
    yield passed(message)


class _Watch:
    """SIGTERM sent at construction, and the requests made after it, by kind."""

    def __init__(self, instance: Instance, ctx: ProbeContext) -> None:
        self.instance = instance
        self.ctx = ctx
        self.readiness: list[Exchange] = []
        self.served: list[Exchange] = []
        self.serve_problem: str | None = None
        self.sent = ctx.clock.now()
        instance.signal(signal.SIGTERM)

    def offset(self, exchange: Exchange) -> float:
        """Seconds from the signal to the start of `exchange`."""
        return exchange.t - since_exec(self.instance, self.sent)

    def readiness_fails(self, path: str, drain: float) -> str | None:
        """Poll readiness until it stops answering 2xx; why that was wrong or late, or None."""
        while True:
            answer = fetch(self.instance, self.ctx, path, timeout=TIMEOUT_S)
            self.readiness.append(answer)
            at = self.offset(answer)
            if answer.status is None:
                if drain > 0 and at < drain:
                    how = no_answer(answer.error)
                    return f"readiness {how} {at:.2f} s after SIGTERM, inside the {drain:g} s drain"
                return None
            if not 200 <= answer.status < 300:
                if 500 <= answer.status < 600:
                    return None
                return f"readiness answered {answer.status} after SIGTERM (expected 5xx)"
            if at >= FLIP_S:  # judged by when the request left, so a slow answer is not late
                return f"readiness still answered {answer.status} {at:.2f} s after SIGTERM"
            self.ctx.clock.sleep(POLL_S)

    def still_served(self, path: str, drain: float, limit: float) -> None:
        """Request `path` until shortly before the drain ends; keeps why it was not served.

        A slow answer still counts as served (its speed is liveness-endpoint's business), so
        each request may take until the shutdown_timeout `limit`.
        """
        while (elapsed := self.ctx.clock.now() - self.sent) < drain - END_MARGIN_S:
            answer = fetch(self.instance, self.ctx, path, timeout=max(limit - elapsed, TIMEOUT_S))
            self.served.append(answer)
            if answer.status is None or not 200 <= answer.status < 300:
                how = f"answered {answer.status}" if answer.status else no_answer(answer.error)
                at = self.offset(answer)
                self.serve_problem = (
                    f"GET {path} {how} {at:.2f} s after SIGTERM, inside the {drain:g} s drain"
                )
                return
            self.ctx.clock.sleep(SERVE_EVERY_S)
