"""Rendered manifests pass twelve's own rules on Kubernetes manifests, next to the contract."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.render.conftest import KIT_APP, WEB_ONLY
from twelve.contract import load_contract
from twelve.lint.engine import LintOptions, lint
from twelve.model import Outcome, Report
from twelve.render import K8sOptions, render_k8s, write

# The rules that read Kubernetes manifests (or every file, for committed secrets).
K8S_RULES = ["S0102", "S0301", "S0306", "S0504", "S0902", "S0903", "S1002", "S1201", "S1202"]
# The rules that must have judged the manifests, not found them not applicable.
MUST_PASS = ["S0306", "S0902", "S0903"]


def rendered_repo(tmp_path: Path, service: Path, options: K8sOptions) -> Report:
    shutil.copy(service / "twelve.toml", tmp_path / "twelve.toml")
    contract = load_contract(tmp_path / "twelve.toml")
    write(render_k8s(contract, options), tmp_path / "deploy" / "k8s")
    report, _ = lint(tmp_path, contract, LintOptions(preview=True, jobs=1))
    return report


def findings(report: Report) -> list[str]:
    """Findings of the manifest rules, and any finding located in the manifests."""
    return sorted(
        f"{r.check.id} {r.location} {r.message}"
        for r in report.results
        if r.is_finding
        and (r.check.id in K8S_RULES or (r.location and r.location.path.startswith("deploy/")))
    )


def outcomes(report: Report) -> dict[str, set[Outcome]]:
    found: dict[str, set[Outcome]] = {}
    for result in report.results:
        found.setdefault(result.check.id, set()).add(result.outcome)
    return found


def test_web_only_manifests_raise_no_finding(tmp_path: Path) -> None:
    """Grace period, preStop, probe paths, secret references, Jobs: every rule agrees."""
    report = rendered_repo(tmp_path, WEB_ONLY, K8sOptions(hpa_max=4, release="v1"))
    assert findings(report) == []
    seen = outcomes(report)
    assert {rule: seen[rule] for rule in MUST_PASS} == {rule: {Outcome.PASS} for rule in MUST_PASS}


def test_kit_app_manifests_raise_no_finding(tmp_path: Path) -> None:
    """A worker whose command extends the web's (`python -m kit_app worker`) is matched to
    the worker process, not to web, so it is not asked for web's preStop hook."""
    report = rendered_repo(tmp_path, KIT_APP, K8sOptions())
    assert findings(report) == []
    seen = outcomes(report)
    assert {rule: seen[rule] for rule in MUST_PASS} == {rule: {Outcome.PASS} for rule in MUST_PASS}
