"""The typed model of `twelve.toml`: the service's declared operational shape."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)
from pydantic.json_schema import WithJsonSchema

from twelve.contract import validity
from twelve.contract.values import DURATION_PATTERN, ValueType, parse_duration, problem_with

Duration = Annotated[
    float,
    BeforeValidator(parse_duration),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0},
                {"type": "string", "pattern": DURATION_PATTERN},
            ],
            "description": 'Seconds, or a string like "500ms", "15s", "2m".',
        }
    ),
]
Scalar = str | int | float | bool
V = TypeVar("V")


def _valid(value: V, problem: Callable[[V], str | None]) -> V:
    """`value`, or a ValueError with the rule's message (pydantic reports it at the field)."""
    if (why := problem(value)) is not None:
        raise ValueError(why)
    return value


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Service(_Table):
    """`[service]`: who the service is."""

    name: str = Field(description="kebab-case service name")
    description: str = ""
    version_env: str | None = Field(
        default=None, description="env var carrying the release identity (commit SHA)"
    )

    @field_validator("name")
    @classmethod
    def _kebab(cls, name: str) -> str:
        return _valid(name, validity.service_name_problem)


class ProcessType(_Table):
    """`[processes.NAME]`: one process type, as in a Procfile."""

    kind: Literal["web", "worker"] = "web"
    command: str | list[str] = Field(description="argv list, or a string split like a shell")
    port_env: str = "PORT"
    liveness: str = "/healthz"
    readiness: str = "/readyz"
    version: str | None = None
    startup_timeout: Duration = 10.0
    drain_delay: Duration = 0.0
    shutdown_timeout: Duration = 10.0
    drain_request: str | None = Field(default=None, description='e.g. "GET /slow?ms=2000"')
    busy_trigger: str | list[str] | None = Field(
        default=None,
        description="worker only: an [admin.NAME] task, or a command, that enqueues work for it",
    )

    @field_validator("command", "busy_trigger")
    @classmethod
    def _non_empty(cls, command: str | list[str] | None) -> str | list[str] | None:
        return _valid(command, validity.command_problem)

    @model_validator(mode="after")
    def _worker_trigger(self) -> ProcessType:
        if (why := validity.busy_trigger_problem(self.kind, self.busy_trigger)) is not None:
            raise ValueError(why)
        return self

    @field_validator("liveness", "readiness", "version")
    @classmethod
    def _path(cls, path: str | None) -> str | None:
        return _valid(path, validity.http_path_problem)

    @field_validator("drain_request")
    @classmethod
    def _request(cls, request: str | None) -> str | None:
        return _valid(request, validity.drain_request_problem)


class AdminTask(_Table):
    """`[admin.NAME]`: a one-off admin process (factor XII)."""

    command: str | list[str]
    idempotent: bool = False
    description: str = ""


class ConfigKey(_Table):
    """`[config.NAME]`: one environment variable of the config contract."""

    type: ValueType = ValueType.STRING
    required: bool = False
    secret: bool = False
    backing_service: bool = False
    default: Scalar | None = None
    example: Scalar | None = None
    description: str = ""
    choices: list[str] | None = None
    schemes: list[str] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ConfigKey:
        problems = validity.config_key_problems(
            self.type,
            choices=self.choices,
            schemes=self.schemes,
            secret=self.secret,
            default=self.default,
            example=self.example,
        )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def problem_with(self, value: str) -> str | None:
        """Why a raw env value is invalid for this key, or None. Never quotes the value."""
        return problem_with(
            value, self.type, choices=self.choices or (), schemes=self.schemes or ()
        )


class Logs(_Table):
    """`[logs]`: the observability contract for log lines."""

    format: Literal["json"] = "json"
    stream: Literal["stdout", "stderr", "either"] = "stdout"
    fields: list[str] = Field(default_factory=lambda: ["timestamp", "level", "message"])
    request_fields: list[str] = Field(default_factory=list)
    request_id_header: str = "X-Request-ID"


class Probe(_Table):
    """`[probe]`: how the probe starts the service."""

    env: dict[str, str] = Field(default_factory=dict, description="extra non-secret env")
    values: dict[str, str] = Field(
        default_factory=dict, description="values for keys; {canary} = a fresh secret canary"
    )


class Lint(_Table):
    """`[lint]`: static-rule settings."""

    exclude: list[str] = Field(default_factory=list, description="gitignore-style paths")
    per_path_ignores: dict[str, list[str]] = Field(
        default_factory=dict, description="path pattern -> check IDs or names to ignore there"
    )
    include_tests: bool = False


class Docs(_Table):
    """`[docs]`: where `twelve docs` writes the operational documents."""

    dir: str = Field(
        default="docs/operations",
        description="directory of the generated documents, relative to the service root",
    )

    @field_validator("dir")
    @classmethod
    def _relative(cls, directory: str) -> str:
        return _valid(directory, validity.docs_dir_problem)


class Contract(_Table):
    """A whole `twelve.toml`."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="twelve.toml")

    service: Service
    processes: dict[str, ProcessType] = Field(default_factory=dict)
    admin: dict[str, AdminTask] = Field(default_factory=dict)
    config: dict[str, ConfigKey] = Field(default_factory=dict)
    logs: Logs = Field(default_factory=Logs)
    probe: Probe = Field(default_factory=Probe)
    lint: Lint = Field(default_factory=Lint)
    docs: Docs = Field(default_factory=Docs)
    _path: Path | None = PrivateAttr(default=None)
    _lines: Mapping[tuple[str, ...], int] = PrivateAttr(default_factory=dict)

    @property
    def path(self) -> Path | None:
        """The file it was loaded from, if any."""
        return self._path

    def line_of(self, *keys: str) -> int | None:
        """The line in the file where a table or key is written, e.g. `("config", "PORT")`."""
        for end in range(len(keys), 0, -1):
            if (line := self._lines.get(keys[:end])) is not None:
                return line
        return None

    def keys(self) -> dict[str, ConfigKey]:
        """Every config key, including the implicit `port` keys of web processes."""
        keys = dict(self.config)
        for process in self.processes.values():
            if process.kind == "web" and process.port_env not in keys:
                keys[process.port_env] = ConfigKey(
                    type=ValueType.PORT, required=True, description="TCP port to listen on"
                )
        return keys

    def secret_keys(self) -> list[str]:
        """Names of the keys declared secret."""
        return [name for name, key in self.config.items() if key.secret]
