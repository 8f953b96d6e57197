"""Dev containers (`devcontainer.json`), and the JSON(C) reading with lines they need.

`devcontainer.json` is JSONC: comments and trailing commas are allowed. Both are blanked out
character for character, so line numbers in the cleaned text are the file's own.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twelve.lint.facts.files import FileTree
from twelve.lint.facts.parse import KeyPath, ParseProblem, nearest_line, read_text

_STRING = r'"(?:[^"\\\n]|\\.)*"'
_COMMENT = re.compile(_STRING + r"|//[^\n]*|/\*.*?(?:\*/|\Z)", re.S)
_TRAILING_COMMA = re.compile(_STRING + r"|,(?=\s*[}\]])")
_TOKEN = re.compile(_STRING + r'|[{}\[\]:,]|[^\s{}\[\]:,"]+', re.S)
_NESTED = re.compile(r"^\.devcontainer/[^/]+/devcontainer\.json$")


def strip_jsonc(text: str) -> str:
    """JSONC as plain JSON: comments and trailing commas become spaces, newlines are kept.

    Args:
        text: JSON with comments.
    """

    def blank(match: re.Match[str]) -> str:
        token = match.group()
        return token if token.startswith('"') else re.sub(r"[^\n]", " ", token)

    return _TRAILING_COMMA.sub(blank, _COMMENT.sub(blank, text))


@dataclass(slots=True)
class _Frame:
    path: KeyPath
    is_object: bool
    key: str = ""
    index: int = 0
    expect_key: bool = True


def json_lines(text: str) -> dict[KeyPath, int]:
    """The 1-based line of every object key and array item in JSON text (tolerant of errors).

    Args:
        text: JSON text (strip JSONC comments first, or positions of keys in them are found).
    """
    lines: dict[KeyPath, int] = {}
    stack: list[_Frame] = []
    line, last = 1, 0
    for match in _TOKEN.finditer(text):
        line += text.count("\n", last, match.start())
        last = match.start()
        token = match.group()
        top = stack[-1] if stack else None
        if token in ("}", "]"):
            if stack:
                stack.pop()
        elif token == ":":
            if top is not None:
                top.expect_key = False
        elif token == ",":
            if top is not None and top.is_object:
                top.expect_key = True
            elif top is not None:
                top.index += 1
        elif top is not None and top.is_object and top.expect_key:
            top.key = _decode_key(token)
            lines.setdefault((*top.path, top.key), line)
        else:
            path: KeyPath = ()
            if top is not None:
                path = (*top.path, top.key if top.is_object else top.index)
            lines.setdefault(path, line)
            if token in ("{", "["):
                stack.append(_Frame(path, token == "{"))
    return lines


def _decode_key(token: str) -> str:
    try:
        key = json.loads(token)
    except ValueError:
        return token.strip('"')
    return key if isinstance(key, str) else token


@dataclass(frozen=True, slots=True)
class Devcontainer:
    """One dev container definition; `dockerfile` and `compose_file` are repository paths."""

    path: str
    data: dict[str, Any]
    image: str | None
    dockerfile: str | None
    compose_file: str | None
    features: dict[str, Any]
    lines: Mapping[KeyPath, int] = field(default_factory=dict, repr=False, compare=False)

    def line_of(self, key_path: Sequence[str | int]) -> int:
        """The line of a key path, else of its nearest ancestor, else 1.

        Args:
            key_path: keys and list indexes from the top, e.g. `("features", name, "version")`.
        """
        return nearest_line(self.lines, key_path, 1)


@dataclass(frozen=True, slots=True)
class Devcontainers:
    """Every dev container definition of the repository, and what could not be parsed."""

    devcontainers: tuple[Devcontainer, ...] = ()
    problems: tuple[ParseProblem, ...] = ()


def is_devcontainer(path: str) -> bool:
    """Where VS Code and the devcontainer CLI look for definitions.

    Args:
        path: POSIX path relative to the root.
    """
    known = (".devcontainer.json", ".devcontainer/devcontainer.json")
    return path in known or _NESTED.match(path) is not None


def parse(text: str, path: str) -> Devcontainer | ParseProblem:
    """Parse one devcontainer.json.

    Args:
        text: the file's JSONC content.
        path: its repository path, against which referenced files are resolved.
    """
    clean = strip_jsonc(text)
    try:
        data = json.loads(clean)
    except json.JSONDecodeError as exc:
        return ParseProblem(path, exc.lineno, f"invalid JSON: {exc.msg}")
    except RecursionError:
        return ParseProblem(path, None, "invalid JSON: nested too deeply")
    if not isinstance(data, dict):
        return ParseProblem(path, 1, "expected a JSON object")
    build = data.get("build")
    dockerfile = build.get("dockerfile") if isinstance(build, dict) else None
    dockerfile = dockerfile or data.get("dockerFile")  # the pre-2022 spelling
    compose = data.get("dockerComposeFile")
    if isinstance(compose, list):
        compose = compose[0] if compose else None
    features = data.get("features")
    image = data.get("image")
    return Devcontainer(
        path,
        data,
        image if isinstance(image, str) else None,
        _relative(path, dockerfile),
        _relative(path, compose),
        features if isinstance(features, dict) else {},
        json_lines(clean),
    )


def _relative(path: str, reference: object) -> str | None:
    """A path written in the file (relative to it) as a repository path."""
    if not isinstance(reference, str) or not reference:
        return None
    return posixpath.normpath(posixpath.join(posixpath.dirname(path), reference))


def collect(root: Path, tree: FileTree) -> Devcontainers:
    """Read every dev container definition.

    Args:
        root: the repository root.
        tree: the file tree of the run.
    """
    found: list[Devcontainer] = []
    problems: list[ParseProblem] = []
    for source in tree.files:
        if not is_devcontainer(source.path):
            continue
        text = read_text(root, source.path)
        parsed = parse(text, source.path) if isinstance(text, str) else text
        if isinstance(parsed, ParseProblem):
            problems.append(parsed)
        else:
            found.append(parsed)
    return Devcontainers(tuple(found), tuple(problems))
