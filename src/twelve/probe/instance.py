"""One probed instance of a process: started fresh, talked to over loopback HTTP, stopped."""

from __future__ import annotations

import re
import shutil
import signal
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from twelve.contract import ProcessType
from twelve.model import Evidence
from twelve.probe.clock import Clock, Deadline
from twelve.probe.env import InstanceEnv
from twelve.probe.harness import OutputLine, ServiceProcess, expand_command
from twelve.probe.ports import accepting_host, loopback_client
from twelve.probe.proxy import FaultProxy
from twelve.probe.teardown import StopResult

BODY_CHARS = 2000  # as much of a body as evidence and leak checks keep
_POLL_S = 0.02


@dataclass(frozen=True, slots=True)
class Exchange:
    """One HTTP request the probe made and what came back (or why nothing did)."""

    t: float
    method: str
    path: str
    status: int | None
    headers: Mapping[str, str]
    body: str
    error: str | None
    seconds: float

    def describe(self) -> str:
        """One line for evidence: `+1.02 GET /readyz -> 503 (0.004 s)`."""
        answer = str(self.status) if self.status is not None else f"no answer: {self.error}"
        return f"+{self.t:.2f} {self.method} {self.path} -> {answer} ({self.seconds:.3f} s)"


@dataclass(frozen=True, slots=True)
class Readiness:
    """How an instance's start went."""

    ready: bool
    seconds: float
    reason: str


class Instance:
    """A running instance of one process type, in its own scratch HOME/TMPDIR.

    Args:
        label: names the instance in evidence ("web#3").
        process: its process type.
        root: the service directory (the working directory).
        ienv: the environment it was started with.
        clock: the time source.
        on_exchange: called with every HTTP exchange (the run keeps them for leak checks).
        proxies: its own fault proxies, by backing-service key (empty unless asked for).
    """

    def __init__(
        self,
        label: str,
        *,
        process: ProcessType,
        root: Path,
        ienv: InstanceEnv,
        scratch: Path,
        clock: Clock,
        on_exchange: Callable[[Exchange], None],
        proxies: Mapping[str, FaultProxy] | None = None,
    ) -> None:
        self.label = label
        self.process = process
        self.ienv = ienv
        self.scratch = scratch
        self._clock = clock
        self._on_exchange = on_exchange
        self._host = "127.0.0.1"
        self.proxies: dict[str, FaultProxy] = dict(proxies or {})
        argv = expand_command(process.command, ienv.env)
        self.proc = ServiceProcess(argv, ienv.env, cwd=root, clock=clock)

    @property
    def port(self) -> int:
        """The port assigned through `port_env`."""
        if self.ienv.port is None:
            raise ValueError(f"{self.label} is not a web process")
        return self.ienv.port

    def wait_ready(self, seconds: float) -> Readiness:
        """Wait for TCP accept on the port, then a 2xx from readiness (or liveness).

        Args:
            seconds: the deadline from exec (usually the contract's startup_timeout).
        """
        started = self._clock.now()
        deadline = Deadline(self._clock, seconds)
        if not self.proc.wait_listening(self.port, deadline.remaining()):
            code = self.proc.poll()
            elapsed = self._clock.now() - started
            if code is not None:
                return Readiness(False, elapsed, f"exited {code} before listening")
            return Readiness(False, elapsed, f"not accepting on :{self.port}")
        self._host = accepting_host(self.port, 0.5) or "127.0.0.1"
        path = self.process.readiness or self.process.liveness
        if path:
            answer = self.proc.wait_http_ok(self.url(path), deadline.remaining())
            if not answer.ok:
                elapsed = self._clock.now() - started
                seen = answer.status if answer.status is not None else answer.error
                return Readiness(False, elapsed, f"{path} not 2xx within {seconds:g} s ({seen})")
        return Readiness(True, self._clock.now() - started, "ready")

    def url(self, path: str) -> str:
        """A loopback URL of this instance."""
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.port}{path}"

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        timeout: float = 1.0,
        base: str | None = None,
    ) -> Exchange:
        """Make one HTTP request on a fresh connection and record it; never raises for
        network errors. Only the start of the body is read: a body may never end.

        Args:
            method: the HTTP method.
            path: the path and query.
            headers: extra request headers.
            timeout: connect/read/write/pool timeout in seconds.
            base: "http://host:port" when the instance is not known to be ready yet.
        """
        started = self._clock.now()
        status: int | None = None
        body, error, answer_headers = "", None, {}
        url = (base or self.url("")) + path
        try:
            with (
                loopback_client(timeout) as client,
                client.stream(method, url, headers=dict(headers or {})) as response,
            ):
                status, answer_headers = response.status_code, dict(response.headers)
                for chunk in response.iter_text():
                    body += chunk
                    if len(body) >= BODY_CHARS:
                        break
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:300]
        exchange = Exchange(
            t=self.since_exec(started),
            method=method,
            path=path,
            status=status,
            headers=answer_headers,
            body=body[:BODY_CHARS],
            error=error,
            seconds=self._clock.now() - started,
        )
        self._on_exchange(exchange)
        return exchange

    def since_exec(self, t: float) -> float:
        """A clock reading as seconds after exec, the origin of the instance's timeline."""
        return t - self.proc.started_at

    def signal(self, sig: signal.Signals) -> bool:
        """Send a signal to the whole process group."""
        return self.proc.send_signal(sig)

    def output(self) -> list[OutputLine]:
        """Everything it wrote so far, in time order."""
        return self.proc.output()

    def stop(self, grace: float) -> StopResult:
        """TERM, wait `grace`, KILL, sweep; idempotent."""
        return self.proc.stop(grace)

    def evidence(self, *, tail: int = 15) -> tuple[Evidence, ...]:
        """The instance's timeline and the last lines it wrote."""
        lines = self.output()
        shown = [f"+{line.t:.2f} {line.stream}: {line.text[:300]}" for line in lines[-tail:]]
        if len(lines) > tail:
            shown.insert(0, f"... {len(lines) - tail} earlier lines")
        return (
            Evidence(f"{self.label} timeline", (self.proc.format_timeline(),)),
            Evidence(f"{self.label} output", tuple(shown) or ("(no output)",)),
        )

    def cleanup(self) -> None:
        """Remove the scratch directory (after stop)."""
        shutil.rmtree(self.scratch, ignore_errors=True)


def scratch_dir(label: str) -> Path:
    """A fresh directory for an instance's HOME and TMPDIR."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", label)  # "web#3 admin:migrate" -> web-3-admin-migrate
    return Path(tempfile.mkdtemp(prefix=f"twelve-{safe}-"))


def wait_until(clock: Clock, seconds: float, predicate: Callable[[], bool]) -> bool:
    """Poll `predicate` until it holds or `seconds` pass; bounded."""
    deadline = Deadline(clock, seconds)
    while not predicate():
        if deadline.expired():
            return False
        deadline.sleep(_POLL_S)
    return True
