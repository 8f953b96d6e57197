"""Every probe on every fixture service: exact outcomes, per process and probe.

The fixture services (tests/fixtures/services/) are small programs in Python, Node.js and
Rust: one that behaves well and one per failure mode. `expected.toml` there lists, for each
fixture, the outcome of every probe as `"process/probe-name" = "outcome"`, with `default`
for the probes it does not list.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from twelve.contract import load_contract
from twelve.model import Outcome, Report
from twelve.probe.runner import ProbeOptions, probe_service

SERVICES = Path(__file__).parent.parent / "fixtures" / "services"
EXPECTED = tomllib.loads((SERVICES / "expected.toml").read_text(encoding="utf-8"))
EVERYWHERE = EXPECTED.pop("all")
NO_BACKING = EXPECTED.pop("no-backing")


@pytest.fixture(scope="session", autouse=True)
def fast_interpreters() -> None:
    """Fixture commands say `python3`: put this environment's interpreter first on PATH.

    A version-manager shim (pyenv) on PATH adds its own start-up time to every start, and
    fixtures that talk to Postgres need the environment's psycopg.
    """
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]


@pytest.fixture(scope="session")
def rust_fixture() -> None:
    """Build the std-only Rust fixture service, offline."""
    cargo = shutil.which("cargo")
    if cargo is None:
        pytest.skip("cargo is not installed: the Rust fixture services cannot be built")
    subprocess.run(
        [cargo, "build", "--offline", "--release", "--quiet"],
        cwd=SERVICES / "_rust",
        check=True,
        timeout=600,
    )


def outcomes(report: Report) -> dict[str, str]:
    """`process/probe-name` → outcome, from a report whose messages start with `process: `."""
    found = {}
    for result in report.results:
        process = result.message.split(":", 1)[0]
        key = f"{process}/{result.check.name}"
        assert key not in found, f"two results for {key}"
        found[key] = result.outcome.value
    return found


def expected_outcomes(fixture: str, actual: dict[str, str]) -> dict[str, str]:
    """What expected.toml says every probe that ran should conclude."""
    table = dict(EXPECTED[fixture])
    default = table.pop("default", Outcome.PASS.value)
    table.pop("select", None)
    unknown = set(table) - set(actual)
    assert not unknown, f"expected.toml names probes that did not run: {sorted(unknown)}"
    shared = EVERYWHERE | ({} if fixture.startswith("db-") else NO_BACKING)
    table = {key: value for key, value in shared.items() if key in actual} | table
    return {key: table.get(key, default) for key in actual}


@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_probe_outcomes(fixture: str, request: pytest.FixtureRequest) -> None:
    """The fixture gets exactly the outcome expected.toml lists for every probe."""
    if fixture.startswith("rust-"):
        request.getfixturevalue("rust_fixture")
    if fixture.startswith("node-") and shutil.which("node") is None:
        pytest.skip("node is not installed: the Node.js fixture services cannot run")
    root = SERVICES / fixture
    options = ProbeOptions(select=EXPECTED[fixture].get("select", ()))
    report = probe_service(root, load_contract(root / "twelve.toml"), options)
    actual = outcomes(report)
    details = {f"{r.message}": [e.title for e in r.evidence] for r in report.results}
    assert actual == expected_outcomes(fixture, actual), details
