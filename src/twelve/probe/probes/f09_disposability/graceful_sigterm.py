"""P0902 graceful-sigterm."""

import signal
from collections.abc import Iterator

from twelve.model import Severity, Verdict, fail, passed
from twelve.probe.context import ProbeContext, ProcessUnderTest
from twelve.probe.probe import probe
from twelve.probe.probes.f09_disposability._shutdown import stop_with


@probe(
    id="P0902",
    name="graceful-sigterm",
    factor=9,
    severity=Severity.ERROR,
    summary="The web process exits 0 within its shutdown_timeout after SIGTERM",
    remediation="Handle SIGTERM: stop accepting, finish in-flight work, then exit 0 in time.",
)
def graceful_sigterm(service: ProcessUnderTest, ctx: ProbeContext) -> Iterator[Verdict]:
    """
    ## What it does
    Starts a fresh instance, waits until it is ready, sends SIGTERM to its process group
    and measures the time until it exits. It fails when the process is still running at the
    contract's `shutdown_timeout` (it then gets SIGKILL, as Kubernetes would send it) or
    exits with anything but 0, or when its last stdout line never got its newline (the log
    was not flushed before exit). With `--lenient-exit`, 143 and -15 (killed by SIGTERM's
    default action) are accepted too.

    The limit is `shutdown_timeout` itself, which the contract defines as "SIGTERM to exit":
    the `drain_delay` is spent inside it, as a Kubernetes preStop sleep is spent inside
    `terminationGracePeriodSeconds`.

    ## Why is this bad?
    Every deploy, scale-in and node drain stops processes with SIGTERM. A process that
    ignores it is killed after the grace period, mid-request and without flushing; one
    that dies of the signal's default action skips its cleanup and reports a failure
    exit code that hides real crashes.

    ## Example
    ```python
    signal.signal(signal.SIGTERM, signal.SIG_IGN)   # or: no handler at all
    server.serve_forever()
    ```

    ## Use instead
    ```python
    def on_sigterm(signum, frame):
        threading.Thread(target=server.shutdown).start()   # finishes in-flight requests

    signal.signal(signal.SIGTERM, on_sigterm)
    server.serve_forever()
    sys.exit(0)
    ```

    ## Known problems
    A `drain_delay` as long as `shutdown_timeout` cannot pass: the drain alone uses the
    whole limit.
    """
    process = service.process
    with ctx.ready_instance(service) as instance:
        ended = stop_with(instance, signal.SIGTERM, process.shutdown_timeout, ctx.clock)
        problem = ended.problem(lenient=ctx.settings.lenient_exit)
        stdout = [line for line in instance.output() if line.stream == "stdout"]
        if problem is None and stdout and not stdout[-1].complete:
            problem = f"last stdout line was not flushed before exit: {stdout[-1].text[:80]!r}"
        if problem is None:
            yield passed(ended.summary())
            return
        if process.drain_delay >= process.shutdown_timeout:
            problem += f"; drain_delay {process.drain_delay:g} s leaves no time to exit"
        yield fail(problem, evidence=instance.evidence())
