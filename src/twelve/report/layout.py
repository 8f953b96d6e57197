"""What every format shares: factor headings, outcome wording, ordering, the summary phrase."""

from __future__ import annotations

import re
from collections.abc import Iterable

from twelve.model import Factor, Outcome, Report, Result

# The summary reads most-urgent first; passes and n/a are context.
SUMMARY_ORDER = (
    Outcome.FAIL,
    Outcome.ERROR,
    Outcome.INCONCLUSIVE,
    Outcome.PASS,
    Outcome.NOT_APPLICABLE,
)
# Within a factor, what needs a person comes first.
DISPLAY_ORDER = (
    Outcome.FAIL,
    Outcome.ERROR,
    Outcome.INCONCLUSIVE,
    Outcome.NOT_APPLICABLE,
    Outcome.PASS,
)
OUTCOME_WORDS = {
    Outcome.FAIL: "failed",
    Outcome.ERROR: "error",
    Outcome.INCONCLUSIVE: "inconclusive",
    Outcome.PASS: "passed",
    Outcome.NOT_APPLICABLE: "not applicable",
}
# C0 controls but tab and newline, DEL, C1 controls, lone surrogates and non-characters:
# captured process output may carry ANSI escapes or NULs, which would colour a terminal,
# forge a workflow command or make XML unparsable.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def factor_heading(factor: Factor) -> str:
    """A factor as people read it: "III Config".

    Args:
        factor: the factor.
    """
    return f"{factor.roman} {factor.title}"


def outcome_count(outcome: Outcome, count: int) -> str:
    """A count in words: "3 failed", "1 error", "2 errors", "5 not applicable".

    Args:
        outcome: what the results concluded.
        count: how many did.
    """
    word = OUTCOME_WORDS[outcome]
    if outcome is Outcome.ERROR and count != 1:
        word = "errors"
    return f"{count} {word}"


def summary_line(report: Report) -> str:
    """Counts per outcome, most urgent first, zero counts left out.

    Args:
        report: the run.
    """
    return tally(report.results) or "no checks ran"


def tally(results: Iterable[Result]) -> str:
    """Counts per outcome of some results, most urgent first, zero counts left out.

    Args:
        results: any results (a factor's, a run's).
    """
    counts = dict.fromkeys(Outcome, 0)
    for result in results:
        counts[result.outcome] += 1
    return ", ".join(outcome_count(o, counts[o]) for o in SUMMARY_ORDER if counts[o])


def by_factor(results: Iterable[Result]) -> list[tuple[Factor, list[Result]]]:
    """Results grouped by factor in factor order; findings first within a factor.

    Args:
        results: the results in run order (kept within an outcome).
    """
    groups: dict[Factor, list[Result]] = {}
    for result in results:
        groups.setdefault(result.check.factor, []).append(result)
    rank = {outcome: index for index, outcome in enumerate(DISPLAY_ORDER)}
    return [
        (factor, sorted(groups[factor], key=lambda result: rank[result.outcome]))
        for factor in sorted(groups)
    ]


def printable(text: str) -> str:
    """Text with control characters shown as `\\xNN` instead of acted upon.

    Args:
        text: a message, snippet or captured output line.
    """
    return _CONTROL.sub(_escape, text)


def _escape(hit: re.Match[str]) -> str:
    code = ord(hit[0])
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def lines_of(text: str) -> list[str]:
    """A multi-line value (a snippet) split into printable lines.

    Args:
        text: the value.
    """
    return [printable(line) for line in text.splitlines()] or [""]
