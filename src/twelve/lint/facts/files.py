"""The file tree: which files a lint run reads, and which it skips and why."""

from __future__ import annotations

import enum
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pathspec

MAX_FILE_BYTES = 1_000_000
_SKIP_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", "node_modules", "vendor", "third_party", ".venv", "venv",
        "__pycache__", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
        "site-packages", "dist", "build", "target", ".next", ".terraform", "bower_components",
    }
)  # fmt: skip
_GENERATED_MARKERS = ("@generated", "DO NOT EDIT", "do not edit", "Code generated")
_GENERATED_SUFFIXES = (".min.js", ".min.css", ".pb.go", "_pb2.py", ".js.map")
_TEST_PARTS = frozenset({"test", "tests", "__tests__", "testdata", "fixtures", "spec", "e2e"})


class Language(enum.StrEnum):
    """Languages whose code the lint parses (ast-grep language names)."""

    PYTHON = "python"
    JAVASCRIPT = "javascript"
    TYPESCRIPT = "typescript"
    TSX = "tsx"
    GO = "go"
    RUST = "rust"


_EXTENSIONS = {
    ".py": Language.PYTHON,
    ".js": Language.JAVASCRIPT,
    ".mjs": Language.JAVASCRIPT,
    ".cjs": Language.JAVASCRIPT,
    ".jsx": Language.JAVASCRIPT,
    ".ts": Language.TYPESCRIPT,
    ".mts": Language.TYPESCRIPT,
    ".cts": Language.TYPESCRIPT,
    ".tsx": Language.TSX,
    ".go": Language.GO,
    ".rs": Language.RUST,
}


