"""Tests for twelve.lint.facts.devcontainer: JSONC, key lines, and referenced files."""

from __future__ import annotations

import json
from pathlib import Path

from twelve.lint.facts import devcontainer
from twelve.lint.facts.devcontainer import json_lines, strip_jsonc
from twelve.lint.facts.files import walk
from twelve.lint.facts.parse import ParseProblem

JSONC = """\
// Dev container for the API
{
  "name": "api", /* inline */
  "build": {
    "dockerfile": "../docker/dev.Dockerfile",
    "context": "..",
  },
  "features": {
    "ghcr.io/devcontainers/features/python:1": {
      "version": "3.12" // matches CI
    },
    "ghcr.io/devcontainers/features/node:1": {},
  },
  "forwardPorts": [8000, "url://not//a/comment"],
  "dockerComposeFile": ["compose.yaml", "compose.dev.yaml"],
}
"""


def test_strip_jsonc_keeps_strings_and_line_numbers() -> None:
    """Comments and trailing commas go; `//` inside strings stays; newlines are kept."""
    clean = strip_jsonc(JSONC)
    assert clean.count("\n") == JSONC.count("\n")
    data = json.loads(clean)
    assert data["forwardPorts"] == [8000, "url://not//a/comment"]
    assert data["build"] == {"dockerfile": "../docker/dev.Dockerfile", "context": ".."}


def test_json_lines_index_keys_and_items() -> None:
    """Every key and array item has its 1-based line."""
    lines = json_lines('{\n "a": {\n  "b": [\n   1,\n   {"c": 2}\n  ]\n },\n "d": null\n}')
    assert lines == {
        (): 1,
        ("a",): 2,
        ("a", "b"): 3,
        ("a", "b", 0): 4,
        ("a", "b", 1): 5,
        ("a", "b", 1, "c"): 5,
        ("d",): 8,
    }


def test_collect_resolves_files_and_lines(tmp_path: Path) -> None:
    """The Dockerfile and compose file are repository paths; features keep their options."""
    (tmp_path / ".devcontainer").mkdir()
    (tmp_path / ".devcontainer" / "devcontainer.json").write_text(JSONC)
    found = devcontainer.collect(tmp_path, walk(tmp_path))
    assert found.problems == ()
    (dc,) = found.devcontainers
    assert (dc.path, dc.image, dc.dockerfile, dc.compose_file) == (
        ".devcontainer/devcontainer.json",
        None,
        "docker/dev.Dockerfile",
        ".devcontainer/compose.yaml",
    )
    assert dc.features == {
        "ghcr.io/devcontainers/features/python:1": {"version": "3.12"},
        "ghcr.io/devcontainers/features/node:1": {},
    }
    assert dc.line_of(("features", "ghcr.io/devcontainers/features/python:1", "version")) == 10
    assert dc.line_of(("features", "ghcr.io/devcontainers/features/node:1", "version")) == 12
    assert dc.line_of(("build", "dockerfile")) == 5
    assert dc.line_of(("nope",)) == 2


def test_every_known_location_and_bad_json(tmp_path: Path) -> None:
    """Root `.devcontainer.json` and `.devcontainer/<name>/devcontainer.json` count; bad JSON is
    a problem at its line."""
    (tmp_path / ".devcontainer" / "gpu").mkdir(parents=True)
    (tmp_path / ".devcontainer.json").write_text(
        '{"image": "mcr.microsoft.com/devcontainers/python:1-3.12"}'
    )
    (tmp_path / ".devcontainer" / "gpu" / "devcontainer.json").write_text('{\n  "image": \n}\n')
    (tmp_path / "devcontainer.json").write_text("{}")
    found = devcontainer.collect(tmp_path, walk(tmp_path))
    assert [(d.path, d.image) for d in found.devcontainers] == [
        (".devcontainer.json", "mcr.microsoft.com/devcontainers/python:1-3.12")
    ]
    assert found.problems == (
        ParseProblem(".devcontainer/gpu/devcontainer.json", 3, "invalid JSON: Expecting value"),
    )


def test_a_json_array_is_not_a_devcontainer() -> None:
    """The top level must be an object."""
    assert devcontainer.parse("[1]", "x/devcontainer.json") == ParseProblem(
        "x/devcontainer.json", 1, "expected a JSON object"
    )
