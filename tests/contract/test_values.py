"""Config value types: what counts as a valid env value, and messages that never quote it."""

from __future__ import annotations

import pytest

from twelve.contract.values import ValueType, parse_duration, problem_with


@pytest.mark.parametrize(
    ("value", "value_type", "problem"),
    [
        ("42", ValueType.INT, None),
        ("4.2", ValueType.INT, "not an integer"),
        ("1e3", ValueType.FLOAT, None),
        ("many", ValueType.FLOAT, "not a number"),
        ("yes", ValueType.BOOL, None),
        ("maybe", ValueType.BOOL, "not a boolean (true/false, 1/0, yes/no)"),
        ("8080", ValueType.PORT, None),
        ("70000", ValueType.PORT, "not a port number (1-65535)"),
        ("0", ValueType.PORT, "not a port number (1-65535)"),
        ("250ms", ValueType.DURATION, None),
        ("soon", ValueType.DURATION, "not a duration (e.g. 500ms, 15s, 2m)"),
        ("anything at all", ValueType.STRING, None),
    ],
)
def test_problem_with_scalar_types(value: str, value_type: ValueType, problem: str | None) -> None:
    """Each type accepts its valid forms and explains a rejection without the value."""
    assert problem_with(value, value_type) == problem


def test_url_schemes_and_enum_choices() -> None:
    """URLs are checked against the declared schemes and enums against their choices."""
    schemes = ["postgres", "postgresql"]
    assert problem_with("postgresql://u:p@127.0.0.1/db", ValueType.URL, schemes=schemes) is None
    assert problem_with("mysql://u:p@h/db", ValueType.URL, schemes=schemes) == (
        "URL scheme must be one of: postgres, postgresql"
    )
    assert problem_with("not a url", ValueType.URL) == "not a URL (scheme://host/...)"
    assert problem_with("http://h:99999/", ValueType.URL) == "not a valid URL"
    assert problem_with("warn", ValueType.ENUM, choices=["info", "error"]) == (
        "must be one of: info, error"
    )


def test_secret_values_never_appear_in_problems() -> None:
    """A malformed secret is described, never echoed."""
    secret = "hunter2-very-secret"
    for value_type in ValueType:
        assert secret not in (problem_with(secret, value_type, choices=["a"]) or "")


def test_parse_duration_rejects_negative_and_bool() -> None:
    """Negative durations and booleans are errors."""
    with pytest.raises(ValueError, match="negative"):
        parse_duration(-1)
    with pytest.raises(ValueError, match="duration"):
        parse_duration(True)
