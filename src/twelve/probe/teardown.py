"""Nothing outlives a run: the marker sweep, the registry of live services, and exit handlers.

Every service the harness starts carries `TWELVE_PROBE_MARKER=<unique id>` in its environment,
which its children inherit even when they leave the process group. Killing every process that
carries the marker therefore catches escapees the group signal misses.
"""

from __future__ import annotations

import atexit
import os
import signal
import threading
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Protocol

import psutil

from twelve.probe.clock import Clock, Deadline, SystemClock

__all__ = [
    "MARKER_VAR",
    "StopResult",
    "Stoppable",
    "install_teardown",
    "live_markers",
    "marked_processes",
    "register",
    "signal_group",
    "stop_group",
    "sweep",
    "teardown_all",
    "unregister",
]

MARKER_VAR = "TWELVE_PROBE_MARKER"

_POLL_S = 0.01
_KILL_WAIT_S = 5.0  # SIGKILL cannot be ignored; only a process stuck in the kernel outlasts this
_GONE = (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess)
_PROC_ENVIRON = Path(f"/proc/{os.getpid()}/environ").exists()  # Linux: read it directly


@dataclass(frozen=True, slots=True)
class StopResult:
    """How a stop went.

    `exit_code` is negative when a signal killed the process; `killed` says SIGKILL was needed;
    `seconds` runs from the stop request to the exit; `swept` lists left-behind processes
    (escaped the group, or outlived a leader that exited) that the marker sweep killed.
    """

    exit_code: int | None
    killed: bool
    seconds: float
    swept: tuple[int, ...] = ()


class Stoppable(Protocol):
    """What stopping needs from a live service."""

    @property
    def marker(self) -> str:
        """The unique marker in the service's environment."""

    @property
    def pid(self) -> int:
        """The leader's pid, which is also the process group id."""

    def send_signal(self, sig: int) -> bool:
        """Signal the whole process group; return False if the group is gone."""

    def poll(self) -> int | None:
        """Return the exit code if the process exited, else None."""

    def wait_exit(self, timeout_s: float) -> int | None:
        """Wait at most `timeout_s` for the exit code."""


def marked_processes(markers: Collection[str]) -> list[tuple[psutil.Process, int]]:
    """Return (process, process group) for every live process carrying one of `markers`.

    Args:
        markers: The marker values to look for.
    """
    found: list[tuple[psutil.Process, int]] = []
    if not markers:
        return found
    entries = [f"\0{MARKER_VAR}={marker}\0".encode() for marker in markers]
    me = os.getpid()
    for pid in psutil.pids():
        try:
            if pid != me and _carries(pid, markers, entries):
                found.append((psutil.Process(pid), os.getpgid(pid)))
        except (*_GONE, OSError):  # gone, or not ours to read
            continue
    return found


def _carries(pid: int, markers: Collection[str], entries: list[bytes]) -> bool:
    """True when `pid`'s environment holds one of `markers` (`entries`: as raw bytes)."""
    if not _PROC_ENVIRON:
        return psutil.Process(pid).environ().get(MARKER_VAR) in markers
    # Every sweep reads every process's environment: searching the raw bytes costs a third
    # of psutil's environ(), which parses each one into a dict. A zombie's reads empty.
    with open(f"/proc/{pid}/environ", "rb") as file:  # noqa: PTH123 -- pathlib doubles the cost
        environ = b"\0" + file.read() + b"\0"
    return any(entry in environ for entry in entries)


def sweep(markers: Collection[str], timeout_s: float = 3.0) -> dict[int, int]:
    """SIGKILL every process carrying one of `markers` until none is left or time runs out.

    Repeats because a marked process may fork between the scan and the kill.

    Args:
        markers: The marker values to sweep for.
        timeout_s: Upper bound on the whole sweep.

    Returns:
        The killed processes, as pid -> process group id at the time of the kill.
    """
    killed: dict[int, int] = {}
    if not markers:
        return killed
    deadline = Deadline(SystemClock(), timeout_s)
    while found := marked_processes(markers):
        for proc, pgid in found:
            try:
                proc.kill()
            except _GONE:
                continue
            killed.setdefault(proc.pid, pgid)
        if deadline.expired():
            break
        deadline.sleep(_POLL_S)
    return killed


def signal_group(pgid: int, sig: int, marker: str, *, reaped: bool) -> bool:
    """Send `sig` to process group `pgid` if it is still the service's; False if it is gone.

    Args:
        pgid: The group id, which is the leader's pid.
        sig: The signal number.
        marker: The service's marker, to recognise its surviving members.
        reaped: Whether the leader's exit status has been collected.
    """
    # An unreaped leader holds its pid, so the kernel cannot hand the id to a new group. After
    # the reap the id stays reserved only while a member lives, and ours carry the marker.
    if reaped and not any(group == pgid for _, group in marked_processes({marker})):
        return False
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        return False
    return True


