"""The rules a contract's values must follow beyond their types, free of pydantic.

The pydantic model (`model.py`) raises these messages from its validators, and the plain
reader (`plain.py`) applies the same functions, so both agree on what a valid contract is.
Each function returns what is wrong, or None (an empty list) when nothing is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from twelve.contract.values import ValueType, problem_with

CANARY = "{canary}"
Loc = tuple[str | int, ...]

_KEBAB = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DRAIN_REQUEST = re.compile(r"^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) /\S*$")


def service_name_problem(name: str) -> str | None:
    """`[service] name` must be kebab-case.

    Args:
        name: the name.
    """
    if not _KEBAB.match(name):
        return 'must be kebab-case (lowercase letters, digits, hyphens), e.g. "web-api"'
    return None


def command_problem(command: str | list[str] | None) -> str | None:
    """A process's `command` (or `busy_trigger`) cannot be empty or blank.

    Args:
        command: argv list or shell string; None when not given.
    """
    if command is not None and (not command or (isinstance(command, str) and not command.strip())):
        return "command cannot be empty"
    return None


def busy_trigger_problem(kind: str, busy_trigger: str | list[str] | None) -> str | None:
    """`busy_trigger` belongs to worker processes only.

    Args:
        kind: the process kind.
        busy_trigger: its busy trigger, if any.
    """
    if busy_trigger is not None and kind != "worker":
        return "`busy_trigger` is only for kind = worker"
    return None


def http_path_problem(path: str | None) -> str | None:
    """A health or version path starts with "/" (empty: the endpoint is not served).

    Args:
        path: the path.
    """
    if path and not path.startswith("/"):
        return 'an HTTP path starts with "/"'
    return None


def drain_request_problem(request: str | None) -> str | None:
    """`drain_request` is "METHOD /path".

    Args:
        request: the request line, if any.
    """
    if request is not None and not _DRAIN_REQUEST.match(request):
        return 'must be "METHOD /path", e.g. "GET /slow?ms=2000"'
    return None


def config_key_problems(
    value_type: ValueType,
    *,
    choices: list[str] | None,
    schemes: list[str] | None,
    secret: bool,
    default: object,
    example: object,
) -> list[str]:
    """A config key's options must fit its type, and its default and example its values.

    Args:
        value_type: the declared type.
        choices: the enum's choices, if given.
        schemes: the URL schemes, if given.
        secret: whether the key is secret.
        default: the default, if given.
        example: the example, if given.
    """
    problems = []
    if value_type is ValueType.ENUM and not choices:
        problems.append("an enum key needs `choices`")
    if choices is not None and value_type is not ValueType.ENUM:
        problems.append("`choices` is only for type = enum")
    if schemes is not None and value_type is not ValueType.URL:
        problems.append("`schemes` is only for type = url")
    if secret and (default is not None or example is not None):
        problems.append("a secret key may not have a `default` or `example` in the file")
    for field, value in (("default", default), ("example", example)):
        if value is not None and not secret:
            why = problem_with(str(value), value_type, choices=choices or (), schemes=schemes or ())
            if why:
                problems.append(f"`{field}` is invalid: {why}")
    return problems


def docs_dir_problem(directory: str) -> str | None:
    """`[docs] dir` is a relative path inside the service.

    Args:
        directory: the directory as written.
    """
    parts = Path(directory).parts
    if not directory.strip() or Path(directory).is_absolute() or ".." in parts:
        return 'must be a relative path inside the service, e.g. "docs/operations"'
    return None


def cross_problems(raw: Mapping[str, object]) -> Iterator[tuple[Loc, str]]:
    """Problems that span tables, found on the raw TOML data so they are reported together
    with every field-level problem (pydantic stops at a table's first failure).

    Args:
        raw: the parsed TOML document.
    """
    config = _table(raw.get("config"))
    probe = _table(raw.get("probe"))
    for process_name, entry in _table(raw.get("processes")).items():
        process = _table(entry)
        port_env = process.get("port_env", "PORT")
        if process.get("kind", "web") != "web" or not isinstance(port_env, str):
            continue
        if port_env in config and _table(config[port_env]).get("type", "string") != "port":
            yield (
                ("config", str(port_env), "type"),
                (f"{port_env} is the port of process {process_name!r}, so its type must be port"),
            )
    for name, template in _table(probe.get("values")).items():
        if name not in config:
            yield ("probe", "values", name), f"{name} is not a declared config key"
        elif CANARY in str(template) and not _table(config[name]).get("secret", False):
            yield ("probe", "values", name), "{canary} may only appear in a secret key's template"
    for name in _table(probe.get("env")):
        if _table(config.get(name)).get("secret", False):
            yield ("probe", "env", name), f"{name} is secret: give it in [probe.values], not env"
    for name in config:
        if not _ENV_NAME.match(name):
            yield ("config", name), "not a valid environment variable name"


def _table(value: object) -> dict[str, object]:
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else {}
