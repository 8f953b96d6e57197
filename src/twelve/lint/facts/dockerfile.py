"""Dockerfiles and Containerfiles: instructions with their lines, and the build stages."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

# dockerfile-parse ships neither type hints nor a py.typed marker.
from dockerfile_parse import DockerfileParser  # type: ignore[import-untyped]
from dockerfile_parse.util import WordSplitter, extract_key_values  # type: ignore[import-untyped]

from twelve.lint.facts.files import FileTree
from twelve.lint.facts.parse import ParseProblem, read_text

_KNOWN = re.compile(
    r"^(?:FROM|RUN|CMD|LABEL|MAINTAINER|EXPOSE|ENV|ADD|COPY|ENTRYPOINT|VOLUME|USER|WORKDIR|ARG"
    r"|ONBUILD|STOPSIGNAL|HEALTHCHECK|SHELL)$"
)
_NAME = re.compile(r"^(?:Dockerfile|Containerfile)(?:\..+)?$|.\.Dockerfile$")
_FROM = re.compile(
    r"(?i)^(?:--platform=(?P<platform>\S+)\s+|--\S+\s+)*(?P<image>\S+)(?:\s+AS\s+(?P<alias>\S+))?\s*$"
)
_FLAGS = re.compile(r"^(?:--\S+\s+)*")
_HEREDOC = re.compile(r"<<(-?)\s*([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")
_VAR = re.compile(
    r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?P<modifier>:?[-+][^}]*)?\}"
    r"|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))"
)


@dataclass(frozen=True, slots=True)
class Instruction:
    """One instruction; `stage` is -1 for the ARGs before the first FROM.

    `value` joins continuation lines. `exec_form` is None but for CMD, ENTRYPOINT, RUN and SHELL,
    whose JSON-array argv is `args`. `pairs`: ENV, ARG, LABEL keys and raw values (`ARG A`: "").
    """

    instruction: str
    value: str
    line: int
    end_line: int
    exec_form: bool | None
    args: tuple[str, ...]
    stage: int
    pairs: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Stage:
    """A build stage; image fields are `image` with global ARG defaults (others stay as `$X`).

    When the stage builds on an earlier stage, `parent` is its index and `base_image` its alias.
    """

    index: int
    base_image: str
    tag: str | None
    digest: str | None
    alias: str | None
    line: int
    image: str = ""
    platform: str | None = None
    parent: int | None = None

    @property
    def external(self) -> bool:
        """Whether the stage starts from a pulled image (not scratch, not an earlier stage)."""
        return self.parent is None and self.base_image != "scratch"


@dataclass(frozen=True, slots=True)
class Dockerfile:
    """One parsed Dockerfile."""

    path: str
    instructions: tuple[Instruction, ...]
    stages: tuple[Stage, ...]

    def of(self, *names: str) -> list[Instruction]:
        """Instructions of the kinds in `names` (any case), in file order."""
        wanted = {name.upper() for name in names}
        return [i for i in self.instructions if i.instruction in wanted]

    @property
    def final_stage(self) -> Stage | None:
        """The stage `docker build` produces without `--target`."""
        return self.stages[-1] if self.stages else None

    def env(self, stage: int | None = None) -> dict[str, tuple[str, int]]:
        """ENV values and lines, last wins; of `stage` and the stages it builds on, if given."""
        return self._pairs("ENV", self._lineage(stage))

    def args(self, stage: int | None = None) -> dict[str, tuple[str, int]]:
        """ARG defaults (`""` for none) and lines; of `stage` alone, if given."""
        return self._pairs("ARG", None if stage is None else {stage})

    def labels(self, stage: int | None = None) -> dict[str, tuple[str, int]]:
        """LABEL values and lines, last wins; of `stage` and the stages it builds on, if given."""
        return self._pairs("LABEL", self._lineage(stage))

    def _lineage(self, stage: int | None) -> set[int] | None:
        """A stage and the earlier stages it builds on (their ENV and LABELs are inherited)."""
        chain: set[int] | None = None if stage is None else set()
        while chain is not None and stage is not None and 0 <= stage < len(self.stages):
            if stage in chain:
                break
            chain.add(stage)
            stage = self.stages[stage].parent
        return chain

    def _pairs(self, name: str, stages: set[int] | None) -> dict[str, tuple[str, int]]:
        found: dict[str, tuple[str, int]] = {}
        for instruction in self.of(name):
            if stages is None or instruction.stage in stages:
                found.update((key, (value, instruction.line)) for key, value in instruction.pairs)
        return found


@dataclass(frozen=True, slots=True)
class Dockerfiles:
    """Every Dockerfile of the repository, and what could not be parsed."""

    dockerfiles: tuple[Dockerfile, ...] = ()
    problems: tuple[ParseProblem, ...] = ()


def is_dockerfile(path: str) -> bool:
    """Dockerfile, Containerfile, `*.Dockerfile` and `Dockerfile.*` (not `*.dockerignore`).

    Args:
        path: POSIX path relative to the root.
    """
    name = path.rsplit("/", 1)[-1]
    return _NAME.search(name) is not None and not name.endswith(".dockerignore")


def split_image(reference: str) -> tuple[str, str | None, str | None]:
    """An image reference as (name, tag, digest): `reg:5000/a/b:1@sha256:x` keeps the port.

    Args:
        reference: the image as written after ARG substitution.
    """
    name, _, digest = reference.partition("@")
    colon, slash = name.rfind(":"), name.rfind("/")
    tag = None
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
    return name, tag or None, digest or None


def _substitute(text: str, values: dict[str, str]) -> str:
    """Expand `$A`, `${A}`, `${A:-default}` and `${A:+alt}` as docker does; unknown names stay."""

    def expand(match: re.Match[str]) -> str:
        name = match["braced"] or match["plain"]
        value, modifier = values.get(name), match["modifier"]
        if modifier:
            operator, alternative = modifier.lstrip(":")[0], modifier.lstrip(":")[1:]
            if operator == "-":
                return value or alternative
            return alternative if value else ""
        return match.group() if value is None else value

    return _VAR.sub(expand, text)


def parse(text: str, path: str) -> tuple[Dockerfile, list[ParseProblem]]:
    """Parse Dockerfile text without touching the disk or the environment.

    Args:
        text: the file's content.
        path: its repository path.
    """
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    parser = DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8")), env_replace=False)
    raw_lines = text.split("\n")
    instructions: list[Instruction] = []
    stages: list[Stage] = []
    problems: list[ParseProblem] = []
    global_args: dict[str, str] = {}
    skip_until = -1
    for item in parser.structure:
        name, value = str(item["instruction"]), str(item["value"] or "").strip()
        start, end = int(item["startline"]), int(item["endline"])  # 0-based
        if name == "COMMENT" or start <= skip_until:
            continue
        end, value = _heredocs(name, value, end, raw_lines)
        skip_until = end
        if not _KNOWN.match(name):
            problems.append(ParseProblem(path, start + 1, f"unknown instruction {name}"))
            continue
        pairs = _key_values(name, value) if name in ("ENV", "ARG", "LABEL") else ()
        if pairs is None:
            problems.append(ParseProblem(path, start + 1, f"malformed {name}: expected key=value"))
            pairs = ()
        if name == "FROM":
            stage = _stage(value, start + 1, global_args, stages)
            if stage is None:
                problems.append(ParseProblem(path, start + 1, "malformed FROM"))
                continue
            stages.append(stage)
        elif name == "ARG" and not stages:
            # Only the ARGs before the first FROM may be used in FROM lines.
            declared = _arg_defaults(value)
            global_args.update(
                (k, _substitute(v, global_args)) for k, v in declared if v is not None
            )
        stage_index, form = len(stages) - 1, _form(name, value)
        instructions.append(Instruction(name, value, start + 1, end + 1, *form, stage_index, pairs))
    if instructions and not stages:
        problems.append(ParseProblem(path, instructions[0].line, "no FROM instruction"))
    return Dockerfile(path, tuple(instructions), tuple(stages)), problems


def _heredocs(name: str, value: str, end: int, lines: list[str]) -> tuple[int, str]:
    """Fold `RUN <<EOF` bodies into the instruction (dockerfile-parse reads them as lines)."""
    if name not in ("RUN", "COPY", "ADD") or value.startswith("["):
        return end, value
    body_start = end + 1
    for dash, _quote, word in _HEREDOC.findall(value):
        for number in range(end + 1, len(lines)):
            line = lines[number].lstrip("\t") if dash else lines[number]
            if line.rstrip() == word:
                end = number
                break
    return end, "\n".join([value, *lines[body_start : end + 1]])


def _key_values(name: str, value: str) -> tuple[tuple[str, str], ...] | None:
    if name == "ARG":
        return tuple((key, default or "") for key, default in _arg_defaults(value)) or None
    try:  # ENV and LABEL: `K=V K2=V2`, or the legacy `K V with spaces`
        pairs = extract_key_values(env_replace=False, args={}, envs={}, instruction_value=value)
    except (ValueError, IndexError):
        return None
    return tuple((str(key), str(val)) for key, val in pairs)


def _arg_defaults(value: str) -> list[tuple[str, str | None]]:
    """`ARG A B=2` declares A without a default and B with one (unlike `ENV A 1`)."""
    found: list[tuple[str, str | None]] = []
    for word in WordSplitter(value).split(dequote=False):
        key, equals, default = str(word).partition("=")
        found.append((key, WordSplitter(default).dequote() if equals else None))
    return found


def _stage(value: str, line: int, args: dict[str, str], earlier: list[Stage]) -> Stage | None:
    match = _FROM.match(value)
    if match is None:
        return None
    image, alias = match["image"], match["alias"]
    resolved = WordSplitter(_substitute(image, args)).dequote()
    parent = next((s.index for s in earlier if s.alias and s.alias == resolved.lower()), None)
    name, tag, digest = (resolved, None, None) if parent is not None else split_image(resolved)
    alias = alias.lower() if alias else None  # stage names are case-insensitive
    return Stage(len(earlier), name, tag, digest, alias, line, image, match["platform"], parent)


def _form(name: str, value: str) -> tuple[bool | None, tuple[str, ...]]:
    """Exec form is a JSON array of strings; anything else, even `[` + typo, is shell form."""
    if name not in ("CMD", "ENTRYPOINT", "RUN", "SHELL"):
        return None, ()
    body = _FLAGS.sub("", value) if name == "RUN" else value  # `RUN --mount=... [...]`
    try:
        argv = json.loads(body) if body.startswith("[") else None
    except ValueError:
        argv = None
    if isinstance(argv, list) and all(isinstance(arg, str) for arg in argv):
        return True, tuple(argv)
    return False, ()


def collect(root: Path, tree: FileTree) -> Dockerfiles:
    """Parse every Dockerfile in the tree.

    Args:
        root: the repository root.
        tree: the file tree of the run.
    """
    found: list[Dockerfile] = []
    problems: list[ParseProblem] = []
    for source in (f for f in tree.files if is_dockerfile(f.path)):
        text = read_text(root, source.path)
        if isinstance(text, ParseProblem):
            problems.append(text)
            continue
        try:
            dockerfile, found_problems = parse(text, source.path)
        except Exception as exc:  # noqa: BLE001 -- a parser bug must not stop the lint
            problems.append(ParseProblem(source.path, None, f"cannot parse: {exc}"))
            continue
        found.append(dockerfile)
        problems.extend(found_problems)
    return Dockerfiles(tuple(found), tuple(problems))
