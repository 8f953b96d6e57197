"""Tests for twelve.lint.facts.toolchain: language version pins from every source."""

from __future__ import annotations

from pathlib import Path

import pytest

from twelve.lint.facts import devcontainer, dockerfile, toolchain, yamldocs
from twelve.lint.facts.files import walk
from twelve.lint.facts.parse import ParseProblem
from twelve.lint.facts.toolchain import ToolchainPin, Toolchains, image_pins, normalize

WORKFLOW = """\
on: push
jobs:
  test:
    strategy:
      matrix:
        python: ["3.11", "3.12"]
        include:
          - python: "3.13"
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: ${{ matrix.python }}
      - uses: actions/setup-node@v4
        with:
          node-version-file: .nvmrc
      - uses: actions/setup-go@v5
        with:
          go-version: "1.22.x"
      - uses: dtolnay/rust-toolchain@1.79
      - uses: actions-rs/toolchain@v1
        with:
          toolchain: nightly-2024-05-01
  lint:
    container: python:3.12-slim
    steps:
      - uses: actions/setup-python@v5
        with:
          python-version: |
            3.11
            3.12
      - uses: actions/setup-python@v5
        with:
          python-version: 3.10
"""

DOCKERFILE = """\
ARG PY=3.12
FROM python:${PY}-slim AS build
FROM node:20-alpine AS assets
FROM golang:1.22 AS go
FROM rust:1.79 AS rs
FROM ghcr.io/astral-sh/uv:python3.12-bookworm AS uv
FROM postgres:16 AS db
FROM python@sha256:abc AS digest
FROM build AS final
"""

REPO = {
    ".python-version": "3.12.4\n",
    "runtime.txt": "python-3.12.1\n",
    "pyproject.toml": (
        '[project]\nname = "svc"\nrequires-python = ">=3.11"\n\n'
        '[tool.poetry.dependencies]\npython = "^3.11"\n'
    ),
    ".tool-versions": (
        "# asdf\npython 3.12.4 3.11.9\nnodejs 20.11.0\ngolang 1.22.3\nrust 1.79.0\nruby 3.3.0\n"
    ),
    ".nvmrc": "lts/iron\n",
    ".node-version": "v20.11.0\n",
    "web/package.json": (
        '{\n  "engines": {"node": ">=18"},\n  "volta": {\n    "node": "20.11.0"\n  }\n}\n'
    ),
    "go.mod": "module example.com/svc\n\ngo 1.22\n\ntoolchain go1.22.3\n",
    "rust-toolchain": "stable\n",
    "crates/x/rust-toolchain.toml": '[toolchain]\nchannel = "1.79.0"\ncomponents = ["clippy"]\n',
    "Dockerfile": DOCKERFILE,
    ".github/workflows/ci.yml": WORKFLOW,
    ".gitlab-ci.yml": (
        "image: python:3.11\ndefault:\n  image: golang:1.21\ntest:\n  image:\n    name: node:18\n"
    ),
    ".devcontainer/devcontainer.json": (
        '{\n  "image": "mcr.microsoft.com/devcontainers/python:1-3.12-bookworm",\n'
        '  "features": {\n    "ghcr.io/devcontainers/features/python:1": {"version": "3.12"},\n'
        '    "ghcr.io/devcontainers/features/node:1": {}\n  }\n}\n'
    ),
}


def _collect(root: Path, files: dict[str, str]) -> Toolchains:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    tree = walk(root)
    docker = dockerfile.collect(root, tree)
    docs = yamldocs.collect(root, tree)
    return toolchain.collect(root, tree, docker, docs, devcontainer.collect(root, tree))


