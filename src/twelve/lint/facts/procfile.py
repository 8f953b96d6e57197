"""The root Procfile, and the pieces every non-code collector shares.

`ParseProblem`, `read_text` and `nearest_line` are used by all the collectors of non-code
files; they live here, in the smallest of them, until `files.py` hosts them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from twelve.lint.facts.files import FileTree

KeyPath = tuple[str | int, ...]
"""A path into parsed data: mapping keys and list indexes, outermost first."""

_ENTRY = re.compile(r"^(?P<name>[A-Za-z0-9_-]+)\s*:\s*(?P<command>.*?)\s*$")


@dataclass(frozen=True, slots=True)
class ParseProblem:
    """A file a collector could not read or parse; `line` is 1-based, None for the whole file."""

    path: str
    line: int | None
    message: str


def read_text(root: Path, path: str) -> str | ParseProblem:
    """A repository file as text, undecodable bytes replaced; a problem when it can't be read.

    Args:
        root: the repository root.
        path: POSIX path relative to the root.
    """
    try:
        return (root / path).read_bytes().decode("utf-8", errors="replace")
    except OSError as exc:
        return ParseProblem(path, None, f"cannot read: {exc.strerror or exc}")


def nearest_line(lines: Mapping[KeyPath, int], path: Sequence[str | int], default: int) -> int:
    """The line of `path`, else of its nearest ancestor that has one, else `default`.

    Args:
        lines: 1-based lines by key path.
        path: the key path wanted.
        default: the line when no prefix of `path` is known (the document's start).
    """
    wanted = tuple(path)
    for end in range(len(wanted), -1, -1):
        line = lines.get(wanted[:end])
        if line is not None:
            return line
    return default


@dataclass(frozen=True, slots=True)
class ProcfileEntry:
    """One process type: `web: gunicorn app:app` on line `line`."""

    name: str
    command: str
    line: int


@dataclass(frozen=True, slots=True)
class Procfile:
    """The root Procfile's process types, in file order."""

    path: str
    entries: tuple[ProcfileEntry, ...]
    problems: tuple[ParseProblem, ...] = ()

    def get(self, name: str) -> ProcfileEntry | None:
        """The entry for a process type, the last one when it is declared twice (as foreman)."""
        found = [entry for entry in self.entries if entry.name == name]
        return found[-1] if found else None


def parse(text: str, path: str = "Procfile") -> Procfile:
    """Parse Procfile text; lines that are not `name: command` become problems.

    Args:
        text: the file's content.
        path: the repository path to report.
    """
    entries: list[ProcfileEntry] = []
    problems: list[ParseProblem] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _ENTRY.match(line)
        if match is None or not match["command"]:
            problems.append(ParseProblem(path, number, "expected `name: command`"))
            continue
        entries.append(ProcfileEntry(match["name"], match["command"], number))
    return Procfile(path, tuple(entries), tuple(problems))


def collect(root: Path, tree: FileTree) -> Procfile | None:
    """The Procfile at the repository root, or None when there is none.

    Args:
        root: the repository root.
        tree: the file tree of the run.
    """
    if not any(f.path == "Procfile" for f in tree.files):
        return None
    text = read_text(root, "Procfile")
    if isinstance(text, ParseProblem):
        return Procfile("Procfile", (), (text,))
    return parse(text)
