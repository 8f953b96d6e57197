"""Config value types: parsing durations and checking a raw env value against its declared type."""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from urllib.parse import urlsplit

_DURATION = re.compile(r"^\s*(?P<number>\d+(?:\.\d+)?|\.\d+)\s*(?P<unit>ms|s|m|h)?\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}
DURATION_PATTERN = r"^\s*(\d+(\.\d+)?|\.\d+)\s*(ms|s|m|h)?\s*$"
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


class ValueType(enum.StrEnum):
    """The types a config key may declare."""

    STRING = "string"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    PORT = "port"
    URL = "url"
    ENUM = "enum"
    DURATION = "duration"


def parse_duration(value: object) -> float:
    """Seconds from a float/int or a string like "500ms", "15s", "2m", "1h".

    Args:
        value: the contract's value.

    Raises:
        ValueError: negative, or not a duration.
    """
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or a string like '15s'")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (match := _DURATION.match(value)):
        seconds = float(match["number"]) * _UNIT_SECONDS[match["unit"]]
    else:
        raise ValueError("a duration is a number of seconds or a string like '500ms', '15s', '2m'")
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    return seconds


def problem_with(
    value: str,
    value_type: ValueType,
    *,
    choices: Sequence[str] = (),
    schemes: Sequence[str] = (),
) -> str | None:
    """Why `value` is not a valid `value_type`, or None when it is. Never quotes the value.

    Args:
        value: the raw environment string.
        value_type: the declared type.
        choices: allowed values of an enum.
        schemes: allowed URL schemes (empty: any).
    """
    check = _CHECKS[value_type]
    return check(value.strip(), choices, schemes)


def _string(value: str, _c: Sequence[str], _s: Sequence[str]) -> str | None:
    return None


def _int(value: str, _c: Sequence[str], _s: Sequence[str]) -> str | None:
    return None if re.fullmatch(r"[+-]?\d+", value) else "not an integer"


def _float(value: str, _c: Sequence[str], _s: Sequence[str]) -> str | None:
    try:
        float(value)
    except ValueError:
        return "not a number"
    return None


def _bool(value: str, _c: Sequence[str], _s: Sequence[str]) -> str | None:
    return None if value.lower() in _TRUE | _FALSE else "not a boolean (true/false, 1/0, yes/no)"


def _port(value: str, _c: Sequence[str], _s: Sequence[str]) -> str | None:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        return "not a port number (1-65535)"
    return None


def _url(value: str, _c: Sequence[str], schemes: Sequence[str]) -> str | None:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 -- accessing .port validates it
    except ValueError:
        return "not a valid URL"
    if not parts.scheme or not (parts.netloc or parts.path):
        return "not a URL (scheme://host/...)"
    if schemes and parts.scheme not in schemes:
        return f"URL scheme must be one of: {', '.join(schemes)}"
    return None


def _enum(value: str, choices: Sequence[str], _s: Sequence[str]) -> str | None:
    return None if value in choices else f"must be one of: {', '.join(choices)}"


def _duration(value: str, _c: Sequence[str], _s: Sequence[str]) -> str | None:
    try:
        parse_duration(value)
    except ValueError:
        return "not a duration (e.g. 500ms, 15s, 2m)"
    return None


_CHECKS = {
    ValueType.STRING: _string,
    ValueType.INT: _int,
    ValueType.FLOAT: _float,
    ValueType.BOOL: _bool,
    ValueType.PORT: _port,
    ValueType.URL: _url,
    ValueType.ENUM: _enum,
    ValueType.DURATION: _duration,
}
