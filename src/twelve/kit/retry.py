"""Retries that are bounded, jittered, categorised and logged, on top of stamina.

A call is retried only when its failure is transient *and* repeating it is safe: the call
is idempotent, carries an idempotency key, or failed before anything was sent (a refused
connect). Attempts and a total deadline both bound it; a retry whose backoff would end
past the deadline is not made. Every decision is one structured event, `retry decision`,
with `decision` (retry | give_up) and `reason`.
"""

from __future__ import annotations

import random
import sys
import time
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
        deadline: seconds from the first call after which no retry starts.
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
        """Await `fn()`, retrying as the policy allows.

        Args:
            fn: makes one attempt.
            operation: names the call in the log ("fetch profile").
            idempotent: repeating the call is harmless.
            idempotency_key: the server deduplicates by it, so repeating is harmless.
        """
        decide = _Decision(self, operation, idempotent or idempotency_key is not None)
        token = _IN_POLICY.set(True)
        try:
            async for attempt in stamina.retry_context(
                on=decide, attempts=self.attempts, timeout=self.deadline
            ):
                with attempt:
                    return await fn()
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

    __slots__ = ("_attempt", "_log", "_operation", "_policy", "_safe", "_started")

    def __init__(self, policy: RetryPolicy, operation: str, safe: bool) -> None:
        self._policy = policy
        self._operation = operation
        self._safe = safe
        self._attempt = 0
        self._started = time.monotonic()
        self._log = get_logger("twelve.kit.retry")

    def __call__(self, exc: Exception) -> bool | float:
        self._attempt += 1
        policy = self._policy
        kind = category(exc) or ("transient" if isinstance(exc, policy.retry_on) else None)
        base = min(policy.wait_max, policy.wait_initial * 2.0 ** (self._attempt - 1))
        delay = base / 2 + random.uniform(0, base / 2)
        left = policy.deadline - (time.monotonic() - self._started)
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
