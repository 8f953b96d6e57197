"""The operational documents: runbook, config contract, observability contract, release plan.

Generated from the contract and the lint facts by pure functions `(contract, facts) -> text`;
hand-written custom regions are carried over verbatim (`twelve.docs.regions`).
"""

from twelve.docs.regions import RegionError, carry_over, find_regions
from twelve.docs.writer import (
    DocsError,
    DocsRun,
    GeneratedFile,
    diff,
    generate,
    plan,
    render,
    write,
)

__all__ = [
    "DocsError",
    "DocsRun",
    "GeneratedFile",
    "RegionError",
    "carry_over",
    "diff",
    "find_regions",
    "generate",
    "plan",
    "render",
    "write",
]
