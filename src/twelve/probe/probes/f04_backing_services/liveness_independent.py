"""P0402 liveness-independent-of-dependencies."""

from collections import Counter
from collections.abc import Iterator

from twelve.model import CheckInconclusive, Severity, Verdict, fail, not_applicable, passed
from twelve.probe.context import READY_SLACK_S, ProbeContext, ProcessUnderTest
from twelve.probe.probe import probe
from twelve.probe.probes.f04_backing_services._outage import (
    Outage,
    answer,
    is_2xx,
    precondition,
)
from twelve.probe.proxy import Mode

HOLD_S = 1.0  # per fault mode: a dependency check with a sub-second timeout fails by then
ASK_TIMEOUT_S = 2.0
BASELINE_S = 5.0  # with every dependency up, liveness gets this long to answer 2xx
READINESS_NUDGE_S = 0.5  # readiness is asked once per mode, as a kubelet would, so lazy checks run
LATENCY_MS = 300
FAULTS = (Mode.REFUSE, Mode.BLACKHOLE, Mode.RESET, Mode.LATENCY)


@probe(
    id="P0402",
    name="liveness-independent-of-dependencies",
    factor=4,
    severity=Severity.ERROR,
    summary="Liveness stays 2xx while backing services fail in every way",
    remediation="Keep dependency checks out of liveness: report only whether the process works.",
    budget=READY_SLACK_S + BASELINE_S + len(FAULTS) * (HOLD_S + 2 * ASK_TIMEOUT_S) + 10.0,
)
def liveness_independent_of_dependencies(
    service: ProcessUnderTest, ctx: ProbeContext
) -> Iterator[Verdict]:
    """
    ## What it does
    Starts an instance whose backing services each go through a fault proxy of its own,
    then puts every proxy through each fault mode in turn: refuse, blackhole (accepted,
    never answered), reset, and 300 ms of latency per chunk, for 1 s each. Meanwhile it
    asks the liveness path again and again (2 s timeout), and readiness once per mode. Every
    liveness answer must be 2xx.

    ## Why is this bad?
    A failing liveness check makes the orchestrator restart the process. When liveness
    checks the database, a database outage restarts every instance at once, over and
    over: the outage of one dependency becomes an outage of the whole service, and cold
    starts pile onto the database the moment it comes back.

    ## Example
    ```python
    @app.get("/healthz")
    def healthz():
        db.execute("SELECT 1")           # the database is down: every instance restarts
        return {"status": "ok"}
    ```

    ## Use instead
    ```python
    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}          # the process is alive; readiness covers the database
    ```
    """
    path = service.process.liveness
    if not path:
        yield not_applicable("no liveness path declared")
        return
    if (why := precondition(ctx)) is not None:
        yield why
        return
    readiness = service.process.readiness
    with ctx.ready_instance(service, faults=True) as instance:
        outage = Outage(instance, ctx)
        if outage.await_answer(path, is_2xx, BASELINE_S, timeout=ASK_TIMEOUT_S) is None:
            raise CheckInconclusive(
                f"{path} not 2xx within {BASELINE_S:g} s even with every dependency up"
                " (see liveness-endpoint)",
                outage.evidence(),
            )
        bad: Counter[str] = Counter()
        asked = 0
        for mode in FAULTS:
            outage.switch(mode, latency_ms=LATENCY_MS if mode is Mode.LATENCY else None)
            if readiness:
                outage.ask(readiness, timeout=READINESS_NUDGE_S)
            seen = outage.hold(path, HOLD_S, timeout=ASK_TIMEOUT_S)
            asked += len(seen)
            bad.update(f"{answer(x)} during {mode.value}" for x in seen if not is_2xx(x))
        outage.switch(Mode.PASS)
        if bad:
            shown = ", ".join(f"{what} ({n}x)" for what, n in bad.items())
            yield fail(f"{path} answered {shown}", evidence=outage.evidence())
            return
        modes = "/".join(mode.value for mode in FAULTS)
        yield passed(
            f"{path} answered 2xx all {asked} times during {modes} of"
            f" {', '.join(instance.proxies)}",
            evidence=(outage.timeline(),),
        )
