"""P0910 worker-busy-sigterm."""

import signal
from collections.abc import Iterator

from twelve.model import (
    CheckInconclusive,
    Evidence,
    Lifecycle,
    Severity,
    Verdict,
    fail,
    not_applicable,
    passed,
)
from twelve.probe.backing import migration_tasks
from twelve.probe.context import ProbeContext, ProcessUnderTest
from twelve.probe.instance import Instance, wait_until
from twelve.probe.postgres import EphemeralPostgres, PostgresUnavailable, Snapshot
from twelve.probe.probe import probe
from twelve.probe.probes.f12_admin_processes._tasks import TASK_TIMEOUT_S, TaskRun, run_task

SETTLE_S = 1.0  # after its first line, a worker has installed its signal handlers
BUSY_WAIT_S = 5.0  # after the trigger, the worker shows it took the work within this
POLL_S = 0.25
KILL_WAIT_S = 3.0


@probe(
    id="P0910",
    name="worker-busy-sigterm",
    factor=9,
    severity=Severity.ERROR,
    summary="A busy worker finishes its current job on SIGTERM, then exits 0 in time",
    remediation="On SIGTERM, stop taking jobs, finish (or hand back) the current one, exit 0.",
    kinds=("worker",),
    budget=2 * TASK_TIMEOUT_S + BUSY_WAIT_S + 20.0,
    lifecycle=Lifecycle.PREVIEW,
)
def worker_busy_sigterm(service: ProcessUnderTest, ctx: ProbeContext) -> Iterator[Verdict]:
    """
    ## What it does
    Needs the worker's `busy_trigger`: an admin task or a command that enqueues work.
    On a fresh database of twelve's Postgres (migrated by the migration tasks) it starts
    the worker, runs the trigger, waits until the worker writes a line (it took the job),
    and sends SIGTERM: the worker must exit 0 within `shutdown_timeout`. Then a second
    worker starts on the same database: when it changes anything within
    `shutdown_timeout`, the first one left its job unfinished.

    ## Why is this bad?
    Deploys stop workers in the middle of jobs. A worker that dies on SIGTERM, or exits
    at once and leaves the job for a redelivery, loses work or does it twice (e-mails sent
    twice, payments captured twice), and each deploy turns into a retry storm.

    ## Example
    ```python
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))   # mid-job: rolled back, redone
    while True:
        handle(queue.take())
    ```

    ## Use instead
    ```python
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    while not stopping.is_set():
        if job := queue.take(timeout=1):
            handle(job)            # runs to the end, then the loop sees the flag
    ```

    ## Known problems
    Without a twelve-provided Postgres only the exit is judged. A worker that writes to
    the database on its own (heartbeats, a registry of workers) looks like one that left
    work behind.
    """
    trigger = service.process.busy_trigger
    if trigger is None:
        yield not_applicable("no busy_trigger declared for this worker")
        return
    contract, process = service.contract, service.process
    named = isinstance(trigger, str) and trigger in contract.admin
    task, command = (str(trigger), None) if named else ("busy_trigger", trigger)
    postgres, database = ctx.backing.postgres, None
    if postgres is not None:
        database = ctx.backing.fresh_database()
        for migration in migration_tasks(contract):
            _succeed(run_task(service, ctx, migration, database=database), "migration")
    with ctx.launch(service, database=database) as instance:
        _settle(instance, ctx, process.startup_timeout)
        triggered = ctx.clock.now() - instance.proc.started_at
        _succeed(run_task(service, ctx, task, command=command, database=database), "trigger")
        if not wait_until(ctx.clock, BUSY_WAIT_S, lambda: _wrote_since(instance, triggered)):
            raise CheckInconclusive(
                f"the worker wrote nothing within {BUSY_WAIT_S:g} s of busy_trigger {task}",
                instance.evidence(),
            )
        ended = _terminate(instance, ctx, process.shutdown_timeout)
        if (problem := _exit_problem(ended, ctx.settings.lenient_exit)) is not None:
            yield fail(f"busy: {problem}", evidence=instance.evidence())
            return
        instance.stop(KILL_WAIT_S)  # joins the output readers: the evidence is complete
        busy = instance.evidence()
    summary = f"exited 0 after {ended[1]:.2f} s (limit {process.shutdown_timeout:g} s)"
    if postgres is None or database is None:
        yield passed(f"busy: {summary} (job completion not checked: no twelve Postgres)")
        return
    if (left := _leftover(service, ctx, postgres, database)) is not None:
        changes, evidence = left
        yield fail(
            f"busy: {summary}, but the next worker changed the database"
            f" ({len(changes)} changes): the job was not finished",
            evidence=(Evidence("database changes", tuple(changes)), *busy, *evidence),
        )
        return
    yield passed(f"busy: {summary}; nothing left for the next worker")


def _terminate(instance: Instance, ctx: ProbeContext, limit: float) -> tuple[int | None, float]:
    """SIGTERM; the exit code (None: still running at `limit`, then KILLed) and seconds."""
    sent = ctx.clock.now()
    instance.signal(signal.SIGTERM)
    code = instance.proc.wait_exit(limit)
    seconds = ctx.clock.now() - sent
    if code is None:
        instance.signal(signal.SIGKILL)
        instance.proc.wait_exit(KILL_WAIT_S)
    return code, seconds


def _exit_problem(ended: tuple[int | None, float], lenient: bool) -> str | None:
    code, seconds = ended
    if code is None:
        return f"still running {seconds:.2f} s after SIGTERM: needed SIGKILL"
    if code == 0 or (lenient and code in (128 + signal.SIGTERM, -signal.SIGTERM)):
        return None
    return f"exited {code} {seconds:.2f} s after SIGTERM (expected 0)"


def _succeed(run: TaskRun, what: str) -> None:
    if (problem := run.problem()) is not None:
        raise CheckInconclusive(f"{what} {run.task} {problem}", run.evidence)


def _settle(instance: Instance, ctx: ProbeContext, startup_timeout: float) -> None:
    """Wait for the worker's first line, then `SETTLE_S` more; inconclusive if it exits."""
    wait_until(ctx.clock, startup_timeout, lambda: bool(instance.output()) or _gone(instance))
    if not _gone(instance):
        ctx.clock.sleep(SETTLE_S)
    if _gone(instance):
        raise CheckInconclusive(f"exited {instance.proc.poll()} at start", instance.evidence())


def _gone(instance: Instance) -> bool:
    return instance.proc.poll() is not None


def _wrote_since(instance: Instance, t: float) -> bool:
    return any(line.t >= t for line in instance.output())


def _leftover(
    service: ProcessUnderTest, ctx: ProbeContext, postgres: EphemeralPostgres, database: str
) -> tuple[list[str], tuple[Evidence, ...]] | None:
    """Start a second worker; what it changes within shutdown_timeout was left unfinished."""
    before = _snapshot(postgres, database)
    with ctx.launch(service, database=database) as instance:
        wait_until(ctx.clock, service.process.startup_timeout, lambda: bool(instance.output()))
        end = ctx.clock.now() + service.process.shutdown_timeout
        while ctx.clock.now() < end and not _gone(instance):
            ctx.clock.sleep(POLL_S)
            if changes := before.changes(_snapshot(postgres, database)):
                return changes, instance.evidence()
    return None


def _snapshot(postgres: EphemeralPostgres, database: str) -> Snapshot:
    try:
        return postgres.snapshot(database)
    except PostgresUnavailable as exc:
        raise CheckInconclusive(f"could not read the database: {exc}") from None
