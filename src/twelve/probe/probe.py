"""How a probe is declared: `@probe(...)` on a function `(service, ctx) -> verdicts`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from twelve.catalogue import REGISTRY
from twelve.model import Lifecycle, Severity
from twelve.registry import CheckFunction, declare


@dataclass(frozen=True, slots=True)
class ProbeSpec:
    """How the runner schedules a probe.

    Args:
        kinds: process kinds it applies to (`web`, `worker`).
        final: runs after every other probe, over the run's records (leak checks).
        needs_start: depends on the service starting; inconclusive when it cannot.
        budget: seconds allowed beyond the contract's own timeouts before it is an `error`.
        shared: uses the run's shared ready instance (`ctx.shared_instance`); the runner
            keeps it until every such probe is done.
    """

    kinds: frozenset[str]
    final: bool = False
    needs_start: bool = True
    budget: float = 15.0
    shared: bool = False


SPECS: dict[str, ProbeSpec] = {}


def probe(
    *,
    id: str,  # noqa: A002 -- "id" is the domain word for a check's permanent identifier
    name: str,
    factor: int,
    severity: Severity,
    summary: str,
    remediation: str,
    kinds: Iterable[str] = ("web",),
    final: bool = False,
    needs_start: bool = True,
    budget: float = 15.0,
    shared: bool = False,
    lifecycle: Lifecycle = Lifecycle.STABLE,
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a probe; the function's docstring holds its documentation.

    Args:
        id: permanent `P<factor><seq>` ID.
        name: kebab-case name.
        factor: 1-12.
        severity: default severity of a failure.
        summary: one line for listings.
        remediation: what to do about a failure.
        kinds: process kinds it applies to.
        final: run after all others, over the records of the whole run.
        needs_start: inconclusive when the service cannot start at all.
        budget: seconds allowed beyond the contract's timeouts.
        shared: observes the run's shared ready instance (needs a start, not final).
        lifecycle: preview (opt-in) or stable.
    """
    register = declare(
        REGISTRY,
        id=id,
        name=name,
        factor=factor,
        severity=severity,
        summary=summary,
        remediation=remediation,
        lifecycle=lifecycle,
    )

    def decorate(function: CheckFunction) -> CheckFunction:
        if shared and (final or not needs_start):
            raise ValueError(f"{id}: a shared instance is kept for needs_start probes, not final")
        SPECS[id] = ProbeSpec(frozenset(kinds), final, needs_start, budget, shared)
        return register(function)

    return decorate
