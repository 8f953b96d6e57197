"""P0403 health-bounded-under-outage."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

from twelve.model import Severity, Verdict, fail, not_applicable, passed
from twelve.probe.context import READY_SLACK_S, ProbeContext, ProcessUnderTest
from twelve.probe.instance import Exchange
from twelve.probe.probe import probe
from twelve.probe.probes.f04_backing_services._outage import Outage, answer, precondition
from twelve.probe.proxy import Mode

LIMIT_S = 1.0  # a health check answers within this, whatever the dependencies do
ASK_TIMEOUT_S = 2.5  # waited beyond the limit, so the report can say how slow it was
ROUND_GAP_S = 1.0  # a second round catches checks that notice the outage lazily
ROUNDS = 2


@probe(
    id="P0403",
    name="health-bounded-under-outage",
    factor=4,
    severity=Severity.ERROR,
    summary="Liveness and readiness answer within 1 s while backing services hang",
    remediation="Give every dependency call in a health check a timeout well under a second.",
    budget=READY_SLACK_S + ROUNDS * (ASK_TIMEOUT_S + ROUND_GAP_S) + 10.0,
)
def health_bounded_under_outage(service: ProcessUnderTest, ctx: ProbeContext) -> Iterator[Verdict]:
    """
    ## What it does
    Starts an instance whose backing services each go through a fault proxy of its own,
    waits until it is ready, then blackholes every dependency: connections are accepted
    but never answered, like a database behind a dead network link. Right away and again
    a second later, it asks liveness and readiness at the same time. Each must answer (any
    status) within 1 s.

    ## Why is this bad?
    Health checks have timeouts of their own (Kubernetes: 1 s by default). A readiness
    check that waits on a hung connection without a timeout does not say "not ready": it
    times out, piles up threads or connections, and a liveness check stuck behind it gets
    the process restarted. A partition should make a health check fail fast, not hang.

    ## Example
    ```python
    @app.get("/readyz")
    def readyz():
        db.execute("SELECT 1")           # waits as long as the TCP stack does: minutes
        return {"status": "ok"}
    ```

    ## Use instead
    ```python
    @app.get("/readyz")
    async def readyz():
        try:
            await asyncio.wait_for(db.execute("SELECT 1"), timeout=0.5)
        except (TimeoutError, DatabaseError):
            return JSONResponse({"status": "down"}, status_code=503)
        return {"status": "ok"}
    ```
    """
    paths = [p for p in (service.process.liveness, service.process.readiness) if p]
    if not paths:
        yield not_applicable("no liveness or readiness path declared")
        return
    if (why := precondition(ctx)) is not None:
        yield why
        return
    with ctx.ready_instance(service, faults=True) as instance:
        outage = Outage(instance, ctx)
        outage.switch(Mode.BLACKHOLE)
        slow: list[Exchange] = []
        asked: list[Exchange] = []
        with ThreadPoolExecutor(len(paths), "twelve-health") as pool:
            for round_ in range(ROUNDS):
                if round_:
                    ctx.clock.sleep(ROUND_GAP_S)
                answers = list(pool.map(lambda p: outage.ask(p, timeout=ASK_TIMEOUT_S), paths))
                asked += answers
                slow += [x for x in answers if x.status is None or x.seconds > LIMIT_S]
                if slow:
                    break
        outage.switch(Mode.PASS)
        if slow:
            shown = ", ".join(f"{x.path} {_took(x)}" for x in slow)
            message = f"during blackhole: {shown} (limit {LIMIT_S:g} s)"
            yield fail(message, evidence=outage.evidence())
            return
        slowest = max(asked, key=lambda x: x.seconds)
        yield passed(
            f"during blackhole every answer came within {slowest.seconds:.2f} s"
            f" (slowest {slowest.path} {slowest.status}; limit {LIMIT_S:g} s)",
            evidence=(outage.timeline(),),
        )


def _took(exchange: Exchange) -> str:
    if exchange.status is None:
        return answer(exchange)
    return f"answered {exchange.status} after {exchange.seconds:.2f} s"
