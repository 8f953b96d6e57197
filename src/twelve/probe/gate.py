"""How many instances may be starting at once: starts are CPU-bound, probes mostly wait.

A probe run launches dozens of instances, many at the same moment (each config probe
starts one per broken key, in parallel). An interpreter that imports a framework needs
hundreds of milliseconds of CPU before it can even read its config; twenty of them at once
on two cores take seconds each, and a service that fails fast in half a second looks like
one that hangs. The gate lets at most one start per core burn CPU at a time: a start holds
its slot until the process exits, waits (blocked on a socket, a sleep, a backing service:
its start-up work is done), or `HOLD_CAP_S` passes. Waiting is read from the process state,
not its CPU share: a start starved of CPU is runnable, not waiting. Timings a probe judges begin
at exec, after the slot is taken, so the wait in the gate is never counted against the
service.

A free slot goes to the waiting start with the lowest priority number, first come first
served among equals: the runner puts the starts the rest of the run waits for (the
preflight's, then those of the probes that need a started service) ahead of the others.
"""

from __future__ import annotations

import heapq
import itertools
import os
import threading
import time

import psutil

SAMPLE_S = 0.02
_CANCEL_CHECK_S = 0.1  # a waiter is woken by every release; this is only for `cancelled`
QUIET_SAMPLES = 2  # waiting at two samples in a row: its start-up work is done
_WAITING = frozenset(  # or exited, not yet reaped
    {psutil.STATUS_SLEEPING, psutil.STATUS_IDLE, psutil.STATUS_STOPPED, psutil.STATUS_ZOMBIE}
)
HOLD_CAP_S = 3.0  # a start that stays busy longer (a busy loop) stops holding others back
ACQUIRE_CAP_S = 60.0  # never deadlock: past this, start anyway


class StartGate:
    """Admits at most `slots` CPU-busy starts at once (default: one per core).

    Args:
        slots: starts allowed to be busy at the same time.
    """

    __slots__ = ("_changed", "_free", "_slots", "_tickets", "_waiting")

    def __init__(self, slots: int | None = None) -> None:
        self._slots = slots or os.cpu_count() or 1
        self._free = self._slots
        self._changed = threading.Condition()
        self._waiting: list[tuple[int, int]] = []  # a heap of (priority, ticket)
        self._tickets = itertools.count()

    def acquire(
        self,
        cancelled: threading.Event | None = None,
        timeout: float = ACQUIRE_CAP_S,
        *,
        priority: int = 0,
    ) -> bool:
        """Wait for a slot; False when the wait was cancelled or ran out.

        Args:
            cancelled: stop waiting when this is set.
            timeout: seconds to wait at most.
            priority: lower numbers get a free slot first.
        """
        deadline = time.monotonic() + timeout
        entry = (priority, next(self._tickets))
        with self._changed:
            heapq.heappush(self._waiting, entry)
            try:
                while not (self._free and self._waiting[0] == entry):
                    if (cancelled is not None and cancelled.is_set()) or (
                        time.monotonic() >= deadline
                    ):
                        return False
                    self._changed.wait(_CANCEL_CHECK_S)
                self._free -= 1
                return True
            finally:
                self._waiting.remove(entry)
                heapq.heapify(self._waiting)
                self._changed.notify_all()  # the next in line may take another free slot

    def release(self) -> None:
        """Give back a slot whose start never happened."""
        with self._changed:
            if self._free == self._slots:
                raise ValueError("released more slots than were taken")
            self._free += 1
            self._changed.notify_all()

    def hold_until_started(self, pid: int) -> None:
        """Give the slot back when `pid` exits, goes idle or has been busy `HOLD_CAP_S`."""
        threading.Thread(
            target=self._watch, args=(pid,), name=f"twelve-gate-{pid}", daemon=True
        ).start()

    def _watch(self, pid: int) -> None:
        try:
            root = psutil.Process(pid)
            deadline = time.monotonic() + HOLD_CAP_S
            quiet = 0
            while time.monotonic() < deadline:
                time.sleep(SAMPLE_S)
                quiet = quiet + 1 if _waiting(root) else 0
                # The tree is read only once the root has waited long enough (a wrapper such
                # as sh -c or npm whose child does the work), as listing processes is not cheap.
                if quiet == QUIET_SAMPLES:
                    if all(map(_waiting, _children(root))):
                        return
                    quiet = 0
        except psutil.Error:  # gone already: exited
            return
        finally:
            self.release()


def _waiting(process: psutil.Process) -> bool:
    """Blocked in a wait (socket, sleep, child), not running nor runnable-but-starved."""
    try:
        return process.status() in _WAITING
    except psutil.NoSuchProcess:
        return True


def _children(process: psutil.Process) -> list[psutil.Process]:
    return process.children(recursive=True)
