"""The contract read without pydantic, for processes that start often (the runtime kit).

`load_plain` accepts exactly the documents `load_contract` accepts and raises exactly its
errors, but builds no pydantic model on the way: the plain reader checks the document against
the model's tables, types and defaults (`TABLES`) and its rules (`validity`), and anything
it cannot vouch for (a mistake, or a value pydantic would coerce, like `required = 1`) goes to
the full model, which decides and words the errors. tests/contract/test_plain.py holds the
two to agreement: the same fields and defaults, and the same result on every contract.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from twelve.contract import validity
from twelve.contract.problems import read_contract
from twelve.contract.values import ValueType, parse_duration, problem_with

if TYPE_CHECKING:
    from twelve.contract.model import Contract

Check = Callable[[Any], Any]  # a raw TOML value -> its validated value; raises _Unsure
Rule = Callable[[dict[str, Any]], object]  # a validated table -> its problems (falsy: none)


class _Unsure(Exception):
    """The plain reader cannot vouch for the document: the full model decides."""


class Required:
    """The default of a key that has none: it must be written."""

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED = Required()


class Field:
    """One key of a table: how its value is checked, and its default.

    Args:
        check: validates a written value.
        default: the value when it is not written; `REQUIRED`; or a callable making it.
    """

    __slots__ = ("check", "default")

    def __init__(self, check: Check, default: object) -> None:
        self.check = check
        self.default = default

    def missing(self) -> object:
        """The value of the key when it is not written."""
        if self.default is REQUIRED:
            raise _Unsure
        return self.default() if callable(self.default) else self.default


class Table:
    """A TOML table: its keys (no others allowed) and the rules over its validated values.

    Args:
        fields: the keys, in the model's order.
        rules: each returns the table's problems; any problem sends the document to the model.
    """

    __slots__ = ("fields", "rules")

    def __init__(self, fields: Mapping[str, Field], *rules: Rule) -> None:
        self.fields = dict(fields)
        self.rules = rules

    def __call__(self, value: object) -> dict[str, Any]:
        if type(value) is not dict or not value.keys() <= self.fields.keys():
            raise _Unsure
        table = {
            name: field.check(value[name]) if name in value else field.missing()
            for name, field in self.fields.items()
        }
        if any(rule(table) for rule in self.rules):
            raise _Unsure
        return table


def _exact(*kinds: type) -> Check:
    """A value of exactly one of `kinds` (pydantic's lax coercions are left to pydantic)."""

    def check(value: object) -> object:
        if type(value) not in kinds:
            raise _Unsure
        return value

    return check


def _strings(value: object) -> list[str]:
    if type(value) is not list or any(type(item) is not str for item in value):
        raise _Unsure
    return list(value)


def _command(value: object) -> str | list[str]:
    return value if type(value) is str else _strings(value)


def _duration(value: object) -> float:
    if type(value) not in (int, float, str):
        raise _Unsure
    try:
        return parse_duration(value)
    except ValueError:
        raise _Unsure from None


def _one_of(*choices: str) -> Check:
    def check(value: object) -> object:
        if type(value) is not str or value not in choices:
            raise _Unsure
        return value

    return check


def _value_type(value: object) -> ValueType:
    if type(value) is not str or value not in _VALUE_TYPES:
        raise _Unsure
    return ValueType(value)


def _mapping(check: Check) -> Check:
    def mapping(value: object) -> dict[str, Any]:
        if type(value) is not dict:
            raise _Unsure
        return {str(key): check(item) for key, item in value.items()}

    return mapping


_VALUE_TYPES = frozenset(ValueType)
_STR = _exact(str)
_BOOL = _exact(bool)
_SCALAR = _exact(str, int, float, bool)

SERVICE = Table(
    {
        "name": Field(_STR, REQUIRED),
        "description": Field(_STR, ""),
        "version_env": Field(_STR, None),
    },
    lambda t: validity.service_name_problem(t["name"]),
)
PROCESS = Table(
    {
        "kind": Field(_one_of("web", "worker"), "web"),
        "command": Field(_command, REQUIRED),
        "port_env": Field(_STR, "PORT"),
        "liveness": Field(_STR, "/healthz"),
        "readiness": Field(_STR, "/readyz"),
        "version": Field(_STR, None),
        "startup_timeout": Field(_duration, 10.0),
        "drain_delay": Field(_duration, 0.0),
        "shutdown_timeout": Field(_duration, 10.0),
        "drain_request": Field(_STR, None),
        "busy_trigger": Field(_command, None),
    },
    lambda t: validity.command_problem(t["command"]),
    lambda t: validity.command_problem(t["busy_trigger"]),
    lambda t: validity.busy_trigger_problem(t["kind"], t["busy_trigger"]),
    lambda t: any(validity.http_path_problem(t[k]) for k in ("liveness", "readiness", "version")),
    lambda t: validity.drain_request_problem(t["drain_request"]),
)
ADMIN = Table(
    {
        "command": Field(_command, REQUIRED),
        "idempotent": Field(_BOOL, False),
        "description": Field(_STR, ""),
    }
)
CONFIG_KEY = Table(
    {
        "type": Field(_value_type, ValueType.STRING),
        "required": Field(_BOOL, False),
        "secret": Field(_BOOL, False),
        "backing_service": Field(_BOOL, False),
        "default": Field(_SCALAR, None),
        "example": Field(_SCALAR, None),
        "description": Field(_STR, ""),
        "choices": Field(_strings, None),
        "schemes": Field(_strings, None),
    },
    lambda t: validity.config_key_problems(
        t["type"],
        choices=t["choices"],
        schemes=t["schemes"],
        secret=t["secret"],
        default=t["default"],
        example=t["example"],
    ),
)
LOGS = Table(
    {
        "format": Field(_one_of("json"), "json"),
        "stream": Field(_one_of("stdout", "stderr", "either"), "stdout"),
        "fields": Field(_strings, lambda: ["timestamp", "level", "message"]),
        "request_fields": Field(_strings, list),
        "request_id_header": Field(_STR, "X-Request-ID"),
    }
)
PROBE = Table(
    {
        "env": Field(_mapping(_STR), dict),
        "values": Field(_mapping(_STR), dict),
    }
)
LINT = Table(
    {
        "exclude": Field(_strings, list),
        "per_path_ignores": Field(_mapping(_strings), dict),
        "include_tests": Field(_BOOL, False),
    }
)
DOCS = Table(
    {"dir": Field(_STR, "docs/operations")},
    lambda t: validity.docs_dir_problem(t["dir"]),
)
CONTRACT = Table(
    {
        "service": Field(SERVICE, REQUIRED),
        "processes": Field(_mapping(PROCESS), dict),
        "admin": Field(_mapping(ADMIN), dict),
        "config": Field(_mapping(CONFIG_KEY), dict),
        "logs": Field(LOGS, lambda: LOGS({})),
        "probe": Field(PROBE, lambda: PROBE({})),
        "lint": Field(LINT, lambda: LINT({})),
        "docs": Field(DOCS, lambda: DOCS({})),
    }
)
# Each table of the model, by its class name, for the test that holds the two to agreement.
TABLES = {
    "Service": SERVICE,
    "ProcessType": PROCESS,
    "AdminTask": ADMIN,
    "ConfigKey": CONFIG_KEY,
    "Logs": LOGS,
    "Probe": PROBE,
    "Lint": LINT,
    "Docs": DOCS,
    "Contract": CONTRACT,
}


def plain_document(raw: Mapping[str, Any]) -> dict[str, Any] | None:
    """The validated document with every default filled in, as the model's `model_dump()`
    gives it; None when the plain reader cannot vouch for it.

    Args:
        raw: the parsed TOML.
    """
    try:
        document = CONTRACT(dict(raw))
    except _Unsure:
        return None
    if next(validity.cross_problems(raw), None) is not None:
        return None
    return document


class PlainKey:
    """`[config.NAME]` as the runtime reads it.

    Args:
        table: the validated `[config.NAME]` table.
    """

    __slots__ = ("choices", "default", "description", "required", "schemes", "secret", "type")

    def __init__(self, table: Mapping[str, Any]) -> None:
        self.type: ValueType = table["type"]
        self.required: bool = table["required"]
        self.secret: bool = table["secret"]
        self.default: str | int | float | bool | None = table["default"]
        self.description: str = table["description"]
        self.choices: tuple[str, ...] = tuple(table["choices"] or ())
        self.schemes: tuple[str, ...] = tuple(table["schemes"] or ())

    def problem_with(self, value: str) -> str | None:
        """Why a raw env value is invalid for this key, or None. Never quotes the value.

        Args:
            value: the raw environment string.
        """
        return problem_with(value, self.type, choices=self.choices, schemes=self.schemes)


# The implicit key of a web process's port, as `Contract.keys()` adds it.
PORT_KEY = PlainKey(
    {
        **CONFIG_KEY({}),
        "type": ValueType.PORT,
        "required": True,
        "description": "TCP port to listen on",
    }
)


class PlainProcess:
    """`[processes.NAME]` as the runtime reads it.

    Args:
        table: the validated `[processes.NAME]` table.
    """

    __slots__ = (
        "drain_delay",
        "kind",
        "liveness",
        "port_env",
        "readiness",
        "shutdown_timeout",
        "version",
    )

    def __init__(self, table: Mapping[str, Any]) -> None:
        self.kind: str = table["kind"]
        self.port_env: str = table["port_env"]
        self.liveness: str = table["liveness"]
        self.readiness: str = table["readiness"]
        self.version: str | None = table["version"]
        self.drain_delay: float = table["drain_delay"]
        self.shutdown_timeout: float = table["shutdown_timeout"]


class PlainContract:
    """A valid contract as the runtime reads it, and the way to its full pydantic model.

    Args:
        document: the validated document (`plain_document`, or a model's `model_dump()`).
        path: the file it was read from, if any.
        text: the file's text, to build the model from when it is asked for.
        model: the model, when there is one already.
    """

    __slots__ = (
        "_model",
        "_text",
        "config",
        "name",
        "path",
        "processes",
        "request_id_header",
        "version_env",
    )

    def __init__(
        self,
        document: Mapping[str, Any],
        path: Path | None,
        *,
        text: str | None = None,
        model: Contract | None = None,
    ) -> None:
        self.path = path
        self.name: str = document["service"]["name"]
        self.version_env: str | None = document["service"]["version_env"]
        self.processes = {name: PlainProcess(t) for name, t in document["processes"].items()}
        self.config = {name: PlainKey(t) for name, t in document["config"].items()}
        self.request_id_header: str = document["logs"]["request_id_header"]
        self._text = text
        self._model = model

    def keys(self, process: str | None) -> dict[str, PlainKey]:
        """The config keys a process reads: the declared ones, and a web process's port.

        Args:
            process: the process type name, if known.
        """
        keys = dict(self.config)
        spec = self.processes.get(process) if process else None
        if spec is not None and spec.kind == "web" and spec.port_env not in keys:
            keys[spec.port_env] = PORT_KEY
        return keys

    def model(self) -> Contract:
        """The full pydantic model of the same contract (built on the first call)."""
        if self._model is None:
            from twelve.contract.load import parse_contract  # noqa: PLC0415 -- pydantic on demand

            self._model = parse_contract(cast(str, self._text), cast(Path, self.path))
        return self._model


def load_plain(path: Path) -> PlainContract:
    """Read a contract file as `load_contract` would, without pydantic when it is valid.

    Args:
        path: the `twelve.toml` to read.

    Raises:
        ContractError: exactly as `load_contract` raises it.
    """
    return parse_plain(read_contract(path), path)


def parse_plain(text: str, path: Path) -> PlainContract:
    """Contract text as `parse_contract` would take it, without pydantic when it is valid.

    Args:
        text: the TOML.
        path: where it came from, for messages.

    Raises:
        ContractError: exactly as `parse_contract` raises it.
    """
    try:
        document = plain_document(tomllib.loads(text))
    except tomllib.TOMLDecodeError:
        document = None
    if document is None:  # invalid, or unusual: the model decides, and words any error
        from twelve.contract.load import parse_contract  # noqa: PLC0415 -- pydantic on demand

        return plain_from_model(parse_contract(text, path))
    return PlainContract(document, path, text=text)


def plain_from_model(contract: Contract) -> PlainContract:
    """The runtime's view of a loaded model.

    Args:
        contract: the model.
    """
    return PlainContract(contract.model_dump(), contract.path, model=contract)
