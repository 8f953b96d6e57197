"""Retry policy: bounded by attempts and a deadline, jittered, idempotent-only, logged."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from twelve.kit.retry import DeadlineExceeded, RetryPolicy, category
from twelve.kit.testing import CapturedLogs, app_server, capture_logs

_LOG_ENVELOPE = frozenset({"timestamp", "level", "logger", "service", "version", "env"})


def _decisions(logs: CapturedLogs) -> list[tuple[str, str, int, str]]:
    return [
        (e["decision"], e["reason"], e["attempt"], e["error_type"])
        for e in logs.events
        if e["message"] == "retry decision"
    ]


def _failing(
    times: int, exc: Callable[[], Exception]
) -> tuple[Callable[[], Awaitable[str]], list[int]]:
    calls: list[int] = []

    async def call() -> str:
        calls.append(1)
        if len(calls) <= times:
            raise exc()
        return "ok"

    return call, calls


def test_idempotent_transient_failure_is_retried_with_jittered_backoff() -> None:
    """Two timeouts then success: 3 calls, two "retry" decisions whose delays lie in
    [base/2, base] for bases 0.05 and 0.1 s; no stamina duplicate line."""
    call, calls = _failing(2, lambda: httpx.ReadTimeout("slow"))
    policy = RetryPolicy(attempts=5, deadline=5.0, wait_initial=0.05)
    with capture_logs() as logs:
        assert asyncio.run(policy.call(call, operation="get profile", idempotent=True)) == "ok"
    assert len(calls) == 3
    assert _decisions(logs) == [
        ("retry", "transient", 1, "ReadTimeout"),
        ("retry", "transient", 2, "ReadTimeout"),
    ]
    delays = [e["delay_s"] for e in logs.events if e.get("decision") == "retry"]
    assert 0.025 <= delays[0] <= 0.05
    assert 0.05 <= delays[1] <= 0.1
    assert all(e["operation"] == "get profile" for e in logs.events if "operation" in e)
    assert not any("stamina" in str(e["message"]) for e in logs.events)


def test_non_idempotent_call_is_not_retried() -> None:
    """A transient failure of a non-idempotent call: one call, give_up not_idempotent."""
    call, calls = _failing(1, lambda: httpx.ReadTimeout("slow"))
    with capture_logs() as logs, pytest.raises(httpx.ReadTimeout):
        asyncio.run(RetryPolicy().call(call, operation="charge card"))
    assert len(calls) == 1
    assert _decisions(logs) == [("give_up", "not_idempotent", 1, "ReadTimeout")]


def test_refused_connect_is_retried_even_when_not_idempotent() -> None:
    """A refused connect sent nothing, so a POST without key is retried, up to `attempts`."""
    call, calls = _failing(9, lambda: httpx.ConnectError("refused"))
    with capture_logs() as logs, pytest.raises(httpx.ConnectError):
        asyncio.run(RetryPolicy(attempts=3, wait_initial=0.01).call(call, operation="post"))
    assert len(calls) == 3
    assert _decisions(logs) == [
        ("retry", "not_sent", 1, "ConnectError"),
        ("retry", "not_sent", 2, "ConnectError"),
        ("give_up", "attempts_exhausted", 3, "ConnectError"),
    ]


def test_deadline_stops_a_retry_that_would_end_too_late() -> None:
    """Backoff 2 s and deadline 0.5 s: no retry is made; give_up deadline after 1 call."""
    call, calls = _failing(9, TimeoutError)
    policy = RetryPolicy(attempts=10, deadline=0.5, wait_initial=2.0, wait_max=2.0)
    started = time.monotonic()
    with capture_logs() as logs, pytest.raises(TimeoutError):
        asyncio.run(policy.call(call, operation="slow", idempotent=True))
    assert time.monotonic() - started < 0.5
    assert len(calls) == 1
    assert _decisions(logs) == [("give_up", "deadline", 1, "TimeoutError")]


def test_permanent_error_is_not_retried() -> None:
    """A ValueError is not transient: one call, give_up not_retryable."""
    call, calls = _failing(1, lambda: ValueError("bad input"))
    with capture_logs() as logs, pytest.raises(ValueError, match="bad input"):
        asyncio.run(RetryPolicy().call(call, operation="parse", idempotent=True))
    assert len(calls) == 1
    assert _decisions(logs) == [("give_up", "not_retryable", 1, "ValueError")]


def test_http_request_retries_503_with_idempotency_key_and_returns_last_answer() -> None:
    """A real server answering 503 twice then 201: a POST with an idempotency key is retried
    and sends the key each time; a POST without key gets its first 503 back at once; a GET
    that keeps getting 503 returns the last 503 after `attempts`."""
    seen: list[tuple[str, str | None]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        headers = dict(scope["headers"])
        key = headers.get(b"idempotency-key")
        seen.append((scope["method"], key.decode() if key else None))
        ok = scope["path"] == "/flaky" and len([s for s in seen if s[1]]) > 2
        status = 201 if ok else 503
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    policy = RetryPolicy(attempts=3, wait_initial=0.01)

    async def scenario(url: str) -> list[int]:
        async with httpx.AsyncClient(base_url=url) as client:
            keyed = await policy.request(client, "POST", "/flaky", idempotency_key="k-1")
            unkeyed = await policy.request(client, "POST", "/other")
            down = await policy.request(client, "GET", "/other")
        return [keyed.status_code, unkeyed.status_code, down.status_code]

    with capture_logs() as logs, app_server(app) as url:
        assert asyncio.run(scenario(url)) == [201, 503, 503]
    assert seen == [("POST", "k-1")] * 3 + [("POST", None)] + [("GET", None)] * 3
    assert [d[:2] for d in _decisions(logs)] == [
        ("retry", "transient"),
        ("retry", "transient"),
        ("give_up", "not_idempotent"),
        ("retry", "transient"),
        ("retry", "transient"),
        ("give_up", "attempts_exhausted"),
    ]


def test_categories() -> None:
    """Refused connects are not_sent; timeouts and dropped connections transient; else None."""
    assert category(httpx.ConnectError("x")) == "not_sent"
    assert category(ConnectionRefusedError()) == "not_sent"
    assert category(httpx.ReadTimeout("x")) == "transient"
    assert category(ConnectionResetError()) == "transient"
    assert category(KeyError("x")) is None


def test_policy_rejects_unbounded_settings() -> None:
    """attempts below 1 or a non-positive deadline is refused."""
    with pytest.raises(ValueError, match="attempts"):
        RetryPolicy(attempts=0)
    with pytest.raises(ValueError, match="deadline"):
        RetryPolicy(deadline=0)


def test_hanging_attempt_is_cancelled_at_the_deadline() -> None:
    """An attempt that never returns, deadline 0.5 s: it is cancelled at the deadline and
    the call raises DeadlineExceeded (a TimeoutError) after ~0.5 s, not the 30 s it would
    hang; one give_up deadline event with the attempt and elapsed time, no argument values."""
    cancelled: list[bool] = []

    async def hang() -> str:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.append(True)
            raise
        return "too late"

    policy = RetryPolicy(attempts=3, deadline=0.5, wait_initial=0.01)
    started = time.monotonic()
    with capture_logs() as logs, pytest.raises(DeadlineExceeded) as raised:
        asyncio.run(policy.call(hang, operation="fetch profile", idempotent=True))
    took = time.monotonic() - started
    assert 0.45 <= took < 2.0
    assert cancelled == [True]
    assert isinstance(raised.value, TimeoutError)
    assert (raised.value.operation, raised.value.attempt, raised.value.deadline) == (
        "fetch profile",
        1,
        0.5,
    )
    assert 0.45 <= raised.value.elapsed < 2.0
    assert str(raised.value).startswith("fetch profile: deadline of 0.5 s reached during attempt 1")
    assert _decisions(logs) == [("give_up", "deadline", 1, "DeadlineExceeded")]
    (event,) = [e for e in logs.events if e["message"] == "retry decision"]
    assert 0.45 <= event["elapsed_s"] < 2.0
    assert event["level"] == "error"
    assert {k for k in event if k not in _LOG_ENVELOPE} == {
        "message",
        "operation",
        "decision",
        "reason",
        "attempt",
        "max_attempts",
        "error_type",
        "elapsed_s",
    }


def test_deadline_bounds_a_retry_that_hangs() -> None:
    """The first attempt is refused at once, the retry hangs: the whole call still ends at
    the 0.5 s deadline with DeadlineExceeded for attempt 2, after one retry decision."""
    calls: list[int] = []

    async def refused_then_hang() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ConnectError("refused")
        await asyncio.Event().wait()
        return "too late"

    policy = RetryPolicy(attempts=5, deadline=0.5, wait_initial=0.01, wait_max=0.01)
    started = time.monotonic()
    with capture_logs() as logs, pytest.raises(DeadlineExceeded) as raised:
        asyncio.run(policy.call(refused_then_hang, operation="post order"))
    assert 0.45 <= time.monotonic() - started < 2.0
    assert len(calls) == 2
    assert raised.value.attempt == 2
    assert _decisions(logs) == [
        ("retry", "not_sent", 1, "ConnectError"),
        ("give_up", "deadline", 2, "DeadlineExceeded"),
    ]
    elapsed = [e["elapsed_s"] for e in logs.events if e["message"] == "retry decision"]
    assert elapsed[0] < 0.45 <= elapsed[1] < 2.0


def test_timeout_raised_by_the_call_itself_is_a_transient_failure() -> None:
    """A TimeoutError the attempt raises on its own (its own shorter timeout) is not the
    policy's deadline: it is retried like any transient failure and the call succeeds."""
    calls: list[int] = []

    async def own_timeout_then_ok() -> str:
        calls.append(1)
        if len(calls) == 1:
            async with asyncio.timeout(0.01):
                await asyncio.sleep(30)
        return "ok"

    policy = RetryPolicy(attempts=3, deadline=5.0, wait_initial=0.01)
    with capture_logs() as logs:
        result = asyncio.run(policy.call(own_timeout_then_ok, operation="get", idempotent=True))
    assert result == "ok"
    assert len(calls) == 2
    assert _decisions(logs) == [("retry", "transient", 1, "TimeoutError")]


def test_cancelling_the_caller_is_not_a_retry_decision() -> None:
    """The task awaiting the policy is cancelled mid-attempt: the cancellation goes through
    at once, unretried, and no "retry decision" is logged for it."""

    async def hang() -> str:
        await asyncio.sleep(30)
        return "too late"

    async def cancel_soon() -> None:
        task = asyncio.create_task(RetryPolicy(deadline=20).call(hang, operation="sync", idempotent=True))
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    started = time.monotonic()
    with capture_logs() as logs:
        asyncio.run(cancel_soon())
    assert time.monotonic() - started < 2
    assert _decisions(logs) == []
