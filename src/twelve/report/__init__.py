"""Reports: one module per format behind one function, secrets masked before any of them.

`render(report, Format.SARIF)` masks every secret the report knows of (see `mask`) and hands
the masked copy to the format's module; no format ever sees a raw secret.
"""

from __future__ import annotations

import enum
from typing import assert_never

from twelve.model import Report
from twelve.report import github, json, junit, markdown, sarif, text
from twelve.report.mask import mask_report


class Format(enum.StrEnum):
    """The output formats `--format` accepts."""

    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    JUNIT = "junit"
    MARKDOWN = "markdown"
    GITHUB = "github"


def render(report: Report, fmt: Format, *, color: bool = False, verbose: bool = False) -> str:
    """The report in one format, with every known secret masked.

    Args:
        report: the run; not modified.
        fmt: the output format.
        color: ANSI colour in the text format (the CLI passes False for a non-TTY or NO_COLOR).
        verbose: the text format also lists passes and shows evidence for every outcome.
    """
    masked = mask_report(report)
    match fmt:
        case Format.TEXT:
            return text.render(masked, color=color, verbose=verbose)
        case Format.JSON:
            return json.render(masked)
        case Format.SARIF:
            return sarif.render(masked)
        case Format.JUNIT:
            return junit.render(masked)
        case Format.MARKDOWN:
            return markdown.render(masked)
        case Format.GITHUB:
            return github.render(masked)
        case _:
            assert_never(fmt)


__all__ = ["Format", "mask_report", "render"]
