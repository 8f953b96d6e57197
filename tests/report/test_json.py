"""The JSON format: a stable, documented shape that validates against its own schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from twelve.model import Report
from twelve.report import Format, render
from twelve.report.json import SCHEMA

DOC = Path(__file__).parents[2] / "docs" / "report-json.md"


def schema() -> dict[str, Any]:
    """The shipped schema, loaded the way a consumer would."""
    loaded: dict[str, Any] = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return loaded


def test_output_validates_against_the_shipped_schema(report: Report) -> None:
    """The schema is valid draft 2020-12 and the output satisfies it."""
    validator = jsonschema.Draft202012Validator
    validator.check_schema(schema())
    validator(schema()).validate(json.loads(render(report, Format.JSON)))


def test_top_level_shape(report: Report) -> None:
    """Version, tool, target, a count for every outcome, notes and every result in order."""
    document = json.loads(render(report, Format.JSON))
    assert document["version"] == 1
    assert document["tool"] == {"name": "twelve", "version": "0.1.0"}
    assert document["target"] == "/work/svc"
    assert document["summary"] == {
        "pass": 2,
        "fail": 4,
        "not_applicable": 1,
        "inconclusive": 1,
        "error": 1,
    }
    assert document["notes"] == [
        "probe env: DATABASE_URL=postgresql://app:********@127.0.0.1/app",
        "no Kubernetes manifests: S0902 and S0903 skipped",
    ]
    assert [(r["id"], r["outcome"]) for r in document["results"]] == [
        ("S0101", "pass"),
        ("S0301", "fail"),
        ("S0302", "fail"),
        ("S0501", "not_applicable"),
        ("P0902", "fail"),
        ("P0401", "error"),
        ("P0701", "inconclusive"),
        ("S1101", "fail"),
        ("P0903", "pass"),
    ]


def test_rule_result_with_a_full_location(report: Report) -> None:
    """A rule failure carries every location field and an empty evidence list."""
    result = json.loads(render(report, Format.JSON))["results"][1]
    assert result == {
        "id": "S0301",
        "name": "literal-dsn",
        "kind": "rule",
        "factor": 3,
        "factor_name": "Config",
        "severity": "error",
        "lifecycle": "stable",
        "outcome": "fail",
        "message": "literal DSN `postgresql://app:********@db/app`",
        "location": {
            "path": "src/app/settings.py",
            "line": 12,
            "column": 7,
            "end_line": 12,
            "end_column": 58,
            "snippet": 'DSN = "postgresql://app:********@db/app"',
        },
        "evidence": [],
        "remediation": "Fix literal-dsn.",
        "duration": 0.012,
    }


def test_probe_result_with_evidence_and_no_location(report: Report) -> None:
    """A probe failure has `location: null` and its evidence blocks verbatim, masked."""
    result = json.loads(render(report, Format.JSON))["results"][4]
    assert result["location"] is None
    assert result["kind"] == "probe"
    assert result["evidence"][0] == {
        "title": "Timeline",
        "lines": [
            "0.000 s  started pid 4242",
            "0.412 s  ready on 127.0.0.1:8080",
            "0.500 s  SIGTERM sent",
            "10.500 s  still running; SIGKILL sent",
        ],
    }
    assert result["evidence"][1]["lines"][-1] == "\x1b[31mERROR\x1b[0m shutdown hook hung"


def test_keys_are_sorted_and_indented_by_two(report: Report) -> None:
    """The text is byte-stable: sorted keys, two-space indent, a final newline."""
    output = render(report, Format.JSON)
    canonical = json.dumps(json.loads(output), indent=2, sort_keys=True, ensure_ascii=False)
    assert output == canonical + "\n"


@pytest.mark.parametrize(
    ("path", "value"),
    [(("results", 0, "outcome"), "skipped"), (("summary", "pass"), -1), (("version",), 2)],
)
def test_schema_rejects_what_the_format_never_emits(
    report: Report, path: tuple[str | int, ...], value: object
) -> None:
    """The schema is strict enough to catch a changed shape."""
    document = json.loads(render(report, Format.JSON))
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema()).validate(document)


def test_every_schema_field_is_documented() -> None:
    """docs/report-json.md names every property the schema defines."""
    text = DOC.read_text(encoding="utf-8")
    found = schema()
    names = set(found["properties"])
    for definition in found["$defs"].values():
        names |= set(definition.get("properties", {}))
    assert sorted(name for name in names if f"`{name}`" not in text) == []


def test_the_documented_example_validates() -> None:
    """The example in docs/report-json.md is a valid report."""
    text = DOC.read_text(encoding="utf-8")
    example = text.split("```json\n", 1)[1].split("\n```", 1)[0]
    jsonschema.Draft202012Validator(schema()).validate(json.loads(example))