class Skip(enum.StrEnum):
    """Why a file was not read."""

    IGNORED = "gitignored"
    VENDORED = "vendored or tool directory"
    GENERATED = "generated"
    BINARY = "binary"
    TOO_LARGE = "over the size cap"
    SYMLINK = "symlink"
    EXCLUDED = "excluded by [lint] exclude"
    TEST = "test or fixture path"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A text file the lint reads; `path` is POSIX-style, relative to the root."""

    path: str
    language: Language | None
    size: int
    is_test: bool

    @property
    def name(self) -> str:
        """The file name without directories."""
        return self.path.rsplit("/", 1)[-1]


@dataclass(slots=True)
class FileTree:
    """The files of one repository that rules may look at, and a count of skips by reason."""

    root: Path
    files: list[SourceFile] = field(default_factory=list)
    skipped: Counter[Skip] = field(default_factory=Counter)
    skipped_paths: list[tuple[str, Skip]] = field(default_factory=list)
    present: set[str] = field(default_factory=set)
    """Every path that is part of the repository, read or not (large lockfiles, tests, ...)."""

    def by_name(self, *names: str) -> list[SourceFile]:
        """Files whose name is one of `names` (case-sensitive)."""
        wanted = set(names)
        return [f for f in self.files if f.name in wanted]

    def in_language(self, language: Language) -> list[SourceFile]:
        """Files of one language."""
        return [f for f in self.files if f.language is language]


def language_of(path: str) -> Language | None:
    """The parsed language of a path, by extension (the suffix as `PurePosixPath` has it)."""
    name = path.rsplit("/", 1)[-1]
    dot = name.rfind(".")
    return _EXTENSIONS.get(name[dot:].lower()) if 0 < dot < len(name) - 1 else None


def is_test_path(path: str) -> bool:
    """Test and fixture code: `tests/`, `test_x.py`, `x_test.go`, `x.spec.ts` and the like."""
    parts = path.split("/")
    name = parts[-1]
    stem = name.split(".", 1)[0]
    return (
        any(part in _TEST_PARTS for part in parts[:-1])
        or stem.startswith("test_")
        or stem.endswith(("_test", "_tests"))
        or ".test." in name
        or ".spec." in name
        or name == "conftest.py"
    )


_CLI_PARTS = frozenset({"scripts", "script", "bin", "tools", "cli", "examples"})
_CLI_NAMES = frozenset({"cli.py", "__main__.py", "manage.py", "setup.py", "noxfile.py",
                        "fabfile.py", "tasks.py", "cli.js", "cli.ts", "build.rs"})  # fmt: skip


def is_cli_path(path: str) -> bool:
    """Command-line tools and scripts, where writing to stdout is the interface."""
    parts = path.split("/")
    return any(part in _CLI_PARTS for part in parts[:-1]) or parts[-1] in _CLI_NAMES


def walk(
    root: Path,
    *,
    exclude: Iterable[str] = (),
    include_tests: bool = False,
    max_bytes: int = MAX_FILE_BYTES,
) -> FileTree:
    """List the files to lint below `root`.

    Args:
        root: the repository root.
        exclude: gitignore-style patterns from the contract's `[lint] exclude`.
        include_tests: read test and fixture paths too (skipped by default).
        max_bytes: files larger than this are skipped.
    """
    tree = FileTree(root)
    excluded = pathspec.GitIgnoreSpec.from_lines(exclude)
    for relative, by_path, entry in _candidates(os.fspath(root), excluded):
        if by_path in (None, Skip.SYMLINK):
            tree.present.add(relative)
        reason, size = by_path, 0
        if reason is None and not include_tests and is_test_path(relative):
            reason = Skip.TEST
        if reason is None:
            reason, size = _inspect(entry, relative, max_bytes)
        if reason is not None:
            tree.skipped[reason] += 1
            tree.skipped_paths.append((relative, reason))
            continue
        tree.files.append(SourceFile(relative, language_of(relative), size, is_test_path(relative)))
    tree.files.sort(key=lambda f: f.path)
    return tree


def _candidates(
    top: str, excluded: pathspec.PathSpec[Any]
) -> Iterator[tuple[str, Skip | None, os.DirEntry[str]]]:
    """Every file below `top` with its entry and a skip reason known from its path (or None).

    Directories are visited top-down in name order; symlinks are reported, never followed.
    `os.scandir` entries carry their type, which saves a `stat` per file.
    """
    ignores: list[tuple[str, pathspec.PathSpec[Any]]] = []
    pending = [("", top)]
    while pending:
        prefix, directory = pending.pop()
        ignores = [(d, s) for d, s in ignores if prefix.startswith(d)]
        entries = _listing(directory)
        dirs = sorted((e for e in entries if _is_dir(e)), key=lambda e: e.name)
        if any(e.name == ".gitignore" and e.is_file() for e in entries):
            lines = Path(directory, ".gitignore").read_text("utf-8", "replace").splitlines()
            ignores.append((prefix, pathspec.GitIgnoreSpec.from_lines(lines)))
        kept = []
        for entry in dirs:
            relative = prefix + entry.name + "/"
            reason = _directory_skip(entry, relative, ignores, excluded)
            if reason is None:
                kept.append((relative, entry.path))
            else:
                yield relative, reason, entry
        for entry in entries:
            if not _is_dir(entry):
                relative = prefix + entry.name
                yield relative, _file_skip(entry, relative, ignores, excluded), entry
        pending.extend(reversed(kept))


def _listing(directory: str) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(directory) as listing:
            return list(listing)
    except OSError:
        return []


def _is_dir(entry: os.DirEntry[str]) -> bool:
    """A directory or a symlink to one, as `os.walk` sorts them."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _directory_skip(
    entry: os.DirEntry[str],
    relative: str,
    ignores: list[tuple[str, pathspec.PathSpec[Any]]],
    excluded: pathspec.PathSpec[Any],
) -> Skip | None:
    if entry.name in _SKIP_DIRS or entry.name.endswith(".egg-info"):
        return Skip.VENDORED
    if entry.is_symlink():
        return Skip.SYMLINK
    if _ignored(relative, ignores) or excluded.match_file(relative):
        return Skip.IGNORED
    return None


def _file_skip(
    entry: os.DirEntry[str],
    relative: str,
    ignores: list[tuple[str, pathspec.PathSpec[Any]]],
    excluded: pathspec.PathSpec[Any],
) -> Skip | None:
    if entry.is_symlink():
        return Skip.SYMLINK
    if _ignored(relative, ignores):
        return Skip.IGNORED
    if excluded.match_file(relative):
        return Skip.EXCLUDED
    return None


def _ignored(relative: str, ignores: list[tuple[str, pathspec.PathSpec[Any]]]) -> bool:
    return any(spec.match_file(relative[len(base) :]) for base, spec in ignores)


def _inspect(entry: os.DirEntry[str], relative: str, max_bytes: int) -> tuple[Skip | None, int]:
    """Skip by content: size, binary (a NUL byte) and generated-file markers."""
    try:
        size = entry.stat().st_size
        if size > max_bytes:
            return Skip.TOO_LARGE, size
        head = _head(entry.path)
    except OSError:
        return Skip.BINARY, 0
    if b"\0" in head:
        return Skip.BINARY, size
    if relative.endswith(_GENERATED_SUFFIXES):
        return Skip.GENERATED, size
    first_lines = head[:600].decode("utf-8", errors="replace")
    if any(marker in first_lines for marker in _GENERATED_MARKERS):
        return Skip.GENERATED, size
    return None, size


def _head(path: str) -> bytes:
    """A file's first bytes (`os.open`: cheaper than a file object, for every file)."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        return os.read(descriptor, 2048)
    finally:
        os.close(descriptor)
