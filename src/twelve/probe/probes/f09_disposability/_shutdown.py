"""Shared steps of the shutdown probes: send a stop signal, time the exit, keep a request in flight.

Not a probe itself. The semantics follow Kubernetes pod termination: the contract's
`shutdown_timeout` runs from the signal to the exit (the drain is part of it), and a process
still alive at that limit gets SIGKILL, as the kubelet would do.
"""

from __future__ import annotations

import signal
import threading
from dataclasses import dataclass
from typing import Any

from twelve.model import CheckInconclusive, Evidence
from twelve.probe.clock import Clock
from twelve.probe.context import ProbeContext
from twelve.probe.instance import BODY_CHARS, Exchange, Instance, wait_until
from twelve.probe.ports import loopback_client
from twelve.probe.probes.f09_disposability._loopback import no_answer, since_exec

SETTLE_S = 0.25  # a request written to the socket is being worked on by then
SEND_WAIT_S = 2.0  # longest wait for the in-flight request to be written (a loaded machine)
KILL_WAIT_S = 3.0  # SIGKILL cannot be ignored; this only bounds a process stuck in the kernel
JUDGED_GRACE_S = 0.5  # once a probe has judged, the rest of a shutdown is not worth waiting for


@dataclass(frozen=True, slots=True)
class Exit:
    """How a process reacted to a stop signal.

    Args:
        sig: the signal sent.
        code: the exit code (negative: killed by that signal), None when still running at the limit.
        seconds: from the signal to the exit, or to the limit.
        limit: the contract's shutdown_timeout.
    """

    sig: signal.Signals
    code: int | None
    seconds: float
    limit: float

    def problem(self, *, lenient: bool) -> str | None:
        """Why this was not a graceful exit, or None when it was.

        Args:
            lenient: also accept 128+N and -N (killed by the signal's default action).
        """
        if self.code is None:
            return (
                f"still running {self.seconds:.2f} s after {self.sig.name} "
                f"(limit {self.limit:g} s): needed SIGKILL"
            )
        if self.code == 0 or (lenient and self.code in (128 + self.sig, -self.sig)):
            return None
        if self.code in (128 + self.sig, -self.sig):
            return (
                f"killed by {self.sig.name} (exit {self.code}) after {self.seconds:.2f} s: "
                "no graceful handler (accepted only with --lenient-exit)"
            )
        return f"exited {self.code} after {self.seconds:.2f} s (expected 0)"

    def summary(self) -> str:
        """The measured exit for a pass message: `exited 0 after 1.21 s (limit 5 s)`."""
        return f"exited {self.code} after {self.seconds:.2f} s (limit {self.limit:g} s)"


def stop_with(instance: Instance, sig: signal.Signals, limit: float, clock: Clock) -> Exit:
    """Send `sig`, wait up to `limit` for the exit, SIGKILL the group if it is still running.

    Args:
        instance: a running instance.
        sig: SIGTERM or SIGINT.
        limit: the contract's shutdown_timeout.
        clock: measures the time to exit.
    """
    sent = clock.now()
    instance.signal(sig)
    return await_exit(instance, sig, sent, limit, clock)


def await_exit(
    instance: Instance, sig: signal.Signals, sent: float, limit: float, clock: Clock
) -> Exit:
    """Wait until `limit` after `sent` for the exit; SIGKILL the group if it is still running.

    Args:
        instance: the instance that got `sig` at `sent`.
        sig: the signal that was sent.
        sent: the clock reading just before the signal.
        limit: the contract's shutdown_timeout.
        clock: the time source.
    """
    code = instance.proc.wait_exit(max(sent + limit - clock.now(), 0.0))
    seconds = clock.now() - sent
    if code is None:
        instance.signal(signal.SIGKILL)
        instance.proc.wait_exit(KILL_WAIT_S)
    return Exit(sig, code, seconds, limit)


