"""The scaffold's files as text: `string.Template` files under templates/, rendered.

A template line that starts with `%%worker` belongs to the worker: it is kept (without the
marker) when the service has one, and dropped otherwise. Placeholders are `$name`; a
literal dollar sign is `$$`. Rendering is pure: no file is written here.
"""

from __future__ import annotations

import string
import sys
from dataclasses import dataclass
from importlib import resources

from twelve.scaffold.names import ServiceName

WORKER_MARKER = "%%worker"
DESCRIPTION = "A Python service on twelve.kit"


@dataclass(frozen=True, slots=True)
class Template:
    """One generated file.

    Args:
        path: where it goes, relative to the service root; `{package}` is the package.
        source: the template under templates/.
        worker_only: written only when the service has a worker.
    """

    path: str
    source: str
    worker_only: bool = False


TEMPLATES = (
    Template("pyproject.toml", "pyproject.toml.tmpl"),
    Template("twelve.toml", "twelve.toml.tmpl"),
    Template("Procfile", "procfile.tmpl"),
    Template("Dockerfile", "dockerfile.tmpl"),
    Template(".dockerignore", "dockerignore.tmpl"),
    Template(".gitignore", "gitignore.tmpl"),
    Template(".python-version", "python-version.tmpl"),
    Template(".devcontainer/devcontainer.json", "devcontainer.json.tmpl"),
    Template(".github/workflows/ci.yml", "ci.yml.tmpl"),
    Template("README.md", "readme.md.tmpl"),
    Template("src/{package}/__init__.py", "package/__init__.py.tmpl"),
    Template("src/{package}/web.py", "package/web.py.tmpl"),
    Template("src/{package}/worker.py", "package/worker.py.tmpl", worker_only=True),
    Template("src/{package}/admin.py", "package/admin.py.tmpl"),
    Template("tests/test_web.py", "tests/test_web.py.tmpl"),
    Template("tests/test_worker.py", "tests/test_worker.py.tmpl", worker_only=True),
    Template("tests/test_admin.py", "tests/test_admin.py.tmpl"),
)


@dataclass(frozen=True, slots=True)
class Toolchain:
    """The Python version the service pins everywhere, and the images that carry it.

    Args:
        python: major.minor ("3.12").
    """

    python: str

    @classmethod
    def current(cls) -> Toolchain:
        """The version twelve runs on: the one the generated service was tested with."""
        return cls(f"{sys.version_info.major}.{sys.version_info.minor}")

    @property
    def image(self) -> str:
        """The production base image (and CI's): Debian slim, release pinned."""
        return f"python:{self.python}-slim-bookworm"

    @property
    def devcontainer_image(self) -> str:
        """The dev container image: the same Python and Debian release, with dev tools."""
        return f"mcr.microsoft.com/devcontainers/python:1-{self.python}-bookworm"


def render(
    service: ServiceName, *, worker: bool, toolchain: Toolchain, twelve_version: str
) -> dict[str, str]:
    """Every templated file's text by its path in the service.

    Args:
        service: the names.
        worker: include the worker process.
        toolchain: the pinned Python.
        twelve_version: the lowest twelve the service may run on (this one).
    """
    values = {
        "name": service.name,
        "package": service.package,
        "description": DESCRIPTION,
        "python": toolchain.python,
        "python_image": toolchain.image,
        "devcontainer_image": toolchain.devcontainer_image,
        "twelve_version": twelve_version,
    }
    root = resources.files("twelve.scaffold") / "templates"
    files = {}
    for template in TEMPLATES:
        if template.worker_only and not worker:
            continue
        text = (root / template.source).read_text(encoding="utf-8")
        text = string.Template(_worker_lines(text, worker)).substitute(values)
        files[template.path.format(package=service.package)] = text
    return files


def _worker_lines(text: str, worker: bool) -> str:
    """The text with `%%worker` lines unmarked (worker) or dropped (no worker)."""
    kept = []
    for line in text.splitlines(keepends=True):
        if not line.startswith(WORKER_MARKER):
            kept.append(line)
        elif worker:
            kept.append(line.removeprefix(WORKER_MARKER).removeprefix(" "))
    return "".join(kept)
