"""What a probe works with: the service under test, fresh instances, and the run's records."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from twelve.contract import Contract, ProcessType
from twelve.model import CheckInconclusive
from twelve.probe.backing import RunBacking, release_proxies, stop_proxies
from twelve.probe.clock import Clock
from twelve.probe.env import Canaries, InstanceEnv, build_env
from twelve.probe.gate import StartGate
from twelve.probe.harness import OutputLine
from twelve.probe.instance import Exchange, Instance, scratch_dir

READY_SLACK_S = 10.0
WORKER_SETTLE_S = 1.0
ADMIN_STOP_S = 2.0  # an admin task left running when its probe is done gets this grace


@dataclass(frozen=True, slots=True)
class ProcessUnderTest:
    """One process type of the service, as the contract declares it."""

    name: str
    process: ProcessType
    contract: Contract
    root: Path

    @property
    def kind(self) -> str:
        """web or worker."""
        return self.process.kind


@dataclass(slots=True)
class RunRecord:
    """What every instance of the run wrote and answered: leak probes read it at the end."""

    canaries: Canaries = field(default_factory=Canaries)
    outputs: list[tuple[str, OutputLine]] = field(default_factory=list)
    exchanges: list[tuple[str, Exchange]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add_exchange(self, label: str, exchange: Exchange) -> None:
        """Keep an HTTP exchange."""
        with self._lock:
            self.exchanges.append((label, exchange))

    def add_output(self, label: str, lines: Iterable[OutputLine]) -> None:
        """Keep an instance's output after it stopped."""
        with self._lock:
            self.outputs.extend((label, line) for line in lines)


@dataclass(frozen=True, slots=True)
class ProbeSettings:
    """Run-wide probe options.

    Args:
        lenient_exit: accept exit code 143 (killed by SIGTERM's default action) as graceful.
    """

    lenient_exit: bool = False


