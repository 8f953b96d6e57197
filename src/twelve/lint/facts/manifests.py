"""Dependency manifests, their dependencies with lines and pins, and which lockfiles exist.

`pinned` means one exact version: `==`/`===` (or a hash / commit-pinned URL) for Python,
a bare `1.2.3` for npm and Poetry, `=1.2.3` for Cargo; go.mod versions always are. Local
references (`file:`, `workspace:`, path dependencies) and git commits count as pinned. A
requirements file's constraints (`-c`, also through its `-r` includes) pin the names they
give with `==`. npm `peerDependencies` are not listed: they are ranges by design.

`is_library` (libraries should not pin; services should lock) is a heuristic, and is False
whenever the manifest's directory or the root has a deploy marker (Procfile, twelve.toml,
fly.toml, app.json, app.yaml). Otherwise: pyproject with `[build-system]` and a `[project]`
or `[tool.poetry]` name, not opted out of packaging (`tool.uv.package = false`,
`tool.poetry.package-mode = false`, `tool.pdm.distribution = false`); setup.cfg with a
`[metadata]` name; package.json not `"private": true` with `main`, `exports`, `module` or
`types`; go.mod without `main.go` or `cmd/` beside it; Cargo.toml with `[lib]` or
`src/lib.rs` and neither `[[bin]]` nor `src/main.rs`. Requirements and Pipfiles never are.
"""

from __future__ import annotations

import json
import posixpath
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from twelve.contract.locate import KeyLines
from twelve.lint.facts.devcontainer import json_lines
from twelve.lint.facts.files import FileTree, is_test_path
from twelve.lint.facts.parse import ParseProblem, read_text
from twelve.lint.facts.python_manifests import (
    Dependency,
    pipfile_dependencies,
    pyproject_dependencies,
    requirements_files,
    setup_cfg_dependencies,
)

_LOCKFILES = {
    "poetry.lock": "python", "uv.lock": "python", "Pipfile.lock": "python", "pdm.lock": "python",
    "package-lock.json": "node", "npm-shrinkwrap.json": "node", "yarn.lock": "node",
    "pnpm-lock.yaml": "node", "bun.lockb": "node", "bun.lock": "node",
    "go.sum": "go", "Cargo.lock": "rust",
}  # fmt: skip
_KINDS = {
    "pyproject.toml": ("python", "pyproject"), "Pipfile": ("python", "pipfile"),
    "setup.cfg": ("python", "setup.cfg"), "package.json": ("node", "package.json"),
    "go.mod": ("go", "go.mod"), "Cargo.toml": ("rust", "Cargo.toml"),
}  # fmt: skip
_DEPLOY_MARKERS = ("Procfile", "twelve.toml", "fly.toml", "app.json", "app.yaml")
_SEMVER = re.compile(r"^v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?$")
_NPM_LOCAL = ("file:", "link:", "workspace:", "portal:")
_GIT_COMMIT = re.compile(r"#[0-9a-f]{40}$")
_GO_REQUIRE = re.compile(r"^(?:require\s+)?(?P<module>\S+)\s+(?P<version>v\S+)")
_TOML_LINE = re.compile(r"at line (\d+)")


@dataclass(frozen=True, slots=True)
class Manifest:
    """A dependency manifest; `includes` are the files its `-r`/`-c` options pull in."""

    path: str
    ecosystem: str
    kind: str
    dependencies: tuple[Dependency, ...]
    is_library: bool = False
    includes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Lockfile:
    """A lockfile that exists, read or not (they are often over the size cap)."""

    path: str
    ecosystem: str


@dataclass(frozen=True, slots=True)
class Manifests:
    """Every manifest and lockfile of the repository, and what could not be parsed."""

    manifests: tuple[Manifest, ...] = ()
    lockfiles: tuple[Lockfile, ...] = ()
    problems: tuple[ParseProblem, ...] = ()

    def of(self, ecosystem: str) -> tuple[list[Manifest], list[Lockfile]]:
        """The manifests and lockfiles of one ecosystem ("python", "node", "go", "rust")."""
        return (
            [m for m in self.manifests if m.ecosystem == ecosystem],
            [lock for lock in self.lockfiles if lock.ecosystem == ecosystem],
        )


def package_json(text: str, present: set[str], path: str) -> tuple[list[Dependency], bool]:
    """The dependencies of a package.json and whether it is a library.

    Args:
        text: the file's content.
        present: every path of the repository.
        path: the file's repository path.
    """
    data = json.loads(text)
    lines = json_lines(text)
    deps = []
    sections = (("dependencies", False), ("optionalDependencies", False), ("devDependencies", True))
    for section, dev in sections:
        table = data.get(section)
        for name, spec in table.items() if isinstance(table, dict) else ():
            line = lines.get((section, name), 1)
            deps.append(Dependency(name, str(spec), line, _npm_pinned(str(spec)), dev))
    entry = any(key in data for key in ("main", "exports", "module", "types"))
    return deps, entry and data.get("private") is not True and not _deployed(path, present)


def _npm_pinned(spec: str) -> bool:
    if spec.startswith(_NPM_LOCAL) or _GIT_COMMIT.search(spec):
        return True
    version = spec.rsplit("@", 1)[-1] if spec.startswith("npm:") else spec
    return bool(_SEMVER.match(version.removeprefix("=").strip()))


