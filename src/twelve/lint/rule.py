"""How a static rule is declared: `@rule(...)` on a pure function `(facts) -> verdicts`."""

from __future__ import annotations

from collections.abc import Callable

from twelve.catalogue import REGISTRY
from twelve.model import Lifecycle, Severity
from twelve.registry import CheckFunction, declare


def rule(
    *,
    id: str,  # noqa: A002 -- "id" is the domain word for a check's permanent identifier
    name: str,
    factor: int,
    severity: Severity,
    summary: str,
    remediation: str,
    lifecycle: Lifecycle = Lifecycle.STABLE,
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a static rule; the function's docstring holds its documentation.

    Args:
        id: permanent `S<factor><seq>` ID.
        name: kebab-case name.
        factor: 1-12.
        severity: default severity of a failure.
        summary: one line for listings.
        remediation: what to do about a failure.
        lifecycle: preview (opt-in) or stable.
    """
    return declare(
        REGISTRY,
        id=id,
        name=name,
        factor=factor,
        severity=severity,
        summary=summary,
        remediation=remediation,
        lifecycle=lifecycle,
    )
