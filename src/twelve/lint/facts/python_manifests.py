"""Python dependency manifests: requirements files (with `-r`/`-c`), pyproject, Pipfile, setup.cfg.

The `Dependency` fact is defined here, the lowest module that builds it, and re-exported by
`manifests`, which rules use. Pinning rules are described in `manifests`.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from twelve.contract.locate import KeyLines
from twelve.lint.facts.files import FileTree
from twelve.lint.facts.parse import ParseProblem, dig, read_text

DEV_WORDS = re.compile(r"(?:^|[^a-z])(?:dev|test|tests|testing|lint|docs?|typing|ci)(?:$|[^a-z])")
"""Group and file names whose dependencies are only for development."""
_REQUIREMENTS = re.compile(r"(?:^|/)(?:[^/]*requirements[^/]*|requirements/[^/]+)\.txt$")
_OPTION = re.compile(r"^(-r|--requirement|-c|--constraint)(?:\s+|=)(\S+)")
_REQUIREMENT = re.compile(r"^(?P<name>[A-Za-z0-9][\w.-]*)\s*(?:\[[^\]]*\])?\s*(?P<rest>.*)$")
_PEP440_EXACT = re.compile(r"^===?\s*[^\s,*;]+$")
_HASHED_URL = re.compile(r"#(?:sha256|sha384|sha512)=|@[0-9a-f]{40}\b")
_POETRY_EXACT = re.compile(r"^(?:==?)?\s*\d[0-9A-Za-z.+!-]*$")  # Poetry reads bare `1.2` as ==
_COMMIT = re.compile(r"^[0-9a-f]{40}$")
_URL = re.compile(r"^[A-Za-z][\w+.-]*://")
_EGG = re.compile(r"[#&]egg=([\w.-]+)")


@dataclass(frozen=True, slots=True)
class Dependency:
    """One declared dependency; `line` is in the manifest that declares it."""

    name: str
    spec: str
    line: int
    pinned: bool
    dev: bool


@dataclass(frozen=True, slots=True)
class RequirementsFile:
    """A parsed requirements file; `includes` are its `-r` and `-c` targets, as repo paths."""

    path: str
    dependencies: tuple[Dependency, ...]
    includes: tuple[str, ...]
    hashed: bool


@dataclass(slots=True)
class _Requirements:
    deps: list[tuple[str, str, int, bool]]
    includes: list[str]
    constraints: list[str]
    hashed: bool = False
    missing: bool = False


def _requirement(text: str) -> tuple[str, str, bool] | None:
    """PEP 508 text as (name, spec without markers, pinned); None for a local path."""
    text = text.strip()
    if _URL.match(text):  # a bare URL or VCS link, named by its `#egg=` when it has one
        egg = _EGG.search(text)
        return (egg[1] if egg else text), text, _HASHED_URL.search(text) is not None
    match = _REQUIREMENT.match(text)
    if match is None:
        return None
    spec = match["rest"].split(";", 1)[0].strip()
    url = spec.startswith("@")
    pinned = _HASHED_URL.search(spec) is not None if url else bool(_PEP440_EXACT.match(spec))
    return match["name"], spec, pinned


def _parse_requirements(text: str, path: str) -> _Requirements:
    parsed = _Requirements([], [], [])
    logical, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        start = start or number
        if raw.endswith("\\"):  # a continuation: the requirement is reported on its first line
            logical += raw[:-1] + " "
            continue
        line = re.sub(r"(?:^|\s)#.*$", "", logical + raw).strip()
        logical, first, start = "", start, 0
        if option := _OPTION.match(line):
            into = parsed.includes if option[1] in ("-r", "--requirement") else parsed.constraints
            into.append(posixpath.normpath(posixpath.join(posixpath.dirname(path), option[2])))
            continue
        requirement, _, options = line.partition(" -")
        hashed = "-hash" in options
        parsed.hashed |= hashed
        found = _requirement(requirement) if requirement and not line.startswith("-") else None
        if found is not None:
            name, spec, pinned = found
            parsed.deps.append((name, spec, first, pinned or hashed))
    return parsed


def requirements_files(
    root: Path, tree: FileTree
) -> tuple[list[RequirementsFile], list[ParseProblem]]:
    """Every requirements file, and the files their `-r` and `-c` options pull in.

    A constraints file is not a manifest unless its name says it is a requirements file;
    its `==` pins make the same names pinned in the files it constrains.

    Args:
        root: the repository root.
        tree: the file tree of the run.
    """
    readable = {f.path for f in tree.files}
    parsed: dict[str, _Requirements] = {}
    problems: list[ParseProblem] = []
    queue = [f.path for f in tree.files if _REQUIREMENTS.search(f.path)]
    while queue:
        path = queue.pop(0)
        if path in parsed:
            continue
        text = read_text(root, path) if path in readable else None
        if not isinstance(text, str):
            why = "not found" if path not in tree.present else "not read (see skipped files)"
            problems.append(text or ParseProblem(path, None, why))
            parsed[path] = _Requirements([], [], [], missing=True)
            continue
        parsed[path] = _parse_requirements(text, path)
        queue += parsed[path].includes + parsed[path].constraints
    constraint_files = {c for r in parsed.values() for c in r.constraints}
    found: list[RequirementsFile] = []
    for path, reqs in parsed.items():
        if reqs.missing or (path in constraint_files and not _REQUIREMENTS.search(path)):
            continue
        pins = {_normal(n) for c in _reachable(path, parsed) for n, _, _, p in parsed[c].deps if p}
        dev = bool(DEV_WORDS.search(posixpath.basename(path).lower()))
        deps = tuple(
            Dependency(name, spec, line, pinned or _normal(name) in pins, dev)
            for name, spec, line, pinned in reqs.deps
        )
        includes = (*reqs.includes, *reqs.constraints)
        found.append(RequirementsFile(path, deps, includes, reqs.hashed))
    return found, problems


def _reachable(path: str, parsed: dict[str, _Requirements]) -> set[str]:
    """The constraint files in force for a requirements file (its own and its includes')."""
    seen: set[str] = set()
    constraints: set[str] = set()
    stack = [path]
    while stack:
        current = stack.pop()
        if current in seen or current not in parsed:
            continue
        seen.add(current)
        constraints.update(c for c in parsed[current].constraints if c in parsed)
        stack += parsed[current].includes
    return constraints


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_dependencies(data: dict[str, Any], text: str) -> tuple[list[Dependency], bool]:
    """PEP 621, PEP 735, uv, PDM and Poetry dependencies, and whether it is a library.

    Args:
        data: the parsed TOML.
        text: its text, for lines.
    """
    keys, lines = KeyLines(text), text.splitlines()
    project, tool = data.get("project", {}), data.get("tool", {})
    poetry = tool.get("poetry", {})
    deps: list[Dependency] = []
    pep508: list[tuple[tuple[str, ...], list[Any], bool]] = [
        (("project", "dependencies"), project.get("dependencies", []), False),
        (("tool", "uv", "dev-dependencies"), tool.get("uv", {}).get("dev-dependencies", []), True),
    ]
    for group, items in project.get("optional-dependencies", {}).items():
        dev = bool(DEV_WORDS.search(group.lower()))
        pep508.append((("project", "optional-dependencies", group), items, dev))
    for section in ("dependency-groups", "tool.pdm.dev-dependencies"):
        table = dig(data, section.split("."))
        for group, items in table.items() if isinstance(table, dict) else ():
            pep508.append(((*section.split("."), group), items, True))
    for at, items, dev in pep508:
        start = keys.line_of(at) or 1
        for item in items if isinstance(items, list) else ():
            found = _requirement(item) if isinstance(item, str) else None
            if found is not None:
                line = _item_line(lines, start, f'"{item}"', f"'{item}'")
                deps.append(Dependency(*found[:2], line, found[2], dev))
    tables: list[tuple[tuple[str, ...], bool]] = [
        (("tool", "poetry", "dependencies"), False),
        (("tool", "poetry", "dev-dependencies"), True),
    ]
    tables += [(("tool", "poetry", "group", str(g), "dependencies"), True) for g in _groups(poetry)]
    for at, dev in tables:
        for name, spec in (dig(data, at) or {}).items():
            version = _table_spec(spec)
            pinned = _local_or_commit(spec, "rev") or bool(_POETRY_EXACT.match(version))
            if name != "python":  # Poetry's interpreter constraint, a toolchain pin
                deps.append(Dependency(name, version, keys.line_of((*at, name)) or 1, pinned, dev))
    packaged = not (
        tool.get("uv", {}).get("package") is False
        or poetry.get("package-mode") is False
        or tool.get("pdm", {}).get("distribution") is False
    )
    named = "name" in project or "name" in poetry
    return deps, "build-system" in data and named and packaged


def _groups(poetry: Any) -> list[Any]:
    groups = poetry.get("group") if isinstance(poetry, dict) else None
    return list(groups) if isinstance(groups, dict) else []


def _table_spec(spec: Any) -> str:
    """A Poetry or Pipfile entry's version, or where it comes from when it has none."""
    if not isinstance(spec, dict):
        return str(spec)
    return str(spec.get("version") or spec.get("git") or spec.get("path") or spec.get("file") or "")


def _local_or_commit(spec: Any, ref_key: str) -> bool:
    """A path dependency, or a git one at a full commit hash (a branch or tag can move)."""
    if not isinstance(spec, dict):
        return False
    return "path" in spec or "file" in spec or bool(_COMMIT.match(str(spec.get(ref_key, ""))))


def _item_line(lines: list[str], start: int, *needles: str) -> int:
    """The first line from `start` on that contains one of `needles` (a list item's line)."""
    for number in range(start, len(lines) + 1):
        if any(needle in lines[number - 1] for needle in needles):
            return number
    return start


def pipfile_dependencies(data: dict[str, Any], text: str) -> list[Dependency]:
    """`[packages]` and `[dev-packages]` of a Pipfile.

    Args:
        data: the parsed TOML.
        text: its text, for lines.
    """
    keys, deps = KeyLines(text), []
    for section, dev in (("packages", False), ("dev-packages", True)):
        for name, spec in data.get(section, {}).items():
            version = _table_spec(spec)
            pinned = _local_or_commit(spec, "ref") or bool(_PEP440_EXACT.match(version))
            deps.append(Dependency(name, version, keys.line_of((section, name)) or 1, pinned, dev))
    return deps


def setup_cfg_dependencies(text: str) -> tuple[list[Dependency], bool]:
    """`install_requires` and `extras_require` of a setup.cfg, and whether it names a package.

    Args:
        text: the file's content.
    """
    deps, section, key, named = [], "", "", False
    for number, raw in enumerate(text.splitlines(), start=1):
        if header := re.match(r"^\[(.+)\]\s*$", raw):
            section, key = header[1].strip(), ""
            continue
        if not raw.strip() or raw.lstrip().startswith(("#", ";")):
            continue
        value = raw.strip()
        if not raw[0].isspace():
            key, _, value = (part.strip() for part in raw.partition("="))
            named |= (section, key) == ("metadata", "name")
        extra = section == "options.extras_require"
        if (section, key) == ("options", "install_requires") or extra:
            found = _requirement(value) if value else None
            dev = extra and bool(DEV_WORDS.search(key.lower()))
            if found is not None:
                deps.append(Dependency(found[0], found[1], number, found[2], dev))
    return deps, named
