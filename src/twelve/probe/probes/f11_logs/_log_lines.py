"""The log probes' shared scenario (a few requests, then SIGTERM) and how they read lines.

Not a probe itself: shared by the log probes. structured-logs and log-fields judge one run
of the scenario per process type (`log_scenario`).
"""

from __future__ import annotations

import json
import secrets
import signal
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from twelve.model import Evidence
from twelve.probe.clock import Clock
from twelve.probe.context import ProbeContext, ProcessUnderTest
from twelve.probe.harness import OutputLine
from twelve.probe.instance import Exchange, Instance, wait_until

REQUEST_WINDOW_S = 0.5  # a request's log line may follow its response by this much
EXIT_MARGIN_S = 1.0
_SHOWN_CHARS = 300


@dataclass(frozen=True, slots=True)
class Sent:
    """A request the probe made, the request id it carried, and the answer."""

    request_id: str
    exchange: Exchange

    def covers(self, line: OutputLine) -> bool:
        """True when `line` is this request's log line.

        It carries the request id, or it contains the request path and was written
        between the request and `REQUEST_WINDOW_S` after its answer.

        Args:
            line: a line the instance wrote.
        """
        if self.request_id in line.text:
            return True
        start = self.exchange.t
        end = start + self.exchange.seconds + REQUEST_WINDOW_S
        return start <= line.t <= end and self.exchange.path in line.text


@dataclass(frozen=True, slots=True)
class Scenario:
    """What one run of the scenario saw: the requests, every line, evidence, the secrets.

    Args:
        sent: the requests made (none to a worker).
        output: every line the instance wrote, through its exit.
        evidence: its timeline and output tail.
        secrets: the secret values it was given.
    """

    sent: tuple[Sent, ...]
    output: tuple[OutputLine, ...]
    evidence: tuple[Evidence, ...]
    secrets: tuple[str, ...]


def log_scenario(service: ProcessUnderTest, ctx: ProbeContext) -> Scenario:
    """Run the scenario once per process type and run; every log probe asking gets that run.

    A fresh instance; a few requests to a web process (`exercise`); a moment for a worker
    to write (`settle`); SIGTERM and its exit (`finish`).

    Args:
        service: the process type.
        ctx: the asking probe's context.
    """

    def run() -> Scenario:
        with ctx.ready_instance(service) as instance:
            sent = exercise(instance, service) if service.kind == "web" else []
            settle(instance, service, ctx.clock)
            output = finish(instance, service)
            secrets = tuple(instance.ienv.secrets.values())
            return Scenario(tuple(sent), tuple(output), instance.evidence(tail=10), secrets)

    return ctx.once(("log scenario", service.name), run)


def exercise(instance: Instance, service: ProcessUnderTest) -> list[Sent]:
    """GET liveness, readiness and an unknown path, each with a fresh request id.

    Args:
        instance: a ready web instance.
        service: its process type (paths) and contract (request id header).
    """
    header = service.contract.logs.request_id_header
    process = service.process
    paths = [p for p in (process.liveness, process.readiness) if p]
    paths.append(f"/twelve-probe-{secrets.token_hex(4)}")
    sent = []
    for path in paths:
        request_id = str(uuid.uuid4())  # the format every request-id middleware accepts
        sent.append(Sent(request_id, instance.request("GET", path, headers={header: request_id})))
    return sent


def settle(instance: Instance, service: ProcessUnderTest, clock: Clock) -> None:
    """Let a worker write its first line (within startup_timeout) before it is stopped.

    A worker has no readiness to wait for; on a busy machine an interpreter may not even
    have started after the runner's one-second settle.

    Args:
        instance: the running instance.
        service: its process type.
        clock: the time source.
    """
    if service.kind != "web":
        wait_until(clock, service.process.startup_timeout, lambda: bool(instance.output()))


def finish(instance: Instance, service: ProcessUnderTest) -> list[OutputLine]:
    """SIGTERM, wait for the exit (drain_delay + shutdown_timeout + 1 s), return all output.

    Args:
        instance: the running instance.
        service: its process type, for the timeouts.
    """
    process = service.process
    instance.signal(signal.SIGTERM)
    instance.proc.wait_exit(process.drain_delay + process.shutdown_timeout + EXIT_MARGIN_S)
    instance.stop(EXIT_MARGIN_S)  # KILLs a process that overstayed; joins the output readers
    return instance.output()


def on_stream(lines: Iterable[OutputLine], stream: str) -> list[tuple[int, OutputLine]]:
    """The non-empty lines on the declared stream (`either`: both), numbered from 1.

    Args:
        lines: everything the instance wrote, in time order.
        stream: `stdout`, `stderr` or `either`.
    """
    chosen = [line for line in lines if stream in ("either", line.stream)]
    return [(number, line) for number, line in enumerate(chosen, 1) if line.text.strip()]


def parse_object(text: str) -> dict[str, object] | None:
    """The line as one JSON object, or None when it is anything else.

    Args:
        text: the line.
    """
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def has_field(record: dict[str, object], name: str) -> bool:
    """True when `record` has `name`: a key, or a dotted path into nested objects (`log.level`).

    Args:
        record: a parsed line.
        name: the field name from the contract.
    """
    if name in record:
        return True
    head, dot, rest = name.partition(".")
    inner = record.get(head)
    return bool(dot) and isinstance(inner, dict) and has_field(inner, rest)


def describe(number: int, line: OutputLine) -> str:
    """One evidence line: `line 3 +0.21 stdout: text`.

    Args:
        number: the line's number on its stream.
        line: the line.
    """
    return f"line {number} +{line.t:.2f} {line.stream}: {line.text[:_SHOWN_CHARS]}"


def request_lines(
    lines: Sequence[tuple[int, OutputLine]], sent: Sequence[Sent]
) -> list[tuple[int, OutputLine]]:
    """The numbered lines that belong to one of the requests in `sent`.

    Args:
        lines: numbered lines.
        sent: the requests made.
    """
    return [(n, line) for n, line in lines if any(request.covers(line) for request in sent)]