def test_pins_from_every_source_in_one_repository(tmp_path: Path) -> None:
    """Version files, manifests, images, CI and dev containers each give pins with exact lines."""
    facts = _collect(tmp_path, REPO)
    assert facts.problems == ()
    got = [
        (p.language, p.version, p.normalized, p.path, p.line, p.source, p.exact, p.defers_to)
        for p in facts.pins
    ]
    assert got == [
        ("node", "v20.11.0", "20", ".node-version", 1, ".node-version", True, None),
        ("node", "lts/iron", "20", ".nvmrc", 1, ".nvmrc", True, None),
        ("python", "3.12.4", "3.12", ".python-version", 1, ".python-version", True, None),
        ("python", "3.12.4", "3.12", ".tool-versions", 2, ".tool-versions", True, None),
        ("node", "20.11.0", "20", ".tool-versions", 3, ".tool-versions", True, None),
        ("go", "1.22.3", "1.22", ".tool-versions", 4, ".tool-versions", True, None),
        ("rust", "1.79.0", "1.79", ".tool-versions", 5, ".tool-versions", True, None),
        (
            "rust",
            "1.79.0",
            "1.79",
            "crates/x/rust-toolchain.toml",
            2,
            "rust-toolchain.toml",
            True,
            None,
        ),
        ("go", "1.22", "1.22", "go.mod", 3, "go.mod go", True, None),
        ("go", "go1.22.3", "1.22", "go.mod", 5, "go.mod toolchain", True, None),
        ("python", ">=3.11", "3.11", "pyproject.toml", 3, "requires-python", False, None),
        ("python", "^3.11", "3.11", "pyproject.toml", 6, "poetry", False, None),
        ("python", "python-3.12.1", "3.12", "runtime.txt", 1, "runtime.txt", True, None),
        ("rust", "stable", "stable", "rust-toolchain", 1, "rust-toolchain", False, None),
        ("node", ">=18", "18", "web/package.json", 2, "engines", False, None),
        ("node", "20.11.0", "20", "web/package.json", 4, "volta", True, None),
        ("python", "3.12-slim", "3.12", "Dockerfile", 2, "dockerfile", True, None),
        ("node", "20-alpine", "20", "Dockerfile", 3, "dockerfile", True, None),
        ("go", "1.22", "1.22", "Dockerfile", 4, "dockerfile", True, None),
        ("rust", "1.79", "1.79", "Dockerfile", 5, "dockerfile", True, None),
        ("python", "python3.12-bookworm", "3.12", "Dockerfile", 6, "dockerfile", True, None),
        ("python", "3.11", "3.11", ".github/workflows/ci.yml", 6, "github-workflow", True, None),
        ("python", "3.12", "3.12", ".github/workflows/ci.yml", 6, "github-workflow", True, None),
        ("python", "3.13", "3.13", ".github/workflows/ci.yml", 8, "github-workflow", True, None),
        ("node", ".nvmrc", "20", ".github/workflows/ci.yml", 16, "github-workflow", True, ".nvmrc"),
        ("go", "1.22.x", "1.22", ".github/workflows/ci.yml", 19, "github-workflow", False, None),
        ("rust", "1.79", "1.79", ".github/workflows/ci.yml", 20, "github-workflow", True, None),
        (
            "rust",
            "nightly-2024-05-01",
            "nightly-2024-05-01",
            ".github/workflows/ci.yml",
            23,
            "github-workflow",
            True,
            None,
        ),
        (
            "python",
            "3.12-slim",
            "3.12",
            ".github/workflows/ci.yml",
            25,
            "github-workflow",
            True,
            None,
        ),
        ("python", "3.11", "3.11", ".github/workflows/ci.yml", 30, "github-workflow", True, None),
        ("python", "3.12", "3.12", ".github/workflows/ci.yml", 31, "github-workflow", True, None),
        # Unquoted, YAML reads 3.10 as the float 3.1: the pin is what CI really gets.
        ("python", "3.1", "3.1", ".github/workflows/ci.yml", 34, "github-workflow", True, None),
        ("python", "3.11", "3.11", ".gitlab-ci.yml", 1, "gitlab-ci", True, None),
        ("go", "1.21", "1.21", ".gitlab-ci.yml", 3, "gitlab-ci", True, None),
        ("node", "18", "18", ".gitlab-ci.yml", 5, "gitlab-ci", True, None),
        (
            "python",
            "1-3.12-bookworm",
            "3.12",
            ".devcontainer/devcontainer.json",
            2,
            "devcontainer",
            True,
            None,
        ),
        (
            "python",
            "3.12",
            "3.12",
            ".devcontainer/devcontainer.json",
            4,
            "devcontainer feature",
            True,
            None,
        ),
        (
            "node",
            "latest",
            "latest",
            ".devcontainer/devcontainer.json",
            5,
            "devcontainer feature",
            False,
            None,
        ),
    ]
    assert [p.line for p in facts.of("go")] == [4, 3, 5, 4, 19, 3]


@pytest.mark.parametrize(
    ("language", "version", "expected"),
    [
        ("python", "3.12", ("3.12", True)),
        ("python", "==3.12.*", ("3.12", True)),
        ("python", "3", ("3", False)),
        ("python", "3.x", ("3", False)),
        ("python", "~=3.11", ("3.11", False)),
        ("python", "pypy3.10-7.3.12", ("3.10", True)),
        ("node", "^20.1", ("20", False)),
        ("node", "22.x", ("22", False)),
        ("node", "lts/*", ("lts/*", False)),
        ("node", "node", ("node", False)),
        ("go", "1.22.0", ("1.22", True)),
        ("rust", "nightly", ("nightly", False)),
        ("rust", "1.79.0", ("1.79", True)),
    ],
)
def test_normalize(language: str, version: str, expected: tuple[str, bool]) -> None:
    """Versions reduce to major.minor (major for Node); ranges and channels are not exact."""
    assert normalize(language, version) == expected


def test_image_pins_best_effort() -> None:
    """Official, mirrored and combined images give pins; unrelated or digest-only ones do not."""
    pins = image_pins("nikolaik/python-nodejs:python3.11-nodejs20", "x", 1, "dockerfile")
    assert [(p.language, p.normalized, p.version) for p in pins] == [
        ("python", "3.11", "python3.11-nodejs20"),
        ("node", "20", "python3.11-nodejs20"),
    ]
    assert image_pins("docker.io/library/node", "x", 1, "s") == [
        ToolchainPin("node", "latest", "latest", "x", 1, "s", False)
    ]
    assert image_pins("postgres:16", "x", 1, "s") == []
    assert image_pins("django3:2.0", "x", 1, "s") == []
    assert image_pins("python@sha256:abc", "x", 1, "s") == []


def test_version_file_deferral_without_a_pin_and_bad_toolchain_toml(tmp_path: Path) -> None:
    """A `*-version-file` naming a file with no pin defers with an empty version; a broken
    rust-toolchain.toml is a problem at its line while a broken pyproject is left to manifests."""
    facts = _collect(
        tmp_path,
        {
            ".github/workflows/ci.yml": (
                "on: push\njobs:\n  t:\n    steps:\n      - uses: actions/setup-python@v5\n"
                "        with:\n          python-version-file: ./pyproject.toml\n"
            ),
            "pyproject.toml": "[project\n",
            "rust-toolchain.toml": "[toolchain]\nchannel = \n",
        },
    )
    assert facts.pins == (
        ToolchainPin(
            "python", "./pyproject.toml", "", ".github/workflows/ci.yml", 7,
            "github-workflow", False, "pyproject.toml",
        ),
    )  # fmt: skip
    (problem,) = facts.problems
    assert (problem.path, problem.line) == ("rust-toolchain.toml", 2)
    assert problem.message.startswith("invalid TOML: ")
    assert isinstance(problem, ParseProblem)
