"""Pieces every collector of non-code files shares: problems, reading, key-path lines."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KeyPath = tuple[str | int, ...]
"""A path into parsed data: mapping keys and list indexes, outermost first."""


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


def dig(data: Any, path: Sequence[str | int]) -> Any:
    """The value at a key path of loaded data, or None where the path leaves it.

    Args:
        data: loaded JSON, TOML or YAML.
        path: mapping keys (list indexes are not followed).
    """
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data
