"""The JUnit format: one suite per factor, counts CI servers read, valid against Surefire's XSD.

`junit-10.xsd` beside this file is the Jenkins xunit-plugin JUnit schema (MIT, Gregory
Boissinot), copied unmodified from the PyPI source distribution of pytest 9.2.0
(`pip download --no-deps --no-binary :all: pytest==9.2.0`, file
`testing/example_scripts/junit-10.xsd`, sha256
a1a816f58d1bf95ebabf371994df0b9246dee66ea9572fbec4f9296f1b2c0ff6); pytest validates its own
JUnit output against it. No XSD validator (lxml, xmlschema) is a dependency here, so
`validate` below interprets the constructs this XSD uses: global elements referenced from
choices and sequences, attributes with `use="required"`, mixed content and the
`SUREFIRE_TIME` pattern.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from twelve.model import Report
from twelve.report import Format, render

XSD = Path(__file__).with_name("junit-10.xsd")
XS = "{http://www.w3.org/2001/XMLSchema}"


def validate(document: ET.Element) -> list[str]:
    """Problems with `document` under junit-10.xsd; empty when it is valid."""
    schema = ET.parse(XSD).getroot()
    patterns = {
        simple.get("name"): pattern.get("value", "")
        for simple in schema.iter(f"{XS}simpleType")
        for pattern in simple.iter(f"{XS}pattern")
    }
    declared = {element.get("name"): element for element in schema.findall(f"{XS}element")}
    types = {ctype.get("name"): ctype for ctype in schema.findall(f"{XS}complexType")}
    problems: list[str] = []

    def check(element: ET.Element, where: str) -> None:
        declaration = declared.get(element.tag)
        if declaration is None:
            problems.append(f"{where}: <{element.tag}> is not declared")
            return
        ctype = declaration.find(f"{XS}complexType")
        if ctype is None:
            ctype = types.get(declaration.get("type", ""))
        if ctype is None:  # a simple xs:string element: text only
            if len(element):
                problems.append(f"{where}: <{element.tag}> may not have children")
            return
        attributes = {a.get("name", ""): a for a in ctype.iter(f"{XS}attribute")}
        for name, attribute in attributes.items():
            value = element.get(name)
            if value is None:
                if attribute.get("use") == "required":
                    problems.append(f"{where}: <{element.tag}> lacks {name}")
                continue
            pattern = patterns.get(attribute.get("type"))
            if pattern is not None and not re.fullmatch(pattern, value):
                problems.append(f"{where}: {name}={value!r} does not match {pattern}")
        problems.extend(
            f"{where}: <{element.tag}> has undeclared attribute {name}"
            for name in element.attrib
            if name not in attributes
        )
        allowed = {ref.get("ref") for ref in ctype.iter(f"{XS}element")}
        if ctype.get("mixed") != "true" and (element.text or "").strip():
            problems.append(f"{where}: <{element.tag}> may not contain text")
        for position, child in enumerate(element):
            if child.tag not in allowed:
                problems.append(f"{where}: <{child.tag}> not allowed in <{element.tag}>")
            check(child, f"{where}/{child.tag}[{position}]")

    check(document, document.tag)
    return problems


def parse(report: Report) -> ET.Element:
    """The rendered document, parsed."""
    return ET.fromstring(render(report, Format.JUNIT))


def test_output_is_valid_under_the_junit_xsd(report: Report) -> None:
    """Elements, attributes, required attributes and time formats all follow junit-10.xsd."""
    assert validate(parse(report)) == []


def test_the_validator_rejects_what_the_xsd_forbids() -> None:
    """The interpreter is not a rubber stamp: it catches each kind of violation."""
    bad = ET.fromstring(
        '<testsuites skipped="1"><testsuite name="x" tests="1" failures="0" time="1.2345">'
        '<testcase name="t"><bogus/></testcase></testsuite></testsuites>'
    )
    assert validate(bad) == [
        "testsuites: <testsuites> has undeclared attribute skipped",
        "testsuites/testsuite[0]: <testsuite> lacks errors",
        "testsuites/testsuite[0]: time='1.2345' does not match "
        r"(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]{0,3})?",
        "testsuites/testsuite[0]/testcase[0]: <bogus> not allowed in <testcase>",
        "testsuites/testsuite[0]/testcase[0]/bogus[0]: <bogus> is not declared",
    ]


def test_one_suite_per_factor_with_correct_counts(report: Report) -> None:
    """Suites in factor order; tests/failures/errors/skipped/time per suite and overall."""
    root = parse(report)
    assert root.tag == "testsuites"
    assert root.attrib == {
        "name": "twelve",
        "tests": "9",
        "failures": "4",
        "errors": "1",
        "time": "16.042",
    }
    suites = [
        (s.get("name"), s.get("tests"), s.get("failures"), s.get("errors"), s.get("skipped"))
        for s in root
    ]
    assert suites == [
        ("I Codebase", "1", "0", "0", "0"),
        ("III Config", "2", "2", "0", "0"),
        ("IV Backing services", "1", "0", "1", "0"),
        ("V Build, release, run", "1", "0", "0", "1"),
        ("VII Port binding", "1", "0", "0", "1"),
        ("IX Disposability", "2", "1", "0", "0"),
        ("XI Logs", "1", "1", "0", "0"),
    ]
    assert [s.get("time") for s in root] == [
        "0.003",
        "0.016",
        "0.020",
        "0.001",
        "5.000",
        "11.000",
        "0.002",
    ]


def test_testcases_name_the_check_and_location(report: Report) -> None:
    """classname is twelve.<kind>.<factor>; name is `ID name[ location]`; time per case."""
    cases = [
        (case.get("classname"), case.get("name"), case.get("time"))
        for case in parse(report).iter("testcase")
    ]
    assert cases == [
        ("twelve.rule.codebase", "S0101 single-codebase", "0.003"),
        ("twelve.rule.config", "S0301 literal-dsn src/app/settings.py:12:7", "0.012"),
        ("twelve.rule.config", "S0302 literal-config-value config/prod,eu:1.env:3", "0.004"),
        ("twelve.probe.backing_services", "P0401 backing-service-timeout", "0.020"),
        ("twelve.rule.build_release_run", "S0501 pinned-base-image", "0.001"),
        ("twelve.probe.port_binding", "P0701 binds-declared-port", "5.000"),
        ("twelve.probe.disposability", "P0902 graceful-sigterm", "10.500"),
        ("twelve.probe.disposability", "P0903 fast-startup", "0.500"),
        ("twelve.rule.logs", "S1101 log-to-file src/app/logging.py", "0.002"),
    ]


def test_outcomes_map_to_failure_error_skipped_and_empty(report: Report) -> None:
    """FAIL → <failure>, ERROR → <error>, inconclusive and n/a → <skipped>, PASS → empty."""
    children = {
        case.get("name", "").split()[0]: [(c.tag, c.get("message"), c.get("type")) for c in case]
        for case in parse(report).iter("testcase")
    }
    assert children == {
        "S0101": [],
        "S0301": [("failure", "literal DSN `postgresql://app:********@db/app`", "error")],
        "S0302": [("failure", "`API_KEY` literal in 2 envs: 100% | prod,eu", "warning")],
        "P0401": [("error", "check crashed: KeyError at proxy.py:88", "check-error")],
        "S0501": [("skipped", "not applicable: no Dockerfile", None)],
        "P0701": [("skipped", "inconclusive: port 8080 never accepted a connection", None)],
        "P0902": [("failure", "still running 10.00 s after SIGTERM; killed", "error")],
        "P0903": [],
        "S1101": [("failure", "log written to a file: app.log", "info")],
    }


def test_failure_text_has_location_evidence_and_remediation(report: Report) -> None:
    """The failure body is plain text a CI page shows; control characters are spelled out."""
    cases = {case.get("name", "").split()[0]: case for case in parse(report).iter("testcase")}
    assert cases["S0301"][0].text == (
        "literal DSN `postgresql://app:********@db/app`\n"
        "at src/app/settings.py:12:7\n"
        '  | DSN = "postgresql://app:********@db/app"\n'
        "remediation: Fix literal-dsn."
    )
    assert cases["P0902"][0].text == (
        "still running 10.00 s after SIGTERM; killed\n"
        "Timeline:\n"
        "  0.000 s  started pid 4242\n"
        "  0.412 s  ready on 127.0.0.1:8080\n"
        "  0.500 s  SIGTERM sent\n"
        "  10.500 s  still running; SIGKILL sent\n"
        "stderr:\n"
        "  connecting to postgresql://app:********@127.0.0.1/app\n"
        "  form body: password=********&user=app\n"
        "  token=******** url-token=********\n"
        "  db password ******** (********)\n"
        "  \\x1b[31mERROR\\x1b[0m shutdown hook hung\n"
        "remediation: Fix graceful-sigterm."
    )


def test_document_starts_with_an_xml_declaration(report: Report) -> None:
    """CI servers read the encoding from the declaration."""
    assert render(report, Format.JUNIT).startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
