"""The report as GitHub-flavoured Markdown, for a pull-request comment or a job summary."""

from __future__ import annotations

import html
import re

from twelve.model import Location, Outcome, Report, Result
from twelve.report.layout import (
    OUTCOME_WORDS,
    SUMMARY_ORDER,
    by_factor,
    factor_heading,
    printable,
    summary_line,
)

# What CommonMark/GFM give a meaning to inside a line (`|` borders a table cell, `~` strikes
# through, `&` starts an entity, `<` raw HTML); `!` and `(` need no escape once `[` has one.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
# What starts a block when it opens a line: a heading, list item, quote or setext underline.
_BLOCK_START = re.compile(r"^(\d+(?=[.)])|(?=[#=+-]))")
_BACKTICKS = re.compile(r"`+")


def render(report: Report) -> str:
    """The report as Markdown: verdict, counts, a findings table and the evidence.

    Args:
        report: the run, already masked.
    """
    parts = [_headline(report), _counts(report)]
    findings = [r for _, results in by_factor(report.findings()) for r in results]
    if findings:
        parts.append(_table(findings))
        parts.extend(_details(result) for result in findings)
    unsure = [r for r in report.results if r.outcome is Outcome.INCONCLUSIVE]
    if unsure:
        items = "\n".join(
            f"- {_cell_id(r)} {escape(r.check.name)}: {escape(r.message)}" for r in unsure
        )
        parts.append(f"**Inconclusive** (could not tell; not counted as findings):\n\n{items}")
    parts.extend(f"> {escape(note)}" for note in report.notes)
    return "\n\n".join(parts) + "\n"


def escape(text: str) -> str:
    """Text shown literally in Markdown, safe inside a table cell.

    Args:
        text: a message or any free text.
    """
    escaped = _SPECIAL.sub(r"\\\1", unmention(printable(text)))
    return _BLOCK_START.sub(lambda start: f"{start[0]}\\", escaped, count=1).replace("\n", "<br>")


def unmention(text: str) -> str:
    """Text in which `@name` notifies nobody (a DSN's `user@db` would ping user "db").

    Args:
        text: text outside code; a word joiner after `@` breaks GitHub's mention syntax.
    """
    return text.replace("@", "@\u2060")


def code_span(text: str) -> str:
    """Text as inline code, even when it contains backticks or `|`.

    Args:
        text: a path, an ID, a snippet line.
    """
    text = printable(text).replace("\n", " ")
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
    # GFM splits table rows on `|` before it parses code spans, even inside them.
    return f"{fence}{padded}{fence}".replace("|", "\\|")


def _headline(report: Report) -> str:
    counts = report.counts()
    findings = counts[Outcome.FAIL] + counts[Outcome.ERROR]
    if findings:
        noun = "finding" if findings == 1 else "findings"
        return f"## ❌ twelve: {findings} {noun}"
    if counts[Outcome.INCONCLUSIVE]:
        return "## ⚠️ twelve: no findings, but some checks could not tell"
    return "## ✅ twelve: all checks passed"


def _counts(report: Report) -> str:
    counts = report.counts()
    rows = [f"| {OUTCOME_WORDS[outcome]} | {counts[outcome]} |" for outcome in SUMMARY_ORDER]
    return "\n".join([escape(summary_line(report)), "", "| outcome | count |", "|---|---:|", *rows])


def _table(findings: list[Result]) -> str:
    rows = ["| | ID | check | location | message |", "|---|---|---|---|---|"]
    for result in findings:
        mark = "❌" if result.outcome is Outcome.FAIL else "❗"
        where = "" if result.location is None else code_span(_path_line(result.location))
        rows.append(
            f"| {mark} | {_cell_id(result)} | {escape(result.check.name)} "
            f"| {where} | {escape(result.message)} |"
        )
    return "\n".join(rows)


def _details(result: Result) -> str:
    check = result.check
    title = f"{check.id} {check.name} ({factor_heading(check.factor)})"
    if result.location is not None:
        title += f" — {_path_line(result.location)}"
    blocks = [f"<details><summary>{html.escape(unmention(printable(title)))}</summary>"]
    blocks.append(escape(result.message))
    location = result.location
    if location is not None and location.snippet is not None:
        blocks.append(_fenced(location.snippet))
    for evidence in result.evidence:
        blocks.append(f"**{escape(evidence.title)}**\n\n{_fenced(chr(10).join(evidence.lines))}")
    if result.outcome is Outcome.FAIL:
        blocks.append(f"**Remediation:** {escape(check.remediation)}")
    blocks.append("</details>")
    return "\n\n".join(blocks)


def _fenced(text: str) -> str:
    """A code block whose fence no backtick run in the text can close."""
    text = printable(text)
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def _cell_id(result: Result) -> str:
    return f"`{result.check.id}`"


def _path_line(location: Location) -> str:
    return location.path if location.line is None else f"{location.path}:{location.line}"
