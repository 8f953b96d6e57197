"""The report as GitHub Actions workflow commands: one annotation per finding."""

from __future__ import annotations

from twelve.model import Outcome, Report, Result, Severity
from twelve.report.layout import printable

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render(report: Report) -> str:
    """One `::error`/`::warning`/`::notice` line per failure or check error.

    Args:
        report: the run, already masked.
    """
    return "".join(f"{command(result)}\n" for result in report.findings())


def command(result: Result) -> str:
    """`::error file=path,line=N,col=M,title=ID name::message` for one finding.

    Args:
        result: a failure or an error; without a location it gets no `file` property.
    """
    check = result.check
    title = f"{check.id} {check.name}"
    if result.outcome is Outcome.ERROR:
        title += " (check error)"
    properties: list[tuple[str, object]] = []
    location = result.location
    if location is not None:
        properties.append(("file", location.path))
        if location.line is not None:
            properties.append(("line", location.line))
            if location.column is not None:
                properties.append(("col", location.column))
            if location.end_line is not None:
                properties.append(("endLine", location.end_line))
                if location.column is not None and location.end_column is not None:
                    properties.append(("endColumn", location.end_column))
    properties.append(("title", title))
    rendered = ",".join(
        f"{key}={escape_property(printable(str(value)))}" for key, value in properties
    )
    message = escape_data(printable(result.message))
    return f"::{COMMANDS[result.severity]} {rendered}::{message}"


def escape_data(text: str) -> str:
    """A command's message as the runner reads it back (actions/toolkit `escapeData`).

    Args:
        text: the message.
    """
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value as the runner reads it back (actions/toolkit `escapeProperty`).

    Args:
        text: a path or title.
    """
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
