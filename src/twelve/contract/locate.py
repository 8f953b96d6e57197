"""Find the line of a key in TOML text, so contract errors can say where they are."""

from __future__ import annotations

import re
from collections.abc import Sequence

_HEADER = re.compile(r"^\s*\[\[?\s*(?P<path>[^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(
    r'^\s*(?P<key>(?:[A-Za-z0-9_-]+|"[^"]*"|\'[^\']*\')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|\'[^\']*\'))*)\s*='
)
_INLINE_KEY = re.compile(r'(?:\{|,)\s*(?P<key>[A-Za-z0-9_-]+|"[^"]*")\s*=')
_PART = re.compile(r'"[^"]*"|\'[^\']*\'|[A-Za-z0-9_-]+')


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(part.strip("\"'") for part in _PART.findall(dotted))


class KeyLines:
    """An index from dotted key paths to 1-based line numbers in a TOML document."""

    def __init__(self, text: str) -> None:
        self._lines: dict[tuple[str, ...], int] = {}
        table: tuple[str, ...] = ()
        for number, line in enumerate(text.splitlines(), start=1):
            if header := _HEADER.match(line):
                table = _parts(header["path"])
                self._lines.setdefault(table, number)
            elif key := _KEY.match(line):
                path = (*table, *_parts(key["key"]))
                self._lines.setdefault(path, number)
                rest = line[key.end() :]
                for inline in _INLINE_KEY.finditer(rest):
                    self._lines.setdefault((*path, inline["key"].strip('"')), number)

    @property
    def lines(self) -> dict[tuple[str, ...], int]:
        """Every key path the document spells out, with its line."""
        return dict(self._lines)

    def line_of(self, loc: Sequence[str | int]) -> int | None:
        """The line of the longest prefix of `loc` that the document spells out."""
        path = tuple(str(part) for part in loc)
        for end in range(len(path), 0, -1):
            if path[:end] in self._lines:
                return self._lines[path[:end]]
        return None
