"""Starting a service with broken config and watching whether it fails fast, and how.

Not a probe itself: shared by the config probes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from twelve.contract import ProcessType
from twelve.model import Evidence, Verdict, fail, inconclusive, passed
from twelve.probe.context import ProbeContext, ProcessUnderTest
from twelve.probe.harness import OutputLine
from twelve.probe.instance import Instance, wait_until
from twelve.probe.probes.f03_config._breakage import Breakage

FAIL_FAST_CAP_S = 5.0  # a config error needs no warm-up: a few seconds is plenty
FAIL_FAST_FLOOR_S = 3.0  # an interpreter on a busy machine takes a while to start at all
MARGIN_S = 1.0
STOP_GRACE_S = 1.0  # a broken start that keeps running gets no graceful shutdown
_PORT_SCAN_EVERY = 10  # polls between scans of the process tree's listeners (psutil is slow)
_PARALLEL = 6


def fail_fast_limit(process: ProcessType) -> float:
    """How long a start with broken config may take to exit: startup_timeout within 3-5 s, + 1 s.

    The contract's startup_timeout is the natural bound (a config error needs no warm-up),
    capped so a slow-starting service must still fail fast, and floored so a short timeout
    does not turn a loaded CI machine's slow interpreter start into a failure.

    Args:
        process: the process type.
    """
    bound = min(max(process.startup_timeout, FAIL_FAST_FLOOR_S), FAIL_FAST_CAP_S)
    return bound + MARGIN_S


@dataclass(frozen=True, slots=True)
class BrokenStart:
    """How one start with broken config went.

    Args:
        breakage: what was broken.
        limit: seconds it had to exit.
        exit_code: its exit code, None when it still ran at the limit or started serving.
        seconds: from exec to its exit or first accepted connection (or the limit).
        accepted: where it accepted connections (":41234"), if it did.
        named: the keys (of `breakage.names`) its output names.
        output: every line it wrote.
        evidence: its timeline and output tail, titled with the case.
        secrets: every secret value it was given, canaries in invalid values included.
    """

    breakage: Breakage
    limit: float
    exit_code: int | None
    seconds: float
    accepted: str | None
    named: frozenset[str]
    output: tuple[OutputLine, ...]
    evidence: tuple[Evidence, ...]
    secrets: frozenset[str]

    @property
    def rejected(self) -> bool:
        """It exited non-zero in time without ever serving."""
        return self.accepted is None and self.exit_code not in (None, 0)

    @property
    def unnamed(self) -> list[str]:
        """Keys the output should name but does not."""
        return [key for key in self.breakage.names if key not in self.named]

    def problem(self) -> str | None:
        """What went wrong ("still running after 6 s"), or None when it failed fast and well."""
        if self.accepted is not None:
            return f"accepted connections on {self.accepted} after {self.seconds:.2f} s"
        if self.exit_code is None:
            return f"still running after {self.limit:g} s"
        if self.exit_code == 0:
            return f"exit 0 after {self.seconds:.2f} s (a config error must exit non-zero)"
        if unnamed := self.unnamed:
            return f"exit {self.exit_code} but output never names {', '.join(unnamed)}"
        return None


def names_key(lines: Sequence[OutputLine], key: str) -> bool:
    """True when some line names `key` as a whole word, in any case (`database_url` counts).

    Args:
        lines: the output.
        key: the environment variable name.
    """
    word = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(key)}(?![A-Za-z0-9_])", re.IGNORECASE)
    return any(word.search(line.text) for line in lines)


def start_all(
    service: ProcessUnderTest, ctx: ProbeContext, breakages: Sequence[Breakage]
) -> list[BrokenStart]:
    """Start one instance per breakage, in parallel; results in the same order.

    Args:
        service: the process type.
        ctx: the probe's context.
        breakages: what to break in each start.
    """
    if len(breakages) == 1:
        return [start_broken(service, ctx, breakages[0])]
    with ThreadPoolExecutor(min(len(breakages), _PARALLEL), "twelve-config") as pool:
        return list(pool.map(lambda b: start_broken(service, ctx, b), breakages))


def start_broken(service: ProcessUnderTest, ctx: ProbeContext, breakage: Breakage) -> BrokenStart:
    """Start once with `breakage` and watch until it exits, serves, or the limit passes.

    Args:
        service: the process type.
        ctx: the probe's context.
        breakage: what to break.
    """
    limit = fail_fast_limit(service.process)
    overrides = dict(breakage.overrides)
    with ctx.launch(service, overrides=overrides, drop=breakage.drop) as instance:
        started = ctx.clock.now()
        watch = _Watch(instance, service, any_port=service.process.port_env in overrides)
        wait_until(ctx.clock, limit, watch.done)
        seconds = ctx.clock.now() - started
        instance.stop(STOP_GRACE_S)  # joins the output readers: every line is in
        code = instance.proc.poll() if watch.exited else None
        if code is not None:
            seconds = _exit_time(instance) or seconds
        output = tuple(instance.output())
        named = frozenset(key for key in breakage.names if names_key(output, key))
        titled = tuple(
            Evidence(f"{breakage.label}: {e.title}", e.lines) for e in instance.evidence()
        )
        return BrokenStart(
            breakage,
            limit,
            code,
            seconds,
            watch.accepted,
            named,
            output,
            titled,
            frozenset(instance.ienv.secrets.values()) | frozenset(breakage.canaries),
        )


class _Watch:
    """The wait predicate: has the instance exited, or started serving?"""

    __slots__ = ("_any_port", "_instance", "_polls", "_port", "accepted", "exited")

    def __init__(self, instance: Instance, service: ProcessUnderTest, *, any_port: bool) -> None:
        self._instance = instance
        # With its port broken, the service does not know which port is "its" port: any
        # listener counts. Otherwise a connect to its port is the cheap, exact test.
        self._port = instance.ienv.port if service.kind == "web" and not any_port else None
        self._any_port = service.kind == "web" and any_port
        self._polls = 0
        self.accepted: str | None = None
        self.exited = False

    def done(self) -> bool:
        proc = self._instance.proc
        if proc.poll() is not None:
            self.exited = True
            return True
        self._polls += 1
        # One connect attempt; on success it also marks "listening" in the timeline.
        if self._port is not None and proc.wait_listening(self._port, 0.0):
            # A port another process happened to take is not this instance serving.
            if self._port in {port for _, port in proc.listening_ports()}:
                self.accepted = f":{self._port}"
                return True
            self._port = None
        if not self._any_port or self._polls % _PORT_SCAN_EVERY:
            return False
        if ports := sorted({port for _, port in proc.listening_ports()}):
            self.accepted = ", ".join(f":{port}" for port in ports)
            return True
        return False


def _exit_time(instance: Instance) -> float | None:
    """Seconds from exec to exit, from the instance's timeline."""
    for event in instance.proc.timeline():
        if event.label.startswith("exit "):
            return event.t
    return None


