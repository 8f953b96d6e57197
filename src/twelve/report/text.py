"""The report for people: grouped by factor, findings with their evidence, one summary line."""

from __future__ import annotations

from io import StringIO

from rich.console import Console
from rich.text import Text

from twelve.model import Outcome, Report, Result
from twelve.report.layout import by_factor, factor_heading, lines_of, printable, summary_line, tally

WIDTH = 100
_MARK = {
    Outcome.FAIL: ("✗", "bold red"),
    Outcome.ERROR: ("!", "bold magenta"),
    Outcome.INCONCLUSIVE: ("?", "yellow"),
    Outcome.NOT_APPLICABLE: ("-", "dim"),
    Outcome.PASS: ("✓", "green"),
}
_DETAIL = "      "  # evidence, snippets and remediation sit under the check's ID


def render(report: Report, *, color: bool = False, verbose: bool = False) -> str:
    """The report as a person reads it in a terminal or a CI log.

    Args:
        report: the run, already masked.
        color: emit ANSI colours and styles; without it the output has no escapes at all.
        verbose: list passes and show evidence for every outcome, not only failures.
    """
    buffer = StringIO()
    console = Console(
        file=buffer,
        width=WIDTH,
        color_system="standard" if color else None,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        emoji=False,
        soft_wrap=True,  # long paths and log lines stay whole, copy-pasteable
    )
    for factor, results in by_factor(report.results):
        heading = Text(factor_heading(factor), style="bold")
        heading.append(f"  ({tally(results)})", style="dim")
        console.print(heading)
        for result in results:
            if result.outcome is Outcome.PASS and not verbose:
                continue
            console.print(_headline(result))
            for line in _details(result, verbose=verbose):
                console.print(line)
        console.print()
    for note in report.notes:
        console.print(Text(f"note: {printable(note)}", style="cyan"))
    if report.notes:
        console.print()
    console.print(Text(summary_line(report), style="bold"))
    return buffer.getvalue()


def _headline(result: Result) -> Text:
    """`✗ S0301 name  path:line:col  message`."""
    mark, style = _MARK[result.outcome]
    line = Text("  ")
    line.append(mark, style=style)
    line.append(" ")
    line.append(result.check.id, style=style if result.is_finding else "")
    line.append(f" {result.check.name}")
    if result.location is not None:
        line.append("  ")
        line.append(printable(str(result.location)), style="cyan")
    line.append("  ")
    line.append(printable(result.message), style="dim" if not result.is_finding else "")
    return line


def _details(result: Result, *, verbose: bool) -> list[Text]:
    """Snippet, evidence and remediation under a failure (under anything with -v)."""
    lines: list[Text] = []
    if result.outcome is not Outcome.FAIL and not verbose:
        return lines
    location = result.location
    if location is not None and location.snippet is not None:
        code = lines_of(location.snippet)
        first = location.line
        numbers = [""] * len(code) if first is None else [str(first + i) for i in range(len(code))]
        width = max(map(len, numbers))
        for number, line in zip(numbers, code, strict=True):
            lines.append(Text(f"{_DETAIL}{number:>{width}} | {line}", style="dim"))
    for evidence in result.evidence:
        lines.append(Text(f"{_DETAIL}{printable(evidence.title)}:", style="bold"))
        lines.extend(Text(f"{_DETAIL}  {printable(entry)}") for entry in evidence.lines)
    if result.outcome is Outcome.FAIL:
        fix = Text(_DETAIL)
        fix.append("remediation: ", style="bold green")
        fix.append(printable(result.check.remediation))
        lines.append(fix)
    return lines
