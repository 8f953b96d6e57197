"""Clocks for the probe harness: the real one, and a fake one that only moves when told."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from typing import Protocol

__all__ = ["Clock", "Deadline", "FakeClock", "SystemClock", "backoff"]


class Clock(Protocol):
    """Monotonic time and sleeping, injectable so timeout logic is testable without waiting."""

    def now(self) -> float:
        """Return monotonic seconds; only differences between two readings mean anything."""

    def sleep(self, seconds: float) -> None:
        """Block for `seconds` (or, for a fake clock, pretend to).

        Args:
            seconds: How long to sleep; never negative.
        """


class SystemClock:
    """The real monotonic clock."""

    __slots__ = ()

    def now(self) -> float:
        """Return `time.monotonic()`."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Sleep for real.

        Args:
            seconds: How long to sleep; negative values are treated as zero.
        """
        time.sleep(max(seconds, 0.0))


class FakeClock:
    """A clock whose time advances only through `sleep` and `advance`."""

    __slots__ = ("_lock", "_now")

    def __init__(self, start: float = 0.0) -> None:
        """Start the clock.

        Args:
            start: The first value `now()` returns.
        """
        self._now = start
        # Probes run in threads; several may sleep on one fake clock at once. Re-entrant, because
        # the teardown signal handler may read the clock while the main thread holds the lock.
        self._lock = threading.RLock()

    def now(self) -> float:
        """Return the current fake time."""
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        """Advance the fake time instead of blocking.

        Args:
            seconds: How far to advance; negative values are treated as zero.
        """
        self.advance(max(seconds, 0.0))

    def advance(self, seconds: float) -> None:
        """Move the fake time forward.

        Args:
            seconds: How far to move; must not be negative, a monotonic clock never goes back.
        """
        if seconds < 0:
            raise ValueError(f"a monotonic clock cannot go back ({seconds} s)")
        with self._lock:
            self._now += seconds


class Deadline:
    """A point in time on a clock, `seconds` after creation."""

    __slots__ = ("_clock", "_end")

    def __init__(self, clock: Clock, seconds: float) -> None:
        """Fix the deadline.

        Args:
            clock: The clock to measure against.
            seconds: Time allowed from now; negative values mean already expired.
        """
        self._clock = clock
        self._end = clock.now() + seconds

    def remaining(self) -> float:
        """Return the seconds left, never below zero."""
        return max(self._end - self._clock.now(), 0.0)

    def expired(self) -> bool:
        """Return True once no time is left."""
        return self._clock.now() >= self._end

    def sleep(self, step: float) -> None:
        """Sleep for `step`, but never past the deadline.

        Args:
            step: The longest sleep wanted, typically a poll interval.
        """
        self._clock.sleep(min(step, self.remaining()))


def backoff(first: float, cap: float, factor: float = 1.5) -> Iterator[float]:
    """Poll intervals: `first`, then each `factor` times longer, up to `cap` (endless).

    A wait that usually ends soon notices it at once, and a long one costs little CPU.

    Args:
        first: the first interval in seconds.
        cap: the longest interval.
        factor: growth per step.
    """
    for step in itertools.count():
        yield min(first * factor**step, cap)
