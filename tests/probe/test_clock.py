"""Tests for twelve.probe.clock: fake time, real time, deadlines."""

from __future__ import annotations

import itertools

import pytest

from twelve.probe.clock import Clock, Deadline, FakeClock, SystemClock, backoff


def test_fake_clock_moves_only_when_told() -> None:
    """FakeClock starts where it is told and advances only by sleep() and advance()."""
    clock = FakeClock(start=100.0)
    assert clock.now() == 100.0
    assert clock.now() == 100.0
    clock.sleep(2.5)
    assert clock.now() == 102.5
    clock.advance(0.5)
    assert clock.now() == 103.0


def test_fake_clock_never_goes_back() -> None:
    """advance() refuses negative steps; sleep() treats them as zero, like a real sleep."""
    clock = FakeClock()
    with pytest.raises(ValueError, match="cannot go back"):
        clock.advance(-1.0)
    clock.sleep(-1.0)
    assert clock.now() == 0.0


def test_deadline_counts_down_on_the_fake_clock() -> None:
    """A Deadline reports exact remaining time and expires exactly at its end."""
    clock = FakeClock(start=10.0)
    deadline = Deadline(clock, 5.0)
    assert deadline.remaining() == 5.0
    assert not deadline.expired()
    clock.advance(4.0)
    assert deadline.remaining() == 1.0
    assert not deadline.expired()
    clock.advance(1.0)
    assert deadline.remaining() == 0.0
    assert deadline.expired()
    clock.advance(3.0)
    assert deadline.remaining() == 0.0


def test_deadline_sleep_never_oversleeps() -> None:
    """Deadline.sleep(step) sleeps the step, but stops exactly at the deadline."""
    clock = FakeClock()
    deadline = Deadline(clock, 1.0)
    deadline.sleep(0.25)
    assert clock.now() == 0.25
    deadline.sleep(10.0)
    assert clock.now() == 1.0
    assert deadline.expired()
    deadline.sleep(10.0)
    assert clock.now() == 1.0


def test_a_zero_deadline_is_expired_at_once() -> None:
    """Deadline(clock, 0) is already expired, and a negative one too."""
    clock = FakeClock()
    assert Deadline(clock, 0.0).expired()
    assert Deadline(clock, -1.0).expired()
    assert Deadline(clock, -1.0).remaining() == 0.0


def test_system_clock_is_monotonic_and_sleeps() -> None:
    """SystemClock.now() never decreases and sleep() really waits; negative sleeps return."""
    clock: Clock = SystemClock()
    first = clock.now()
    clock.sleep(0.02)
    second = clock.now()
    assert second - first >= 0.02
    clock.sleep(-5.0)
    assert clock.now() >= second


def test_fake_clock_satisfies_the_clock_protocol() -> None:
    """Code typed against Clock accepts FakeClock (checked by mypy) and sees its time."""
    clock: Clock = FakeClock(start=7.0)
    assert Deadline(clock, 3.0).remaining() == 3.0


def test_backoff_grows_to_its_cap() -> None:
    """Poll intervals start short and level off."""
    assert list(itertools.islice(backoff(0.01, 0.05, factor=2.0), 5)) == [
        0.01,
        0.02,
        0.04,
        0.05,
        0.05,
    ]
