"""The report as SARIF 2.1.0, for GitHub code scanning and other SARIF viewers."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

import orjson

from twelve.model import CheckMeta, Location, Outcome, Report, Result, Severity

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render(report: Report) -> str:
    """The report as one SARIF log with one run.

    Args:
        report: the run, already masked.
    """
    return orjson.dumps(
        document(report), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE
    ).decode()


def document(report: Report) -> dict[str, Any]:
    """The SARIF log as plain JSON-ready data.

    Args:
        report: the run, already masked.
    """
    checks = sorted({r.check.id: r.check for r in report.results}.values(), key=lambda c: c.id)
    index = {check.id: position for position, check in enumerate(checks)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "twelve",
                "version": report.tool_version,
                "rules": [_rule(check) for check in checks],
            }
        },
        "invocations": [_invocation(report, index)],
        # Our columns count characters of a decoded line, not UTF-16 units (the default).
        "columnKind": "unicodeCodePoints",
        "results": [_result(r, index[r.check.id]) for r in report.results if r.is_finding],
    }
    if report.target.startswith("/"):
        base = PurePosixPath(report.target).as_uri().rstrip("/") + "/"
        run["originalUriBaseIds"] = {SRCROOT: {"uri": base}}
    return {"$schema": SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def _rule(check: CheckMeta) -> dict[str, Any]:
    return {
        "id": check.id,
        "name": check.name,
        "shortDescription": {"text": check.summary},
        "fullDescription": {"text": check.docs.what_it_does or check.summary},
        "help": {"text": _help(check, markdown=False), "markdown": _help(check, markdown=True)},
        "defaultConfiguration": {"level": LEVELS[check.severity]},
        "properties": {
            "factor": check.factor.value,
            "factorName": check.factor.title,
            "kind": check.kind.value,
            "lifecycle": check.lifecycle.value,
            "tags": ["twelve-factor", f"factor-{check.factor.value:02d}", check.kind.value],
        },
    }


def _help(check: CheckMeta, *, markdown: bool) -> str:
    docs = check.docs
    sections = [
        ("What it does", docs.what_it_does),
        ("Why is this bad?", docs.why_is_this_bad),
        ("Example", docs.example),
        ("Use instead", docs.use_instead),
        ("Known problems", docs.known_problems),
        ("Remediation", check.remediation),
    ]
    heading = "## {}" if markdown else "{}"
    return "\n\n".join(f"{heading.format(title)}\n{body}" for title, body in sections if body)


def _invocation(report: Report, index: dict[str, int]) -> dict[str, Any]:
    crashed = [r for r in report.results if r.outcome is Outcome.ERROR]
    invocation: dict[str, Any] = {
        # A crashed check left its part of the analysis undone (SARIF 3.20.14).
        "executionSuccessful": not crashed,
    }
    if crashed:
        invocation["toolExecutionNotifications"] = [
            {
                "level": "error",
                "message": {"text": f"{r.check.id} {r.check.name}: {r.message}"},
                "associatedRule": {"id": r.check.id, "index": index[r.check.id]},
            }
            for r in crashed
        ]
    return invocation


def _result(result: Result, rule_index: int) -> dict[str, Any]:
    sarif: dict[str, Any] = {"ruleId": result.check.id, "ruleIndex": rule_index}
    if result.outcome is Outcome.FAIL:
        sarif |= {"kind": "fail", "level": LEVELS[result.severity]}
    else:
        # An `error` outcome means the check crashed: it reached no conclusion about the
        # code, so "fail" (a problem was found) would be false. SARIF's "open" is a rule
        # evaluated without enough information to decide, and any kind other than "fail"
        # must have level "none" (3.27.9, 3.27.10). The crash itself is reported as a tool
        # execution notification with level "error" on the invocation.
        sarif |= {"kind": "open", "level": "none"}
    sarif["message"] = {"text": result.message}
    if result.location is not None:
        sarif["locations"] = [{"physicalLocation": _physical(result.location)}]
    # Probe findings have no file; their evidence travels in the property bag.
    if result.evidence:
        sarif["properties"] = {
            "evidence": [{"title": e.title, "lines": list(e.lines)} for e in result.evidence]
        }
    return sarif


def _physical(location: Location) -> dict[str, Any]:
    path = location.path.replace("\\", "/")
    artifact: dict[str, Any]
    if path.startswith("/"):
        artifact = {"uri": PurePosixPath(path).as_uri()}
    else:
        artifact = {"uri": quote(path, safe="/*"), "uriBaseId": SRCROOT}
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if location.line is None:
        return physical  # a region needs at least a start line
    region: dict[str, Any] = {"startLine": location.line}
    if location.column is not None:
        region["startColumn"] = location.column
    if location.end_line is not None:
        region["endLine"] = location.end_line
    if location.end_column is not None:
        region["endColumn"] = location.end_column
    if location.snippet is not None:
        region["snippet"] = {"text": location.snippet}
    physical["region"] = region
    return physical
