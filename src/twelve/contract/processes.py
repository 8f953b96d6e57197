"""Guess process types and admin tasks from Procfile, compose, Dockerfile and manifests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from twelve.lint.facts import Facts
from twelve.lint.facts.dockerfile import Dockerfile

_MIGRATION_WORDS = ("migrat", "alembic", "prisma", "knex", "goose", "flyway", "liquibase")


@dataclass(frozen=True, slots=True)
class ProcessGuess:
    """A process type and how sure the draft is about it."""

    name: str
    kind: str
    command: str | list[str]
    source: str
    guessed_kind: bool = True
    guessed_command: bool = False


@dataclass(frozen=True, slots=True)
class AdminGuess:
    """A one-off admin task (a migration) and where it was found."""

    name: str
    command: str
    idempotent: bool
    source: str


def process_types(
    facts: Facts, manifests: dict[str, Any], *, web: bool
) -> tuple[list[ProcessGuess], str]:
    """The process types of the first source that declares any, and that source's name.

    Commands people run locally come before container commands, whose paths are the image's.

    Args:
        facts: the repository facts.
        manifests: the root package.json, pyproject.toml, Cargo.toml and go.mod, parsed.
        web: whether the service listens on a port (EXPOSE, or a port read in code).
    """
    sources: list[tuple[str, Callable[[], list[ProcessGuess]]]] = [
        ("the Procfile", lambda: _procfile(facts)),
        ("package.json scripts", lambda: _package_json(manifests)),
        ("compose services built here", lambda: _compose(facts)),
        ("[project.scripts] in pyproject.toml", lambda: _pyproject(manifests, web=web)),
        ("the Dockerfile's command", lambda: _dockerfile(facts, web=web)),
    ]
    for name, source in sources:
        if found := source():
            return found, name
    return [], ""


def dig(data: Any, *keys: str) -> Any:
    """A value nested in parsed manifest data, or None when any level is missing or not a table.

    Args:
        data: parsed JSON or TOML.
        keys: the path of keys.
    """
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def service_dockerfile(facts: Facts) -> Dockerfile | None:
    """The root Dockerfile, else the first by path.

    Args:
        facts: the repository facts.
    """
    found = sorted(facts.dockerfiles.dockerfiles, key=lambda d: ("/" in d.path, d.path))
    return found[0] if found else None


def _procfile(facts: Facts) -> list[ProcessGuess]:
    procfile = facts.procfile
    if procfile is None:
        return []
    names = dict.fromkeys(e.name for e in procfile.entries if e.name != "release")
    found = []
    for name in names:
        entry = procfile.get(name)
        if entry is not None:
            kind = "web" if name == "web" else "worker"
            found.append(
                ProcessGuess(name, kind, entry.command, "Procfile", name not in ("web", "worker"))
            )
    return found


def _compose(facts: Facts) -> list[ProcessGuess]:
    found = []
    for doc in facts.yaml.compose_files:
        services = doc.data.get("services") if isinstance(doc.data, dict) else None
        for name, spec in (services or {}).items() if isinstance(services, dict) else ():
            if not isinstance(spec, dict) or "build" not in spec:
                continue
            command = _argv_or_line(spec.get("command")) or _image_command(facts)
            if command:
                kind = "web" if spec.get("ports") or spec.get("expose") else "worker"
                found.append(
                    ProcessGuess(str(name), kind, command, doc.path, True, "command" not in spec)
                )
    return found


def _dockerfile(facts: Facts, *, web: bool) -> list[ProcessGuess]:
    dockerfile = service_dockerfile(facts)
    command = _image_command(facts)
    if dockerfile is None or not command:
        return []
    kind = "web" if web else "worker"
    return [
        ProcessGuess(
            kind, kind, command, f"{dockerfile.path} (a path inside the image)", True, True
        )
    ]


def _image_command(facts: Facts) -> str | list[str]:
    """What the service image runs: ENTRYPOINT + CMD of the final stage."""
    dockerfile = service_dockerfile(facts)
    if dockerfile is None or dockerfile.final_stage is None:
        return ""
    final = dockerfile.final_stage.index
    entry = next((i for i in reversed(dockerfile.of("ENTRYPOINT")) if i.stage == final), None)
    cmd = next((i for i in reversed(dockerfile.of("CMD")) if i.stage == final), None)
    if entry is not None and not entry.exec_form:
        return entry.value  # a shell-form ENTRYPOINT ignores CMD
    if entry is not None and (cmd is None or cmd.exec_form):
        return [*entry.args, *(cmd.args if cmd else ())]
    if cmd is not None:
        return list(cmd.args) if cmd.exec_form else cmd.value
    return ""


def _package_json(manifests: dict[str, Any]) -> list[ProcessGuess]:
    scripts = dig(manifests, "package.json", "scripts")
    if not isinstance(scripts, dict):
        return []
    found = []
    for script, kind in (("start", "web"), ("worker", "worker")):
        command = scripts.get(script)
        if isinstance(command, str) and command.strip():
            name = "web" if script == "start" else "worker"
            found.append(ProcessGuess(name, kind, command, f"package.json script {script!r}"))
    return found


def _pyproject(manifests: dict[str, Any], *, web: bool) -> list[ProcessGuess]:
    scripts = dig(manifests, "pyproject.toml", "project", "scripts")
    if not isinstance(scripts, dict):
        return []
    found = []
    for script in scripts:
        kind = "worker" if "worker" in script or not web else "web"
        found.append(
            ProcessGuess(
                str(script), kind, str(script), "pyproject.toml [project.scripts]", True, True
            )
        )
    return found


def _argv_or_line(command: Any) -> str | list[str]:
    if isinstance(command, str):
        return command.strip()
    if isinstance(command, list) and command and all(isinstance(a, str) for a in command):
        return list(command)
    return ""


# Files that show which migration tool a repository uses, and the tool's idempotent command.
_MIGRATION_MARKERS = (
    ("alembic.ini", "alembic upgrade head"),
    ("manage.py", "python manage.py migrate"),
    ("prisma/schema.prisma", "npx prisma migrate deploy"),
)


def admin_tasks(root: Path, facts: Facts, manifests: dict[str, Any]) -> list[AdminGuess]:
    """The migration task, from the Procfile's `release` line or the migration tool in use.

    Args:
        root: the service root (goose migrations are recognised by their content).
        facts: the repository facts.
        manifests: the parsed root manifests.
    """
    release = facts.procfile.get("release") if facts.procfile else None
    if release is not None:
        migration = any(word in release.command.lower() for word in _MIGRATION_WORDS)
        name = "migrate" if migration else "release"
        return [AdminGuess(name, release.command, migration, "the Procfile's release line")]
    scripts = dig(manifests, "package.json", "scripts")
    for script, command in scripts.items() if isinstance(scripts, dict) else ():
        if isinstance(command, str) and ("prisma migrate" in command or "knex migrate" in command):
            source = f"package.json script {script!r}"
            return [AdminGuess("migrate", f"npm run {script}", True, source)]
    present = facts.tree.present | {f.path for f in facts.files}
    for marker, command in _MIGRATION_MARKERS:
        if marker in present:
            return [AdminGuess("migrate", command, True, marker)]
    return _goose(root, facts)


def _goose(root: Path, facts: Facts) -> list[AdminGuess]:
    for path in sorted(f.path for f in facts.files if f.path.endswith(".sql")):
        try:
            text = (root / path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if "+goose Up" in text:
            directory = path.rsplit("/", 1)[0] if "/" in path else "."
            return [AdminGuess("migrate", f"goose -dir {directory} up", True, path)]
    return []
