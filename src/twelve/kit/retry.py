"""Retries that are bounded, jittered, categorised and logged, on top of stamina.

A call is retried only when its failure is transient *and* repeating it is safe: the call
is idempotent, carries an idempotency key, or failed before anything was sent (a refused
connect). Attempts and a total deadline both bound it. The deadline bounds the whole call,
the attempt in flight included: a retry whose backoff would end past it is not made, and
an attempt still running when it passes is cancelled and the call raises `DeadlineExceeded`.
Every decision is one structured event, `retry decision`, with `decision` (retry |
give_up), `reason`, `attempt` and `elapsed_s`; never the call's arguments.
"""

from __future__ import annotations

import asyncio
import random
import sys
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeVar

import stamina

from twelve.kit.logs import get_logger

if TYPE_CHECKING:
    import httpx

T = TypeVar("T")
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
RETRY_STATUSES = frozenset({429, 502, 503, 504})
_IN_POLICY: ContextVar[bool] = ContextVar("twelve_kit_in_retry_policy", default=False)
_HOOKS_WRAPPED = False


class DeadlineExceeded(TimeoutError):
    """The policy's total deadline passed while an attempt was running; it was cancelled.

    A `TimeoutError`, so callers that already handle timeouts handle this one too.

    Args:
        operation: the call's name.
        attempt: the attempt that was cancelled (1 is the first call).
        elapsed: seconds since the first attempt started.
        deadline: the policy's deadline in seconds.
    """

    def __init__(self, operation: str, attempt: int, elapsed: float, deadline: float) -> None:
        super().__init__(
            f"{operation}: deadline of {deadline:g} s reached during attempt {attempt} "
            f"after {elapsed:.3f} s"
        )
        self.operation = operation
        self.attempt = attempt
        self.elapsed = elapsed
        self.deadline = deadline


