"""The README's main job: `twelve check examples/shortlinks` passes, every probe included."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.examples.shortlinks.conftest import EXAMPLE
from twelve.check import CheckOptions, check
from twelve.contract import load_contract
from twelve.model import Outcome

# Why each is not applicable: admin tasks are probed once, under web; every config key is
# read through the kit; there is no dev backing service (compose, devcontainer) to compare.
NOT_APPLICABLE = [
    "P1201 admin-task-runs worker",
    "P1202 admin-task-fails-fast worker",
    "P1203 admin-task-idempotent worker",
    "S0304 unused-config",
    "S1002 backing-service-drift",
]


def test_twelve_check_on_shortlinks_has_no_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    """Docs, lint and every default probe: nothing fails, nothing is inconclusive."""
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    report = check(EXAMPLE, load_contract(EXAMPLE / "twelve.toml"), CheckOptions())
    outcomes = {r.outcome for r in report.results}
    not_passed = sorted(
        f"{r.check.id} {r.check.name}"
        + (f" {r.message.split(':')[0]}" if r.check.id[0] == "P" else "")
        for r in report.results
        if r.outcome is not Outcome.PASS
    )
    assert not_passed == NOT_APPLICABLE, [r.message for r in report.results if r.is_finding]
    assert outcomes == {Outcome.PASS, Outcome.NOT_APPLICABLE}
