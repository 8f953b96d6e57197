"""P0401 readiness-tracks-dependencies."""

from collections.abc import Iterator

from twelve.model import Severity, Verdict, fail, not_applicable, passed
from twelve.probe.context import READY_SLACK_S, ProbeContext, ProcessUnderTest
from twelve.probe.probe import probe
from twelve.probe.probes.f04_backing_services._outage import (
    Outage,
    is_2xx,
    is_5xx,
    precondition,
)
from twelve.probe.proxy import Mode

NOTICE_S = 5.0  # "within a few seconds" of the outage, readiness must say 5xx
RECOVER_S = 10.0  # after the dependency is back, a reconnect with backoff gets this long
ASK_TIMEOUT_S = 3.0  # one slow answer still counts here; health-bounded-under-outage judges speed
FAULTS = (Mode.REFUSE, Mode.BLACKHOLE)


@probe(
    id="P0401",
    name="readiness-tracks-dependencies",
    factor=4,
    severity=Severity.ERROR,
    summary="Readiness fails while a backing service is down and recovers when it is back",
    remediation="Check each backing service in the readiness endpoint, with a short timeout.",
    budget=READY_SLACK_S + NOTICE_S + 2 * len(FAULTS) * (NOTICE_S + RECOVER_S) + 10.0,
)
def readiness_tracks_dependencies(
    service: ProcessUnderTest, ctx: ProbeContext
) -> Iterator[Verdict]:
    """
    ## What it does
    Starts an instance whose backing services (config keys marked `backing_service = true`)
    each go through a fault proxy of its own, and waits until readiness is 2xx with every
    dependency up. Then, for each backing service in turn, it refuses connections, and
    later blackholes them (accepted, never answered): within 5 s readiness must answer
    5xx; after the proxy passes traffic again, readiness must be 2xx within 10 s, without
    a restart. The evidence is the timeline of switches and answers.

    ## Why is this bad?
    Readiness tells the load balancer whether to send traffic. An instance that cannot
    reach its database but stays "ready" takes requests it can only fail, while healthy
    instances sit idle; one that never becomes ready again after a blip needs a restart
    for no reason.

    ## Example
    ```python
    @app.get("/readyz")
    def readyz():
        return {"status": "ok"}          # ready even when the database is gone
    ```

    ## Use instead
    ```python
    @app.get("/readyz")
    def readyz():
        try:
            db.execute("SELECT 1", timeout=0.5)
        except DatabaseError:
            return JSONResponse({"status": "down"}, status_code=503)
        return {"status": "ok"}
    ```

    ## Known problems
    Every backing service is treated as essential: readiness must fail when any one of
    them is down, even one the service could do without.
    """
    path = service.process.readiness
    if not path:
        yield not_applicable("no readiness path declared")
        return
    if (why := precondition(ctx)) is not None:
        yield why
        return
    with ctx.ready_instance(service, faults=True) as instance:
        outage = Outage(instance, ctx)
        if outage.await_answer(path, is_2xx, NOTICE_S, timeout=ASK_TIMEOUT_S) is None:
            yield fail(
                f"{path} not 2xx within {NOTICE_S:g} s with every dependency up",
                evidence=outage.evidence(),
            )
            return
        notices: list[float] = []
        for key in instance.proxies:
            for mode in FAULTS:
                switched = outage.switch(mode, keys=[key])
                down = outage.await_answer(path, is_5xx, NOTICE_S, timeout=ASK_TIMEOUT_S)
                outage.switch(Mode.PASS, keys=[key])
                if down is None:
                    yield fail(
                        f"{path} not 5xx within {NOTICE_S:g} s of {key} {mode.value}",
                        evidence=outage.evidence(),
                    )
                    return
                notices.append(down.t + down.seconds - switched)
                if outage.await_answer(path, is_2xx, RECOVER_S, timeout=ASK_TIMEOUT_S) is None:
                    yield fail(
                        f"{path} not 2xx within {RECOVER_S:g} s after {key} {mode.value} ended",
                        evidence=outage.evidence(),
                    )
                    return
        modes = "/".join(mode.value for mode in FAULTS)
        yield passed(
            f"{path} went 5xx within {max(notices):.2f} s of each {modes} of"
            f" {', '.join(instance.proxies)} and 2xx again after each",
            evidence=(outage.timeline(),),
        )
