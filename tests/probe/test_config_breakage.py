"""Tests for how the config probes break a service's config (pure logic, no processes)."""

from __future__ import annotations

from pathlib import Path

from twelve.contract import ConfigKey, Contract, ValueType
from twelve.probe.context import ProcessUnderTest
from twelve.probe.harness import OutputLine
from twelve.probe.probes.f03_config._breakage import (
    invalid,
    invalid_values,
    malformed_secret,
    required_keys,
    typed_keys,
)
from twelve.probe.probes.f03_config._broken_start import names_key

CONTRACT = Contract.model_validate(
    {
        "service": {"name": "shop"},
        "processes": {
            "web": {"command": "web"},
            "admin": {"command": "admin", "port_env": "ADMIN_PORT"},
            "worker": {"kind": "worker", "command": "work"},
        },
        "config": {
            "DATABASE_URL": {
                "type": "url",
                "required": True,
                "secret": True,
                "schemes": ["postgres"],
            },
            "API_TOKEN": {"type": "string", "required": True, "secret": True},
            "LOG_LEVEL": {"type": "enum", "choices": ["info", "debug"], "default": "info"},
            "NAME": {"type": "string", "default": "x"},
        },
    }
)


def _service(name: str) -> ProcessUnderTest:
    return ProcessUnderTest(name, CONTRACT.processes[name], CONTRACT, Path())


def test_required_keys_leave_out_every_port() -> None:
    """Ports are not broken by omission; a web's port is not another process's concern."""
    assert required_keys(_service("web")) == ["DATABASE_URL", "API_TOKEN"]
    assert required_keys(_service("worker")) == ["DATABASE_URL", "API_TOKEN"]


def test_typed_keys_include_only_the_process_own_port() -> None:
    """The web's PORT is tested for the web; no port at all for the worker; strings never."""
    assert typed_keys(_service("web")) == ["DATABASE_URL", "LOG_LEVEL", "PORT"]
    assert typed_keys(_service("admin")) == ["DATABASE_URL", "LOG_LEVEL", "ADMIN_PORT"]
    assert typed_keys(_service("worker")) == ["DATABASE_URL", "LOG_LEVEL"]


def test_every_invalid_value_is_invalid_for_its_type() -> None:
    """Each type gets the documented values, and the contract's own check rejects them all."""
    cases = {
        ValueType.INT: ["not-a-number"],
        ValueType.FLOAT: ["not-a-number"],
        ValueType.PORT: ["99999", "http"],
        ValueType.BOOL: ["maybe"],
        ValueType.DURATION: ["soon"],
        ValueType.STRING: [],
    }
    for value_type, expected in cases.items():
        assert invalid_values(ConfigKey(type=value_type), None) == expected
    assert invalid_values(ConfigKey(type=ValueType.ENUM, choices=["a"]), None) == ["not-a-choice"]
    assert invalid_values(ConfigKey(type=ValueType.URL), None) == ["not a url"]
    with_schemes = ConfigKey(type=ValueType.URL, schemes=["http", "https"])
    assert invalid_values(with_schemes, None) == ["ftp://probe@127.0.0.1:1/twelve"]


def test_invalid_secret_values_embed_a_fresh_canary() -> None:
    """A secret's invalid value carries a new canary each time; the label never shows it."""
    made: list[str] = []

    def new_canary() -> str:
        made.append(f"tw12canary{len(made):020d}")
        return made[-1]

    [breakage] = invalid("DATABASE_URL", CONTRACT.config["DATABASE_URL"], new_canary)
    assert breakage.canaries == (made[0],)
    assert breakage.overrides == (("DATABASE_URL", f"http://probe:{made[0]}@127.0.0.1:1/twelve"),)
    assert made[0] not in breakage.label
    assert breakage.label == "DATABASE_URL (invalid url)"


def test_a_plain_string_secret_cannot_be_malformed() -> None:
    """malformed_secret() gives a value only where the type can reject one."""
    canary = "tw12canary00000000000000000000"
    assert malformed_secret(CONTRACT.config["API_TOKEN"], canary) is None
    assert malformed_secret(CONTRACT.config["DATABASE_URL"], canary) == f"not-a-url-{canary}"


def test_a_key_is_named_as_a_whole_word_in_any_case() -> None:
    """`database_url` names DATABASE_URL; `MY_DATABASE_URL_2` does not."""

    def lines(text: str) -> list[OutputLine]:
        return [OutputLine(0.1, "stderr", text)]

    assert names_key(lines("config error: DATABASE_URL is missing"), "DATABASE_URL")
    assert names_key(lines("database_url\n  Field required"), "DATABASE_URL")
    assert not names_key(lines("MY_DATABASE_URL_2 is missing"), "DATABASE_URL")
    assert not names_key(lines("config error"), "DATABASE_URL")
