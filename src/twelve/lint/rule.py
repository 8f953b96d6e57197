"""How a static rule is declared: `@rule(...)` on a pure function `(facts) -> verdicts`.

`rule(id=..., name=..., factor=..., severity=..., summary=..., remediation=...,
lifecycle=...)` is `registry.declare` bound to the one catalogue; the decorated function's
docstring holds the rule's documentation.
"""

from __future__ import annotations

import functools

from twelve.catalogue import REGISTRY
from twelve.registry import declare

rule = functools.partial(declare, REGISTRY)
