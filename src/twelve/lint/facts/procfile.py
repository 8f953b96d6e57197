"""The root Procfile: its process types and their lines."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from twelve.lint.facts.files import FileTree
from twelve.lint.facts.parse import ParseProblem, read_text

_ENTRY = re.compile(r"^(?P<name>[A-Za-z0-9_-]+)\s*:\s*(?P<command>.*?)\s*$")


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
