"""A generated service installs, passes its own tests, and passes `twelve check`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from twelve.check import CheckOptions, check
from twelve.contract import load_contract
from twelve.model import Outcome
from twelve.scaffold import create_service

REPO = Path(__file__).resolve().parents[2]


def _uv() -> str:
    """uv from scripts/bootstrap's tool venv, else from PATH."""
    bootstrapped = REPO / ".cache" / "uv" / "bin" / "uv"
    found = str(bootstrapped) if bootstrapped.is_file() else shutil.which("uv")
    if found is None:
        pytest.skip("needs uv (scripts/bootstrap installs it) to install the service offline")
    return found


def _venv(directory: Path) -> Path:
    """A new venv that sees the dependencies installed here (through a .pth file), so the
    service can be installed into it offline, without its dependencies; its python."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(directory)], check=True, timeout=60
    )
    python = directory / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout.strip()
    ours = sysconfig.get_path("purelib")
    pth = Path(site) / "_twelve_dependencies.pth"
    pth.write_text(f"import site; site.addsitedir({ours!r})\n", encoding="utf-8")
    return python


@pytest.mark.slow
def test_generated_service_installs_passes_its_tests_and_twelve_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Generated, installed (a real wheel build, offline), its tests pass in its own venv,
    and `twelve check` fails nothing; what is not applicable is only what a service without
    secrets, required keys or a database cannot be asked."""
    root = create_service("hello-svc", tmp_path / "hello-svc").root
    python = _venv(tmp_path / "venv")
    subprocess.run(
        [_uv(), "pip", "install", "--offline", "--no-deps", "--quiet", "--python", str(python),
         str(root)],
        check=True,
        timeout=120,
    )  # fmt: skip
    where = subprocess.run(
        [str(python), "-c", "import hello_svc; print(hello_svc.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
        cwd=tmp_path,
    ).stdout.strip()
    assert Path(where).is_relative_to(tmp_path / "venv")  # installed, not found in the source

    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    # Its own --basetemp: a pytest run with the default one re-secures /tmp/pytest-of-<user>
    # to 0700, locking this session's pgserver user out of the Postgres data dirs under it.
    basetemp = f"--basetemp={tmp_path / 'pytest'}"
    tests = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", basetemp],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert tests.stdout.splitlines()[-1].startswith("7 passed in ")

    monkeypatch.setenv("PATH", f"{python.parent}{os.pathsep}{os.environ['PATH']}")
    report = check(root, load_contract(root / "twelve.toml"), CheckOptions())
    outcomes = dict.fromkeys(Outcome, 0)
    for result in report.results:
        outcomes[result.outcome] += 1
    not_passed = sorted(
        (r.check.id, r.message.split(":", 1)[0] if r.check.kind == "probe" else "", r.outcome.value)
        for r in report.results
        if r.outcome is not Outcome.PASS
    )
    assert not_passed == [
        ("P0301", "web", "not_applicable"),  # no required key but PORT
        ("P0301", "worker", "not_applicable"),
        ("P0304", "web", "not_applicable"),  # no secrets
        ("P0304", "worker", "not_applicable"),
        ("P0401", "web", "not_applicable"),  # no backing service
        ("P0402", "web", "not_applicable"),
        ("P0403", "web", "not_applicable"),
        ("P1201", "worker", "not_applicable"),  # admin tasks run once, with web's env
        ("P1202", "web", "not_applicable"),  # no required key
        ("P1202", "worker", "not_applicable"),
        ("P1203", "worker", "not_applicable"),
        ("P1204", "web", "not_applicable"),  # no Postgres
        ("P1204", "worker", "not_applicable"),
        ("S0304", "", "not_applicable"),  # the kit reads the config
        ("S0306", "", "not_applicable"),  # no Kubernetes manifests
        ("S0902", "", "not_applicable"),
        ("S0903", "", "not_applicable"),
        ("S1002", "", "not_applicable"),  # no development backing services
        ("S1202", "", "not_applicable"),  # no migrations
    ], [r.message for r in report.results if r.outcome is not Outcome.PASS]
    assert outcomes == {
        Outcome.PASS: 59,
        Outcome.FAIL: 0,
        Outcome.NOT_APPLICABLE: 19,
        Outcome.INCONCLUSIVE: 0,
        Outcome.ERROR: 0,
    }
