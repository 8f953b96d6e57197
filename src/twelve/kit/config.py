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
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeVar, cast

from twelve.contract import (
    ConfigKey,
    Contract,
    ContractError,
    ProcessType,
    ValueType,
    load_contract,
)
from twelve.contract.values import parse_duration
from twelve.kit.secret import Secret

if TYPE_CHECKING:
    from pydantic_settings import BaseSettings

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


@dataclass(frozen=True, slots=True)
class Config:
    """The validated config: typed values by key, and who this process is.

    Args:
        service: the service name (contract `[service] name`).
        version: the release identity (the value of `version_env`), or "unknown".
        env: the deployment name (the `APP_ENV` value), or "unknown".
        values: typed values by key; secret keys hold a `Secret`.
        contract: the contract it was loaded from, if any.
        process: the process type name it was loaded for, if any.
        settings: the pydantic-settings instance, when loaded from one.
    """

    service: str
    version: str = "unknown"
    env: str = "unknown"
    values: Mapping[str, Value] = field(default_factory=dict)
    contract: Contract | None = field(default=None, repr=False)
    process: str | None = None
    settings: BaseSettings | None = field(default=None, repr=False)

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
        spec = self.process_spec()
        if spec is None or spec.kind != "web" or self.values.get(spec.port_env) is None:
            return None
        return self.get_int(spec.port_env)

    def process_spec(self) -> ProcessType | None:
        """The contract's `[processes.NAME]` table of this process, if known."""
        if self.contract is None or self.process is None:
            return None
        return self.contract.processes.get(self.process)


def load_config(
    source: Path | str | Contract | type[BaseSettings] | None = None,
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
            `$TWELVE_PROCESS`.
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
        contract = source if isinstance(source, Contract) else _contract(source, environ)
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
    contract: Contract,
    environ: Mapping[str, str],
    *,
    process: str | None = None,
    env_key: str = "APP_ENV",
) -> Config:
    """Validate `environ` against the contract's keys (and `process`'s port key).

    Args:
        contract: the loaded contract.
        environ: the environment.
        process: the process type name, if known.
        env_key: the key naming the deployment.

    Raises:
        ConfigError: with every missing and invalid key.
    """
    keys = dict(contract.config)
    spec = contract.processes.get(process) if process else None
    if spec is not None and spec.kind == "web" and spec.port_env not in keys:
        keys[spec.port_env] = ConfigKey(type=ValueType.PORT, required=True)
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
    service = contract.service.name
    if missing or invalid:
        raise ConfigError(tuple(missing), tuple(invalid), service)
    version_env = contract.service.version_env
    return Config(
        service=service,
        version=(environ.get(version_env) or "unknown") if version_env else "unknown",
        env=environ.get(env_key) or "unknown",
        values=values,
        contract=contract,
        process=process,
    )


def _typed(raw: str, key: ConfigKey) -> Value:
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


def _contract(source: Path | str | None, environ: Mapping[str, str]) -> Contract:
    """Load the contract from `source`, `$TWELVE_CONTRACT`, or the nearest `twelve.toml`."""
    if source is None and (named := environ.get(CONTRACT_ENV)):
        source = named
    if source is not None:
        return load_contract(Path(source))
    here = Path.cwd()
    for directory in (here, *here.parents):
        if (candidate := directory / "twelve.toml").is_file():
            return load_contract(candidate)
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
