"""The image installs requirements.txt: it must be exactly what uv.lock pins for shortlinks."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.examples.shortlinks.conftest import EXAMPLE

REPO = EXAMPLE.parent.parent
EXPORT = [
    "export",
    "--frozen",
    "--package",
    "shortlinks",
    "--no-dev",
    "--no-emit-workspace",
    "--format",
    "requirements-txt",
]


def uv() -> str | None:
    """The uv that scripts/bootstrap installs, else one on PATH."""
    bootstrapped = REPO / ".cache" / "uv" / "bin" / "uv"
    return str(bootstrapped) if bootstrapped.is_file() else shutil.which("uv")


def body(text: str) -> list[str]:
    """The pins and hashes, without the header that names the command."""
    return [line for line in text.splitlines() if not line.startswith("#")]


@pytest.mark.skipif(uv() is None, reason="uv is not installed (scripts/bootstrap installs it)")
def test_requirements_match_the_lockfile() -> None:
    """`uv export` of the shortlinks package gives exactly the committed requirements.txt."""
    exported = subprocess.run(
        [str(uv()), *EXPORT],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    committed = (EXAMPLE / "requirements.txt").read_text()
    assert body(exported) == body(committed), (
        "requirements.txt is stale: run from the repository root `uv "
        + " ".join(EXPORT)
        + " -o examples/shortlinks/requirements.txt`"
    )
    assert sum(line.startswith(("procrastinate==", "alembic==")) for line in body(committed)) == 2


def test_requirements_pin_every_package_with_hashes() -> None:
    """Every requirement is pinned with == and carries at least one hash."""
    lines = (EXAMPLE / "requirements.txt").read_text().splitlines()
    pins = [line for line in lines if line and not line.startswith((" ", "#"))]
    assert pins
    for pin in pins:
        assert "==" in pin and pin.endswith("\\"), pin
    assert sum("--hash=sha256:" in line for line in lines) >= len(pins)
