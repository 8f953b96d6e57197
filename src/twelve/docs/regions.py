"""Hand-written regions: text between custom markers survives regeneration verbatim.

A Markdown document marks a region with `<!-- twelve:begin custom NAME -->` and
`<!-- twelve:end custom NAME -->` lines; `.env.example` with `# twelve:begin custom NAME`
and `# twelve:end custom NAME`. Everything else in a generated file is generated.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

_MARKER = re.compile(
    r"^[ \t]*(?:<!--|#)[ \t]*twelve:(?P<edge>begin|end)[ \t]+custom[ \t]+(?P<name>[A-Za-z0-9_-]+)"
    r"[ \t]*(?:-->)?[ \t]*$",
    re.MULTILINE,
)


class Style(enum.Enum):
    """How a file writes comments, and so its markers."""

    MARKDOWN = "markdown"
    DOTENV = "dotenv"


class RegionError(ValueError):
    """A custom region that is not closed, closed twice, or named twice.

    Args:
        line: the 1-based line of the offending marker.
        message: what is wrong.
    """

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.problem = message


@dataclass(frozen=True, slots=True)
class Region:
    """One custom region: `text[start:end]` is the whole block, markers included."""

    name: str
    start: int
    end: int
    content_start: int
    content_end: int


def region(name: str, style: Style, placeholder: str = "") -> str:
    """A custom region block (markers and the placeholder between them), ending in a newline.

    Args:
        name: the region's name, unique in its document.
        style: the file's comment style.
        placeholder: what a fresh document holds in the region (a hint, or nothing).
    """
    if style is Style.MARKDOWN:
        begin, end = f"<!-- twelve:begin custom {name} -->", f"<!-- twelve:end custom {name} -->"
    else:
        begin, end = f"# twelve:begin custom {name}", f"# twelve:end custom {name}"
    body = placeholder if not placeholder or placeholder.endswith("\n") else placeholder + "\n"
    return f"{begin}\n{body}{end}\n"


def find_regions(text: str) -> list[Region]:
    """The custom regions of a document, in order.

    Args:
        text: the document.

    Raises:
        RegionError: a region is not closed, an end has no begin, or a name is used twice.
    """
    found: list[Region] = []
    open_name: str | None = None
    begin_at = content_at = 0
    for marker in _MARKER.finditer(text):
        line = text.count("\n", 0, marker.start()) + 1
        name = marker["name"]
        if marker["edge"] == "begin":
            if open_name is not None:
                raise RegionError(line, f"custom region {open_name!r} is not closed")
            if any(r.name == name for r in found):
                raise RegionError(line, f"custom region {name!r} appears twice")
            open_name, begin_at, content_at = name, marker.start(), _after_line(text, marker.end())
        elif open_name != name:
            raise RegionError(line, f"end of custom region {name!r} without its begin")
        else:
            end = _after_line(text, marker.end())
            found.append(Region(name, begin_at, end, content_at, marker.start()))
            open_name = None
    if open_name is not None:
        line = text.count("\n", 0, begin_at) + 1
        raise RegionError(line, f"custom region {open_name!r} is not closed")
    return found


def carry_over(generated: str, current: str | None) -> str:
    """The generated text with the current file's custom regions put back verbatim.

    A region the current file has but the generated text does not (renamed or dropped by a
    newer twelve) is appended at the end rather than lost.

    Args:
        generated: the freshly generated document, with placeholder regions.
        current: the file as it is now, or None when it does not exist.

    Raises:
        RegionError: the current file's (or the generated text's) markers are malformed.
    """
    if current is None:
        return generated
    kept = {r.name: current[r.content_start : r.content_end] for r in find_regions(current)}
    fresh = find_regions(generated)
    parts: list[str] = []
    position = 0
    for fresh_region in fresh:
        parts.append(generated[position : fresh_region.content_start])
        default = generated[fresh_region.content_start : fresh_region.content_end]
        parts.append(kept.pop(fresh_region.name, default))
        position = fresh_region.content_end
    parts.append(generated[position:])
    orphans = [r for r in find_regions(current) if r.name in kept]
    for orphan in orphans:
        block = current[orphan.start : orphan.end]
        parts.append("\n" + (block if block.endswith("\n") else block + "\n"))
    return "".join(parts)


def _after_line(text: str, index: int) -> int:
    """The index just past the end of the line containing `index`."""
    newline = text.find("\n", index)
    return len(text) if newline == -1 else newline + 1
