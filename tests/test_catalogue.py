"""The catalogue: every check is documented, has fixtures, and docs/rules.md is current."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from twelve import catalogue
from twelve.model import Kind, Lifecycle

ROOT = Path(__file__).parent.parent
CHECKS = list(catalogue.load())
SERVICE_OUTCOMES = tomllib.loads(
    (ROOT / "tests" / "fixtures" / "services" / "expected.toml").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("check", CHECKS, ids=[c.meta.id for c in CHECKS])
def test_every_check_has_docs_remediation_and_fixtures(check: catalogue.Check) -> None:
    """Docs under all four headings, a remediation, and pass + fail fixtures."""
    meta = check.meta
    docs = meta.docs
    assert all(len(text) > 20 for text in (docs.what_it_does, docs.why_is_this_bad))
    assert "```" in docs.example
    assert "```" in docs.use_instead
    assert meta.remediation.endswith(".")
    if meta.kind is Kind.RULE:
        fixtures = ROOT / "tests" / "fixtures" / "repos" / meta.id
        assert (fixtures / "pass").is_dir()
        assert (fixtures / "fail" / "twelve-expected.txt").is_file()
    elif meta.lifecycle is Lifecycle.STABLE:
        # A probe's fixtures are services: one where it passes, one where it must fail.
        outcomes = {
            outcome
            for fixture in SERVICE_OUTCOMES.values()
            for key, outcome in fixture.items()
            if key.endswith(f"/{meta.name}")
        }
        assert "fail" in outcomes, f"no fixture service fails {meta.name}"


def test_rules_md_is_generated_from_the_registry() -> None:
    """docs/rules.md is exactly what `twelve rules --format markdown` prints now."""
    written = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert written == catalogue.rules_markdown(CHECKS), (
        "docs/rules.md is stale: run `scripts/twelve rules --format markdown -o docs/rules.md`"
    )
