"""P0901 startup-time."""

from collections.abc import Iterator

from twelve.model import Severity, Verdict, fail, passed
from twelve.probe.context import ProbeContext, ProcessUnderTest
from twelve.probe.probe import probe


@probe(
    id="P0901",
    name="startup-time",
    factor=9,
    severity=Severity.ERROR,
    summary="The web process is ready within its startup_timeout",
    remediation="Defer slow work (warm-ups, migrations) out of startup, or raise startup_timeout.",
    needs_start=False,
)
def startup_time(service: ProcessUnderTest, ctx: ProbeContext) -> Iterator[Verdict]:
    """
    ## What it does
    Starts a fresh instance and measures the time from exec until it accepts connections
    on its port and its readiness path (or liveness, when no readiness is declared) answers
    2xx. It fails when that takes longer than the contract's `startup_timeout`.

    ## Why is this bad?
    Orchestrators kill and restart processes that do not become ready in time, and slow
    starts make scaling out and recovering from crashes slow. The playbook asks for fast,
    deterministic startup.

    ## Example
    ```python
    app = create_app()
    warm_cache_from_database()   # 40 s before the port opens
    serve(app, port=int(os.environ["PORT"]))
    ```

    ## Use instead
    ```python
    app = create_app()
    app.on_startup(warm_cache_in_background)   # readiness reports 503 until warm
    serve(app, port=int(os.environ["PORT"]))
    ```
    """
    limit = service.process.startup_timeout
    with ctx.launch(service) as instance:
        readiness = instance.wait_ready(limit)
        if readiness.ready:
            yield passed(f"ready in {readiness.seconds:.2f} s (limit {limit:g} s)")
        else:
            yield fail(
                f"not ready within {limit:g} s: {readiness.reason}", evidence=instance.evidence()
            )
