"""`twelve check`: lint and probe in one report, with the Done checklist and factor scores."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from twelve.cli import main

SERVICES = Path(__file__).parent / "fixtures" / "services"


def test_static_check_json_carries_checklist_and_scores(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--static-only skips the probe and says so; the JSON has the checklist and the scores."""
    # py-wrong-version, like most fixtures, has no generated documents: docs-current fails.
    code = main(["check", str(SERVICES / "py-wrong-version"), "--static-only", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    card = report["scorecard"]
    assert code == 1
    assert {r["kind"] for r in report["results"]} == {"rule"}
    assert "probe skipped (--static-only): dynamic checks are not counted" in report["notes"]
    assert card["checklist"][0]["status"] == "not_done"
    assert card["checklist"][0]["failing"] == ["S0307"]
    assert [f["factor"] for f in card["factors"]] == list(range(1, 13))
    config = card["factors"][2]
    assert (config["factor_name"], config["failed"]) == ("Config", 5)
    assert 0 <= card["overall"]["score"] < 10


def test_check_with_probe_selects_rules_and_probes_by_prefix(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--select S07,P07` runs port-binding rules in the lint and its probe in the probe."""
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    code = main(["check", str(SERVICES / "py-good"), "--select", "S07,P07", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    outcomes = sorted((r["id"], r["outcome"]) for r in report["results"])
    assert code == 0
    # The fixture directory holds only its contract (the code is shared, one level up).
    assert outcomes == [("P0701", "pass"), ("S0701", "pass"), ("S0702", "not_applicable")]
    port_binding = report["scorecard"]["factors"][6]
    assert (port_binding["score"], port_binding["passed"]) == (10.0, 2)


def test_text_check_prints_checklist_and_score_table(capsys: pytest.CaptureFixture[str]) -> None:
    """The text report ends with the checklist, the factor table and the summary line."""
    main(["check", str(SERVICES / "py-wrong-version"), "--static-only", "--select", "S03"])
    out = capsys.readouterr().out
    assert "Done checklist\n  ✗ Config contract documented and validated at startup  (S0307)" in out
    assert " Overall " in out
    assert out.rstrip().endswith("5 failed, 3 passed, 3 not applicable")