class InflightRequest:
    """The contract's drain_request, run in a thread and read to its last byte.

    A body cut short is noticed both ways: httpx raises RemoteProtocolError when the
    connection closes before Content-Length bytes or the last chunk, and the byte count is
    compared with Content-Length as well.

    Args:
        instance: a ready instance.
        request: "METHOD /path?query", as the contract writes it.
        ctx: the probe context (clock, and the run record that keeps the exchange).
        timeout: the longest wait for any one network operation.
    """

    def __init__(self, instance: Instance, request: str, ctx: ProbeContext, timeout: float):
        self.method, self.path = request.split(" ", 1)
        self.request = request
        self._instance = instance
        self._ctx = ctx
        self._timeout = timeout
        self._sent = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="twelve-inflight", daemon=True)
        self.status: int | None = None
        self.expected: int | None = None  # Content-Length, when the response has one
        self.received = 0
        self.error: str | None = None
        self.exchange: Exchange | None = None
        self.finished_at: float | None = None
        self._started = ctx.clock.now()

    def start_in_flight(self) -> None:
        """Start the request and wait until the service is working on it.

        Raises:
            CheckInconclusive: it was not sent, or it ended (or failed) before a signal could
                cut it, so a shutdown cannot be judged by it.
        """
        clock = self._ctx.clock
        self._thread.start()
        sent = wait_until(clock, SEND_WAIT_S, lambda: self._sent.is_set() or self._done.is_set())
        if sent and not self._done.is_set():
            wait_until(clock, SETTLE_S, self._done.is_set)
        if not sent:
            why = f"not sent within {SEND_WAIT_S:g} s"
        elif self._done.is_set():
            why = self.problem() or f"answered {self.status} within {self._elapsed():.2f} s"
        elif not self.ok_status and self.status is not None:
            why = f"answered {self.status}"
        else:
            return
        self.join(1.0)
        raise CheckInconclusive(
            f"drain_request {self.request} was not in flight at the signal: {why}",
            self.evidence(),
        )

    @classmethod
    def keep_alive(
        cls, instance: Instance, request: str | None, ctx: ProbeContext, timeout: float
    ) -> tuple[InflightRequest | None, str | None]:
        """Put `request` in flight if one is declared and it can be; else why not.

        For probes that only need the process kept busy across a shutdown, and judge the
        in-flight request on the side (if at all).

        Args:
            instance: a ready instance.
            request: the contract's drain_request, or None.
            ctx: the probe context.
            timeout: the longest wait for any one network operation.
        """
        if request is None:
            return None, None
        inflight = cls(instance, request, ctx, timeout)
        try:
            inflight.start_in_flight()
        except CheckInconclusive as exc:
            return None, exc.reason
        return inflight, None

    @property
    def ok_status(self) -> bool:
        """True for a 2xx status."""
        return self.status is not None and 200 <= self.status < 300

    def join(self, seconds: float) -> bool:
        """Wait up to `seconds` for the response to end (completely or not)."""
        return wait_until(self._ctx.clock, seconds, self._done.is_set)

    def problem(self) -> str | None:
        """Why the response did not arrive whole with a 2xx, or None when it did."""
        if not self._done.is_set():
            return f"not complete after {self._elapsed():.2f} s"
        if self.status is None:
            how = no_answer(self.error)
            if how == "closed without an answer":
                return "was cut: the connection closed before a response"
            return f"got no response ({how})"
        short = self.expected is not None and self.received != self.expected
        if self.error is not None or short:
            of = f" of {self.expected}" if self.expected is not None else ""
            return f"got {self.status} but the body was cut at {self.received}{of} bytes"
        if not self.ok_status:
            return f"answered {self.status}"
        return None

    def evidence(self) -> tuple[Evidence, ...]:
        """The exchange and what arrived of it."""
        if self.exchange is None:
            return (Evidence("in-flight request", (f"{self.request}: still running",)),)
        length = "no Content-Length" if self.expected is None else f"Content-Length {self.expected}"
        lines = (self.exchange.describe(), f"received {self.received} body bytes ({length})")
        return (Evidence("in-flight request", lines),)

    def _elapsed(self) -> float:
        return self._ctx.clock.now() - self._started

    def _trace(self, event: str, _info: dict[str, Any]) -> None:
        if event == "http11.send_request_body.complete":
            self._sent.set()

    def _run(self) -> None:
        clock = self._ctx.clock
        self._started = clock.now()
        headers: dict[str, str] = {}
        body = bytearray()
        try:
            with (
                loopback_client(self._timeout) as client,
                client.stream(
                    self.method,
                    self._instance.url(self.path),
                    extensions={"trace": self._trace},
                ) as response,
            ):
                self.status, headers = response.status_code, dict(response.headers)
                length = response.headers.get("content-length", "")
                self.expected = int(length) if length.isdigit() else None
                for chunk in response.iter_raw():
                    self.received += len(chunk)
                    if len(body) < BODY_CHARS:
                        body += chunk[: BODY_CHARS - len(body)]
        except Exception as exc:  # noqa: BLE001 -- any end of the read is an outcome to report
            self.error = f"{type(exc).__name__}: {exc}"[:300]
        finally:
            self.finished_at = clock.now()
            self.exchange = Exchange(
                t=since_exec(self._instance, self._started),
                method=self.method,
                path=self.path,
                status=self.status,
                headers=headers,
                body=body.decode("utf-8", errors="replace"),
                error=self.error,
                seconds=self.finished_at - self._started,
            )
            self._ctx.record.add_exchange(self._instance.label, self.exchange)
            self._done.set()
