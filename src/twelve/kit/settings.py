"""Config from a pydantic-settings class, with pydantic's errors stripped of every value.

pydantic puts the raw input in its errors (`input_value=...`, pydantic-settings#256, #937),
so a bad `DATABASE_URL` would be printed whole. Here each error becomes (env var, message)
with the input left out, and a message that still contains the raw value (a custom
validator quoting it) is withheld.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import SecretBytes, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsError

from twelve.kit.config import Config, ConfigError, Value
from twelve.kit.secret import Secret

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

_FIELD = re.compile(r'field "(?P<field>[^"]+)"')
_WITHHELD = "invalid value (the message quoted the value, so it is withheld)"


def config_from_settings(
    cls: type[BaseSettings],
    environ: Mapping[str, str],
    *,
    env_key: str = "APP_ENV",
    service: str | None = None,
    version_env: str = "GIT_SHA",
) -> Config:
    """Instantiate `cls` from the process environment; every problem in one `ConfigError`.

    Args:
        cls: the settings class.
        environ: must be `os.environ`: pydantic-settings reads the process environment.
        env_key: the variable naming the deployment.
        service: the service name (default `$SERVICE_NAME`, else the class name).
        version_env: the variable carrying the release identity.

    Raises:
        ConfigError: with every missing and invalid field, by env var name.
    """
    if environ is not os.environ:
        raise ValueError("pydantic-settings reads os.environ: set variables there")
    name = service or environ.get("SERVICE_NAME") or _kebab(cls.__name__)
    try:
        settings = cls()
    except ValidationError as exc:
        raise _config_error(cls, exc.errors(include_url=False), environ, name) from None
    except SettingsError as exc:
        match = _FIELD.search(str(exc))
        field = _env_name(cls, (match["field"],)) if match else cls.__name__
        raise ConfigError((), ((field, "cannot be parsed"),), name) from None
    values: dict[str, Value] = {}
    for field_name in type(settings).model_fields:
        value = getattr(settings, field_name)
        if isinstance(value, SecretStr | SecretBytes):
            raw = value.get_secret_value()
            values[_env_name(cls, (field_name,))] = Secret(
                raw.decode(errors="replace") if isinstance(raw, bytes) else raw
            )
        elif isinstance(value, str | int | float | bool | Secret) or value is None:
            values[_env_name(cls, (field_name,))] = value
    return Config(
        service=name,
        version=environ.get(version_env) or "unknown",
        env=environ.get(env_key) or "unknown",
        values=values,
        settings=settings,
    )


def _config_error(
    cls: type[BaseSettings], errors: list[ErrorDetails], environ: Mapping[str, str], service: str
) -> ConfigError:
    """Missing and invalid fields by env var name, with no input value anywhere."""
    missing: list[str] = []
    invalid: dict[str, str] = {}
    for error in errors:
        name = _env_name(cls, error["loc"])
        if error["type"] == "missing":
            missing.append(name)
            continue
        message = error["msg"].removeprefix("Value error, ")
        raw = environ.get(name) or ""
        if raw.strip() and raw.strip() in message:
            message = _WITHHELD
        invalid.setdefault(name, message)
    return ConfigError(tuple(dict.fromkeys(missing)), tuple(invalid.items()), service)


def _env_name(cls: type[BaseSettings], loc: tuple[int | str, ...]) -> str:
    """The environment variable a field (or nested field) is read from."""
    config: Any = cls.model_config
    head = str(loc[0]) if loc else ""
    field = cls.model_fields.get(head)
    alias = None
    if field is not None:
        alias = field.validation_alias if isinstance(field.validation_alias, str) else field.alias
    name = alias or (head if field is None else f"{config.get('env_prefix') or ''}{head}")
    delimiter = config.get("env_nested_delimiter")
    if delimiter and len(loc) > 1:
        name = delimiter.join([name, *(str(part) for part in loc[1:])])
    return name if config.get("case_sensitive") else name.upper()


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()
