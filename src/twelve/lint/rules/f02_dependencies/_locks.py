"""Which dependency manifests a lockfile covers; shared by S0201 and S0202.

A lockfile covers the manifests in its own directory and below it (a workspace root's
`package-lock.json`, `uv.lock` or `Cargo.lock` locks its members), except `go.sum`, which
belongs to the `go.mod` beside it. For pip users a requirements file that pins every entry
with `==` (or hashes) is the lock: `pip install -r requirements.txt` is then reproducible.
"""

from __future__ import annotations

import posixpath
import re

from twelve.lint.facts.manifests import Manifest, Manifests

LOCKFILE_NAMES = {
    "python": "uv.lock, poetry.lock, pdm.lock, Pipfile.lock or a fully pinned requirements.txt",
    "node": "package-lock.json, yarn.lock, pnpm-lock.yaml or bun.lock",
    "go": "go.sum",
    "rust": "Cargo.lock",
}
# Requirements for documentation, tests, linters or CI never reach the deployed artifact.
_DEV_PATH = re.compile(r"(?:^|[^a-z])(?:dev|test|tests|testing|lint|docs?|typing|ci)(?:$|[^a-z])")


def is_dev_requirements(manifest: Manifest) -> bool:
    """A requirements file for development only (by its name or directory)."""
    return bool(_DEV_PATH.search(manifest.path.lower())) or all(
        d.dev for d in manifest.dependencies
    )


def needs_lock(manifest: Manifest) -> bool:
    """An application manifest (not a library) that declares runtime dependencies.

    Requirements files are left out: a pinned one is a lock, a loose one is reported line
    by line by S0202.
    """
    return (
        not manifest.is_library
        and manifest.kind != "requirements"
        and any(not d.dev for d in manifest.dependencies)
    )


def is_locked(manifest: Manifest, manifests: Manifests) -> bool:
    """Whether a lockfile of the manifest's ecosystem covers it."""
    directory = posixpath.dirname(manifest.path)
    _, locks = manifests.of(manifest.ecosystem)
    if manifest.ecosystem == "go":
        return any(posixpath.dirname(lock.path) == directory for lock in locks)
    if any(_covers(posixpath.dirname(lock.path), directory) for lock in locks):
        return True
    if manifest.ecosystem != "python":
        return False
    return any(
        m.kind == "requirements"
        and _covers(_requirements_home(m.path), directory)
        and m.dependencies
        and all(d.pinned for d in m.dependencies)
        and not is_dev_requirements(m)
        for m in manifests.manifests
    )


def _requirements_home(path: str) -> str:
    """Where a requirements file belongs: `requirements/base.txt` belongs to its parent."""
    directory = posixpath.dirname(path)
    return (
        posixpath.dirname(directory)
        if posixpath.basename(directory) == "requirements"
        else directory
    )


def _covers(lock_directory: str, directory: str) -> bool:
    return lock_directory in ("", directory) or directory.startswith(lock_directory + "/")
