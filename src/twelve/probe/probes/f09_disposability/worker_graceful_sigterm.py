"""P0907 worker-graceful-sigterm."""

import signal
from collections.abc import Iterator

from twelve.model import Severity, Verdict, fail, passed
from twelve.probe.context import ProbeContext, ProcessUnderTest
from twelve.probe.instance import Instance, wait_until
from twelve.probe.probe import probe
from twelve.probe.probes.f09_disposability._loopback import since_exec
from twelve.probe.probes.f09_disposability._shutdown import stop_with

SETTLE_S = 1.0  # after its first output line, a worker has set up its signal handlers


@probe(
    id="P0907",
    name="worker-graceful-sigterm",
    factor=9,
    severity=Severity.ERROR,
    summary="A worker process exits 0 within its shutdown_timeout after SIGTERM",
    remediation="Handle SIGTERM in the worker: finish or return the current job, then exit 0.",
    kinds=("worker",),
)
def worker_graceful_sigterm(service: ProcessUnderTest, ctx: ProbeContext) -> Iterator[Verdict]:
    """
    ## What it does
    Starts a fresh worker, lets it run for a second, sends SIGTERM to its process group and
    measures the time until it exits. It fails when the worker is still running at the
    contract's `shutdown_timeout` (it then gets SIGKILL) or exits with anything but 0
    (with `--lenient-exit`, 143 and -15 are accepted too).

    ## Why is this bad?
    A worker that ignores SIGTERM is killed at the end of every deploy's grace period,
    in the middle of a job: the job is lost or runs twice, and the deploy takes the whole
    grace period for nothing.

    ## Example
    ```python
    while True:                 # SIGTERM: nobody is listening
        job = queue.take()
        handle(job)
    ```

    ## Use instead
    ```python
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    while not stopping.is_set():
        if job := queue.take(timeout=1):
            handle(job)
    sys.exit(0)
    ```
    """
    with ctx.ready_instance(service) as instance:
        _settle(instance, ctx, service.process.startup_timeout)
        ended = stop_with(instance, signal.SIGTERM, service.process.shutdown_timeout, ctx.clock)
        problem = ended.problem(lenient=ctx.settings.lenient_exit)
        if problem is None:
            yield passed(ended.summary())
        else:
            yield fail(problem, evidence=instance.evidence())


def _settle(instance: Instance, ctx: ProbeContext, startup_timeout: float) -> None:
    """Wait until the worker has written a line and had `SETTLE_S` more to set itself up.

    A second after exec is not enough on a loaded machine: an interpreter may not have
    installed its SIGTERM handler yet, and would die of the default action.
    """
    left = max(startup_timeout - since_exec(instance, ctx.clock.now()), 0.0)
    if not wait_until(ctx.clock, left, lambda: bool(instance.output())):
        return  # a silent worker: the settle time ready_instance gave it has to do
    first = instance.output()[0].t
    ctx.clock.sleep(max(first + SETTLE_S - since_exec(instance, ctx.clock.now()), 0.0))
