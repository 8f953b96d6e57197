"""Language version pins, from every place a repository can state one.

Version files, manifests and `rust-toolchain*` are read here; Dockerfiles, CI workflows and
dev containers come in as facts. `normalized` is major.minor (major for Node) so pins from
different sources compare; `exact` says the text fixes that much and no range moves it
(`3.12`, `==3.12.*`, `20`, `1.79.0`, but not `>=3.11`, `3`, `^20`, `lts/*`, `stable`).
Text without a version number is kept lowercased as `normalized` (`stable`, `latest`).
A `*-version-file` input in a workflow becomes a pin with `defers_to` set, taking its
normalized version from that file's pin (empty when the file pins nothing).
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from twelve.contract.locate import KeyLines
from twelve.lint.facts.devcontainer import Devcontainer, Devcontainers, json_lines
from twelve.lint.facts.dockerfile import Dockerfiles, split_image
from twelve.lint.facts.files import FileTree
from twelve.lint.facts.parse import KeyPath, ParseProblem, dig, read_text
from twelve.lint.facts.yamldocs import YamlDoc, YamlDocs

_FILES = frozenset(
    {".python-version", "runtime.txt", ".tool-versions", ".nvmrc", ".node-version", "go.mod",
     "rust-toolchain", "rust-toolchain.toml", "pyproject.toml", "package.json"}
)  # fmt: skip
_LANGUAGES = {
    "python": "python", "pypy": "python", "node": "node", "nodejs": "node", "golang": "go",
    "go": "go", "rust": "rust",
}  # fmt: skip
_NODE_CODENAMES = {
    "argon": "4", "boron": "6", "carbon": "8", "dubnium": "10", "erbium": "12", "fermium": "14",
    "gallium": "16", "hydrogen": "18", "iron": "20", "jod": "22", "krypton": "24",
}  # fmt: skip
_SETUP_ACTIONS = {
    "actions/setup-python": ("python", "python-version"), "actions/setup-go": ("go", "go-version"),
    "actions/setup-node": ("node", "node-version"), "actions-rs/toolchain": ("rust", "toolchain"),
    "dtolnay/rust-toolchain": ("rust", "toolchain"),
}  # fmt: skip
_NUMBER = re.compile(r"(\d+)(?:\.(\d+))?")
_RANGE = re.compile(r"[<>^~*,|]|!=|(?:^|\.)x(?:\.|$)")
_RUST_CHANNEL = re.compile(r"^(stable|beta|nightly)(-\d{4}-\d{2}-\d{2})?")
_IN_TAG = re.compile(r"(?<![a-z])(python|pypy|nodejs|node|golang|go|rust)-?(\d+(?:\.\d+)*)")
_MATRIX = re.compile(r"^\$\{\{\s*matrix\.([\w-]+)\s*\}\}$")


@dataclass(frozen=True, slots=True)
class ToolchainPin:
    """One statement of a language version: `version` as written, where, and from what source."""

    language: str
    version: str
    normalized: str
    path: str
    line: int
    source: str
    exact: bool
    defers_to: str | None = None


@dataclass(frozen=True, slots=True)
class Toolchains:
    """Every toolchain pin of the repository, and what could not be parsed."""

    pins: tuple[ToolchainPin, ...] = ()
    problems: tuple[ParseProblem, ...] = ()

    def of(self, language: str) -> list[ToolchainPin]:
        """The pins of one language ("python", "node", "go", "rust")."""
        return [pin for pin in self.pins if pin.language == language]


def normalize(language: str, version: str) -> tuple[str, bool]:
    """A version as (major.minor, or major for Node; exact).

    Args:
        language: "python", "node", "go" or "rust".
        version: the text as written (`>=3.11`, `v20.11.0`, `go1.22.3`, `lts/iron`, `stable`).
    """
    text = re.sub(r"^(?:==\s*|v|go(?=\d)|python-?|pypy)", "", version.strip().lower())
    text = text.removesuffix(".*")
    text = _NODE_CODENAMES.get(text.removeprefix("lts/"), text) if language == "node" else text
    if language == "rust" and (channel := _RUST_CHANNEL.match(text)):
        return channel.group(), channel[2] is not None
    number = _NUMBER.search(text)
    if number is None:
        return text, False
    fixed = _RANGE.search(text) is None
    if language == "node":
        return number[1], fixed
    if number[2] is None:
        return number[1], False
    return f"{number[1]}.{number[2]}", fixed


def _pin(language: str, version: object, path: str, line: int, source: str) -> ToolchainPin:
    written = str(version).strip()
    normalized, exact = normalize(language, written)
    return ToolchainPin(language, written, normalized, path, line, source, exact)


def image_pins(image: str, path: str, line: int, source: str) -> list[ToolchainPin]:
    """Pins implied by a container image: `python:3.12-slim`, `node:20`, `uv:python3.12-...`.

    Args:
        image: the image reference, ARGs already substituted.
        path: where it is written.
        line: its line.
        source: what wrote it ("dockerfile", "gitlab-ci", ...).
    """
    name, tag, digest = split_image(image.strip())
    last = name.rsplit("/", 1)[-1].lower()
    if tag is None and digest is not None:
        return []  # pinned by digest alone: the version cannot be read off the reference
    tag = tag or "latest"
    if last in _LANGUAGES:
        # Microsoft's dev container images put their own version first: `1-3.12-bookworm`.
        version = re.sub(r"^\d+-", "", tag) if "devcontainers/" in name else tag
        return [replace(_pin(_LANGUAGES[last], version, path, line, source), version=tag)]
    found = _IN_TAG.finditer(tag.lower())
    return [replace(_pin(_LANGUAGES[m[1]], m[2], path, line, source), version=tag) for m in found]


def _version_file(path: str, name: str, text: str) -> Iterator[ToolchainPin]:
    lines = [(n, line.split("#", 1)[0].strip()) for n, line in enumerate(text.splitlines(), 1)]
    lines = [(n, line) for n, line in lines if line]
    if name == ".python-version":  # pyenv: one version per line, the first one wins
        yield from (_pin("python", v, path, n, name) for n, v in lines if v != "system")
    elif name == "runtime.txt":
        yield from (_pin("python", v, path, n, name) for n, v in lines[:1] if "python" in v)
    elif name in (".nvmrc", ".node-version"):
        yield from (_pin("node", v, path, n, name) for n, v in lines[:1])
    elif name == "rust-toolchain" and lines and not lines[0][1].startswith("["):
        yield _pin("rust", lines[0][1], path, lines[0][0], name)
    elif name == ".tool-versions":  # asdf and mise: `tool version [fallback ...]`
        for n, line in lines:
            tool, *versions = line.split()
            if tool in _LANGUAGES and versions:
                yield _pin(_LANGUAGES[tool], versions[0], path, n, name)
    elif name == "go.mod":
        for n, line in lines:
            if directive := re.match(r"^(go|toolchain)\s+(\S+)$", line.split("//")[0].strip()):
                yield _pin("go", directive[2], path, n, f"go.mod {directive[1]}")


def _structured(path: str, name: str, text: str) -> Iterator[ToolchainPin]:
    """Pins inside TOML and JSON files (raises their decode errors)."""
    if name == "package.json":
        data, lines = json.loads(text), json_lines(text)
        for section in ("engines", "volta"):
            value = dig(data, (section, "node"))
            if isinstance(value, str):
                yield _pin("node", value, path, lines.get((section, "node"), 1), section)
        return
    data, keys = tomllib.loads(text), KeyLines(text)
    wanted: list[tuple[str, KeyPath, str]] = [
        ("rust", ("toolchain", "channel"), name),
        ("python", ("project", "requires-python"), "requires-python"),
        ("python", ("tool", "poetry", "dependencies", "python"), "poetry"),
    ]
    for language, at, source in wanted:
        value = dig(data, at)
        if isinstance(value, str) and (language == "rust") == name.startswith("rust-toolchain"):
            yield _pin(language, value, path, keys.line_of(at) or 1, source)


def _workflow(doc: YamlDoc, files: list[ToolchainPin]) -> Iterator[ToolchainPin]:
    jobs = doc.data.get("jobs") if isinstance(doc.data, dict) else None
    for job_id, job in jobs.items() if isinstance(jobs, dict) else ():
        if not isinstance(job, dict):
            continue
        image = dig(job, ("container", "image")) or job.get("container")
        if isinstance(image, str):
            line = doc.line_of(("jobs", job_id, "container"))
            yield from image_pins(image, doc.path, line, "github-workflow")
        steps = job.get("steps")
        for index, step in enumerate(steps if isinstance(steps, list) else []):
            uses = step.get("uses") if isinstance(step, dict) else None
            action, _, ref = str(uses or "").partition("@")
            if action not in _SETUP_ACTIONS:
                continue
            language, key = _SETUP_ACTIONS[action]
            loc: KeyPath = ("jobs", job_id, "steps", index, "with")
            given = step.get("with") if isinstance(step.get("with"), dict) else {}
            value = given.get(key)
            if value is None and action == "dtolnay/rust-toolchain" and ref not in ("master", ""):
                value, loc, key = ref, loc[:-1], "uses"  # the ref names the toolchain: `@1.79`
            for version, line in _literals(doc, job, ("jobs", job_id), value, (*loc, key)):
                yield _pin(language, version, doc.path, line, "github-workflow")
            if isinstance(file := given.get(f"{key}-file"), str):
                at = (doc.path, doc.line_of((*loc, f"{key}-file")))
                yield _deferred(language, file, at, files)


def _literals(
    doc: YamlDoc, job: dict[str, Any], job_loc: KeyPath, value: Any, loc: KeyPath
) -> Iterator[tuple[Any, int]]:
    """The versions a `with:` value stands for: literals, block lines, matrix values."""
    if isinstance(value, list):
        yield from ((v, doc.line_of((*loc, i))) for i, v in enumerate(value))
    elif isinstance(value, str) and (matrix_key := _MATRIX.match(value.strip())):
        matrix = dig(job, ("strategy", "matrix"))
        values = dig(matrix, (matrix_key[1],))
        at = (*job_loc, "strategy", "matrix")
        for i, v in enumerate(values if isinstance(values, list) else []):
            yield v, doc.line_of((*at, matrix_key[1], i))
        include = dig(matrix, ("include",))
        for i, entry in enumerate(include if isinstance(include, list) else []):
            if isinstance(entry, dict) and matrix_key[1] in entry:
                yield entry[matrix_key[1]], doc.line_of((*at, "include", i, matrix_key[1]))
    elif isinstance(value, str) and "\n" in value.strip():  # a `|` block, one version a line
        lines = value.strip().splitlines()
        yield from ((v, doc.line_of(loc) + 1 + i) for i, v in enumerate(lines) if v.strip())
    elif value is not None and "${{" not in str(value):
        yield value, doc.line_of(loc)


def _deferred(lang: str, file: str, at: tuple[str, int], known: list[ToolchainPin]) -> ToolchainPin:
    target = file.strip().removeprefix("./")
    followed = next((p for p in known if p.path == target and p.language == lang), None)
    normalized, exact = (followed.normalized, followed.exact) if followed else ("", False)
    return ToolchainPin(lang, file, normalized, *at, "github-workflow", exact, target)


def _gitlab(doc: YamlDoc) -> Iterator[ToolchainPin]:
    data = doc.data if isinstance(doc.data, dict) else {}
    images: list[tuple[KeyPath, Any]] = [(("image",), data.get("image"))]
    images += [((k, "image"), v.get("image")) for k, v in data.items() if isinstance(v, dict)]
    for loc, image in images:
        name = image.get("name") if isinstance(image, dict) else image
        if isinstance(name, str):
            yield from image_pins(name, doc.path, doc.line_of(loc), "gitlab-ci")


def _devcontainer(dc: Devcontainer) -> Iterator[ToolchainPin]:
    if dc.image:
        yield from image_pins(dc.image, dc.path, dc.line_of(("image",)), "devcontainer")
    for feature, options in dc.features.items():
        language = _LANGUAGES.get(feature.rsplit("/", 1)[-1].split(":")[0])
        version = options.get("version", "latest") if isinstance(options, dict) else options
        if language and isinstance(version, str | int | float):
            line = dc.line_of(("features", feature, "version"))
            yield _pin(language, version, dc.path, line, "devcontainer feature")


def _files(root: Path, tree: FileTree, problems: list[ParseProblem]) -> Iterator[ToolchainPin]:
    for source in (f for f in tree.files if f.name in _FILES):
        text = read_text(root, source.path)
        if isinstance(text, ParseProblem):
            problems.append(text)
            continue
        yield from _version_file(source.path, source.name, text)
        toml_toolchain = source.name == "rust-toolchain" and text.lstrip().startswith("[")
        if source.name.endswith((".toml", ".json")) or toml_toolchain:
            try:
                yield from _structured(source.path, source.name, text)
            except (ValueError, RecursionError) as exc:  # decode errors, absurd nesting
                if source.name.startswith("rust-toolchain"):  # manifests report the others
                    at = re.search(r"at line (\d+)", str(exc))
                    line = int(at[1]) if at else None
                    problems.append(ParseProblem(source.path, line, f"invalid TOML: {exc}"))


def collect(
    root: Path,
    tree: FileTree,
    dockerfiles: Dockerfiles,
    yamldocs: YamlDocs,
    devcontainers: Devcontainers,
) -> Toolchains:
    """Every language version pin of the repository.

    Args:
        root: the repository root.
        tree: the file tree of the run.
        dockerfiles: the parsed Dockerfiles (base images).
        yamldocs: the parsed YAML (GitHub and GitLab CI).
        devcontainers: the parsed dev containers (image and features).
    """
    problems: list[ParseProblem] = []
    pins = list(_files(root, tree, problems))
    files = list(pins)
    for dockerfile in dockerfiles.dockerfiles:
        for stage in (s for s in dockerfile.stages if s.external):
            tag = f":{stage.tag}" if stage.tag else ""
            image = f"{stage.base_image}{tag}{'@' + stage.digest if stage.digest else ''}"
            pins += image_pins(image, dockerfile.path, stage.line, "dockerfile")
    for doc in yamldocs.workflows:
        pins += _workflow(doc, files)
    for doc in yamldocs.of_kind("gitlab-ci"):
        pins += _gitlab(doc)
    for dc in devcontainers.devcontainers:
        pins += _devcontainer(dc)
    return Toolchains(tuple(pins), tuple(problems))
