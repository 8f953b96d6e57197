"""Plain HTTP to an instance over loopback, recorded for the run, with cheap clients.

Not a probe itself: the shared request step of the factor IX probes.
"""

from __future__ import annotations

import functools
import ssl

import httpx

from twelve.probe.context import ProbeContext
from twelve.probe.instance import Exchange, Instance

BODY_CHARS = 2000  # as much of a body as evidence and leak checks keep


@functools.cache
def tls() -> ssl.SSLContext:
    """One TLS context shared by every client made here.

    Probes speak plain HTTP, but httpx builds a context per client unless given one, and that
    costs 0.1-0.4 s on a loaded machine: it would distort every latency measured.
    """
    return ssl.create_default_context()


def fetch(
    instance: Instance,
    ctx: ProbeContext,
    path: str,
    *,
    base: str | None = None,
    timeout: float = 1.0,
) -> Exchange:
    """GET `path` on a fresh connection and record the exchange; never raises for network errors.

    Args:
        instance: the instance asked.
        ctx: the probe context (clock, run record).
        path: the path and query.
        base: "http://host:port" when the instance is not known to be ready yet.
        timeout: connect and read timeout in seconds.
    """
    started = ctx.clock.now()
    status, headers, body, error = None, {}, "", None
    url = (base or instance.url("")) + path
    try:
        with (
            httpx.Client(trust_env=False, timeout=timeout, verify=tls()) as client,
            client.stream("GET", url) as response,
        ):
            status, headers = response.status_code, dict(response.headers)
            for chunk in response.iter_text():  # only the start: a body may never end
                body += chunk
                if len(body) >= BODY_CHARS:
                    break
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:300]
    exchange = Exchange(
        t=since_exec(instance, started),
        method="GET",
        path=path,
        status=status,
        headers=headers,
        body=body[:BODY_CHARS],
        error=error,
        seconds=ctx.clock.now() - started,
    )
    ctx.record.add_exchange(instance.label, exchange)
    return exchange


def since_exec(instance: Instance, t: float) -> float:
    """The clock reading `t` as seconds after the instance's exec (the timeline's origin)."""
    return t - instance.proc.started_at


def no_answer(error: str | None) -> str:
    """Why a request got no HTTP answer, in a few words ("refused", "not answered", ...).

    Args:
        error: the exchange's error, "ExceptionName: detail".
    """
    kind = (error or "").split(":", 1)[0]
    if kind == "ConnectError":
        return "refused"
    if kind == "ConnectTimeout":
        return "connect timed out"
    if "Timeout" in kind:
        return "not answered"
    return "closed without an answer"
