"""Plain HTTP to an instance over loopback, recorded for the run, with cheap clients.

Not a probe itself: the shared request step of the factor IX probes.
"""

from __future__ import annotations

from twelve.probe.context import ProbeContext
from twelve.probe.instance import Exchange, Instance


def fetch(
    instance: Instance,
    ctx: ProbeContext,
    path: str,
    *,
    base: str | None = None,
    timeout: float = 1.0,
) -> Exchange:
    """GET `path` on a fresh connection, recorded for the run (see `Instance.request`).

    Args:
        instance: the instance asked.
        ctx: the probe context (unused; kept so every probe step takes the same arguments).
        path: the path and query.
        base: "http://host:port" when the instance is not known to be ready yet.
        timeout: connect and read timeout in seconds.
    """
    return instance.request("GET", path, base=base, timeout=timeout)


def since_exec(instance: Instance, t: float) -> float:
    """The clock reading `t` as seconds after the instance's exec (the timeline's origin)."""
    return instance.since_exec(t)


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
