"""The report as JUnit XML, the test report every CI server reads: one suite per factor."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from twelve.model import Outcome, Report, Result
from twelve.report.layout import by_factor, factor_heading, lines_of, printable

_SKIPPED = (Outcome.INCONCLUSIVE, Outcome.NOT_APPLICABLE)


def render(report: Report) -> str:
    """The report as a `<testsuites>` document, one `<testsuite>` per factor.

    Args:
        report: the run, already masked.
    """
    root = ET.Element("testsuites", name="twelve")
    for factor, results in by_factor(report.results):
        suite = ET.SubElement(root, "testsuite", name=factor_heading(factor))
        _counts(suite, results, skipped=True)
        for result in results:
            suite.append(_testcase(result))
    _counts(root, list(report.results), skipped=False)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def _counts(element: ET.Element, results: list[Result], *, skipped: bool) -> None:
    """Set tests/failures/errors(/skipped)/time; JUnit's `<testsuites>` has no `skipped`."""
    outcomes = [result.outcome for result in results]
    element.set("tests", str(len(results)))
    element.set("failures", str(outcomes.count(Outcome.FAIL)))
    element.set("errors", str(outcomes.count(Outcome.ERROR)))
    if skipped:
        element.set("skipped", str(sum(outcome in _SKIPPED for outcome in outcomes)))
    element.set("time", _seconds(sum(result.duration or 0.0 for result in results)))


def _testcase(result: Result) -> ET.Element:
    check = result.check
    name = f"{check.id} {check.name}"
    if result.location is not None:
        name += f" {result.location}"
    case = ET.Element(
        "testcase",
        classname=f"twelve.{check.kind.value}.{check.factor.name.lower()}",
        name=_xml_text(name),
    )
    if result.duration is not None:
        case.set("time", _seconds(result.duration))
    message = _xml_text(result.message)
    match result.outcome:
        case Outcome.FAIL:
            failure = ET.SubElement(case, "failure", message=message, type=check.severity.value)
            failure.text = _body(result)
        case Outcome.ERROR:
            error = ET.SubElement(case, "error", message=message, type="check-error")
            error.text = _body(result)
        case Outcome.INCONCLUSIVE:
            ET.SubElement(case, "skipped", message=f"inconclusive: {message}")
        case Outcome.NOT_APPLICABLE:
            ET.SubElement(case, "skipped", message=f"not applicable: {message}")
        case Outcome.PASS:
            pass
    return case


def _body(result: Result) -> str:
    """The message, where, what was seen and what to do, as plain text."""
    lines = [result.message]
    location = result.location
    if location is not None:
        lines.append(f"at {location}")
        if location.snippet is not None:
            lines.extend(f"  | {code}" for code in lines_of(location.snippet))
    for evidence in result.evidence:
        lines.append(f"{evidence.title}:")
        lines.extend(f"  {line}" for line in evidence.lines)
    if result.outcome is Outcome.FAIL:
        lines.append(f"remediation: {result.check.remediation}")
    return _xml_text("\n".join(lines))


def _xml_text(text: str) -> str:
    # XML 1.0 cannot carry most control characters at all, escaped or not.
    return printable(text)


def _seconds(seconds: float) -> str:
    # Surefire's schema allows at most three decimals.
    return f"{seconds:.3f}"
