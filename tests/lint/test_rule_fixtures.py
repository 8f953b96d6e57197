"""Every rule against its own pass and fail fixture repositories.

A rule's fixtures live in `tests/fixtures/repos/<ID>/{pass,fail}/`. The fail fixture lists
the exact findings it must produce in `twelve-expected.txt`, one `ID path:line` a line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from twelve import catalogue
from twelve.contract import find_contract, load_contract
from twelve.lint.engine import LintOptions, lint
from twelve.model import Kind, Outcome

REPOS = Path(__file__).parent.parent / "fixtures" / "repos"
EXPECTED = "twelve-expected.txt"
RULE_IDS = [check.meta.id for check in catalogue.load() if check.meta.kind is Kind.RULE]


def _findings(root: Path, rule_id: str) -> set[str]:
    path = find_contract(root)
    contract = load_contract(path) if path else None
    # Every rule runs, as in real use, so suppression rules see the findings they act on.
    report, _ = lint(root, contract, LintOptions(preview=True))
    mine = [r for r in report.results if r.check.id == rule_id]
    assert [r.message for r in mine if r.outcome is Outcome.ERROR] == []
    return {f"{r.check.id} {r.location}" for r in mine if r.outcome is Outcome.FAIL}


def _expected(root: Path) -> set[str]:
    lines = (root / EXPECTED).read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_fail_fixture_reports_exactly_the_expected_findings(rule_id: str) -> None:
    """The fail fixture yields exactly the findings it lists, by ID, path and line."""
    root = REPOS / rule_id / "fail"
    expected = _expected(root)
    assert expected, f"{root / EXPECTED} lists no findings"
    assert _findings(root, rule_id) == expected


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_pass_fixture_reports_nothing(rule_id: str) -> None:
    """The pass fixture, the corrected twin of the fail one, yields no finding."""
    assert _findings(REPOS / rule_id / "pass", rule_id) == set()