def judge(
    service: ProcessUnderTest, ctx: ProbeContext, starts: list[BrokenStart], *, what: str
) -> Verdict:
    """One verdict over every broken start: a pass, or each case and what went wrong.

    An exit that never names the key may not be about config at all (a crash at import):
    then one start with the valid config tells. When that exits too, no start says
    anything about config errors, and the verdict is inconclusive.

    Args:
        service: the process type.
        ctx: the probe's context.
        starts: the results, one per case.
        what: "missing" or "invalid", for the pass message.
    """
    failing = [(start, problem) for start in starts if (problem := start.problem())]
    if any(start.rejected for start, _ in failing):
        control = start_broken(service, ctx, Breakage("valid config"))
        if control.exit_code is not None:
            return inconclusive(
                f"exits {control.exit_code} after {control.seconds:.2f} s even with a valid"
                " config, so its exits with a broken one say nothing about config errors",
                evidence=control.evidence,
            )
    if not failing:
        codes = "/".join(sorted({str(start.exit_code) for start in starts}))
        slowest = max(start.seconds for start in starts)
        keys = ", ".join(dict.fromkeys(key for s in starts for key in s.breakage.names))
        return passed(
            f"{len(starts)} start(s) with {what} config ({keys}):"
            f" each exited {codes} within {slowest:.2f} s and named its key"
        )
    return fail(
        "; ".join(f"{start.breakage.label}: {problem}" for start, problem in failing),
        evidence=[evidence for start, _ in failing for evidence in start.evidence],
        secrets=[secret for start, _ in failing for secret in start.secrets],
    )