def stop_group(service: Stoppable, grace_s: float, clock: Clock) -> StopResult:
    """TERM the group, wait up to `grace_s` for the leader, KILL the group, sweep the marker.

    Args:
        service: The service to stop; an already exited one is only swept.
        grace_s: Time between SIGTERM and SIGKILL.
        clock: Measures the grace period and the result's seconds.
    """
    start = clock.now()
    code = service.poll()
    if code is None and service.send_signal(signal.SIGTERM):
        code = service.wait_exit(grace_s)
    killed = code is None
    if killed:
        service.send_signal(signal.SIGKILL)
        code = service.wait_exit(_KILL_WAIT_S)
    seconds = clock.now() - start
    swept = sorted(
        pid
        for pid, pgid in sweep({service.marker}).items()
        # Members of a group just SIGKILLed may not have died yet; they were not left behind.
        if not (killed and pgid == service.pid)
    )
    return StopResult(exit_code=code, killed=killed, seconds=seconds, swept=tuple(swept))


class _State:
    """Process-wide teardown settings and flags."""

    __slots__ = ("busy", "closing", "grace_s")

    def __init__(self) -> None:
        """Start with no teardown in progress."""
        self.grace_s = 0.5
        self.closing = False  # set once twelve is exiting: refuse to start new services
        self.busy = False  # set while the signal handler tears down


_lock = threading.RLock()  # re-entrant: the signal handler may interrupt a holder in main thread
_live: dict[str, Stoppable | None] = {}
_installed: dict[int, object] = {}
_state = _State()


def register(marker: str, service: Stoppable | None) -> None:
    """Record a live service, or (with None) a marker whose process is about to start.

    Args:
        marker: The service's unique marker.
        service: The started service, or None before its process exists.
    """
    with _lock:
        # A spawn already under way when teardown began must still be recorded, for atexit.
        if _state.closing and marker not in _live:
            raise RuntimeError("twelve is shutting down; no new service processes")
        _live[marker] = service


def unregister(marker: str) -> None:
    """Forget a service that has been stopped.

    Args:
        marker: The service's unique marker.
    """
    with _lock:
        _live.pop(marker, None)


def live_markers() -> list[str]:
    """Return the markers of services started and not yet stopped."""
    with _lock:
        return list(_live)


def teardown_all(grace_s: float = 0.5) -> dict[int, int]:
    """Stop every live service at once: TERM, short grace, KILL the groups, sweep markers.

    Args:
        grace_s: Time the group leaders get to exit after SIGTERM.

    Returns:
        The processes the marker sweep killed, as pid -> process group id.
    """
    with _lock:
        entries = dict(_live)
    services = [service for service in entries.values() if service is not None]
    for service in services:
        service.send_signal(signal.SIGTERM)
    _wait_exits(services, grace_s)
    for service in services:
        service.send_signal(signal.SIGKILL)
    killed = sweep(set(entries))
    _wait_exits(services, 1.0)  # collect the leaders' exit status, so no zombies remain
    with _lock:
        for service in services:
            # Markers whose spawn is still under way stay, so a later teardown finds them.
            _live.pop(service.marker, None)
    return killed


def _wait_exits(services: Collection[Stoppable], seconds: float) -> None:
    """Poll until every leader in `services` has exited or `seconds` have passed."""
    deadline = Deadline(SystemClock(), seconds)
    while any(service.poll() is None for service in services) and not deadline.expired():
        deadline.sleep(_POLL_S)


def _on_signal(signum: int, frame: FrameType | None) -> None:
    """Tear down all services, then exit the way the signal asks (or chain to the old handler).

    Args:
        signum: SIGINT or SIGTERM.
        frame: The interrupted frame, passed on to a chained handler.
    """
    if _state.busy:
        return  # a second Ctrl-C must not abort the cleanup; it is bounded anyway
    _state.busy = True
    try:
        with _lock:
            _state.closing = True
        teardown_all(_state.grace_s)
    finally:
        _state.busy = False
    previous = _installed.get(signum)
    if callable(previous) and previous is not signal.default_int_handler:
        previous(signum, frame)
        return
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise SystemExit(128 + signum)


def _at_exit() -> None:
    """Stop every live service as the interpreter exits."""
    with _lock:
        _state.closing = True
    teardown_all(_state.grace_s)


def install_teardown(grace_s: float = 0.5) -> None:
    """Once per process: on SIGINT, SIGTERM and interpreter exit, stop every live service.

    SIGINT then raises KeyboardInterrupt (exit 130), SIGTERM exits 143; a handler installed
    earlier by the application is called instead. Signals ignored at install time stay ignored.

    Args:
        grace_s: Time the services get between SIGTERM and SIGKILL during teardown.
    """
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("install_teardown() must be called from the main thread")
    with _lock:
        _state.grace_s = grace_s
        if _installed:
            return
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous = signal.getsignal(signum)
            _installed[signum] = previous
            if previous is not signal.SIG_IGN:
                signal.signal(signum, _on_signal)
        atexit.register(_at_exit)