def go_mod(text: str, present: set[str], path: str) -> tuple[list[Dependency], bool]:
    """The `require` directives of a go.mod (always pinned) and whether it is a library.

    Args:
        text: the file's content.
        present: every path of the repository.
        path: the file's repository path.
    """
    deps, block = [], ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("//", 1)[0].strip()
        if opening := re.match(r"^(\w+)\s*\($", line):
            block = opening[1]
        elif line == ")":
            block = ""
        elif (block == "require" or line.startswith("require ")) and (
            found := _GO_REQUIRE.match(line)
        ):
            deps.append(Dependency(found["module"], found["version"], number, True, False))
    base = _directory(path)
    program = f"{base}main.go" in present or any(p.startswith(f"{base}cmd/") for p in present)
    return deps, not program and not _deployed(path, present)


def cargo_toml(
    data: dict[str, Any], text: str, present: set[str], path: str
) -> tuple[list[Dependency], bool]:
    """The dependencies of a Cargo.toml, with target-specific ones, and whether it is a library.

    Args:
        data: the parsed TOML.
        text: its text, for lines.
        present: every path of the repository.
        path: the file's repository path.
    """
    keys, deps = KeyLines(text), []
    tables: list[tuple[tuple[str, ...], Any]] = [
        ((), data),
        (("workspace",), data.get("workspace")),
    ]
    targets = data.get("target")
    tables += [(("target", t), v) for t, v in targets.items()] if isinstance(targets, dict) else []
    for prefix, table in tables:
        for section in ("dependencies", "dev-dependencies", "build-dependencies"):
            entries = table.get(section) if isinstance(table, dict) else None
            for name, spec in entries.items() if isinstance(entries, dict) else ():
                line = keys.line_of((*prefix, section, name)) or 1
                version, pinned = _cargo_spec(spec)
                dev = section == "dev-dependencies"
                deps.append(Dependency(name, version, line, pinned, dev))
    base = _directory(path)
    lib = "lib" in data or f"{base}src/lib.rs" in present
    program = "bin" in data or f"{base}src/main.rs" in present
    return deps, lib and not program and not _deployed(path, present)


def _cargo_spec(spec: Any) -> tuple[str, bool]:
    """Cargo reads a bare `1.2.3` as `^1.2.3`; only `=1.2.3`, a path or a git rev is exact."""
    if not isinstance(spec, dict):
        spec = {"version": spec}
    if "path" in spec:
        return f"path:{spec['path']}", True
    if "git" in spec:
        return str(spec["git"]), "rev" in spec
    if spec.get("workspace") is True:
        return "workspace", False
    version = str(spec.get("version", ""))
    return version, version.startswith("=") and bool(_SEMVER.match(version[1:].strip()))


def _directory(path: str) -> str:
    directory = posixpath.dirname(path)
    return f"{directory}/" if directory else ""


def _deployed(path: str, present: set[str]) -> bool:
    """A deploy marker beside the manifest or at the root: an application, not a library."""
    bases = {_directory(path), ""}
    return any(f"{base}{marker}" in present for base in bases for marker in _DEPLOY_MARKERS)


def _manifest(text: str, path: str, present: set[str]) -> Manifest:
    name = posixpath.basename(path)
    ecosystem, kind = _KINDS[name]
    library = False
    if name == "package.json":
        deps, library = package_json(text, present, path)
    elif name == "go.mod":
        deps, library = go_mod(text, present, path)
    elif name == "setup.cfg":
        deps, library = setup_cfg_dependencies(text)
        library = library and not _deployed(path, present)
    else:
        data = tomllib.loads(text)
        if name == "Cargo.toml":
            deps, library = cargo_toml(data, text, present, path)
        elif name == "Pipfile":
            deps = pipfile_dependencies(data, text)
        else:
            deps, library = pyproject_dependencies(data, text)
            library = library and not _deployed(path, present)
    return Manifest(path, ecosystem, kind, tuple(deps), library)


def collect(root: Path, tree: FileTree) -> Manifests:
    """Every dependency manifest of the tree, and the lockfiles present (read or not).

    Args:
        root: the repository root.
        tree: the file tree of the run.
    """
    requirements, problems = requirements_files(root, tree)
    manifests = [
        Manifest(r.path, "python", "requirements", r.dependencies, False, r.includes)
        for r in requirements
    ]
    locks = [Lockfile(r.path, "python") for r in requirements if r.hashed]
    for source in tree.files:
        if source.name not in _KINDS:
            continue
        text = read_text(root, source.path)
        if isinstance(text, ParseProblem):
            problems.append(text)
            continue
        try:
            manifests.append(_manifest(text, source.path, tree.present))
        except json.JSONDecodeError as exc:
            problems.append(ParseProblem(source.path, exc.lineno, f"invalid JSON: {exc.msg}"))
        except tomllib.TOMLDecodeError as exc:
            at = _TOML_LINE.search(str(exc))
            line = int(at[1]) if at else None
            problems.append(ParseProblem(source.path, line, f"invalid TOML: {exc}"))
        except (AttributeError, TypeError, ValueError, RecursionError) as exc:  # odd shapes
            problems.append(ParseProblem(source.path, None, f"unexpected structure: {exc}"))
    for path in sorted(tree.present):
        name = posixpath.basename(path)
        if name in _LOCKFILES and not is_test_path(path):
            locks.append(Lockfile(path, _LOCKFILES[name]))
    manifests.sort(key=lambda m: m.path)
    locks.sort(key=lambda lock: lock.path)
    return Manifests(tuple(manifests), tuple(locks), tuple(problems))


__all__ = [
    "Dependency",
    "Lockfile",
    "Manifest",
    "Manifests",
    "cargo_toml",
    "collect",
    "go_mod",
    "package_json",
]
