"""`twelve init`: infer a draft `twelve.toml` from what the repository shows.

Config keys come from the env reads in code (types, defaults and secrecy guessed from usage);
process types from the first source that declares any: the Procfile, `package.json` scripts,
compose services built from the repository, `[project.scripts]`, the Dockerfile's command;
health paths from routes in code; a migration command from the Procfile's `release` line or
the migration tool the repository uses. Every guess carries a `# TODO: confirm`.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from twelve.contract.keys import config_table, port_like, repository_evidence
from twelve.contract.load import CONTRACT_FILE, parse_contract
from twelve.contract.model import Contract
from twelve.contract.processes import ProcessGuess, admin_tasks, dig, process_types
from twelve.contract.render import Draft, render
from twelve.contract.usage import usages
from twelve.lint.facts import Facts, Language, collect
from twelve.lint.facts.code import JS_FAMILY, code_pattern
from twelve.lint.rules.f03_config.undeclared_config import PLATFORM_PREFIXES, PLATFORM_VARIABLES

_HEALTH = (
    r"""^[rRbBuU]{0,2}["'`](?:GET )?(?:/[\w.-]+)*/(?:healthz|health|livez|readyz|ready)/?["'`]$"""
)
HEALTH_PATH = code_pattern(
    "init-health-path",
    [Language.PYTHON],
    {"kind": "string", "regex": _HEALTH},
    ["/health", "/livez", "/ready"],
)
code_pattern(
    "init-health-path",
    JS_FAMILY,
    {"any": [{"kind": "string"}, {"kind": "template_string"}], "regex": _HEALTH},
    ["/health", "/livez", "/ready"],
)
code_pattern(
    "init-health-path",
    [Language.GO],
    {
        "any": [{"kind": "interpreted_string_literal"}, {"kind": "raw_string_literal"}],
        "regex": _HEALTH,
    },
    ["/health", "/livez", "/ready"],
)
code_pattern(
    "init-health-path",
    [Language.RUST],
    {"kind": "string_literal", "regex": _HEALTH},
    ["/health", "/livez", "/ready"],
)  # fmt: skip
_LIVENESS = ("healthz", "livez", "health")
_READINESS = ("readyz", "ready")
VERSION_ENVS = (
    "GIT_SHA", "GIT_COMMIT", "COMMIT_SHA", "SOURCE_VERSION", "RELEASE_SHA", "BUILD_SHA",
    "APP_VERSION", "SERVICE_VERSION", "HEROKU_SLUG_COMMIT", "RENDER_GIT_COMMIT",
)  # fmt: skip


class ContractExists(Exception):
    """`twelve init` found a contract and was not told to overwrite it.

    Args:
        path: the existing contract.
    """

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} exists; run with --force to overwrite it")
        self.path = path


@dataclass(frozen=True, slots=True)
class InitResult:
    """What `twelve init` wrote.

    Args:
        path: the new contract file.
        text: its content.
        contract: the content, validated.
        guesses: how many values carry a TODO.
    """

    path: Path
    text: str
    contract: Contract
    guesses: int


def init_contract(root: Path, *, force: bool = False) -> InitResult:
    """Infer a contract for the repository at `root`, validate it, and write it.

    Args:
        root: the service root.
        force: overwrite an existing `twelve.toml`.

    Raises:
        ContractExists: there is one already and `force` is false.
        ContractError: the draft does not validate (a bug: nothing is written).
    """
    path = root / CONTRACT_FILE
    if path.exists() and not force:
        raise ContractExists(path)
    draft = infer(root, collect(root, None))
    text = render(draft)
    contract = parse_contract(text, path)
    path.write_text(text, encoding="utf-8", newline="\n")
    return InitResult(path, text, contract, draft.guesses)


