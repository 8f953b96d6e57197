"""The verdict of `twelve check`: the playbook's "Done" checklist and a 0-10 score per factor.

Scoring. Each applicable result weighs by its check's severity (error 3, warning 2, info 1).
A factor's score is 10 x the weight that passed / the weight that passed or failed, rounded
to one decimal. `not_applicable` results are left out; `inconclusive` and `error` results are
left out of the score too, never counted as a pass, and shown beside it so a run that could
not tell does not look clean. A factor with nothing applicable has no score. The overall
score is the same ratio over every result.

A checklist item is done when every check behind it that applied passed; not done when any
failed; unknown when none failed but some could not tell (inconclusive or error) or none
applied.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from twelve.model import Factor, Outcome, Result, Severity

WEIGHTS = {Severity.ERROR: 3, Severity.WARNING: 2, Severity.INFO: 1}

# The playbook's "Done" definition, each item with the checks (by name) that decide it.
CHECKLIST: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Config contract documented and validated at startup",
        ("docs-current", "undeclared-config", "unused-config", "committed-env-file",
         "fail-fast-missing-config", "fail-fast-invalid-config",
         "config-errors-reported-together"),
    ),
    (
        "No secrets in logs; logs are structured to stdout/stderr",
        ("committed-secret", "secret-logged", "print-logging", "log-file",
         "unstructured-logging", "no-secret-in-config-errors", "no-secrets-in-logs",
         "no-secrets-in-http", "structured-logs", "log-fields", "request-id-propagation"),
    ),
    (
        "Stateless process model; state lives in backing services",
        ("local-state", "no-local-writes", "instances-coexist", "hardcoded-endpoint",
         "call-without-timeout", "unbounded-retry"),
    ),
    (
        "Health checks exist and are meaningful",
        ("no-health-endpoint", "probe-path-mismatch", "liveness-endpoint",
         "readiness-endpoint", "readiness-tracks-dependencies",
         "liveness-independent-of-dependencies", "health-bounded-under-outage"),
    ),
    (
        "Graceful shutdown implemented (with timeouts)",
        ("shell-form-entrypoint", "grace-period-too-short", "graceful-sigterm",
         "inflight-completes", "readiness-fails-on-sigterm", "refuses-after-drain",
         "sigint-graceful", "worker-graceful-sigterm", "startup-time"),
    ),
    (
        "Build/release/run separation is respected in CI/CD",
        ("no-build-artifact", "config-baked-into-image", "no-release-identity",
         "build-at-runtime", "secret-in-image", "secret-in-manifest", "version-identity",
         "missing-lockfile", "unpinned-dependency", "unpinned-base-image"),
    ),
    (
        "Dev/prod parity: devcontainer and CI use the same toolchain",
        ("toolchain-drift", "backing-service-drift", "unpinned-toolchain",
         "env-specific-branch", "env-specific-config-file"),
    ),
    (
        "Admin tasks (migrations/backfills) are explicit and observable",
        ("migrate-on-boot", "no-admin-entry", "no-migrate-on-boot", "admin-task-runs",
         "admin-task-fails-fast", "admin-task-idempotent"),
    ),
)  # fmt: skip


class Status(enum.StrEnum):
    """A checklist item's state."""

    DONE = "done"
    NOT_DONE = "not_done"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Tally:
    """Results of one group (a factor, a checklist item, the whole run) by outcome."""

    passed: int = 0
    failed: int = 0
    inconclusive: int = 0
    errors: int = 0
    not_applicable: int = 0
    score: float | None = None

    @classmethod
    def of(cls, results: Iterable[Result]) -> Tally:
        """Count and score a group of results."""
        counts = dict.fromkeys(Outcome, 0)
        weight_passed = weight_decided = 0
        for result in results:
            counts[result.outcome] += 1
            weight = WEIGHTS[result.severity]
            if result.outcome in (Outcome.PASS, Outcome.FAIL):
                weight_decided += weight
                weight_passed += weight if result.outcome is Outcome.PASS else 0
        score = round(10 * weight_passed / weight_decided, 1) if weight_decided else None
        return cls(
            passed=counts[Outcome.PASS],
            failed=counts[Outcome.FAIL],
            inconclusive=counts[Outcome.INCONCLUSIVE],
            errors=counts[Outcome.ERROR],
            not_applicable=counts[Outcome.NOT_APPLICABLE],
            score=score,
        )


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One line of the Done checklist and the checks behind it."""

    title: str
    status: Status
    checks: tuple[str, ...]
    failing: tuple[str, ...]
    tally: Tally


@dataclass(frozen=True, slots=True)
class Scorecard:
    """The checklist, the score per factor and overall."""

    checklist: tuple[ChecklistItem, ...]
    factors: tuple[tuple[Factor, Tally], ...]
    overall: Tally


def scorecard(results: Iterable[Result]) -> Scorecard:
    """Judge a run of `twelve check`.

    Args:
        results: every result of the run (docs, lint and probes).
    """
    results = list(results)
    items = []
    for title, names in CHECKLIST:
        behind = [r for r in results if r.check.name in names]
        tally = Tally.of(behind)
        failing = tuple(sorted({r.check.id for r in behind if r.outcome is Outcome.FAIL}))
        if failing:
            status = Status.NOT_DONE
        elif tally.inconclusive or tally.errors or not tally.passed:
            status = Status.UNKNOWN
        else:
            status = Status.DONE
        ran = tuple(sorted({r.check.id for r in behind}))
        items.append(ChecklistItem(title, status, ran, failing, tally))
    factors = tuple(
        (factor, Tally.of(r for r in results if r.check.factor is factor)) for factor in Factor
    )
    return Scorecard(tuple(items), factors, Tally.of(results))
