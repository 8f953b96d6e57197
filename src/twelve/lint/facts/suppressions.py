"""Inline suppressions: `twelve: ignore[S0301] reason` in a comment of any syntax."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_INLINE = re.compile(r"twelve:\s*ignore\[(?P<ids>[^\]]*)\](?P<reason>.*)")
_CLOSERS = re.compile(r"\s*(?:\*/|-->|#}|%}|\*\))\s*$")
_COMMENT_ONLY = re.compile(r"^\s*(?:#|//|/\*|--|;|<!--|\{#|\*)")


@dataclass(frozen=True, slots=True)
class InlineSuppression:
    """One suppression comment and the line it covers.

    Args:
        path: the file.
        line: the comment's line.
        target_line: the line whose findings it suppresses: its own, or the next non-blank
            line when the comment stands alone.
        ids: check IDs or names.
        reason: why; required, an empty one is itself reported.
    """

    path: str
    line: int
    target_line: int
    ids: tuple[str, ...]
    reason: str


def find_suppressions(path: str, text: str) -> Iterator[InlineSuppression]:
    """Every suppression comment in a file."""
    if "twelve:" not in text:
        return
    lines = text.splitlines()
    for index, line in enumerate(lines):
        match = _INLINE.search(line)
        if match is None:
            continue
        ids = tuple(part.strip() for part in match["ids"].split(",") if part.strip())
        reason = _CLOSERS.sub("", match["reason"]).strip()
        target = index
        if _COMMENT_ONLY.match(line):
            target = next((j for j in range(index + 1, len(lines)) if lines[j].strip()), index)
        yield InlineSuppression(path, index + 1, target + 1, ids, reason)
