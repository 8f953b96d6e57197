"""A service built on twelve.kit passes every probe by construction."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from twelve.contract import load_contract
from twelve.model import Outcome
from twelve.probe.runner import ProbeOptions, probe_service

KIT_APP = Path(__file__).parent.parent / "fixtures" / "kit_app"


def test_kit_app_passes_every_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every default probe passes on the tiny kit app, real Postgres included; only the
    admin probes, which run once under the web process, are not applicable to the worker."""
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    report = probe_service(KIT_APP, load_contract(KIT_APP / "twelve.toml"), ProbeOptions())
    not_passed = sorted(
        (r.check.name, r.message.split(":", 1)[0], r.outcome.value)
        for r in report.results
        if r.outcome is not Outcome.PASS
    )
    assert not_passed == [
        ("admin-task-fails-fast", "worker", "not_applicable"),
        ("admin-task-idempotent", "worker", "not_applicable"),
        ("admin-task-runs", "worker", "not_applicable"),
    ], [r.message for r in report.results if r.outcome is not Outcome.PASS]
    assert len(report.results) == 42
