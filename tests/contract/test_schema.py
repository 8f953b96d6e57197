"""`twelve schema`: a draft 2020-12 JSON Schema generated from the contract model."""

from __future__ import annotations

import tomllib
from pathlib import Path

from jsonschema import Draft202012Validator

from twelve.contract import json_schema

EXAMPLE = Path(__file__).parent / "design_example.toml"


def test_schema_is_valid_draft_2020_12() -> None:
    """The generated schema declares draft 2020-12 and is itself a valid schema."""
    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_design_example_validates_against_schema() -> None:
    """The DESIGN §1 example contract validates against the schema."""
    document = tomllib.loads(EXAMPLE.read_text())
    errors = list(Draft202012Validator(json_schema()).iter_errors(document))
    assert errors == []


def test_schema_rejects_unknown_keys_and_bad_durations() -> None:
    """Editors using the schema flag typos and malformed durations too."""
    document = {
        "service": {"name": "a", "nmae": "x"},
        "processes": {"web": {"command": "x", "drain_delay": "soon"}},
    }
    messages = sorted(e.message for e in Draft202012Validator(json_schema()).iter_errors(document))
    assert messages == [
        "'soon' is not valid under any of the given schemas",
        "Additional properties are not allowed ('nmae' was unexpected)",
    ]
