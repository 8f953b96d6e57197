"""The process harness: start a service, record what it says and does, wait for it, stop it."""

from __future__ import annotations

import itertools
import os
import re
import signal
import subprocess
import threading
import uuid
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Literal, Self

import httpx

from twelve.contract import command_words
from twelve.probe.clock import Clock, Deadline, SystemClock
from twelve.probe.ports import HttpReadiness, listening_ports, wait_accepting, wait_http_ok
from twelve.probe.teardown import (
    MARKER_VAR,
    StopResult,
    register,
    signal_group,
    stop_group,
    unregister,
)

__all__ = [
    "HttpReadiness",
    "OutputLine",
    "ServiceProcess",
    "StopResult",
    "Stream",
    "TimelineEvent",
    "expand_command",
    "format_timeline",
]

Stream = Literal["stdout", "stderr"]

_STREAMS: tuple[Stream, ...] = ("stdout", "stderr")
RUN_ID_VAR = "TWELVE_RUN_ID"
_SIGNAL_NAMES = {int(sig): sig.name for sig in signal.Signals}
_POLL_S = 0.01
_READER_JOIN_S = 1.0
_MAX_LINE_BYTES = 64 * 1024  # longer lines are split, so one endless line cannot eat memory
_VAR = re.compile(
    r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?-)(?P<default>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


@dataclass(frozen=True, slots=True)
class OutputLine:
    """One line a service wrote, `t` seconds after exec, without its line ending.

    `complete` is False for a last line that never got its newline (output not flushed
    or cut off by the exit), or a line split at the length cap.
    """

    t: float
    stream: Stream
    text: str
    complete: bool = True


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """Something that happened to a service, `t` seconds after exec."""

    t: float
    label: str


def format_timeline(events: Iterable[TimelineEvent]) -> str:
    """Render events on one line, e.g. ``+0.00 exec  +0.21 listening :41234  +1.02 SIGTERM``.

    Args:
        events: The events, in order.
    """
    return "  ".join(f"+{event.t:.2f} {event.label}" for event in events)


def _expand(arg: str, env: Mapping[str, str]) -> str:
    """Expand ``$VAR``, ``${VAR}``, ``${VAR-default}``, ``${VAR:-default}`` from `env`."""

    def value(match: re.Match[str]) -> str:
        found = env.get(match["braced"] or match["bare"])
        if (match["op"] == ":-" and not found) or (match["op"] == "-" and found is None):
            return match["default"]
        return found or ""

    return _VAR.sub(value, arg)


def expand_command(command: str | Sequence[str], env: Mapping[str, str]) -> list[str]:
    """Turn a Procfile-style command into argv, with no shell involved.

    A string is split like a shell would (quotes, backslashes); a sequence is taken as argv.
    Variables are expanded inside each element afterwards, so a value is never split again.

    Args:
        command: ``"web --port $PORT"`` or ``["web", "--port", "$PORT"]``.
        env: The environment the service will get.
    """
    words = command_words(command)
    if not words:
        raise ValueError(f"empty command {command!r}")
    argv = [_expand(word, env) for word in words]
    if not argv[0]:
        raise ValueError(f"command {command!r} expands to an empty program name")
    return argv


class ServiceProcess:
    """A service process in its own session, observed from outside; stop it (or use `with`).

    Starts at construction, like `subprocess.Popen`. stdin is closed; stdout and stderr are
    captured line by line with times relative to exec, keeping the last `max_lines` of each.
    """

    def __init__(
        self,
        argv: Sequence[str],
        env: Mapping[str, str],
        cwd: str | os.PathLike[str] | None = None,
        *,
        clock: Clock | None = None,
        max_lines: int = 10_000,
    ) -> None:
        """Start the process.

        Args:
            argv: Program and arguments, e.g. from `expand_command`.
            env: The complete environment; the harness only adds its marker variable.
            cwd: Working directory, or None for the current one.
            clock: Time source for timestamps and deadlines; the system clock by default.
            max_lines: How many lines of each stream to keep (the oldest are dropped).
        """
        if isinstance(argv, str):
            raise TypeError("argv must be a sequence; expand_command() splits a command string")
        if not argv:
            raise ValueError("empty argv")
        # TWELVE_RUN_ID in twelve's own environment prefixes every marker of the run, so a
        # supervisor (or a test) can find exactly this run's processes.
        self.marker = os.environ.get(RUN_ID_VAR, "") + uuid.uuid4().hex
        self._clock: Clock = clock or SystemClock()
        self._lock = threading.RLock()  # re-entrant: the teardown signal handler records events
        self._events: list[TimelineEvent] = []
        self._exit_seen = False
        self._lines: dict[Stream, deque[tuple[int, OutputLine]]] = {
            name: deque(maxlen=max_lines) for name in _STREAMS
        }
        self._counts: dict[Stream, int] = dict.fromkeys(_STREAMS, 0)
        self._order = itertools.count()  # breaks timestamp ties between the two streams
        self._stop_lock = threading.Lock()
        self._stopped: StopResult | None = None
        # Registered before the spawn, so a Ctrl-C right after Popen still sweeps this marker.
        register(self.marker, None)
        try:
            self._t0 = self._clock.now()
            self._proc = subprocess.Popen(
                list(argv),
                env={**env, MARKER_VAR: self.marker},
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except Exception:
            # Nothing started. On KeyboardInterrupt the child may exist: the marker stays.
            unregister(self.marker)
            raise
        self._events.append(TimelineEvent(0.0, "exec"))
        self._readers = [self._start_reader(name) for name in _STREAMS]
        register(self.marker, self)

    def _exited(self) -> bool:
        """Return True once the process has exited (ends the readiness waits early)."""
        return self.poll() is not None

    @property
    def started_at(self) -> float:
        """The clock reading at exec; output and timeline times are relative to it."""
        return self._t0

    @property
    def pid(self) -> int:
        """The service's pid, which is also its process group and session id."""
        return self._proc.pid

    def _start_reader(self, stream: Stream) -> threading.Thread:
        """Start the daemon thread that drains the pipe of `stream` into the line buffer."""
        pipe = self._proc.stdout if stream == "stdout" else self._proc.stderr
        assert pipe is not None  # both are PIPE by construction
        reader = threading.Thread(
            target=self._read, args=(stream, pipe), name=f"twelve-{stream}-{self.pid}", daemon=True
        )
        reader.start()
        return reader

    def _read(self, stream: Stream, pipe: IO[bytes]) -> None:
        """Record lines until EOF, which comes once every holder of the pipe is dead."""
        with pipe:
            while raw := pipe.readline(_MAX_LINE_BYTES):
                t = self._clock.now() - self._t0
                text = raw.decode("utf-8", errors="replace").removesuffix("\n").removesuffix("\r")
                with self._lock:
                    self._lines[stream].append(
                        (next(self._order), OutputLine(t, stream, text, raw.endswith(b"\n")))
                    )
                    self._counts[stream] += 1

    def output(self, stream: Stream | None = None) -> list[OutputLine]:
        """Return the captured lines in time order.

        Args:
            stream: Only this stream, or both when None.
        """
        names = (stream,) if stream else _STREAMS
        with self._lock:
            entries = [entry for name in names for entry in self._lines[name]]
        entries.sort(key=lambda entry: (entry[1].t, entry[0]))
        return [line for _, line in entries]

    def dropped(self, stream: Stream) -> int:
        """Return how many of the oldest lines of `stream` were dropped to respect the cap.

        Args:
            stream: The stream to ask about.
        """
        with self._lock:
            return self._counts[stream] - len(self._lines[stream])

    def _record(self, label: str) -> None:
        """Append a timeline event `label` stamped now."""
        with self._lock:
            self._events.append(TimelineEvent(self._clock.now() - self._t0, label))

    def timeline(self) -> list[TimelineEvent]:
        """Return the events so far: exec, listening, signals, exit, sweep."""
        with self._lock:
            return list(self._events)

    def format_timeline(self) -> str:
        """Render the timeline on one line (see `format_timeline`)."""
        return format_timeline(self.timeline())

    def poll(self) -> int | None:
        """Return the exit code (negative: killed by that signal) if the process exited."""
        code = self._proc.poll()
        if code is not None:
            with self._lock:
                if not self._exit_seen:
                    self._exit_seen = True
                    self._record(f"exit {code}")
        return code

    def wait_exit(self, timeout_s: float) -> int | None:
        """Wait for the process to exit; return its exit code, or None on timeout.

        Args:
            timeout_s: Longest wait.
        """
        deadline = Deadline(self._clock, timeout_s)
        while (code := self.poll()) is None and not deadline.expired():
            deadline.sleep(_POLL_S)
        return code

    def wait_listening(self, port: int, deadline_s: float) -> bool:
        """Wait until a TCP connect to `port` on 127.0.0.1 or ::1 succeeds.

        Returns False when the deadline passes or as soon as the process exits.

        Args:
            port: The port the service should listen on.
            deadline_s: Longest wait.
        """
        if not wait_accepting(port, Deadline(self._clock, deadline_s), self._exited):
            return False
        self._record(f"listening :{port}")
        return True

    def listening_ports(self) -> set[tuple[str, int]]:
        """Return (address, port) of every LISTEN socket of the process tree and marked escapees."""
        # Once reaped, the pid may belong to a stranger; the marker scan covers the rest.
        return listening_ports(self.pid if self.poll() is None else None, self.marker)

    def wait_http_ok(self, url: str, deadline_s: float) -> HttpReadiness:
        """Poll GET `url` until it answers 2xx, the deadline passes or the process exits.

        Args:
            url: A loopback URL; anything else raises ValueError.
            deadline_s: Longest wait.
        """
        result = wait_http_ok(url, Deadline(self._clock, deadline_s), self._exited)
        if result.ok:
            self._record(f"http {result.status} {httpx.URL(url).path}")
        return result

    def send_signal(self, sig: int) -> bool:
        """Send `sig` to the whole process group; return False if the group is gone.

        Args:
            sig: The signal number, e.g. `signal.SIGTERM`.
        """
        if not signal_group(self.pid, sig, self.marker, reaped=self._proc.returncode is not None):
            return False
        self._record(_SIGNAL_NAMES.get(sig, f"signal {sig}"))
        return True

    def stop(self, grace_s: float = 5.0) -> StopResult:
        """TERM the group, give it `grace_s`, KILL it, then sweep escapees by marker.

        Idempotent: later calls return the first result. Safe after the process exited.

        Args:
            grace_s: Time between SIGTERM and SIGKILL.
        """
        with self._stop_lock:
            if self._stopped is None:
                self._stopped = self._stop(grace_s)
            return self._stopped

    def _stop(self, grace_s: float) -> StopResult:
        """Do the work of `stop`, once."""
        result = stop_group(self, grace_s, self._clock)
        if result.swept:
            self._record("swept " + " ".join(map(str, result.swept)))
        # Every holder of the pipes is dead now, so EOF is near; real time, as threads run on it.
        joined = Deadline(SystemClock(), _READER_JOIN_S)
        for reader in self._readers:
            reader.join(joined.remaining())
        unregister(self.marker)
        return result

    def __enter__(self) -> Self:
        """Return the already started service."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Stop the service with the default grace."""
        self.stop()
