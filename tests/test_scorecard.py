"""The Done checklist and the factor scores of `twelve check`."""

from __future__ import annotations

from twelve import catalogue
from twelve.model import (
    CheckDocs,
    CheckMeta,
    Factor,
    Kind,
    Lifecycle,
    Outcome,
    Result,
    Severity,
)
from twelve.scorecard import CHECKLIST, Status, scorecard

DOCS = CheckDocs("w", "y", "```\n```", "```\n```")


def result(check_id: str, name: str, severity: Severity, outcome: Outcome) -> Result:
    kind = Kind.RULE if check_id.startswith("S") else Kind.PROBE
    meta = CheckMeta(check_id, name, kind, Factor(int(check_id[1:3])), severity,
                     Lifecycle.STABLE, "s", DOCS, "r.")  # fmt: skip
    return Result(meta, outcome, "m")


def test_scores_weigh_by_severity_and_leave_out_unsure_results() -> None:
    """10 x passed weight / decided weight; n/a, inconclusive and error are left out."""
    card = scorecard(
        [
            result("P0902", "graceful-sigterm", Severity.ERROR, Outcome.PASS),
            result("P0903", "inflight-completes", Severity.ERROR, Outcome.FAIL),
            result("S0901", "shell-form-entrypoint", Severity.WARNING, Outcome.PASS),
            result("P0904", "readiness-fails-on-sigterm", Severity.ERROR, Outcome.INCONCLUSIVE),
            result("S0902", "grace-period-too-short", Severity.ERROR, Outcome.NOT_APPLICABLE),
            result("P0905", "refuses-after-drain", Severity.ERROR, Outcome.ERROR),
            result("S1101", "print-logging", Severity.WARNING, Outcome.PASS),
        ]
    )
    factors = dict(card.factors)
    nine = factors[Factor.DISPOSABILITY]
    assert (nine.score, nine.passed, nine.failed, nine.inconclusive, nine.errors) == (
        6.2,
        2,
        1,
        1,
        1,
    )  # fmt: skip  -- (3 + 2) / (3 + 3 + 2) = 0.625
    assert factors[Factor.LOGS].score == 10.0
    assert factors[Factor.CONFIG].score is None
    assert card.overall.score == 7.0  # (3 + 2 + 2) / 10


def test_checklist_items_are_done_not_done_or_unknown() -> None:
    """Any failure: not done; only passes: done; nothing decided or something unsure: unknown."""
    card = scorecard(
        [
            result("P0903", "inflight-completes", Severity.ERROR, Outcome.FAIL),
            result("P0902", "graceful-sigterm", Severity.ERROR, Outcome.PASS),
            result("S1101", "print-logging", Severity.WARNING, Outcome.PASS),
            result("P0908", "liveness-endpoint", Severity.ERROR, Outcome.PASS),
            result("P0909", "readiness-endpoint", Severity.ERROR, Outcome.INCONCLUSIVE),
        ]
    )
    status = {item.title: (item.status, item.failing) for item in card.checklist}
    assert len(card.checklist) == len(CHECKLIST) == 8
    assert status["Graceful shutdown implemented (with timeouts)"] == (Status.NOT_DONE, ("P0903",))
    assert status["No secrets in logs; logs are structured to stdout/stderr"] == (Status.DONE, ())
    assert status["Health checks exist and are meaningful"] == (Status.UNKNOWN, ())
    assert status["Stateless process model; state lives in backing services"] == (
        Status.UNKNOWN, (),
    )  # fmt: skip


def test_every_checklist_name_is_a_registered_check() -> None:
    """The checklist names only checks that exist, so a rename cannot silently drop one."""
    names = {check.meta.name for check in catalogue.load()}
    listed = {name for _, group in CHECKLIST for name in group}
    assert sorted(listed - names) == []
