"""The report for machines: one stable JSON document, described by `schemas/report.schema.json`.

The shape is documented in `docs/report-json.md`; `version` changes only when a field is
removed or changes meaning (new fields may appear within a version).
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

import orjson

from twelve.model import Location, Outcome, Report, Result
from twelve.scorecard import Scorecard, Tally

FORMAT_VERSION = 1
SCHEMA: Traversable = files("twelve.report").joinpath("schemas", "report.schema.json")


def render(report: Report) -> str:
    """The report as JSON with sorted keys and two-space indentation.

    Args:
        report: the run, already masked.
    """
    return orjson.dumps(
        document(report),
        option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE,
    ).decode()


def document(report: Report) -> dict[str, Any]:
    """The report as plain JSON-ready data.

    Args:
        report: the run, already masked.
    """
    counts = report.counts()
    return {
        "version": FORMAT_VERSION,
        "tool": {"name": "twelve", "version": report.tool_version},
        "target": report.target,
        "summary": {outcome.value: counts[outcome] for outcome in Outcome},
        "notes": list(report.notes),
        "results": [_result(result) for result in report.results],
        "scorecard": _scorecard(report.scorecard) if report.scorecard else None,
    }


def _scorecard(card: Scorecard) -> dict[str, Any]:
    return {
        "checklist": [
            {
                "title": item.title,
                "status": item.status.value,
                "checks": list(item.checks),
                "failing": list(item.failing),
            }
            for item in card.checklist
        ],
        "factors": [
            {"factor": factor.value, "factor_name": factor.title, **_tally(tally)}
            for factor, tally in card.factors
        ],
        "overall": _tally(card.overall),
    }


def _tally(tally: Tally) -> dict[str, Any]:
    return {
        "score": tally.score,
        "passed": tally.passed,
        "failed": tally.failed,
        "inconclusive": tally.inconclusive,
        "error": tally.errors,
        "not_applicable": tally.not_applicable,
    }


def _result(result: Result) -> dict[str, Any]:
    check = result.check
    return {
        "id": check.id,
        "name": check.name,
        "kind": check.kind.value,
        "factor": check.factor.value,
        "factor_name": check.factor.title,
        "severity": check.severity.value,
        "lifecycle": check.lifecycle.value,
        "outcome": result.outcome.value,
        "message": result.message,
        "location": None if result.location is None else _location(result.location),
        "evidence": [{"title": e.title, "lines": list(e.lines)} for e in result.evidence],
        "remediation": check.remediation,
        "duration": result.duration,
    }


def _location(location: Location) -> dict[str, Any]:
    return {
        "path": location.path,
        "line": location.line,
        "column": location.column,
        "end_line": location.end_line,
        "end_column": location.end_column,
        "snippet": location.snippet,
    }
