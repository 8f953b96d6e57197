"""A draft contract (what `twelve init` inferred) and its TOML text, written by hand.

Every value is written as a TOML basic string, integer, float, boolean or array of strings,
escaped per TOML 1.0; keys are bare when they can be and quoted otherwise. Guesses carry a
trailing `# TODO: confirm` comment saying where they come from.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from twelve.contract.values import ValueType

TODO = "TODO: confirm"
Value = str | int | float | bool | list[str]
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


@dataclass(slots=True)
class Entry:
    """One `key = value` line; `note` becomes its trailing comment, `guess` prefixes a TODO."""

    key: str
    value: Value
    note: str = ""
    guess: bool = False


@dataclass(slots=True)
class Table:
    """One `[a.b]` table of the draft, its header comment and its entries in order."""

    path: tuple[str, ...]
    entries: list[Entry] = field(default_factory=list)
    note: str = ""

    def add(self, key: str, value: Value, note: str = "", *, guess: bool = False) -> None:
        """Append an entry.

        Args:
            key: the TOML key.
            value: its value.
            note: where it comes from, as a trailing comment.
            guess: whether it is a guess to confirm.
        """
        self.entries.append(Entry(key, value, note, guess))


@dataclass(slots=True)
class Draft:
    """A whole draft contract: the tables in file order and the header's list of sources."""

    tables: list[Table] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def table(self, *path: str, note: str = "") -> Table:
        """Append a new table and return it.

        Args:
            path: the table's dotted path, e.g. `("config", "PORT")`.
            note: a comment on its header line.
        """
        table = Table(tuple(path), note=note)
        self.tables.append(table)
        return table

    @property
    def guesses(self) -> int:
        """How many entries carry a TODO."""
        return sum(entry.guess for table in self.tables for entry in table.entries)


def render(draft: Draft) -> str:
    """The draft as TOML text with its comments.

    Args:
        draft: what `twelve init` inferred.
    """
    read = "; ".join(draft.sources) if draft.sources else "nothing recognisable"
    lines = [
        "# Drafted by `twelve init` from " + _one_line(read) + ".",
        f'# Check every "{TODO}", describe each config key, then run `twelve docs` and',
        "# `twelve lint`. Reference: docs/contract.md of twelve, or `twelve schema`.",
    ]
    for table in draft.tables:
        header = "[" + ".".join(key(part) for part in table.path) + "]"
        lines += ["", header + (f"  # {_one_line(table.note)}" if table.note else "")]
        for entry in table.entries:
            comment = " — ".join(part for part in (TODO if entry.guess else "", entry.note) if part)
            line = f"{key(entry.key)} = {value(entry.value)}"
            lines.append(line + (f"  # {_one_line(comment)}" if comment else ""))
    return "\n".join(lines) + "\n"


def key(name: str) -> str:
    """A TOML key: bare when it can be, else a quoted basic string.

    Args:
        name: the key.
    """
    return name if _BARE_KEY.match(name) else string(name)


def value(item: Value) -> str:
    """A TOML value.

    Args:
        item: a string, integer, float, boolean or list of strings.
    """
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, int):
        return str(item)
    if isinstance(item, float):
        if not math.isfinite(item):
            raise ValueError("a contract value is a finite number")
        text = repr(item)
        return text if any(c in text for c in ".e") else text + ".0"
    if isinstance(item, list):
        return "[" + ", ".join(string(part) for part in item) + "]"
    return string(item)


def string(text: str) -> str:
    """A TOML basic string; every character TOML forbids raw is escaped.

    Args:
        text: the string.
    """
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def scalar_for(value_type: ValueType, raw: str) -> Value:
    """A raw env value as the contract writes it for its type: `8000` for a port, not `"8000"`.

    Args:
        value_type: the key's type.
        raw: the value as text (already valid for the type).
    """
    if value_type in (ValueType.INT, ValueType.PORT):
        return int(raw)
    if value_type is ValueType.FLOAT:
        return float(raw)
    if value_type is ValueType.BOOL:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return raw


def _one_line(text: str) -> str:
    return " ".join(text.split())
