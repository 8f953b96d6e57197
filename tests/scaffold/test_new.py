"""`twelve new`: the files it writes, what it refuses, and `--no-worker`."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from twelve import __version__
from twelve.cli import main
from twelve.contract import load_contract
from twelve.lint.engine import LintOptions, lint
from twelve.model import Outcome
from twelve.scaffold import create_service

COMMON = [
    ".devcontainer/devcontainer.json",
    ".dockerignore",
    ".env.example",
    ".github/workflows/ci.yml",
    ".gitignore",
    ".python-version",
    "Dockerfile",
    "Procfile",
    "README.md",
    "docs/operations/config.md",
    "docs/operations/observability.md",
    "docs/operations/release.md",
    "docs/operations/runbook.md",
    "pyproject.toml",
    "requirements.txt",
    "src/order_api/__init__.py",
    "src/order_api/admin.py",
    "src/order_api/web.py",
    "tests/test_admin.py",
    "tests/test_web.py",
    "twelve.toml",
]
WORKER = ["src/order_api/worker.py", "tests/test_worker.py"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_new_writes_the_service(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Every file is written, named after the service, and the docs are current."""
    root = tmp_path / "order-api"
    code, out, err = run(capsys, "new", "order-api", "--dir", str(root))
    assert (code, out) == (0, "")
    assert err == (
        f"twelve: wrote {root} (23 files)\n"
        f"twelve: next, in {root}: see README.md, then `twelve check`\n"
    )
    assert files(root) == sorted([*COMMON, *WORKER])
    contract = load_contract(root / "twelve.toml")
    assert contract.service.name == "order-api"
    assert sorted(contract.processes) == ["web", "worker"]
    assert contract.processes["worker"].command == ["python", "-m", "order_api.worker"]
    assert sorted(contract.admin) == ["show-config"]
    assert (root / "Procfile").read_text() == (
        "web: python -m order_api.web\nworker: python -m order_api.worker\n"
    )
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    assert project["name"] == "order-api"
    assert project["dependencies"] == [f"twelve[kit]>={__version__}"]
    assert run(capsys, "docs", str(root), "--check") == (0, "", "twelve: docs are current\n")


def test_the_default_directory_is_the_name(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --dir the service goes to ./NAME."""
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "new", "order-api")[0] == 0
    assert (tmp_path / "order-api" / "twelve.toml").is_file()


def test_one_python_version_everywhere(tmp_path: Path) -> None:
    """The version file, the image, CI and the dev container name the same Python."""
    root = create_service("order-api", tmp_path / "svc").root
    python = (root / ".python-version").read_text().strip()
    assert python.count(".") == 1
    assert f"FROM python:{python}-slim-bookworm\n" in (root / "Dockerfile").read_text()
    assert (
        f"container: python:{python}-slim-bookworm\n"
        in (root / ".github/workflows/ci.yml").read_text()
    )
    devcontainer = (root / ".devcontainer/devcontainer.json").read_text()
    assert f'"image": "mcr.microsoft.com/devcontainers/python:1-{python}-bookworm"' in devcontainer
    assert f'requires-python = ">={python}"' in (root / "pyproject.toml").read_text()


def test_requirements_pin_every_line(tmp_path: Path) -> None:
    """requirements.txt is the lock: comments, then only `==` pins, twelve[kit] among them."""
    root = create_service("order-api", tmp_path / "svc").root
    lines = (root / "requirements.txt").read_text().splitlines()
    pins = [line for line in lines if not line.startswith("#")]
    assert all(line.count("==") == 1 for line in pins), pins
    assert any(line.startswith("twelve[kit]==") for line in pins)
    assert any(line.startswith("structlog==") for line in pins)


@pytest.mark.parametrize("name", ["Order-API", "order_api", "2fa"])
def test_an_invalid_name_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    """Exit 2, one line saying what a valid name looks like, nothing written."""
    code, out, err = run(capsys, "new", name, "--dir", str(tmp_path / "svc"))
    assert (code, out) == (2, "")
    assert err == (
        f"twelve: {name!r} is not a valid service name: use kebab-case (lowercase letters, "
        'digits and single hyphens, starting with a letter), e.g. "order-api"\n'
    )
    assert not (tmp_path / "svc").exists()


def test_a_non_empty_directory_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Exit 2 and nothing touched, unless --force; --force keeps unrelated files."""
    root = tmp_path / "svc"
    root.mkdir()
    (root / "notes.txt").write_text("mine\n")
    (root / "Procfile").write_text("web: ./old\n")
    code, out, err = run(capsys, "new", "order-api", "--dir", str(root))
    assert (code, out) == (2, "")
    assert err == (
        f"twelve: {root} exists and is not empty: choose another directory with --dir, or "
        "pass --force to write the service's files into it (files of the same name are "
        "replaced)\n"
    )
    assert files(root) == ["Procfile", "notes.txt"]
    assert (root / "Procfile").read_text() == "web: ./old\n"

    assert run(capsys, "new", "order-api", "--dir", str(root), "--force")[0] == 0
    assert files(root) == sorted([*COMMON, *WORKER, "notes.txt"])
    assert (root / "notes.txt").read_text() == "mine\n"
    assert (root / "Procfile").read_text().startswith("web: python -m order_api.web\n")


def test_an_empty_directory_is_used(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """An existing empty directory needs no --force."""
    assert run(capsys, "new", "order-api", "--dir", str(tmp_path))[0] == 0
    assert (tmp_path / "twelve.toml").is_file()


def test_a_file_in_the_way_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The target path is a file: exit 2, even with --force."""
    target = tmp_path / "svc"
    target.write_text("")
    code, _, err = run(capsys, "new", "order-api", "--dir", str(target), "--force")
    assert (code, err) == (2, f"twelve: {target} exists and is not a directory\n")


def test_no_worker_leaves_the_worker_out_everywhere(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """No worker process, file, config key, Procfile line or doc mention; lint stays clean."""
    root = tmp_path / "svc"
    assert run(capsys, "new", "order-api", "--dir", str(root), "--no-worker")[0] == 0
    assert files(root) == COMMON
    contract = load_contract(root / "twelve.toml")
    assert sorted(contract.processes) == ["web"]
    assert "WORKER_INTERVAL" not in contract.config
    assert (root / "Procfile").read_text() == "web: python -m order_api.web\n"
    mentions = [path for path in files(root) if "worker" in (root / path).read_text().lower()]
    assert mentions == []
    report, _ = lint(root, contract, LintOptions())
    not_passed = sorted((r.check.id, r.outcome.value) for r in report.results
                        if r.outcome is not Outcome.PASS)  # fmt: skip
    assert not_passed == [
        ("S0304", "not_applicable"),
        ("S0306", "not_applicable"),
        ("S0902", "not_applicable"),
        ("S0903", "not_applicable"),
        ("S1002", "not_applicable"),
        ("S1202", "not_applicable"),
    ]