class ProbeContext:
    """A probe's handle on the run: start instances, read the records, know the clock.

    Every instance a probe starts is stopped when the probe ends, or when the runner
    aborts it for overrunning its deadline. `backing` holds the run's backing services
    (upstreams, twelve's Postgres); an instance launched with `faults=True` gets its own
    fault proxies in `instance.proxies`. A `gate` shared by the run bounds how many
    instances are busy starting at once, so that parallel starts do not starve each other.
    """

    def __init__(
        self,
        record: RunRecord,
        clock: Clock,
        settings: ProbeSettings,
        task: str,
        backing: RunBacking | None = None,
        *,
        gate: StartGate | None = None,
    ) -> None:
        self.record = record
        self.clock = clock
        self.settings = settings
        self.backing = backing if backing is not None else RunBacking(None)
        self._task = task
        self._instances: list[Instance] = []
        self._lock = threading.Lock()
        self._aborted = threading.Event()
        self._gate = gate
        self.unstartable: NotReady | None = None
        """Set by the runner when the preflight could not start the service: every launch
        then raises it at once, so the probe still answers what it can tell without a
        running service (not applicable) and is inconclusive otherwise."""

    @contextmanager
    def launch(
        self,
        service: ProcessUnderTest,
        *,
        overrides: Mapping[str, str] | None = None,
        drop: Iterable[str] = (),
        contract: Contract | None = None,
        faults: bool = False,
        database: str | None = None,
        tag: str = "",
    ) -> Iterator[Instance]:
        """Start a fresh instance; it is stopped (TERM, grace, KILL) on leaving the block.

        Args:
            service: the process type to start.
            overrides: env values replacing the computed ones.
            drop: env keys to leave out.
            contract: a variant contract to build the env from (default: the service's).
            faults: give the instance its own fault proxy per backing-service key
                (`instance.proxies`); they are released (pass) before it stops.
            database: a database of twelve's Postgres (`ctx.backing.fresh_database()`)
                instead of the run's shared one.
            tag: added to the label in evidence ("web#3 admin:migrate").
        """
        with self._lock:
            if self._aborted.is_set():
                raise ProbeAborted(self._task)
            if self.unstartable is not None:
                raise self.unstartable
            label = f"{service.name}#{len(self._instances) + 1}{f' {tag}' if tag else ''}"
        proxies = self.backing.new_proxies() if faults else {}
        scratch = scratch_dir(label)
        admitted = self._gate is not None and self._gate.acquire(self._aborted)
        try:
            if self._aborted.is_set():  # stopped while it waited for the gate
                raise ProbeAborted(self._task)
            values = self.backing.templates(proxies=proxies, database=database)
            ienv = self.env_for(
                service, scratch, overrides=overrides, drop=drop, contract=contract, values=values
            )
            instance = Instance(
                label,
                process=service.process,
                root=service.root,
                ienv=ienv,
                scratch=scratch,
                clock=self.clock,
                on_exchange=lambda exchange: self.record.add_exchange(label, exchange),
                proxies=proxies,
            )
        except BaseException:
            if admitted and self._gate is not None:
                self._gate.release()
            stop_proxies(proxies)
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        if admitted and self._gate is not None:
            self._gate.hold_until_started(instance.proc.pid)
        with self._lock:
            self._instances.append(instance)
        try:
            yield instance
        finally:
            self._finish(instance)

    @contextmanager
    def admin(
        self,
        service: ProcessUnderTest,
        task: str,
        *,
        command: str | list[str] | None = None,
        database: str | None = None,
        overrides: Mapping[str, str] | None = None,
        drop: Iterable[str] = (),
    ) -> Iterator[Instance]:
        """Start one run of the admin task `[admin.<task>]`: a one-off process, no port.

        It gets the environment `service` would get (same keys, fresh canaries), runs in the
        service directory, and is labelled after `service` so leak checks read its output.

        Args:
            service: the process whose environment it shares.
            task: the admin task's name.
            command: run this instead of the task's own command (e.g. a busy_trigger).
            database: a database of twelve's Postgres instead of the shared one.
            overrides: env values replacing the computed ones.
            drop: env keys to leave out.
        """
        argv = command if command is not None else service.contract.admin[task].command
        one_off = ProcessType(
            kind="worker", command=argv, liveness="", readiness="", shutdown_timeout=ADMIN_STOP_S
        )
        runner = ProcessUnderTest(service.name, one_off, service.contract, service.root)
        with self.launch(
            runner, overrides=overrides, drop=drop, database=database, tag=f"admin:{task}"
        ) as instance:
            yield instance

    @contextmanager
    def ready_instance(
        self,
        service: ProcessUnderTest,
        *,
        overrides: Mapping[str, str] | None = None,
        drop: Iterable[str] = (),
        faults: bool = False,
        database: str | None = None,
    ) -> Iterator[Instance]:
        """Like `launch`, then wait until it is ready (web) or has run a moment (worker).

        The wait is generous (startup_timeout + 10 s): judging startup time is the job
        of `startup-time`; other probes only need a ready instance.

        Raises:
            NotReady: it exited or never became ready; carries its timeline and output.
        """
        with self.launch(
            service, overrides=overrides, drop=drop, faults=faults, database=database
        ) as instance:
            if service.kind == "web":
                readiness = instance.wait_ready(service.process.startup_timeout)
                if not readiness.ready and not listening_elsewhere(instance):
                    readiness = instance.wait_ready(READY_SLACK_S)
                if not readiness.ready:
                    raise NotReady(readiness.reason, instance.evidence())
            elif instance.proc.wait_exit(WORKER_SETTLE_S) is not None:
                raise NotReady(f"exited {instance.proc.poll()} at start", instance.evidence())
            yield instance

    def env_for(
        self,
        service: ProcessUnderTest,
        scratch: Path,
        *,
        overrides: Mapping[str, str] | None = None,
        drop: Iterable[str] = (),
        contract: Contract | None = None,
        values: Mapping[str, str] | None = None,
    ) -> InstanceEnv:
        """The environment an instance of `service` gets (fresh canaries each time)."""
        return build_env(
            contract or service.contract,
            service.process,
            self.record.canaries,
            scratch,
            overrides=overrides,
            drop=drop,
            values=values if values is not None else self.backing.templates(),
        )

    def _finish(self, instance: Instance) -> None:
        release_proxies(instance.proxies)  # a request held in a blackhole must not stall the stop
        try:
            instance.stop(grace=max(2.0, instance.process.shutdown_timeout))
        finally:
            stop_proxies(instance.proxies)
        self.record.add_output(instance.label, instance.output())
        instance.cleanup()

    def abort(self) -> None:
        """Stop every instance of this probe at once (the runner's deadline passed)."""
        with self._lock:
            self._aborted.set()
            instances = list(self._instances)
        for instance in instances:
            instance.stop(grace=0.2)


def listening_elsewhere(instance: Instance) -> bool:
    """Alive and listening, but not on its port: waiting longer will not help."""
    if instance.proc.poll() is not None:
        return True
    ports = {port for _, port in instance.proc.listening_ports()}
    return bool(ports) and instance.port not in ports


class ProbeAborted(CheckInconclusive):
    """The runner stopped this probe for overrunning its budget."""

    def __init__(self, task: str) -> None:
        super().__init__(f"{task} was stopped by the runner")


class NotReady(CheckInconclusive):
    """An instance a probe needed never became ready, so the probe cannot tell."""
