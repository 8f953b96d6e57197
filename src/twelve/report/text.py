"""The report for people: grouped by factor, findings with their evidence, one summary line."""

from __future__ import annotations

from io import StringIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from twelve.model import Outcome, Report, Result
from twelve.report.layout import by_factor, factor_heading, lines_of, printable, summary_line, tally
from twelve.scorecard import Scorecard, Status, Tally

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
    if report.scorecard is not None:
        _scorecard(console, report.scorecard)
    for note in report.notes:
        console.print(Text(f"note: {printable(note)}", style="cyan"))
    if report.notes:
        console.print()
    console.print(Text(summary_line(report), style="bold"))
    return buffer.getvalue()


_STATUS = {
    Status.DONE: ("✓", "green"),
    Status.NOT_DONE: ("✗", "bold red"),
    Status.UNKNOWN: ("?", "yellow"),
}


def _scorecard(console: Console, card: Scorecard) -> None:
    """The Done checklist, then the score per factor."""
    console.print(Text("Done checklist", style="bold"))
    for item in card.checklist:
        mark, style = _STATUS[item.status]
        line = Text("  ")
        line.append(mark, style=style)
        line.append(f" {item.title}")
        if item.failing:
            line.append(f"  ({', '.join(item.failing)})", style="dim")
        elif item.status is Status.UNKNOWN:
            line.append("  (could not tell)", style="dim")
        console.print(line)
    console.print()
    table = Table("Factor", "Score", "Passed", "Failed", "Inconclusive", "N/A", box=None)
    for factor, tally_ in card.factors:
        table.add_row(factor_heading(factor), *_tally_row(tally_))
    table.add_row(Text("Overall", style="bold"), *_tally_row(card.overall))
    console.print(table)
    console.print()


def _tally_row(tally_: Tally) -> tuple[str, str, str, str, str]:
    score = "-" if tally_.score is None else f"{tally_.score:.1f}/10"
    unsure = tally_.inconclusive + tally_.errors
    return score, str(tally_.passed), str(tally_.failed), str(unsure), str(tally_.not_applicable)


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
