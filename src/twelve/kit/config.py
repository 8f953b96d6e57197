"""Config from the contract (`twelve.toml`), validated at startup with every problem reported.

`load_config` reads each declared key from the environment, checks it with the contract's
own value types, and either returns a typed `Config` or reports *every* missing and invalid
key in one message (a JSON event and a readable line on stderr) and exits 78 (EX_CONFIG).
No value is ever part of the report. A pydantic-settings class can stand in for the
contract: see `twelve.kit.settings`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeVar, cast

from twelve.contract.plain import (
    PlainContract,
    PlainKey,
    PlainProcess,
    load_plain,
    plain_from_model,
)
from twelve.contract.problems import ContractError
from twelve.contract.values import ValueType, parse_duration
from twelve.kit.secret import Secret

if TYPE_CHECKING:
    from pydantic_settings import BaseSettings

    from twelve.contract import Contract, ProcessType

EX_CONFIG = 78
CONTRACT_ENV = "TWELVE_CONTRACT"
PROCESS_ENV = "TWELVE_PROCESS"
_TRUE = frozenset({"1", "true", "yes", "on"})
Value = str | int | float | bool | Secret[str] | None
S = TypeVar("S", bound="BaseSettings")


class ConfigError(Exception):
    """The environment does not satisfy the config contract; names keys, never values.

    Args:
        missing: required keys that are unset (or empty).
        invalid: (key, why) for each key whose value its type rejects.
        service: the service name, for the report.
    """

    def __init__(
        self,
        missing: tuple[str, ...] = (),
        invalid: tuple[tuple[str, str], ...] = (),
        service: str = "",
    ) -> None:
        self.missing = missing
        self.invalid = invalid
        self.service = service
        super().__init__(self.render())

    def render(self) -> str:
        """One readable line: `invalid configuration: missing A, B; invalid C (why)`."""
        parts = []
        if self.missing:
            parts.append(f"missing {', '.join(self.missing)}")
        if self.invalid:
            parts.append("invalid " + ", ".join(f"{key} ({why})" for key, why in self.invalid))
        count = len(self.missing) + len(self.invalid)
        who = f" of {self.service}" if self.service else ""
        return f"invalid configuration{who}, {count} problem(s): {'; '.join(parts)}"

    def fields(self) -> dict[str, object]:
        """The problems as log event fields."""
        return {
            "error_code": "config_invalid",
            "missing": list(self.missing),
            "invalid": dict(self.invalid),
        }


class Config:
    """The validated config: typed values by key, and who this process is.

    Args:
        service: the service name (contract `[service] name`).
        version: the release identity (the value of `version_env`), or "unknown".
        env: the deployment name (the `APP_ENV` value), or "unknown".
        values: typed values by key; secret keys hold a `Secret`.
        contract: the contract it was loaded from, if any (its model, or its plain view).
        process: the process type name it was loaded for, if any.
        settings: the pydantic-settings instance, when loaded from one.

    Frozen like the dataclass it was; a class of its own so that `contract`, the pydantic
    model, is built only when asked for: the kit reads `plain`, and starts without pydantic.
    """

    __slots__ = ("_plain", "env", "process", "service", "settings", "values", "version")
    service: str
    version: str
    env: str
    values: Mapping[str, Value]
    process: str | None
    settings: BaseSettings | None
    _plain: PlainContract | None

    def __init__(  # noqa: PLR0917 -- positional, as the dataclass it replaced took them
        self,
        service: str,
        version: str = "unknown",
        env: str = "unknown",
        values: Mapping[str, Value] | None = None,
        contract: Contract | PlainContract | None = None,
        process: str | None = None,
        settings: BaseSettings | None = None,
    ) -> None:
        if contract is not None and not isinstance(contract, PlainContract):
            contract = plain_from_model(contract)
        setter = object.__setattr__  # frozen: fields are set here only
        setter(self, "service", service)
        setter(self, "version", version)
        setter(self, "env", env)
        setter(self, "values", {} if values is None else values)
        setter(self, "_plain", contract)
        setter(self, "process", process)
        setter(self, "settings", settings)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Config is frozen: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Config is frozen: cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Config):
            return NotImplemented
        return _fields(self) == _fields(other) and (
            self._plain is other._plain or self.contract == other.contract
        )

    __hash__ = None  # type: ignore[assignment]  # mutable values: unhashable, as it was

    def __repr__(self) -> str:
        return (
            f"Config(service={self.service!r}, version={self.version!r}, env={self.env!r},"
            f" values={self.values!r}, process={self.process!r})"
        )

    def __getitem__(self, key: str) -> Value:
        return self.values[key]

    def get_str(self, key: str) -> str:
        """A plain string value (a secret's too, unmasked: only for connecting with it)."""
        value = self.values[key]
        return value.get_secret_value() if isinstance(value, Secret) else str(value)

    def get_int(self, key: str) -> int:
        """An int or port value."""
        return int(cast(int, self.values[key]))

    def get_float(self, key: str) -> float:
        """A float or duration value (seconds)."""
        return float(cast(float, self.values[key]))

    def get_bool(self, key: str) -> bool:
        """A bool value."""
        return bool(self.values[key])

    def secrets(self) -> list[str]:
        """The raw text of every secret value, for redaction."""
        found = [v.get_secret_value() for v in self.values.values() if isinstance(v, Secret)]
        return [str(value) for value in found if value not in (None, "")]

    @property
    def port(self) -> int | None:
        """The port of this web process (its `port_env` value), if it has one."""
        spec = self.plain_process()
        if spec is None or spec.kind != "web" or self.values.get(spec.port_env) is None:
            return None
        return self.get_int(spec.port_env)

    @property
    def contract(self) -> Contract | None:
        """The contract it was loaded from, if any (its pydantic model, built on first use)."""
        return None if self._plain is None else self._plain.model()

    @property
    def plain(self) -> PlainContract | None:
        """The contract as the kit reads it at startup, without pydantic, if any."""
        return self._plain

    def process_spec(self) -> ProcessType | None:
        """The contract's `[processes.NAME]` table of this process, if known."""
        if self._plain is None or self.process is None:
            return None
        return self._plain.model().processes.get(self.process)

    def plain_process(self) -> PlainProcess | None:
        """`process_spec()` as the kit reads it, without pydantic."""
        if self._plain is None or self.process is None:
            return None
        return self._plain.processes.get(self.process)


def _fields(config: Config) -> tuple[object, ...]:
    return (
        config.service,
        config.version,
        config.env,
        config.values,
        config.process,
        config.settings,
    )


def load_config(
    source: Path | str | Contract | PlainContract | type[BaseSettings] | None = None,
    *,
    process: str | None = None,
    environ: Mapping[str, str] | None = None,
    env_key: str = "APP_ENV",
    exit_on_error: bool = True,
    service: str | None = None,
    version_env: str = "GIT_SHA",
) -> Config:
    """Read and validate every config key; on any problem report them all and exit 78.

    Args:
        source: the contract (a path, or loaded), or a pydantic-settings class. Default:
            `$TWELVE_CONTRACT`, else `twelve.toml` in the working directory or a parent.
        process: the process type this is (adds its implicit port key); default
            `$TWELVE_PROCESS`, else the contract's only process when it has one.
        environ: the environment to read (default `os.environ`).
        env_key: the key naming the deployment (dev, staging, prod).
        exit_on_error: report and exit 78 on problems; False raises `ConfigError` instead.
        service: the service name, for a pydantic-settings class (a contract names it).
        version_env: the release identity variable, for a pydantic-settings class.
    """
    environ = os.environ if environ is None else environ
    process = process or environ.get(PROCESS_ENV) or None
    try:
        if isinstance(source, type):
            from twelve.kit.settings import config_from_settings  # noqa: PLC0415 -- optional

            return config_from_settings(
                source, environ, env_key=env_key, service=service, version_env=version_env
            )
        contract = _contract(source, environ)
        return config_from_contract(contract, environ, process=process, env_key=env_key)
    except ConfigError as error:
        if not exit_on_error:
            raise
        report_config_error(error, environ)
    except ContractError as error:
        if not exit_on_error:
            raise
        _report_contract_error(error)


def config_from_contract(
    contract: PlainContract,
    environ: Mapping[str, str],
    *,
    process: str | None = None,
    env_key: str = "APP_ENV",
) -> Config:
    """Validate `environ` against the contract's keys (and `process`'s port key).

    Args:
        contract: the loaded contract (as the kit reads it: `twelve.contract.plain`).
        environ: the environment.
        process: the process type name, if known (default: the only process, if one).
        env_key: the key naming the deployment.

    Raises:
        ConfigError: with every missing and invalid key.
    """
    if process is None and len(contract.processes) == 1:
        (process,) = contract.processes  # the only process there is: its port and timings
    keys = contract.keys(process)
    missing: list[str] = []
    invalid: list[tuple[str, str]] = []
    values: dict[str, Value] = {}
    for name, key in keys.items():
        raw = environ.get(name)
        if raw is None or not raw.strip():
            if key.required:
                missing.append(name)
            else:
                values[name] = None if key.default is None else _typed(str(key.default), key)
            continue
        if (why := key.problem_with(raw)) is not None:
            invalid.append((name, why))
        else:
            values[name] = _typed(raw, key)
    service = contract.name
    if missing or invalid:
        raise ConfigError(tuple(missing), tuple(invalid), service)
    version_env = contract.version_env
    return Config(
        service=service,
        version=(environ.get(version_env) or "unknown") if version_env else "unknown",
        env=environ.get(env_key) or "unknown",
        values=values,
        contract=contract,
        process=process,
    )


def _typed(raw: str, key: PlainKey) -> Value:
    """The raw string as the key's type; a secret's value wrapped in `Secret`."""
    raw = raw.strip()
    value: Value
    if key.type in (ValueType.INT, ValueType.PORT):
        value = int(raw)
    elif key.type is ValueType.FLOAT:
        value = float(raw)
    elif key.type is ValueType.BOOL:
        value = raw.lower() in _TRUE
    elif key.type is ValueType.DURATION:
        value = parse_duration(raw)
    else:
        value = raw
    return Secret(str(value)) if key.secret else value


def _contract(
    source: Path | str | Contract | PlainContract | None, environ: Mapping[str, str]
) -> PlainContract:
    """The contract given, or loaded from `source`, `$TWELVE_CONTRACT` or the nearest
    `twelve.toml`: read without pydantic, which only an invalid contract brings in."""
    if isinstance(source, PlainContract):
        return source
    if source is None and (named := environ.get(CONTRACT_ENV)):
        source = named
    if isinstance(source, Path | str):
        return load_plain(Path(source))
    if source is not None:
        return plain_from_model(source)
    here = Path.cwd()
    for directory in (here, *here.parents):
        if (candidate := directory / "twelve.toml").is_file():
            return load_plain(candidate)
    raise ContractError(here / "twelve.toml", [])


def report_config_error(error: ConfigError, environ: Mapping[str, str] | None = None) -> NoReturn:
    """Write the error to stderr as one JSON event and one readable line, then exit 78.

    Args:
        error: the problems.
        environ: the environment, for the event's service fields.
    """
    from twelve.kit.sink import emergency_event  # noqa: PLC0415 -- only on the error path

    environ = os.environ if environ is None else environ
    emergency_event(
        "invalid configuration",
        {"service": error.service, "env": environ.get("APP_ENV", "unknown"), **error.fields()},
        readable=error.render(),
    )
    raise SystemExit(EX_CONFIG)


def _report_contract_error(error: ContractError) -> NoReturn:
    """A contract that cannot be read is a config error of the service: exit 78."""
    from twelve.kit.sink import emergency_event  # noqa: PLC0415 -- only on the error path

    if not error.problems:
        readable = f"no {error.path.name} found (set {CONTRACT_ENV} or pass its path)"
    else:
        readable = error.render()
    emergency_event(
        "invalid contract", {"error_code": "contract_invalid", "path": str(error.path)}, readable
    )
    sys.exit(EX_CONFIG)
