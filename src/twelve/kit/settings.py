"""Config from a pydantic-settings class, with pydantic's errors stripped of every value.

pydantic puts the raw input in its errors (`input_value=...`, pydantic-settings#256, #937)
and in their messages too: a UUID error names the bad character, a discriminator error
quotes the tag, a custom validator says whatever its author wrote. So no pydantic message
is ever shown: each error becomes (env var, reason), the reason built from the error's type
and from the limits the model itself sets (`gt`, `max_length`, the allowed choices), never
from the input; a custom validator's error is withheld whole.

Every secret of the settings is redacted, nested ones too: each `SecretStr`, `SecretBytes`,
`pydantic.Secret` and `Secret` in a nested model, list, tuple, set or dict becomes a `Secret`
value of the config under its delimited path (`DB__PASSWORD`, `TOKENS__0`; `.` without
`env_nested_delimiter`), which `Config.secrets()` hands to the redactor.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, SecretBytes, SecretStr, ValidationError
from pydantic import Secret as PydanticSecret
from pydantic_settings import BaseSettings, SettingsError

from twelve.kit.config import Config, ConfigError, Value
from twelve.kit.secret import Secret

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

_FIELD = re.compile(r'field "(?P<field>[^"]+)"')
_WITHHELD = "invalid value (a validator's message may quote the value, so it is withheld)"
_DEPTH = 16  # nesting levels searched for secrets
_BOOL = "not a boolean (true/false, 1/0, yes/no, on/off)"
_URL = "not a valid URL"
_DATETIME = "not a date-time (ISO 8601)"
# Why a value is invalid, by pydantic-core error type: {names} are `ctx` entries the model
# sets (limits, allowed choices), never one derived from the input (`input`, `tag`,
# `error`, `actual_length`, `tz_actual`).
_REASONS = {
    "int_type": "not an integer",
    "int_parsing": "not an integer",
    "int_parsing_size": "not an integer in range",
    "int_from_float": "not a whole number",
    "float_type": "not a number",
    "float_parsing": "not a number",
    "finite_number": "not a finite number",
    "decimal_type": "not a decimal number",
    "decimal_parsing": "not a decimal number",
    "decimal_max_digits": "must have at most {max_digits} digits",
    "decimal_max_places": "must have at most {decimal_places} decimal places",
    "decimal_whole_digits": "must have at most {whole_digits} digits before the point",
    "bool_type": _BOOL,
    "bool_parsing": _BOOL,
    "string_type": "not a string",
    "string_unicode": "not valid Unicode",
    "string_not_ascii": "not ASCII",
    "string_too_short": "must have at least {min_length} characters",
    "string_too_long": "must have at most {max_length} characters",
    "string_pattern_mismatch": "does not match the pattern {pattern}",
    "bytes_type": "not bytes",
    "bytes_too_short": "must have at least {min_length} bytes",
    "bytes_too_long": "must have at most {max_length} bytes",
    "bytes_invalid_encoding": "not valid {encoding}",
    "greater_than": "must be greater than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be less than {lt}",
    "less_than_equal": "must be at most {le}",
    "multiple_of": "must be a multiple of {multiple_of}",
    "too_short": "must have at least {min_length} items",
    "too_long": "must have at most {max_length} items",
    "literal_error": "must be {expected}",
    "enum": "must be {expected}",
    "url_type": _URL,
    "url_parsing": _URL,
    "url_syntax_violation": _URL,
    "url_too_long": "URL must have at most {max_length} characters",
    "url_scheme": "URL scheme must be {expected_schemes}",
    "uuid_type": "not a UUID",
    "uuid_parsing": "not a UUID",
    "uuid_version": "not a version {expected_version} UUID",
    "json_invalid": "not valid JSON",
    "json_type": "not JSON text",
    "union_tag_invalid": "{discriminator} must be one of: {expected_tags}",
    "union_tag_not_found": "has no {discriminator} field",
    "date_type": "not a date (YYYY-MM-DD)",
    "date_parsing": "not a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "not a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "not a date (it has a time of day)",
    "date_past": "must be in the past",
    "date_future": "must be in the future",
    "datetime_type": _DATETIME,
    "datetime_parsing": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "datetime_object_invalid": _DATETIME,
    "datetime_past": "must be in the past",
    "datetime_future": "must be in the future",
    "timezone_naive": "must have no timezone",
    "timezone_aware": "must have a timezone",
    "timezone_offset": "must have the timezone offset {tz_expected}",
    "time_type": "not a time (HH:MM[:SS])",
    "time_parsing": "not a time (HH:MM[:SS])",
    "time_delta_type": "not a duration (ISO 8601, or seconds)",
    "time_delta_parsing": "not a duration (ISO 8601, or seconds)",
    "dict_type": "not an object",
    "model_type": "not an object",
    "model_attributes_type": "not an object",
    "dataclass_type": "not an object",
    "list_type": "not a list",
    "tuple_type": "not a list",
    "set_type": "not a list",
    "frozen_set_type": "not a list",
    "extra_forbidden": "not an allowed field",
    "none_required": "must be empty",
    "is_instance_of": "not an instance of {class}",
    "ip_any_address": "not an IP address",
    "ip_v4_address": "not an IPv4 address",
    "ip_v6_address": "not an IPv6 address",
    "ip_any_network": "not an IP network",
    "ip_any_interface": "not an IP interface",
}


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
        raise _config_error(cls, exc.errors(include_url=False), name) from None
    except SettingsError as exc:
        match = _FIELD.search(str(exc))
        field = _env_name(cls, (match["field"],)) if match else cls.__name__
        raise ConfigError((), ((field, "cannot be parsed"),), name) from None
    values: dict[str, Value] = {}
    for field_name in type(settings).model_fields:
        value = getattr(settings, field_name)
        if isinstance(value, str | int | float | bool | Secret) or value is None:
            values[_env_name(cls, (field_name,))] = value
        else:
            for path, raw in _secrets(value, (field_name,), 0, hidden=False):
                values[_env_name(cls, path, nested=".")] = Secret(raw)
    return Config(
        service=name,
        version=environ.get(version_env) or "unknown",
        env=environ.get(env_key) or "unknown",
        values=values,
        settings=settings,
    )


def _secrets(
    value: object, path: tuple[str, ...], depth: int, *, hidden: bool
) -> Iterator[tuple[tuple[str, ...], str]]:
    """(path, text) of every secret in `value`: models, dataclasses and containers walked.

    Args:
        value: a field value of the settings, or a part of one.
        path: the field names and keys (list indexes) leading to `value`.
        depth: how deep `value` is; nothing below `_DEPTH` is searched.
        hidden: `value` is inside a secret: each of its scalars is secret.
    """
    if depth > _DEPTH:
        return
    inner: list[tuple[str, object]] = []
    if isinstance(value, SecretStr | SecretBytes | PydanticSecret | Secret):
        yield from _secrets(value.get_secret_value(), path, depth + 1, hidden=True)
    elif isinstance(value, BaseModel):
        inner = [(name, getattr(value, name)) for name in type(value).model_fields]
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        inner = [(field.name, getattr(value, field.name)) for field in dataclasses.fields(value)]
    elif isinstance(value, Mapping):
        inner = [(str(key), item) for key, item in value.items()]
    elif isinstance(value, list | tuple | set | frozenset):
        inner = [(str(index), item) for index, item in enumerate(value)]
    elif hidden and isinstance(value, bytes):
        yield path, value.decode(errors="replace")
    elif hidden and isinstance(value, str | int | float) and not isinstance(value, bool):
        yield path, str(value)
    for key, item in inner:
        yield from _secrets(item, (*path, key), depth + 1, hidden=hidden)


def _config_error(cls: type[BaseSettings], errors: list[ErrorDetails], service: str) -> ConfigError:
    """Missing and invalid fields by env var name, with no input value anywhere."""
    missing: list[str] = []
    invalid: dict[str, str] = {}
    for error in errors:
        name = _env_name(cls, error["loc"])
        if error["type"] == "missing":
            missing.append(name)
        else:
            invalid.setdefault(name, _reason(error))
    return ConfigError(tuple(dict.fromkeys(missing)), tuple(invalid.items()), service)


def _reason(error: ErrorDetails) -> str:
    """Why the value is invalid, from the error's type and the model's limits only.

    Args:
        error: one pydantic error; its `msg` and `input` are never read.
    """
    kind = error["type"]
    if kind in {"value_error", "assertion_error"}:
        return _WITHHELD  # a custom validator's text: its author may have quoted the value
    template = _REASONS.get(kind)
    if template is not None:
        try:
            return template.format_map({k: str(v) for k, v in error.get("ctx", {}).items()})
        except KeyError:
            pass  # a ctx entry this version of pydantic does not give: the generic reason
    words = re.sub(r"_(type|parsing|error)$", "", kind).replace("_", " ")
    return f"not a valid {words}"


def _env_name(cls: type[BaseSettings], loc: tuple[int | str, ...], nested: str = "") -> str:
    """The environment variable a field (or nested field) is read from.

    Args:
        cls: the settings class.
        loc: the field name, then nested field names and keys.
        nested: the delimiter of nested parts when the class sets no `env_nested_delimiter`
            (empty: the top-level field's variable, which holds the whole JSON value).
    """
    config: Any = cls.model_config
    head = str(loc[0]) if loc else ""
    field = cls.model_fields.get(head)
    alias = None
    if field is not None:
        alias = field.validation_alias if isinstance(field.validation_alias, str) else field.alias
    name = alias or (head if field is None else f"{config.get('env_prefix') or ''}{head}")
    delimiter = config.get("env_nested_delimiter") or nested
    if delimiter and len(loc) > 1:
        name = delimiter.join([name, *(str(part) for part in loc[1:])])
    return name if config.get("case_sensitive") else name.upper()


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()