class RetryableStatus(Exception):
    """An HTTP answer worth retrying (429, 502, 503, 504); carries the response."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def category(exc: BaseException) -> str | None:
    """ "not_sent" (safe to repeat anything), "transient", or None (do not retry).

    Args:
        exc: the failure.
    """
    httpx = sys.modules.get("httpx")
    if httpx is not None and isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return "not_sent"
    if isinstance(exc, ConnectionRefusedError):
        return "not_sent"
    if httpx is not None and isinstance(exc, httpx.TransportError):
        return "transient"
    psycopg = sys.modules.get("psycopg")
    if psycopg is not None and isinstance(
        exc,
        psycopg.OperationalError
        | psycopg.errors.SerializationFailure
        | psycopg.errors.DeadlockDetected,
    ):
        return "transient"
    if isinstance(exc, RetryableStatus | ConnectionError | TimeoutError):
        return "transient"
    return None


class RetryPolicy:
    """How to retry calls to one backing service.

    Args:
        attempts: calls at most, the first included.
        deadline: seconds from the first call that bound the whole call: no retry starts
            that would end past it, and an attempt still running at it is cancelled.
        wait_initial: backoff before the first retry (doubles each time).
        wait_max: longest backoff.
        retry_on: more exception types to treat as transient.
    """

    __slots__ = ("attempts", "deadline", "retry_on", "wait_initial", "wait_max")

    def __init__(
        self,
        *,
        attempts: int = 3,
        deadline: float = 10.0,
        wait_initial: float = 0.1,
        wait_max: float = 2.0,
        retry_on: tuple[type[BaseException], ...] = (),
    ) -> None:
        if attempts < 1 or deadline <= 0:
            raise ValueError("attempts must be >= 1 and deadline > 0")
        self.attempts = attempts
        self.deadline = deadline
        self.wait_initial = wait_initial
        self.wait_max = wait_max
        self.retry_on = retry_on
        _wrap_stamina_hooks()

    async def call(
        self,
        fn: Callable[[], Awaitable[T]],
        *,
        operation: str,
        idempotent: bool = False,
        idempotency_key: str | None = None,
    ) -> T:
        """Await `fn()`, retrying as the policy allows, for at most `deadline` seconds.

        Each attempt runs under `asyncio.timeout_at(start + deadline)`: an attempt that
        hangs is cancelled there and `DeadlineExceeded` is raised (logged as give_up,
        reason deadline). The policy takes coroutine functions only, because that bound is
        honest only for them: a synchronous call cannot be interrupted from Python, so a
        deadline could stop only the retry loop, not a running attempt. For blocking work,
        make `fn` await `asyncio.to_thread(...)`: the call still returns at the deadline,
        but the thread runs on until the blocking work ends, so give that work its own
        timeout (a socket or statement timeout) as well.

        Args:
            fn: makes one attempt.
            operation: names the call in the log ("fetch profile").
            idempotent: repeating the call is harmless.
            idempotency_key: the server deduplicates by it, so repeating is harmless.
        """
        clock = asyncio.get_running_loop().time
        decide = _Decision(self, operation, idempotent or idempotency_key is not None, clock)
        token = _IN_POLICY.set(True)
        try:
            async for attempt in stamina.retry_context(
                on=decide, attempts=self.attempts, timeout=self.deadline
            ):
                with attempt:
                    scope = asyncio.timeout_at(decide.started + self.deadline)
                    try:
                        async with scope:
                            return await fn()
                    except TimeoutError as exc:
                        if scope.expired():
                            raise decide.expired() from exc
                        raise
        finally:
            _IN_POLICY.reset(token)
        raise AssertionError("unreachable: stamina re-raises the last failure")

    async def request(
        self,
        client: httpx.AsyncClient,
        method: str,
        url: str,
        *,
        idempotency_key: str | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """An HTTP request; idempotent by method, or by an `Idempotency-Key` header.

        A 429/502/503/504 is retried like a transient failure; the last answer is returned.

        Args:
            client: the client (see `http_client`).
            method: the HTTP method.
            url: the URL (or path, with a base URL).
            idempotency_key: sent as `Idempotency-Key`; makes a POST retryable.
            **kwargs: passed to `client.request`.
        """
        if idempotency_key is not None:
            kwargs["headers"] = {**kwargs.get("headers", {}), "Idempotency-Key": idempotency_key}

        async def once() -> httpx.Response:
            response = await client.request(method, url, **kwargs)
            if response.status_code in RETRY_STATUSES:
                raise RetryableStatus(response)
            return response

        try:
            return await self.call(
                once,
                operation=f"{method.upper()} {url.split('?', 1)[0]}",
                idempotent=method.upper() in IDEMPOTENT_METHODS,
                idempotency_key=idempotency_key,
            )
        except RetryableStatus as last:
            return last.response


class _Decision:
    """stamina's backoff hook for one call: retry (with a backoff) or give up, and log it."""

    __slots__ = (
        "_attempt",
        "_clock",
        "_expired",
        "_log",
        "_operation",
        "_policy",
        "_safe",
        "started",
    )

    def __init__(
        self, policy: RetryPolicy, operation: str, safe: bool, clock: Callable[[], float]
    ) -> None:
        self._policy = policy
        self._operation = operation
        self._safe = safe
        self._clock = clock
        self._attempt = 0
        self._expired: DeadlineExceeded | None = None
        self.started = clock()
        self._log = get_logger("twelve.kit.retry")

    def expired(self) -> DeadlineExceeded:
        """The failure for an attempt cancelled at the deadline; `__call__` gives up on it."""
        elapsed = self._clock() - self.started
        self._expired = DeadlineExceeded(
            self._operation, self._attempt + 1, elapsed, self._policy.deadline
        )
        return self._expired

    def __call__(self, exc: Exception) -> bool | float:
        if not isinstance(exc, Exception):  # a cancellation: the caller's, not a decision
            return False
        self._attempt += 1
        policy = self._policy
        if exc is self._expired:
            self._event("give_up", "deadline", exc)
            return False
        kind = category(exc) or ("transient" if isinstance(exc, policy.retry_on) else None)
        base = min(policy.wait_max, policy.wait_initial * 2.0 ** (self._attempt - 1))
        delay = base / 2 + random.uniform(0, base / 2)
        left = policy.deadline - (self._clock() - self.started)
        if kind is None:
            reason = "not_retryable"
        elif kind == "transient" and not self._safe:
            reason = "not_idempotent"
        elif self._attempt >= policy.attempts:
            reason = "attempts_exhausted"
        elif delay >= left:
            reason = "deadline"
        else:
            self._event("retry", kind, exc, delay_s=round(delay, 3))
            return delay
        self._event("give_up", reason, exc)
        return False

    def _event(self, decision: str, reason: str, exc: Exception, **fields: Any) -> None:
        log = self._log.warning if decision == "retry" else self._log.error
        log(
            "retry decision",
            operation=self._operation,
            decision=decision,
            reason=reason,
            attempt=self._attempt,
            max_attempts=self._policy.attempts,
            error_type=type(exc).__name__,
            elapsed_s=round(self._clock() - self.started, 3),
            **fields,
        )


def _wrap_stamina_hooks() -> None:
    """stamina logs retries itself; inside a policy the kit already has: no duplicate lines."""
    global _HOOKS_WRAPPED  # noqa: PLW0603 -- once per process
    if _HOOKS_WRAPPED:
        return
    inner = stamina.instrumentation.get_on_retry_hooks()

    def quiet_in_policy(details: stamina.instrumentation.RetryDetails) -> None:
        if not _IN_POLICY.get():
            for hook in inner:
                hook(details)

    stamina.instrumentation.set_on_retry_hooks([quiet_in_policy])
    _HOOKS_WRAPPED = True
