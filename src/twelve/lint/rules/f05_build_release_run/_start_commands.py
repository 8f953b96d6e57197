"""How the service's processes start, from every place that says so.

Used by the rules of factors V, IX, X and XII: the final stage's `ENTRYPOINT`/`CMD` of each
Dockerfile, the Procfile, compose `command:`/`entrypoint:`, the contract's processes and
Kubernetes containers. Each start command is split into the simple commands a shell would
run, in order, with launchers (`exec`, `npx`, `uv run`, `python -m`, `tini --`, ...)
peeled off so the program comes first. Also here: which files are for development only,
and where the contract is, as reports show it.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from twelve.lint.facts import Facts
from twelve.lint.facts.dockerfile import Dockerfile, Instruction
from twelve.lint.facts.yamldocs import k8s_containers
from twelve.model import Location

Argv = tuple[str, ...]

_DEV_PATH = re.compile(
    r"(?:^|[/._-])(?:dev|develop|development|devcontainer|local|test|tests|ci)(?:[/._-]|$)"
)
_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh"})
_OPERATORS = frozenset({"&&", "||", ";", "|", "&", ";;", "(", ")", "|&"})
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
# Launchers that run the next word as the program; `pnpm exec` and `gosu USER` take two
# words (an empty second word: any).
_LAUNCHERS = frozenset(
    {"exec", "env", "nohup", "time", "tini", "dumb-init", "npx", "bunx", "pnpx", "uvx"}
)
_TWO_WORD_LAUNCHERS = frozenset(
    {("pnpm", "exec"), ("pnpm", "dlx"), ("yarn", "dlx"), ("yarn", "exec"), ("npm", "exec"),
     ("uv", "run"), ("poetry", "run"), ("pipenv", "run"), ("pdm", "run"), ("hatch", "run"),
     ("bundle", "exec"), ("pipx", "run"), ("gosu", ""), ("su-exec", "")}
)  # fmt: skip
_PYTHON = re.compile(r"^python(?:\d+(?:\.\d+)?)?$")


@dataclass(frozen=True, slots=True)
class StartCommand:
    """One way a process starts.

    Args:
        origin: "dockerfile", "procfile", "compose", "contract" or "k8s".
        label: how a message names it ("CMD", "Procfile `web`", "container `api`").
        process: the process, service or container name, when there is one.
        commands: the simple commands it runs, in order, launchers peeled off.
        location: where it is written.
    """

    origin: str
    label: str
    process: str | None
    commands: tuple[Argv, ...]
    location: Location


def is_dev_path(path: str) -> bool:
    """A file for development or CI only: `Dockerfile.dev`, `.devcontainer/`, `ci.Dockerfile`."""
    return bool(_DEV_PATH.search(path.lower()))


def effective_start(dockerfile: Dockerfile) -> list[Instruction]:
    """The ENTRYPOINT and CMD the image built without `--target` runs with, in that order.

    Both are inherited from the stages the final stage builds on; an ENTRYPOINT set in a
    later stage than the CMD resets it, as docker does.

    Args:
        dockerfile: a parsed Dockerfile.
    """
    final = dockerfile.final_stage
    chain: list[int] = []
    while final is not None and final.index not in chain:
        chain.append(final.index)
        final = dockerfile.stages[final.parent] if final.parent is not None else None
    found: dict[str, tuple[int, Instruction]] = {}
    for kind in ("ENTRYPOINT", "CMD"):
        for depth, index in enumerate(chain):
            written = [i for i in dockerfile.of(kind) if i.stage == index]
            if written:
                found[kind] = (depth, written[-1])
                break
    entry, cmd = found.get("ENTRYPOINT"), found.get("CMD")
    if entry is not None and cmd is not None and entry[0] < cmd[0]:
        cmd = None
    return [pair[1] for pair in (entry, cmd) if pair is not None]


def start_commands(facts: Facts) -> list[StartCommand]:
    """Every start command of the repository (Dockerfiles for development excluded).

    Args:
        facts: the lint facts.
    """
    found: list[StartCommand] = []
    for dockerfile in facts.dockerfiles.dockerfiles:
        if is_dev_path(dockerfile.path):
            continue
        for instruction in effective_start(dockerfile):
            commands = (
                command_lines(instruction.args)
                if instruction.exec_form
                else script_commands(instruction.value)
            )
            location = Location(dockerfile.path, instruction.line, snippet=instruction.value)
            found.append(
                StartCommand("dockerfile", instruction.instruction, None, commands, location)
            )
    if facts.procfile is not None:
        for entry in facts.procfile.entries:
            location = Location(facts.procfile.path, entry.line, snippet=entry.command)
            commands = script_commands(entry.command)
            found.append(
                StartCommand("procfile", f"Procfile `{entry.name}`", entry.name, commands, location)
            )
    found += _contract(facts)
    found += _compose(facts)
    found += _kubernetes(facts)
    return found


def script_commands(script: str) -> tuple[Argv, ...]:
    """The simple commands of a shell script, in order (`a && b; c | d` is a, b, c, d).

    Args:
        script: shell text.
    """
    text = script.replace("\\\n", " ").replace("\n", " ; ")
    try:
        lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        tokens = list(lexer)
    except ValueError:  # unbalanced quotes: split on operators and blanks, roughly
        tokens = re.findall(r"&&|\|\||[;|&()]|[^\s;|&()]+", text)
    commands: list[Argv] = []
    current: list[str] = []
    for token in [*tokens, ";"]:
        if token in _OPERATORS:
            if current:
                commands += command_lines(current)
            current = []
        else:
            current.append(token)
    return tuple(commands)


def command_lines(argv: Sequence[str]) -> tuple[Argv, ...]:
    """The simple commands an argv runs: `sh -c SCRIPT` runs the script's, others itself.

    Args:
        argv: a program and its arguments (exec form, a Kubernetes command).
    """
    words = program(argv)
    if words and words[0] in _SHELLS and "-c" in words:
        at = words.index("-c")
        return script_commands(words[at + 1]) if at + 1 < len(words) else ()
    return (words,) if words else ()


def program(argv: Sequence[str]) -> Argv:
    """The argv with assignments and launchers peeled off and the program's base name first:
    `FOO=1 exec npx prisma migrate deploy` is `prisma migrate deploy`.

    Args:
        argv: a simple command's words.
    """
    words = [str(word) for word in argv]
    while words:
        head = words[0].rsplit("/", 1)[-1]
        second = words[1] if len(words) > 1 else ""
        if _ASSIGNMENT.match(words[0]) or words[0] == "--":
            words = words[1:]
        elif head in _LAUNCHERS or {(head, second), (head, "")} & _TWO_WORD_LAUNCHERS:
            # `gosu USER cmd` and `uv run cmd` drop two words, `exec cmd` one; then flags.
            two = {(head, second), (head, "")} & _TWO_WORD_LAUNCHERS
            words = words[2:] if two else words[1:]
            while words and words[0].startswith("-") and words[0] != "--":
                words = words[1:]
        elif _PYTHON.match(head) and len(words) > 2 and words[1] == "-m":
            words = words[2:]
        else:
            return (head, *words[1:])
    return ()


def _contract(facts: Facts) -> Iterator[StartCommand]:
    contract = facts.contract
    if contract is None:
        return
    path = contract_path(facts)
    for name, process in contract.processes.items():
        command = process.command
        commands = script_commands(command) if isinstance(command, str) else command_lines(command)
        line = contract.line_of("processes", name, "command")
        shown = command if isinstance(command, str) else shlex.join(command)
        location = Location(path, line, snippet=f"command = {shown}")
        yield StartCommand("contract", f"process `{name}`", name, commands, location)


def _compose(facts: Facts) -> Iterator[StartCommand]:
    for doc in facts.yaml.compose_files:
        services = doc.data.get("services") if isinstance(doc.data, dict) else None
        for name, service in services.items() if isinstance(services, dict) else ():
            for key in ("entrypoint", "command"):
                value = service.get(key) if isinstance(service, dict) else None
                commands = _commands_of(value)
                if commands:
                    line = doc.line_of(("services", name, key))
                    location = Location(doc.path, line, snippet=f"{key}: {_shown(value)}")
                    label = f"compose service `{name}`"
                    yield StartCommand("compose", label, str(name), commands, location)


def _kubernetes(facts: Facts) -> Iterator[StartCommand]:
    for obj in facts.yaml.k8s_objects:
        for container, at in k8s_containers(obj):
            argv = [*_list(container.get("command")), *_list(container.get("args"))]
            if not argv:
                continue
            key = "command" if container.get("command") else "args"
            line = obj.line_of((*at, key))
            name = str(container.get("name", "?"))
            location = Location(obj.doc.path, line, snippet=shlex.join(argv)[:200])
            yield StartCommand("k8s", f"container `{name}`", name, command_lines(argv), location)


def _list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [value] if isinstance(value, str) else []


def _commands_of(value: Any) -> tuple[Argv, ...]:
    if isinstance(value, str):
        return script_commands(value)
    if isinstance(value, list):
        return command_lines([str(v) for v in value])
    return ()


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else shlex.join(str(v) for v in value)
    return " ".join(text.split())[:200]


def contract_path(facts: Facts) -> str:
    """The contract's path as reports show it: relative to the repository when inside it."""
    path = facts.contract.path if facts.contract else None
    if path is None:
        return "twelve.toml"
    try:
        return path.resolve().relative_to(facts.root.resolve()).as_posix()
    except ValueError:
        return str(path)
