"""What a probe works with: the service under test, fresh or shared instances, the run's records."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from concurrent.futures import Future, wait
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar, cast

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
_SHARED_POLL_S = 0.05  # how often a probe waiting for a shared result checks for its abort

T = TypeVar("T")


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


class RunShared:
    """What the probes of one run share: a ready instance per process type, and results.

    The runner keeps the preflight's ready instance of each process type for the probes
    that only observe a ready instance (`shared=True`) and stops it, gracefully, once the
    last of them is done. `once` runs a scenario a single time for every probe that asks.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._instances: dict[str, tuple[Instance, ExitStack]] = {}
        self._users: dict[str, int] = {}
        self._results: dict[Hashable, Future[object]] = {}

    def keep(self, name: str, instance: Instance, stop: ExitStack, users: int) -> None:
        """Keep `instance` of process type `name` until `users` probes have released it.

        Args:
            name: the process type.
            instance: its ready instance.
            stop: stops it and records its output when closed.
            users: probes that will release it.
        """
        with self._lock:
            self._instances[name] = (instance, stop)
            self._users[name] = users
        if users == 0:
            self.stop(name)

    def instance(self, name: str) -> Instance | None:
        """The kept instance of process type `name`, while it is kept and still running."""
        with self._lock:
            kept = self._instances.get(name)
        return kept[0] if kept is not None and kept[0].proc.poll() is None else None

    def release(self, name: str) -> None:
        """One probe using process type `name`'s instance is done; the last one stops it.

        Args:
            name: the process type.
        """
        with self._lock:
            self._users[name] = self._users.get(name, 0) - 1
            last = self._users[name] == 0
        if last:
            self.stop(name)

    def stop(self, name: str | None = None) -> None:
        """Stop the kept instance of `name` (None: of every process type).

        Args:
            name: the process type, or None for all.
        """
        with self._lock:
            names = [name] if name is not None else list(self._instances)
            kept = [self._instances.pop(n) for n in names if n in self._instances]
        for _, stop in kept:
            stop.close()

    def once(
        self, key: Hashable, compute: Callable[[], T], aborted: threading.Event, task: str
    ) -> T:
        """The result of `compute()`, computed by the first caller with `key` only.

        Later callers wait for it (and get its exception, if it raised).

        Args:
            key: names the scenario and what it ran on.
            compute: runs the scenario.
            aborted: set when the asking probe is stopped; its wait ends then.
            task: the asking probe, for the abort message.
        """
        with self._lock:
            future = self._results.get(key)
            first = future is None
            if future is None:
                future = self._results[key] = Future()
        if first:
            try:
                future.set_result(compute())
            except BaseException as exc:  # noqa: BLE001 -- every caller gets it from result()
                future.set_exception(exc)
        while not wait([future], _SHARED_POLL_S).done:
            if aborted.is_set():
                raise ProbeAborted(task)
        return cast(T, future.result())


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
    instances are busy starting at once, so that parallel starts do not starve each other;
    its free slots go to the lowest `priority` first. `shared` holds what the run's probes
    share: a ready instance per process type, and scenarios several probes judge.
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
        shared: RunShared | None = None,
        priority: int = 0,
    ) -> None:
        self.record = record
        self.shared = shared if shared is not None else RunShared()
        self.clock = clock
        self.settings = settings
        self.backing = backing if backing is not None else RunBacking(None)
        self._task = task
        self._instances: list[Instance] = []
        self._lock = threading.Lock()
        self._aborted = threading.Event()
        self._gate = gate
        self._priority = priority
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
        admitted = self._gate is not None and self._gate.acquire(
            self._aborted, priority=self._priority
        )
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

    @contextmanager
    def shared_instance(self, service: ProcessUnderTest) -> Iterator[Instance]:
        """The run's shared ready instance of `service`; a fresh ready one when none is kept.

        The shared instance was started like any other and keeps running after the block,
        as other probes use it too: a probe only observes it (requests, its output), never
        signals nor stops it. `owns` tells which of the two it got.

        Raises:
            NotReady: no instance is kept and a fresh one never became ready.
        """
        with self._lock:
            if self._aborted.is_set():
                raise ProbeAborted(self._task)
        if (instance := self.shared.instance(service.name)) is not None:
            yield instance
            return
        with self.ready_instance(service) as fresh:
            yield fresh

    def owns(self, instance: Instance) -> bool:
        """True when this probe started `instance` (it is not the run's shared one)."""
        with self._lock:
            return instance in self._instances

    def once(self, key: Hashable, compute: Callable[[], T]) -> T:
        """Run a scenario once per run: the first probe asking computes, the others wait.

        Args:
            key: names the scenario and what it runs on, e.g. `("log scenario", "web")`.
            compute: runs it (in the first asking probe, with that probe's context).
        """
        return self.shared.once(key, compute, self._aborted, self._task)

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
