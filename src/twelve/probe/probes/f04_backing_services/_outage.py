"""Shared steps of the backing-service probes: switch faults, ask health paths, keep a timeline.

Not a probe itself. An `Outage` drives the fault proxies of one instance (launched with
`faults=True`) and remembers every switch and every answer, in exec-relative time, for the
evidence: `+1.20 proxy refuse`, `+1.25 GET /readyz -> 503 (0.004 s)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from twelve.model import Evidence, Verdict, inconclusive, not_applicable
from twelve.probe.context import ProbeContext
from twelve.probe.instance import Exchange, Instance
from twelve.probe.proxy import Mode

POLL_S = 0.1


def precondition(ctx: ProbeContext) -> Verdict | None:
    """Why the probe cannot run (not applicable, or inconclusive), or None to go on.

    Args:
        ctx: the probe context, with the run's backing services.
    """
    if not ctx.backing.keys:
        return not_applicable("no config key is marked backing_service = true")
    if problems := ctx.backing.problems():
        return inconclusive("; ".join(problems))
    return None


def is_5xx(exchange: Exchange) -> bool:
    """An answer saying "unavailable": any 5xx status."""
    return exchange.status is not None and exchange.status >= 500


def is_2xx(exchange: Exchange) -> bool:
    """A healthy answer."""
    return exchange.status is not None and 200 <= exchange.status < 300


def answer(exchange: Exchange) -> str:
    """The status, or why there was none, in a few words ("503", "no answer in 2 s")."""
    if exchange.status is not None:
        return str(exchange.status)
    kind = (exchange.error or "").split(":", 1)[0]
    if "Timeout" in kind:
        return f"no answer in {exchange.seconds:.1f} s"
    return "refused" if kind == "ConnectError" else "closed without an answer"


@dataclass(frozen=True, slots=True)
class _Event:
    t: float
    label: str
    exchange: Exchange | None = None

    @property
    def kind(self) -> tuple[str, ...]:
        x = self.exchange
        return ("switch", self.label) if x is None else (x.method, x.path, answer(x))


class Outage:
    """Faults on one instance's proxies, and the answers its health paths gave meanwhile.

    Args:
        instance: an instance launched with `faults=True`.
        ctx: the probe context (clock, run record).
    """

    def __init__(self, instance: Instance, ctx: ProbeContext) -> None:
        self.instance = instance
        self._ctx = ctx
        self._events: list[_Event] = []

    def _now(self) -> float:
        return self.instance.since_exec(self._ctx.clock.now())

    def switch(
        self, mode: Mode, *, keys: Iterable[str] | None = None, latency_ms: int | None = None
    ) -> float:
        """Put the proxies of `keys` (default: all) in `mode`; the exec-relative time it took hold.

        Args:
            mode: the fault mode.
            keys: the backing-service keys whose proxies switch.
            latency_ms: the delay per chunk, for LATENCY.
        """
        proxies = self.instance.proxies
        chosen = list(keys) if keys is not None else list(proxies)
        for key in chosen:
            proxies[key].set_mode(mode, latency_ms=latency_ms)
        label = f"proxy {mode.value}" + (f" {latency_ms} ms" if latency_ms else "")
        if len(proxies) > 1:
            label += f" ({', '.join(chosen)})"
        switched = self._now()
        self._events.append(_Event(switched, label))
        return switched

    def ask(self, path: str, *, timeout: float) -> Exchange:
        """GET `path` on a fresh connection; recorded for the run and the timeline.

        Args:
            path: the path.
            timeout: seconds allowed for connect, and again for the answer.
        """
        exchange = self.instance.request("GET", path, timeout=timeout)
        self._events.append(_Event(exchange.t, "", exchange))
        return exchange

    def await_answer(
        self, path: str, wanted: Callable[[Exchange], bool], seconds: float, *, timeout: float
    ) -> Exchange | None:
        """Ask `path` until an answer is `wanted` (returned) or `seconds` pass (None).

        Args:
            path: the path.
            wanted: the predicate.
            seconds: how long to keep asking.
            timeout: the longest wait for one answer (shortened to the time left).
        """
        clock = self._ctx.clock
        end = clock.now() + seconds
        while True:
            left = end - clock.now()
            exchange = self.ask(path, timeout=max(min(timeout, left), 0.05))
            if wanted(exchange):
                return exchange
            left = end - clock.now()
            if left <= 0:
                return None
            clock.sleep(min(POLL_S, left))

    def hold(self, path: str, seconds: float, *, timeout: float) -> list[Exchange]:
        """Ask `path` again and again for `seconds`; every answer.

        Args:
            path: the path.
            seconds: how long.
            timeout: the longest wait for one answer.
        """
        clock = self._ctx.clock
        end = clock.now() + seconds
        seen = [self.ask(path, timeout=timeout)]
        while (left := end - clock.now()) > 0:
            clock.sleep(min(POLL_S, left))
            seen.append(self.ask(path, timeout=timeout))
        return seen

    def timeline(self) -> Evidence:
        """Switches and answers in order; repeated equal answers folded into one line."""
        lines: list[str] = []
        run: list[_Event] = []
        events = sorted(self._events, key=lambda event: event.t)  # asked from threads too
        for event in [*events, None]:
            if run and (event is None or event.kind != run[0].kind):
                lines.append(_render(run))
                run = []
            if event is not None:
                run.append(event)
        return Evidence(f"{self.instance.label} fault timeline", tuple(lines))

    def evidence(self) -> tuple[Evidence, ...]:
        """The fault timeline, then the instance's own timeline and output."""
        return (self.timeline(), *self.instance.evidence())


def _render(run: list[_Event]) -> str:
    first = run[0]
    if first.exchange is None:
        return f"+{first.t:.2f} {first.label}"
    line = first.exchange.describe()
    if len(run) > 1:
        slowest = max(e.exchange.seconds for e in run if e.exchange is not None)
        line += f" x{len(run)} until +{run[-1].t:.2f} (slowest {slowest:.3f} s)"
    return line
