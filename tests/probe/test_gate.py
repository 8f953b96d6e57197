"""The start gate: one CPU-busy start per slot, released on exit, idleness or the cap."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import pytest

from twelve.probe.gate import HOLD_CAP_S, StartGate

BUSY = "while True: pass"
IDLE = "import time; time.sleep(30)"


@contextmanager
def started(*argv: str) -> Iterator[subprocess.Popen[bytes]]:
    """Run `argv` in its own process group; the whole group is killed on leaving."""
    proc = subprocess.Popen(argv, start_new_session=True)
    try:
        yield proc
    finally:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def test_idle_process_gives_the_slot_back_at_once() -> None:
    """A process that waits (here: sleeps) has done its start-up work."""
    gate = StartGate(1)
    assert gate.acquire(timeout=1.0)
    with started(sys.executable, "-c", IDLE) as proc:
        gate.hold_until_started(proc.pid)
        began = time.monotonic()
        assert gate.acquire(timeout=HOLD_CAP_S - 1.0)
        assert time.monotonic() - began < 1.5


def test_exited_process_gives_the_slot_back() -> None:
    """A start that failed fast frees its slot."""
    gate = StartGate(1)
    assert gate.acquire(timeout=1.0)
    with started(sys.executable, "-c", "raise SystemExit(78)") as proc:
        proc.wait(timeout=10)
        gate.hold_until_started(proc.pid)
        assert gate.acquire(timeout=1.0)


def test_busy_process_holds_the_slot_until_the_cap() -> None:
    """A process still burning CPU keeps others waiting, but only up to the cap."""
    gate = StartGate(1)
    assert gate.acquire(timeout=1.0)
    with started(sys.executable, "-c", BUSY) as proc:
        gate.hold_until_started(proc.pid)
        assert not gate.acquire(timeout=1.0)
        assert gate.acquire(timeout=HOLD_CAP_S)


def test_a_wrappers_busy_child_holds_the_slot() -> None:
    """`sh -c` waiting on the real service is not idle: the child's CPU counts."""
    gate = StartGate(1)
    assert gate.acquire(timeout=1.0)
    with started("sh", "-c", f'"{sys.executable}" -c "{BUSY}"; exit 0') as proc:
        gate.hold_until_started(proc.pid)
        assert not gate.acquire(timeout=1.0)
        assert proc.poll() is None
    assert gate.acquire(timeout=HOLD_CAP_S), "killing the group ends the hold"


def test_a_cancelled_wait_returns_false() -> None:
    """An aborted probe stops waiting for a slot."""
    gate = StartGate(1)
    assert gate.acquire(timeout=1.0)
    cancelled = threading.Event()
    threading.Timer(0.2, cancelled.set).start()
    began = time.monotonic()
    assert not gate.acquire(cancelled, timeout=10.0)
    assert time.monotonic() - began < 2.0


def test_a_free_slot_goes_to_the_lowest_priority_first() -> None:
    """The start the run waits for (priority 0) overtakes one that queued earlier."""
    gate = StartGate(1)
    assert gate.acquire(timeout=1.0)
    order: list[int] = []

    def wait_for_slot(priority: int) -> None:
        assert gate.acquire(timeout=10.0, priority=priority)
        order.append(priority)

    late = threading.Thread(target=wait_for_slot, args=(2,))
    late.start()
    time.sleep(0.2)  # the priority-2 start queues first
    urgent = threading.Thread(target=wait_for_slot, args=(0,))
    urgent.start()
    time.sleep(0.2)
    assert order == []
    gate.release()
    urgent.join(timeout=5.0)
    assert order == [0]
    gate.release()
    late.join(timeout=5.0)
    assert order == [0, 2]


def test_releasing_a_slot_never_taken_is_an_error() -> None:
    """More releases than acquisitions would let extra starts through."""
    gate = StartGate(1)
    with pytest.raises(ValueError, match="released more slots than were taken"):
        gate.release()