def infer(root: Path, facts: Facts) -> Draft:
    """The draft contract for a repository.

    Args:
        root: the service root (manifests and source lines are read from it).
        facts: the repository's lint facts, collected without a contract.
    """
    manifests = _manifests(root)
    reads = [r for r in facts.env_reads if not _platform(r.name)]
    found = usages(reads, _lines(root, {r.path for r in reads}))
    version_env = next((name for name in VERSION_ENVS if name in found), None)
    evidence = repository_evidence(facts)
    port_env = "PORT" if "PORT" in found else next((n for n in found if port_like(n)), "PORT")
    processes, source = process_types(
        facts, manifests, web=bool(evidence.ports) or port_env in found
    )
    draft = Draft(sources=_sources(manifests, source, len(found)))
    service = draft.table("service")
    name, origin = _service_name(root, manifests)
    service.add("name", name, f"from {origin}", guess=True)
    if description := _description(manifests):
        service.add("description", description)
    if version_env:
        service.add("version_env", version_env, "read in code", guess=True)
    health = _health_paths(facts)
    for process in processes:
        _process_table(draft, process, port_env, health)
    for task in admin_tasks(root, facts, manifests):
        table = draft.table("admin", task.name, note=f"from {task.source}")
        table.add("command", task.command, guess=True)
        table.add("idempotent", task.idempotent, "migration tools skip what is applied", guess=True)
    for usage in found.values():
        if usage.name != version_env:
            table = draft.table("config", usage.name, note=f"read at {usage.first_read}")
            config_table(table, usage, evidence)
    return draft


def _process_table(draft: Draft, process: ProcessGuess, port_env: str, health: list[str]) -> None:
    table = draft.table("processes", process.name, note=f"from {process.source}")
    table.add("kind", process.kind, guess=process.guessed_kind)
    table.add("command", process.command, guess=process.guessed_command)
    if process.kind != "web":
        return
    if port_env != "PORT":
        table.add("port_env", port_env, "the port variable read in code", guess=True)
    for field, names in (("liveness", _LIVENESS), ("readiness", _READINESS)):
        path = next((p for n in names for p in health if p.rsplit("/", 1)[-1] == n), "")
        note = "route found in code" if path else f"no {field} route found in code"
        table.add(field, path, note, guess=True)


def _health_paths(facts: Facts) -> list[str]:
    found: list[str] = []
    for match in facts.matches(HEALTH_PATH):
        path = match.text.strip("rRbBuU\"'`").removeprefix("GET ").rstrip("/")
        if path not in found:
            found.append(path)
    return found


def _platform(name: str) -> bool:
    return name in PLATFORM_VARIABLES or name.startswith(PLATFORM_PREFIXES)


def _lines(root: Path, paths: set[str]) -> dict[str, list[str]]:
    texts = {}
    for path in sorted(paths):
        try:
            texts[path] = (root / path).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            texts[path] = []
    return texts


def _manifests(root: Path) -> dict[str, Any]:
    """The root manifests init reads beyond the facts: package.json, pyproject, Cargo, go.mod."""
    found: dict[str, Any] = {}
    for name, load in (("package.json", json.loads), ("pyproject.toml", tomllib.loads),
                       ("Cargo.toml", tomllib.loads)):  # fmt: skip
        try:
            data = load((root / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            found[name] = data
    try:
        module = re.search(r"^module\s+(\S+)", (root / "go.mod").read_text(encoding="utf-8"), re.M)
    except OSError:
        module = None
    if module:
        found["go.mod"] = {"name": module[1].rstrip("/").rsplit("/", 1)[-1]}
    return found


def _service_name(root: Path, manifests: dict[str, Any]) -> tuple[str, str]:
    candidates = [
        ("pyproject.toml", dig(manifests, "pyproject.toml", "project", "name")),
        ("pyproject.toml", dig(manifests, "pyproject.toml", "tool", "poetry", "name")),
        ("package.json", dig(manifests, "package.json", "name")),
        ("Cargo.toml", dig(manifests, "Cargo.toml", "package", "name")),
        ("go.mod", dig(manifests, "go.mod", "name")),
        ("the directory name", root.resolve().name),
    ]
    for origin, raw in candidates:
        if isinstance(raw, str) and (name := _kebab(raw.rsplit("/", 1)[-1])):
            return name, origin
    return "service", "nothing: no name found"


def _kebab(raw: str) -> str:
    name = re.sub(r"[^a-z0-9]+", "-", raw.lower()).strip("-")
    return name if not name or name[0].isalpha() else f"svc-{name}"


def _description(manifests: dict[str, Any]) -> str:
    for text in (
        dig(manifests, "pyproject.toml", "project", "description"),
        dig(manifests, "package.json", "description"),
        dig(manifests, "Cargo.toml", "package", "description"),
    ):
        if isinstance(text, str) and text.strip():
            return " ".join(text.split())
    return ""


def _sources(manifests: dict[str, Any], processes: str, keys: int) -> list[str]:
    sources = [f"{keys} env var{'s' if keys != 1 else ''} read in code"]
    if processes:
        sources.append(f"process types from {processes}")
    if manifests:
        sources.append("the manifests " + ", ".join(sorted(manifests)))
    return sources
