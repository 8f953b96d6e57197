"""The probe run: start each process once to see it can start, then every probe in parallel.

The preflight's ready instance of each process type is kept for the probes that only
observe a ready instance (`shared=True`) and stopped once the last of them is done.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path

from twelve import __version__, catalogue
from twelve.contract import Contract
from twelve.model import Evidence, Kind, Outcome, Report, Result
from twelve.probe.backing import RunBacking, migration_tasks
from twelve.probe.clock import Clock, SystemClock
from twelve.probe.context import (
    NotReady,
    ProbeContext,
    ProbeSettings,
    ProcessUnderTest,
    RunRecord,
    RunShared,
)
from twelve.probe.env import NotProbeable, build_env
from twelve.probe.gate import StartGate
from twelve.probe.instance import scratch_dir
from twelve.probe.probe import SPECS
from twelve.probe.teardown import install_teardown
from twelve.registry import Check

Progress = Callable[[int, int, str], None]
_TICK_S = 0.1
PREPARE_TIMEOUT_S = 30.0
# Who starts first when starts queue at the gate: the preflight, which the probes that need
# a started service wait for, then those (the longest probes), then the rest.
_PREFLIGHT, _DEPENDENT, _INDEPENDENT = 0, 1, 2


@dataclass(frozen=True, slots=True)
class ProbeOptions:
    """How to run the probes.

    Args:
        select: IDs, names, prefixes or factors (empty: every stable probe).
        ignore: the same, to leave out.
        preview: include preview probes in broad selections.
        process: only this process type.
        jobs: probes running at once (default: all of them; probes mostly wait, and the
            start gate keeps the CPU-bound starts to one per core).
        settings: run-wide probe settings.
    """

    select: Sequence[str] = ()
    ignore: Sequence[str] = ()
    preview: bool = False
    process: str | None = None
    jobs: int | None = None
    settings: ProbeSettings = field(default_factory=ProbeSettings)


@dataclass(slots=True)
class _Task:
    check: Check
    service: ProcessUnderTest
    ctx: ProbeContext
    budget: float
    done: Callable[[], None] | None = None
    started: float | None = None
    results: list[Result] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.check.meta.name} [{self.service.name}]"


def probe_service(
    root: Path,
    contract: Contract,
    options: ProbeOptions,
    *,
    clock: Clock | None = None,
    progress: Progress | None = None,
) -> Report:
    """Probe every process type of the service at `root` and report.

    Args:
        root: the service directory (the processes' working directory).
        contract: its contract.
        options: selection and scheduling.
        clock: the time source (tests may inject one).
        progress: called as `(done, total, label)` when a probe finishes.

    Raises:
        NotProbeable: the contract cannot be probed as written.
        ValueError: `options.process` names no process type.
    """
    clock = clock or SystemClock()
    install_teardown()
    services = _services(root, contract, options.process)
    # Backing services (twelve's own Postgres) live exactly as long as the run.
    with RunBacking(contract, clock) as backing:
        return _probe(root, services, options, clock, progress=progress, backing=backing)


def _probe(
    root: Path,
    services: list[ProcessUnderTest],
    options: ProbeOptions,
    clock: Clock,
    *,
    progress: Progress | None,
    backing: RunBacking,
) -> Report:
    record = RunRecord()
    for service in services:  # fail before starting anything when a value is missing
        scratch = scratch_dir("check")
        try:
            build_env(
                service.contract,
                service.process,
                record.canaries,
                scratch,
                values=backing.templates(),
            )
        except NotProbeable as exc:
            raise NotProbeable("; ".join([str(exc), *backing.problems()])) from None
        finally:
            scratch.rmdir()
    notes = backing.notes() + _prepare_database(services, record, clock, options, backing)
    checks = catalogue.load().select(
        options.select, options.ignore, kind=Kind.PROBE, preview=options.preview
    )
    gate = StartGate()
    shared = RunShared()
    planned = [
        (check, service, SPECS[check.meta.id])
        for check in checks
        for service in services
        if service.kind in SPECS[check.meta.id].kinds
    ]
    # Every probe at once by default: the gate bounds the CPU-bound starts, and the
    # preflight's own starts run next to the probes that need no started service.
    jobs = options.jobs or max(4 * (os.cpu_count() or 1), len(planned) + len(services))
    users = {s.name: sum(spec.shared for _, t, spec in planned if t is s) for s in services}

    def task(check: Check, service: ProcessUnderTest) -> _Task:
        spec = SPECS[check.meta.id]
        ctx = ProbeContext(
            record,
            clock,
            options.settings,
            check.meta.name,
            backing,
            gate=gate,
            shared=shared,
            priority=_DEPENDENT if spec.needs_start else _INDEPENDENT,
        )
        done = (lambda: shared.release(service.name)) if spec.shared else None
        return _Task(check, service, ctx, spec.budget + _timeouts(service), done)

    with _Scheduler(jobs, clock, progress, len(planned)) as scheduler, ExitStack() as stack:
        stack.callback(shared.stop)  # whatever happens, no kept instance outlives the run
        # Probes that do not need a started service run while the preflight does.
        scheduler.submit([task(c, s) for c, s, spec in planned if not spec.needs_start])
        startable = _preflight(
            services,
            record,
            clock,
            options.settings,
            scheduler.pool,
            backing=backing,
            gate=gate,
            shared=shared,
            users=users,
        )
        dependent = []
        for check, service, spec in planned:
            if spec.needs_start and not spec.final:
                dependent.append(task(check, service))
                dependent[-1].ctx.unstartable = _not_started(service, startable[service.name])
        scheduler.submit(dependent)
        scheduler.drain()
        shared.stop()  # the final probes read every instance's output: it must be in
        finals = [(c, s) for c, s, spec in planned if spec.final]
        scheduler.submit([task(c, s) for c, s in finals])
        scheduler.drain()
    tasks = scheduler.tasks
    results = [result for task in tasks for result in task.results]
    order = {check.meta.id: index for index, check in enumerate(checks)}
    results.sort(key=lambda r: (order[r.check.id], r.message))
    return Report(
        str(root),
        tuple(results),
        __version__,
        notes=tuple(notes),
        secrets=frozenset(record.canaries.values),
    )


def _services(root: Path, contract: Contract, only: str | None) -> list[ProcessUnderTest]:
    services = [
        ProcessUnderTest(name, process, contract, root)
        for name, process in contract.processes.items()
        if only is None or name == only
    ]
    if only is not None and not services:
        known = ", ".join(contract.processes) or "none"
        raise ValueError(f"no process type {only!r} in the contract (declared: {known})")
    return services


def _timeouts(service: ProcessUnderTest) -> float:
    process = service.process
    return process.startup_timeout + process.drain_delay + process.shutdown_timeout


def _preflight(
    services: list[ProcessUnderTest],
    record: RunRecord,
    clock: Clock,
    settings: ProbeSettings,
    pool: ThreadPoolExecutor,
    *,
    backing: RunBacking,
    gate: StartGate,
    shared: RunShared,
    users: dict[str, int],
) -> dict[str, NotReady | None]:
    """Start each process once: None when it became ready, else why not (with evidence).

    A ready instance is kept in `shared` for the `users[name]` probes that observe it.
    """

    def attempt(service: ProcessUnderTest) -> NotReady | None:
        task = f"preflight {service.name}"
        ctx = ProbeContext(
            record, clock, settings, task, backing, gate=gate, shared=shared, priority=_PREFLIGHT
        )
        stop = ExitStack()
        try:
            instance = stop.enter_context(ctx.ready_instance(service))
        except NotReady as exc:
            return exc
        shared.keep(service.name, instance, stop, users[service.name])
        return None

    return dict(zip((s.name for s in services), pool.map(attempt, services), strict=True))


def _prepare_database(
    services: list[ProcessUnderTest],
    record: RunRecord,
    clock: Clock,
    options: ProbeOptions,
    backing: RunBacking,
) -> list[str]:
    """Migrate twelve's shared database once, as a release would, before any process starts.

    Returns notes for the report when a migration task fails (the admin probes judge it).
    """
    if backing.shared_database is None or not services:
        return []
    service = services[0]
    ctx = ProbeContext(record, clock, options.settings, "prepare database", backing)
    notes = []
    for name in migration_tasks(service.contract):
        with ctx.admin(service, name) as run:
            code = run.proc.wait_exit(PREPARE_TIMEOUT_S)
        if code != 0:
            how = f"exited {code}" if code is not None else f"ran over {PREPARE_TIMEOUT_S:g} s"
            notes.append(f"preparing twelve's database: admin task {name!r} {how}")
    return notes


def _not_started(service: ProcessUnderTest, why: NotReady | None) -> NotReady | None:
    """What a probe's launches raise when the preflight could not start the process."""
    if why is None:
        return None
    return NotReady(f"could not start {service.name} ({why.reason})", why.evidence)


class _Scheduler:
    """Runs probe tasks on a thread pool; a task past its budget is aborted as an `error`."""

    def __init__(self, jobs: int, clock: Clock, progress: Progress | None, total: int) -> None:
        self.pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="twelve-probe")
        self.tasks: list[_Task] = []
        self._pending: dict[Future[None], _Task] = {}
        self._clock = clock
        self._progress = progress
        self._total = total
        self._done = 0
        self._lock = threading.Lock()

    def __enter__(self) -> _Scheduler:
        return self

    def __exit__(self, *exc_info: object) -> None:
        for task in self._pending.values():
            task.ctx.abort()
        self.pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, tasks: list[_Task]) -> None:
        """Start tasks (they queue when every worker is busy)."""
        self.tasks += tasks
        for task in tasks:
            self._pending[self.pool.submit(self._execute, task)] = task

    def drain(self) -> None:
        """Wait until every submitted task has finished or been aborted."""
        while self._pending:
            finished, _ = wait(self._pending, timeout=_TICK_S, return_when=FIRST_COMPLETED)
            for future in finished:
                self._advance(self._pending.pop(future).label)
            now = self._clock.now()
            for task in self._pending.values():
                with self._lock:
                    overdue = task.started is not None and now - task.started > task.budget
                if overdue and not task.results:
                    task.results = [_overran(task)]
                    task.ctx.abort()

    def _execute(self, task: _Task) -> None:
        with self._lock:
            task.started = self._clock.now()
        try:
            results = _execute(task)
        finally:
            if task.done is not None:
                task.done()
        with self._lock:
            task.results = task.results or results

    def _advance(self, label: str) -> None:
        self._done += 1
        if self._progress is not None:
            self._progress(self._done, self._total, label)


def _execute(task: _Task) -> list[Result]:
    results = task.check.run(task.service, task.ctx)
    if task.results:  # the runner reported an overrun and aborted the probe: keep that
        return task.results
    return [replace(r, message=f"{task.service.name}: {r.message}") for r in results]


def _overran(task: _Task) -> Result:
    return Result(
        check=task.check.meta,
        outcome=Outcome.ERROR,
        message=f"{task.service.name}: overran its budget of {task.budget:g} s and was stopped",
        evidence=(Evidence("budget", (f"{task.budget:g} s",)),),
    )
